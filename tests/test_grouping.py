"""Grouping of written questions on the same point (rag.desk.grouping), its scores
(rag.evaluation.clusters) and the bench's truth (rag.bench.grouping). No model is loaded."""

from __future__ import annotations

import numpy as np
import pytest

from rag.bench.grouping import MIN_ANSWER, baseline_groups, components, kept_answer, true_groups
from rag.desk.grouping import average_link, group_items, jaccard_matrix, shingles
from rag.evaluation.clusters import bcubed_prf, pairwise_prf
from rag.text.holding import is_non_answer
from rag.types import Incoming

OPENING = "To ask the Secretary of State for Education, "
SERIES = (
    "pursuant to the Answer of 30 January 2025 to Question 20673 on the Review of School Funding, "
    "whether her Department plans to implement recommendation {n}"
)
OTHER = "what steps she is taking to increase the number of speech and language therapists in rural primary schools"


def wq(
    id: str, text: str, tabled: str | None = "2025-01-01", asked_of: str | None = "Secretary of State for Education"
) -> Incoming:
    return Incoming(id=id, kind="written_question", text=OPENING + text, tabled=tabled, asked_of=asked_of)


def ids(items: list[Incoming]) -> list[str]:
    return [i.id for i in items]


# ---- the hard rules ------------------------------------------------------------------------------

SAME = SERIES.format(n=1)


@pytest.mark.parametrize(
    ("a", "b", "together"),
    [
        (wq("1", SAME), wq("2", SAME), True),
        (wq("1", SAME, tabled="2025-01-01"), wq("2", SAME, tabled="2025-02-01"), False),
        (wq("1", SAME, tabled=None), wq("2", SAME, tabled="2025-01-01"), False),
        (
            wq("1", SAME, asked_of="Secretary of State for Education"),
            wq("2", SAME, asked_of="Secretary of State for Health"),
            False,
        ),
        (
            wq("1", SAME, asked_of="Secretary of State for  Education "),
            wq("2", SAME, asked_of="secretary of state FOR education"),
            True,
        ),
        (wq("1", SAME, asked_of=None), wq("2", SAME, asked_of=None), True),
        (wq("1", SAME, asked_of=None), wq("2", SAME, asked_of="None"), False),
        (
            wq("1", SAME),
            Incoming(
                id="2",
                kind="petition",
                text=OPENING + SAME,
                tabled="2025-01-01",
                asked_of="Secretary of State for Education",
            ),
            False,
        ),
        (wq("1", SAME), wq("2", OTHER), False),
    ],
    ids=[
        "identical",
        "other-day",
        "none-day",
        "other-minister",
        "minister-case-and-space",
        "both-none-minister",
        "none-vs-text-minister",
        "petition",
        "different-point",
    ],
)
def test_pair(a: Incoming, b: Incoming, together: bool) -> None:
    expected = [["1", "2"]] if together else [["1"], ["2"]]
    assert group_items([a, b]) == expected


def test_petitions_and_letters_stay_alone() -> None:
    text = "Call on the Welsh Government to fund speech and language therapy in every school."
    items = [
        Incoming(id=str(i), kind=kind, text=text) for i, kind in enumerate(["petition", "petition", "letter", "letter"])
    ]
    assert group_items(items) == [["0"], ["1"], ["2"], ["3"]]


def test_series_grouped_in_input_order_every_id_once() -> None:
    items = [
        wq("a", SERIES.format(n=1)),
        wq("b", OTHER),
        wq("c", SERIES.format(n=2)),
        wq("d", OTHER + " and towns"),
        wq("e", SERIES.format(n=3), tabled="2025-02-01"),
        wq("f", SERIES.format(n=4)),
    ]
    groups = group_items(items)
    assert groups == [["a", "c", "f"], ["b", "d"], ["e"]]
    assert sorted(i for g in groups for i in g) == ids(items)


def test_opening_is_ignored() -> None:
    """Questions share little but their opening: not grouped; the same ask under another opening: grouped."""
    a = wq("1", "what plans she has to review the school teachers pay award for 2025")
    b = wq("2", "how many bus services in Cornwall have been withdrawn since January 2024")
    c = Incoming(
        id="3",
        kind="written_question",
        text="To ask the Minister for Schools, " + a.text[len(OPENING) :],
        tabled=a.tabled,
        asked_of=a.asked_of,
    )
    assert group_items([a, b, c]) == [["1", "3"], ["2"]]


def test_deterministic() -> None:
    items = [wq(str(n), SERIES.format(n=n) if n % 2 else OTHER + f" in region {n}") for n in range(12)]
    first = group_items(items)
    assert all(group_items(list(items)) == first for _ in range(3))
    assert sorted((i for g in first for i in g), key=int) == ids(items)


def test_empty() -> None:
    assert group_items([]) == []


