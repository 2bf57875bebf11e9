"""The l10n command line, end to end in a temporary project."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main
from pipeline.pofile import format_po
from tests.conftest import REPO

ARTICLE = """---
title: 파드
weight: 10
---

# 파드

[파드](/ko/docs/pods/)는 가장 작은 단위이다.
"""
SENTENCE = "[파드](/ko/docs/pods/)는 가장 작은 단위이다."


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "source" / "concepts").mkdir(parents=True)
    (tmp_path / "source" / "concepts" / "pods.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "source" / "index.markdown").write_text("# 시작\n", encoding="utf-8")
    (tmp_path / "l10n.toml").write_text(
        '[project]\nname = "demo"\n[languages]\ntargets = ["en", "ja"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _translate(path: Path, mapping: dict[str, str]) -> None:
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = mapping.get(entry.msgid, entry.msgstr)
    path.write_text(format_po(po), encoding="utf-8")  # the layout extract writes


def test_extract_writes_templates_and_catalogs_in_the_fixed_layout(project: Path) -> None:
    result = _run("extract")
    assert result.exit_code == 0, result.output
    for path in (
        "locales/templates/concepts/pods.pot",
        "locales/templates/index.pot",
        "locales/en/concepts/pods.po",
        "locales/ja/concepts/pods.po",
        "locales/en/index.po",
    ):
        assert (project / path).is_file(), path
    po = polib.pofile(str(project / "locales/en/concepts/pods.po"))
    assert po.metadata["Language"] == "en"
    assert [e.occurrences for e in po] == [
        [("source/concepts/pods.md", "2")],
        [("source/concepts/pods.md", "6")],
        [("source/concepts/pods.md", "8")],
    ]


def test_second_extract_rewrites_nothing(project: Path) -> None:
    _run("extract")
    before = {p: p.stat().st_mtime_ns for p in project.rglob("*.po*")}
    result = _run("extract")
    assert "0 written, 6 unchanged" in result.output
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*.po*")} == before


def test_build_splices_translations_and_copies_untranslated_documents(project: Path) -> None:
    _run("extract")
    _translate(
        project / "locales/en/concepts/pods.po",
        {"파드": "Pods", SENTENCE: "A [pod](/ko/docs/pods/) is the smallest unit."},
    )
    result = _run("build")
    assert result.exit_code == 0, result.output
    assert (project / "output/en/concepts/pods.md").read_text(encoding="utf-8") == (
        "---\ntitle: Pods\nweight: 10\n---\n\n# Pods\n\n"
        "A [pod](/ko/docs/pods/) is the smallest unit.\n"
    )
    assert (project / "output/ja/concepts/pods.md").read_text(encoding="utf-8") == ARTICLE
    assert (project / "output/en/index.markdown").read_text(encoding="utf-8") == "# 시작\n"


def test_build_reports_a_dropped_link_with_file_and_line(project: Path) -> None:
    _run("extract")
    _translate(
        project / "locales/en/concepts/pods.po",
        {SENTENCE: "A pod."},
    )
    result = _run("build", "-l", "en")
    assert result.exit_code == 0
    assert (
        "source/concepts/pods.md:8: link-target: translation drops /ko/docs/pods/" in result.output
    )
    assert "가장 작은 단위이다" in (project / "output/en/concepts/pods.md").read_text(
        encoding="utf-8"
    )


def test_unchanged_output_is_not_rewritten(project: Path) -> None:
    _run("build")
    output = project / "output/en/concepts/pods.md"
    before = output.stat().st_mtime_ns
    assert "0 written, 4 unchanged" in _run("build").output
    assert output.stat().st_mtime_ns == before


def test_flags_work_without_a_config_file(project: Path) -> None:
    (project / "l10n.toml").unlink()
    result = _run(
        "extract", "--source", "source", "--locales", "cat", "--source-lang", "ko", "-l", "fr"
    )
    assert result.exit_code == 0, result.output
    assert (project / "cat/fr/concepts/pods.po").is_file()
    result = _run("build", "--source", "source", "--locales", "cat", "--output", "out", "-l", "fr")
    assert (project / "out/fr/concepts/pods.md").read_text(encoding="utf-8") == ARTICLE


def test_no_language_is_a_usage_error(project: Path) -> None:
    (project / "l10n.toml").unlink()
    result = _run("extract")
    assert result.exit_code == 2
    assert "no target language" in result.output


def test_unknown_language_is_a_clear_error(project: Path) -> None:
    result = _run("extract", "-l", "xx")
    assert result.exit_code == 1
    assert "unknown language code 'xx'" in result.output


def test_help_explains_every_option() -> None:
    for command in ("extract", "build"):
        text = _run(command, "--help").output
        for option in ("--config", "--source", "--locales", "--source-lang", "-l, --lang"):
            assert option in text
    assert "--output" in _run("build", "--help").output


@pytest.mark.parametrize(
    ("content", "location", "words"),
    [
        (b"# \xea\xb0\x80\n\xff\xfe broken\n", "source/bad.md:2", "invalid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "source/bad.md:3", "binary file"),
        ("---\ntitle: 파드\n".encode(), "source/bad.md:1", "never closed"),
        ("---\ntitle: [파드\n---\n".encode(), "source/bad.md:3", "not valid YAML"),
    ],
)
def test_bad_source_fails_alone_with_file_and_line(
    project: Path, content: bytes, location: str, words: str
) -> None:
    (project / "source" / "bad.md").write_bytes(content)
    for command in ("extract", "build"):
        result = _run(command)
        assert result.exit_code == 1
        assert f"error: {location}: " in result.output and words in result.output
        assert "hint:" in result.output
    assert (project / "output/en/concepts/pods.md").is_file()
    assert (project / "locales/en/concepts/pods.po").is_file()
    assert not (project / "locales/en/bad.po").exists()


def test_broken_catalog_is_reported_and_never_overwritten(project: Path) -> None:
    _run("extract")
    catalog = project / "locales/en/concepts/pods.po"
    broken = catalog.read_bytes().replace(b'msgstr ""\n\n#.', b'msgstr "unterminated\n\n#.', 1)
    catalog.write_bytes(broken)
    for command in ("extract", "build"):
        result = _run(command)
        assert result.exit_code == 1
        assert "error: locales/en/concepts/pods.po:" in result.output
        assert catalog.read_bytes() == broken
    assert not (project / "output/en/concepts/pods.md").exists()
    assert (project / "output/ja/concepts/pods.md").is_file()


def test_config_with_unknown_key_is_rejected(project: Path) -> None:
    (project / "l10n.toml").write_text('[languages]\ntarget = ["en"]\n', encoding="utf-8")
    result = _run("extract")
    assert result.exit_code == 1
    assert "unknown key 'target' in [languages]" in result.output


def test_python_dash_m_runs_the_same_cli(project: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "extract", "-l", "en"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    assert (project / "locales/en/concepts/pods.po").is_file()


def test_jobs_do_not_change_what_is_printed_or_written(project: Path) -> None:
    (project / "source" / "bad.md").write_text("---\ntitle: [파드\n---\n", encoding="utf-8")
    _run("extract", "-j", "1")
    _translate(project / "locales/en/concepts/pods.po", {SENTENCE: "A pod."})
    serial = _run("build", "-j", "1", "--no-cache")
    outputs = {p: p.read_bytes() for p in (project / "output").rglob("*") if p.is_file()}
    for path in outputs:
        path.unlink()
    parallel = _run("build", "-j", "2", "--no-cache")
    assert parallel.output == serial.output
    assert "link-target" in serial.output and "error: source/bad.md:3" in serial.output
    assert "build: 4 written" in serial.output
    assert {p: p.read_bytes() for p in (project / "output").rglob("*") if p.is_file()} == outputs


def test_the_cache_lives_in_the_project_and_no_cache_leaves_none(project: Path) -> None:
    _run("extract", "--no-cache")
    assert not (project / ".l10n-cache").exists()
    assert _run("build").exit_code == 0
    assert (project / ".l10n-cache" / "records.sqlite3").is_file()
    refused = _run("build", "-j", "0")
    assert refused.exit_code == 2 and "-j" in refused.output


def test_no_progress_bar_without_a_terminal(project: Path) -> None:
    result = _run("extract")
    assert result.output == "extract: 6 written, 0 unchanged, 0 failed\n"


def test_progress_bar_on_a_terminal(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipeline.cli._stderr_is_terminal", lambda: True)
    (project / "source" / "zz.md").write_text("---\ntitle: [파드\n---\n", encoding="utf-8")
    output = _run("extract").output
    bar = "extract  [########................]  1/3 documents  "
    assert output.startswith("\r" + bar)
    erase = "\r" + " " * len(output[1:].split("\r")[0]) + "\r"
    # The error is printed on a line of its own, then the bar is drawn again below it.
    assert erase + "error: source/zz.md:3: " in output
    assert "  hint: " in output and "\n" + bar in output
    assert "3/3 documents" in output and "/s" in output
    # The bar is erased before the summary.
    assert output.endswith("\rextract: 6 written, 0 unchanged, 1 failed\n")


# --------------------------------------------------------------------------- catalog lifecycle

SERVICES = """# 서비스

