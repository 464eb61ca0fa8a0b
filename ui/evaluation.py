"""Evaluation: back-test drafts against the real answers, view a run, compare two runs.

Paths typed here are read only under the allowed folders (rag.evaluation.paths): evals/, seeds/,
YMATEB_DATA_DIR and this session's uploads; anything else is uploaded through the page. A saved
result is picked from the runs folders' files (rag.evaluation.paths.run_files), never typed."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from rag import (
    BASELINES,
    METRICS,
    CorpusSpec,
    InputError,
    allowed_roots,
    baseline_verdict,
    case_score_keys,
    column_label,
    compare_runs,
    escape_markdown,
    read_json,
    resolve_allowed,
    run_eval,
    run_files,
    save_uploads,
    shown,
    validate_result,
    why_missing,
    write_report,
)
from ui.common import ROOT, reported, scroll_box, settings, upload_limit_mb
from ui.support import case_columns, case_rows, summary_rows, text_html, word_diff_html

DEFAULT_CASES = ROOT / "evals" / "cases" / "seeds.jsonl"
DEFAULT_CORPUS = ROOT / "seeds"
CORPUS_TYPES = ["txt", "md", "pdf", "docx", "html", "htm", "jsonl", "gz"]
SHARED = "shared data: "  # how run_files labels a file of the shared data folder
NOT_SCORED = "n/a"  # a baseline this metric is not scored on
NOT_MEASURED = "not measured"  # no case of the run had a value


def render() -> None:
    st.title("Evaluation")
    st.caption(
        "Each case is drafted only from precedents dated before it, then scored against the real answer "
        "and against two baselines: the nearest earlier reply, and the best earlier reply (oracle)."
    )
    run_tab, load_tab = st.columns(2, gap="large")
    with run_tab:
        status = _run_form()
    with load_tab:
        _load_form()
    runs: dict[str, dict[str, Any]] = st.session_state.get("eval_runs", {})
    if not runs:
        st.info("Run the suite or load a result file to see a run.")
        return
    st.divider()
    view, compare = st.tabs(["View a run", "Compare two runs"])
    with view:
        _view(runs)
    with compare:
        _compare(runs)
    if status is not None:  # kept running until the report is on the page
        status.update(label=f"{status_label(runs)}: report drawn", state="complete", expanded=False)


def status_label(runs: dict[str, dict[str, Any]]) -> str:
    summary = runs[st.session_state["eval_view"]]["summary"]
    return f"Done: {summary['n_cases']} case(s) in {summary['seconds']} s"


# ---------------------------------------------------------------------------- getting runs


def _run_form() -> Any:
    """The run form; after a run, its status box (still running while the report is drawn)."""
    st.header("Run the suite")
    with st.form("eval_run"):
        st.text_input(
            "Cases file",
            value=str(DEFAULT_CASES),
            key="eval_cases",
            persist_state="session",
            help="JSON Lines, one case per line: question, real answer, date. A path under evals/, seeds/ "
            "or the shared data folder (YMATEB_DATA_DIR).",
        )
        st.file_uploader(
            "…or upload a cases file",
            type=["jsonl"],
            key="eval_cases_upload",
            max_upload_size=upload_limit_mb(),
            help="Used instead of the path above.",
        )
        st.text_input(
            "Corpus",
            value=str(DEFAULT_CORPUS),
            key="eval_corpus",
            persist_state="session",
            help="Folder or file of precedents under evals/, seeds/ or the shared data folder; it is indexed "
            "separately from the app's own index.",
        )
        st.file_uploader(
            "…or upload corpus files",
            type=CORPUS_TYPES,
            accept_multiple_files=True,
            key="eval_corpus_upload",
            max_upload_size=upload_limit_mb(),
            help="Used instead of the corpus path above.",
        )
        backend, limit = st.columns(2)
        backends = ["offline", "openai"] if settings().llm_configured else ["offline"]
        backend.selectbox("Backend", backends, key="eval_backend", persist_state="session")
        limit.number_input(
            "Only the first N cases",
            0,
            100_000,
            value=0,
            key="eval_limit",
            persist_state="session",
            help="0 runs every case.",
        )
        go = st.form_submit_button("Run evaluation", type="primary", icon=":material/play_arrow:")
    status = None
    if go:
        with reported():
            status = _run()
    return status


def _run() -> Any:
    cases, corpus = _cases_file(), _corpus()
    status = st.status("Running the evaluation…", expanded=True)
    bar = status.progress(0.0, text="Indexing the corpus…")

    def on_case(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Case {done} of {total}")

    try:
        result = run_eval(
            cases,
            CorpusSpec((str(corpus),)),
            settings(),
            backend=st.session_state.get("eval_backend") or "offline",
            limit=int(st.session_state.get("eval_limit") or 0) or None,
            on_case=on_case,
        )
    except BaseException:
        status.update(label="The evaluation stopped", state="error")
        raise
    summary = result["summary"]
    bar.progress(1.0, text=f"All {summary['n_cases']} case(s) drafted and scored")
    status.update(label=f"Done: {summary['n_cases']} case(s) in {summary['seconds']} s. Drawing the report…")
    _add_run(f"run {len(st.session_state.get('eval_runs', {})) + 1} ({cases.name}, {summary['backend']})", result)
    return status


def _cases_file() -> Path:
    uploaded = st.session_state.get("eval_cases_upload")
    if uploaded is not None:
        return _saved("cases", [uploaded])[0]
    cases = _allowed(st.session_state.get("eval_cases") or "")
    if not cases.is_file():
        raise InputError(f"No cases file at {cases}: give the path of a .jsonl file of cases.")
    return cases


def _corpus() -> Path:
    uploaded = st.session_state.get("eval_corpus_upload") or []
    if uploaded:
        return _saved("corpus", uploaded)[0].parent
    corpus = _allowed(st.session_state.get("eval_corpus") or "")
    if not corpus.exists():
        raise InputError(f"No corpus at {corpus}: give a folder or file of precedents.")
    return corpus


def _allowed(text: str) -> Path:
    """The path typed, if it lies in a folder this page may read (one message for any other)."""
    uploads = [Path(st.session_state["eval_upload_dir"])] if "eval_upload_dir" in st.session_state else []
    return resolve_allowed(text, allowed_roots(ROOT, settings(), uploads), ROOT)


def _saved(kind: str, files: list[Any]) -> list[Path]:
    """Uploaded files written into this session's upload folder, which _allowed then accepts."""
    if "eval_upload_dir" not in st.session_state:
        st.session_state["eval_upload_dir"] = tempfile.mkdtemp(prefix="ymateb-eval-uploads-")
    folder = Path(st.session_state["eval_upload_dir"]) / kind
    return save_uploads(folder, [(f.name, f.getvalue()) for f in files], settings().max_upload_mb)


