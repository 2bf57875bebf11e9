"""``make bench``: our pipeline at N documents, and po4a, mdpo and Translate Toolkit beside it.

    python bench/run.py [--sizes 100 1000 10000] [--compare 129 100 1000] [--repeat 3]
                        [--bench-python .venv-bench/bin/python] [--po4a-max 129]

Every step is a fresh process, timed by wall clock and by CPU time (user + system, its
worker processes included), with the peak resident memory of its largest process (as
reported by ``wait4``).  The machine may be shared: CPU time is the figure that other
people's work disturbs least.  Catalogs are
filled with the same pseudo-translation for every tool (``bench/fill.py``, not timed), so
every build really translates.  The results are printed as markdown tables and written to
``bench/last-run.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
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
TALLY = REPO / "bench" / "tally.py"
REPORT = REPO / "bench" / "last-run.md"


@dataclass(frozen=True)
class Sample:
    """One timed process: wall seconds, CPU seconds (user + system, workers included) and
    peak RSS (MiB) of its largest process."""

    seconds: float
    cpu: float
    rss: float
    output: str


def timed(command: Sequence[str], cwd: Path, log: Path) -> Sample:
    """Run ``command`` in ``cwd``; stop the benchmark if it fails."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # Every tool runs from compiled bytecode, as an installed package does (pip compiles
    # the competitors' at install; main() compiles ours): a shell that sets this would
    # make our pipeline alone compile itself from source in every process.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with open(log, "w+b") as stream:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=stream, stderr=stream, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        # Only the end (the summary): a large log read here would grow this process, and
        # every later child's peak RSS starts from this process's size at the fork.
        stream.seek(max(0, stream.seek(0, os.SEEK_END) - 4096))
        output = stream.read().decode("utf-8", "replace")
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{output[-2000:]}")
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output)


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

    @property
    def cold_cpu(self) -> float:
        return self.cold_extract.cpu + self.cold_build.cpu


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
    outputs: str  # folder of the translated markdown, relative to the project


def versions(bench_python: str) -> dict[str, str]:
    """The versions of the competitors as installed: mdpo, translate-toolkit and po4a."""
    query = (
        "import importlib.metadata as m; print(m.version('mdpo'), m.version('translate-toolkit'))"
    )
    mdpo, toolkit = subprocess.run(
        [bench_python, "-c", query], capture_output=True, text=True, check=True
    ).stdout.split()
    po4a = subprocess.run(["po4a", "--version"], capture_output=True, text=True, check=True)
    return {
        "mdpo": mdpo,
        "translate-toolkit": toolkit,
        "po4a": po4a.stdout.split("version", 1)[1].split()[0].rstrip("."),
    }


