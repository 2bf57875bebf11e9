"""The translation memory: what it offers, and where a snapshot's entries come from."""

from __future__ import annotations

import zlib
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import memory as memory_module
from pipeline.cache import Cache, digest
from pipeline.fuzzy import THRESHOLD, FuzzyIndex
from pipeline.memory import RECORD_KIND, Memory, Snapshot, SnapshotFile, memory_record

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


def _reference(
    sources: list[tuple[str, polib.POFile]], questions: list[tuple[str | None, str, str, float]]
) -> list[tuple[object, ...]]:
    """The answers of the memory as it was: a dict of exact keys and one FuzzyIndex."""
    entries = [
        (entry, origin)
        for origin, po in sources
        for entry in po
        if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags and entry.msgid
    ]
    origins = {id(entry): origin for entry, origin in entries}
    index = FuzzyIndex(entry for entry, _ in entries)
    answers: list[tuple[object, ...]] = []
    for msgctxt, msgid, exclude, bound in questions:
        exact = next(
            (
                (origin, entry.msgstr)
                for entry, origin in entries
                if (entry.msgctxt, entry.msgid) == (msgctxt, msgid) and origin != exclude
            ),
            None,
        )
        found = index.best(
            msgctxt,
            msgid,
            lower_bound=bound,
            heuristic=True,
            accept=lambda entry, exclude=exclude: origins[id(entry)] != exclude,
        )
        close = None if found is None else (origins[id(found[0])], found[0].msgid, found[1])
        answers.append((exact, close))
    return answers


def _answers(
    memory: Memory | Snapshot, questions: list[tuple[str | None, str, str, float]]
) -> list[tuple[object, ...]]:
    answers: list[tuple[object, ...]] = []
    for msgctxt, msgid, exclude, bound in questions:
        exact = memory.exact(msgctxt, msgid, exclude=exclude)
        close = memory.close(msgctxt, msgid, exclude=exclude, lower_bound=bound)
        answers.append(
            (
                None if exact is None else (exact.origin, exact.entry.msgstr),
                None if close is None else (close.origin, close.entry.msgid, close.weight),
            )
        )
    return answers


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
    index_at_once=st.booleans(),
)
def test_the_memory_answers_as_one_fuzzy_index_over_every_entry(
    catalogs: list[list[polib.POEntry]],
    questions: list[tuple[str | None, str, str, float]],
    index_at_once: bool,
) -> None:
    sources = [(origin, _po(*entries)) for origin, entries in zip(_ORIGINS, catalogs, strict=False)]
    # Questions also about msgids the memory holds, with a character changed.
    known = [entry.msgid for _, po in sources for entry in po]
    questions += [(None, msgid, "", THRESHOLD) for msgid in known[:6]]
    questions += [(None, msgid[:-1] + "노", _ORIGINS[0], THRESHOLD) for msgid in known[:6]]
    expected = _reference(sources, questions)
    files = [SnapshotFile(origin, Path(origin), digest(origin.encode())) for origin, _ in sources]
    records = {file.hash: memory_record(po) for file, (_, po) in zip(files, sources, strict=True)}
    with pytest.MonkeyPatch.context() as patch:
        if index_at_once:  # the indexes many questions end up making, from the start
            patch.setattr(memory_module, "_SCANS", 0)
            patch.setattr(memory_module, "_INDEX_AFTER", -1)
        assert _answers(Memory(sources), questions) == expected
        assert _answers(Snapshot(files, [], None, records), questions) == expected


@pytest.mark.parametrize("indexed", [False, True])
@pytest.mark.parametrize(("longer", "found"), [(9, True), (10, False)])
def test_only_the_ten_entries_sharing_most_grams_are_scored_as_msgmerge_does(
    monkeypatch: pytest.MonkeyPatch, longer: int, found: bool, indexed: bool
) -> None:
    if indexed:  # as after many questions
        monkeypatch.setattr(memory_module, "_SCANS", 0)
    query = "파드는 가장 작은 배포 단위이다."
    near = "파드는 가장 작은 배포 단위입니다."  # close, but shares fewer 4-grams
    # Each holds the whole query, so shares more of its 4-grams, but is too long to pass.
    far = [
        f"{query} 그리고 {number}번 노드에서 실행되는 컨테이너의 묶음이다."
        for number in range(longer)
    ]
    source = _po(*(polib.POEntry(msgid=msgid, msgstr="x") for msgid in [*far, near]))
    file = SnapshotFile("locales/en/a.po", Path("a.po"), "0" * 64)
    for memory in (
        Memory([("a.po", source)]),
        Snapshot([file], [], None, {"0" * 64: memory_record(source)}),
    ):
        suggestion = memory.close(None, query)
        assert (suggestion is not None and suggestion.entry.msgid == near) is found


@pytest.mark.parametrize("indexed", [False, True])
def test_of_equally_close_translations_the_earlier_one_is_offered(
    monkeypatch: pytest.MonkeyPatch, indexed: bool
) -> None:
    if indexed:  # as after many questions
        monkeypatch.setattr(memory_module, "_SCANS", 0)
    first, second = "파드는 배포 단위이다 a", "파드는 배포 단위이다 b"  # one byte from the query
    sources = [
        (f"locales/en/doc-{number}.po", _po(polib.POEntry(msgid=msgid, msgstr=f"Pod {number}")))
        for number, msgid in enumerate([first, second, first])
    ]
    memory = Memory(sources)
    for exclude, origin in [("", "doc-0"), ("locales/en/doc-0.po", "doc-1"), ("x", "doc-0")]:
        found = memory.close(None, "파드는 배포 단위이다 c", exclude=exclude)
        assert found is not None and found.origin == f"locales/en/{origin}.po"


@pytest.mark.parametrize("sources", [[], [("locales/en/empty.po", polib.POFile())]])
def test_an_empty_memory_finds_nothing(sources: list[tuple[str, polib.POFile]]) -> None:
    memory = Memory(sources)
    assert len(memory) == 0
    for msgid in ["파드는 가장 작은 배포 단위이다.", "파드"]:  # with 4-grams, and without
        assert memory.exact(None, msgid) is None
        assert memory.close(None, msgid) is None
        assert memory.close(None, msgid, exclude="locales/en/empty.po") is None
