"""The cache store: records persist, vanish on request, and a broken cache is only skipped."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from pipeline import cache as cache_module
from pipeline import commands
from pipeline.cache import CACHE_DIR, Cache, digest, tool_fingerprint
from pipeline.config import Config
from pipeline.memory import RECORD_KIND
from tests.conftest import REPO


def test_records_persist_between_runs(tmp_path: Path) -> None:
    with Cache(tmp_path / CACHE_DIR) as cache:
        cache.put("build", "docs/파드.md", {"en": {"key": "k", "problems": [["a", 1, "c", "m"]]}})
        cache.put("extract", "docs/파드.md", "abc")
    with Cache(tmp_path / CACHE_DIR) as cache:
        assert cache.get("build", "docs/파드.md") == {
            "en": {"key": "k", "problems": [["a", 1, "c", "m"]]}
        }
        assert cache.get("extract", "docs/파드.md") == "abc"
        assert cache.get("extract", "docs/없음.md") is None
    assert (tmp_path / CACHE_DIR / ".gitignore").read_text() == "*\n"


def test_none_forgets_a_record_and_keep_only_forgets_deleted_sources(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        for name in ("a.md", "b.md", "c.md"):
            cache.put("extract", name, name)
            cache.put("build", name, name)
        cache.put("extract", "a.md", None)
        cache.keep_only("extract", ["a.md", "b.md"])
        assert [cache.get("extract", n) for n in ("a.md", "b.md", "c.md")] == [None, "b.md", None]
        assert [cache.get("build", n) for n in ("a.md", "b.md", "c.md")] == ["a.md", "b.md", "c.md"]


def test_add_keeps_a_record_already_there(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        cache.add("memory", "h1", b"first")
        cache.add("memory", "h1", b"second")
        cache.add("memory", "h2", ["json"])
        assert (cache.get("memory", "h1"), cache.get("memory", "h2")) == (b"first", ["json"])


def test_keep_noted_forgets_the_records_no_note_named(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        for name in ("h1", "h2", "h3"):
            cache.put("memory", name, b"x")
        cache.put("extract", "a.md", "kept: another kind")
        cache.note("memory", ["h1"])
        cache.note("memory", iter(["h3", "h1"]))
        cache.keep_noted("memory")
        found = [cache.get("memory", n) for n in ("h1", "h2", "h3")]
        assert found == [b"x", None, b"x"]
        assert cache.get("extract", "a.md") == "kept: another kind"
        cache.keep_noted("extract")  # nothing noted of any kind here: all go
        assert cache.get("extract", "a.md") is None


def test_notes_lost_with_their_connection_forget_nothing(tmp_path: Path) -> None:
    """Notes live in a temporary table: once the database was closed, keep_noted does
    nothing rather than forget records that are in use."""
    cache = Cache(tmp_path)
    cache.put("memory", "h1", b"x")
    cache.put("memory", "h2", b"y")
    cache.note("memory", ["h1"])
    cache.close()
    cache.keep_noted("memory")
    assert (cache.get("memory", "h1"), cache.get("memory", "h2")) == (b"x", b"y")
    cache.close()


def test_an_extract_keeps_only_the_memory_records_of_the_catalogs_there(tmp_path: Path) -> None:
    """A catalog's memory record is named by its bytes' hash: once a translator changed
    the catalog and a run read it, the record of the old bytes is forgotten."""
    (tmp_path / "source").mkdir()
    for name in ("a", "b"):
        (tmp_path / "source" / f"{name}.md").write_text(f"# {name} 문서\n\n본문이다.\n", "utf-8")
    config = Config(
        root=tmp_path,
        languages=("en",),
        source_dir=tmp_path / "source",
        locales_dir=tmp_path / "locales",
        output_dir=tmp_path / "output",
    )
    now = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)

    def extract_and_list_records() -> set[str]:
        with Cache(tmp_path / CACHE_DIR) as cache:
            list(commands.extract(config, now=now, cache=cache))
        with sqlite3.connect(tmp_path / CACHE_DIR / "records.sqlite3") as connection:
            rows = connection.execute("SELECT name FROM records WHERE kind = ?", (RECORD_KIND,))
            return {name for (name,) in rows}

    def catalog_hashes() -> set[str]:
        return {digest(p.read_bytes()) for p in (tmp_path / "locales" / "en").glob("*.po")}

    assert extract_and_list_records() == catalog_hashes()
    path = tmp_path / "locales" / "en" / "a.po"
    po = polib.pofile(str(path))
    po.find("본문이다.").msgstr = "The body."
    po.save()
    assert extract_and_list_records() == catalog_hashes()
    assert len(catalog_hashes()) == 2


def test_a_corrupt_cache_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "records.sqlite3").write_bytes(b"not a database, just junk " * 100)
    with Cache(tmp_path) as cache:
        assert cache.get("extract", "a.md") is None
        cache.put("extract", "a.md", "abc")
    with Cache(tmp_path) as cache:
        assert cache.get("extract", "a.md") == "abc"


def test_an_unusable_cache_folder_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING), Cache(blocker / CACHE_DIR) as cache:
        cache.put("extract", "a.md", "abc")
        assert cache.get("extract", "a.md") is None
    assert "not used this run" in caplog.text


def test_digest_keeps_parts_apart() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert len({digest(None), digest(b""), digest(""), digest()}) == 4
    assert digest("파드", b"x") == digest("파드", b"x")


def test_tool_fingerprint_is_stable_within_a_process() -> None:
    assert tool_fingerprint() == tool_fingerprint()


def test_tool_fingerprint_is_the_same_in_a_process_that_imported_no_library() -> None:
    """The CLI computes it before (or without) loading markdown-it-py, PyYAML, polib and
    Babel; a test process has them all loaded.  Both must agree, or the cache would miss."""
    done = subprocess.run(
        [sys.executable, "-c", "from pipeline.cache import tool_fingerprint as f; print(f())"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    )
    assert done.stdout.strip() == tool_fingerprint()


@pytest.mark.parametrize("name", cache_module._LIBRARIES)
def test_the_fingerprint_reads_where_each_library_declares_its_version(name: str) -> None:
    """The fingerprint hashes a file of each library without importing it: that file must
    be where the version is written, or an upgrade would keep stale cache records."""
    version = importlib.import_module(name).__version__
    assert version.encode() in cache_module._library_identity(name)


def test_another_version_of_a_library_changes_the_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polib

    installed = Path(polib.__file__).read_bytes()
    (tmp_path / "polib.py").write_bytes(installed.replace(polib.__version__.encode(), b"99.0.0"))
    before = tool_fingerprint()
    monkeypatch.delitem(sys.modules, "polib")  # so the import system looks again
    monkeypatch.syspath_prepend(str(tmp_path))
    assert tool_fingerprint() != before


def test_the_fingerprint_knows_whether_pyyaml_has_libyaml() -> None:
    import yaml

    assert cache_module._has_libyaml() == yaml.__with_libyaml__


def test_get_many_reads_the_records_asked_for_in_batches(tmp_path: Path) -> None:
    names = [f"{number:040x}" for number in range(700)]  # more than one query's worth
    with Cache(tmp_path) as cache:
        for number, name in enumerate(names):
            cache.put("memory", name, [[None, f"문장 {number}", f"sentence {number}"]])
        cache.put("extract", names[0], "another kind")
    with Cache(tmp_path) as cache:
        found = cache.get_many("memory", [*names[::2], "missing", names[0]])
    assert list(found) == names[::2]
    assert found[names[4]] == [[None, "문장 4", "sentence 4"]]


def test_bytes_are_kept_as_they_are_and_json_values_as_json(tmp_path: Path) -> None:
    record = "파드\x00pod\n".encode() + bytes(range(256))  # not UTF-8, not JSON
    with Cache(tmp_path) as cache:
        cache.put("memory", "a", record)
        cache.put("memory", "b", ["파드", None])
        cache.put("memory", "c", "text, not bytes")
    with Cache(tmp_path) as cache:
        assert cache.get("memory", "a") == record
        assert cache.get_many("memory", ["a", "b", "c"]) == {
            "a": record,
            "b": ["파드", None],
            "c": "text, not bytes",
        }


def test_a_cache_of_an_older_schema_is_emptied(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        cache.put("extract", "a.md", "abc")
    connection = sqlite3.connect(tmp_path / "records.sqlite3")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    with Cache(tmp_path) as cache:
        assert cache.get("extract", "a.md") is None
