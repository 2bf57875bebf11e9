"""Extract and build runs: parallel runs match serial ones, the cache only saves time, and
SIGKILL at random points loses nothing (catalogs, outputs and cache)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import random
import shutil
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import polib
import pytest

from pipeline import catalog, commands, document, memory, pofile, runs, stamps, workspace
from pipeline.cache import CACHE_DIR, Cache
from pipeline.config import Config
from pipeline.workspace import exclusive
from tests.conftest import corpus_files
from tests.corpus_translations import hostile, pseudo
from tests.memory_reference import ReferenceMemory

NOW = dt.datetime(2026, 11, 29, 6, 24, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
BROKEN = "source/broken.md"
Runs = list[list[tuple]]


def _config(root: Path) -> Config:
    return Config(
        root=root,
        languages=("en", "ja"),
        source_dir=root / "source",
        locales_dir=root / "locales",
        output_dir=root / "output",
    )


def _project(root: Path) -> Config:
    """Every eighth corpus document (17 real ones) and a broken one, in English and Japanese."""
    for path in corpus_files()[::8]:
        target = root / "source" / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    (root / BROKEN).write_text("---\ntitle: [파드\n---\n", encoding="utf-8")
    return _config(root)


def _translate(config: Config) -> None:
    """Pseudo-translate English; give Japanese translations that break some documents."""
    break_blocks = hostile("1. ", new_line=True)
    for number, path in enumerate(sorted(config.locales_dir.glob("*/*/*.po"))):
        po = polib.pofile(str(path), wrapwidth=0)
        for entry in po:
            if "/en/" in path.as_posix():
                entry.msgstr = pseudo(entry.msgid)
            elif number % 3 == 0 and entry.msgctxt is None:
                entry.msgstr = break_blocks(entry.msgid)
        po.save(str(path))


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for folder in ("locales", "output")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }


def _report(outcomes: Iterable[commands.Outcome]) -> list[tuple]:
    """Everything the CLI prints from outcomes, in order."""
    return [
        (o.path, o.status, str(o.error), [str(p) for p in o.problems], o.translated)
        for o in outcomes
    ]


def _cycle(config: Config, *, jobs: int, cache: Cache | None) -> Runs:
    """Extract, translate, build, then extract and build again as a translator would."""
    runs = [_report(commands.extract(config, now=NOW, jobs=jobs, cache=cache))]
    _translate(config)
    runs.append(_report(commands.build(config, jobs=jobs, cache=cache)))
    runs.append(_report(commands.extract(config, now=LATER, jobs=jobs, cache=cache)))
    runs.append(_report(commands.build(config, jobs=jobs, cache=cache)))
    return runs


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Runs, dict[str, bytes]]:
    """The reference: one process, no cache."""
    config = _project(tmp_path_factory.mktemp("serial"))
    runs = _cycle(config, jobs=1, cache=None)
    return runs, _files(config.root)


@pytest.fixture(scope="module")
def cached(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Runs]:
    """A project taken through the cycle by two workers with a cache (copy before changing)."""
    config = _project(tmp_path_factory.mktemp("cached"))
    with Cache(config.root / CACHE_DIR) as cache:
        runs = _cycle(config, jobs=2, cache=cache)
    return config.root, runs


def _copy(root: Path, tmp_path: Path) -> Config:
    shutil.copytree(root, tmp_path / "project")
    return _config(tmp_path / "project")


def test_a_later_extract_without_changes_rewrites_nothing(tmp_path: Path) -> None:
    config = _project(tmp_path)
    _report(commands.extract(config, now=NOW, cache=None))
    _translate(config)
    _report(commands.extract(config, now=NOW, cache=None))  # the translator's files, tidied
    before = _files(config.root)
    for jobs in (1, 2):
        later = _report(commands.extract(config, now=LATER, jobs=jobs, cache=None))
        assert {status for _path, status, *_ in later} == {"unchanged", "failed"}
        assert _files(config.root) == before  # no date moved, in templates or catalogs


def test_the_reference_run_writes_refuses_and_fails(serial: tuple[Runs, dict]) -> None:
    runs, files = serial
    assert {outcome[1] for run in runs for outcome in run} == {"written", "unchanged", "failed"}
    assert sum(len(outcome[3]) for outcome in runs[1]) > 10  # refused translations
    assert sum(path.startswith("output/en/") for path in files) == 17


def test_two_workers_write_and_report_exactly_what_one_writes(
    serial: tuple[Runs, dict], tmp_path: Path
) -> None:
    config = _project(tmp_path)
    assert _cycle(config, jobs=2, cache=None) == serial[0]
    assert _files(tmp_path) == serial[1]


def test_the_cache_changes_no_file_and_no_message(
    serial: tuple[Runs, dict], cached: tuple[Path, Runs]
) -> None:
    root, runs = cached
    assert (root / CACHE_DIR / "records.sqlite3").is_file()
    assert runs == serial[0]
    assert _files(root) == serial[1]


def test_deleting_the_cache_changes_no_output(cached: tuple[Path, Runs], tmp_path: Path) -> None:
    config = _copy(cached[0], tmp_path)
    with Cache(config.root / CACHE_DIR) as cache:
        with_cache = [_report(commands.extract(config, now=LATER, cache=cache))]
        with_cache.append(_report(commands.build(config, cache=cache)))
    before = _files(config.root)
    shutil.rmtree(config.root / CACHE_DIR)
    with Cache(config.root / CACHE_DIR) as cache:
        without = [_report(commands.extract(config, now=LATER, cache=cache))]
        without.append(_report(commands.build(config, cache=cache)))
    assert without == with_cache
    assert _files(config.root) == before


def _damage(records: Path) -> int:
    """Give every record in the cache database a wrong shape; returns how many."""
    connection = sqlite3.connect(records)
    rows = connection.execute("SELECT kind, name, value FROM records").fetchall()
    for number, (kind, name, value) in enumerate(rows):
        if kind == "build":  # keep the right key, so only the shape check can save the run
            record = json.loads(value)
            for language in record["record"].values():
                language["problems"] = 5 if number % 2 else [["too", "few"]]
            record["record"]["xx"] = "not a record"
            record["stamps"] = {name: 5 if number % 2 else ["not"] for name in record["stamps"]}
            damaged = json.dumps(record)
        elif isinstance(value, bytes) and number % 3:  # a memory record, cut short
            damaged = value[: len(value) // 2]
        else:
            damaged = ["not", "a", "hash"] if number % 2 else "{half a json"
            damaged = json.dumps(damaged)
        connection.execute(
            "UPDATE records SET value = ? WHERE kind = ? AND name = ?", (damaged, kind, name)
        )
    connection.commit()
    connection.close()
    return len(rows)


def test_damaged_cache_records_are_ignored_not_trusted(
    cached: tuple[Path, Runs], tmp_path: Path
) -> None:
    config = _copy(cached[0], tmp_path / "damaged")
    fresh = _copy(cached[0], tmp_path / "fresh")
    assert _damage(config.root / CACHE_DIR / "records.sqlite3") > 30
    with Cache(config.root / CACHE_DIR) as cache:
        damaged = [_report(commands.extract(config, now=LATER, cache=cache))]
        damaged.append(_report(commands.build(config, cache=cache)))
    expected = [_report(commands.extract(fresh, now=LATER))]
    expected.append(_report(commands.build(fresh)))
    assert damaged == expected
    assert _files(config.root) == _files(fresh.root)


@pytest.mark.parametrize("folder", ["locales/ja", "output/ja"])
def test_the_cache_never_hides_an_error_a_fresh_run_reports(
    cached: tuple[Path, Runs], tmp_path: Path, folder: str
) -> None:
    """Nothing a record covers changed, but the folder now links outside the project."""
    config = _copy(cached[0], tmp_path)
    outside = tmp_path / "outside"
    shutil.move(config.root / folder, outside)
    (config.root / folder).symlink_to(outside, target_is_directory=True)
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    runs = []
    for cache in (Cache(config.root / CACHE_DIR), None):
        with cache or contextlib.nullcontext():
            runs.append(_report(commands.extract(config, now=LATER, cache=cache)))
            runs.append(_report(commands.build(config, cache=cache)))
    assert runs[:2] == runs[2:]
    failures = [o for run in runs[:2] for o in run if o[1] == "failed" and "/ja/" in o[0]]
    # Every document's Japanese catalog fails in extract and build; or its output in build.
    assert len(failures) == (34 if folder.startswith("locales") else 17)
    assert all("symbolic link leads outside" in o[2] for o in failures)
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == before


def _settled_cycle(root: Path) -> tuple[Config, Runs]:
    """A project taken through extract, translation, extract and build with a cache, in
    place: its files keep the stamps the runs made (a copy would not).

    The files a run writes in its last 0.1 s are not settled when it ends: a run
    without changes 0.1 s later reads and stamps them.
    """
    config = _project(root)
    with Cache(config.root / CACHE_DIR) as cache:
        _report(commands.extract(config, now=NOW, cache=cache))
        _translate(config)
        _report(commands.extract(config, now=NOW, cache=cache))
        _report(commands.build(config, cache=cache))
        time.sleep(stamps.WINDOW_NS / 1e9)
        runs = [_report(commands.extract(config, now=NOW, cache=cache))]
        runs.append(_report(commands.build(config, cache=cache)))
    return config, runs


def _rerun_reading(config: Config, monkeypatch: pytest.MonkeyPatch) -> tuple[Runs, list[str]]:
    """Extract and build again in this process; their reports, and every file they read."""
    read: list[str] = []
    original = workspace.read_with_status

    def spying(path: Path, **options: object) -> tuple[bytes | None, os.stat_result | None]:
        read.append(Path(path).relative_to(config.root).as_posix())
        return original(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(workspace, "read_with_status", spying)
    monkeypatch.setattr(runs, "read_with_status", spying)
    with Cache(config.root / CACHE_DIR) as cache:
        again = [_report(commands.extract(config, now=LATER, jobs=1, cache=cache))]
        again.append(_report(commands.build(config, jobs=1, cache=cache)))
    return again, read


def test_a_run_with_nothing_to_do_reads_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every document is replayed from its files' stamps, but the one that failed: an
    error is never cached, so it is read (and reported) again."""
    config, before = _settled_cycle(tmp_path)
    again, read = _rerun_reading(config, monkeypatch)
    assert BROKEN in read
    assert [path for path in read if Path(path).stem != "broken"] == []
    assert again == before  # all unchanged, the same problems reported


