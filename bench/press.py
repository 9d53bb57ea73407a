"""(e) A grade press: its round trip and the SQL statements it runs.

The head presses the grade buttons under the drawn person's answer, alternating two verdicts
(every press a real regrade: a grade row, the session, an event, the comment dialog, two
messages owed). Time = the press injected -> its callback answer received by the server. The
statements are those of the task that handled the press (``Store.trace``); the outbox sending
the owed messages afterwards is not part of the press, and runs before the next press. The head
has sent one command before (a person's first update after a start reads who is asking once).
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bench.common import (
    ADMIN,
    DRAW_AT,
    GROUP,
    HEAD,
    LEADER,
    PUBLISH_AT,
    START,
    WAIT,
    bind_group,
    percentile,
    progress,
    seed,
    staff_users,
)
from bot.clock import ManualClock
from fakes.fakebotapi import FakeBotAPI
from fakes.harness import Harness

LABELS = ("Đúng một phần", "Đúng")


@dataclass
class PressResult:
    presses: int
    p50_ms: float
    p95_ms: float
    first_statements: int  # the first grade (the leaders are told)
    regrade_statements: int  # max over the regrades
    transactions: int  # max per press
    first_trace: list[str]  # the statements of the first press
    transactions_each: list[int]


async def grade_press(presses: int, staff: int = 50) -> PressResult:
    progress(f"(e) grade press: {presses} presses by the head")
    users = staff_users(staff)
    async with FakeBotAPI(clock=time.perf_counter) as server:
        for u in [*users, HEAD, LEADER]:
            server.user(u.id, u.first_name, u.last_name, u.username)
        with tempfile.TemporaryDirectory(prefix="hoidap-bench-") as tmp:
            h = Harness(
                Path(tmp), ManualClock(START), admins=(ADMIN.id,), server=server, rate_limit=False
            )
            await h.start()
            try:
                program_id = await bind_group(h)
                people = [(u, "staff") for u in users] + [(HEAD, "head"), (LEADER, "leader")]
                await seed(h.core, program_id, people, questions=3)
                await h.at(PUBLISH_AT)
                await h.at(DRAW_AT)
                store = h.core.store
                session = (await store.open_sessions(program_id))[0]
                drawn = await store.person(session.drawn_person_id or 0)
                assert drawn is not None
                answerer = next(u for u in users if u.id == drawn.tg_user_id)
                await h.send(answerer, "Câu trả lời để đo thời gian chấm.")
                # The head has used the bot since it started (a person's first update after a
                # start costs one statement more: who is asking is read once, then cached).
                await h.send(HEAD, "/trangthai")
                post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
                latencies: list[float] = []
                counts: list[int] = []
                transactions: list[int] = []
                first: list[str] = []
                for i in range(presses):
                    if i and i % 15 == 0:  # hoidap throttles 20 updates per person per 30 s
                        h.clock.advance(timedelta(seconds=31))
                    store.trace = []
                    at = time.perf_counter()
                    query = server.press_button(HEAD.id, post, LABELS[i % 2])
                    answer = await server.wait_for_callback_answer(query, WAIT)
                    latencies.append(time.perf_counter() - at)
                    if "Đã ghi nhận" not in (answer.get("text") or ""):
                        raise RuntimeError(f"(e) press {i}: {answer}")
                    await h.settle(WAIT)
                    trace, store.trace = store.trace, None
                    mine = [s for s in trace if s.task and "process_concurrent_update" in s.task]
                    counts.append(sum(1 for s in mine if s.sql != "BEGIN IMMEDIATE"))
                    if i == 0:
                        first = [f"{'tx' if s.in_tx else '--'} {s.sql[:90]}" for s in mine]
                    transactions.append(
                        sum(1 for s in mine if s.sql == "BEGIN IMMEDIATE")
                        + sum(
                            1
                            for s in mine
                            if not s.in_tx and not s.sql.startswith(("SELECT", "BEGIN"))
                        )
                    )
            finally:
                await h.close()
    return PressResult(
        presses=presses,
        p50_ms=percentile(latencies, 0.5) * 1000,
        p95_ms=percentile(latencies, 0.95) * 1000,
        first_statements=counts[0],
        regrade_statements=max(counts[1:]) if len(counts) > 1 else counts[0],
        transactions=max(transactions),
        first_trace=first,
        transactions_each=transactions,
    )
