"""Typed eval data: a Case read from a case file, and a run's result (CaseResult, Summary, EvalResult).

The result is written as JSON by `ymateb eval --json` and read back by the app and `eval compare`:

    {"summary": {"n_cases", "backend", <every registry metric>, "baselines": {"nearest_precedent":
                 {"rougeL_f1", "semantic_similarity"}, "oracle_precedent": {"rougeL_f1"}},
                 "gap_closed", "seconds"},
     "cases": [{"id", "question", "draft", "reference_answer", "citations", "warnings",
                <every per-case score>, "retrieval_rank", "oracle_doc_id", ...}]}

The metric and baseline fields come from registry.METRICS. Metric values may be null (not
measured, e.g. no eligible precedent); numbers are checked strictly (no "0.5", no true). Judge
metrics (and "judge_reason") are optional: a run without the judge leaves them out. Extra keys are
allowed, so files written by newer or older versions still open.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    Strict,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
    create_model,
    model_serializer,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from rag.evaluation.registry import BASELINES, METRICS, case_score_keys

Score = Annotated[float | None, Strict()]
Text = Annotated[StrictStr, StringConstraints(pattern=r"\S")]  # a string with something in it
OptionalText = Annotated[str | None, Strict()]


def parse_date(value: str | None) -> date | None:
    """The date an ISO YYYY-MM-DD string starts with (a time may follow), or None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _iso_date(value: str) -> str:
    if parse_date(value) is None:
        raise PydanticCustomError("iso_date", "is not an ISO date (YYYY-MM-DD): {value}", {"value": repr(value)})
    return value


# ---------------------------------------------------------------------------- cases


class Case(BaseModel):
    """One back-test case: draft a reply to `question` as of `date`, compare with the real answer.

    id, kind, date, question and reference_answer are required non-empty strings, date ISO
    YYYY-MM-DD (a time after it is allowed); the rest are optional strings. Unknown keys are ignored.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: Text
    kind: Text
    date: Annotated[Text, AfterValidator(_iso_date)]
    question: Text
    reference_answer: Text
    asked_of: OptionalText = None
    source_url: OptionalText = None
    corpus_doc_id: OptionalText = None
    answerable: Annotated[bool, Strict()] = True  # false: nothing in the corpus answers it; a drafted body misleads


def case_error(exc: ValidationError) -> str:
    """The first problem with a case line, as one reason, e.g. "'date' is not an ISO date ..."."""
    err = exc.errors()[0]
    if not err["loc"]:
        return "expected a JSON object"
    key = str(err["loc"][0])
    field = Case.model_fields.get(key)
    if err["type"] == "iso_date":
        return f"'{key}' {err['msg']}"
    if field is not None and field.is_required():
        return f"'{key}' is missing or not a non-empty string"
    return f"'{key}' must be a string or null"


# ---------------------------------------------------------------------------- results

_OPEN = ConfigDict(extra="allow")


def _scores(keys: list[str], required: bool = True) -> dict[str, Any]:
    return {key: (Score, ...) if required else (Score, None) for key in keys}


class _CaseFields(BaseModel):
    """The fields of a case result that are not metric scores (those come from the registry)."""

    model_config = _OPEN

    id: StrictStr
    date: OptionalText = None
    question: StrictStr
    draft: StrictStr
    draft_text: OptionalText = None
    reference_answer: StrictStr
    citations: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    retrieval_rank: Annotated[int | None, Strict()]
    retrieved: list[StrictStr] = Field(default_factory=list)
    nearest_doc_id: OptionalText = None
    oracle_doc_id: OptionalText
    eligible_precedents: StrictInt | None = None
    judge_reason: OptionalText = None
    answerable: Annotated[bool, Strict()] = True
    assessment: dict[str, Any] | None = None  # the drafter's answerability scores (Draft.assessment)


class _SummaryFields(BaseModel):
    """The fields of a summary that are not metric means (those come from the registry)."""

    model_config = _OPEN

    n_cases: StrictInt
    backend: StrictStr
    gap_closed: Score
    seconds: Annotated[float, Strict()]

    @model_serializer(mode="wrap")
    def _in_reading_order(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """n_cases and backend, then the metrics and baselines, then gap_closed and seconds."""
        data: dict[str, Any] = handler(self)
        head = {k: data.pop(k) for k in ("n_cases", "backend") if k in data}
        tail = {k: data.pop(k) for k in ("gap_closed", "seconds") if k in data}
        return head | data | tail


def _baselines_model() -> type[BaseModel]:
    blocks: dict[str, Any] = {
        b.name: (
            create_model(
                f"Baseline_{b.prefix}", __config__=_OPEN, **_scores([m.key for m in METRICS if b.name in m.baselines])
            ),
            ...,
        )
        for b in BASELINES
    }
    return create_model("Baselines", __config__=_OPEN, **blocks)


if TYPE_CHECKING:
    CaseResult = _CaseFields
    Summary = _SummaryFields
else:
    CaseResult = create_model(
        "CaseResult",
        __base__=_CaseFields,
        __doc__="One case's draft and scores, as run_case returns it.",
        **_scores(case_score_keys(METRICS)),
        **_scores(case_score_keys(METRICS, optional=True), required=False),
    )
    Summary = create_model(
        "Summary",
        __base__=_SummaryFields,
        __doc__="A run's means, its baselines' means and the share of the gap closed.",
        **_scores([m.key for m in METRICS if not m.optional]),
        **_scores([m.key for m in METRICS if m.optional], required=False),
        baselines=(_baselines_model(), ...),
    )


class EvalResult(BaseModel):
    """A whole run: the summary and one result per case (n_cases must match)."""

    model_config = _OPEN

    summary: Summary
    cases: list[CaseResult]

    @model_validator(mode="after")
    def _counted(self) -> EvalResult:
        if self.summary.n_cases != len(self.cases):
            raise PydanticCustomError(
                "n_cases",
                "{n} but there are {m} cases",
                {"n": self.summary.n_cases, "m": len(self.cases), "path": "summary.n_cases"},
            )
        return self

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready dict written to a result file (fields never set, like judge scores, left out)."""
        return self.model_dump(mode="json", exclude_unset=True)


def _path(err: ErrorDetails) -> str:
    ctx = err.get("ctx") or {}
    if "path" in ctx:
        return str(ctx["path"])
    out = ""
    for part in err["loc"]:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "result"


def _problem(err: ErrorDetails) -> str:
    kind = err["type"]
    if kind == "missing":
        return "missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected an object, got {type(err['input']).__name__}"
    if kind.endswith("_type"):
        return f"wrong type ({type(err['input']).__name__})"
    return err["msg"]


def result_problems(result: Any) -> list[str]:
    """Every way `result` departs from EvalResult, as 'path: problem' lines ([] = valid)."""
    if not isinstance(result, dict):
        return ["result: expected an object"]
    try:
        EvalResult.model_validate(result)
    except ValidationError as exc:
        return [f"{_path(err)}: {_problem(err)}" for err in exc.errors()]
    return []
