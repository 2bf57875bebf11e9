"""Catalogs made from the whole corpus are standard gettext: msgfmt -c and msgcat agree."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import pofile
from pipeline.cli import main
from tests.conftest import CORPUS, needs_gettext

pytestmark = needs_gettext


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Templates and English catalogs extracted from all 129 corpus documents."""
    project = tmp_path_factory.mktemp("corpus-project")
    shutil.copytree(CORPUS / "kubernetes-ko" / "content" / "ko", project / "source")
    result = CliRunner().invoke(
        main,
        [
            "extract",
            "--source",
            str(project / "source"),
            "--locales",
            str(project / "locales"),
            "-l",
            "en",
        ],
    )
    assert result.exit_code == 0, result.output
    files = sorted((project / "locales").rglob("*.po")) + sorted(
        (project / "locales").rglob("*.pot")
    )
    assert len(files) == 2 * 129
    return files


def _without_markdown_flag(text: str) -> str:
    """GNU gettext drops flags it does not know, such as po4a's markdown-text."""
    text = re.sub(r"^#, markdown-text\n", "", text, flags=re.M)
    return re.sub(r"^(#,.*), markdown-text$", r"\1", text, flags=re.M)


def test_msgfmt_check_passes_on_every_catalog(catalogs: list[Path]) -> None:
    failures = {}
    for path in catalogs:
        done = subprocess.run(
            ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
        )
        if done.returncode != 0 or (path.suffix == ".po" and done.stderr):
            failures[path.name] = done.stderr
    assert failures == {}


def test_msgcat_no_wrap_leaves_every_catalog_unchanged(catalogs: list[Path]) -> None:
    changed = []
    for path in catalogs:
        text = path.read_text(encoding="utf-8")
        done = subprocess.run(
            ["msgcat", "--no-wrap", str(path)], capture_output=True, text=True, check=True
        )
        if done.stdout != _without_markdown_flag(text):
            changed.append(path.name)
    assert changed == []


def test_catalog_strings_are_one_line_each(catalogs: list[Path]) -> None:
    """No msgid is broken across lines except after an embedded newline."""
    for path in catalogs:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if (
                line.startswith('"')
                and number > 0
                and not lines[number - 1].endswith(('\\n"', 'msgid ""', 'msgstr ""'))
            ):
                pytest.fail(f"{path.name}:{number + 1}: wrapped string line {line!r}")


@pytest.fixture(scope="module")
def wrapped_catalogs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The corpus extracted with --width 79, translated (msgstr = msgid, Korean and all),
    then extracted again without --width: the second run keeps the wrapped style."""
    project = tmp_path_factory.mktemp("wrapped-project")
    shutil.copytree(CORPUS / "kubernetes-ko" / "content" / "ko", project / "source")
    locations = ["--source", str(project / "source"), "--locales", str(project / "locales")]
    result = CliRunner().invoke(main, ["extract", *locations, "-l", "en", "--width", "79"])
    assert result.exit_code == 0, result.output
    for path in (project / "locales" / "en").rglob("*.po"):
        po = pofile.parse_po(path.read_text(encoding="utf-8"), path=str(path))
        for entry in po:
            entry.msgstr = entry.msgid
        path.write_text(pofile.format_po(po, width=79), encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", *locations, "-l", "en"])
    assert result.exit_code == 0, result.output
    assert "0 written" in result.output  # the style was kept: nothing to rewrite
    files = sorted((project / "locales").rglob("*.po")) + sorted(
        (project / "locales").rglob("*.pot")
    )
    assert len(files) == 2 * 129
    return files


def test_msgcat_width_79_leaves_every_wrapped_catalog_unchanged(
    wrapped_catalogs: list[Path],
) -> None:
    changed = []
    wrapped = 0
    for path in wrapped_catalogs:
        text = path.read_text(encoding="utf-8")
        wrapped += pofile.detect_width(text) == 79
        done = subprocess.run(
            ["msgcat", "--width=79", str(path)], capture_output=True, text=True, check=True
        )
        if done.stdout != _without_markdown_flag(text):
            changed.append(path.name)
    assert changed == []
    assert wrapped > 200  # most corpus catalogs have a string longer than a line
