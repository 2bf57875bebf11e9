"""``make bench``: our pipeline at N documents, and po4a, mdpo and Translate Toolkit beside it.

    python bench/run.py [--sizes 100 1000 10000] [--compare 129 100 1000] [--repeat 3]
                        [--bench-python .venv-bench/bin/python] [--po4a-max 129]

Every step is a fresh process, timed by wall clock, with the peak resident memory of its
largest process (worker processes included, as reported by ``wait4``).  Catalogs are
filled with the same pseudo-translation for every tool (``bench/fill.py``, not timed), so
every build really translates.  The results are printed as markdown tables and written to
``bench/last-run.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import REPO, copy_documents, corpus_documents, make_project

LANGUAGES = ["en", "ja", "fr"]
FILL = REPO / "bench" / "fill.py"
REPORT = REPO / "bench" / "last-run.md"


@dataclass(frozen=True)
class Sample:
    """One timed process: wall seconds and peak RSS (MiB) of its largest process."""

    seconds: float
    rss: float
    output: str


def timed(command: Sequence[str], cwd: Path, log: Path) -> Sample:
    """Run ``command`` in ``cwd``; stop the benchmark if it fails."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with open(log, "w+b") as stream:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=stream, stderr=stream, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stream.seek(0)
        output = stream.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{output[-2000:]}")
    return Sample(seconds, usage.ru_maxrss / 1024, output)


def fill(python: str, folders: Sequence[Path], cwd: Path) -> None:
    """Pseudo-translate every catalog under ``folders`` (not timed)."""
    subprocess.run([python, str(FILL), *map(str, folders)], cwd=cwd, check=True)


