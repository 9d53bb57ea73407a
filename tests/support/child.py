"""The bot in a child process, for tests that kill it (test support only).

Runs exactly what ``hoidap run`` runs (:func:`hoidap.app.serve`: the real application, long
polling, the outbox, the scheduler) against a Bot API server given by URL (usually a
:class:`~fakes.fakebotapi.FakeBotAPI` in the test process), with time read from a file
the test controls::

    python -m tests.support.child --db DB --api-url URL --token TOKEN --clock-file FILE \
        [--zalo-token TOKEN --zalo-api-url URL]

The clock file holds one ISO-8601 datetime with a UTC offset; :class:`FileClock` reads it on
every ``now()``, so the test moves time by rewriting it, and the time survives a restart of
the child. Commands, one per line on stdin, answered on stdout:

``tick``   run every program's due steps now (what the scheduler's wake-up does), wait until the
           outbox is idle, answer ``ticked ["2026-W50:publish", ...]``
``idle``   wait until the outbox is idle, answer ``idle``
``stop``   a clean shutdown (end of input too)

The child prints ``ready`` once it polls, and exits with the code ``hoidap run`` would (2 when
its database file was deleted or replaced while it ran). With ``HOIDAP_CRASH_AT`` set it kills
itself at that crash point (tests/support/crash.py); the test sees stdout close and the exit
status -9.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from datetime import datetime
from pathlib import Path

from telegram.ext import Application

from bot.config import DEFAULT_ZALO_API_URL, Settings
from handlers.common import Deps
from hoidap.app import serve
from scheduler import ProgramScheduler
from tests.support import crash  # noqa: F401  (arms the crash point named in HOIDAP_CRASH_AT)


class FileClock:
    """A clock that reads the current time from a file (an ISO-8601 datetime with offset)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        when = datetime.fromisoformat(self.path.read_text(encoding="ascii").strip())
        if when.tzinfo is None:
            raise ValueError(f"{self.path}: the time needs a UTC offset")
        return when

    @staticmethod
    def write(path: Path, when: datetime) -> None:
        """Set the time atomically (a reader never sees a half-written file)."""
        if when.tzinfo is None:
            raise ValueError("FileClock needs an aware datetime")
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(when.isoformat(), encoding="ascii")
        tmp.replace(path)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def _commands(app: Application, stop: asyncio.Event) -> None:  # type: ignore[type-arg]
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    deps: Deps = app.bot_data["deps"]
    scheduler: ProgramScheduler = app.bot_data["scheduler"]
    while True:
        line = (await reader.readline()).decode().strip()
        if line in ("", "stop"):
            break
        if line == "tick":
            steps: list[str] = []
            for program in await deps.core.store.programs():
                steps += await scheduler.run(program.id)
            await deps.outbox.idle(60)
            _say("ticked " + json.dumps(steps))
        elif line == "idle":
            await deps.outbox.idle(60)
            _say("idle")
        else:
            _say(f"unknown command {line!r}")
    stop.set()


async def _main(args: argparse.Namespace) -> int:
    settings = Settings(
        token=args.token,
        api_url=args.api_url,
        db_path=args.db,
        admins=frozenset(int(x) for x in args.admins.split(",") if x),
        grace_minutes=args.grace_minutes,
        zalo_token=args.zalo_token,
        zalo_api_url=args.zalo_api_url or DEFAULT_ZALO_API_URL,
        zalo_rate=args.zalo_rate,
    )
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def ready(app: Application) -> None:  # type: ignore[type-arg]
        tasks.append(asyncio.create_task(_commands(app, stop)))
        _say("ready")

    code = await serve(
        settings,
        clock=FileClock(args.clock_file),
        stop=stop,
        poll_timeout=args.poll_timeout,
        ready=ready,
        db_watch_seconds=args.db_watch_seconds,
    )
    for task in tasks:
        task.cancel()
    return code


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.support.child")
    p.add_argument("--db", type=Path, required=True)
    p.add_argument("--api-url", required=True, help="Bot API base URL, ending in /bot")
    p.add_argument("--token", required=True)
    p.add_argument("--clock-file", type=Path, required=True)
    p.add_argument("--admins", default="", help="Telegram ids of the admins, comma-separated")
    p.add_argument("--grace-minutes", type=int, default=30)
    p.add_argument("--zalo-token", help="Zalo on, through the Zalo Bot API at --zalo-api-url")
    p.add_argument("--zalo-api-url")
    p.add_argument("--zalo-rate", type=float, default=30.0)
    p.add_argument("--poll-timeout", type=float, default=1.0)
    p.add_argument(
        "--db-watch-seconds", type=float, default=5.0, help="how often the database file is checked"
    )
    args = p.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "telegram"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
