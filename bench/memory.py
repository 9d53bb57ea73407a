"""(c) Memory: the hoidap application alone in a child process through a whole cycle."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from bench.common import (
    ADMIN,
    DRAW_AT,
    GROUP,
    GROUP_TITLE,
    HEAD,
    JSON,
    LEADER,
    PUBLISH_AT,
    ROOT,
    SAMPLE_XLSX,
    START,
    WAIT,
    Tail,
    hwm_mb,
    progress,
    rss_now_mb,
    rss_peak_mb,
    seed,
    staff_users,
)
from bot.clock import ManualClock
from fakes.fakebotapi import FakeBotAPI
from fakes.harness import Harness, User

# --------------------------------------------------------------------------------------------
# (c) Peak memory: the hoidap application in a child process
# --------------------------------------------------------------------------------------------


@dataclass
class MemoryResult:
    staff: int
    rate_limit: bool
    start_rss_mb: float
    peak_rss_mb: float
    hwm_mb: float
    end_rss_mb: float
    seconds: float
    messages: int
    updates: int
    steps: list[str]
    stages: list[tuple[str, float]] = field(default_factory=list)  # RSS (MB) after each stage
    loaded: list[str] = field(default_factory=list)  # packages imported during the cycle


class _RemoteServer:
    """What the Harness needs to build the application: the parent's server address."""

    def __init__(self, token: str, base_url: str) -> None:
        self.token = token
        self.base_url = base_url


def _respond(payload: JSON) -> None:
    sys.stdout.write("@@" + json.dumps(payload) + "\n")
    sys.stdout.flush()


async def _child_settle(h: Harness) -> None:
    assert h.app is not None
    await asyncio.wait_for(h.app.update_queue.join(), WAIT)
    await h.deps.outbox.idle(WAIT)


async def _child_command(h: Harness, clock: ManualClock, request: JSON) -> JSON:
    store = h.core.store
    command = request["cmd"]
    if command == "settle":
        await _child_settle(h)
        return {}
    if command == "at":
        clock.set(datetime.fromisoformat(request["when"]))
        steps: list[str] = []
        for program in await store.programs():
            steps += await h.scheduler.run(program.id)
        await _child_settle(h)
        return {"steps": steps}
    if command == "seed":
        programs = await store.programs()
        if len(programs) != 1:
            raise RuntimeError(f"expected one bound program, found {len(programs)}")
        people = [
            (User(int(i), str(first), str(last)), str(role))
            for i, first, last, role in request["people"]
        ]
        await seed(h.core, programs[0].id, people)
        return {"queued": await store.count_queued(programs[0].id)}
    if command == "state":
        program = (await store.programs())[0]
        session = await store.latest_session(program.id)
        if session is None:
            return {"state": None, "drawn": None}
        drawn = await store.person(session.drawn_person_id) if session.drawn_person_id else None
        return {"state": session.state, "drawn": drawn.tg_user_id if drawn else None}
    if command == "memory":
        return {"peak_mb": rss_peak_mb(), "hwm_mb": hwm_mb(), "rss_mb": rss_now_mb()}
    raise ValueError(f"unknown command {command!r}")


async def memory_child(api_url: str, token: str, workdir: Path, rate_limit: bool) -> None:
    """The hoidap application alone in this process, driven over stdin/stdout by the parent."""
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    clock = ManualClock(START)
    server = cast(FakeBotAPI, _RemoteServer(token, api_url))
    h = Harness(workdir, clock, admins=(ADMIN.id,), server=server, rate_limit=rate_limit)
    await h.start()
    _respond({"rss_mb": rss_now_mb()})
    try:
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line.strip():
                break
            request = json.loads(line)
            if request["cmd"] == "stop":
                break
            try:
                _respond(await _child_command(h, clock, request))
            except Exception as exc:
                _respond({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        await h.stop()
    _respond({"peak_mb": rss_peak_mb(), "hwm_mb": hwm_mb(), "rss_mb": rss_now_mb()})


class Child:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stderr = bytearray()
        self._drain = asyncio.create_task(self._read_stderr())

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self.stderr += chunk

    def log_tail(self) -> str:
        return self.stderr.decode("utf-8", "replace")[-3000:]

    async def response(self) -> JSON:
        assert self.process.stdout is not None
        while True:
            line = await asyncio.wait_for(self.process.stdout.readline(), WAIT)
            if not line:
                await self._drain
                raise RuntimeError("the memory child exited:\n" + self.log_tail())
            if line.startswith(b"@@"):
                payload: JSON = json.loads(line[2:])
                if "error" in payload:
                    raise RuntimeError(f"memory child: {payload['error']}\n{self.log_tail()}")
                return payload

    async def call(self, command: str, **arguments: Any) -> JSON:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps({"cmd": command, **arguments}) + "\n").encode())
        await self.process.stdin.drain()
        return await self.response()

    async def close(self) -> JSON:
        assert self.process.stdin is not None
        self.process.stdin.write(b'{"cmd": "stop"}\n')
        await self.process.stdin.drain()
        final = await self.response()
        await asyncio.wait_for(self.process.wait(), WAIT)
        await self._drain
        return final


