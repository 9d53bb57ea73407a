"""The report benchmark: 10 years x 500 staff x 52 sessions, what a yearly report costs.

Run from the repository root: ``python -m bench.reports`` (``--json`` for ``bench.run``). The
database is the one of ``bench/records.py`` (filled in a child process, so that this process's
memory is the bot's work only). Then, for the year 2026:

- the yearly figures (and the year before, for the trend) and the round's participation, as
  ``/thongke`` and the reports read them: median and max of 20 runs (target < 200 ms);
- the two charts as ``/thongke`` and the reports draw them (:mod:`bot.services.records`: the
  SQL read, then :mod:`bot.documents.charts` in a child process that imports matplotlib and
  exits, :func:`bot.offload.in_child`): the first and the median of 5;
- when this tree has the report builders (``bot/documents/report_xlsx.py``,
  ``report_docx.py``): the report data, the XLSX and the DOCX (with the two charts): the first
  (the library imported then) and the median of 3 (target: XLSX + DOCX < 2 s, medians);
- memory: RSS before the charts and reports, the peak RSS while they are built (the kernel's
  high-water mark, reset before them through ``/proc/self/clear_refs``), the RSS after them,
  and the peak of Python allocations of each build (tracemalloc, in a separate pass so that it
  slows no timing);
- the sample year (``bench/sample_year.py``): the time to live it through the services, to
  build each kind of document of it, and, where LibreOffice is installed, to turn them all
  into PDF in one run (what the rendered tests do once per session), with their pages.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.records import NOW, STAFF, YEARS
from bot import db
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.periods import year_period
from bot.services import records
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2026
FIGURES_TARGET_MS = 200.0
FILES_TARGET_S = 2.0
FIGURE_RUNS = 20
CHART_RUNS = 5
BUILD_RUNS = 3


@dataclass
class Timing:
    first_ms: float
    median_ms: float
    max_ms: float
    runs: int
    size: int = 0  # bytes of the file built, if any


@dataclass
class ReportsResult:
    staff: int
    years: int
    year: int
    sessions_held: int
    figures: Timing
    charts: dict[str, Timing]
    builds: dict[str, Timing] = field(default_factory=dict)
    builds_missing: str | None = None  # why the report files were not measured
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_after_mb: float = 0.0  # what stays (openpyxl, python-docx loaded)
    child_peak_mb: float = 0.0  # the largest peak RSS of a child process (a chart's)
    peak_reset: bool = False  # the peak is of the builds only (else: of the whole process)
    python_peak_mb: dict[str, float] = field(default_factory=dict)
    sample: dict[str, Any] = field(default_factory=dict)  # the sample year: see measure_sample

    @property
    def files_s(self) -> float | None:
        if "xlsx" not in self.builds or "docx" not in self.builds:
            return None
        return (self.builds["xlsx"].median_ms + self.builds["docx"].median_ms) / 1000

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportsResult:
        data = dict(data)
        data["figures"] = Timing(**data["figures"])
        data["charts"] = {k: Timing(**v) for k, v in data["charts"].items()}
        data["builds"] = {k: Timing(**v) for k, v in data["builds"].items()}
        return cls(**data)


def _status_mb(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> bool:
    """Reset the kernel's high-water mark of this process's RSS to its current RSS."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def _timed(fn: Callable[[], Awaitable[Any]], runs: int) -> tuple[Timing, Any]:
    times: list[float] = []
    result: Any = None
    for _ in range(runs):
        started = time.perf_counter()
        result = await fn()
        times.append((time.perf_counter() - started) * 1000)
    size = len(result) if isinstance(result, bytes) else 0
    timing = Timing(times[0], statistics.median(times), max(times), runs, size)
    return timing, result


def _builders() -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]] | str:
    """The report builders of the reports engineer's part, if this tree has them."""
    try:
        docx = importlib.import_module("bot.documents.report_docx")
        xlsx = importlib.import_module("bot.documents.report_xlsx")
        data = records.report_data  # type: ignore[attr-defined]
        return data, xlsx.build_report_xlsx, docx.build_report_docx
    except (ImportError, AttributeError) as e:
        return f"not in this tree ({getattr(e, 'name', None) or e})"


def _fill(path: Path) -> None:
    """bench/records.py's database, filled by a child process."""
    code = "import sys; from pathlib import Path; from bench.records import _fill; "
    code += "_fill(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, check=True, timeout=900)


