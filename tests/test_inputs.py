"""Odd inputs through `l10n extract` and `l10n build`: what must work and what must fail.

Inputs that must work come out byte for byte on identity (every msgstr equal to its
msgid).  Inputs that must fail name file and line, give a hint, exit non-zero, leave the
other documents processed and overwrite nothing.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main
from tests.conftest import corpus_files

GOOD = "# 파드\n\n파드는 가장 작은 단위이다.\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "good.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "l10n.toml").write_text('[languages]\ntargets = ["en"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _fill(path: Path, translate: dict[str, str] | None = None) -> None:
    """Translate every entry of ``path``: by ``translate`` when given, else to itself."""
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = entry.msgid if translate is None else translate.get(entry.msgid, "")
    po.save()


def _identity_round_trip(project: Path, rel: str, data: bytes) -> Path:
    """Extract, translate every entry to itself, build; returns the built file."""
    source = project / "source" / rel
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(data)
    assert _run("extract").exit_code == 0
    _fill((project / "locales/en" / rel).with_suffix(".po"))
    result = _run("build")
    assert result.exit_code == 0, result.output
    assert "refused" in result.output and ", 0 translation(s) refused" in result.output
    return project / "output/en" / rel


# --------------------------------------------------------------------------- must work

MUST_WORK = {
    "bom": "\ufeff---\ntitle: 파드\n---\n\n# 제목\n\n본문\n",
    "crlf": "---\r\ntitle: 파드\r\n---\r\n# 제목\r\n\r\n본문 첫 줄\r\n둘째 줄\r\n\r\n- 항목\r\n",
    "mixed-endings": "# 제목\r\n\n본문 첫 줄\r둘째 줄\n셋째 줄\r\n\r\n> 인용\r> 계속\n",
    "nfd-hangul": unicodedata.normalize("NFD", "# 파드\n\n노드는 클러스터를 관리한다.\n"),
    "tabs": (
        "# 제목\n\n본문에\t탭이 있다.\t\n\n-\t항목\n\t- 중첩\t항목\n\n"
        "| 열\t| 값 |\n|---|---|\n| 가\t| 나 |\n"
    ),
    "zero-width-and-nbsp": (
        "# 제목\u200b\n\n\u00a0본문\u00a0띄어쓰기\u200b\u200c\u200d\n\n단어\u2060잇기\ufeff\n"
    ),
    "no-final-newline": "# 제목\n\n본문  ",
    "front-matter-only": "---\ntitle: 파드\ndescription: 설명\n---\n",
    "front-matter-only-no-newline": "---\ntitle: 파드\n---",
    "empty": "",
    "only-blank-lines": "\n\n\r\n",
}


@pytest.mark.parametrize("name", MUST_WORK)
def test_odd_input_is_byte_identical_on_identity(project: Path, name: str) -> None:
    data = MUST_WORK[name].encode("utf-8")
    output = _identity_round_trip(project, f"{name}.md", data)
    assert output.read_bytes() == data


def test_nfd_source_matches_the_nfc_msgids_translators_see(project: Path) -> None:
    text = unicodedata.normalize("NFD", "# 파드\n\n노드는 클러스터를 관리한다.\n")
    (project / "source" / "nfd.md").write_text(text, encoding="utf-8")
    _run("extract")
    catalog = project / "locales/en/nfd.po"
    assert [e.msgid for e in polib.pofile(str(catalog))] == ["파드", "노드는 클러스터를 관리한다."]
    _fill(catalog, {"파드": "Pods", "노드는 클러스터를 관리한다.": "Nodes manage the cluster."})
    _run("build")
    assert (project / "output/en/nfd.md").read_text(encoding="utf-8") == (
        "# Pods\n\nNodes manage the cluster.\n"
    )


def test_nfd_msgids_in_a_catalog_still_match(project: Path) -> None:
    """A PO file saved by a macOS tool may hold decomposed Hangul in its msgids."""
    _run("extract")
    catalog = project / "locales/en/good.po"
    _fill(catalog, {"파드": "Pods"})
    catalog.write_text(unicodedata.normalize("NFD", catalog.read_text("utf-8")), "utf-8")
    _run("build")
    assert (project / "output/en/good.md").read_text("utf-8").startswith("# Pods\n")
    _run("extract")  # the translation survives the merge into the NFC template
    assert {e.msgid: e.msgstr for e in polib.pofile(str(catalog))}["파드"] == "Pods"


def test_nfd_catalog_translations_go_through_the_checks(project: Path) -> None:
    """Decomposed msgids must not let a translation that drops a link past the checks."""
    (project / "source" / "good.md").write_text("[파드](/ko/docs/pods/)를 본다.\n", "utf-8")
    _run("extract")
    catalog = project / "locales/en/good.po"
    _fill(catalog, {"[파드](/ko/docs/pods/)를 본다.": "See pods."})
    catalog.write_text(unicodedata.normalize("NFD", catalog.read_text("utf-8")), "utf-8")
    result = _run("build")
    assert "error: source/good.md:1: link-target: translation drops /ko/docs/pods/" in (
        result.output
    )
    assert ", 1 translation(s) refused" in result.output
    output = project / "output/en/good.md"
    assert output.read_text("utf-8") == "[파드](/ko/docs/pods/)를 본다.\n"


def test_crlf_bom_and_missing_newline_survive_a_real_translation(project: Path) -> None:
    data = "\ufeff# 제목\r\n\r\n본문 첫 줄\\\r\n둘째 줄".encode()
    (project / "source" / "doc.md").write_bytes(data)
    _run("extract")
    _fill(project / "locales/en/doc.po", {"제목": "Title", "본문 첫 줄\\\n둘째 줄": "One\\\nTwo"})
    _run("build")
    assert (
        project / "output/en/doc.md"
    ).read_bytes() == "\ufeff# Title\r\n\r\nOne\\\r\nTwo".encode()


def test_korean_file_and_folder_names(project: Path) -> None:
    rel = "개념/워크로드/파드.md"
    data = "# 파드\n\n[노드](/ko/노드/)에서 실행된다.\n".encode()
    output = _identity_round_trip(project, rel, data)
    assert output == project / "output/en/개념/워크로드/파드.md"
    assert output.read_bytes() == data
    po = polib.pofile(str(project / "locales/en/개념/워크로드/파드.po"))
    assert po[0].occurrences == [("source/개념/워크로드/파드.md", "1")]
    assert (project / "locales/templates/개념/워크로드/파드.pot").is_file()


def _nested(depth: int, marker: str) -> str:
    """``depth`` levels of lists (``"- "``) or quotes (``"> "``), a paragraph at each."""
    if marker == "- ":
        return "".join("  " * level + f"- 항목 {level + 1}\n" for level in range(depth))
    return "\n".join("> " * (level + 1) + f"인용 {level + 1}\n" for level in range(depth))


@pytest.mark.parametrize("marker", ["- ", "> "], ids=["lists", "quotes"])
def test_depth_50_nesting_is_extracted_whole_and_preserved(project: Path, marker: str) -> None:
    data = _nested(50, marker).encode()
    output = _identity_round_trip(project, "deep.md", data)
    assert output.read_bytes() == data
    msgids = [e.msgid for e in polib.pofile(str(project / "locales/en/deep.po"))]
    assert len(msgids) == 50 and msgids[-1].endswith(" 50")
    deepest = msgids[-1]
    _fill(project / "locales/en/deep.po", {deepest: "the deepest item"})
    assert _run("build").exit_code == 0
    built = output.read_text(encoding="utf-8")
    assert built == data.decode().replace(deepest, "the deepest item")


def test_five_megabyte_document_is_byte_identical_on_identity(project: Path) -> None:
    texts = [path.read_text(encoding="utf-8") for path in corpus_files()]
    parts, size = [texts[0]], len(texts[0].encode())
    for text in texts[1:] * 40:
        if size >= 5_000_000:
            break
        body = text[text.index("\n---", 3) + 4 :] if text.startswith("---") else text
        parts.append(body)
        size += len(body.encode()) + 1
    data = "\n".join(parts).encode()
    assert len(data) >= 5_000_000
    output = _identity_round_trip(project, "big.md", data)
    assert output.read_bytes() == data


# --------------------------------------------------------------------------- must fail


def _assert_fails_alone(result: Result, location: str, words: str) -> None:
    assert result.exit_code == 1, result.output
    assert f"error: {location}: " in result.output, result.output
    assert words in result.output, result.output
    assert "hint:" in result.output


BAD_SOURCES = {
    "invalid-utf8": (b"# \xea\xb0\x80\n\n\xc3\x28 \xed\x95\x9c\n", "3", "invalid UTF-8"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "3", "binary file"),
    "utf16": ("# 파드\n".encode("utf-16"), "1", "binary file"),
    "unterminated-front-matter": ("---\ntitle: 파드\n\n# 제목\n".encode(), "1", "never closed"),
    "invalid-yaml": ("---\ntitle: 파드\nkeywords: [a, b\n---\n".encode(), "4", "not valid YAML"),
    "tab-indented-yaml": ("---\ntitle:\n\t- 파드\n---\n".encode(), "3", "not valid YAML"),
    "front-matter-list": ("---\n- 파드\n- 노드\n---\n".encode(), "2", "not a mapping"),
    "front-matter-scalar": ("---\n파드\n---\n".encode(), "2", "not a mapping"),
    "front-matter-too-large": (
        ("---\nkeywords:\n" + "- 키워드 키워드 키워드\n" * 30_000 + "---\n").encode(),
        "2",
        "at most 256 KiB",
    ),
    "front-matter-too-deep": (("---\ntitle: " + "[" * 100 + "\n---\n").encode(), "2", "deeper"),
}


@pytest.mark.parametrize("name", BAD_SOURCES)
def test_bad_source_fails_alone(project: Path, name: str) -> None:
    data, line, words = BAD_SOURCES[name]
    (project / "source" / "bad.md").write_bytes(data)
    for command in ("extract", "build"):
        _assert_fails_alone(_run(command), f"source/bad.md:{line}", words)
        assert (project / "source" / "bad.md").read_bytes() == data
    assert (project / "locales/en/good.po").is_file()
    assert (project / "output/en/good.md").read_text(encoding="utf-8") == GOOD
    assert not (project / "locales/en/bad.po").exists()
    assert not (project / "output/en/bad.md").exists()


def _catalog_cases() -> dict[str, tuple[str, str]]:
    """How each broken catalog is made from a good one, the line named and the words."""
    return {
        "truncated-in-a-string": ("truncate-string", "expected one double-quoted string"),
        "truncated-in-an-entry": ("truncate-entry", "ends inside an entry"),
        "syntax-error": ("syntax", "where msgctxt or msgid was expected"),
        "duplicate-msgid": ("duplicate", "duplicate message '파드'"),
        "wrong-charset": ("charset", "declares charset ISO-8859-1"),
        "conflict-markers": ("conflict", "git conflict marker"),
        "latin1-bytes": ("latin1", "not UTF-8"),
        "byte-order-mark": ("bom", "byte order mark"),
    }


def _break(text: str, how: str) -> tuple[bytes, int]:
    """``text`` (a good catalog) broken as ``how`` says, and the line to blame."""
    lines = text.split("\n")
    entry = lines.index('msgid "파드"')
    if how == "truncate-string":
        cut = text.index('msgstr "Pods"') + len('msgstr "Po')
        return text[:cut].encode(), entry + 2
    if how == "truncate-entry":
        return "\n".join(lines[: entry + 1]).encode() + b"\n", entry + 1
    if how == "syntax":
        lines[entry] = 'msgstr "파드"'
        return "\n".join(lines).encode(), entry + 1
    if how == "duplicate":
        extra = ["", 'msgid "파드"', 'msgstr "Pod"']
        return "\n".join([*lines[:-1], *extra, ""]).encode(), len(lines) + 1
    if how == "charset":
        number = next(n for n, line in enumerate(lines) if "charset=UTF-8" in line)
        return text.replace("charset=UTF-8", "charset=ISO-8859-1").encode(), number + 1
    if how == "conflict":
        merged = [*lines[: entry + 1], "<<<<<<< HEAD", 'msgstr "Pods"', "=======", 'msgstr "Pod"']
        return "\n".join([*merged, ">>>>>>> theirs", *lines[entry + 2 :]]).encode(), entry + 2
    if how == "latin1":
        return text.encode().replace(b"Pods", b"P\xf6ds"), entry + 2
    return b"\xef\xbb\xbf" + text.encode(), 1


@pytest.mark.parametrize("name", _catalog_cases())
def test_broken_catalog_fails_alone_and_is_never_overwritten(project: Path, name: str) -> None:
    how, words = _catalog_cases()[name]
    (project / "source" / "other.md").write_text("# 노드\n", encoding="utf-8")
    _run("extract")
    catalog = project / "locales/en/good.po"
    _fill(catalog, {"파드": "Pods"})
    broken, line = _break(catalog.read_text(encoding="utf-8"), how)
    catalog.write_bytes(broken)
    for command in ("extract", "build"):
        _assert_fails_alone(_run(command), f"locales/en/good.po:{line}", words)
        assert catalog.read_bytes() == broken
    assert not (project / "output/en/good.md").exists()
    assert (project / "output/en/other.md").is_file()


@pytest.mark.parametrize(
    ("config", "line", "words"),
    [
        ('[languages]\ntarget = ["en"]\n', 2, "unknown key 'target' in [languages]"),
        ('[language]\ntargets = ["en"]\n', 1, "unknown section [language]"),
        ('[languages]\ntargets = "en"\n', 2, "languages.targets must be a list of strings"),
        ('[languages]\ntargets = ["en", ""]\n', 2, "must be a list of strings"),
        ('[paths]\nsource = 3\n[languages]\ntargets = ["en"]\n', 2, "paths.source must be"),
        ('[languages]\ntargets = ["en", "xx"]\n', 2, "unknown language code 'xx'"),
        ('[languages]\nsource = "../ko"\ntargets = ["en"]\n', 2, "'../ko' is not a language"),
        ('[languages]\ntargets = ["en"\n', 2, "not valid TOML"),
    ],
)
def test_bad_configuration_names_file_and_line(
    project: Path, config: str, line: int, words: str
) -> None:
    (project / "l10n.toml").write_text(config, encoding="utf-8")
    for command in ("extract", "build"):
        result = _run(command)
        assert result.exit_code == 1
        assert f"Error: l10n.toml:{line}: " in result.output and words in result.output
        assert "hint:" in result.output
    assert not (project / "locales").exists() and not (project / "output").exists()


@pytest.mark.parametrize("code", ["xx", "../en", "en/../../x", "/tmp/x", "..", "en\\..\\x"])
def test_unknown_or_unsafe_language_code_on_the_command_line(project: Path, code: str) -> None:
    for command in ("extract", "build"):
        result = _run(command, "-l", code)
        assert result.exit_code == 1
        assert "language code" in result.output and "hint:" in result.output
    assert sorted(p.name for p in project.iterdir()) == ["l10n.toml", "source"]