def test_where_stamps_cannot_be_trusted_every_file_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows: a creation time programs can set stands in for the change time."""
    monkeypatch.setattr(stamps, "RELIABLE", False)
    config, before = _settled_cycle(tmp_path)
    again, read = _rerun_reading(config, monkeypatch)
    assert again == before
    assert {path for path in read if path.startswith("source/")} == {
        path.relative_to(config.root).as_posix() for path in config.source_dir.rglob("*.md")
    }


@pytest.mark.parametrize("folder", ["locales/ja", "output/ja"])
def test_a_folder_swapped_for_a_link_outside_is_refused_though_its_files_are_stamped(
    tmp_path: Path, folder: str
) -> None:
    config, _ = _settled_cycle(tmp_path / "project")
    outside = tmp_path / "outside"
    shutil.move(config.root / folder, outside)  # a rename: the files keep their stamps
    (config.root / folder).symlink_to(outside, target_is_directory=True)
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    with Cache(config.root / CACHE_DIR) as cache:
        cached = [_report(commands.extract(config, now=LATER, cache=cache))]
        cached.append(_report(commands.build(config, cache=cache)))
    fresh = [_report(commands.extract(config, now=LATER))]
    fresh.append(_report(commands.build(config)))
    assert cached == fresh
    failures = [o for run in cached for o in run if o[1] == "failed" and "/ja/" in o[0]]
    assert len(failures) == (34 if folder.startswith("locales") else 17)
    assert all("symbolic link leads outside" in o[2] for o in failures)
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == before


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the documents parsed by in-process (``jobs=1``) runs."""
    seen: list[str] = []
    original = document.parse_document

    def counting(text: str, **options: object) -> document.Document:
        seen.append(str(options.get("path")))
        return original(text, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(runs, "parse_document", counting)  # where runs parse sources
    return seen


def test_a_second_run_parses_nothing(
    cached: tuple[Path, Runs], tmp_path: Path, parses: list[str]
) -> None:
    config = _copy(cached[0], tmp_path)  # elsewhere: the cache is not tied to the folder
    with Cache(config.root / CACHE_DIR) as cache:
        extract = _report(commands.extract(config, now=LATER, cache=cache))
        build = _report(commands.build(config, cache=cache))
    assert parses == [BROKEN, BROKEN]  # a failed document is never cached
    assert {o[1] for o in extract + build} == {"unchanged", "failed"}
    assert build == cached[1][3]  # the refused translations are reported again


def test_one_changed_file_redoes_only_its_outputs(
    cached: tuple[Path, Runs], tmp_path: Path, parses: list[str]
) -> None:
    config = _copy(cached[0], tmp_path)
    source = sorted(config.source_dir.glob("*/*.md"))[0]  # one source file changes
    source.write_text(source.read_text(encoding="utf-8") + "\n새 문단.\n", encoding="utf-8")
    catalog = sorted(config.locales_dir.glob("en/*/*.po"))[-1]  # one catalog changes
    po = polib.pofile(str(catalog), wrapwidth=0)
    po[0].msgstr = "Edited"
    po.save(str(catalog))
    with Cache(config.root / CACHE_DIR) as cache:
        extract = _report(commands.extract(config, now=LATER, cache=cache))
        build = _report(commands.build(config, cache=cache))
    x = source.relative_to(config.source_dir).with_suffix("").as_posix()
    y = catalog.relative_to(config.locales_dir / "en").with_suffix("").as_posix()
    assert sorted(set(parses)) == sorted({f"source/{x}.md", f"source/{y}.md", BROKEN})
    assert [o[0] for o in extract if o[1] == "written"] == [
        f"locales/templates/{x}.pot",
        f"locales/en/{x}.po",
        f"locales/ja/{x}.po",
        f"locales/en/{y}.po",  # polib's layout, rewritten in msgcat's
    ]
    assert [o[0] for o in build if o[1] == "written"] == [
        f"output/en/{x}.md",
        f"output/ja/{x}.md",
        f"output/en/{y}.md",
    ]


def test_a_changed_setting_or_tool_invalidates_the_cache(
    cached: tuple[Path, Runs],
    tmp_path: Path,
    parses: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = _copy(cached[0], tmp_path)
    with Cache(config.root / CACHE_DIR) as cache:
        renamed = dataclasses.replace(config, project="another name")
        _report(commands.extract(renamed, now=LATER, cache=cache))
        assert len(set(parses)) == 18
        parses.clear()
        monkeypatch.setattr(runs, "tool_fingerprint", lambda: "another version")
        _report(commands.build(config, cache=cache))
        assert len(set(parses)) == 18


def test_an_edited_or_deleted_output_is_rebuilt(cached: tuple[Path, Runs], tmp_path: Path) -> None:
    config = _copy(cached[0], tmp_path)
    edited, deleted = sorted((config.output_dir / "en").rglob("*.md"))[:2]
    expected = edited.read_bytes(), deleted.read_bytes()
    edited.write_bytes(b"edited by hand\n")
    deleted.unlink()
    with Cache(config.root / CACHE_DIR) as cache:
        build = _report(commands.build(config, cache=cache))
    assert (edited.read_bytes(), deleted.read_bytes()) == expected
    written = [o[0] for o in build if o[1] == "written"]
    assert written == sorted(p.relative_to(config.root).as_posix() for p in (edited, deleted))


def test_building_one_language_keeps_the_others_cached(
    cached: tuple[Path, Runs], tmp_path: Path, parses: list[str]
) -> None:
    config = _copy(cached[0], tmp_path)
    with Cache(config.root / CACHE_DIR) as cache:
        _report(commands.build(dataclasses.replace(config, languages=("en",)), cache=cache))
        _report(commands.build(config, cache=cache))
    assert parses == [BROKEN, BROKEN]


# --- crash safety: SIGKILL at random points ---------------------------------------------

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


def _finish(
    command: str, config: Config, *, jobs: int = 1, cached: bool = False
) -> list[commands.Outcome]:
    """Run ``command`` to the end (with the project's cache if ``cached``); no failure."""
    with Cache(config.root / CACHE_DIR) if cached else contextlib.nullcontext() as cache:
        if command == "extract":
            outcomes = list(commands.extract(config, now=NOW, jobs=jobs, cache=cache))
        else:
            outcomes = list(commands.build(config, jobs=jobs, cache=cache))
    assert all(outcome.status != "failed" for outcome in outcomes), outcomes
    return outcomes


def _versions(config: Config, documents: list[tuple[str, str]]) -> Versions:
    """Every file's complete versions: after finished runs on state A and on state B."""
    _write_sources(config, documents, "A")
    _finish("extract", config)
    _seed_translations(config)
    versions: Versions = {}
    for state in ("A", "B", "A"):
        _write_sources(config, documents, state)
        _finish("extract", config)
        _finish("build", config)
        for path, data in _snapshot(config).items():
            # Going back to A must give A's files again: every file has two versions.
            assert versions.setdefault(path, {}).setdefault(state, data) == data
    return versions


def _killed(command: str, config: Config, delay: float, *, jobs: int) -> bool:
    """Run ``command`` (with the cache, on ``jobs`` workers) in a forked child and
    SIGKILL it after ``delay`` seconds.

    Returns whether the kill landed before the child finished; a child that finished
    must have succeeded.  The child's workers die with it, and the locks are free.
    """
    child = os.fork()
    if child == 0:  # pragma: no cover (the child never returns to pytest)
        code = 0
        try:
            _finish(command, config, jobs=jobs, cached=True)
        except BaseException:
            code = 3
        os._exit(code)
    time.sleep(delay)
    os.kill(child, signal.SIGKILL)
    _, status = os.waitpid(child, 0)
    for folder in (config.locales_dir, config.output_dir):
        with exclusive(folder, display=folder.name):  # LockError if a worker still held it
            pass
    if os.WIFSIGNALED(status):
        return os.WTERMSIG(status) == signal.SIGKILL
    assert os.WEXITSTATUS(status) == 0, "a run that was not killed failed"
    return False


def _facts(outcome: commands.Outcome) -> tuple:
    """What a build reports about one output, besides whether it wrote it."""
    return (outcome.path, outcome.error, outcome.problems, outcome.translated, outcome.segments)


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
        (command, jobs): _duration(
            lambda command=command, jobs=jobs: _finish(command, config, jobs=jobs, cached=True)
        )
        for command in ("extract", "build")
        for jobs in (1, 2)
    }
    rng = random.Random(20261129)
    kills = mixed = interrupted_writes = runs = 0
    state = "A"
    started = time.monotonic()
    while kills < KILLS and time.monotonic() - started < 50:
        state = "B" if state == "A" else "A"
        _write_sources(config, documents, state)
        command, jobs = rng.choice(["extract", "build"]), rng.choice([1, 2])
        runs += 1
        # A forked child takes a little longer than the measured run: most kills land.
        delay = rng.uniform(0, durations[command, jobs])
        kills += _killed(command, config, delay, jobs=jobs)
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
    # The next runs, with the cache the killed runs left, finish and give the right files,
    # and a cached build reports what a build without the cache reports.
    for command in ("extract", "build"):
        _finish(command, config, jobs=2, cached=True)
    assert list(tmp_path.rglob("*.tmp")) == []
    final = _snapshot(config)
    assert all(data == versions[path][state] for path, data in final.items())
    replayed = _finish("build", config, jobs=2, cached=True)
    assert {o.status for o in replayed} == {"unchanged"}
    assert [_facts(o) for o in replayed] == [_facts(o) for o in _finish("build", config)]
    print(f"{kills} kills in {runs} runs, {mixed} left a mix, {interrupted_writes} mid-write")


def _template_of(config: Config, source: Path) -> Path:
    return (config.locales_dir / "templates" / source.relative_to(config.source_dir)).with_suffix(
        ".pot"
    )


def _with_a_near_copy(root: Path, tmp_path: Path, name: str) -> Config:
    """A copy of the project with a new document: an existing one, one paragraph edited."""
    config = _copy(root, tmp_path / name)
    original, text, paragraph = next(
        (path, text, entry.msgid)
        for path in sorted(config.source_dir.glob("*/*.md"))
        if (text := path.read_text(encoding="utf-8"))
        for entry in polib.pofile(str(_template_of(config, path)))
        if entry.msgid.endswith("다.") and entry.msgid in text
    )
    text = text.replace(paragraph, paragraph + " 새 문장입니다.", 1)
    (config.source_dir / "new").mkdir()
    (config.source_dir / "new" / original.name).write_text(text, encoding="utf-8")
    return config


def test_the_memory_read_back_from_the_cache_is_the_memory_the_catalogs_give(
    cached: tuple[Path, Runs], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = _with_a_near_copy(cached[0], tmp_path, "reference")
    expected = _report(commands.extract(reference, now=LATER, jobs=1, cache=None))
    parsed: list[str] = []
    original = memory.decode_catalog

    def parsing(data: bytes | None, *, display: str) -> polib.POFile | None:
        parsed.append(display)
        return original(data, display=display)

    monkeypatch.setattr(memory, "decode_catalog", parsing)
    for jobs in (1, 2):
        config = _with_a_near_copy(cached[0], tmp_path, f"cached-{jobs}")
        with Cache(config.root / CACHE_DIR) as cache:
            assert _report(commands.extract(config, now=LATER, jobs=jobs, cache=cache)) == expected
        assert _files(config.root) == _files(reference.root)
    # Every catalog's entries came back from the cache: none was parsed for the memory.
    assert parsed == []
    new = next((config.locales_dir / "en" / "new").glob("*.po"))
    comments = [entry.tcomment for entry in polib.pofile(str(new))]
    assert any(c.startswith("translation memory:") for c in comments)
    assert any("fuzzy" in entry.flags for entry in polib.pofile(str(new)))


def test_the_memory_is_read_only_when_a_catalog_has_a_new_message(
    cached: tuple[Path, Runs], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []  # passes over the memory's entries
    original = memory.Snapshot._search

    def counting(self: memory.Snapshot, questions: list[memory.Question], few: int) -> object:
        made.append(len(questions))
        return original(self, questions, few)

    monkeypatch.setattr(memory.Snapshot, "_search", counting)
    config = _copy(cached[0], tmp_path / "edited")
    _translate(config)  # every catalog changes, no message is new
    with Cache(config.root / CACHE_DIR) as cache:
        assert {o[1] for o in _report(commands.extract(config, now=LATER, cache=cache))} >= {
            "written"
        }
    assert made == []
    config = _with_a_near_copy(cached[0], tmp_path, "new")
    _report(commands.extract(config, now=LATER, cache=None))
    # The new document's messages are looked up: one pass per language answers them all,
    # and the second pass asks nothing the first did not.
    assert len(made) == len(config.languages) and all(made)


def test_the_memory_has_the_catalogs_a_run_rewrites_as_they_were_before(
    cached: tuple[Path, Runs], tmp_path: Path
) -> None:
    """A catalog the run rewrites (here: saved by another tool) still lends its entries to
    a new document, from the cache or, without one, from what the run kept."""
    results = {}
    for cached_run in (False, True):
        config = _with_a_near_copy(cached[0], tmp_path, f"cache-{cached_run}")
        _translate(config)  # every English catalog is saved by polib: extract rewrites it
        with Cache(config.root / CACHE_DIR) as cache:
            used = cache if cached_run else None
            report = _report(commands.extract(config, now=LATER, cache=used))
        written = {path for path, status, *_ in report if status == "written"}
        new = next((config.locales_dir / "en" / "new").glob("*.po"))
        lent = [
            entry
            for entry in polib.pofile(str(new))
            if entry.tcomment.startswith("translation memory: ") and "fuzzy" not in entry.flags
        ]
        assert len(lent) >= 3
        # The lender is the document the new one copies, and this run rewrote its catalog.
        assert {entry.tcomment.removeprefix("translation memory: ") for entry in lent} <= written
        assert all(entry.msgstr == pseudo(entry.msgid) for entry in lent)
        results[cached_run] = _files(config.root)
    assert results[True] == results[False]


def _with_new_endings(config: Config, count: int) -> list[Path]:
    """Add ``count`` new documents: those with most sentences, their endings changed
    (``다.`` to ``습니다.``), so that most of their messages are close to the originals'."""
    texts = {path: path.read_text(encoding="utf-8") for path in config.source_dir.glob("*/*.md")}
    originals = sorted(sorted(texts), key=lambda path: texts[path].count("다."), reverse=True)
    targets = []
    for original in originals[:count]:
        targets.append(config.source_dir / "new" / f"endings-{original.name}")
        targets[-1].parent.mkdir(exist_ok=True)
        targets[-1].write_text(texts[original].replace("다.", "습니다."), encoding="utf-8")
    return targets


def _entries(po: polib.POFile) -> list[tuple[object, ...]]:
    return [
        (e.msgctxt, e.msgid, e.msgstr, e.flags, e.tcomment, e.previous_msgid, e.previous_msgctxt)
        for e in po
    ]


@pytest.mark.parametrize(("jobs", "count"), [(1, 1), (2, 9)])  # 10 documents: on workers
def test_new_messages_are_filled_as_one_fuzzy_index_over_the_catalogs_before_would(
    cached: tuple[Path, Runs], tmp_path: Path, jobs: int, count: int
) -> None:
    """The memory as it was first written (every reviewed entry of the language's other
    catalogs before the run, in document order, in one list and one FuzzyIndex) gives
    the new documents' catalogs, byte for byte in their entries."""
    config = _with_a_near_copy(cached[0], tmp_path, "run")
    new = [*config.source_dir.glob("new/*.md"), *_with_new_endings(config, count)]
    before = {
        code: [
            (runs.display_path(config, path), polib.pofile(str(path), wrapwidth=0))
            for rel in workspace.scan_sources(config.source_dir).documents
            if (path := runs.catalog_path(config, code, rel)).exists()
        ]
        for code in config.languages
    }
    with Cache(config.root / CACHE_DIR) as cache:
        _report(commands.extract(config, now=LATER, jobs=jobs, cache=cache))
    lent = Counter[str]()
    for source in new:
        rel = source.relative_to(config.source_dir)
        pot = polib.pofile(str(_template_of(config, source)), wrapwidth=0)
        for code in config.languages:
            path = runs.catalog_path(config, code, rel)
            expected = catalog.update(
                pot,
                None,
                language=catalog.language_info(code),
                now=LATER,
                memory=ReferenceMemory(before[code]),
                origin=runs.display_path(config, path),
            )
            written = polib.pofile(str(path), wrapwidth=0)
            assert _entries(written) == _entries(expected)
            lent.update(
                "close" if "fuzzy" in entry.flags else "exact"
                for entry in written
                if entry.tcomment.startswith(catalog.MEMORY_NOTE)
            )
    assert lent["exact"] > 20 and lent["close"] > 20  # both kinds were asked, and answered


def test_the_memory_names_each_catalog_as_the_task_that_read_it(tmp_path: Path) -> None:
    """The first pass keeps each catalog's document and hash only; the memory makes its
    name and path again, and they must be the task's: the name is what ``exclude``
    compares, so a catalog is never offered its own entries."""
    from pipeline import extract_run

    config = _project(tmp_path)
    list(commands.extract(config, now=NOW))
    layout = runs.layout(config)
    rels = sorted(p.relative_to(config.source_dir) for p in config.source_dir.rglob("*.md"))
    for code in config.languages:
        found = [
            extract_run._Found(code, rel.as_posix(), "0" * 64)
            for rel in rels
            if layout.catalog(code, rel).is_file()
        ]
        files = extract_run._Snapshotted(config, code, found)
        assert len(files) == len(found) > 10
        expected = [runs.display_path(config, layout.catalog(code, Path(f.rel))) for f in found]
        assert [file.origin for file in files[:]] == expected
        assert files[3].origin == expected[3] and Path(files[3].path).is_file()
