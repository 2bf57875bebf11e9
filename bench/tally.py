"""Count what a tool produced: catalogs, messages, translated messages, outputs, changed outputs.

    python bench/tally.py PROJECT CATALOGS OUTPUTS

Prints the five numbers as JSON.  Run as its own process by ``bench/run.py``, so that
parsing thousands of catalogs does not grow the benchmark process: a child's peak RSS
as the kernel reports it starts from the size of the process it was forked from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polib


def tally(project: Path, catalogs: str, outputs: str) -> list[int]:
    """``[catalogs, current messages, translated, outputs, outputs differing from source]``."""
    paths = sorted((project / catalogs).rglob("*.po"))
    entries = translated = 0
    for path in paths:
        current = [entry for entry in polib.pofile(str(path)) if not entry.obsolete and entry.msgid]
        entries += len(current)
        translated += sum(1 for entry in current if entry.translated())
    made = sorted((project / outputs).rglob("*.md"))
    source = project / "source"
    changed = sum(
        1
        for path in made
        if path.read_bytes() != (source / path.relative_to(project / outputs)).read_bytes()
    )
    return [len(paths), entries, translated, len(made), changed]


if __name__ == "__main__":
    print(json.dumps(tally(Path(sys.argv[1]), sys.argv[2], sys.argv[3])))
