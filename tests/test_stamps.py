"""Stamps vouch for a file's hash only while its stat is unchanged, and only once settled;
:class:`pipeline.runs.Files` reads through them."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import runs, stamps
from pipeline.cache import digest
from pipeline.config import Config
from pipeline.stamps import COARSE_WINDOW_NS, WINDOW_NS, Stamp

SECOND = 1_000_000_000
NOW = 1_790_000_000 * SECOND + 123_456_789  # an instant in 2026, not on a whole second


def _status(**changes: int) -> SimpleNamespace:
    """What ``stat`` says of a file last changed 10 s before :data:`NOW`."""
    fields = {
        "st_size": 1234,
        "st_mtime_ns": NOW - 10 * SECOND,
        "st_ctime_ns": NOW - 10 * SECOND,
        "st_ino": 42,
        "st_dev": 7,
    }
    return SimpleNamespace(**{**fields, **changes})


def test_a_file_is_settled_a_window_after_its_last_change() -> None:
    assert stamps.settled(_status(), NOW)
    assert not stamps.settled(_status(st_mtime_ns=NOW - WINDOW_NS // 2), NOW)
    # A change of metadata (rename over it, chmod, a new hard link) counts too.
    assert not stamps.settled(_status(st_ctime_ns=NOW - WINDOW_NS // 2), NOW)
    assert stamps.settled(
        _status(st_mtime_ns=NOW - 2 * WINDOW_NS, st_ctime_ns=NOW - 2 * WINDOW_NS), NOW
    )


def test_whole_second_timestamps_get_the_coarse_window() -> None:
    whole = (NOW // SECOND - 1) * SECOND  # between 1 and 2 s ago, on a whole second
    assert not stamps.settled(_status(st_mtime_ns=whole, st_ctime_ns=whole), NOW)
    older = whole - COARSE_WINDOW_NS
    assert stamps.settled(_status(st_mtime_ns=older, st_ctime_ns=older), NOW)


@pytest.mark.parametrize("field", ["st_size", "st_mtime_ns", "st_ctime_ns", "st_ino", "st_dev"])
def test_a_stamp_vouches_only_for_the_same_stat(field: str) -> None:
    stamp = stamps.stamp(_status(), "hash")
    assert stamps.vouches(stamp, _status())
    assert not stamps.vouches(stamp, _status(**{field: getattr(_status(), field) + 1}))


def test_damaged_stamps_are_not_stamps() -> None:
    good = [1234, 1, 2, 3, 4, "hash"]
    assert Stamp.load(good) == Stamp(1234, 1, 2, 3, 4, "hash")
    damaged = [
        good[:5],
        ["1234", 1, 2, 3, 4, "hash"],
        [True, 1, 2, 3, 4, "hash"],
        [1234, 1, 2, 3, 4, 5],
        {"size": 1},
        None,
    ]
    assert [Stamp.load(value) for value in damaged] == [None] * len(damaged)


def test_a_damaged_stamp_vouches_for_nothing(tmp_path: Path) -> None:
    config = _config(tmp_path)
    path = tmp_path / "a.md"
    path.write_text("가\n", encoding="utf-8")
    status = path.stat()
    damaged = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, "x", "h"]
    with pytest.raises(runs.Unread):
        _read(runs.Files({"a.md": damaged}, express=True), config, path)
    assert _read(runs.Files({"a.md": damaged}), config, path).hash == digest("가\n".encode())


def _config(root: Path) -> Config:
    return Config(root=root, source_dir=root / "source")


def _read(files: runs.Files, config: Config, path: Path) -> runs.Input:
    return files.read(config, lambda: path, lambda: path)


def test_files_stamp_a_settled_file_and_read_through_the_stamp_until_it_changes(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path)
    path = tmp_path / "source" / "개요.md"
    path.parent.mkdir()
    path.write_text("# 개요\n\n쿠버네티스는 컨테이너를 관리한다.\n", encoding="utf-8")
    time.sleep(2 * WINDOW_NS / SECOND)  # let it settle
    full = runs.Files({})
    read = _read(full, config, path)
    assert read.data == path.read_bytes() and full.unsettled == []
    assert full.stamps["source/개요.md"].hash == read.hash == digest(path.read_bytes())

    express = runs.Files(full.stamps, express=True)
    vouched = _read(express, config, path)
    assert (vouched.hash, vouched.unread) == (read.hash, True)
    with pytest.raises(runs.Unread):
        vouched.data  # noqa: B018 - the bytes were never read

    # Same size, and the modification time put back: the change time still differs.
    status = path.stat()
    path.write_text("# 개요\n\n쿠버네티스는 컨테이너를 운영한다.\n", encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size
    with pytest.raises(runs.Unread):
        _read(runs.Files(full.stamps, express=True), config, path)


def test_a_file_changed_within_the_window_is_read_and_stamped_later(tmp_path: Path) -> None:
    config = _config(tmp_path)
    path = tmp_path / "new.md"
    path.write_text("# 새 문서\n", encoding="utf-8")
    files = runs.Files({})
    assert _read(files, config, path).data == "# 새 문서\n".encode()
    assert files.stamps == {}
    assert files.unsettled == [("new.md", os.fspath(path))]


def test_a_missing_file_is_never_vouched_for(tmp_path: Path) -> None:
    config = _config(tmp_path)
    gone = Stamp(10, 1, 2, 3, 4, "hash")
    read = _read(runs.Files({"gone.md": gone}), config, tmp_path / "gone.md")
    assert (read.data, read.hash) == (None, None)
    with pytest.raises(runs.Unread):
        _read(runs.Files({"gone.md": gone}, express=True), config, tmp_path / "gone.md")


def test_without_a_cache_nothing_is_stamped(tmp_path: Path) -> None:
    config = _config(tmp_path)
    path = tmp_path / "a.md"
    path.write_text("가\n", encoding="utf-8")
    files = runs.Files({}, stamping=False)
    _read(files, config, path)
    files.wrote("a.md", path)
    assert (files.stamps, files.unsettled) == ({}, [])


def test_a_record_is_stored_without_its_damaged_stamps() -> None:
    good = Stamp(10, 1, 2, 3, 4, "hash")
    stored = runs._stored({"key": "k"}, {"a.md": good, "b.md": 5, "c.md": ["not"]})
    assert stored == {"record": {"key": "k"}, "stamps": {"a.md": list(good)}}
    assert runs._stored(None, {"a.md": good}) is None  # no record, nothing kept