def _load_form() -> None:
    st.header("Open a result file")
    uploaded = st.file_uploader(
        "Result JSON",
        type=["json"],
        key="eval_upload",
        max_upload_size=upload_limit_mb(),
        help="A file written by `ymateb eval --json FILE`, or downloaded from this page.",
    )
    if uploaded is not None and st.session_state.get("eval_upload_id") != uploaded.file_id:
        st.session_state["eval_upload_id"] = uploaded.file_id
        with reported():
            _add_run(uploaded.name, _parse(uploaded.getvalue(), uploaded.name))
    saved = run_files(ROOT, settings())
    with st.form("eval_open"):
        st.selectbox(
            "…or a saved run",
            list(saved),
            index=None,
            key="eval_saved",
            placeholder="Choose a result file" if saved else "No saved runs yet",
            disabled=not saved,
            help="The result files in evals/reports/ (write one with `ymateb eval --json evals/reports/NAME.json`) "
            "and in the shared data folder (YMATEB_DATA_DIR). Any other file: upload it above.",
        )
        if st.form_submit_button("Open", icon=":material/folder_open:", disabled=not saved):
            with reported():
                chosen = st.session_state.get("eval_saved")
                if not chosen:
                    raise InputError("Choose a saved run to open, or upload a result file.")
                path = run_files(ROOT, settings()).get(chosen)
                if path is None:
                    raise InputError(f"{chosen} is no longer in the runs folder: choose another or upload it.")
                name = chosen.removeprefix(SHARED)
                _add_run(name, _validated(_read(path), name))


def _read(path: Path) -> Any:
    try:
        return read_json(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path.name} is not a readable JSON result file ({type(exc).__name__}).") from None


def _parse(data: bytes, name: str) -> dict[str, Any]:
    try:
        result = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError(f"{name} is not a JSON file.") from None
    return _validated(result, name)


def _validated(result: Any, name: str) -> dict[str, Any]:
    problems = validate_result(result)
    if problems:
        shown = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        raise InputError(f"{name} is not an eval result: {shown}")
    return result


def _add_run(name: str, result: dict[str, Any]) -> None:
    runs = dict(st.session_state.get("eval_runs", {}))
    runs[name] = result
    st.session_state["eval_runs"] = runs
    st.session_state["eval_view"] = name


# ---------------------------------------------------------------------------- one run


