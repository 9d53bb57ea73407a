"""Benchmarks of hoidap against the local fake Telegram Bot API (127.0.0.1 only).

Run from the repository root::

    python -m bench.run            # measure and print the Markdown report
    python -m bench.run --write    # ... and write it to BENCHMARKS.md

Fourteen parts, one module each (``bench/common.py`` holds what they share):

(a) ``bench/roundtrip.py``: update round trip. A bare python-telegram-bot echo bot, an echo
    bot with hoidap's reply and transport, and the hoidap application (through
    :class:`fakes.harness.Harness`, no rate limiter) side by side on the same fake
    server, interleaved. N private messages are injected at once; throughput is
    N / (last reply - first injection) and latency is per update.
(b) ``bench/publish.py``: publishing the weekly question to 300 staff with flood limits
    enforced by the server (30 messages/s over any 1-second window), the bot's limiter on.
(c) ``bench/memory.py``: peak memory (RSS) of the hoidap application through a whole cycle
    with 300 staff, in a child process (``python -m bench.run --memory-child``).
(d) ``bench/search.py``: archive search on 10,000 archived sessions (its own process).
(e) ``bench/press.py``: a grade press, its round trip and its SQL statements.
(f) ``bench/scaling.py``: SQL time per update on 20 programs x 1,000 staff against a small
    database.
(g) ``bench/startup.py``: start-up RSS of hoidap beside a bare PTB echo bot.
(h) ``bench/records.py``: the record's figures on 500 staff x 10 years (its own process).
(i) ``bench/reports.py``: the yearly figures, the charts and the report files on the same
    database, with the RSS while they are built (its own process).
(j) ``bench/zalo_flood.py``: one Zalo account floods the bot with stickers; how long other
    members wait for their replies.
(k) ``bench/refs.py``: the documents answers rest on: recognising the citations of an
    answer, marking a document replaced on 10 years of answers, the back-fill at the upgrade
    (its own process).
(l) ``bench/channels.py``: Telegram and Zalo side by side in one bot, each at its own pace: a
    mixed publication, a message owed on one channel during the other's bulk send, a
    300-person Zalo publication and the replies Zalo users wait for meanwhile.
(m) ``bench/province.py``: a province's Friday: 100 programs x 30 staff publish at the same
    moment; 20 programs owing one admin a notice each.
(n) ``bench/zalo_roundtrip.py``: a status command on Zalo beside a minimal Zalo echo loop on the
    same client and fake server, and the SQL statements of one Zalo update (its own process).

Progress goes to stderr, the report to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bench.channels import ChannelsRun, channels_run
from bench.common import (
    BENCHMARKS_MD,
    ROOT,
    progress,
)
from bench.memory import (
    MemoryResult,
    memory_child,
    memory_cycle,
)
from bench.press import grade_press
from bench.province import Friday, province_run
from bench.publish import (
    PublishResult,
    publish_flood,
)
from bench.refs import RefsResult
from bench.report import (
    Report,
    render,
)
from bench.reports import ReportsResult
from bench.roundtrip import (
    RoundTripResult,
    round_trip,
)
from bench.scaling import sql_scaling
from bench.startup import startup_memory
from bench.zalo_flood import zalo_flood
from bench.zalo_roundtrip import ZaloTrip

# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


async def measure(args: argparse.Namespace, command: str) -> Report:
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    parts = set(args.parts)
    round_trips: list[RoundTripResult] = []
    publishes: list[PublishResult] = []
    memory: MemoryResult | None = None
    if "a" in parts:
        round_trips = await round_trip(
            args.updates,
            args.warmup,
            args.idle,
            args.runs,
            args.members,
            variant=not args.no_variant,
        )
    if "b" in parts:
        settings: list[tuple[float, float] | None] = [None]
        if args.candidate_rate > 0:
            settings.append((1.0, 1.0 / args.candidate_rate))
        for setting in settings:
            progress(f"(b) publishing to {args.staff} staff, overall rate override {setting}")
            result = await publish_flood(args.staff, setting)
            publishes.append(result)
            progress(
                f"(b) {result.limiter}: {result.messages} messages in {result.seconds:.2f} s,"
                f" {result.flood_429} x 429, max {result.max_per_second} in 1 s"
            )
    if "c" in parts:
        memory = await memory_cycle(args.staff, rate_limit=not args.memory_no_rate_limit)
        progress(f"(c) peak RSS {memory.peak_rss_mb:.1f} MB, at the end {memory.end_rss_mb:.1f} MB")
    press = await grade_press(args.presses) if "e" in parts else None
    if press is not None:
        progress(
            f"(e) grade press p50 {press.p50_ms:.1f} ms, {press.first_statements} statements"
            f" (first), {press.regrade_statements} (regrade), {press.transactions} transaction"
        )
    scaling = await sql_scaling(args.scaling_updates, args.runs) if "f" in parts else None
    if scaling is not None:
        progress(f"(f) large / small SQL time per update: {scaling.ratio:.2f}")
    startup = await startup_memory(args.runs) if "g" in parts else None
    if startup is not None:
        progress(f"(g) start-up RSS hoidap / echo: {startup.ratio:.2f}")
    records_line = _child("bench.records").strip() if "h" in parts else None
    if records_line is not None:
        progress(f"(h) {records_line}")
    reports = None
    if "i" in parts:
        reports = ReportsResult.from_json(json.loads(_child("bench.reports", "--json")))
        progress(f"(i) yearly figures median {reports.figures.median_ms:.1f} ms")
    floods = []
    if "j" in parts:
        for _ in range(args.runs):
            flood = await zalo_flood()
            floods.append(flood)
            progress(f"(j) a member's reply on Zalo during a flood: p95 {flood.reply_p95:.2f} s")
    refs = None
    if "k" in parts:
        refs = RefsResult.from_json(json.loads(_child("bench.refs", "--json")))
        progress(f"(k) citations of an answer recognised in {refs.parse_ms:.3f} ms (median)")
    channels: list[ChannelsRun] = []
    if "l" in parts:
        for _ in range(args.runs):
            channels.append(await channels_run())
    fridays: list[tuple[Friday, Friday]] = []
    if "m" in parts:
        for _ in range(args.runs):
            fridays.append(await province_run())
    zalo_trip = None
    if "n" in parts:
        zalo_trip = ZaloTrip.from_json(json.loads(_child("bench.zalo_roundtrip", "--json")))
    return Report(
        command=command,
        started=started,
        seconds=time.perf_counter() - t0,
        load_before=load_before,
        load_after=os.getloadavg(),
        settings={
            "updates": args.updates,
            "warmup": args.warmup,
            "idle": args.idle,
            "runs": args.runs,
            "staff": args.staff,
            "members": args.members,
        },
        round_trips=round_trips,
        publishes=publishes,
        memory=memory,
        press=press,
        scaling=scaling,
        startup=startup,
        records_line=records_line,
        reports=reports,
        zalo_floods=floods,
        refs=refs,
        channels=channels,
        fridays=fridays,
        zalo_trip=zalo_trip,
    )


def _child(module: str, *args: str) -> str:
    """What ``python -m module args`` prints (a benchmark in its own process)."""
    progress(f"python -m {module} {' '.join(args)}".rstrip())
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return done.stdout


def archive_search_section() -> str:
    """(d) bench/search.py in its own process (its archive must not share this one's
    memory or event loop), its Markdown report under a heading of this file."""
    progress("(d) archive search on 10,000 entries (python -m bench.search)")
    done = subprocess.run(
        [sys.executable, "-m", "bench.search"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    body = done.stdout.strip()
    # Its headings move one level down, under this section.
    body = "\n".join("#" + line if line.startswith("#") else line for line in body.splitlines())
    return "## (d) Archive search\n\nCommand: `python -m bench.search`.\n\n" + body


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--write", action="store_true", help="write the report to BENCHMARKS.md")
    parser.add_argument(
        "--parts",
        default="abcdefghijklmn",
        help="which parts to run (default: abcdefghijklmn; d = archive search, e = grade press,"
        " f = SQL time on a large database, g = start-up memory, h = the record's figures,"
        " i = reports and charts, j = one account's flood on Zalo, k = the documents answers"
        " rest on, l = each channel at its own pace, m = a province's Friday, n = a Zalo"
        " update's cost)",
    )
    parser.add_argument("--presses", type=int, default=60, help="(e) grade presses")
    parser.add_argument(
        "--scaling-updates", type=int, default=200, help="(f) updates per run and database"
    )
    parser.add_argument("--updates", type=int, default=2000, help="(a) burst size N")
    parser.add_argument("--warmup", type=int, default=100, help="(a) warm-up updates")
    parser.add_argument("--idle", type=int, default=200, help="(a) one-at-a-time updates")
    parser.add_argument("--runs", type=int, default=3, help="(a, j, l, m) runs")
    parser.add_argument(
        "--members", type=int, default=200, help="(a) members the updates come from"
    )
    parser.add_argument("--no-variant", action="store_true", help="(a) skip the free-text variant")
    parser.add_argument("--staff", type=int, default=300, help="(b, c) staff members")
    parser.add_argument(
        "--candidate-rate",
        type=float,
        default=0.0,
        help="(b) also try overall_max_rate=1, overall_time_period=1/RATE (0: skip)",
    )
    parser.add_argument(
        "--memory-no-rate-limit", action="store_true", help="(c) run the child without limiter"
    )
    child = parser.add_argument_group("internal: the memory child process")
    child.add_argument("--memory-child", action="store_true", help=argparse.SUPPRESS)
    child.add_argument("--api-url", help=argparse.SUPPRESS)
    child.add_argument("--token", help=argparse.SUPPRESS)
    child.add_argument("--workdir", help=argparse.SUPPRESS)
    child.add_argument("--no-rate-limit", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(arguments)
    if args.memory_child:
        asyncio.run(
            memory_child(args.api_url, args.token, Path(args.workdir), not args.no_rate_limit)
        )
        return 0
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    launcher = "python -m bench.run" if __spec__ is not None else "python bench/run.py"
    command = " ".join([launcher, *arguments])
    report = asyncio.run(measure(args, command))
    text = render(report)
    if "d" in set(args.parts):
        text = text.rstrip() + "\n\n" + archive_search_section() + "\n"
    print(text)
    if args.write:
        BENCHMARKS_MD.write_text(text, encoding="utf-8")
        progress(f"wrote {BENCHMARKS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
