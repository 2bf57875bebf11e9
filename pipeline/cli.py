"""The ``l10n`` command line: options, file system, and everything printed."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline.cache import CACHE_DIR, Cache
from pipeline.config import CONFIG_NAME, MIN_WIDTH, Config, load_config
from pipeline.errors import PipelineError
from pipeline.scheduler import default_jobs

# A command imports its run module when it starts (``l10n extract`` never loads the
# build's checks and splicer, ``--help`` neither), and rich only where a table is drawn.
if TYPE_CHECKING:
    import rich.table
    import rich.text

    from pipeline.checks import Problem
    from pipeline.runs import Outcome
    from pipeline.runs import Progress as Callback
    from pipeline.stats import Progress
    from pipeline.stats_run import Report

    _Start = Callable[[Cache | None, Callback | None], Iterable[Outcome]]

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
    changes.update(_catalog_overrides(overrides))
    if overrides.get("min_translated") is not None:
        changes["min_translated"] = overrides["min_translated"]
        changes["min_translated_by_language"] = ()
    config = dataclasses.replace(config, **changes)
    if not config.languages:
        raise click.UsageError(
            "no target language: pass -l CODE or list them under [languages] targets in "
            + CONFIG_NAME
        )
    return config


def _catalog_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    """Config changes from extract's catalog options (absent options change nothing)."""
    changes: dict[str, Any] = {}
    if overrides.get("no_wrap"):
        changes["width"] = 0
    elif overrides.get("width") is not None:
        changes["width"] = overrides["width"]
    if overrides.get("compendia"):
        changes["compendia"] = tuple(path.resolve() for path in overrides["compendia"])
    if overrides.get("memory") is not None:
        changes["translation_memory"] = overrides["memory"]
    if overrides.get("purge_after") is not None:
        changes["purge_obsolete_after"] = overrides["purge_after"]
    return changes


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="korean-md-l10n")
def main() -> None:
    """Localize Korean markdown through gettext catalogs, byte for byte.

    \b
    l10n extract   sources -> POT templates and PO catalogs per language
    l10n build     sources + PO catalogs -> localized markdown in output/<lang>/
    l10n stats     translated, fuzzy and untranslated messages and words
    l10n check     find broken translations in the PO catalogs
    l10n pseudo    fill catalogs with pseudo-translations (try: -l qps)
    """


@main.command()
@_shared_options
@click.option(
    "--width",
    type=click.IntRange(min=MIN_WIDTH),
    metavar="N",
    help="Wrap catalogs as msgcat --width=N does [default: keep each catalog's style].",
)
@click.option("--no-wrap", is_flag=True, help="Write catalogs unwrapped, as msgcat --no-wrap.")
@click.option(
    "--compendium",
    "compendia",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="PO file of reviewed translations to pre-fill from; repeat for several.",
)
@click.option(
    "--memory/--no-memory",
    default=None,
    help="Pre-fill new entries from the language's other catalogs [default: on].",
)
@click.option(
    "--purge-obsolete-after",
    "purge_after",
    type=click.IntRange(min=0),
    metavar="N",
    help="Drop obsolete entries N source changes after they went obsolete [default: never].",
)
def extract(**options: Any) -> None:
    """Write POT templates and update the PO catalogs from the sources.

    Translations whose source text still exists are kept. An edited message gets the
    translation of the most similar old one, marked fuzzy with the old msgid (#|), as
    msgmerge --previous does; vanished ones become obsolete (#~) entries and come back
    when their text does. Files whose content did not change are not rewritten.
    """
    from pipeline.extract_run import extract as run

    jobs, use_cache = _execution(options)
    config = _config(options)
    now = dt.datetime.now(dt.UTC)
    _run_command(
        "extract",
        config,
        use_cache,
        lambda store, progress: run(config, now=now, jobs=jobs, cache=store, progress=progress),
    )