def _view(runs: dict[str, dict[str, Any]]) -> None:
    if st.session_state.get("eval_view") not in runs:
        st.session_state["eval_view"] = next(iter(runs))
    name = st.selectbox("Run", list(runs), key="eval_view")
    result = runs[name]
    summary = result["summary"]
    st.download_button(
        "Download this run as JSON",
        json.dumps(result, indent=2, ensure_ascii=False),
        file_name="eval-result.json",
        mime="application/json",
        on_click="ignore",
        icon=":material/download:",
    )
    _headline(summary)
    with st.spinner("Drawing the charts…"):
        baselines_png, distributions_png = _charts(name, result)
    table, chart = st.columns([3, 2], gap="large")
    with table:
        st.markdown("**Summary against both baselines**")
        st.dataframe(summary_cells(summary), hide_index=True, width="stretch")
        st.caption(
            f"{NOT_SCORED}: the baseline is not scored on this metric (the oracle precedent is the earlier reply "
            "with the best ROUGE-L, so it is compared on ROUGE-L alone; the other metrics score the system's own "
            f"draft). {NOT_MEASURED}: no case in this run has a value"
            + "".join(f"; {m.label}: {m.missing}" for m in shown(METRICS, summary) if summary.get(m.key) is None)
            + "."
        )
    chart.image(
        str(baselines_png), width="stretch", alt="Bar chart: the system's scores beside the two baselines, per metric."
    )
    st.markdown("**Per-case metric distributions**")
    st.image(
        str(distributions_png),
        width="stretch",
        alt="Per-case distributions of each metric (the table below has the figures).",
    )
    _cases_table(result["cases"])
    _case_detail(result["cases"])


def summary_cells(summary: dict[str, Any]) -> list[dict[str, str]]:
    """The summary table as shown: each value in its metric's format, and in words where there is none."""
    rows = []
    for m, row in zip(shown(METRICS, summary), summary_rows(summary), strict=True):
        cells = {
            "metric": row["metric"],
            "system": m.format(row["system"]) if row["system"] is not None else NOT_MEASURED,
        }
        for b in BASELINES:
            value = row[b.label]
            cells[b.label] = (
                m.format(value) if value is not None else NOT_SCORED if b.name not in m.baselines else NOT_MEASURED
            )
        rows.append(cells)
    return rows


def _cases_table(cases: list[dict[str, Any]]) -> None:
    st.markdown("**Cases** (click a column heading to sort)")
    scores = set(case_score_keys()) | set(case_score_keys(optional=True)) | {"retrieval_rank"}
    keys = [k for k in case_columns(cases) if k in scores]
    frame = pd.DataFrame(case_rows(cases)).rename(columns={k: column_label(k) for k in keys})
    labels = [column_label(k) for k in keys]
    styled = frame.style.format(na_rep="n/a", precision=3, subset=labels)
    st.dataframe(styled, hide_index=True, width="stretch")
    empty = [k for k in keys if any(c.get(k) is None for c in cases)]
    if empty:
        st.caption("n/a: " + "; ".join(f"{column_label(k)}: {why_missing(k)}" for k in empty) + ".")


def _headline(summary: dict[str, Any]) -> None:
    near = (summary.get("baselines") or {}).get("nearest_precedent") or {}
    oracle = (summary.get("baselines") or {}).get("oracle_precedent") or {}
    cols = st.columns(5)
    cols[0].metric(
        "Cases", summary.get("n_cases"), help=f"Backend {summary.get('backend')}, {summary.get('seconds')} s"
    )
    cols[1].metric(
        "ROUGE-L F1",
        _num(summary.get("rougeL_f1")),
        _delta(summary.get("rougeL_f1"), near.get("rougeL_f1")),
        help="Delta against the nearest-precedent baseline.",
    )
    cols[2].metric("Oracle ROUGE-L", _num(oracle.get("rougeL_f1")), help="The best earlier answer's ROUGE-L.")
    cols[3].metric(
        "Semantic similarity",
        _num(summary.get("semantic_similarity")),
        _delta(summary.get("semantic_similarity"), near.get("semantic_similarity")),
    )
    cols[4].metric(
        "Gap closed",
        _num(summary.get("gap_closed")),
        help="Share of the ROUGE-L gap from the nearest precedent to the oracle that the system closes: 0 is as "
        "close to the real answers as the nearest precedent, 1 as close as the best earlier reply, below 0 further.",
    )
    verdict = baseline_verdict(summary)
    if verdict:
        st.warning(f"**Below the baseline.** {verdict}", icon=":material/trending_down:")


def _num(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) and not isinstance(value, bool) else "—"


def _delta(value: Any, base: Any) -> str | None:
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (value, base))
    return f"{value - base:+.3f} vs nearest" if ok else None


