"""The ``l10n`` command line: options, file system, and everything printed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from pipeline import commands
from pipeline.checks import Problem
from pipeline.commands import Outcome
from pipeline.config import CONFIG_NAME, Config, load_config
from pipeline.errors import PipelineError

__all__ = ["main"]

_Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
_DIR = click.Path(file_okay=False, path_type=Path)


def _shared_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options: list[_Decorator] = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help=f"Project configuration file [default: ./{CONFIG_NAME} when present].",
        ),
        click.option(
            "--source", "source_dir", type=_DIR, help="Folder of Korean markdown sources."
        ),
        click.option(
            "--locales", "locales_dir", type=_DIR, help="Folder of templates/ and <lang>/ catalogs."
        ),
        click.option(
            "--source-lang", metavar="CODE", help="Language of the sources [default: ko]."
        ),
        click.option(
            "-l",
            "--lang",
            "languages",
            multiple=True,
            metavar="CODE",
            help="Target language; repeat for several [default: the config's targets].",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _config(overrides: dict[str, Any]) -> Config:
    """The configuration file's settings with command-line flags on top."""
    path = overrides.pop("config_path")
    if path is None and Path(CONFIG_NAME).is_file():
        path = Path(CONFIG_NAME)
    try:
        config = load_config(path, cwd=Path.cwd())
    except PipelineError as error:
        raise click.ClickException(str(error)) from error
    changes: dict[str, Any] = {}
    for name in ("source_dir", "locales_dir", "output_dir"):
        if overrides.get(name) is not None:
            changes[name] = overrides[name].resolve()
    if overrides.get("source_lang"):
        changes["source_lang"] = overrides["source_lang"]
    if overrides.get("languages"):
        changes["languages"] = tuple(overrides["languages"])
    config = dataclasses.replace(config, **changes)
    if not config.languages:
        raise click.UsageError(
            "no target language: pass -l CODE or list them under [languages] targets in "
            + CONFIG_NAME
        )
    return config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="korean-md-l10n")
def main() -> None:
    """Localize Korean markdown through gettext catalogs, byte for byte.

    \b
    l10n extract   sources -> POT templates and PO catalogs per language
    l10n build     sources + PO catalogs -> localized markdown in output/<lang>/
    l10n check     find broken translations in the PO catalogs
    l10n pseudo    fill catalogs with pseudo-translations (try: -l qps)
    """


@main.command()
@_shared_options
def extract(**options: Any) -> None:
    """Write POT templates and update the PO catalogs from the sources.

    Translations whose source text still exists are kept; vanished ones become
    obsolete (#~) entries. Files whose content did not change are not rewritten.
    """
    config = _config(options)
    _report("extract", _run(lambda: commands.extract(config, now=dt.datetime.now(dt.UTC))))


@main.command()
@_shared_options
@click.option("--output", "output_dir", type=_DIR, help="Folder for <lang>/ localized markdown.")
def build(**options: Any) -> None:
    """Write localized markdown for every language into the output folder.

    Untranslated and fuzzy segments keep the Korean source text. Translations go
    through the same checks as `l10n check`: one with an error (a broken link, code,
    shortcode, markup, block structure or front matter) is not used; the build says
    where and why. Fragment links follow translated headings.
    """
    config = _config(options)
    _report("build", _run(lambda: commands.build(config)))


@main.command()
@_shared_options
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON (see README).")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--fuzzy", is_flag=True, help="Also check fuzzy entries.")
def check(as_json: bool, strict: bool, fuzzy: bool, **options: Any) -> None:
    """Check every translated entry of the catalogs against its source text.

    Links, inline code, shortcodes and other placeholders, emphasis, block structure and
    front matter values must survive translation (errors); leftover Hangul, copied
    source text, empty fuzzy entries and stray whitespace are warnings. Exits with 1
    when there are errors (with --strict: any finding).
    """
    config = _config(options)
    try:
        outcomes = list(commands.check(config, fuzzy=fuzzy))
    except PipelineError as error:
        raise click.ClickException(str(error)) from error
    if as_json:
        click.echo(json.dumps(_check_json(outcomes), ensure_ascii=False, indent=2))
    else:
        _echo_check(outcomes)
    findings = [problem for outcome in outcomes for problem in outcome.problems]
    failed = any(outcome.status == "failed" for outcome in outcomes)
    if failed or any(p.severity == "error" or strict for p in findings):
        raise SystemExit(1)


