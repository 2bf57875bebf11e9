"""The translation memory: what it offers, and where a snapshot's entries come from."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import memory as memory_module
from pipeline.cache import Cache, digest
from pipeline.fuzzy import THRESHOLD
from pipeline.memory import (
    RECORD_KIND,
    Lookup,
    Question,
    Snapshot,
    SnapshotFile,
    Suggestion,
    memory_record,
)
from tests.memory_reference import ReferenceMemory

CATALOG = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: en\\n"

msgid "파드는 가장 작은 배포 단위이다."
msgstr "A pod is the smallest unit of deployment."

#, fuzzy
msgid "개요"
msgstr "Overview"
"""


def _snapshot_file(tmp_path: Path) -> SnapshotFile:
    path = tmp_path / "locales" / "en" / "pods.po"
    path.parent.mkdir(parents=True)
    path.write_text(CATALOG, encoding="utf-8")
    return SnapshotFile("locales/en/pods.po", path, digest(path.read_bytes()))


def test_memory_records_keep_only_reviewed_translations(tmp_path: Path) -> None:
    file = _snapshot_file(tmp_path)
    record = memory_record(polib.pofile(CATALOG))
    file.path.unlink()  # the record alone speaks for the catalog
    memory = Snapshot([file], [], None, {file.hash: record})
    assert len(memory) == 1
    found = memory.exact(None, "파드는 가장 작은 배포 단위이다.")
    assert found is not None and found.entry.msgstr == "A pod is the smallest unit of deployment."
    assert memory.exact(None, "개요") is None  # fuzzy: not reviewed


def test_a_snapshot_reads_recorded_entries_from_the_cache_not_the_file(tmp_path: Path) -> None:
    file = _snapshot_file(tmp_path)
    with Cache(tmp_path / "cache") as cache:
        cache.put(
            RECORD_KIND, file.hash, [[None, "파드는 가장 작은 배포 단위이다.", "From the cache."]]
        )
    found = Snapshot([file], [], tmp_path / "cache").exact(None, "파드는 가장 작은 배포 단위이다.")
    assert found is not None and found.entry.msgstr == "From the cache."
    assert found.origin == "locales/en/pods.po" and found.exact


def _assert_the_file_answers(tmp_path: Path, damaged: object) -> None:
    """With ``damaged`` as the catalog's memory record, the memory reads the catalog."""
    file = _snapshot_file(tmp_path)
    with Cache(tmp_path / "cache") as cache:
        cache.put(RECORD_KIND, file.hash, damaged)
    found = Snapshot([file], [], tmp_path / "cache").exact(None, "파드는 가장 작은 배포 단위이다.")
    assert found is not None and found.entry.msgstr == "A pod is the smallest unit of deployment."


@pytest.mark.parametrize(
    "damaged",
    [
        ["not", "a", "hash"],  # strings of three letters are not entries
        [[None, "파드", 5]],
        [["파드", "pod"]],
        [[1, "파드", "pod"]],
        {"msgid": "파드"},
        "{half a json",
    ],
)
def test_a_damaged_record_is_not_trusted_and_the_file_is_read(
    tmp_path: Path, damaged: object
) -> None:
    _assert_the_file_answers(tmp_path, damaged)


def test_a_file_changed_since_the_snapshot_lends_nothing(tmp_path: Path) -> None:
    file = _snapshot_file(tmp_path)
    file.path.write_text(CATALOG.replace("A pod", "One pod"), encoding="utf-8")
    memory = Snapshot([file], [], None)
    assert memory.exact(None, "파드는 가장 작은 배포 단위이다.") is None
    assert len(memory) == 0


def test_records_held_by_the_run_come_first(tmp_path: Path) -> None:
    file = _snapshot_file(tmp_path)
    held = {file.hash: [[None, "개요", "Held by the run"]]}
    found = Snapshot([file], [], None, held).exact(None, "개요")
    assert found is not None and found.entry.msgstr == "Held by the run"


