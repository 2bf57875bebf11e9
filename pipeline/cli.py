"""The ``l10n`` command line: options, file system, and everything printed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from pipeline import commands
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

    Untranslated and fuzzy segments keep the Korean source text. A translation that
    would break a link, the front matter or the block structure is not used; the build
    says where and why.
    """
    config = _config(options)
    _report("build", _run(lambda: commands.build(config)))


def _run(outcomes: Callable[[], Iterable[Outcome]]) -> list[Outcome]:
    try:
        return list(_echo_each(outcomes()))
    except PipelineError as error:
        raise click.ClickException(str(error)) from error


def _echo_each(outcomes: Iterable[Outcome]) -> Iterable[Outcome]:
    for outcome in outcomes:
        if outcome.error is not None:
            label = "warning" if outcome.status == "skipped" else "error"
            click.echo(f"{label}: {outcome.error}", err=True)
        for problem in outcome.problems:
            click.echo(f"warning: {problem}", err=True)
        yield outcome


def _report(command: str, outcomes: list[Outcome]) -> None:
    counts = Counter(outcome.status for outcome in outcomes)
    refused = sum(len(outcome.problems) for outcome in outcomes)
    summary = (
        f"{command}: {counts['written']} written, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed"
    )
    if counts["skipped"]:
        summary += f", {counts['skipped']} skipped"
    if command == "build":
        summary += f", {refused} translation(s) refused"
    click.echo(summary, err=True)
    if counts["failed"]:
        raise SystemExit(1)
