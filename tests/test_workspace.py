"""Files: paths stay inside the project, links are not followed, runs lock and clean up;
atomic writes, flushed to disk only when the file cannot be made again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline import pofile, workspace
from pipeline.cli import main
from pipeline.errors import LockError, PathError
from pipeline.workspace import (
    WRITING_NAME,
    Layout,
    exclusive,
    remove_stale_temporaries,
    scan_sources,
)
from tests.conftest import REPO, corpus_files

GOOD = "# 파드\n\n파드는 가장 작은 단위이다.\n"
SECRET = "# 비밀\n\n프로젝트 밖의 문서.\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "source").mkdir(parents=True)
    (root / "source" / "good.md").write_text(GOOD, encoding="utf-8")
    (root / "l10n.toml").write_text('[languages]\ntargets = ["en"]\n', encoding="utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_text(SECRET, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


# --------------------------------------------------------------------------- links


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_symbolic_links_in_the_sources_are_reported_not_followed(project: Path, kind: str) -> None:
    outside = project.parent / "outside"
    link = project / "source" / ("secret.md" if kind == "file" else "shared")
    link.symlink_to(outside / "secret.md" if kind == "file" else outside)
    before = _tree(outside)
    for command in ("extract", "build", "check"):
        result = _run(command)
        assert result.exit_code == 0, result.output
        name = link.name
        assert f"skipped: source/{name}: symbolic link not followed (it points to " in result.output
        assert "1 skipped" in result.output or command == "check"
    assert _tree(outside) == before
    everything = "\n".join(p.as_posix() for p in project.rglob("*"))
    assert "secret" not in everything.replace(f"source/{link.name}", "")
    assert (project / "output/en/good.md").read_text(encoding="utf-8") == GOOD


def test_scan_lists_documents_and_links_separately(tmp_path: Path) -> None:
    (tmp_path / "가").mkdir()
    (tmp_path / "가" / "나.md").write_text("# 나\n", encoding="utf-8")
    (tmp_path / "note.txt").write_text("x", encoding="utf-8")
    (tmp_path / "link.md").symlink_to(tmp_path / "가" / "나.md")
    (tmp_path / "folder").symlink_to(tmp_path / "가")
    tree = scan_sources(tmp_path)
    assert tree.documents == [Path("가/나.md")]
    assert tree.links == [Path("folder"), Path("link.md")]


def test_a_catalog_linked_outside_is_neither_read_nor_written(project: Path) -> None:
    outside = project.parent / "outside" / "stolen.po"
    outside.write_text('msgid "파드"\nmsgstr "EVIL"\n', encoding="utf-8")
    (project / "locales/en").mkdir(parents=True)
    (project / "locales/en/good.po").symlink_to(outside)
    for command in ("extract", "build"):
        result = _run(command)
        assert result.exit_code == 1
        assert "error: locales/en/good.po: a symbolic link leads outside" in result.output
    assert outside.read_text(encoding="utf-8") == 'msgid "파드"\nmsgstr "EVIL"\n'
    assert not (project / "output/en/good.md").exists()


def test_an_output_folder_linked_outside_is_not_written_through(project: Path) -> None:
    (project / "output").mkdir()
    (project / "output" / "en").symlink_to(project.parent / "outside")
    before = _tree(project.parent / "outside")
    result = _run("build")
    assert result.exit_code == 1
    assert "error: output/en/good.md: a symbolic link leads outside" in result.output
    assert _tree(project.parent / "outside") == before


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    ("language", "rel"),
    [
        ("..", Path("doc.md")),
        ("../en", Path("doc.md")),
        ("en/../..", Path("doc.md")),
        ("/tmp", Path("doc.md")),
        ("", Path("doc.md")),
        ("en", Path("../doc.md")),
        ("en", Path("a/../../doc.md")),
        ("en", Path("/etc/doc.md")),
    ],
)
def test_layout_never_builds_a_path_outside_its_folder(
    tmp_path: Path, language: str, rel: Path
) -> None:
    layout = Layout(tmp_path / "source", tmp_path / "locales", tmp_path / "output")
    with pytest.raises(PathError):
        layout.catalog(language, rel)
    with pytest.raises(PathError):
        layout.output(language, rel)
    if language == "en":
        with pytest.raises(PathError):
            layout.template(rel)
        with pytest.raises(PathError):
            layout.source(rel)


def test_odd_but_safe_file_names_stay_inside(project: Path) -> None:
    for name in ("..md", "a..b.md", "...md", "-rf.md", " 공백.md"):
        (project / "source" / name).write_text("# 제목\n", encoding="utf-8")
    assert _run("extract").exit_code == 0
    assert _run("build").exit_code == 0
    assert (project / "locales/en/..po").is_file()
    assert (project / "output/en/..md").read_text(encoding="utf-8") == "# 제목\n"
    assert sorted(p.name for p in project.parent.iterdir()) == ["outside", "project"]


@pytest.mark.parametrize(
    "options",
    [["--output", "source"], ["--output", "source/sub"], ["--source", "en", "--output", "."]],
    ids=["equal", "inside", "around"],
)
def test_output_never_overwrites_the_sources(project: Path, options: list[str]) -> None:
    (project / "en").mkdir()
    (project / "en" / "good.md").write_text(GOOD, encoding="utf-8")
    sources = _tree(project / "source"), _tree(project / "en")
    result = _run("build", *options)
    assert result.exit_code == 1
    assert "overlaps the source folder" in result.output and "hint:" in result.output
    assert (_tree(project / "source"), _tree(project / "en")) == sources


# --------------------------------------------------------------------------- lock


def test_a_held_lock_stops_a_second_run_with_a_clear_message(project: Path) -> None:
    assert _run("extract").exit_code == 0
    catalogs = _tree(project / "locales")
    (project / "source" / "new.md").write_text("# 새 문서\n", encoding="utf-8")
    with exclusive(project / "locales", display="locales"):
        result = _run("extract")
    assert result.exit_code == 1
    assert "Error: locales/.l10n.lock: another l10n run is writing to locales" in result.output
    assert "hint: wait for it to finish" in result.output
    assert _tree(project / "locales") == catalogs
    assert _run("extract").exit_code == 0  # released when the holder is done


def test_the_lock_is_not_reentrant_within_a_process(tmp_path: Path) -> None:
    with (
        exclusive(tmp_path, display="x"),
        pytest.raises(LockError),
        exclusive(tmp_path, display="x"),
    ):
        pass


def test_two_concurrent_extract_processes_do_not_corrupt_catalogs(tmp_path: Path) -> None:
    """A real race, made certain: the first process is paused while it holds the lock."""
    (tmp_path / "source").mkdir()
    for number, path in enumerate(corpus_files()[:12]):
        (tmp_path / "source" / f"{number:02}-{path.name}").write_bytes(path.read_bytes())
    command = [sys.executable, "-m", "pipeline", "extract", "-l", "en", "-l", "ja"]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.Popen(
        command, cwd=tmp_path, env=environment, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 30
    while not (tmp_path / "locales" / "templates").exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    first.send_signal(signal.SIGSTOP)
    try:
        second = subprocess.run(
            command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60
        )
    finally:
        first.send_signal(signal.SIGCONT)
    assert first.wait(timeout=60) == 0
    assert second.returncode == 1
    assert "another l10n run is writing to locales" in second.stderr
    catalogs = sorted((tmp_path / "locales").rglob("*.po"))
    assert len(catalogs) == 24
    for catalog in catalogs:
        assert len(pofile.parse_po(catalog.read_text(encoding="utf-8"), path=str(catalog))) > 0
    assert not list((tmp_path / "locales").rglob("*.tmp"))


# --------------------------------------------------------------------------- temporary files


def test_the_next_run_removes_what_a_killed_run_left(project: Path) -> None:
    _run("extract")
    _run("build")
    stale = [
        project / "locales/en/.good.po.k3j_9x0a.tmp",
        project / "locales/templates/.good.pot.abcdefgh.tmp",
        project / "output/en/.good.md.12345678.tmp",
    ]
    kept = [project / "locales/en/notes.tmp", project / "output/en/.draft.tmp"]
    for path in stale + kept:
        path.write_text("half a file", encoding="utf-8")
    # A finished run leaves no mark, so the next one does not look for temporaries...
    assert not list(project.rglob(WRITING_NAME))
    _run("extract")
    assert all(path.exists() for path in stale)
    # ... but a killed one leaves its mark where it was writing.
    for folder in ("locales", "output"):
        (project / folder / WRITING_NAME).touch()
    _run("extract")
    _run("build")
    assert [path.exists() for path in stale] == [False, False, False]
    assert [path.exists() for path in kept] == [True, True]
    assert not list(project.rglob(WRITING_NAME))


def test_removing_temporaries_does_not_follow_links(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    victim = tmp_path / "outside" / ".x.po.abcdefgh.tmp"
    victim.write_text("not ours", encoding="utf-8")
    (tmp_path / "locales").mkdir()
    (tmp_path / "locales" / "link").symlink_to(tmp_path / "outside")
    assert remove_stale_temporaries(tmp_path / "locales") == []
    assert victim.exists()


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


# --------------------------------------------------------------------------- unreadable, unwritable


def test_a_folder_where_a_catalog_or_output_should_be_fails_that_file_alone(project: Path) -> None:
    (project / "source" / "other.md").write_text("# 노드\n", encoding="utf-8")
    (project / "locales/en/good.po").mkdir(parents=True)
    (project / "output/en/other.md").mkdir(parents=True)
    extract, build = _run("extract"), _run("build")
    assert extract.exit_code == 1 and build.exit_code == 1
    assert "error: locales/en/good.po: cannot read: Is a directory" in extract.output
    assert "error: locales/en/good.po: cannot read: Is a directory" in build.output
    assert "error: output/en/other.md: cannot write: Is a directory" in build.output
    assert "hint: check the folder" in build.output
    assert (project / "locales/en/other.po").is_file()
    assert (project / "locales/en/good.po").is_dir() and (project / "output/en/other.md").is_dir()


def test_paths_below_the_root_folder_itself_have_one_separator() -> None:
    layout = Layout(Path("/"), Path("/"), Path("/"))
    assert str(layout.source(Path("a.md"))) == "/a.md"
    assert str(layout.catalog("en", Path("docs/a.md"))) == "/en/docs/a.po"


def test_the_folders_seen_stay_few_and_a_link_is_still_caught_after_they_are_forgotten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folders found to be real are remembered to spare ``lstat`` calls, at most
    ``_SEEN_AT_MOST`` of them: a large site's would otherwise grow with it."""
    monkeypatch.setattr(workspace, "_SEEN_AT_MOST", 2)
    workspace.forget_seen_folders()
    source = tmp_path / "source"
    names = [Path(f"{folder}/sub/a.md") for folder in "abcde"]
    for name in names:
        (source / name).parent.mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    layout = Layout(source, tmp_path / "locales", tmp_path / "output")
    for name in names:
        assert layout.source(name) == source / name
        assert len(workspace._SEEN_FOLDERS) <= 2
    # "a" was seen first and forgotten since: swapped for a link, it is refused.
    (source / "a" / "sub").rmdir()
    (source / "a").rmdir()
    (source / "a").symlink_to(tmp_path / "outside", target_is_directory=True)
    with pytest.raises(PathError, match="a symbolic link leads outside"):
        layout.source(names[0])