def test_a_memory_of_many_catalogs_keeps_their_order_across_batches(tmp_path: Path) -> None:
    files = [
        SnapshotFile(f"locales/en/doc-{number}.po", tmp_path / f"doc-{number}.po", f"{number:064x}")
        for number in range(600)  # more than two batches of records
    ]
    with Cache(tmp_path / "cache") as cache:
        for number, file in enumerate(files):
            entries = [
                [None, "개요", f"Overview {number}"],
                [None, f"문서 {number}", f"Doc {number}"],
            ]
            cache.put(RECORD_KIND, file.hash, entries)
    memory = Snapshot(files, [], tmp_path / "cache")
    assert len(memory) == 1200
    first = memory.exact(None, "개요")
    assert first is not None and first.entry.msgstr == "Overview 0"
    other = memory.exact(None, "개요", exclude="locales/en/doc-0.po")
    assert other is not None and other.origin == "locales/en/doc-1.po"
    last = memory.exact(None, "문서 599")
    assert last is not None and last.entry.msgstr == "Doc 599"


def _po(*entries: polib.POEntry) -> polib.POFile:
    po = polib.POFile()
    po.extend(entries)
    return po


def test_a_record_keeps_each_context_and_text_as_it_was(tmp_path: Path) -> None:
    po = _po(
        polib.POEntry(msgctxt="frontmatter:title", msgid="개요", msgstr="Overview"),
        polib.POEntry(msgctxt="", msgid="개요", msgstr="Overview (empty context)"),
        polib.POEntry(msgid="개요", msgstr="Overview (no context)"),
        polib.POEntry(msgid='줄\n바꿈 🚀 \\ "', msgstr='line\nbreak 🚀 \\ "'),
    )
    file = SnapshotFile("locales/en/a.po", tmp_path / "a.po", "0" * 64)
    memory = Snapshot([file], [], None, {file.hash: memory_record(po)})
    for context, msgstr in [
        ("frontmatter:title", "Overview"),
        ("", "Overview (empty context)"),
        (None, "Overview (no context)"),
    ]:
        found = memory.exact(context, "개요")
        assert found is not None and (found.entry.msgctxt, found.entry.msgstr) == (context, msgstr)
    assert memory.exact("frontmatter:description", "개요") is None
    found = memory.exact(None, '줄\n바꿈 🚀 \\ "')
    assert found is not None and found.entry.msgstr == 'line\nbreak 🚀 \\ "'


def test_a_catalog_holding_u0000_is_recorded_as_json(tmp_path: Path) -> None:
    po = _po(polib.POEntry(msgid="널\x00문자", msgstr="null\x00character"))
    record = memory_record(po)
    assert record == [[None, "널\x00문자", "null\x00character"]]
    with Cache(tmp_path / "cache") as cache:
        cache.put(RECORD_KIND, "0" * 64, record)
    file = SnapshotFile("locales/en/a.po", tmp_path / "a.po", "0" * 64)
    found = Snapshot([file], [], tmp_path / "cache").exact(None, "널\x00문자")
    assert found is not None and found.entry.msgstr == "null\x00character"


def _record(po_text: str = CATALOG) -> bytes:
    record = memory_record(polib.pofile(po_text))
    assert isinstance(record, bytes)
    return record


GOOD = _record()


@pytest.mark.parametrize(
    "damaged",
    [
        GOOD[:-5],  # truncated
        GOOD[:20],
        GOOD + b"\x00more",  # one msgstr too many
        GOOD.replace(b"l10n-memory-2", b"l10n-memory-1"),  # another version
        GOOD.replace(b" 1 ", b" 2 ", 1),  # a count that does not match
        GOOD.replace(b" 1 ", b" -1 ", 1),
        GOOD.replace(b"\n", b" ", 1),  # no header line
        b"l10n-memory-2 1 0 5 1\n\x00\x00\x00\x00\x00A",  # empty msgids
        b"l10n-memory-2 0 0 0 0\nleft over",
        b"l10n-memory-2 1 0 0 9\nleft over",
        b"l10n-memory-2 1 7 3 3\n9\x00ctx\x00abcxyz",  # a context after the last entry
        b"l10n-memory-2 1 5 3 3\n0\x00\xff\xfeabcxyz",  # a context that is not UTF-8
        b"l10n-memory-2 1 3 3 3\nx\x00yabcxyz",  # a context position that is no number
        b"\x00" * 40,
    ],
)
def test_a_damaged_record_of_bytes_is_not_trusted_and_the_file_is_read(
    tmp_path: Path, damaged: bytes
) -> None:
    _assert_the_file_answers(tmp_path, damaged)


