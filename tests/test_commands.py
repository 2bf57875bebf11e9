"""Crash safety of the extract and build runs: SIGKILL at random points loses nothing."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import commands, pofile
from pipeline.config import Config
from tests.conftest import corpus_files
from tests.corpus_translations import pseudo

NOW = dt.datetime(2026, 11, 29, 6, 24, tzinfo=dt.UTC)
KILLS = 200
ADDED = "\n\n추가된 문단입니다. 강제 종료 시험용.\n"

#: Each file's complete contents after a finished run on sources "A" and on sources "B".
Versions = dict[Path, dict[str, bytes]]


def _small_documents(count: int) -> list[tuple[str, str]]:
    """``count`` short corpus documents (a few KB each), as (name, text)."""
    files = sorted(corpus_files(), key=lambda path: path.stat().st_size)
    chosen = [path for path in files if path.stat().st_size > 2500][:count]
    return [(f"{n}-{path.name}", path.read_text(encoding="utf-8")) for n, path in enumerate(chosen)]


def _write_sources(config: Config, documents: list[tuple[str, str]], state: str) -> None:
    for name, text in documents:
        (config.source_dir / name).write_text(text + (ADDED if state == "B" else ""), "utf-8")


def _snapshot(config: Config) -> dict[Path, bytes]:
    folders = (config.locales_dir, config.output_dir)
    return {
        path: path.read_bytes()
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in (".po", ".pot", ".md")
    }


def _seed_translations(config: Config) -> None:
    """Translate every third message of the English catalogs (pseudo-English)."""
    for path in (config.locales_dir / "en").rglob("*.po"):
        po = pofile.parse_po(path.read_text(encoding="utf-8"), path=str(path))
        for number, entry in enumerate(po):
            if number % 3 == 0:
                entry.msgstr = pseudo(entry.msgid)
        path.write_text(pofile.format_po(po), encoding="utf-8")


def _run(command: str, config: Config) -> None:
    if command == "extract":
        outcomes = list(commands.extract(config, now=NOW))
    else:
        outcomes = list(commands.build(config))
    assert all(outcome.status != "failed" for outcome in outcomes), outcomes


def _versions(config: Config, documents: list[tuple[str, str]]) -> Versions:
    """Every file's complete versions: after finished runs on state A and on state B."""
    _write_sources(config, documents, "A")
    _run("extract", config)
    _seed_translations(config)
    versions: Versions = {}
    for state in ("A", "B", "A"):
        _write_sources(config, documents, state)
        _run("extract", config)
        _run("build", config)
        for path, data in _snapshot(config).items():
            # Going back to A must give A's files again: every file has two versions.
            assert versions.setdefault(path, {}).setdefault(state, data) == data
    return versions


def _killed(command: str, config: Config, delay: float) -> bool:
    """Run ``command`` in a forked child and SIGKILL it after ``delay`` seconds.

    Returns whether the kill landed before the child finished; a child that finished
    must have succeeded.
    """
    child = os.fork()
    if child == 0:  # pragma: no cover (the child never returns to pytest)
        code = 0
        try:
            _run(command, config)
        except BaseException:
            code = 3
        os._exit(code)
    time.sleep(delay)
    os.kill(child, signal.SIGKILL)
    _, status = os.waitpid(child, 0)
    if os.WIFSIGNALED(status):
        return os.WTERMSIG(status) == signal.SIGKILL
    assert os.WEXITSTATUS(status) == 0, "a run that was not killed failed"
    return False


def _duration(run: Callable[[], None]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork to kill runs mid-way")
def test_sigkill_at_random_points_leaves_old_or_new_files_and_no_temporaries(
    tmp_path: Path,
) -> None:
    (tmp_path / "source").mkdir()
    config = Config(
        root=tmp_path,
        languages=("en", "ja"),
        source_dir=tmp_path / "source",
        locales_dir=tmp_path / "locales",
        output_dir=tmp_path / "output",
    )
    documents = _small_documents(6)
    versions = _versions(config, documents)
    durations = {
        command: _duration(lambda command=command: _run(command, config))
        for command in ("extract", "build")
    }
    rng = random.Random(20261129)
    kills = mixed = interrupted_writes = runs = 0
    state = "A"
    started = time.monotonic()
    while kills < KILLS and time.monotonic() - started < 50:
        state = "B" if state == "A" else "A"
        _write_sources(config, documents, state)
        command = rng.choice(["extract", "build"])
        runs += 1
        kills += _killed(command, config, rng.uniform(0, durations[command] * 1.2))
        snapshot = _snapshot(config)
        corrupted = [p for p, data in snapshot.items() if data not in versions[p].values()]
        assert corrupted == [], f"after {runs} runs: {corrupted[0]} is neither old nor new"
        assert set(snapshot) == set(versions), "a file vanished or appeared"
        states = {
            state
            for path, data in snapshot.items()
            for state, version in versions[path].items()
            if version == data and versions[path]["A"] != versions[path]["B"]
        }
        mixed += len(states) == 2  # some files from A's run, others from B's
        interrupted_writes += any(tmp_path.rglob("*.tmp"))
    assert kills >= KILLS, f"only {kills} kills in {runs} runs"
    # The kill points were really inside the runs: some left half the files updated.
    assert mixed > 0
    for command in ("extract", "build"):
        _run(command, config)
    assert list(tmp_path.rglob("*.tmp")) == []
    final = _snapshot(config)
    assert all(data == versions[path][state] for path, data in final.items())
    print(f"{kills} kills in {runs} runs, {mixed} left a mix, {interrupted_writes} mid-write")
