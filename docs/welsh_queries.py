"""Measure Welsh asks against the seeds: searched as written, as their English gloss, and as
`english_query` (the gloss then the Welsh, what drafting uses). Offline: MiniLM and the seeds.

    PYTHONPATH=. .venv/bin/python docs/welsh_queries.py [--gloss]

For each question and each form of the query it prints the best MiniLM cosine (drafting needs
0.40, NO_PRECEDENT_SIM) and the rank of the passage that answers it among every chunk a draft may
use (hybrid search, the drafting filters, no per-document cap); "-" when it is not in the top 50.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from rag.assistant import build_assistant
from rag.drafting.intake import parse_request
from rag.drafting.pipeline import DRAFT_FROM, NO_PRECEDENT_SIM
from rag.settings import Settings
from rag.text.welsh import english_query, gloss
from rag.types import Passage, SearchFilters

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DEPTH = 50

# (Welsh ask, seed file it is answered from, a phrase of the answering passage)
QUESTIONS = [
    (
        "A wnaiff y Gweinidog ddatganiad am gynlluniau i ddileu elw preifat o ofal plant sy'n derbyn gofal?",
        "002_",
        "not-for-profit model of care",
    ),
    (
        "Pa gamau y mae Llywodraeth Cymru yn eu cymryd i recriwtio mwy o ofalwyr maeth drwy Maethu Cymru?",
        "002_",
        "Foster Wales has been established",
    ),
    (
        "A wnaiff y Gweinidog roi gwasanaethau plant Cyngor Caerdydd mewn mesurau arbennig a chynnal "
        "adolygiad annibynnol brys?",
        "000_",
        "",
    ),
    (
        "Pa gymorth y mae Llywodraeth Cymru yn ei roi i bobl ifanc sy'n gadael gofal?",
        "002_",
        "Care Leavers Summit",
    ),
    (
        "Sut y mae Llywodraeth Cymru yn ariannu gwasanaethau eiriolaeth i rieni y mae eu plant mewn perygl o "
        "ddod i mewn i ofal?",
        "002_",
        "Advocacy",
    ),
    (
        "Beth yw cynlluniau'r Gweinidog i gryfhau cyrff cyhoeddus yn eu rôl fel rhiant corfforaethol?",
        "002_",
        "corporate parent",
    ),
    (
        "Pa asesiad y mae'r Gweinidog wedi'i wneud o waith y Byrddau Diogelu Plant Rhanbarthol?",
        "003_",
        "Safeguarding",
    ),
    (
        "A wnaiff y Gweinidog esbonio pam nad yw Llywodraeth Cymru yn cynnal adolygiad cenedlaethol o "
        "wasanaethau plant pan fo llywodraethau eraill y DU yn gwneud hynny?",
        "003_",
        "",
    ),
    (
        "Sut mae Llywodraeth Cymru yn gweithio gydag awdurdodau lleol i leihau nifer y plant sy'n derbyn gofal?",
        "",
        "reduce",
    ),
    (
        "Pa gefnogaeth sydd ar gael i blant sy'n ceisio lloches ar eu pen eu hunain yng Nghymru?",
        "002_",
        "unaccompanied asylum",
    ),
    (
        "A wnaiff Ysgrifennydd y Cabinet ddatganiad am wasanaethau preswyl rhanbarthol i blant ag anghenion cymhleth?",
        "002_",
        "regional residential",
    ),
]

# Written after the glossary was frozen, to see how far it carries beyond the questions it was
# grown on (their words were not added to it).
HELD_OUT = [
    (
        "A wnaiff y Gweinidog ddatganiad am waith y Bwrdd Goruchwylio sy'n cael ei gadeirio gan Anthony Douglas?",
        "",
        "Oversight Board",
    ),
    (
        "Sut mae Arolygiaeth Gofal Cymru yn craffu ar ansawdd gwasanaethau plant yng Nghaerdydd?",
        "000_",
        "Care Inspectorate Wales",
    ),
    (
        "Pa ystyriaeth y mae Llywodraeth Cymru wedi'i rhoi i ganfyddiadau'r adolygiad annibynnol o ofal "
        "cymdeithasol plant yn Lloegr?",
        "003_",
        "MacAlister",
    ),
    (
        "Faint o arian y mae Llywodraeth Cymru wedi'i roi i Maethu Cymru ar gyfer ymgyrchoedd marchnata?",
        "002_",
        "marketing campaigns",
    ),
    (
        "Sut y mae'r Byrddau Partneriaeth Rhanbarthol yn defnyddio'r Gronfa Integreiddio Ranbarthol i gefnogi "
        "plant ag anabledd?",
        "002_",
        "Regional Integration Fund",
    ),
    (
        "Pryd y bydd y siarter rhianta corfforaethol a'r cod statudol yn cael eu cyhoeddi?",
        "002_",
        "corporate parenting charter",
    ),
]


def hit(passage: Passage, source: str, phrase: str) -> bool:
    where = str(passage.meta.get("source", "")) + str(passage.meta.get("path", "")) + passage.doc_id
    return (not source or source in where) and phrase.lower() in passage.text.lower()


def measure(assistant, query: str, source: str, phrase: str) -> tuple[float, int | None]:
    filters = SearchFilters(kinds=DRAFT_FROM)
    found = assistant.search(query, k=DEPTH, filters=filters, per_doc=DEPTH)
    best = max((float(p.meta.get("cosine", 0.0)) for p in found), default=0.0)
    rank = next((i for i, p in enumerate(found, start=1) if hit(p, source, phrase)), None)
    return best, rank


def drafts(assistant, question: str, source: str, phrase: str) -> tuple[str, bool]:
    """The kind the question parses as, and whether its offline draft cites the answering document."""
    draft = assistant.draft(parse_request(question), backend="offline")
    cited = [c for c in draft.citations if (not source or c.doc_id.startswith(source))]
    return draft.kind, any(phrase.lower() in c.quote.lower() for c in cited) if not source else bool(cited)


def table(assistant, title: str, questions: list[tuple[str, str, str]], show_gloss: bool) -> None:
    forms = {"welsh": lambda q: q, "gloss": gloss, "gloss+welsh": english_query}
    print(f"\n{title}\n{'question':<60} " + " ".join(f"{name:>12}" for name in forms) + "  kind / draft cites")
    totals = {name: [0, 0] for name in forms}  # answer in the top 5, best cosine >= floor
    drafted = [0, 0]  # parsed as a written question, offline draft cites the answering document
    for question, source, phrase in questions:
        cells = []
        for name, form in forms.items():
            best, rank = measure(assistant, form(question), source, phrase)
            cells.append(f"{best:.2f} /{rank if rank else '-':>3}")
            totals[name][0] += bool(rank and rank <= 5)
            totals[name][1] += best >= NO_PRECEDENT_SIM
        kind, cites = drafts(assistant, question, source, phrase)
        drafted[0] += kind == "written_question"
        drafted[1] += cites
        print(f"{question[:60]:<60} " + " ".join(f"{c:>12}" for c in cells) + f"  {kind[:8]} / {cites}")
        if show_gloss:
            print(f"    gloss: {gloss(question)}")
    label = f"top 5 / cosine >= {NO_PRECEDENT_SIM:.2f} (of {len(questions)})"
    cells = [f"{t[0]} / {t[1]}" for t in totals.values()]
    print(f"{label:<60} " + " ".join(f"{c:>12}" for c in cells) + f"  {drafted[0]} / {drafted[1]}")


def main() -> None:
    show_gloss = "--gloss" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(Settings(store=Path(tmp) / "store"))
        assistant.ingest([SEEDS])
        print("each cell: best MiniLM cosine / rank of the answering passage")
        table(assistant, "Questions the glossary was grown on", QUESTIONS, show_gloss)
        table(assistant, "Held-out questions (written after the glossary was frozen)", HELD_OUT, show_gloss)


if __name__ == "__main__":
    main()