@pytest.mark.parametrize(
    ("msgstrs", "lent"),
    [
        (zlib.compress(b"\x00Pod"), None),  # an empty msgstr: the record is damaged
        (zlib.compress(b"Pod"), None),  # one msgstr for two msgids
        (b"not zlib", None),
        (zlib.compress(b"\xff\xfe\x00Pod"), "Pod"),  # one msgstr that is not UTF-8
    ],
)
def test_msgstrs_found_damaged_when_read_lend_nothing(msgstrs: bytes, lent: str | None) -> None:
    head = b"l10n-memory-2 2 0 13 %d\n" % len(msgstrs)
    record = head + "파드\x00노드".encode() + msgstrs
    file = SnapshotFile("locales/en/a.po", Path("a.po"), "0" * 64)
    memory = Snapshot([file], [], None, {file.hash: record})
    assert len(memory) == 2
    assert memory.exact(None, "파드") is None
    assert memory.close(None, "파드가") is None
    found = memory.exact(None, "노드")
    assert (found and found.entry.msgstr) == lent


# --- the memory answers as a FuzzyIndex over every entry would (what it was before) ----

Questions = list[tuple[str | None, str, str, float]]
# How the msgids holding a gram are found: one search per gram, one pass over every
# msgid's grams, or (the compendia, asked one question at a time) an index at once.
WAYS = {"search": ("_PASS", 10**9), "pass": ("_PASS", 0), "index": ("_INDEX", -1)}


def _exact(found: Suggestion | None) -> object:
    return None if found is None else (found.origin, found.entry.msgstr)


def _close(found: Suggestion | None) -> object:
    return None if found is None else (found.origin, found.entry.msgid, found.weight)


def _answers(memory: Lookup, questions: Questions) -> list[tuple[object, ...]]:
    """Each question's exact and close answers, as comparable tuples."""
    return [
        (
            _exact(memory.exact(msgctxt, msgid, exclude=exclude)),
            _close(memory.close(msgctxt, msgid, exclude=exclude, lower_bound=bound)),
        )
        for msgctxt, msgid, exclude, bound in questions
    ]


def _no_pass(self: Snapshot, questions: list[Question], few: int) -> None:
    raise AssertionError(f"a pass for {questions} after answer()")


def _in_one_pass(make: Callable[[], Snapshot], questions: Questions) -> list[tuple[object, ...]]:
    """The answers of a memory that answered every exact question in one pass, and of
    another that answered every close one in one pass: asking them then reads nothing."""
    exact, close = make(), make()
    exact.answer(
        Question("exact", msgctxt, msgid, exclude) for msgctxt, msgid, exclude, _ in questions
    )
    close.answer(Question("close", *question) for question in questions)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Snapshot, "_search", _no_pass)
        return [
            (
                _exact(exact.exact(msgctxt, msgid, exclude=exclude)),
                _close(close.close(msgctxt, msgid, exclude=exclude, lower_bound=bound)),
            )
            for msgctxt, msgid, exclude, bound in questions
        ]


# A small alphabet, so that msgids share many 4-grams and tie often.
_TEXT = st.text(alphabet="파드노 .ab", min_size=1, max_size=24)
_ENTRY = st.builds(
    polib.POEntry,
    msgid=_TEXT,
    msgstr=st.sampled_from(["Pod", "Node", "Pod", ""]),
    msgctxt=st.sampled_from([None, None, "", "frontmatter:title"]),
    flags=st.sampled_from([[], [], [], ["fuzzy"]]),
    obsolete=st.sampled_from([False, False, False, True]),
)
_ORIGINS = [f"locales/en/doc-{number}.po" for number in range(4)]


