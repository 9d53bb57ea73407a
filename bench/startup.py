"""(g) Start-up memory: hoidap as it runs in production beside a bare PTB echo bot.

Each bot runs alone in a child process of its own (``python -m bench.startup --child KIND``),
both started at the same time against the fake server in this process: hoidap through
``hoidap.app.serve`` (the production start-up: database, migrations, outbox, scheduler, menus,
long polling), the echo bot as a bare PTB ``Application`` with one ``MessageHandler``. Once
polling, each answers one message (so both have made a round trip), then reports its RSS
(``VmRSS``). The children import nothing of the benchmark (this module imports only the
standard library at the top), and start through ``/bin/sh`` that forks, so they do not inherit
this process's peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _say(payload: dict[str, Any]) -> None:
    sys.stdout.write("@@" + json.dumps(payload) + "\n")
    sys.stdout.flush()


async def _wait_for_stop() -> None:
    await asyncio.to_thread(sys.stdin.readline)


async def _hoidap_child(api_url: str, token: str, workdir: Path) -> None:
    from bot.config import Settings
    from hoidap.app import serve

    stop = asyncio.Event()

    async def ready(_app: Any) -> None:
        async def report() -> None:
            line = await asyncio.to_thread(sys.stdin.readline)  # "ready?" once a reply went
            _say({"rss_mb": _rss_mb(), "modules": len(sys.modules), "echo": line.strip()})
            await _wait_for_stop()
            stop.set()

        asyncio.get_running_loop().create_task(report())

    settings = Settings(token=token, api_url=api_url, db_path=workdir / "hoidap.sqlite3")
    await serve(settings, stop=stop, ready=ready, poll_timeout=1.0)


async def _echo_child(api_url: str, token: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text is not None:
            await update.message.reply_text(update.message.text)

    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(api_url)
        .base_file_url(api_url[: -len("/bot")] + "/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        line = await asyncio.to_thread(sys.stdin.readline)
        _say({"rss_mb": _rss_mb(), "modules": len(sys.modules), "echo": line.strip()})
        await _wait_for_stop()
        await app.updater.stop()
        await app.stop()


@dataclass
class StartupResult:
    hoidap_mb: list[float]
    echo_mb: list[float]

    @staticmethod
    def _median(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[len(ordered) // 2]

    @property
    def hoidap(self) -> float:
        return self._median(self.hoidap_mb)

    @property
    def echo(self) -> float:
        return self._median(self.echo_mb)

    @property
    def ratio(self) -> float:
        return self.hoidap / self.echo


async def _start(kind: str, api_url: str, token: str, workdir: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        "/bin/sh",
        "-c",
        '"$@"; exit $?',
        "sh",
        sys.executable,
        "-m",
        "bench.startup",
        "--child",
        kind,
        "--api-url",
        api_url,
        "--token",
        token,
        "--workdir",
        workdir,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _answer(process: asyncio.subprocess.Process) -> dict[str, Any]:
    assert process.stdout is not None
    while True:
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if not line:
            raise RuntimeError("a start-up child exited early")
        if line.startswith(b"@@"):
            payload: dict[str, Any] = json.loads(line[2:])
            return payload


async def startup_memory(runs: int = 3) -> StartupResult:
    from bench.common import progress
    from fakes.fakebotapi import FakeBotAPI

    progress(f"(g) start-up RSS: hoidap (serve) beside a bare PTB echo bot, {runs} runs")
    result = StartupResult([], [])

    async def one(kind: str) -> float:
        # One server per bot: each polls its own token, as two real bots would.
        async with FakeBotAPI(clock=time.perf_counter) as server:
            server.user(4242, "Người", "Đo")
            with tempfile.TemporaryDirectory(prefix="hoidap-bench-") as tmp:
                process = await _start(kind, server.base_url, server.token, tmp)
                try:
                    server.send_text(4242, "/start")
                    await server.wait_until(lambda: len(server.sent) > 0, 120)
                    assert process.stdin is not None
                    process.stdin.write(b"ready\n")
                    await process.stdin.drain()
                    rss = float((await _answer(process))["rss_mb"])
                    process.stdin.write(b"stop\n")
                    await process.stdin.drain()
                    await asyncio.wait_for(process.wait(), 120)
                    return rss
                finally:
                    if process.returncode is None:
                        process.kill()
                        await process.wait()

    for run in range(1, runs + 1):
        hoidap, echo = await asyncio.gather(one("hoidap"), one("echo"))  # side by side
        result.hoidap_mb.append(hoidap)
        result.echo_mb.append(echo)
        progress(f"(g) run {run}/{runs}: hoidap {hoidap:.1f} MB, echo {echo:.1f} MB")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("--child", choices=("hoidap", "echo"))
    parser.add_argument("--api-url")
    parser.add_argument("--token")
    parser.add_argument("--workdir")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if args.child == "hoidap":
        asyncio.run(_hoidap_child(args.api_url, args.token, Path(args.workdir)))
    elif args.child == "echo":
        asyncio.run(_echo_child(args.api_url, args.token))
    else:
        r = asyncio.run(startup_memory(args.runs))
        print(f"hoidap {r.hoidap:.1f} MB, echo {r.echo:.1f} MB, ratio {r.ratio:.2f}")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