def l10n(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", *arguments]


def summary(sample: Sample) -> str:
    """The summary line the command printed last."""
    return sample.output.strip().splitlines()[-1]


# --- our pipeline at N documents ---------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    size: int
    cold_extract: Sample
    cold_build: Sample
    noop: tuple[Sample, Sample]
    one_changed: tuple[Sample, Sample]

    @property
    def cold(self) -> float:
        return self.cold_extract.seconds + self.cold_build.seconds


def scale(size: int, work: Path) -> Scale:
    """Cold extract, cold build, a no-op re-run and a one-file-changed re-run at ``size``."""
    project = make_project(work / f"ours-{size}", size, LANGUAGES)
    log = work / "ours.log"
    cold_extract = timed(l10n("extract"), project, log)
    fill(sys.executable, [project / "locales" / code for code in LANGUAGES], project)
    timed(l10n("extract"), project, log)  # catalogs back in msgcat's layout after the fill
    cold_build = timed(l10n("build"), project, log)
    noop = timed(l10n("extract"), project, log), timed(l10n("build"), project, log)
    changed = sorted((project / "source").rglob("*.md"))[size // 2]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n새 문단입니다.\n", "utf-8")
    one_changed = timed(l10n("extract"), project, log), timed(l10n("build"), project, log)
    checks = [(noop[0], "0 written"), (noop[1], "0 written"), (one_changed[1], "3 written")]
    for sample, expected in checks:
        if expected not in summary(sample):
            raise SystemExit(f"unexpected summary at N={size}: {summary(sample)}")
    shutil.rmtree(project)
    return Scale(size, cold_extract, cold_build, noop, one_changed)


# --- the same documents through every tool, one language ---------------------------------


@dataclass(frozen=True)
class Tool:
    name: str
    how: str
    extract: list[str]  # commands, run in the project folder
    build: list[str]
    catalogs: str  # folder of the PO files to fill, relative to the project


def tools(bench_python: str) -> list[Tool]:
    mdpo = [bench_python, str(REPO / "bench" / "competitors.py")]
    md2po = [bench_python, "-m", "translate.convert.md2po", "--progress=none"]
    po2md = [bench_python, "-m", "translate.convert.po2md", "--progress=none"]
    return [
        Tool(
            "ours",
            "`l10n extract -l en`, then `l10n build -l en` (one process each, default -j)",
            l10n("extract", "-l", "en"),
            l10n("build", "-l", "en"),
            "locales/en",
        ),
        Tool(
            "ours -j 1",
            "the same with `-j 1`: one process, no workers",
            l10n("extract", "-l", "en", "-j", "1"),
            l10n("build", "-l", "en", "-j", "1"),
            "locales/en",
        ),
        Tool(
            "mdpo 2.1.4",
            "its Python API (`markdown_to_pofile`, `pofile_to_markdown`), one process per step",
            [*mdpo, "mdpo-extract", "source", "po"],
            [*mdpo, "mdpo-build", "source", "po", "out"],
            "po",
        ),
        Tool(
            "Translate Toolkit 3.20.4",
            "`md2po -i source -o po`, then `po2md -t source -i po -o out` (one process each)",
            [*md2po, "-i", "source", "-o", "po"],
            [*po2md, "-t", "source", "-i", "po", "-o", "out"],
            "po",
        ),
        Tool(
            "po4a 0.69",
            "one `po4a.cfg` listing every file (`-o markdown`); "
            "`po4a --no-translations`, then `po4a --no-update`",
            ["po4a", "--no-translations", "po4a.cfg"],
            ["po4a", "--no-update", "po4a.cfg"],
            "l10n/en",
        ),
    ]


def po4a_config(project: Path) -> None:
    """One POT and one PO per document, like ours; yfm_lenient for Hugo front matter."""
    lines = [
        "[po4a_langs] en",
        "[po4a_paths] l10n/$master.pot $lang:l10n/$lang/$master.po",
        '[options] opt:"-o markdown -o yfm_lenient" opt:"-k 0"',
    ]
    for path in sorted((project / "source").rglob("*.md")):
        rel = path.relative_to(project / "source").as_posix()
        master = rel.removesuffix(".md").replace("/", "__")
        lines.append(f"[type: text] source/{rel} $lang:out/$lang/{rel} pot={master}")
    (project / "po4a.cfg").write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Comparison:
    tool: Tool
    size: int
    extract: float
    build: float

    @property
    def total(self) -> float:
        return self.extract + self.build


def compare(tool: Tool, size: int, work: Path, repeat: int, bench_python: str) -> Comparison:
    """Median extract and build times of ``repeat`` runs, each in a fresh folder."""
    extracts, builds = [], []
    for run in range(repeat):
        project = work / f"{tool.name.split()[0]}-{size}-{run}"
        if tool.name.startswith("ours"):
            make_project(project, size, ["en"])
        else:
            copy_documents(project / "source", size)
        if tool.name.startswith("po4a"):
            po4a_config(project)
        log = work / "compare.log"
        extracts.append(timed(tool.extract, project, log).seconds)
        python = sys.executable if tool.name.startswith("ours") else bench_python
        fill(python, [project / tool.catalogs], project)
        builds.append(timed(tool.build, project, log).seconds)
        shutil.rmtree(project)
    return Comparison(tool, size, statistics.median(extracts), statistics.median(builds))


# --- report -------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = Path("/proc/meminfo").read_text().split()[1]
        memory = f"{int(memory) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        memory = "unknown RAM"
    return (
        f"{model}, {os.cpu_count()} CPUs, {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def scale_table(results: list[Scale]) -> list[str]:
    rows = [
        "| N | cold extract | cold build (3 languages) | cold total | no-op re-run | "
        "one file changed | no-op / cold | one changed / cold | peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        noop = sum(s.seconds for s in r.noop)
        one = sum(s.seconds for s in r.one_changed)
        rss = max(s.rss for s in (r.cold_extract, r.cold_build, *r.noop, *r.one_changed))
        rows.append(
            f"| {r.size:,} | {r.cold_extract.seconds:.2f} s | {r.cold_build.seconds:.2f} s | "
            f"{r.cold:.2f} s | {noop:.2f} s | {one:.2f} s | {100 * noop / r.cold:.1f} % | "
            f"{100 * one / r.cold:.1f} % | {rss:.0f} MiB |"
        )
    for smaller, larger in itertools.pairwise(results):
        rows.append(
            f"\nN = {larger.size:,} takes {larger.cold / smaller.cold:.1f}× the cold time of "
            f"N = {smaller.size:,} ({larger.size / smaller.size:.0f}× the documents)."
        )
    return rows


def compare_table(results: list[Comparison]) -> list[str]:
    rows = []
    for size in dict.fromkeys(r.size for r in results):
        here = [r for r in results if r.size == size]
        ours = next(r for r in here if r.tool.name == "ours")
        rows += [
            f"\n**{size:,} documents, one language** (median of the runs)\n",
            "| tool | how it is run | extract | build | total | total / ours |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for r in here:
            rows.append(
                f"| {r.tool.name} | {r.tool.how} | {r.extract:.2f} s | {r.build:.2f} s | "
                f"{r.total:.2f} s | {r.total / ours.total:.2f}× |"
            )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--compare", type=int, nargs="*", default=[129, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool at 129 documents")
    parser.add_argument("--po4a-max", type=int, default=129, help="largest N for po4a")
    parser.add_argument("--bench-python", default=str(REPO / ".venv-bench" / "bin" / "python"))
    parser.add_argument("--tools", nargs="*", help="only these tools (names start with)")
    options = parser.parse_args(argv)
    corpus = len(corpus_documents())
    started = dt.datetime.now().astimezone()
    lines = [
        f"Machine: {machine()}",
        f"Date: {started:%Y-%m-%d %H:%M %Z}; load average at start: {os.getloadavg()[0]:.2f}",
        f"Corpus: {corpus} documents, repeated under new names for larger N.",
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory(prefix="l10n-bench-") as folder:
        work = Path(folder)
        scales = []
        for size in options.sizes:
            scales.append(scale(size, work))
            print(f"ours at N={size}: done", file=sys.stderr, flush=True)
        comparisons = []
        for size in options.compare:
            for tool in tools(options.bench_python):
                wanted = not options.tools or any(tool.name.startswith(t) for t in options.tools)
                if not wanted or (tool.name.startswith("po4a") and size > options.po4a_max):
                    continue
                repeat = options.repeat if size == corpus else 1
                comparisons.append(compare(tool, size, work, repeat, options.bench_python))
                print(f"{tool.name} at N={size}: done", file=sys.stderr, flush=True)
    lines.append(f"Load average at the end: {os.getloadavg()[0]:.2f}\n")
    if scales:
        lines += ["## Our pipeline at N documents\n", *scale_table(scales)]
    if comparisons:
        lines += ["\n## Against po4a, mdpo and Translate Toolkit", *compare_table(comparisons)]
    text = "\n".join(lines) + "\n"
    REPORT.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