def tools(bench_python: str, version: dict[str, str]) -> list[Tool]:
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
            "output/en",
        ),
        Tool(
            "ours -j 1",
            "the same with `-j 1`: one process, no workers",
            l10n("extract", "-l", "en", "-j", "1"),
            l10n("build", "-l", "en", "-j", "1"),
            "locales/en",
            "output/en",
        ),
        Tool(
            f"mdpo {version['mdpo']}",
            "its Python API (`markdown_to_pofile`, `pofile_to_markdown`), one process per step",
            [*mdpo, "mdpo-extract", "source", "po"],
            [*mdpo, "mdpo-build", "source", "po", "out"],
            "po",
            "out",
        ),
        Tool(
            f"Translate Toolkit {version['translate-toolkit']}",
            "`md2po -i source -o po`, then `po2md -t source -i po -o out` (one process each)",
            [*md2po, "-i", "source", "-o", "po"],
            [*po2md, "-t", "source", "-i", "po", "-o", "out"],
            "po",
            "out",
        ),
        Tool(
            f"po4a {version['po4a']}",
            "one `po4a.cfg` listing every file (`-o markdown`); "
            "`po4a --no-translations`, then `po4a --no-update`",
            ["po4a", "--no-translations", "po4a.cfg"],
            ["po4a", "--no-update", "po4a.cfg"],
            "l10n/en",
            "out/en",
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
class Inspection:
    """What a tool produced, so that a fast run that did nothing cannot pass unnoticed."""

    catalogs: int
    entries: int  # current (not obsolete) messages in all catalogs
    translated: int  # of those, translated after the fill
    outputs: int  # translated markdown files
    changed: int  # outputs that differ from their source


def inspect(project: Path, tool: Tool, size: int) -> Inspection:
    """Count the catalogs, messages and outputs; stop the benchmark if any is missing."""
    command = [sys.executable, str(TALLY), str(project), tool.catalogs, tool.outputs]
    counts = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = Inspection(*json.loads(counts))
    if found.catalogs != size or found.outputs != size or not found.translated:
        raise SystemExit(f"{tool.name} at N={size} did not do the whole job: {found}")
    return found


@dataclass(frozen=True)
class Comparison:
    tool: Tool
    size: int
    extract: float
    build: float
    cpu: float  # extract + build
    rss: float
    inspection: Inspection

    @property
    def total(self) -> float:
        return self.extract + self.build


def compare(tool: Tool, size: int, work: Path, repeat: int, bench_python: str) -> Comparison:
    """Median extract and build times of ``repeat`` runs, each in a fresh folder."""
    extracts, builds, cpus, rss = [], [], [], 0.0
    for run in range(repeat):
        project = work / f"{tool.name.split()[0]}-{size}-{run}"
        if tool.name.startswith("ours"):
            make_project(project, size, ["en"])
        else:
            copy_documents(project / "source", size)
        if tool.name.startswith("po4a"):
            po4a_config(project)
        log = work / "compare.log"
        extract = timed(tool.extract, project, log)
        python = sys.executable if tool.name.startswith("ours") else bench_python
        fill(python, [project / tool.catalogs], project)
        build = timed(tool.build, project, log)
        extracts.append(extract.seconds)
        builds.append(build.seconds)
        cpus.append(extract.cpu + build.cpu)
        rss = max(rss, extract.rss, build.rss)
        inspection = inspect(project, tool, size)
        shutil.rmtree(project)
    median = statistics.median
    return Comparison(tool, size, median(extracts), median(builds), median(cpus), rss, inspection)


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
        "one file changed | no-op / cold | one changed / cold |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        noop = sum(s.seconds for s in r.noop)
        one = sum(s.seconds for s in r.one_changed)
        rows.append(
            f"| {r.size:,} | {r.cold_extract.seconds:.2f} s | {r.cold_build.seconds:.2f} s | "
            f"{r.cold:.2f} s | {noop:.2f} s | {one:.2f} s | {100 * noop / r.cold:.1f} % | "
            f"{100 * one / r.cold:.1f} % |"
        )
    rows += [
        "\nThe same steps in CPU seconds (user + system, workers included), and their wall "
        "time split into extract + build:\n",
        "| N | cold extract | cold build | cold total | no-op (extract + build) | "
        "one changed (extract + build) | wall: no-op | wall: one changed |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows.append(
            f"| {r.size:,} | {r.cold_extract.cpu:.2f} | {r.cold_build.cpu:.2f} | "
            f"{r.cold_cpu:.2f} | {r.noop[0].cpu:.2f} + {r.noop[1].cpu:.2f} | "
            f"{r.one_changed[0].cpu:.2f} + {r.one_changed[1].cpu:.2f} | "
            f"{r.noop[0].seconds:.2f} + {r.noop[1].seconds:.2f} | "
            f"{r.one_changed[0].seconds:.2f} + {r.one_changed[1].seconds:.2f} |"
        )
    rows += [
        "\nPeak RSS of the largest process of each step (MiB):\n",
        "| N | cold extract | cold build | no-op extract | no-op build | "
        "one changed: extract | one changed: build | largest |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        steps = (r.cold_extract, r.cold_build, *r.noop, *r.one_changed)
        cells = " | ".join(f"{s.rss:.0f}" for s in steps)
        rows.append(f"| {r.size:,} | {cells} | {max(s.rss for s in steps):.0f} |")
    for smaller, larger in itertools.pairwise(results):
        rows.append(
            f"\nN = {larger.size:,} takes {larger.cold / smaller.cold:.1f}× the cold wall time "
            f"and {larger.cold_cpu / smaller.cold_cpu:.1f}× the cold CPU time of "
            f"N = {smaller.size:,} ({larger.size / smaller.size:.0f}× the documents)."
        )
    return rows


def compare_table(results: list[Comparison]) -> list[str]:
    rows = []
    for size in dict.fromkeys(r.size for r in results):
        here = [r for r in results if r.size == size]
        ours = next((r for r in here if r.tool.name == "ours"), None)
        rows += [
            f"\n**{size:,} documents, one language** (median of the runs)\n",
            "| tool | how it is run | extract | build | total | total / ours | CPU | "
            "CPU / ours | peak RSS | catalogs | messages (translated) | outputs (changed) |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in here:
            ratio = f"{r.total / ours.total:.2f}×" if ours else "–"
            cpu_ratio = f"{r.cpu / ours.cpu:.2f}×" if ours else "–"
            i = r.inspection
            rows.append(
                f"| {r.tool.name} | {r.tool.how} | {r.extract:.2f} s | {r.build:.2f} s | "
                f"{r.total:.2f} s | {ratio} | {r.cpu:.2f} s | {cpu_ratio} | "
                f"{r.rss:.0f} MiB | {i.catalogs:,} | "
                f"{i.entries:,} ({i.translated:,}) | {i.outputs:,} ({i.changed:,}) |"
            )
        others = [r for r in here if not r.tool.name.startswith("ours")]
        if ours and others:
            fastest = min(others, key=lambda r: r.total)
            rows.append(
                f"\nThe fastest other tool, {fastest.tool.name}, takes "
                f"{fastest.total / ours.total:.2f}× our wall time "
                f"({fastest.cpu / ours.cpu:.2f}× our CPU time)."
            )
    return rows


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000, 10000])
    parser.add_argument("--compare", type=int, nargs="*", default=[129, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool at 129 documents")
    parser.add_argument("--po4a-max", type=int, default=129, help="largest N for po4a")
    parser.add_argument("--bench-python", default=str(REPO / ".venv-bench" / "bin" / "python"))
    parser.add_argument("--tools", nargs="*", help="only these tools (names start with)")
    options = parser.parse_args(argv)
    # Commands run inside each project folder: a relative path would not be found there.
    # abspath, not resolve: resolving the venv's python symlink would leave the venv.
    options.bench_python = os.path.abspath(options.bench_python)
    corpus = len(corpus_documents())
    version = versions(options.bench_python)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "pipeline")], check=True)
    started = dt.datetime.now().astimezone()
    lines = [
        f"Machine: {machine()}",
        f"Date: {started:%Y-%m-%d %H:%M %Z}; load average (1, 5, 15 min) at start: {load()}",
        f"Competitors: {', '.join(f'{k} {v}' for k, v in version.items())}",
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
            for tool in tools(options.bench_python, version):
                wanted = not options.tools or any(tool.name.startswith(t) for t in options.tools)
                if not wanted or (tool.name.startswith("po4a") and size > options.po4a_max):
                    continue
                repeat = options.repeat if size == corpus else 1
                comparisons.append(compare(tool, size, work, repeat, options.bench_python))
                print(f"{tool.name} at N={size}: done", file=sys.stderr, flush=True)
    lines.append(f"Load average (1, 5, 15 min) at the end: {load()}\n")
    if scales:
        lines += ["## Our pipeline at N documents\n", *scale_table(scales)]
    if comparisons:
        lines += ["\n## Against po4a, mdpo and Translate Toolkit", *compare_table(comparisons)]
    text = "\n".join(lines) + "\n"
    REPORT.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
