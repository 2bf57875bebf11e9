"""mdpo through its Python API, one process for a whole folder (its fastest way).

Run with the bench venv's Python (``.venv-bench``), which has mdpo:

    python bench/competitors.py mdpo-extract SOURCE_DIR PO_DIR
    python bench/competitors.py mdpo-build SOURCE_DIR PO_DIR OUTPUT_DIR

One PO file per markdown file, as our pipeline writes, with mdpo's default options.
mdpo's own command line (``md2po``/``po2md``) starts one process per file; calling its
API in a single process is several times faster, so that is what we compare with.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _documents(source: Path) -> list[Path]:
    return sorted(path for path in source.rglob("*.md") if path.is_file())


def extract(source: Path, catalogs: Path) -> None:
    from mdpo.md2po import markdown_to_pofile

    for path in _documents(source):
        po = catalogs / path.relative_to(source).with_suffix(".po")
        po.parent.mkdir(parents=True, exist_ok=True)
        markdown_to_pofile(str(path), save=True, po_filepath=str(po))


def build(source: Path, catalogs: Path, output: Path) -> None:
    from mdpo.po2md import pofile_to_markdown

    for path in _documents(source):
        po = catalogs / path.relative_to(source).with_suffix(".po")
        target = output / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        pofile_to_markdown(str(path), str(po), save=str(target))


if __name__ == "__main__":
    command, *folders = sys.argv[1:]
    if command == "mdpo-extract":
        extract(*map(Path, folders))
    elif command == "mdpo-build":
        build(*map(Path, folders))
    else:
        raise SystemExit(f"unknown command {command!r}")