# ---- the pieces ----------------------------------------------------------------------------------


def test_shingles_and_jaccard() -> None:
    assert shingles("To ask the Secretary of State for Education, how many schools") == {("how", "many", "schools")}
    assert shingles("one two") == {("one", "two")}
    assert shingles("1 ,") == frozenset()  # no words of two or more characters
    sim = jaccard_matrix([shingles("aa bb cc dd"), shingles("aa bb cc ee"), shingles("")])
    assert sim[0, 1] == pytest.approx(1 / 3)  # {abc, bcd} vs {abc, bce}
    assert sim[0, 0] == 1.0 and sim[2, 2] == 0.0 and sim[0, 2] == 0.0


@pytest.mark.parametrize(
    ("rows", "threshold", "expected"),
    [
        ([[1, 0.9, 0.0], [0.9, 1, 0.6], [0.0, 0.6, 1]], 0.5, [[0, 1], [2]]),  # mean(0.0, 0.6) = 0.3 < 0.5
        ([[1, 0.9, 0.0], [0.9, 1, 0.6], [0.0, 0.6, 1]], 0.3, [[0, 1, 2]]),
        ([[1, 0.2], [0.2, 1]], 0.5, [[0], [1]]),
        ([[1, 0.8, 0.8], [0.8, 1, 0.8], [0.8, 0.8, 1]], 0.5, [[0, 1, 2]]),
    ],
    ids=["no-chaining", "low-threshold-joins", "apart", "ties"],
)
def test_average_link(rows: list[list[float]], threshold: float, expected: list[list[int]]) -> None:
    assert average_link(np.array(rows), threshold) == expected


# ---- the scores ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predicted", "truth", "pairwise", "bcubed"),
    [
        ([["a", "b"], ["c"]], [["a", "b"], ["c"]], (1.0, 1.0, 1.0), (1.0, 1.0, 1.0)),
        # pairs: predicted ab ac bc, true ab cd, shared ab.
        # B-cubed per item (p, r): a, b (2/3, 1); c (1/3, 1/2); d (1, 1/2)
        ([["a", "b", "c"], ["d"]], [["a", "b"], ["c", "d"]], (1 / 3, 1 / 2, 0.4), (2 / 3, 3 / 4, 12 / 17)),
        ([["a"], ["b"]], [["a", "b"]], (1.0, 0.0, 0.0), (1.0, 0.5, 2 / 3)),
        ([["a", "b", "c"]], [["a"], ["b"], ["c"]], (0.0, 1.0, 0.0), (1 / 3, 1.0, 0.5)),
        ([["a", "b", "x"]], [["a", "b"], ["y"]], (1.0, 1.0, 1.0), (1.0, 1.0, 1.0)),  # x, y: in one side only
    ],
    ids=["perfect", "mixed", "all-split", "all-merged", "unshared-items-ignored"],
)
def test_cluster_scores(
    predicted: list[list[str]], truth: list[list[str]], pairwise: tuple[float, ...], bcubed: tuple[float, ...]
) -> None:
    assert pairwise_prf(predicted, truth) == pytest.approx(pairwise)
    assert bcubed_prf(predicted, truth) == pytest.approx(bcubed)


# ---- the bench -----------------------------------------------------------------------------------

LONG = "The Department is investing 2 billion pounds in school buildings over the next five years, as at the Budget."
PROROGUED = "It has not proved possible to respond to the hon. Member in the time available before Prorogation."


def row(
    id: str, answer: str, date: str = "2025-01-01", asked_of: str = "Secretary of State for Education"
) -> dict[str, str]:
    return {"id": id, "date": date, "asked_of": asked_of, "question": OPENING + f"question {id}", "answer": answer}


def test_truth_builder() -> None:
    assert len(PROROGUED) >= MIN_ANSWER and is_non_answer(PROROGUED)
    rows = [
        row("1", LONG),
        row("2", LONG.replace(" ", "  \n")),  # whitespace ignored
        row("3", LONG, asked_of="Secretary of State for Health"),  # another block
        row("4", LONG, date="2025-02-01"),
        row("5", "Yes."),  # short: left out
        row("6", "Yes."),
        row("7", PROROGUED),  # holding: left out
        row("8", PROROGUED),
        row("9", LONG + " More besides."),
    ]
    assert true_groups(rows) == [["1", "2"], ["9"], ["3"], ["4"]]
    assert not kept_answer(None) and not kept_answer("x" * (MIN_ANSWER - 1)) and kept_answer(LONG)


def test_baseline_and_components() -> None:
    assert components(4, [(3, 1), (1, 2)]) == [[0], [1, 2, 3]]
    items = [wq("1", "how many teachers left"), wq("2", "how many teachers left the profession"), wq("3", OTHER)]
    assert baseline_groups(items) == [["1", "2"], ["3"]]
