"""The runs over a project, one outcome per file: what the tests and library users call.

A facade; each run lives in a module of its own (the CLI imports only the one its
command runs, so ``l10n extract`` does not load the build's checks and splicer):

- :mod:`pipeline.runs`: what every run shares: the scheduler side (lock, stale
  temporaries, symbolic links, cache records, worker processes, outcomes in document
  order) and the helpers every task uses (reading, parsing, writing, paths shown
  relative to the project); :class:`Outcome` and :data:`Progress`.
- :mod:`pipeline.extract_run`: :func:`extract`, with the translation memory snapshot
  and the compendia.
- :mod:`pipeline.build_run`: :func:`build`, with the checks, the publishing thresholds
  and the cross-document heading anchors.
- :mod:`pipeline.check_run`: :func:`check`, :func:`check_options` and
  :func:`fill_pseudo`.
- :mod:`pipeline.stats_run`: :func:`stats` and its :class:`Report`.
"""

from __future__ import annotations

from pipeline.build_run import build
from pipeline.check_run import check, check_options, fill_pseudo
from pipeline.extract_run import extract
from pipeline.runs import Outcome, Progress
from pipeline.stats_run import Report, stats

__all__ = [
    "Outcome",
    "Progress",
    "Report",
    "build",
    "check",
    "check_options",
    "extract",
    "fill_pseudo",
    "stats",
]