## 개요

서비스는 파드 집합을 네트워크에 노출한다.

## 다음 내용

- 더 읽어보기
"""
DEPLOYMENTS = """# 디플로이먼트

## 개요

디플로이먼트는 파드와 레플리카셋을 선언적으로 업데이트한다.

## 다음 내용
"""


def _entries(path: Path) -> dict[str, polib.POEntry]:
    return {entry.msgid: entry for entry in polib.pofile(str(path))}


def test_a_new_document_gets_shared_headings_from_the_translation_memory(project: Path) -> None:
    (project / "source" / "services.md").write_text(SERVICES, encoding="utf-8")
    _run("extract", "-l", "en")
    _translate(project / "locales/en/services.po", {"개요": "Overview", "다음 내용": "What's next"})
    (project / "source" / "deployments.md").write_text(DEPLOYMENTS, encoding="utf-8")
    assert _run("extract", "-l", "en").exit_code == 0
    entries = _entries(project / "locales/en/deployments.po")
    for msgid, msgstr in (("개요", "Overview"), ("다음 내용", "What's next")):
        assert entries[msgid].msgstr == msgstr and not entries[msgid].fuzzy
        assert entries[msgid].tcomment == "translation memory: locales/en/services.po"
    assert entries["디플로이먼트"].msgstr == ""


def test_the_memory_can_be_turned_off(project: Path) -> None:
    (project / "source" / "services.md").write_text(SERVICES, encoding="utf-8")
    _run("extract", "-l", "en")
    _translate(project / "locales/en/services.po", {"개요": "Overview"})
    (project / "source" / "deployments.md").write_text(DEPLOYMENTS, encoding="utf-8")
    _run("extract", "-l", "en", "--no-memory")
    assert _entries(project / "locales/en/deployments.po")["개요"].msgstr == ""


def _compendium(path: Path, language: str | None, mapping: dict[str, str]) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    if language:
        po.metadata["Language"] = language
    po.extend(polib.POEntry(msgid=k, msgstr=v) for k, v in mapping.items())
    po.save(str(path))


def test_a_compendium_pre_fills_exact_and_close_matches(project: Path) -> None:
    _compendium(
        project / "memory-en.po",
        "en",
        {"파드": "Pod", SENTENCE.replace("단위이다", "단위입니다"): "The smallest unit."},
    )
    result = _run("extract", "--compendium", "memory-en.po")
    assert result.exit_code == 0, result.output
    entries = _entries(project / "locales/en/concepts/pods.po")
    assert entries["파드"].msgstr == "Pod" and not entries["파드"].fuzzy
    assert entries[SENTENCE].msgstr == "The smallest unit." and entries[SENTENCE].fuzzy
    assert entries[SENTENCE].tcomment == "translation memory: memory-en.po"
    assert _entries(project / "locales/ja/concepts/pods.po")["파드"].msgstr == ""


def test_a_compendium_in_the_config_works_the_same_way(project: Path) -> None:
    _compendium(project / "memory-en.po", "en", {"시작": "Start"})
    with (project / "l10n.toml").open("a", encoding="utf-8") as config:
        config.write('[catalog]\ncompendia = ["memory-en.po"]\n')
    assert _run("extract").exit_code == 0
    assert _entries(project / "locales/en/index.po")["시작"].msgstr == "Start"


def test_a_compendium_without_language_needs_a_single_target(project: Path) -> None:
    _compendium(project / "memory.po", None, {"시작": "Start"})
    result = _run("extract", "--compendium", "memory.po")
    assert result.exit_code == 1
    assert "memory.po: the compendium has no Language header" in result.output
    assert not (project / "locales").exists()
    assert _run("extract", "--compendium", "memory.po", "-l", "en").exit_code == 0
    assert _entries(project / "locales/en/index.po")["시작"].msgstr == "Start"


def test_purge_obsolete_after_drops_old_obsolete_entries(project: Path) -> None:
    _run("extract", "-l", "en")
    _translate(project / "locales/en/index.po", {"시작": "Start"})
    for heading, expected in (("# 처음\n", True), ("# 끝\n", False)):
        (project / "source" / "index.markdown").write_text(heading, encoding="utf-8")
        _run("extract", "-l", "en", "--purge-obsolete-after", "1")
        obsolete = [
            e.msgid for e in polib.pofile(str(project / "locales/en/index.po")) if e.obsolete
        ]
        assert ("시작" in obsolete) is expected


def test_min_translated_skips_a_document_and_removes_its_stale_output(project: Path) -> None:
    _run("extract")
    _translate(project / "locales/en/concepts/pods.po", {"파드": "Pods"})
    assert _run("build", "-l", "en").exit_code == 0
    stale = project / "output/en/concepts/pods.md"
    assert stale.is_file()
    # "파드" (title and heading) is 2 of the document's 1 + 1 + 4 = 6 words: below 50%.
    result = _run("build", "-l", "en", "--min-translated", "30")
    assert result.exit_code == 0, result.output
    assert stale.is_file()
    result = _run("build", "-l", "en", "--min-translated", "50")
    assert result.exit_code == 0, result.output
    assert not stale.exists()
    assert (
        "skipped: output/en/concepts/pods.md: 33.3% of source words translated, "
        "below the 50% threshold; the old output was removed"
    ) in result.output
    assert "2 skipped" in result.output  # index.markdown: 0 of 1 word
    assert not (project / "output/en/index.markdown").exists()


def test_min_translated_per_language_in_the_config(project: Path) -> None:
    _run("extract")
    _translate(
        project / "locales/ja/concepts/pods.po",
        {"파드": "ポッド", SENTENCE: "[ポッド](/ko/docs/pods/)は最小単位です。"},
    )
    with (project / "l10n.toml").open("a", encoding="utf-8") as config:
        config.write("[build]\nmin_translated = 10\n[build.min_translated_by_language]\nja = 90\n")
    result = _run("build")
    assert result.exit_code == 0, result.output
    assert not (project / "output/en/concepts/pods.md").exists()
    assert (project / "output/ja/concepts/pods.md").is_file()


def test_stats_json_counts_messages_and_words(project: Path) -> None:
    import json

    _run("extract")
    _translate(project / "locales/en/concepts/pods.po", {"파드": "Pods"})
    result = CliRunner().invoke(main, ["stats", "--json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {(d["language"], d["document"]): d for d in data["documents"]}
    pods = rows[("en", "source/concepts/pods.md")]
    # title "파드" and heading "파드" (one word each); the sentence: 4 words.
    assert pods["translated"] == {"messages": 2, "words": 2}
    assert pods["untranslated"] == {"messages": 1, "words": 4}
    assert pods["percent_translated"] == pytest.approx(33.33)
    assert data["languages"]["en"]["total"] == {"messages": 4, "words": 7}
    assert data["languages"]["ja"]["translated"] == {"messages": 0, "words": 0}


def test_stats_prints_a_table_and_exits_zero_however_little_is_done(project: Path) -> None:
    _run("extract")
    result = CliRunner().invoke(main, ["stats"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert "source/concepts/pods.md" in result.output
    assert "0.0%" in result.output and "total" in result.output


LONG = "파드는 쿠버네티스에서 생성하고 관리할 수 있는 배포 가능한 가장 작은 컴퓨팅 단위이다."


def _is_wrapped_at(path: Path, width: int | None) -> bool:
    from pipeline import pofile

    return pofile.detect_width(path.read_text(encoding="utf-8")) == width


def test_extract_keeps_each_catalogs_wrapping_style(project: Path) -> None:
    (project / "source" / "index.markdown").write_text(f"# 시작\n\n{LONG}\n", encoding="utf-8")
    assert _run("extract", "-l", "en", "--width", "40").exit_code == 0
    catalog = project / "locales/en/index.po"
    assert _is_wrapped_at(catalog, 40)
    source = f"# 시작\n\n{LONG}\n\n{LONG.replace('파드는', '노드는')}\n"
    (project / "source" / "index.markdown").write_text(source, encoding="utf-8")
    assert _run("extract", "-l", "en").exit_code == 0
    assert _is_wrapped_at(catalog, 40)  # the new entry is wrapped like the others
    assert _run("extract", "-l", "en", "--no-wrap").exit_code == 0
    assert _is_wrapped_at(catalog, None)
    assert _run("extract", "-l", "en").exit_code == 0
    assert _is_wrapped_at(catalog, None)  # and stays unwrapped


def test_width_in_the_config_wraps_new_catalogs(project: Path) -> None:
    (project / "source" / "index.markdown").write_text(f"# 시작\n\n{LONG}\n", encoding="utf-8")
    with (project / "l10n.toml").open("a", encoding="utf-8") as config:
        config.write("[catalog]\nwidth = 79\n")
    assert _run("extract", "-l", "en").exit_code == 0
    assert _is_wrapped_at(project / "locales/en/index.po", 79)
    assert _is_wrapped_at(project / "locales/templates/index.pot", 79)


# --- check, pseudo, and what the build prints -------------------------------------------------


def test_clean_build_prints_only_the_summary(project: Path) -> None:
    _run("extract")
    _translate(project / "locales/en/concepts/pods.po", {"파드": "Pods"})
    result = _run("build", "-l", "en")
    assert result.output == (
        "build: 2 written, 0 unchanged, 0 failed, 0 skipped, "
        "0 translation(s) refused, 0 warning(s)\n"
    )


def test_build_prints_one_line_per_finding_and_counts_them(project: Path) -> None:
    _run("extract")
    _translate(
        project / "locales/en/concepts/pods.po",
        {"파드": "Pods 파드", SENTENCE: "A [pod](/ko/docs/pods/) is the `smallest` unit.\n"},
    )
    result = _run("build", "-l", "en")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines == [
        "warning: source/concepts/pods.md:2: untranslated-residue: Hangul left in the "
        "translation: 파드 [locales/en/concepts/pods.po:15]",
        "warning: source/concepts/pods.md:6: untranslated-residue: Hangul left in the "
        "translation: 파드 [locales/en/concepts/pods.po:21]",
        "warning: source/concepts/pods.md:8: whitespace: trailing whitespace differs from the "
        "source: '\\n' instead of '' [locales/en/concepts/pods.po:27]",
        "build: 2 written, 0 unchanged, 0 failed, 0 skipped, "
        "0 translation(s) refused, 3 warning(s)",
    ]
    assert "Pods 파드" in (project / "output/en/concepts/pods.md").read_text(encoding="utf-8")


def test_build_keeps_the_source_for_a_translation_with_an_error(project: Path) -> None:
    _run("extract")
    _translate(project / "locales/en/concepts/pods.po", {"파드": "**Pods"})
    result = _run("build", "-l", "en")
    assert "error: source/concepts/pods.md:6: markup:" in result.output
    assert "1 translation(s) refused" in result.output
    output = (project / "output/en/concepts/pods.md").read_text(encoding="utf-8")
    assert "# 파드\n" in output


def test_check_reports_entry_and_source_lines_and_exits_1_on_errors(project: Path) -> None:
    _run("extract")
    _translate(project / "locales/en/concepts/pods.po", {SENTENCE: "A pod is small."})
    result = _run("check", "-l", "en")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "locales/en/concepts/pods.po:27: error: link-target: translation drops /ko/docs/pods/; "
        "keep every link target as in the source [source/concepts/pods.md:8]",
        "check: 2 catalog(s), 4 entries: 1 error(s), 0 warning(s)",
    ]


def test_check_warnings_exit_0_unless_strict(project: Path) -> None:
    _run("extract")
    _translate(project / "locales/en/concepts/pods.po", {"파드": "파드"})
    assert _run("check", "-l", "en").exit_code == 0
    strict = _run("check", "-l", "en", "--strict")
    assert strict.exit_code == 1
    assert "warning: same-as-source" in strict.output


def test_check_fuzzy_entries_only_when_asked(project: Path) -> None:
    _run("extract")
    path = project / "locales/en/concepts/pods.po"
    po = polib.pofile(str(path))
    po[1].msgstr, po[1].flags = "**Pods", ["fuzzy", *po[1].flags]
    path.write_text(format_po(po), encoding="utf-8")
    assert _run("check", "-l", "en").exit_code == 0
    result = _run("check", "-l", "en", "--fuzzy")
    assert result.exit_code == 1
    assert "locales/en/concepts/pods.po:21: error: markup: " in result.output


def test_check_json_is_documented_and_complete(project: Path) -> None:
    _run("extract")
    _translate(project / "locales/en/concepts/pods.po", {SENTENCE: "A pod is small."})
    result = _run("check", "-l", "en", "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report == {
        "version": 1,
        "summary": {"catalogs": 2, "entries": 4, "errors": 1, "warnings": 0, "failed": 0},
        "findings": [
            {
                "severity": "error",
                "code": "link-target",
                "message": "translation drops /ko/docs/pods/; keep every link target as in "
                "the source",
                "catalog": {"path": "locales/en/concepts/pods.po", "line": 27},
                "source": {"path": "source/concepts/pods.md", "line": 8},
                "msgctxt": None,
                "msgid": SENTENCE,
            }
        ],
        "failures": [],
    }
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for key in ("version", "summary", "findings", "failures", "catalog", "source", "msgctxt"):
        assert f'"{key}"' in readme


def test_check_reports_an_unreadable_catalog_and_exits_1(project: Path) -> None:
    _run("extract")
    (project / "locales/en/index.po").write_bytes(b'msgid "x\n')
    result = _run("check", "-l", "en")
    assert result.exit_code == 1
    assert "error: locales/en/index.po:" in result.output
    assert "1 failed" in result.output


def test_pseudo_fills_a_pseudo_locale_that_builds_and_checks_clean(project: Path) -> None:
    result = _run("pseudo", "-l", "qps")
    assert result.exit_code == 0, result.output
    assert _run("check", "-l", "qps", "--strict").exit_code == 0
    assert _run("build", "-l", "qps").exit_code == 0
    output = (project / "output/qps/concepts/pods.md").read_text(encoding="utf-8")
    assert output == (
        "---\ntitle: ⟦ ƥđ ·⟧\nweight: 10\n---\n\n# ⟦ ƥđ ·⟧\n\n"
        "⟦ [ƥđ](/ko/docs/pods/)ñ ĝĵ ĵé đŵíđ. ·····⟧\n"
    )


# What a command loads.  Libraries a command does not use cost every run their import
# time (PyYAML, markdown-it-py, filelock and the process pool's modules are 10-75 ms
# each); a no-op run, where every file is up to date, uses none of these, nor the splicer.
_NEVER_AT_START = {
    "concurrent.futures",
    "filelock",
    "markdown_it",
    "multiprocessing",
    "rapidfuzz",
    "rich",
    "yaml",
    "pipeline.splice",
}


def _loaded(*arguments: str) -> set[str]:
    """The modules ``python -m pipeline ARGUMENTS`` has loaded when it ends."""
    import os
    import subprocess
    import sys

    script = (
        "import runpy, sys\n"
        "try:\n"
        "    runpy.run_module('pipeline', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\nloaded:', *sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=True,
    )
    return set(done.stdout.rpartition("\nloaded: ")[2].split())


def test_help_loads_no_library_a_command_would_load_later() -> None:
    loaded = _loaded("--help")
    assert "pipeline.cli" in loaded
    unneeded = loaded & (_NEVER_AT_START | {"babel", "polib", "tomllib", "pipeline.document"})
    assert not unneeded
    assert not {name for name in loaded if name.endswith("_run")}


@pytest.mark.parametrize("command", ["extract", "build"])
def test_a_no_op_run_loads_no_yaml_markdown_parser_lock_library_or_pool(
    project: Path, command: str
) -> None:
    assert _run("extract").exit_code == 0
    assert _run("build").exit_code == 0
    loaded = _loaded(command, "-j", "1")  # everything is up to date: nothing to parse
    assert f"pipeline.{command}_run" in loaded
    unneeded = loaded & _NEVER_AT_START
    assert not unneeded