def _charts(name: str, result: dict[str, Any]) -> list[Path]:
    """The report's PNG charts, written once per run into a temp folder kept for the session."""
    charts: dict[str, list[Path]] = st.session_state.setdefault("eval_charts", {})
    key = f"{name}:{id(result)}"
    if key not in charts or not all(p.exists() for p in charts[key]):
        out = Path(tempfile.mkdtemp(prefix="ymateb-report-"))
        write_report(result, out)
        charts[key] = [out / "baselines.png", out / "distributions.png"]
    return charts[key]


CITATION_FIELDS = ("n", "ref", "date", "author", "quote")


def _case_detail(cases: list[dict[str, Any]]) -> None:
    if not cases:
        return
    st.markdown("**One case in detail**")
    ids = [str(c.get("id")) for c in cases]
    chosen = st.selectbox("Case", ids, key="eval_case", persist_state="session")
    case = cases[ids.index(chosen)] if chosen in ids else cases[0]
    st.markdown(f"**Question** ({escape_markdown(str(case.get('date') or 'undated'))})")
    st.markdown(escape_markdown(str(case.get("question", ""))))
    real, drafted = st.columns(2, gap="large")
    with real:
        st.markdown("**Real answer**")
        scroll_box(
            f'<div class="ym-plain">{text_html(str(case.get("reference_answer", "")))}</div>', "Real answer", "360px"
        )
    with drafted:
        st.markdown("**Draft**")
        scroll_box(f'<div class="ym-plain">{text_html(str(case.get("draft") or "(no draft)"))}</div>', "Draft", "360px")
    if case.get("citations"):
        st.markdown("**Citations**")
        st.dataframe(
            [
                {k: c.get(k) if c.get(k) is not None else "not given" for k in CITATION_FIELDS}
                for c in case["citations"]
            ],
            hide_index=True,
            width="stretch",
        )
    for w in case.get("warnings") or []:
        st.warning(escape_markdown(str(w.get("message", ""))), icon=":material/warning:")
    st.markdown(
        "**Draft against the real answer, word by word** "
        "(<del class='ym-del'>only in the real answer</del> <ins class='ym-ins'>only in the draft</ins>)",
        unsafe_allow_html=True,
    )
    diff = word_diff_html(case.get("reference_answer", ""), case.get("draft", ""))
    scroll_box(f'<div class="ym-doc">{diff}</div>', "Draft against the real answer, word by word", "300px")


# ---------------------------------------------------------------------------- two runs


def _compare(runs: dict[str, dict[str, Any]]) -> None:
    if len(runs) < 2:
        st.info("Run or open a second result to compare two runs.")
        return
    names = list(runs)
    a_col, b_col = st.columns(2)
    a = a_col.selectbox("Run A (before)", names, index=len(names) - 2, key="eval_cmp_a")
    b = b_col.selectbox("Run B (after)", names, index=len(names) - 1, key="eval_cmp_b")
    cmp = compare_runs(runs[a], runs[b])
    n_a, n_b, n = len(runs[a]["cases"]), len(runs[b]["cases"]), cmp["n_matched"]
    if not n:
        st.error(
            f"Run A and run B share no case ({n_a} and {n_b} cases, none with the same id), so their scores cannot "
            "be compared: the means would be over different questions. Compare two runs of the same cases file.",
            icon=":material/block:",
        )
        return
    if not cmp["same_cases"]:
        st.warning(
            f"**The runs hold different cases: run A has {n_a}, run B {n_b}, and they share {n}.** The means below "
            f"are over those {n} shared case(s) only, worked out again from each case's scores, so they differ "
            "from each run's own summary.",
            icon=":material/warning:",
        )
    shown_rows = [
        {"metric": r["label"], "run A": r["a"], "run B": r["b"], "change": r["delta"], "moved": _moved(r["better"])}
        for r in cmp["metrics"]
    ]
    frame = pd.DataFrame(shown_rows)
    st.dataframe(
        frame.style.format(na_rep="n/a", precision=3, subset=["run A", "run B", "change"]),
        hide_index=True,
        width="stretch",
    )
    st.markdown(f"**{len(cmp['worse'])} of {cmp['n_matched']} matched case(s) got worse on ROUGE-L**")
    if cmp["worse"]:
        st.dataframe(cmp["worse"], hide_index=True, width="stretch")
    for side in ("a", "b"):
        if cmp[f"only_in_{side}"]:
            st.caption(
                f"Only in run {side.upper()} (left out of the means): "
                + escape_markdown(", ".join(cmp[f"only_in_{side}"]))
            )


def _moved(better: bool | None) -> str:
    return "" if better is None else "better" if better else "worse"