@settings(max_examples=150, deadline=None)
@given(
    catalogs=st.lists(st.lists(_ENTRY, max_size=30), min_size=1, max_size=4),
    questions=st.lists(
        st.tuples(
            st.sampled_from([None, "", "frontmatter:title"]),
            _TEXT,
            st.sampled_from(["", *_ORIGINS]),
            st.sampled_from([THRESHOLD, 0.7, 0.95]),
        ),
        min_size=1,
        max_size=12,
    ),
    way=st.sampled_from([None, *WAYS]),
    batch=st.sampled_from([1, 2, 256]),
    seen=st.sampled_from([0, 64, 1 << 20]),
)
def test_the_memory_answers_as_one_fuzzy_index_over_every_entry(
    catalogs: list[list[polib.POEntry]],
    questions: Questions,
    way: str | None,
    batch: int,
    seen: int,
) -> None:
    sources = [(origin, _po(*entries)) for origin, entries in zip(_ORIGINS, catalogs, strict=False)]
    # Questions also about msgids the memory holds, with a character changed.
    known = [entry.msgid for _, po in sources for entry in po]
    questions += [(None, msgid, "", THRESHOLD) for msgid in known[:6]]
    questions += [(None, msgid[:-1] + "노", _ORIGINS[0], THRESHOLD) for msgid in known[:6]]
    expected = _answers(ReferenceMemory(sources), questions)
    files = [SnapshotFile(origin, Path(origin), digest(origin.encode())) for origin, _ in sources]
    records = {file.hash: memory_record(po) for file, (_, po) in zip(files, sources, strict=True)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memory_module, "_BATCH", batch)  # catalogs read this many at a time
        # The msgids a pass keeps as seen (counted once), or none.
        patch.setattr(memory_module, "_SEEN_BYTES", seen)
        if way is not None:
            patch.setattr(memory_module, *WAYS[way])
        # The compendia (in memory), and the catalogs' records, asked one at a time.
        assert _answers(Snapshot([], sources, None), questions) == expected
        assert _answers(Snapshot(files, [], None, records), questions) == expected
        # All questions answered in one pass, over catalogs, then over catalogs and compendia.
        assert _in_one_pass(lambda: Snapshot(files, [], None, records), questions) == expected
        mixed = lambda: Snapshot(files[:1], sources[1:], None, records)  # noqa: E731
        assert _in_one_pass(mixed, questions) == expected


NEAR = "파드는 가장 작은 배포 단위입니다."


def _shortlisted(longer: int) -> tuple[str, polib.POFile]:
    """A query, and a catalog where its close translation is the ``longer + 1``-th entry
    sharing most of its grams: the others hold the whole query but are too long."""
    query = "파드는 가장 작은 배포 단위이다."
    near = NEAR  # close, but shares fewer 4-grams
    far = [
        f"{query} 그리고 {number}번 노드에서 실행되는 컨테이너의 묶음이다."
        for number in range(longer)
    ]
    return query, _po(*(polib.POEntry(msgid=msgid, msgstr="x") for msgid in [*far, near]))


@pytest.mark.parametrize("way", [None, *WAYS])
@pytest.mark.parametrize(("longer", "found"), [(9, True), (10, False)])
def test_only_the_ten_entries_sharing_most_grams_are_scored_as_msgmerge_does(
    monkeypatch: pytest.MonkeyPatch, longer: int, found: bool, way: str | None
) -> None:
    if way is not None:
        monkeypatch.setattr(memory_module, *WAYS[way])
    query, source = _shortlisted(longer)
    file = SnapshotFile("locales/en/a.po", Path("a.po"), "0" * 64)
    for memory in (
        Snapshot([], [("a.po", source)], None),
        Snapshot([file], [], None, {"0" * 64: memory_record(source)}),
    ):
        suggestion = memory.close(None, query)
        assert (suggestion is not None and suggestion.entry.msgid == NEAR) is found