@main.command()
@_shared_options
@click.option("--output", "output_dir", type=_DIR, help="Folder for <lang>/ localized markdown.")
@click.option(
    "--min-translated",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="Skip (and remove the output of) documents with less than PCT% of their source "
    "words translated [default: the config's, else 0].",
)
def build(**options: Any) -> None:
    """Write localized markdown for every language into the output folder.

    Untranslated and fuzzy segments keep the Korean source text. Translations go
    through the same checks as `l10n check`: one with an error (a broken link, code,
    shortcode, markup, block structure or front matter) is not used; the build says
    where and why. Fragment links follow translated headings.
    """
    from pipeline.build_run import build as run

    jobs, use_cache = _execution(options)
    config = _config(options)
    _run_command(
        "build",
        config,
        use_cache,
        lambda store, progress: run(config, jobs=jobs, cache=store, progress=progress),
    )


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
    from pipeline.check_run import check as run

    jobs, _ = _execution(options)
    config = _config(options)
    try:
        outcomes = list(run(config, fuzzy=fuzzy, jobs=jobs))
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
    from pipeline.check_run import fill_pseudo

    jobs, _ = _execution(options)
    config = _config(options)
    now = dt.datetime.now(dt.UTC)
    _run_command(
        "pseudo",
        config,
        False,
        lambda store, progress: fill_pseudo(config, now=now, jobs=jobs, progress=progress),
    )


