"""Project files: atomic writes, flushed to disk only when the file cannot be made again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import workspace


@pytest.mark.parametrize(("durable", "syncs"), [(True, 1), (False, 0)])
def test_write_if_changed_syncs_only_durable_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool, syncs: int
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append(fd))
    path = tmp_path / "ko" / "파드.po"
    assert workspace.write_if_changed(path, "번역\n".encode(), durable=durable)
    assert not workspace.write_if_changed(path, "번역\n".encode(), durable=durable)
    assert path.read_text(encoding="utf-8") == "번역\n"
    assert len(calls) == syncs
    assert [p.name for p in path.parent.iterdir()] == ["파드.po"]  # no temporary file left