async def measure() -> ReportsResult:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reports.sqlite3"
        store = Store(await db.connect(path))
        await store.close()
        _fill(path)
        store = Store(await db.connect(path))
        try:
            result = await _measure(store, path)
        finally:
            await store.close()
        result.sample = await measure_sample(Path(tmp))
        return result


async def measure_sample(folder: Path) -> dict[str, Any]:
    """The sample year: lived through the services, each document built, all converted."""
    from bench.sample_year import DOCUMENTS, HANDBOOK, build
    from bot.services import archive
    from bot.services import reports as report_files

    started = time.perf_counter()
    year = await build(folder / "sample.sqlite3")
    out: dict[str, Any] = {"build_ms": (time.perf_counter() - started) * 1000, "files": {}}
    core, program = await year.open()
    files: dict[str, bytes] = {}
    try:
        for name, (period, fmt, sheets) in DOCUMENTS.items():
            started = time.perf_counter()
            built = await report_files.build_report(core, None, program, period, fmt, sheets=sheets)
            files[name] = built.data
            out["files"][name] = [(time.perf_counter() - started) * 1000, len(built.data)]
        started = time.perf_counter()
        files[HANDBOOK], _ = await archive.compile_handbook(core, program, 2026)
        out["files"][HANDBOOK] = [(time.perf_counter() - started) * 1000, len(files[HANDBOOK])]
    finally:
        await core.store.close()
    converted = await asyncio.to_thread(_convert, folder / "pdf", files)
    out["convert_ms"], out["pages"] = converted if converted else (None, {})
    return out


