"""msgmerge's fuzzy search: gettext's byte similarity, the 0.6 threshold, and tie-breaks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.fuzzy import THRESHOLD, FuzzyIndex, similarity
from tests.conftest import needs_gettext


def _entry(msgid: str, msgstr: str = "번역", msgctxt: str | None = None) -> polib.POEntry:
    return polib.POEntry(msgid=msgid, msgstr=msgstr, msgctxt=msgctxt)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("ab", "abc", 4 / 5),  # 2 + 3 bytes, one byte inserted
        ("가", "각", 4 / 6),  # EA B0 80 vs EA B0 81: two of six bytes differ
        ("파드", "파드", 1.0),
        ("", "", 1.0),
        ("abc", "xyz", 0.0),
    ],
)
def test_similarity_is_fstrcmp_over_utf8_bytes(first: str, second: str, expected: float) -> None:
    assert similarity(first, second) == pytest.approx(expected)


def test_best_finds_the_edited_sentence() -> None:
    index = FuzzyIndex([_entry("노드는 워커 머신이다."), _entry("파드는 가장 작은 단위이다.")])
    found = index.best(None, "파드는 가장 작은 단위입니다.")
    assert found is not None and found[0].msgid == "파드는 가장 작은 단위이다."


def test_untranslated_entries_are_never_candidates() -> None:
    index = FuzzyIndex([_entry("파드는 가장 작은 단위이다.", msgstr="")])
    assert len(index) == 0
    assert index.best(None, "파드는 가장 작은 단위입니다.") is None


def test_a_score_of_exactly_the_threshold_needs_the_context_bonus() -> None:
    # 10 + 10 bytes sharing "abcdef": 8 edits, so the score is 12 / 20 = 0.6 exactly.
    old = "abcdefghij"
    new = "abcdefxyzw"
    assert similarity(old, new) == THRESHOLD
    assert FuzzyIndex([_entry(old)]).best(None, new) is not None
    assert FuzzyIndex([_entry(old, msgctxt="frontmatter:title")]).best(None, new) is None


def test_below_the_threshold_nothing_matches() -> None:
    index = FuzzyIndex([_entry("쿠버네티스 클러스터를 구성하는 방법")])
    assert index.best(None, "파드는 가장 작은 단위이다.") is None


def test_ties_go_to_more_shared_4grams_then_to_the_earlier_entry() -> None:
    query = "abcdefghijkl"
    # Both keep 8 of 12 bytes (score 16 / 24), but "abcdefgh" holds 5 of the query's
    # 4-grams and "abcd?efgh" only 2: the candidate sharing more wins though it is later.
    scattered, solid = _entry("abcdYefghYYY"), _entry("abcdefghYYYY")
    assert similarity(query, scattered.msgid) == similarity(query, solid.msgid)
    found = FuzzyIndex([scattered, solid]).best(None, query)
    assert found is not None and found[0] is solid
    first, second = _entry("abcdXY", "첫째"), _entry("abcdXY", "둘째")
    found = FuzzyIndex([first, second]).best(None, "abcdXZ")
    assert found is not None and found[0] is first


def test_short_msgids_are_compared_by_length() -> None:
    index = FuzzyIndex([_entry("파드"), _entry("노드")])
    found = index.best(None, "파드들")
    assert found is not None and found[0].msgid == "파드"


@needs_gettext
@pytest.mark.parametrize(
    ("old", "new", "matches"),
    [
        ("abcdefghij", "abcdefxyzw", True),
        ("파드는 가장 작은 단위이다.", "파드는 가장 작은 단위입니다.", True),
        ("파드", "파드들", True),
        ("쿠버네티스 클러스터", "파드는 가장 작은 단위이다.", False),
    ],
)
def test_msgmerge_agrees(tmp_path: Path, old: str, new: str, matches: bool) -> None:
    header = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    (tmp_path / "old.po").write_text(header + f'msgid "{old}"\nmsgstr "x"\n', encoding="utf-8")
    (tmp_path / "new.pot").write_text(header + f'msgid "{new}"\nmsgstr ""\n', encoding="utf-8")
    merged = subprocess.run(
        ["msgmerge", "-q", "--previous", "old.po", "new.pot"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert ("#, fuzzy" in merged) is matches
    assert (FuzzyIndex([_entry(old)]).best(None, new) is not None) is matches


# Few syllables, so that msgids share many 4-grams and the heuristic's cut matters.
_TEXT = st.text(alphabet="파드노드는다. ", min_size=1, max_size=14)


@settings(max_examples=60, deadline=None)
@given(
    msgids=st.lists(_TEXT, min_size=1, max_size=40),
    queries=st.lists(_TEXT, min_size=1, max_size=12),
)
def test_grams_indexed_on_demand_find_what_the_full_index_finds(
    msgids: list[str], queries: list[str]
) -> None:
    entries = [
        _entry(msgid, msgctxt="ctx" if n % 3 == 0 else None) for n, msgid in enumerate(msgids)
    ]
    lazy, full = FuzzyIndex(entries), FuzzyIndex(entries)
    full._build()
    full._index_every_gram()  # what every search did before grams were indexed on demand
    for query in queries:
        for heuristic in (True, False):
            assert lazy.best(None, query, heuristic=heuristic) == full.best(
                None, query, heuristic=heuristic
            )


def test_a_large_memory_asked_a_few_questions_indexes_only_their_grams() -> None:
    entries = [_entry(f"노드 {n}번은 워커 머신이다.") for n in range(2000)]
    index = FuzzyIndex(entries)
    found = index.best(None, "노드 7번은 워커 머신입니다.", heuristic=True)
    assert found is not None and found[0].msgid == "노드 7번은 워커 머신이다."
    assert not index._complete and 0 < len(index._by_gram) < 20