@main.command()
@_shared_options
def pseudo(**options: Any) -> None:
    """Fill the catalogs with pseudo-translations, to see what gets translated.

    Every translatable letter becomes an accented look-alike, the text grows by about
    30% and is wrapped in ⟦ ⟧; code, links, shortcodes and other placeholders are kept.
    Use a pseudo-locale code such as qps (ISO 639 reserves qaa-qtz), then
    `l10n build -l qps`. Existing translations in those catalogs are replaced.
    """
    config = _config(options)
    now = dt.datetime.now(dt.UTC)
    _report("pseudo", _run(lambda: commands.fill_pseudo(config, now=now)))


def _echo_check(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.error is not None:
            click.echo(f"error: {outcome.error}", err=True)
        for problem in outcome.problems:
            click.echo(
                f"{problem.catalog}:{problem.catalog_line}: {problem.severity}: "
                f"{problem.code}: {problem.message} [{problem.path}:{problem.line}]"
            )
    counts = _severities(outcomes)
    checked = [outcome for outcome in outcomes if outcome.status == "checked"]
    failed = sum(outcome.status == "failed" for outcome in outcomes)
    click.echo(
        f"check: {len(checked)} catalog(s), {sum(o.segments for o in checked)} entries: "
        f"{counts['error']} error(s), {counts['warning']} warning(s)"
        + (f", {failed} failed" if failed else "")
    )


def _severities(outcomes: Iterable[Outcome]) -> Counter[str]:
    return Counter(problem.severity for outcome in outcomes for problem in outcome.problems)


def _check_json(outcomes: list[Outcome]) -> dict[str, Any]:
    """The ``--json`` document; its fields are described in the README."""
    counts = _severities(outcomes)
    checked = [outcome for outcome in outcomes if outcome.status == "checked"]
    return {
        "version": 1,
        "summary": {
            "catalogs": len(checked),
            "entries": sum(outcome.segments for outcome in checked),
            "errors": counts["error"],
            "warnings": counts["warning"],
            "failed": sum(outcome.status == "failed" for outcome in outcomes),
        },
        "findings": [_finding_json(p) for outcome in outcomes for p in outcome.problems],
        "failures": [
            {
                "path": outcome.error.path,
                "line": outcome.error.line,
                "message": outcome.error.message,
                "hint": outcome.error.hint,
            }
            for outcome in outcomes
            if outcome.error is not None
        ],
    }


def _finding_json(problem: Problem) -> dict[str, Any]:
    msgctxt, msgid = problem.entry if problem.entry is not None else (None, "")
    return {
        "severity": problem.severity,
        "code": problem.code,
        "message": problem.message,
        "catalog": {"path": problem.catalog, "line": problem.catalog_line},
        "source": {"path": problem.path, "line": problem.line},
        "msgctxt": msgctxt,
        "msgid": msgid,
    }


def _run(outcomes: Callable[[], Iterable[Outcome]]) -> list[Outcome]:
    try:
        return list(_echo_each(outcomes()))
    except PipelineError as error:
        raise click.ClickException(str(error)) from error


def _echo_each(outcomes: Iterable[Outcome]) -> Iterable[Outcome]:
    for outcome in outcomes:
        if outcome.error is not None:
            click.echo(f"error: {outcome.error}", err=True)
        for problem in outcome.problems:
            where = f" [{problem.catalog}:{problem.catalog_line}]" if problem.catalog else ""
            click.echo(f"{problem.severity}: {problem}{where}", err=True)
        yield outcome


def _report(command: str, outcomes: list[Outcome]) -> None:
    counts = Counter(outcome.status for outcome in outcomes)
    severities = _severities(outcomes)
    summary = (
        f"{command}: {counts['written']} written, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed"
    )
    if command == "build":
        summary += (
            f", {severities['error']} translation(s) refused, {severities['warning']} warning(s)"
        )
    click.echo(summary, err=True)
    if counts["failed"]:
        raise SystemExit(1)