def _convert(folder: Path, files: dict[str, bytes]) -> tuple[float, dict[str, int]] | None:
    """All ``files`` to PDF in one LibreOffice run: its time, and the pages of each."""
    import shutil

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdfinfo") is None:
        return None
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    started = time.perf_counter()
    subprocess.run(
        [office, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "pdf", "--outdir", str(folder),
         *(str(folder / name) for name in files)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    took = (time.perf_counter() - started) * 1000
    pages = {}
    for name in files:
        info = subprocess.run(
            ["pdfinfo", str(folder / (Path(name).stem + ".pdf"))],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
        found = next(line for line in info.splitlines() if line.startswith("Pages:"))
        pages[name] = int(found.split()[-1])
    return took, pages


async def _measure(store: Store, path: Path) -> ReportsResult:
    from bot.services.documents import settings_of

    core = Core(store=store, clock=ManualClock(NOW), settings=Settings(db_path=path))
    program = await store.program(1)
    assert program is not None
    period = year_period(YEAR)

    async def yearly() -> Any:
        now, _before = await records.figures(core, program, period)
        await records.participation(core, program)
        return now

    figures, now = await _timed(yearly, FIGURE_RUNS)

    rss_before = _status_mb("VmRSS")
    reset = _reset_peak()

    async def verdicts() -> bytes:
        return (await records.verdicts_chart(core, program, period)).data

    async def participation() -> bytes:
        return await records.participation_chart(core, program)

    charts: dict[str, Timing] = {}
    charts["verdicts"], _ = await _timed(verdicts, CHART_RUNS)
    charts["participation"], _ = await _timed(participation, CHART_RUNS)

    builds: dict[str, Timing] = {}
    found = _builders()
    missing = found if isinstance(found, str) else None
    build_fns: dict[str, Callable[[], Any]] = {}
    if not isinstance(found, str):
        report_data, build_xlsx, build_docx = found
        settings = await settings_of(core, program)

        async def data() -> Any:
            return await report_data(core, None, program, period)

        builds["data"], report = await _timed(data, BUILD_RUNS)
        pictures = await records.report_charts(core, program, period)
        build_fns = {
            "xlsx": lambda: build_xlsx(report),
            "docx": lambda: build_docx(report, settings, pictures),
        }
        for name, fn in build_fns.items():

            async def built(fn: Callable[[], Any] = fn) -> Any:
                return fn()

            builds[name], _ = await _timed(built, BUILD_RUNS)
    rss_peak = _status_mb("VmHWM")
    rss_after = _status_mb("VmRSS")
    # The database filler is a child too, but it ran before and its peak is lower.
    child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    python_peak: dict[str, float] = {}
    from bot.documents import charts as drawing

    participation_data = await records.participation(core, program)
    session_rows = await store.session_records(program.id, period.start, period.end)
    passes: dict[str, Callable[[], Any]] = {
        "verdicts chart": lambda: drawing.verdicts_by_month(session_rows, period, "T"),
        "participation chart": lambda: drawing.participation(participation_data, "T"),
        **build_fns,
    }
    for fn in passes.values():
        fn()  # the libraries imported before the traced pass: it sees the build only
    for name, fn in passes.items():
        tracemalloc.start()
        fn()
        python_peak[name] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()

    return ReportsResult(
        staff=STAFF,
        years=YEARS,
        year=YEAR,
        sessions_held=now.held,
        figures=figures,
        charts=charts,
        builds=builds,
        builds_missing=missing,
        rss_before_mb=rss_before,
        rss_peak_mb=rss_peak,
        rss_after_mb=rss_after,
        child_peak_mb=child_peak,
        peak_reset=reset,
        python_peak_mb=python_peak,
    )


def _met(ok: bool) -> str:
    return "met" if ok else "missed"


def _row(name: str, t: Timing) -> str:
    size = f"{t.size / 1024:.0f} KB" if t.size else ""
    return f"| {name} | {t.first_ms:.0f} ms | {t.median_ms:.0f} ms | {t.max_ms:.0f} ms | {size} |"


def markdown(r: ReportsResult) -> str:
    """The result as Markdown (the section of BENCHMARKS.md, and what the command prints)."""
    f = r.figures
    lines = [
        f"{r.staff} staff, {r.years} years of weekly sessions ({r.sessions_held} held in"
        f" {r.year}); the year {r.year} as `/thongke năm` and the reports read it.",
        "",
        f"- Yearly figures (with {r.year - 1} for the trend) and the round's participation:"
        f" median **{f.median_ms:.1f} ms**, max {f.max_ms:.1f} ms over {f.runs} runs"
        f" (target < {FIGURES_TARGET_MS:.0f} ms: {_met(f.median_ms < FIGURES_TARGET_MS)}).",
    ]
    files = r.files_s
    if files is not None:
        lines.append(
            f"- XLSX + DOCX report files (medians): **{files:.2f} s**"
            f" (target < {FILES_TARGET_S:.0f} s: {_met(files < FILES_TARGET_S)})."
        )
    else:
        lines.append(f"- Report files: not measured, the builders are {r.builds_missing}.")
    peak = "while the charts and reports were built" if r.peak_reset else "of the whole process"
    lines += [
        f"- RSS before the charts and reports: {r.rss_before_mb:.1f} MB; peak RSS {peak}:"
        f" **{r.rss_peak_mb:.1f} MB**; after them {r.rss_after_mb:.1f} MB (openpyxl and"
        f" python-docx stay loaded). A chart's child process: peak {r.child_peak_mb:.1f} MB, gone"
        " once the chart is drawn.",
        "",
        "| Step | First | Median | Max | File |",
        "|---|---|---|---|---|",
        _row(
            f"Verdicts chart ({r.charts['verdicts'].runs} runs, each in a child process)",
            r.charts["verdicts"],
        ),
        _row("Participation chart", r.charts["participation"]),
    ]
    names = {"data": "Report data (query layer)", "xlsx": "XLSX report", "docx": "DOCX report"}
    for key, label in names.items():
        if key in r.builds:
            lines.append(_row(f"{label} ({r.builds[key].runs} runs)", r.builds[key]))
    if r.python_peak_mb:
        lines += [
            "",
            "Peak of Python allocations (tracemalloc) while building: "
            + "; ".join(f"{k} {v:.1f} MB" for k, v in r.python_peak_mb.items())
            + ".",
        ]
    if r.sample:
        lines += ["", *_sample_lines(r.sample)]
    return "\n".join(lines)


def _sample_lines(sample: dict[str, Any]) -> list[str]:
    convert = sample.get("convert_ms")
    pages = sample.get("pages", {})
    lines = [
        f"The sample year (`bench/sample_year.py`, 25 sessions lived through the services in"
        f" {sample['build_ms'] / 1000:.1f} s): each document as the office gets it"
        + (
            f"; LibreOffice turned all of them into PDF in one run in {convert / 1000:.1f} s"
            " (the rendered tests do this once per session)."
            if convert is not None
            else " (LibreOffice not installed: not converted)."
        ),
        "",
        "| Document | Built in | File | Pages |",
        "|---|---|---|---|",
    ]
    for name, (ms, size) in sample["files"].items():
        lines.append(f"| {name} | {ms:.0f} ms | {size / 1024:.0f} KB | {pages.get(name, '')} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = asyncio.run(measure())
    if args.json:
        print(json.dumps(asdict(result)))
    else:
        print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
