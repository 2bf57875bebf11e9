"""The translation memory: what it offers, and where a snapshot's entries come from."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

from pipeline.cache import Cache, digest
from pipeline.memory import RECORD_KIND, Snapshot, SnapshotFile, memory_record

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


def test_memory_records_keep_only_reviewed_translations() -> None:
    assert memory_record(polib.pofile(CATALOG)) == [
        [None, "파드는 가장 작은 배포 단위이다.", "A pod is the smallest unit of deployment."]
    ]


def test_a_snapshot_reads_recorded_entries_from_the_cache_not_the_file(tmp_path: Path) -> None:
    file = _snapshot_file(tmp_path)
    with Cache(tmp_path / "cache") as cache:
        cache.put(
            RECORD_KIND, file.hash, [[None, "파드는 가장 작은 배포 단위이다.", "From the cache."]]
        )
    found = Snapshot([file], [], tmp_path / "cache").exact(None, "파드는 가장 작은 배포 단위이다.")
    assert found is not None and found.entry.msgstr == "From the cache."
    assert found.origin == "locales/en/pods.po" and found.exact


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
    file = _snapshot_file(tmp_path)
    with Cache(tmp_path / "cache") as cache:
        cache.put(RECORD_KIND, file.hash, damaged)
    found = Snapshot([file], [], tmp_path / "cache").exact(None, "파드는 가장 작은 배포 단위이다.")
    assert found is not None and found.entry.msgstr == "A pod is the smallest unit of deployment."


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