async def memory_cycle(staff_count: int, rate_limit: bool) -> MemoryResult:
    progress(f"(c) memory: whole cycle with {staff_count} staff in a child process")
    xlsx = await asyncio.to_thread(SAMPLE_XLSX.read_bytes)
    async with FakeBotAPI(clock=time.perf_counter) as server:
        staff = staff_users(staff_count)
        server.group(GROUP, GROUP_TITLE)
        for user in (ADMIN, HEAD, LEADER, *staff):
            server.user(user.id, user.first_name, user.last_name, user.username)
        with tempfile.TemporaryDirectory(prefix="hoidap-bench-") as tmp:
            if rate_limit:  # the production bot (hoidap.app.serve), nothing of the benchmark
                arguments = ["-m", "bench.memory_child", "--admin", str(ADMIN.id)]
            else:  # through the Harness, to run without the limiter
                arguments = ["-m", "bench.run", "--memory-child", "--no-rate-limit"]
            arguments += ["--api-url", server.base_url, "--token", server.token, "--workdir", tmp]
            # Through a shell that forks (no exec): on Linux a process started directly by
            # this big parent would inherit the parent's peak RSS in its own ru_maxrss.
            process = await asyncio.create_subprocess_exec(
                "/bin/sh",
                "-c",
                '"$@"; exit $?',
                "sh",
                sys.executable,
                *arguments,
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            child = Child(process)
            try:
                return await _drive_cycle(server, child, staff, xlsx, rate_limit)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()


async def _drive_cycle(
    server: FakeBotAPI, child: Child, staff: list[User], xlsx: bytes, rate_limit: bool
) -> MemoryResult:
    start = await child.response()  # the child reports once it is up
    t0 = time.perf_counter()
    mark, injected_before = len(server.sent), len(server.injected_updates)
    steps: list[str] = []

    stages: list[tuple[str, float]] = []

    async def settle() -> None:
        await server.wait_updates_consumed(WAIT)
        await child.call("settle")

    async def stage(name: str) -> None:
        stages.append((name, float((await child.call("memory"))["rss_mb"])))

    async def expect_state(state: str) -> JSON:
        current = await child.call("state")
        if current["state"] != state:
            raise RuntimeError(
                f"session state {current['state']!r}, expected {state!r}\n"
                + server.describe_sent(8)
                + "\n"
                + child.log_tail()
            )
        return current

    # Bind the group and import the sample question file, as the admin does it in chat.
    server.add_bot_to_group(ADMIN.id, GROUP)
    server.send_text(ADMIN.id, "/lienket", chat_id=GROUP)
    await settle()
    server.send_document(
        ADMIN.id,
        SAMPLE_XLSX.name,
        xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    await settle()
    await stage("bound, question file imported")
    people = [[u.id, u.first_name, u.last_name, "staff"] for u in staff]
    people += [[HEAD.id, HEAD.first_name, HEAD.last_name, "head"]]
    people += [[LEADER.id, LEADER.first_name, LEADER.last_name, "leader"]]
    seeded = await child.call("seed", people=people)
    if not seeded["queued"]:
        raise RuntimeError(
            "importing the sample questions queued nothing:\n" + server.describe_sent(5)
        )
    progress(f"(c) bound, {seeded['queued']} questions imported, {len(people)} members")

    # Friday: the question to the group and to every member privately.
    steps += (await child.call("at", when=PUBLISH_AT.isoformat()))["steps"]
    await expect_state("published")
    missing = [u.id for u in staff if not server.messages_to(u.id)]
    if missing:
        raise RuntimeError(f"{len(missing)} staff did not get the question")
    progress("(c) published to every member")
    await stage("published to every member")

    # Monday: the draw, the answer, the grade, the conclusion.
    steps += (await child.call("at", when=DRAW_AT.isoformat()))["steps"]
    drawn = (await expect_state("drawn"))["drawn"]
    server.send_text(drawn, "Theo Điều lệ Đảng, cần có hai đảng viên chính thức giới thiệu.")
    await settle()
    await expect_state("answered")
    answer_post = next(
        m
        for m in reversed(server.messages_to(GROUP))
        if any(label == "Đúng" for label, _ in m.buttons())
    )
    query = server.press_button(HEAD.id, answer_post, "Đúng")
    await server.wait_for_callback_answer(query, WAIT)
    await settle()
    await expect_state("graded")
    server.send_text(LEADER.id, "/ketluan Thực hiện theo Điều lệ Đảng và Quy định số 24-QĐ/TW.")
    await settle()
    await expect_state("concluded")
    progress("(c) drawn, answered, graded, concluded")
    await stage("drawn, answered, graded, concluded")

    # Everyone checks the status at once.
    tail = Tail(server)
    for user in staff:
        server.send_text(user.id, "/trangthai")
    await settle()
    tail.poll()
    answered = {m.chat_id for m in tail.found}
    if not {u.id for u in staff} <= answered:
        raise RuntimeError("not every /trangthai was answered")
    seconds = time.perf_counter() - t0
    end = await child.call("memory")
    loaded = sorted(set(end.get("packages", ())) - set(start.get("packages", ())))
    final = await child.close()
    if child.stderr.strip():
        progress("(c) the child logged:\n" + child.log_tail())
    return MemoryResult(
        staff=len(staff),
        rate_limit=rate_limit,
        start_rss_mb=float(start["rss_mb"]),
        peak_rss_mb=max(float(end["peak_mb"]), float(final["peak_mb"])),
        hwm_mb=max(float(end["hwm_mb"]), float(final["hwm_mb"])),
        end_rss_mb=float(end["rss_mb"]),
        seconds=seconds,
        messages=len(server.sent) - mark,
        updates=len(server.injected_updates) - injected_before,
        steps=steps,
        stages=stages,
        loaded=loaded,
    )
