"""An optional LLM judge: faithfulness of a draft to its sources, coverage of the real answer's points.

Off by default and never needed for the suite to run; `ymateb eval --judge` turns it on when an
OpenAI-compatible endpoint is configured. The model rates each on a 1-5 scale, rescaled to 0..1
as (n - 1) / 4. An answer that cannot be read gives None scores and a reason, never a crash.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rag.drafting.backends.openai import ChatEndpoint, vendor_errors
from rag.drafting.chat import neutralise
from rag.templates import render
from rag.text.shorten import shorten

MAX_BLOCK_CHARS = 16_000
SCALE = (1, 5)
_FENCED_JSON = re.compile(r"```(?:json)?\s*(\{.*?\})\s*```", re.DOTALL | re.IGNORECASE)


class LLMJudge(ChatEndpoint):
    """Asks a chat model for {"faithfulness": n, "coverage": n, "reason": ...} about one draft."""

    if_missing = "or run the eval without --judge."

    def judge(self, question: str, draft: str, reference: str, sources: list[str]) -> dict[str, Any]:
        """{"judge_faithfulness": 0..1 | None, "judge_coverage": 0..1 | None, "judge_reason": str}."""
        messages = judge_messages(question, draft, reference, sources)
        with vendor_errors(self.settings):
            response = self.client.chat.completions.create(
                model=self.settings.llm_model, messages=messages, temperature=0, stream=False
            )
        return parse_verdict(_content(response))


def judge_messages(question: str, draft: str, reference: str, sources: list[str]) -> list[dict[str, str]]:
    """[system, user]: the rating rules, then question, sources, draft and real answer as fenced data."""
    user = render(
        "judge_user",
        question=_block(question),
        sources=_block(number_sources(sources)),
        draft=_block(draft),
        reference=_block(reference),
    )
    return [{"role": "system", "content": render("judge_system")}, {"role": "user", "content": user}]


def number_sources(sources: list[str]) -> str:
    if not sources:
        return "(none: the draft had no sources to cite)"
    return "\n\n".join(f"[{n}] {text.strip()}" for n, text in enumerate(sources, 1))


def _block(text: str) -> str:
    """Text that cannot open or close a fence, cut to a bounded size."""
    text = (text or "").strip() or "(empty)"
    if len(text) > MAX_BLOCK_CHARS:
        text = text[:MAX_BLOCK_CHARS] + "\n[... truncated]"
    return neutralise(text)


def _content(response: Any) -> str:
    choices = getattr(response, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    return (getattr(message, "content", None) or "") if message is not None else ""


# ---------------------------------------------------------------------------- parsing the verdict


def parse_verdict(text: str) -> dict[str, Any]:
    """The judge's answer as 0..1 scores; None for any score that is missing or off the 1-5 scale."""
    obj = _json_object(text)
    if obj is None:
        what = "an empty answer" if not text.strip() else f"no JSON object: {repr(shorten(text, 80))}"
        return _verdict(None, None, f"unreadable judge answer ({what})")
    faithfulness, problem_f = _score(obj, "faithfulness")
    coverage, problem_c = _score(obj, "coverage")
    said = obj.get("reason")
    said = said.strip() if isinstance(said, str) else ""
    problems = "; ".join(p for p in (problem_f, problem_c) if p)
    if problems:
        return _verdict(faithfulness, coverage, problems + (f" (judge said: {said})" if said else ""))
    return _verdict(faithfulness, coverage, said)


def _verdict(faithfulness: float | None, coverage: float | None, reason: str) -> dict[str, Any]:
    return {"judge_faithfulness": faithfulness, "judge_coverage": coverage, "judge_reason": reason}


def _json_object(text: str) -> dict[str, Any] | None:
    candidates = [m.group(1) for m in _FENCED_JSON.finditer(text)] + [text.strip()]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first : last + 1])
    for candidate in candidates:
        try:
            obj = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(obj, dict):
            return obj
    return None


def _score(obj: dict[str, Any], key: str) -> tuple[float | None, str | None]:
    value = obj.get(key)
    number = _number(value)
    low, high = SCALE
    if number is None or not low <= number <= high:
        shown = "missing" if value is None else f"{value!r} is not a score from {low} to {high}"
        return None, f"{key} {shown}"
    return round((number - low) / (high - low), 4), None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


__all__ = ["LLMJudge", "judge_messages", "parse_verdict"]
