"""Fuzzing extract and build with mutated corpus markdown, random translations and broken PO.

Whatever the input, a run may report errors but must never raise, never hang (each
document has a time bound) and, on identity, must give back the source byte for byte;
with any translations, the output keeps the source's block structure.  Examples are
random locally and fixed in CI (``CI`` set), a fixed number each time.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from pipeline import commands, pofile
from pipeline.config import Config
from pipeline.document import parse_document, structure
from pipeline.errors import PipelineError
from tests.conftest import corpus_files
from tests.corpus_translations import HOSTILE_INJECTIONS, hostile, pseudo

NOW = dt.datetime(2026, 11, 29, 6, 24, tzinfo=dt.UTC)
#: Seconds one document may take through extract and three builds.  A document takes
#: about 0.1 s; the bound only turns a hang into a failure.
TIME_BOUND = 20
GOOD = "# 다른 문서\n\n이 문서는 항상 처리되어야 한다.\n"
FILES = [path for path in corpus_files() if path.stat().st_size < 12_000]

SNIPPETS = [
    "\n- ",
    "\n1. ",
    "\n> ",
    "\n    ",
    "\n```\n",
    "\n~~~",
    "\n---\n",
    "\n***\n",
    "\n===\n",
    "|",
    "\n| 가 | 나 |\n|---|---|\n",
    "\\|",
    "<div>",
    "</div>\n",
    "<!--",
    "-->",
    "[",
    "](",
    "](/ko/docs/)",
    "![그림](",
    "[참조]: /url\n",
    "{{< note >}}",
    "{{% /tab %}}",
    "\n# ",
    "\n###### ",
    " #",
    "*",
    "**",
    "_",
    "`",
    "\\",
    "  \n",
    "\n\n",
    "\r",
    "\r\n",
    "\t",
    "\ufeff",
    "\u200b",
    "\u00a0",
    "\u2028",
    "\x0b",
    "&amp;",
    "<https://k8s.io>",
    "파드",
    "노드는 클러스터를",
    "\u1111\u1161\u1103\u1173",  # 파드, decomposed (NFD)
    "\n---\ntitle: [\n",
    "title: '",
    ": ",
    "&anchor ",
    "*anchor",
    "+++",
    "...",
]


@st.composite
def mutated_markdown(draw: st.DrawFn) -> bytes:
    """A corpus document with a few insertions, deletions, duplications or cuts."""
    text = draw(st.sampled_from(FILES)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["insert", "insert", "delete", "duplicate", "cut", "nest"]))
        # Most mutations spare the front matter: nearly any change there is a YAML error.
        body = text.find("\n---", 3) + 4 if text.startswith("---") else 0
        at = draw(st.integers(body if draw(st.integers(0, 3)) else 0, max(body, len(text))))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(SNIPPETS)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 300)) :]
        elif kind == "duplicate":
            text = text[:at] + text[at : at + draw(st.integers(1, 300))] + text[at:]
        elif kind == "cut":
            text = text[:at]
        else:  # put the line under more containers
            start = text.rfind("\n", 0, at) + 1
            prefix = draw(st.sampled_from(["> ", "- ", "  ", "1. ", "> - "])) * draw(
                st.integers(1, 60)
            )
            text = text[:start] + prefix + text[start:]
    data = text.encode("utf-8")
    if draw(st.integers(0, 19)) == 13:  # sometimes not UTF-8 at all (1 in 20)
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\x00", b"\xed\xa0\x80"])) + data[at:]
    return data


random_markdown = st.lists(
    st.sampled_from(SNIPPETS) | st.text(max_size=12), min_size=1, max_size=40
).map(lambda parts: "".join(parts).encode("utf-8"))

Translate = st.sampled_from(
    ["none", "identity", "pseudo", "hostile", "random", "append", "strip-links"]
)


def _translate(kind: str, msgid: str, noise: str, injection: str) -> str:
    if kind == "identity":
        return msgid
    if kind == "pseudo":
        return pseudo(msgid)
    if kind == "hostile":
        return hostile(injection, new_line=len(noise) % 2 == 1)(msgid)
    if kind == "random":
        return noise
    if kind == "append":
        return msgid + noise
    if kind == "strip-links":
        return msgid.replace("](", "] (")
    return ""


class Hang(Exception):
    """A document took longer than :data:`TIME_BOUND`."""


@contextmanager
def _time_bound(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"over {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _project(root: Path, data: bytes) -> Config:
    (root / "source").mkdir()
    (root / "source" / "doc.md").write_bytes(data)
    (root / "source" / "good.md").write_text(GOOD, encoding="utf-8")
    return Config(
        root=root,
        languages=("en",),
        source_dir=root / "source",
        locales_dir=root / "locales",
        output_dir=root / "output",
    )


def _outcomes(config: Config, command: str) -> dict[str, commands.Outcome]:
    if command == "extract":
        found = list(commands.extract(config, now=NOW))
    else:
        found = list(commands.build(config))
    good = [o for o in found if "good" in o.path]
    assert good and all(o.status != "failed" for o in good), "another document was affected"
    return {o.path: o for o in found}


def _fill(catalog: Path, translate: object) -> None:
    po = pofile.parse_po(catalog.read_text(encoding="utf-8"), path=str(catalog))
    for number, entry in enumerate(po):
        entry.msgstr = translate(number, entry.msgid)  # type: ignore[operator]
    catalog.write_text(pofile.format_po(po), encoding="utf-8")


def _check_document(data: bytes, translations: list[tuple[str, str, str]]) -> None:
    """Extract, identity build, random build, broken-catalog runs; the laws in the docstring."""
    with tempfile.TemporaryDirectory() as folder, _time_bound(TIME_BOUND):
        config = _project(Path(folder), data)
        extracted = _outcomes(config, "extract")
        catalog = config.locales_dir / "en" / "doc.po"
        output = config.output_dir / "en" / "doc.md"
        if "source/doc.md" in extracted:  # only a failure is reported by the source's name
            assert extracted["source/doc.md"].status == "failed"
            assert isinstance(extracted["source/doc.md"].error, PipelineError)
            assert not catalog.exists()
            event(f"extract refused: {extracted['source/doc.md'].error.message[:40]}")
            return
        _fill(catalog, lambda number, msgid: msgid)
        _outcomes(config, "build")
        assert output.read_bytes() == data  # identity: byte for byte
        source = data.decode("utf-8")

        def translate(number: int, msgid: str) -> str:
            kind, noise, injection = translations[number % len(translations)]
            return _translate(kind, msgid, noise, injection)

        _fill(catalog, translate)
        built = _outcomes(config, "build")["output/en/doc.md"]
        assert built.status != "failed"
        event(f"translations refused: {min(len(built.problems), 3)}+")
        event(f"segments translated: {min(built.translated // 10 * 10, 50)}+")
        text = output.read_text(encoding="utf-8")
        assert structure(text) == structure(source)
        parse_document(text)  # the front matter still loads
        _check_broken_catalog(config, catalog, translations[0][1])


def _check_broken_catalog(config: Config, catalog: Path, noise: str) -> None:
    """Mutate the catalog text: runs fail or succeed, but never raise or overwrite it."""
    lines = catalog.read_text(encoding="utf-8").split("\n")
    at = len(noise) * 7919 % max(len(lines), 1)
    mutated = [*lines[:at], noise, *lines[at + len(noise) % 3 :]]
    broken = "\n".join(mutated).encode("utf-8", "surrogatepass")
    catalog.write_bytes(broken)
    for command in ("extract", "build"):
        outcome = _outcomes(config, command).get("locales/en/doc.po")
        if outcome is not None and outcome.status == "failed":
            assert catalog.read_bytes() == broken


translation_specs = st.lists(
    st.tuples(
        Translate,
        st.lists(st.characters(codec="utf-8") | st.sampled_from(SNIPPETS), max_size=12).map(
            "".join
        ),
        st.sampled_from(HOSTILE_INJECTIONS),
    ),
    min_size=1,
    max_size=8,
)
#: Examples per fuzz test; ``L10N_FUZZ_EXAMPLES`` runs more for a deeper search.
EXAMPLES = int(os.environ.get("L10N_FUZZ_EXAMPLES", "70"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(mutated_markdown(), translation_specs)
# Regressions the fuzzing found, kept (see docs/reliability.md).
@example(b"---\ntitle: " + b"[" * 3000 + b"\n---\n", [("random", "x", "- ")])
@example(
    ("---\n" + "".join(" " * n + "a:\n" for n in range(1500)) + "---\n").encode(),
    [("random", "x", "- ")],
)
@example("---\nkeywords: [파드, 노드]\n---\n".encode(), [("random", "a, b", "- ")])
@example(("".join("  " * n + "- 항목\n" for n in range(60))).encode(), [("pseudo", "", "- ")])
def test_mutated_corpus_documents(data: bytes, translations: list[tuple[str, str, str]]) -> None:
    _check_document(data, translations)


@FUZZ
@given(random_markdown, translation_specs)
def test_random_markdown(data: bytes, translations: list[tuple[str, str, str]]) -> None:
    _check_document(data, translations)


@settings(max_examples=EXAMPLES * 2, deadline=None, derandomize=bool(os.environ.get("CI")))
@given(
    st.lists(
        st.sampled_from(
            [
                'msgid ""',
                'msgstr ""',
                '"Content-Type: text/plain; charset=UTF-8\\n"',
                '"Content-Type: text/plain; charset=EUC-KR\\n"',
                'msgid "파드"',
                'msgstr "Pod"',
                'msgctxt "frontmatter:title"',
                'msgid_plural "파드들"',
                'msgstr[0] "Pods"',
                "#, fuzzy",
                '#~ msgid "옛"',
                '#~ msgstr "old"',
                '#| msgid "이전"',
                "<<<<<<< HEAD",
                "=======",
                '"\\x41"',
                '"unterminated',
                "",
            ]
        )
        | st.text(max_size=20),
        max_size=30,
    )
)
def test_random_po_files_never_crash_a_run(lines: list[str]) -> None:
    text = "\n".join(lines)
    with tempfile.TemporaryDirectory() as folder, _time_bound(TIME_BOUND):
        config = _project(Path(folder), "---\ntitle: 파드\n---\n\n# 파드\n\n본문\n".encode())
        (config.locales_dir / "en").mkdir(parents=True)
        catalog = config.locales_dir / "en" / "doc.po"
        data = text.encode("utf-8", "surrogatepass")
        catalog.write_bytes(data)
        for command in ("build", "extract"):
            outcome = _outcomes(config, command).get("locales/en/doc.po")
            if outcome is not None and outcome.status == "failed":
                assert catalog.read_bytes() == data
                assert outcome.error is not None and outcome.error.line is not None


def test_the_corpus_sample_is_there() -> None:
    if not FILES:
        pytest.fail("the corpus is missing; the fuzz tests would have nothing to mutate")
