"""Seeded defects: 200 known mistakes injected into translated catalogs of 20 corpus documents.

The clean catalogs come from ``tests.corpus_translations.pseudo``, a translator simulation
written independently of the checks (Hangul → ASCII letters, code, links and shortcodes
kept by regular expressions).  Twenty defects of each kind are injected, each into its own
entry, with a fixed random seed; ``check`` must report at least 98% of them with the
right code and flag at most 1% of the clean entries.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import polib
import pytest

from pipeline import catalog
from pipeline.checks import CODES, CheckOptions, check_catalog
from pipeline.document import Document, Segment, parse_document
from tests.conftest import corpus_files
from tests.corpus_translations import HANGUL, pseudo

SEED = 20240604
DOCUMENTS = 20
PER_KIND = 20
OPTIONS = CheckOptions(language="en")

_LINK = re.compile(r"(?<!!)\[([^\[\]]*)\]\(((?:[^()\s]|\([^()]*\))+)\)")
_CODE = re.compile(r"`([^`]+)`")
_SHORTCODE = re.compile(r"\{\{([<%])\s*([\w/.-]+)")
_HEADING_ID = re.compile(r"\{#([^}\s]+)\}")
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")
_STRONG = re.compile(r"\*\*([^*\s][^*]*[^*\s]|[^*\s])\*\*")
_WORD = re.compile(r"(?<![\w`/\[{<*.-])([A-Za-z]{3,})(?![\w`/\]}>*.-])")
# What a defect in prose must not land in: code, link destinations, tags, shortcodes, URLs.
_PROTECTED = re.compile(
    r"(`+).*?\1|\]\((?:[^()]|\([^()]*\))*\)|<[^<>]*>|\{\{.*?\}\}|\{#[^}]*\}|\w+://\S+", re.S
)
_CODE_SPAN = re.compile(r"(`+).*?\1", re.S)


def _search(
    pattern: re.Pattern[str], text: str, protected: re.Pattern[str]
) -> re.Match[str] | None:
    """The first match of ``pattern`` that does not overlap a ``protected`` region."""
    regions = [m.span() for m in protected.finditer(text)]
    for match in pattern.finditer(text):
        if not any(start < match.end() and match.start() < end for start, end in regions):
            return match
    return None


Injector = Callable[[Segment, str, random.Random], "str | None"]


def _drop_link(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    match = _search(_LINK, msgstr, _CODE_SPAN)
    if match is None:
        return None
    if rng.random() < 0.5:
        return msgstr[: match.start()] + match.group(1) + msgstr[match.end() :]
    return msgstr[: match.end(2)] + "-old" + msgstr[match.end(2) :]


def _break_code(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    match = _CODE.search(msgstr)
    if match is None:
        return None
    code = match.group(1)
    if rng.random() < 0.5 or len(code) < 2:
        return msgstr[: match.start()] + code + msgstr[match.end() :]  # backticks lost
    return msgstr[: match.start(1)] + code[:-1] + msgstr[match.end(1) :]  # typo


def _break_placeholder(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    for pattern, group in ((_SHORTCODE, 2), (_HEADING_ID, 1), (_TAG, 1)):
        match = _search(pattern, msgstr, _CODE_SPAN)
        if match is not None:
            return msgstr[: match.end(group)] + "x" + msgstr[match.end(group) :]
    return None


def _break_markup(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    if not segment.is_markdown:
        return None
    match = _search(_STRONG, msgstr, _PROTECTED)
    if match is not None and rng.random() < 0.5:
        return msgstr[: match.start()] + match.group(1) + msgstr[match.end() :]
    word = _search(_WORD, msgstr, _PROTECTED)
    if word is None:
        return None
    # The Korean-style mistake: **term(original)** glued to the next word does not parse.
    w = word.group(1)
    return msgstr[: word.start()] + f"**{w}({w})**s" + msgstr[word.end() :]


def _inject_block(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    if not segment.is_markdown or " " not in msgstr:
        return None
    spaces = [m.start() for m in re.finditer(" ", msgstr)]
    at = spaces[len(spaces) // 2]
    if segment.kind in ("heading", "table-cell"):
        breaker = "\\\n"
    else:
        breaker = rng.choice(["\n\n", "\\\n- ", "\\\n# ", "\\\n> ", "\n\n1. "])
    return msgstr[:at] + breaker + msgstr[at + 1 :]


def _break_yaml(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    if segment.is_markdown:
        return None
    return msgstr + rng.choice(["\x85", "\x7f", "\ufffe"]) + "x"


def _leave_hangul(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    word = _search(_WORD, msgstr, _PROTECTED)
    if word is None:
        return None
    return (
        msgstr[: word.start()] + rng.choice(["파드", "노드를", "클러스터"]) + msgstr[word.end() :]
    )


def _copy_source(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    return segment.msgid if HANGUL.search(segment.msgid) else None


def _empty_fuzzy(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    return ""


def _stray_whitespace(segment: Segment, msgstr: str, rng: random.Random) -> str | None:
    return rng.choice([" " + msgstr, msgstr + "\n", msgstr + " "])


INJECTORS: dict[str, Injector] = {
    "link-target": _drop_link,
    "code-span": _break_code,
    "placeholder": _break_placeholder,
    "markup": _break_markup,
    "block-injection": _inject_block,
    "yaml": _break_yaml,
    "untranslated-residue": _leave_hangul,
    "same-as-source": _copy_source,
    "empty-fuzzy": _empty_fuzzy,
    "whitespace": _stray_whitespace,
}


@dataclass
class Corpus:
    documents: list[Document]
    catalogs: list[polib.POFile]


def _clean_corpus() -> Corpus:
    files = random.Random(SEED).sample(corpus_files(), DOCUMENTS)
    now = dt.datetime(2024, 6, 4, tzinfo=dt.UTC)
    documents, catalogs = [], []
    for path in files:
        document = parse_document(path.read_text(encoding="utf-8"), path=path.name)
        po = catalog.template(document, reference=path.name, project="seeded", now=now)
        for entry in po:
            entry.msgstr = pseudo(entry.msgid)
        documents.append(document)
        catalogs.append(po)
    return Corpus(documents, catalogs)


def _findings(corpus: Corpus) -> dict[tuple[int, str | None, str], list[str]]:
    """Codes reported per ``(document index, msgctxt, msgid)``."""
    found: dict[tuple[int, str | None, str], list[str]] = {}
    for index, (document, po) in enumerate(zip(corpus.documents, corpus.catalogs, strict=True)):
        for problem in check_catalog(
            po, document=document, catalog=document.path, options=OPTIONS, fuzzy=True
        ):
            assert problem.entry is not None
            found.setdefault((index, *problem.entry), []).append(problem.code)
    return found


def _inject(corpus: Corpus, rng: random.Random) -> dict[tuple[int, str | None, str], str]:
    """Inject PER_KIND defects of each kind, each in a different entry; return what went where."""
    segments = [
        {(s.msgctxt, s.msgid): s for s in document.segments} for document in corpus.documents
    ]
    entries = [
        (index, entry) for index, po in enumerate(corpus.catalogs) for entry in po if entry.msgstr
    ]
    injected: dict[tuple[int, str | None, str], str] = {}
    for code, injector in INJECTORS.items():
        candidates = entries[:]
        rng.shuffle(candidates)
        count = 0
        for index, entry in candidates:
            key = (index, entry.msgctxt, entry.msgid)
            if key in injected:
                continue
            segment = segments[index][(entry.msgctxt, entry.msgid)]
            broken = injector(segment, entry.msgstr, rng)
            if broken is None or broken == entry.msgstr:
                continue
            entry.msgstr = broken
            if code == "empty-fuzzy":
                entry.flags.insert(0, "fuzzy")
            injected[key] = code
            count += 1
            if count == PER_KIND:
                break
        assert count == PER_KIND, f"only {count} entries can take a {code} defect"
    return injected


def _table(rows: dict[str, Counter[str]]) -> str:
    columns = [*CODES, "missed"]
    short = {code: code.split("-")[0][:6] for code in columns}
    header = f"{'injected':<22}" + "".join(f"{short[c]:>8}" for c in columns)
    lines = [header, "-" * len(header)]
    for code in CODES:
        lines.append(f"{code:<22}" + "".join(f"{rows[code][c]:>8}" for c in columns))
    return "\n".join(lines)


def test_seeded_defects_are_found_with_the_right_code(capsys: pytest.CaptureFixture[str]) -> None:
    clean = _clean_corpus()
    total = sum(len(po) for po in clean.catalogs)
    false_positives = _findings(clean)
    corpus = _clean_corpus()
    injected = _inject(corpus, random.Random(SEED))
    found = _findings(corpus)

    rows: dict[str, Counter[str]] = {code: Counter() for code in CODES}
    for key, code in injected.items():
        codes = set(found.get(key, []))
        rows[code].update(codes or {"missed"})
    right = sum(code in found.get(key, []) for key, code in injected.items())
    flagged_clean = {key for key in false_positives}
    with capsys.disabled():
        print(f"\n\nSeeded defects (seed {SEED}): {DOCUMENTS} documents, {total} entries")
        print("Each row: the codes reported on the entries given that defect\n")
        print(_table(rows))
        print(f"\nfound with the right code: {right}/{len(injected)}")
        print(f"clean entries flagged: {len(flagged_clean)}/{total}")
        for key, codes in false_positives.items():
            print(f"  {corpus.documents[key[0]].path}: {codes}: {key[2][:60]!r}")

    assert len(injected) == PER_KIND * len(INJECTORS) == 200
    assert right / len(injected) >= 0.98
    assert len(flagged_clean) / total <= 0.01
