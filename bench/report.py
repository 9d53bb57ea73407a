"""The Markdown report (BENCHMARKS.md) from the measured results."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import telegram

from bench.common import (
    CONCURRENT_ECHO,
    DB_SAMPLE,
    JSON,
    THROTTLE_CAPACITY,
)
from bench.memory import (
    MemoryResult,
)
from bench.publish import (
    PublishResult,
)
from bench.roundtrip import (
    RoundTripResult,
)

# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------

ROUND_TRIP_TARGET = 0.7
PUBLISH_TARGET_SECONDS = 1.15 * 10.0
MEMORY_TARGET_MB = 120.0


@dataclass
class Report:
    command: str
    started: datetime
    seconds: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    settings: JSON
    round_trips: list[RoundTripResult]
    publishes: list[PublishResult]
    memory: MemoryResult | None


def machine_facts() -> list[tuple[str, str]]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    ram = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
            break

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "?"

    return [
        ("nproc", str(len(os.sched_getaffinity(0)))),
        ("CPU", cpu),
        ("RAM", ram),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("python-telegram-bot", telegram.__version__),
        ("aiolimiter", version("aiolimiter")),
        ("httpx", version("httpx")),
        ("aiohttp (fake server)", version("aiohttp")),
        ("aiosqlite", version("aiosqlite")),
        ("SQLite", sqlite3.sqlite_version),
        ("APScheduler", version("APScheduler")),
    ]


def _yes(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def render(report: Report) -> str:
    s = report.settings
    lines = [
        "# Benchmarks",
        "",
        "Measured by `bench/run.py` against the local fake Telegram Bot API server",
        "(`bot/testing/fakebotapi.py`, 127.0.0.1 only): the real python-telegram-bot client",
        "talks HTTP to it, the server records every message the bot sends with",
        "`time.perf_counter()`. The numbers below are written by the script itself",
        "(`--write`); they are not edited by hand.",
        "",
        f"- **Command:** `{report.command}` (from the repository root, with the project's"
        " virtualenv; rerun the same way, `--help` lists the options; about 2 minutes)",
        f"- **Date:** {report.started:%Y-%m-%d %H:%M} UTC; the whole run took"
        f" {report.seconds:.0f} s",
        "- **Machine:** " + "; ".join(f"{name} {value}" for name, value in machine_facts()),
        "- **Load average** (1, 5, 15 min) before: "
        + ", ".join(f"{x:.2f}" for x in report.load_before)
        + "; after: "
        + ", ".join(f"{x:.2f}" for x in report.load_after)
        + " (the bots, the fake server and the benchmark share these CPUs; other work on"
        " the machine shows up in the figures)",
        "",
    ]

    summary: list[str] = []
    if report.round_trips:
        echo, hoidap = report.round_trips[0].median, report.round_trips[1].median
        ratio = hoidap.throughput / echo.throughput
        summary.append(
            f"| (a) hoidap `/trangthai` throughput ≥ {ROUND_TRIP_TARGET} × bare echo bot"
            f" | {ratio:.2f} × | {_yes(ratio >= ROUND_TRIP_TARGET)} |"
        )
    for p in report.publishes:
        ok = p.seconds <= PUBLISH_TARGET_SECONDS and p.flood_429 == 0
        which = "candidate limiter" if p.overridden else "`bot/app.py` as is"
        summary.append(
            f"| (b) {p.messages} messages in ≤ {PUBLISH_TARGET_SECONDS:.1f} s, zero 429"
            f" ({which}) | {p.seconds:.2f} s, {p.flood_429} × 429 | {_yes(ok)} |"
        )
    if report.memory is not None:
        m = report.memory
        summary.append(
            f"| (c) peak RSS < {MEMORY_TARGET_MB:.0f} MB | {m.peak_rss_mb:.1f} MB"
            f" | {_yes(m.peak_rss_mb < MEMORY_TARGET_MB)} |"
        )
    if summary:
        lines += ["## Targets", "", "| Target | Measured | |", "|---|---|---|", *summary, ""]

    if report.round_trips:
        lines += [
            "## (a) Update round trip",
            "",
            "Two bots, one after the other, against the same fake server in the same process",
            "and event loop: a bare PTB `Application` with one `MessageHandler` that answers",
            "with `reply_text` (no defaults, no rate limiter), and the hoidap application",
            "through `bot.testing.harness.Harness` (`rate_limit=False`) with a bound group,",
            f"{s['members']} active staff members and the question of the week published. Both",
            "poll with `start_polling(poll_interval=0, timeout=1)`. The bare echo bot handles",
            "updates one at a time (PTB's default); hoidap handles different people",
            "concurrently and each person's updates in order (`bot/transport/ordering.py`). For",
            "reference, the same echo bot with `concurrent_updates("
            f"{CONCURRENT_ECHO})` is measured too: on one event loop shared with the server,",
            "concurrency does not raise throughput (all requests share one HTTP connection pool",
            "and one CPU); it keeps one person's slow update from holding up others.",
            "The server shares the event loop, so its own work per update and reply (copying",
            "updates, parsing the bot's HTML) counts for every bot.",
            "",
            f"Per run and bot: {s['warmup']} warm-up updates, then a burst of"
            f" **N = {s['updates']}** private messages injected as fast as possible"
            " (`server.send_text`, the injection time taken after each), then"
            f" {s['idle']} messages one at a time (the next after the reply). The messages come"
            f" round robin from the {s['members']} members, each in their private chat:"
            " hoidap drops the updates of anyone sending more than"
            f" {THROTTLE_CAPACITY} per 30 s, and the simulated clock does not move here.",
            "Throughput = N / (last reply − first injection); latency = time the server"
            " recorded the reply − injection time. The k-th reply in a chat is matched to that"
            " person's k-th message and checked (the echo text, or exactly the reference reply"
            " of the command).",
            "Under a burst every update waits for those before it, so burst latency is mostly"
            " queueing; *idle p50* is the round trip of a single update with nothing queued.",
            f"Each bot ran {s['runs']} times (interleaved); the run with the median throughput"
            " is reported.",
            "",
            "| Bot | updates/s | p50 latency (burst) | p95 latency (burst) | idle p50 |"
            " updates/s of each run | SQL statements / update | aiosqlite calls / update |",
            "|---|---:|---:|---:|---:|---|---:|---:|",
        ]
        echo_rate = report.round_trips[0].median.throughput
        for result in report.round_trips:
            med = result.median
            runs = ", ".join(f"{r.throughput:.0f}" for r in result.runs)
            sql = "–" if result.sql_per_update is None else f"{result.sql_per_update:.1f}"
            calls = (
                "–" if result.db_calls_per_update is None else f"{result.db_calls_per_update:.1f}"
            )
            lines.append(
                f"| {result.name} | {med.throughput:.0f} | {med.p50_ms:.0f} ms"
                f" | {med.p95_ms:.0f} ms | {med.idle_p50_ms:.1f} ms | {runs} | {sql} | {calls} |"
            )
        lines.append("")
        for result in report.round_trips[1:]:
            lines.append(
                f"- {result.name} / echo throughput: **{result.median.throughput / echo_rate:.2f}**"
            )
        lines += [
            "",
            "`/trangthai` by an active member: hoidap's own work per update (throttle, replay",
            "check, who is asking, which program, the session summary, a Jinja2 template) is",
            "mostly SQLite through aiosqlite, where every call is a round trip to aiosqlite's",
            "worker thread. The last two columns count it over a separate burst of"
            f" {DB_SAMPLE} updates (sqlite3 trace callback; calls into aiosqlite's worker).",
        ]
        if len(report.round_trips) > 2:
            lines += [
                "*Private free text* is the answer path of a member who is not (or no longer)",
                "waiting to answer (dialog lookup, the drawn-session lookup in a write",
                "transaction, the fallback reply): accepting an answer changes the session state,",
                "so it cannot be repeated N times.",
            ]
        lines.append("")

    if report.publishes:
        lines += [
            "## (b) Publishing to 300 staff under flood limits",
            "",
            "Fake server with `FloodLimits(per_second_global=30)` (a strict sliding window:"
            " more than 30 messages in any 1-second window is answered with 429; per private",
            "chat and per group limits at their defaults), the hoidap application through the",
            f"Harness with `rate_limit=True`. {s['staff']} active staff members, a bound group",
            "and queued questions are created with direct store calls; every staff member is",
            "registered on the server. After the setup the flood windows are reset, the clock",
            "is moved to the publication time (Friday 08:00) and `scheduler.run(program)` is",
            "called. Time = last of the (staff + 1 group) messages recorded by the server −",
            "trigger. *Max in 1 s* is the largest number of these messages inside any 1-second",
            "window. The ideal at exactly 30 messages/s is about 10 s.",
            "",
            "| Rate limiter | messages | time | 429 answers | max in 1 s | enqueue step |"
            " given up |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for p in report.publishes:
            label = f"{p.limiter}" + (" (candidate)" if p.overridden else " (`bot/app.py` as is)")
            lines.append(
                f"| {label} | {p.messages} | {p.seconds:.2f} s | {p.flood_429} |"
                f" {p.max_per_second} | {p.enqueue_seconds * 1000:.0f} ms | {p.failed} |"
            )
        lines += [
            "",
            "The bot's limiter (`bot/app.py`) is a bucket of one message that drains at 28",
            "per second (`overall_max_rate=1, overall_time_period=1/28`): no initial burst;",
            "`--candidate-rate R` measures the same application with another rate R beside it.",
            "PTB's usual `AIORateLimiter(overall_max_rate=30, overall_time_period=1)` is a leaky",
            "bucket that starts empty: it lets 30 messages through at once and then 30 more per",
            "second, up to about 60 in the first second, which a strict sliding window rejects",
            "(measured with it: 10 × 429 and 11.6 s). Each 429 makes PTB's AIORateLimiter hold",
            "back every request of the bot for `retry_after` + 0.1 s (at least 1.1 s) before it",
            "retries (`max_retries=3`).",
            "",
        ]

    if report.memory is not None:
        m = report.memory
        lines += [
            "## (c) Peak memory",
            "",
            "The hoidap application runs alone in a child process (`python -m bench.run"
            f" --memory-child`: the Harness with `rate_limit={m.rate_limit}`); the fake server"
            " stays in the parent and drives",
            f"a whole cycle with {m.staff} staff, a head and a leader: add the bot to the group",
            "and `/lienket`, upload `questions/samples/cau_hoi_mau.xlsx`, members created with",
            "direct store calls, publication (Friday 08:00), draw (Monday 09:00), the drawn",
            "person's answer, the head's grade (button), the leader's `/ketluan`, then every",
            "staff member sends `/trangthai` at once.",
            f"{m.updates} updates, {m.messages} messages sent by the bot, {m.seconds:.1f} s.",
            "The child is started through `/bin/sh -c '\"$@\"; exit $?'`, which forks",
            "rather than execs: on Linux a process started directly by the (larger) parent",
            "inherits the parent's peak RSS in its own `ru_maxrss`. `VmHWM` (the kernel's",
            "high-water mark of the child's own memory) is shown as a cross-check.",
            "",
            "| | RSS |",
            "|---|---:|",
            f"| after start-up | {m.start_rss_mb:.1f} MB |",
            f"| at the end of the cycle (`VmRSS`) | {m.end_rss_mb:.1f} MB |",
            f"| **peak** (`ru_maxrss`) | **{m.peak_rss_mb:.1f} MB** |",
            f"| peak (`VmHWM`, cross-check) | {m.hwm_mb:.1f} MB |",
            "",
            f"Steps run by the scheduler: {', '.join(m.steps) or '-'}.",
            "",
        ]
    return "\n".join(lines)
