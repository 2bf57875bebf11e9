"""Benchmark projects: N documents made by repeating the shared Korean corpus under new names."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def corpus_documents(corpus: Path = CORPUS) -> list[tuple[str, Path]]:
    """The corpus's markdown documents as ``(relative name, path)``, in a fixed order."""
    documents = sorted(path for path in corpus.rglob("*.md") if "content" in path.parts)
    if not documents:
        raise SystemExit(f"no corpus documents under {corpus}")
    return [(_name(path), path) for path in documents]


def _name(path: Path) -> str:
    """``content/ko/docs/x.md`` -> ``docs/x.md``: the path below the language folder."""
    parts = path.parts
    return "/".join(parts[parts.index("content") + 2 :])


def copy_documents(folder: Path, count: int, corpus: Path = CORPUS) -> list[str]:
    """Fill ``folder`` with ``count`` documents; the relative names written, in order.

    The first pass uses the corpus names; pass ``k`` (from 1) puts its copies under
    ``copy-k/``, so every document is a real page under a new name.
    """
    documents = corpus_documents(corpus)
    names = []
    for index in range(count):
        name, path = documents[index % len(documents)]
        copy = index // len(documents)
        name = f"copy-{copy}/{name}" if copy else name
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        names.append(name)
    return names


def make_project(root: Path, count: int, languages: list[str]) -> Path:
    """An l10n project of ``count`` documents translated into ``languages``."""
    copy_documents(root / "source", count)
    targets = ", ".join(f'"{code}"' for code in languages)
    (root / "l10n.toml").write_text(
        f'[project]\nname = "bench"\n[languages]\ntargets = [{targets}]\n', encoding="utf-8"
    )
    return root
