"""The child process of part (c): hoidap as in production, driven over stdin/stdout.

``python -m bench.memory_child --api-url URL --token T --workdir DIR`` runs ``hoidap.app.serve``
(the production start-up, with its rate limiter) on a manual clock, against the fake server of
the parent. It imports nothing of the benchmark or of the test machinery (no fake server, no
Harness): the memory measured is the bot's. Commands, one JSON object a line: ``settle``,
``at`` (move the clock, run what is due), ``seed`` (members), ``state``, ``memory``, ``stop``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

WAIT = 120.0


def rss_now_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def hwm_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def respond(payload: dict[str, Any]) -> None:
    sys.stdout.write("@@" + json.dumps(payload) + "\n")
    sys.stdout.flush()


async def run(api_url: str, token: str, workdir: Path, admin: int) -> None:
    from bot.clock import ManualClock
    from bot.config import Settings
    from bot.core import Core
    from hoidap.app import serve

    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    clock = ManualClock(datetime.fromisoformat("2026-12-01T10:00:00+07:00"))
    settings = Settings(
        token=token,
        api_url=api_url,
        db_path=workdir / "hoidap.sqlite3",
        admins=frozenset({admin}),
    )
    stop = asyncio.Event()

    async def settle(app: Any) -> None:
        await asyncio.wait_for(app.update_queue.join(), WAIT)
        await app.bot_data["deps"].outbox.idle(WAIT)

    async def command(app: Any, request: dict[str, Any]) -> dict[str, Any]:
        core: Core = app.bot_data["deps"].core
        store = core.store
        name = request["cmd"]
        if name == "settle":
            await settle(app)
            return {}
        if name == "at":
            clock.set(datetime.fromisoformat(request["when"]))
            steps: list[str] = []
            for program in await store.programs():
                steps += await app.bot_data["scheduler"].run(program.id)
            await settle(app)
            return {"steps": steps}
        if name == "seed":
            programs = await store.programs()
            if len(programs) != 1:
                raise RuntimeError(f"expected one bound program, found {len(programs)}")
            now = core.now()
            async with store.transaction():
                for tg_id, first, last, role in request["people"]:
                    tg_name = f"{first} {last}".strip()
                    person = await store.upsert_person(int(tg_id), None, tg_name, False, now)
                    await store.set_person_profile(person.id, f"{last} {first}", "Chuyên viên")
                    await store.upsert_member(programs[0].id, person.id, "active", now)
                    await store.set_roles(programs[0].id, person.id, [role])
            return {"queued": await store.count_queued(programs[0].id)}
        if name == "state":
            program = (await store.programs())[0]
            session = await store.latest_session(program.id)
            if session is None:
                return {"state": None, "drawn": None}
            drawn = await store.person(session.drawn_person_id or 0)
            return {"state": str(session.state), "drawn": drawn.tg_user_id if drawn else None}
        if name == "memory":
            return {
                "peak_mb": rss_peak_mb(),
                "hwm_mb": hwm_mb(),
                "rss_mb": rss_now_mb(),
                "packages": sorted({m.split(".")[0] for m in sys.modules}),
            }
        raise ValueError(f"unknown command {name!r}")

    async def ready(app: Any) -> None:
        async def serve_commands() -> None:
            respond(
                {"rss_mb": rss_now_mb(), "packages": sorted({m.split(".")[0] for m in sys.modules})}
            )
            try:
                while True:
                    line = await asyncio.to_thread(sys.stdin.readline)
                    if not line.strip():
                        break
                    request = json.loads(line)
                    if request["cmd"] == "stop":
                        break
                    try:
                        respond(await command(app, request))
                    except Exception as exc:
                        respond({"error": f"{type(exc).__name__}: {exc}"})
            finally:
                stop.set()

        asyncio.get_running_loop().create_task(serve_commands())

    await serve(settings, clock=clock, stop=stop, ready=ready, poll_timeout=1.0)
    respond({"peak_mb": rss_peak_mb(), "hwm_mb": hwm_mb(), "rss_mb": rss_now_mb()})


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory_child")
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--admin", type=int, default=1001)
    args = parser.parse_args()
    asyncio.run(run(args.api_url, args.token, Path(args.workdir), args.admin))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