def _echo_check(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.error is not None:
            click.echo(f"error: {outcome.error}", err=True)
        if outcome.status == "skipped":
            click.echo(f"skipped: {outcome.path}: {outcome.note}", err=True)
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


def _execution(options: dict[str, Any]) -> tuple[int, bool]:
    """Take ``--jobs`` (default: the CPU count) and ``--no-cache`` out of ``options``."""
    return options.pop("jobs") or default_jobs(), not options.pop("no_cache")


@main.command()
@_shared_options
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead.")
def stats(as_json: bool, **options: Any) -> None:
    """Show translated, fuzzy and untranslated messages and source words per document.

    Words are counted in the text a reader sees, split at spaces (Korean eojeol).
    The exit code is 0 however little is translated; it is 1 only when a document or
    catalog cannot be read.
    """
    from pipeline.stats_run import stats as run

    config = _config(options)
    try:
        reports = list(run(config))
    except PipelineError as error:
        raise click.ClickException(str(error)) from error
    for report in reports:
        if report.error is not None:
            click.echo(f"error: {report.error}", err=True)
    if as_json:
        click.echo(json.dumps(_stats_json(reports), ensure_ascii=False, indent=2))
    else:
        import rich.console

        rich.console.Console().print(_stats_table(reports))
    if any(report.error is not None for report in reports):
        raise SystemExit(1)


def _stats_json(reports: list[Report]) -> dict[str, Any]:
    """``{"documents": [...], "languages": {code: totals}}``; see the README for fields."""
    documents = [
        {"document": r.document, "language": r.language, **r.progress.as_dict()}
        for r in reports
        if r.progress is not None
    ]
    return {
        "documents": documents,
        "languages": {code: total.as_dict() for code, total in _totals(reports).items()},
        "errors": [str(r.error) for r in reports if r.error is not None],
    }


def _totals(reports: list[Report]) -> dict[str, Progress]:
    from pipeline.stats import Progress

    totals: dict[str, Progress] = {}
    for report in reports:
        if report.progress is not None:
            totals[report.language] = totals.get(report.language, Progress()) + report.progress
    return totals


_BAR_WIDTH = 10


def _bar(progress: Progress) -> rich.text.Text:
    """Translated (green), fuzzy (yellow) and untranslated (dim) words as one bar."""
    import rich.text

    total = progress.total.words or 1
    done = round(_BAR_WIDTH * progress.translated.words / total)
    fuzzy = min(round(_BAR_WIDTH * progress.fuzzy.words / total), _BAR_WIDTH - done)
    bar = rich.text.Text("█" * done, style="green")
    bar.append("█" * fuzzy, style="yellow")
    bar.append("░" * (_BAR_WIDTH - done - fuzzy), style="dim")
    return bar


def _stats_table(reports: list[Report]) -> rich.table.Table:
    """Per language: one row per document, then the language's total row."""
    import rich.box
    import rich.table

    table = rich.table.Table(
        title="Translation progress: messages / source words",
        box=rich.box.SIMPLE,
        pad_edge=False,
    )
    table.add_column("lang", no_wrap=True)
    table.add_column("document", overflow="fold", min_width=20)
    for name in ("translated", "fuzzy", "untranslated"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("words %", justify="right", no_wrap=True)
    table.add_column("progress", no_wrap=True)
    totals = _totals(reports)
    for code in sorted(totals):
        rows = sorted((r for r in reports if r.progress and r.language == code), key=str)
        for report in rows:
            assert report.progress is not None
            table.add_row(code, report.document, *_cells(report.progress))
        table.add_row(code, "[b]total[/b]", *_cells(totals[code]), end_section=True)
    return table


def _cells(progress: Progress) -> list[str | rich.text.Text]:
    counts = (progress.translated, progress.fuzzy, progress.untranslated)
    cells: list[str | rich.text.Text] = [f"{c.messages} / {c.words}" for c in counts]
    return [*cells, f"{progress.percent:.1f}%", _bar(progress)]


def _run_command(command: str, config: Config, use_cache: bool, start: _Start) -> None:
    """Run a command with its cache and progress bar, print its messages, then the summary."""
    counts: Counter[str] = Counter()
    severities: Counter[str] = Counter()
    with (
        Cache(config.root / CACHE_DIR) if use_cache else contextlib.nullcontext() as cache,
        _ProgressBar(command) as bar,
    ):
        try:
            for outcome in start(cache, bar.update if bar.active else None):
                counts[outcome.status] += 1
                severities.update(problem.severity for problem in outcome.problems)
                bar.echo(_messages(outcome))
        except PipelineError as error:
            raise click.ClickException(str(error)) from error
    _report(command, counts, severities)


def _messages(outcome: Outcome) -> Iterator[str]:
    if outcome.error is not None:
        yield f"error: {outcome.error}"
    for problem in outcome.problems:
        where = f" [{problem.catalog}:{problem.catalog_line}]" if problem.catalog else ""
        yield f"{problem.severity}: {problem}{where}"
    if outcome.status == "skipped":
        yield f"skipped: {outcome.path}: {outcome.note}"


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
        self._pending: list[str] = []
        self._flushed = self._started

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
        if not self.active:
            # Without a terminal, lines go out in blocks: click.echo flushes every call,
            # and a cached build repeats thousands of warnings.
            self._pending.extend(messages)
            if len(self._pending) >= 256 or time.monotonic() - self._flushed > 0.5:
                self._flush()
            return
        for message in messages:
            self._erase()
            click.echo(message, err=True)
            if self._line:
                click.echo(self._line, nl=False, err=True)

    def _flush(self) -> None:
        if self._pending:
            click.echo("\n".join(self._pending), err=True)
            self._pending.clear()
        self._flushed = time.monotonic()

    def _erase(self) -> None:
        if self._line:
            click.echo("\r" + " " * len(self._line) + "\r", nl=False, err=True)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._flush()
        self._erase()


def _report(command: str, counts: Counter[str], severities: Counter[str]) -> None:
    summary = (
        f"{command}: {counts['written']} written, {counts['unchanged']} unchanged, "
        f"{counts['failed']} failed"
    )
    if command == "build":
        summary += (
            f", {counts['skipped']} skipped, {severities['error']} translation(s) refused, "
            f"{severities['warning']} warning(s)"
        )
    elif counts["skipped"]:  # symbolic links in the sources
        summary += f", {counts['skipped']} skipped"
    click.echo(summary, err=True)
    if counts["failed"]:
        raise SystemExit(1)
