"""The ``l10n`` command line: options, file system, and everything printed."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from pipeline import commands
from pipeline.cache import CACHE_DIR, Cache
from pipeline.commands import Outcome
from pipeline.config import CONFIG_NAME, Config, load_config
from pipeline.errors import PipelineError
from pipeline.scheduler import default_jobs

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
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            metavar="N",
            help="Worker processes [default: the number of CPUs]. Output does not depend on it.",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            help=f"Redo every document, ignoring and not updating {CACHE_DIR}/.",
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
    jobs, use_cache = _execution(options)
    config = _config(options)
    now = dt.datetime.now(dt.UTC)
    _run_command(
        "extract",
        config,
        use_cache,
        lambda store, progress: commands.extract(
            config, now=now, jobs=jobs, cache=store, progress=progress
        ),
    )


@main.command()
@_shared_options
@click.option("--output", "output_dir", type=_DIR, help="Folder for <lang>/ localized markdown.")
def build(**options: Any) -> None:
    """Write localized markdown for every language into the output folder.

    Untranslated and fuzzy segments keep the Korean source text. A translation that
    would break a link, the front matter or the block structure is not used; the build
    says where and why.
    """
    jobs, use_cache = _execution(options)
    config = _config(options)
    _run_command(
        "build",
        config,
        use_cache,
        lambda store, progress: commands.build(config, jobs=jobs, cache=store, progress=progress),
    )


_Start = Callable[[Cache | None, commands.Progress | None], Iterable[Outcome]]


def _execution(options: dict[str, Any]) -> tuple[int, bool]:
    """Take ``--jobs`` (default: the CPU count) and ``--no-cache`` out of ``options``."""
    return options.pop("jobs") or default_jobs(), not options.pop("no_cache")


def _run_command(command: str, config: Config, use_cache: bool, start: _Start) -> None:
    """Run a command with its cache and progress bar, print its messages, then the summary."""
    counts: Counter[str] = Counter()
    refused = 0
    with (
        Cache(config.root / CACHE_DIR) if use_cache else contextlib.nullcontext() as cache,
        _ProgressBar(command) as bar,
    ):
        try:
            for outcome in start(cache, bar.update if bar.active else None):
                counts[outcome.status] += 1
                refused += len(outcome.problems)
                bar.echo(_messages(outcome))
        except PipelineError as error:
            raise click.ClickException(str(error)) from error
    _report(command, counts, refused)


def _messages(outcome: Outcome) -> Iterator[str]:
    if outcome.error is not None:
        yield f"error: {outcome.error}"
    for problem in outcome.problems:
        yield f"warning: {problem}"


def _stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


class _ProgressBar:
    """``extract  [#####.....]  57/129 documents  31.2/s`` on a terminal's stderr.

    Without a terminal (CI, pipes) it shows nothing: only messages and the summary are
    printed.  Messages are printed above the bar, which is redrawn at most ten times a
    second and erased at the end.  Plain carriage returns and spaces, no escape codes.
    """

    _WIDTH = 24

    def __init__(self, command: str) -> None:
        self.command = command
        self.active = _stderr_is_terminal()
        self._started = time.monotonic()
        self._drawn = 0.0
        self._line = ""

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._drawn < 0.1:
            return
        self._drawn = now
        filled = self._WIDTH * done // max(total, 1)
        rate = done / max(now - self._started, 1e-9)
        line = (
            f"{self.command}  [{'#' * filled}{'.' * (self._WIDTH - filled)}]  "
            f"{done}/{total} documents  {rate:.1f}/s"
        )
        click.echo("\r" + line.ljust(len(self._line)), nl=False, err=True)
        self._line = line

    def echo(self, messages: Iterable[str]) -> None:
        for message in messages:
            self._erase()
            click.echo(message, err=True)
            if self._line:
                click.echo(self._line, nl=False, err=True)

    def _erase(self) -> None:
        if self._line:
            click.echo("\r" + " " * len(self._line) + "\r", nl=False, err=True)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._erase()


def _report(command: str, counts: Counter[str], refused: int) -> None:
    summary = (
        f"{command}: {counts['written']} written, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed"
    )
    if command == "build":
        summary += f", {refused} translation(s) refused"
    click.echo(summary, err=True)
    if counts["failed"]:
        raise SystemExit(1)