def test_the_shortlist_counts_every_entry_even_when_the_first_catalogs_are_small(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 151 entries: the shortlist is 12, so the close entry, 12th, is scored.  The pass
    # guesses from the first catalog read (one entry) and keeps 10: it is made again.
    monkeypatch.setattr(memory_module, "_BATCH", 1)
    query, source = _shortlisted(11)
    source.extend(polib.POEntry(msgid=f"관계없는 문장 {n}번", msgstr="y") for n in range(138))
    small = _po(polib.POEntry(msgid="개요", msgstr="Overview"))
    sources = [("locales/en/small.po", small), ("locales/en/a.po", source)]
    files = [
        SnapshotFile(origin, Path(origin), f"{n:064x}") for n, (origin, _) in enumerate(sources)
    ]
    records = {file.hash: memory_record(po) for file, (_, po) in zip(files, sources, strict=True)}
    memory = Snapshot(files, [], None, records)
    passes: list[int] = []
    search = Snapshot._search

    def counting(self: Snapshot, questions: list[Question], few: int | None) -> object:
        found = search(self, questions, few)
        passes.append(found.few)
        return found

    monkeypatch.setattr(Snapshot, "_search", counting)
    suggestion = memory.close(None, query)
    assert suggestion is not None and suggestion.entry.msgid == NEAR
    assert passes == [10, 12] and len(memory) == 151
    questions = [(None, query, "", THRESHOLD), (None, query, "locales/en/small.po", 0.7)]
    assert _answers(memory, questions) == _answers(ReferenceMemory(sources), questions)


@pytest.mark.parametrize("way", [None, *WAYS])
def test_of_equally_close_translations_the_earlier_one_is_offered(
    monkeypatch: pytest.MonkeyPatch, way: str | None
) -> None:
    if way is not None:
        monkeypatch.setattr(memory_module, *WAYS[way])
    first, second = "파드는 배포 단위이다 a", "파드는 배포 단위이다 b"  # one byte from the query
    sources = [
        (f"locales/en/doc-{number}.po", _po(polib.POEntry(msgid=msgid, msgstr=f"Pod {number}")))
        for number, msgid in enumerate([first, second, first])
    ]
    memory = Snapshot([], sources, None)
    for exclude, origin in [("", "doc-0"), ("locales/en/doc-0.po", "doc-1"), ("x", "doc-0")]:
        found = memory.close(None, "파드는 배포 단위이다 c", exclude=exclude)
        assert found is not None and found.origin == f"locales/en/{origin}.po"


@pytest.mark.parametrize("sources", [[], [("locales/en/empty.po", polib.POFile())]])
def test_an_empty_memory_finds_nothing(sources: list[tuple[str, polib.POFile]]) -> None:
    memory = Snapshot([], sources, None)
    assert len(memory) == 0
    for msgid in ["파드는 가장 작은 배포 단위이다.", "파드"]:  # with 4-grams, and without
        assert memory.exact(None, msgid) is None
        assert memory.close(None, msgid) is None
        assert memory.close(None, msgid, exclude="locales/en/empty.po") is None


# --- answering many questions in one pass, a batch of records at a time -----------------


def _recorded(tmp_path: Path, catalogs: dict[str, dict[str, str]]) -> Snapshot:
    """A memory of ``catalogs`` (origin -> msgid -> msgstr), their records in the cache."""
    files = []
    with Cache(tmp_path / "cache") as cache:
        for number, (origin, entries) in enumerate(catalogs.items()):
            po = _po(*(polib.POEntry(msgid=k, msgstr=v) for k, v in entries.items()))
            files.append(SnapshotFile(origin, tmp_path / f"{number}.po", f"{number:064x}"))
            cache.put(RECORD_KIND, files[-1].hash, memory_record(po))
    return Snapshot(files, [], tmp_path / "cache")


def test_one_pass_answers_every_question_and_honours_each_exclude(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory_module, "_BATCH", 2)  # three batches of records
    names = [f"locales/en/doc-{number}.po" for number in range(5)]
    unit = "파드는 배포 단위이다 {}"  # all as close to the question: the first wins
    memory = _recorded(
        tmp_path,
        {name: {"파드": f"Pod {n}", unit.format(n): f"Unit {n}"} for n, name in enumerate(names)},
    )
    memory.answer(
        [
            Question("exact", None, "파드", names[0]),
            Question("exact", None, "파드", ""),
            Question("exact", None, unit.format(4), names[4]),  # only its own catalog has it
            Question("close", None, unit.format("x"), names[0]),
            Question("close", None, unit.format("x"), ""),
            Question("close", None, "파드가", names[0]),  # short: no 4-gram
        ]
    )
    monkeypatch.setattr(Snapshot, "_search", _no_pass)
    assert _exact(memory.exact(None, "파드", exclude=names[0])) == (names[1], "Pod 1")
    assert _exact(memory.exact(None, "파드")) == (names[0], "Pod 0")
    assert memory.exact(None, unit.format(4), exclude=names[4]) is None
    offered = memory.close(None, unit.format("x"), exclude=names[0])
    assert offered is not None and (offered.origin, offered.entry.msgstr) == (names[1], "Unit 1")
    offered = memory.close(None, unit.format("x"))
    assert offered is not None and (offered.origin, offered.entry.msgstr) == (names[0], "Unit 0")
    offered = memory.close(None, "파드가", exclude=names[0])
    assert offered is not None and (offered.origin, offered.entry.msgstr) == (names[1], "Pod 1")


def test_a_close_question_is_dropped_once_its_exact_question_is_answered(tmp_path: Path) -> None:
    memory = _recorded(tmp_path, {"locales/en/a.po": {"파드는 작은 단위이다.": "Pod"}})
    asked = [
        Question("exact", None, "파드는 작은 단위이다."),
        Question("close", None, "파드는 작은 단위이다."),  # what an update never asks then
        Question("exact", None, "파드는 작은 단위입니다."),
        Question("close", None, "파드는 작은 단위입니다."),
    ]
    memory.answer(asked)
    assert set(memory._answers) == {asked[0], asked[2], asked[3]}
    found = memory.close(None, "파드는 작은 단위입니다.")
    assert found is not None and found.entry.msgid == "파드는 작은 단위이다."


def test_catalogs_come_first_then_the_compendia_in_their_order(tmp_path: Path) -> None:
    catalog = _recorded(tmp_path, {"locales/en/a.po": {"파드": "Pod (catalog)"}})
    compendia = [
        (name, _po(*(polib.POEntry(msgid=msgid, msgstr=f"{msgid} ({name})") for msgid in ids)))
        for name, ids in [("first.po", ["파드"]), ("second.po", ["파드", "노드"])]
    ]
    memory = Snapshot(catalog.files, compendia, tmp_path / "cache")
    memory.answer(
        [
            Question("exact", None, "파드", exclude)
            for exclude in ["", "locales/en/a.po", "first.po"]
        ]
        + [Question("exact", None, "노드"), Question("close", None, "파드들", "locales/en/a.po")]
    )
    assert _exact(memory.exact(None, "파드")) == ("locales/en/a.po", "Pod (catalog)")
    assert _exact(memory.exact(None, "파드", exclude="locales/en/a.po")) == (
        "first.po",
        "파드 (first.po)",
    )
    # Excluding first.po also excludes nothing else: the catalog comes first anyway.
    assert _exact(memory.exact(None, "파드", exclude="first.po")) == (
        "locales/en/a.po",
        "Pod (catalog)",
    )
    assert _exact(memory.exact(None, "노드")) == ("second.po", "노드 (second.po)")
    found = memory.close(None, "파드들", exclude="locales/en/a.po")
    assert found is not None and found.origin == "first.po"


def test_a_damaged_record_read_in_a_pass_lends_nothing_and_its_file_is_read(
    tmp_path: Path,
) -> None:
    file = _snapshot_file(tmp_path)
    other = SnapshotFile("locales/en/b.po", tmp_path / "b.po", "1" * 64)
    with Cache(tmp_path / "cache") as cache:
        cache.put(RECORD_KIND, file.hash, GOOD[:-5])  # cut short: the file is read
        cache.put(RECORD_KIND, other.hash, GOOD.replace(GOOD[-4:], b"xxxx"))  # bad msgstrs
    memory = Snapshot([other, file], [], tmp_path / "cache")
    memory.answer(
        [
            Question("exact", None, "파드는 가장 작은 배포 단위이다."),
            Question("close", None, "파드는 가장 작은 배포 단위입니다."),
        ]
    )
    found = memory.exact(None, "파드는 가장 작은 배포 단위이다.")
    assert found is not None and found.origin == "locales/en/pods.po"
    # The closest entry is b.po's (first), whose msgstrs are damaged: nothing is offered.
    assert memory.close(None, "파드는 가장 작은 배포 단위입니다.") is None
    assert len(memory) == 2


@pytest.mark.parametrize("way", [None, *WAYS])
def test_msgids_holding_u0000_are_found_like_any_other(
    monkeypatch: pytest.MonkeyPatch, way: str | None
) -> None:
    if way is not None:
        monkeypatch.setattr(memory_module, *WAYS[way])
    source = _po(
        polib.POEntry(msgid="널\x00문자가 든 문장", msgstr="with null"),
        polib.POEntry(msgid="문자가 든 문장\x00", msgstr="null after"),
        polib.POEntry(msgid="다른 문장", msgstr="other"),
    )
    file = SnapshotFile("locales/en/a.po", Path("a.po"), "0" * 64)
    memory = Snapshot([file], [], None, {file.hash: memory_record(source)})
    questions: Questions = [
        (None, "널\x00문자가 든 문장", "", THRESHOLD),
        (None, "널\x00문자가 든 문장이다", "", THRESHOLD),
        (None, "\x00문자가 든", "", THRESHOLD),
        (None, "다른 문장이다", "", THRESHOLD),
    ]
    expected = _answers(ReferenceMemory([("locales/en/a.po", source)]), questions)
    assert (
        _in_one_pass(
            lambda: Snapshot([file], [], None, {file.hash: memory_record(source)}), questions
        )
        == expected
    )
    assert _answers(memory, questions) == expected


def test_a_close_question_forgets_at_once_the_msgids_that_cannot_rank(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Of a batch's msgids sharing grams with a question, it keeps only those that may
    still rank among the shortlist, before the next question counts the batch: so a run
    asking many questions holds one question's count at a time, not all of them."""
    query = "파드는 클러스터에서 실행되는 가장 작은 배포 단위이다"
    # 120 msgids sharing 1 to 24 of the query's grams, 5 of each: 10 are scored.
    msgids = [f"{query[: 4 + shared]} 묶음 {copy}" for shared in range(24) for copy in range(5)]
    source = _po(*(polib.POEntry(msgid=msgid, msgstr="x") for msgid in msgids))
    held: list[int] = []
    present = memory_module._Close.present

    def noted(self: memory_module._Close, batch: object, few: int) -> dict[bytes, int]:
        found = present(self, batch, few)  # type: ignore[arg-type]
        held.append(len(self._known))
        return found

    monkeypatch.setattr(memory_module._Close, "present", noted)
    file = SnapshotFile("locales/en/a.po", Path("a.po"), "0" * 64)
    memory = Snapshot([file], [], None, {"0" * 64: memory_record(source)})
    memory.answer([Question("close", None, query + "다", ""), Question("close", None, query, "")])
    assert held and max(held) <= 15  # the 10 sharing most, and the ties of the last
    reference = ReferenceMemory([("locales/en/a.po", source)])
    assert _close(memory.close(None, query)) == _close(reference.close(None, query))


@pytest.mark.parametrize("kind", ["record", "compendium"])
def test_a_query_holding_u0000_does_not_match_across_two_msgids(kind: str) -> None:
    """The msgids are searched joined by U+0000: a query's gram holding one must not
    find the end of one msgid and the start of the next (found in review)."""
    filler = [
        polib.POEntry(msgid=f"abcd filler text number {n:02d}", msgstr="F") for n in range(10)
    ]
    source = _po(
        *filler, polib.POEntry(msgid="abcd", msgstr="A"), polib.POEntry(msgid="efgh", msgstr="B")
    )
    query = "abcd\x00efgh"  # "bcd\0", "cd\0e", "d\0ef": across "abcd" and "efgh" joined
    file = SnapshotFile("a.po", Path("a.po"), "0" * 64)
    memory = (
        Snapshot([file], [], None, {file.hash: memory_record(source)})
        if kind == "record"
        else Snapshot([], [("a.po", source)], None)
    )
    reference = ReferenceMemory([("a.po", source)])
    assert _close(memory.close(None, query)) == _close(reference.close(None, query))
