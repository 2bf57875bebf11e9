"""The check and pseudo runs: every catalog checked, or filled with pseudo-translations."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline import catalog, checks, pofile, pseudo, runs
from pipeline.checks import CheckOptions
from pipeline.config import Config
from pipeline.document import Document
from pipeline.errors import PipelineError
from pipeline.extract_run import catalog_width
from pipeline.runs import Done, Input, Outcome, Place, Progress, Run
from pipeline.workspace import Layout, decode_catalog

__all__ = ["check", "check_options", "fill_pseudo"]


def check_options(config: Config, code: str) -> CheckOptions:
    """The check settings of ``config`` for target language ``code``."""
    return CheckOptions(
        language=code,
        text_params=config.text_params,
        patterns=tuple(re.compile(pattern) for pattern in config.placeholder_patterns),
        url_map=dict(config.url_maps.get(code, {})),
    )


def check(config: Config, *, fuzzy: bool = False, jobs: int = 1) -> Iterator[Outcome]:
    """Check every catalog of every source document; one outcome per catalog.

    Only translated entries are checked, fuzzy ones too with ``fuzzy``.  A document or
    catalog that cannot be read fails alone; a missing catalog has nothing to check.
    """
    for code in config.languages:
        catalog.language_info(code)
    task = functools.partial(_check_document, Run(config, ""), fuzzy)
    # Catalogs are replaced atomically, so reading them needs no lock.
    return runs.run(
        "check", config, None, lambda _sources: task, jobs=jobs, cache=None, progress=None
    )


def _check_document(run: Run, fuzzy: bool, item: tuple[Path, Any, runs.Files]) -> Done:
    rel, _, _ = item
    config, layout = run.config, runs.layout(run.config)
    source, document = _source(config, layout, rel)
    if document is None:
        return Done((Outcome(source.display, "failed", source.error),), None)
    outcomes = []
    for code in config.languages:
        target = runs.target(config, layout, code, rel)
        try:
            if target.catalog.error is not None:
                raise target.catalog.error
            po = decode_catalog(target.catalog.data, display=target.catalog.display)
        except PipelineError as error:
            outcomes.append(Outcome(target.catalog.display, "failed", error))
            continue
        if po is None:
            continue
        options = check_options(config, code)
        problems = checks.check_catalog(
            po, document=document, catalog=target.catalog.display, options=options, fuzzy=fuzzy
        )
        entries = sum(1 for entry in po if not entry.obsolete)
        outcome = Outcome(
            target.catalog.display, "checked", problems=tuple(problems), segments=entries
        )
        outcomes.append(outcome)
    return Done(tuple(outcomes), None)


def fill_pseudo(
    config: Config, *, now: dt.datetime, jobs: int = 1, progress: Progress | None = None
) -> Iterator[Outcome]:
    """Write, for every language, a catalog of pseudo-translations of every source entry.

    The catalog is updated from the sources as ``extract`` would, then every entry gets
    its pseudo-translation (see :mod:`pipeline.pseudo`).
    """
    languages = tuple(catalog.language_info(code) for code in config.languages)
    task = functools.partial(_pseudo_document, Run(config, "", now, languages))
    folders = [config.locales_dir / code for code in config.languages]
    place = Place(config.locales_dir, folders)
    return runs.run(
        "pseudo", config, place, lambda _sources: task, jobs=jobs, cache=None, progress=progress
    )


def _pseudo_document(run: Run, item: tuple[Path, Any, runs.Files]) -> Done:
    rel, _, _ = item
    config, layout = run.config, runs.layout(run.config)
    source, document = _source(config, layout, rel)
    if document is None:
        return Done((Outcome(source.display, "failed", source.error),), None)
    assert run.now is not None
    pot = catalog.template(document, reference=source.display, project=config.project, now=run.now)
    outcomes = []
    for language in run.languages:
        target = runs.target(config, layout, language.code, rel)
        po_file = target.catalog
        try:
            if po_file.error is not None or po_file.path is None:
                raise po_file.error or PipelineError("refused path", path=po_file.display)
            old = decode_catalog(po_file.data, display=po_file.display)
        except PipelineError as error:
            outcomes.append(Outcome(po_file.display, "failed", error))
            continue
        po = catalog.update(pot, old, language=language, now=run.now)
        options = check_options(config, language.code)
        pseudo.fill_catalog(
            po, env=document.env, text_params=options.text_params, patterns=options.patterns
        )
        text = pofile.format_po(po, width=catalog_width(config, po_file.data, old))
        outcomes.append(runs.write(config, po_file.path, text))
    return Done(tuple(outcomes), None)


def _source(config: Config, layout: Layout, rel: Path) -> tuple[Input, Document | None]:
    """The source file of ``rel`` and its parse; no parse when it cannot be read or
    parsed, and then the returned input carries the error."""
    source = runs.read(config, lambda: layout.source(rel), lambda: config.source_dir / rel)
    if source.error is not None:
        return source, None
    try:
        return source, runs.parse(config, rel, source.data)
    except PipelineError as error:
        return dataclasses.replace(source, error=error), None
