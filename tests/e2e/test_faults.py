"""Faults the bot must survive, each one caused on purpose.

* SIGKILL right after each state change commits, and while its messages go out (the bot runs
  in a child process, tests/support/child.py, with crash points from tests/support/crash.py);
* the bot down over the publish, draw and reminder times;
* Telegram failing (5xx, timeouts, resets, 429) for a whole cycle, and unreachable for a while;
* two instances on one database, or with one token;
* the same button pressed twice;
* the database file deleted, or replaced by another, while the bot runs.

What is owed is what the outbox holds: every message a committed state change owes is a row
written in the same transaction. "Nothing lost" means every such row reached its chat;
"nothing twice" means no step ran twice and no message arrived twice, except the at most
``CONCURRENCY`` messages in flight when the process was killed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sqlite3
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.chats import is_zalo_chat
from bot.clock import ManualClock
from bot.config import Settings
from bot.db import DatabaseError, lock_database
from bot.render import render
from bot.transport.outbox import CONCURRENCY
from bot.words import BUTTONS
from fakes.fakebotapi import FakeBotAPI, FaultPlan
from fakes.fakezalo import FakeZalo
from fakes.harness import Harness, User
from hoidap.app import EXIT_CONFLICT, PollingConflicts, serve
from tests.conftest import ADMIN, GROUP, GROUP_TITLE, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import (
    SAMPLES,
    answered,
    bind,
    not_sent,
    seed,
    sent,
    sent_all,
    setup_program,
    staff,
    texts,
    zalo_staff,
)
from tests.support.child import FileClock

ROOT = Path(__file__).resolve().parents[2]
PUBLISH = vn(2026, 12, 4, 8, 0)  # Friday 08:00, three days before the session
DRAW = vn(2026, 12, 7, 9, 0)  # Monday 09:00
REMINDER = vn(2026, 12, 7, 9, 45)  # 15 minutes before the 10:00 deadline
SIGKILLED = -signal.SIGKILL


# -- helpers -------------------------------------------------------------------------------------


SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ")
GIVEN = ("Văn An", "Thị Bình", "Đức Cường", "Thu Dung", "Quang Giang", "Thị Hà", "Minh Khánh")
GIVEN += ("Thị Lan", "Văn Nam", "Hồng Phúc")


def many_staff(count: int) -> list[User]:
    """Fictional staff members with distinct names (names may not contain digits)."""
    return [User(50_000 + i, GIVEN[i % 10], SURNAMES[i // 10 % 10]) for i in range(count)]


async def onboard_many(h: Harness, users: list[User]) -> None:
    """Many staff join at once through one pre-approved invitation for them all
    (/moi chuyenvien duyet N): each step for everyone, then one settle."""
    out = await h.send(ADMIN, f"/moi chuyenvien duyet {len(users)}")
    links = [url for m in out for _, url in m.buttons() if "?start=" in url]
    assert links, texts(out)
    start = "/start " + links[0].split("?start=", 1)[1]
    for u in users:
        h.server.user(u.id, u.first_name, u.last_name, u.username)
        h.server.send_text(u.id, start)
    await h.settle()
    for u in users:
        h.server.send_text(u.id, f"{u.last_name} {u.first_name}")
    await h.settle()
    for u in users:
        h.server.press_button(u.id, h.last_to(u.id), "Chuyên viên")
    await h.settle()
    for u in users:
        person = await h.core.store.person_by_tg(u.id)
        assert person is not None and await h.core.store.roles(1, person.id) == {"staff"}


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    """Read the database the bot (maybe another process) is using."""
    with closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def outbox_mark(db: Path) -> int:
    return int(query(db, "SELECT COALESCE(MAX(id), 0) FROM outbox")[0][0])


def delivery_counts(db: Path, server: FakeBotAPI, after_row: int, after_sent: int) -> list[int]:
    """For every outbox row written after ``after_row``: how many times its text arrived."""
    sent = Counter((m.chat_id, m.text) for m in server.sent[after_sent:])
    rows = query(db, "SELECT * FROM outbox WHERE id > ? ORDER BY id", (after_row,))
    assert rows, "nothing was owed"
    owed = [(r["chat_id"], render(r["template"], json.loads(r["context"]))) for r in rows]
    assert len(set(owed)) == len(owed), "two owed messages look alike; counts would mix"
    return [sent[key] for key in owed]


def events(db: Path, session_id: int) -> Counter[str]:
    rows = query(db, "SELECT kind FROM events WHERE session_id = ?", (session_id,))
    return Counter(r["kind"] for r in rows)


class Child:
    """The bot in a child process (tests/support/child.py) against this test's fake server."""

    def __init__(self, h: Harness, clock_file: Path, zalo: FakeZalo | None = None) -> None:
        self.h = h
        self.zalo = zalo
        self.clock_file = clock_file
        self.runs = 0
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path = h.workdir / "child.log"

    async def start(self, crash_at: str | None = None, db_watch_seconds: float = 5.0) -> None:
        assert self.proc is None or self.proc.returncode is not None
        env = {k: v for k, v in os.environ.items() if k != "HOIDAP_CRASH_AT"}
        env["PYTHONPATH"] = str(ROOT)
        if crash_at:
            env["HOIDAP_CRASH_AT"] = crash_at
        self.runs += 1
        with self.log_path.open("a") as log:
            log.write(f"--- run {self.runs} crash_at={crash_at}\n")
        server = self.h.server
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.support.child",
            "--db",
            str(self.h.db_path),
            "--api-url",
            server.base_url,
            "--token",
            server.token,
            "--clock-file",
            str(self.clock_file),
            "--admins",
            ",".join(map(str, self.h.admins)),
            "--grace-minutes",
            str(self.h.grace_minutes),
            "--db-watch-seconds",
            str(db_watch_seconds),
            *(
                ["--zalo-token", self.zalo.token, "--zalo-api-url", self.zalo.url]
                if self.zalo is not None
                else []
            ),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=self.log_path.open("a"),
            env=env,
            cwd=ROOT,
        )

    def _tail(self) -> str:
        return self.log_path.read_text()[-3000:]

    async def line(self, timeout: float = 30.0) -> str:  # noqa: ASYNC109
        assert self.proc is not None and self.proc.stdout is not None
        raw = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        return raw.decode().strip()

    async def ready(self) -> None:
        line = await self.line()
        assert line == "ready", f"child not ready ({line!r}):\n{self._tail()}"

    async def command(self, command: str) -> str:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(command.encode() + b"\n")
        await self.proc.stdin.drain()
        return await self.line()

    async def killed(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Wait for the crash point to fire: the process ends by SIGKILL."""
        assert self.proc is not None
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        assert code == SIGKILLED, f"exit {code}, expected SIGKILL:\n{self._tail()}"

    async def exited(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """Wait for the process to end by itself; its exit code."""
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def stop(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.close()
        code = await asyncio.wait_for(self.proc.wait(), 30)
        assert code == 0, f"exit {code}:\n{self._tail()}"

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


@pytest.fixture
async def prepared(tmp_path: Path, clock: ManualClock) -> AsyncIterator[Harness]:
    """A server, and a harness that set up the program in chat and then stopped (the server
    keeps running for the child processes)."""
    h = Harness(tmp_path, clock, admins=(ADMIN.id,))
    h.server.group(GROUP, GROUP_TITLE)
    for u in [ADMIN, HEAD, LEADER, *STAFF]:
        h.server.user(u.id, u.first_name, u.last_name, u.username)
    await h.start()
    try:
        yield h
    finally:
        await h.close()


# -- 1. SIGKILL at every step boundary ---------------------------------------------------------


async def test_sigkill_after_every_step_loses_nothing_and_repeats_no_step(
    prepared: Harness,
) -> None:
    h = prepared
    await setup_program(h)
    await h.stop()  # from here on the bot runs in a child process
    db, server = h.db_path, h.server
    clock_file = h.workdir / "clock"
    after_row, after_sent = outbox_mark(db), server.mark()
    child = Child(h, clock_file)

    def count(chat_id: int, needle: str) -> int:
        return sum(needle in m.plain_text for m in server.messages_to(chat_id))

    try:
        # Publish commits, then the process dies before a single message went out.
        FileClock.write(clock_file, PUBLISH)
        await child.start(crash_at="after_commit:published")
        await child.killed()  # the start-up catch-up published, then SIGKILL
        (session,) = query(db, "SELECT * FROM sessions")
        assert session["state"] == "published"
        assert not any("câu hỏi tuần này" in m.plain_text for m in server.sent[after_sent:])
        owed = query(
            db, "SELECT COUNT(*) FROM outbox WHERE id > ? AND sent_at IS NULL", (after_row,)
        )
        assert owed[0][0] == 6  # the group and five members
        published_rows = outbox_mark(db)

        # The messages go out after the restart; killed after Telegram accepted the third.
        await child.start(crash_at="after_send:3")
        await child.killed()
        assert 3 <= len(server.sent) - after_sent <= 3 + CONCURRENCY - 1

        # Restart: the rest of the publication goes out; the draw commits, SIGKILL.
        await child.start(crash_at="after_commit:drawn")
        await child.ready()
        assert await child.command("idle") == "idle"
        FileClock.write(clock_file, DRAW)
        assert await child.command("tick") == ""  # died inside the step
        await child.killed()
        (session,) = query(db, "SELECT * FROM sessions")
        assert session["state"] == "drawn"
        drawn = query(
            db, "SELECT tg_user_id FROM people WHERE id = ?", (session["drawn_person_id"],)
        )
        drawn_user = next(u for u in STAFF if u.id == drawn[0][0])

        # The reminder commits, SIGKILL.
        await child.start(crash_at="after_commit:reminded")
        await child.ready()
        assert await child.command("idle") == "idle"
        assert count(GROUP, "KẾT QUẢ BỐC THĂM") == 1
        FileClock.write(clock_file, REMINDER)
        assert await child.command("tick") == ""
        await child.killed()

        # The answer arrives and commits, SIGKILL (before the bot could acknowledge it).
        await child.start(crash_at="after_commit:answered")
        await child.ready()
        assert await child.command("idle") == "idle"
        assert count(drawn_user.id, "Nhắc đồng chí") == 1
        server.send_text(
            drawn_user.id, "Theo Điều lệ Đảng, cần hai đảng viên chính thức giới thiệu."
        )
        await child.killed()
        assert query(db, "SELECT state FROM sessions")[0][0] == "answered"

        # The head's verdict commits, SIGKILL (the button press is never answered).
        await child.start(crash_at="after_commit:graded")
        await child.ready()
        assert await child.command("idle") == "idle"
        answer_post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
        server.press_button(HEAD.id, answer_post, "Đúng một phần")
        await child.killed()
        assert query(db, "SELECT state FROM sessions")[0][0] == "graded"

        # A comment, then the leader's conclusion commits, SIGKILL.
        await child.start(crash_at="after_commit:concluded")
        await child.ready()
        assert await child.command("idle") == "idle"
        mark = server.mark()
        server.send_text(HEAD.id, "Cần nêu rõ thời hạn xem xét.")
        await server.wait_for(lambda m: "thời hạn xem xét" in m.plain_text, after=mark)
        prompt = h.last_to(LEADER.id, lambda m: "Viết kết luận" in str(m.buttons()))
        mark = server.mark()
        server.press_button(LEADER.id, prompt, "✍️ Viết kết luận")
        await server.wait_for(lambda m: m.chat_id == LEADER.id, after=mark)
        server.send_text(LEADER.id, "Kết luận: thực hiện theo Điều lệ Đảng.")
        await child.killed()
        assert query(db, "SELECT state FROM sessions")[0][0] == "concluded"

        # The last restart delivers the conclusion; a clean stop.
        await child.start()
        await child.ready()
        assert await child.command("idle") == "idle"
        await child.stop()
    finally:
        await child.kill()

    # No step ran twice.
    sid = session["id"]
    ran = events(db, sid)
    for kind in ("published", "drawn", "answered", "graded", "concluded"):
        assert ran[kind] == 1, (kind, ran)
    assert len(query(db, "SELECT * FROM draws WHERE session_id = ?", (sid,))) == 1
    assert len(query(db, "SELECT * FROM grades WHERE session_id = ?", (sid,))) == 1
    assert query(db, "SELECT reminded FROM sessions")[0][0] == 1
    # Nothing lost: every owed message arrived; twice only for messages that were in flight
    # when the process was killed in the middle of the publication.
    assert query(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")[0][0] == 0
    counts = delivery_counts(db, server, after_row, after_sent)
    n_publish = published_rows - after_row
    assert min(counts) == 1
    assert set(counts[n_publish:]) == {1}  # the later steps' messages: each exactly once
    duplicates = sum(n - 1 for n in counts[:n_publish])
    assert 1 <= duplicates <= CONCURRENCY, counts
    for needle in ("KẾT QUẢ BỐC THĂM", "Câu trả lời của đồng chí", "KẾT LUẬN"):
        assert count(GROUP, needle) == 1, needle


async def test_a_crash_while_publishing_repeats_at_most_concurrency_messages(
    prepared: Harness,
) -> None:
    """The bound: a SIGKILL in the middle of publishing to 20 staff repeats at most
    ``CONCURRENCY`` (8) messages, the ones accepted by Telegram but not yet marked sent."""
    h = prepared
    await bind(h)
    await onboard_many(h, many_staff(20))
    out = await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    assert "Đã nhập" in texts(out), texts(out)
    await h.stop()
    db, server = h.db_path, h.server
    after_row, after_sent = outbox_mark(db), server.mark()
    clock_file = h.workdir / "clock"
    FileClock.write(clock_file, PUBLISH)
    child = Child(h, clock_file)
    try:
        await child.start(crash_at="after_send:10")
        await child.killed()
        accepted_before_crash = len(server.sent) - after_sent
        await child.start()
        await child.ready()
        assert await child.command("idle") == "idle"
        await child.stop()
    finally:
        await child.kill()
    counts = delivery_counts(db, server, after_row, after_sent)
    assert len(counts) == 21  # the group and twenty staff
    assert min(counts) == 1  # nothing lost
    duplicates = sum(n - 1 for n in counts)
    assert 10 <= accepted_before_crash < 10 + CONCURRENCY
    assert 1 <= duplicates <= CONCURRENCY, counts
    logging.getLogger(__name__).info(
        "crash after the 10th of 21 messages: %s duplicates (bound %s)", duplicates, CONCURRENCY
    )


async def test_a_crash_with_both_channels_owed_repeats_at_most_concurrency_on_each(
    tmp_path: Path, clock: ManualClock
) -> None:
    """SIGKILL while Telegram and Zalo both have messages of one publication in hand: after
    the restart each owed message has arrived, and each channel repeats at most the
    ``CONCURRENCY`` messages it had in flight."""
    zalo = FakeZalo()
    await zalo.start()
    h = Harness(tmp_path, clock, admins=(ADMIN.id,), zalo=zalo)
    h.server.group(GROUP, GROUP_TITLE)
    h.server.user(ADMIN.id, ADMIN.first_name, ADMIN.last_name, ADMIN.username)
    child = Child(h, h.workdir / "clock", zalo)
    try:
        await h.start()
        await bind(h)
        people = staff(12)
        for u in people:
            h.server.user(u.id, u.first_name, u.last_name)
        await seed(h.core, 1, people)
        zids = await zalo_staff(h.core, zalo, 1, 12)
        await h.stop()
        db, server = h.db_path, h.server
        after_row, after_sent, zalo_mark = outbox_mark(db), server.mark(), len(zalo.sent)
        FileClock.write(child.clock_file, PUBLISH)

        await child.start(crash_at="after_send:6")
        await child.killed()
        owed = query(
            db, "SELECT chat_id FROM outbox WHERE id > ? AND sent_at IS NULL", (after_row,)
        )
        on_zalo = sum(1 for r in owed if is_zalo_chat(r["chat_id"]))
        assert on_zalo and len(owed) - on_zalo, "both channels had messages owed at the kill"
        await child.start()
        await child.ready()
        assert await child.command("idle") == "idle"
        await child.stop()
    finally:
        await child.kill()
        await h.close()
        await zalo.stop()

    rows = query(db, "SELECT chat_id, sent_at FROM outbox WHERE id > ?", (after_row,))
    assert all(r["sent_at"] for r in rows)
    telegram = Counter(m.chat_id for m in server.sent[after_sent:])
    assert set(telegram) == {GROUP, *(u.id for u in people)}  # nothing lost
    questions = Counter(
        e["chat_id"] for e in zalo.sent[zalo_mark:] if "câu hỏi tuần này" in e["text"]
    )
    assert set(questions) == set(zids)  # nothing lost
    repeats = [sum(n - 1 for n in c.values()) for c in (telegram, questions)]
    assert sum(repeats) >= 1  # the one accepted at the kill, never marked sent, went again
    for repeated in (telegram, questions):  # each channel: at most what it had in flight
        assert sum(n - 1 for n in repeated.values()) <= CONCURRENCY, repeated


# -- 2. the bot down over the publish, draw and reminder times ---------------------------------


async def test_publish_missed_while_down_runs_late_once_before_the_draw(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.stop()
    h.clock.set(vn(2026, 12, 6, 20, 0))  # Sunday evening: late, but before the draw
    await h.start()
    await h.settle()
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "published" and not session.missed_reported
    for _ in range(2):
        await h.restart()
        await h.tick()
    assert len(sent_all(h.server.messages_to(GROUP), "publish_group")) == 1
    for user in STAFF:
        assert len(sent_all(h.server.messages_to(user.id), "publish_private")) == 1
    await h.at(DRAW)
    assert (await h.core.store.session(session.id)).state == "drawn"  # type: ignore[union-attr]


async def test_publish_missed_beyond_the_draw_grace_is_reported_once(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.stop()
    h.clock.set(vn(2026, 12, 7, 9, 45))  # 45 minutes after the draw time; grace is 30
    await h.start()
    await h.settle()
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "scheduled" and session.missed_reported
    for _ in range(2):
        await h.restart()
        await h.tick()
    reports = sent_all(h.server.messages_to(ADMIN.id), "missed_admin")
    assert [r.context["step"] for _, r in reports] == ["publish"]
    not_sent(h.server.messages_to(GROUP), "publish_group")
    out = await h.send(ADMIN, "/bocthamngay", chat_id=GROUP)  # the admin's way out
    sent(out, "draw_group", GROUP)


@pytest.mark.parametrize(
    ("back_at", "sent"),
    [(vn(2026, 12, 7, 9, 48), True), (vn(2026, 12, 7, 9, 55), False)],
    ids=["within-grace", "beyond-grace"],
)
async def test_reminder_missed_while_down_never_twice(
    tmp_path: Path, clock: ManualClock, back_at: datetime, sent: bool
) -> None:
    # Grace 5 minutes: the reminder (09:45) is late after 09:50, before the 10:00 deadline.
    h = Harness(tmp_path, clock, admins=(ADMIN.id,), grace_minutes=5)
    h.server.group(GROUP, GROUP_TITLE)
    await h.start()
    try:
        await setup_program(h)
        await h.at(PUBLISH)
        await h.at(DRAW)
        session = (await h.core.store.open_sessions(1))[0]
        person = await h.core.store.person(session.drawn_person_id or 0)
        assert person is not None
        await h.stop()
        h.clock.set(back_at)
        for _ in range(3):
            await h.start()
            await h.tick()
            await h.stop()
        await h.start()
        reminders = sent_all(h.server.messages_to(person.tg_user_id), "reminder")
        reports = sent_all(h.server.messages_to(ADMIN.id), "missed_admin", step="remind")
        assert (len(reminders), len(reports)) == ((1, 0) if sent else (0, 1))
        await h.at(vn(2026, 12, 7, 10, 0))  # the deadline still closes the session
        assert (await h.core.store.session(session.id)).state == "unanswered"  # type: ignore[union-attr]
    finally:
        await h.close()


# -- 3. Telegram failing -------------------------------------------------------------------------


async def test_a_whole_cycle_through_a_flaky_telegram_delivers_everything_once(
    tmp_path: Path, clock: ManualClock
) -> None:
    """50 staff; one request in five fails (500, 502, 429 with retry_after, a hang past the
    client's timeout, a dropped connection), getUpdates and callback answers included."""
    h = Harness(tmp_path, clock, admins=(ADMIN.id,), request_timeout=0.5)
    h.server.group(GROUP, GROUP_TITLE)
    await h.start()
    try:
        await setup_program(h)
        await onboard_many(h, many_staff(47))  # 3 + 47 = 50 staff
        db, server = h.db_path, h.server
        after_row, after_sent = outbox_mark(db), server.mark()
        server.set_faults(
            FaultPlan(
                rate=0.2,
                seed=7,
                retry_after=1,
                timeout_seconds=1.0,
                methods=frozenset(
                    {"sendMessage", "copyMessage", "getUpdates", "answerCallbackQuery"}
                ),
            )
        )
        assert await h.at(PUBLISH) == ["2026-W50:publish"]
        assert await h.at(DRAW) == ["2026-W50:draw"]
        session = (await h.core.store.open_sessions(1))[0]
        drawn = await h.core.store.person(session.drawn_person_id or 0)
        assert drawn is not None
        server.send_text(drawn.tg_user_id, "Câu trả lời trong lúc Telegram chập chờn.")
        await h.settle()
        assert (await h.core.store.session(session.id)).state == "answered"  # type: ignore[union-attr]
        answer_post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
        server.press_button(HEAD.id, answer_post, "Đúng")
        await h.settle()
        server.send_text(HEAD.id, "/boqua")
        server.send_text(LEADER.id, "/ketluan Kết luận trong lúc mạng chập chờn.", chat_id=GROUP)
        await h.settle()
        assert (await h.core.store.session(session.id)).state == "concluded"  # type: ignore[union-attr]
        faults = server.faults_injected
        server.set_faults(None)
        await h.settle()
        assert h.app is not None and h.app.running and h.app.updater is not None
        assert h.app.updater.running  # the bot never stopped
    finally:
        await h.close()
    assert faults >= 20
    failed_kinds = {r.status for r in server.requests[after_sent:] if r.status != 200}
    assert {0, 429, 500, 502} <= failed_kinds | {r.status for r in server.requests if r.status}
    counts = delivery_counts(db, server, after_row, after_sent)
    assert len(counts) >= 50 + 1 + 2 + 3
    assert set(counts) == {1}  # every owed message arrived, none twice
    assert query(db, "SELECT COUNT(*) FROM outbox WHERE failed IS NOT NULL")[0][0] == 0


async def test_polling_resumes_after_telegram_was_unreachable(harness: Harness) -> None:
    """Telegram unreachable for "ten minutes" of the bot's clock while the draw is due.

    PTB's polling loop retries getUpdates after network errors with a growing pause (1 s,
    x1.5, at most 30 s), so after a real ten-minute outage it polls again within 30 s. Here
    the outage lasts until two polls failed (about 2.5 s of wall time)."""
    h = harness
    await setup_program(h)
    await h.at(PUBLISH)
    server = h.server

    def failed_polls() -> int:
        return sum(1 for r in server.calls("getUpdates") if r.status == 0)

    before = failed_polls()
    server.set_outage(True)
    h.clock.set(DRAW)
    assert await h.scheduler.run(1) == ["2026-W50:draw"]  # committed; the messages wait
    session = (await h.core.store.open_sessions(1))[0]
    drawn = await h.core.store.person(session.drawn_person_id or 0)
    assert drawn is not None
    # Two polls failed: the poll that was open when Telegram went away has ended.
    await server.wait_until(lambda: failed_polls() >= before + 2, timeout=10)
    server.send_text(drawn.tg_user_id, "Em trả lời khi mạng vừa có lại.")  # waits at Telegram
    h.clock.set(vn(2026, 12, 7, 9, 10))
    assert await h.core.store.count_outbox() >= 2
    assert (await h.core.store.session(session.id)).state == "drawn"  # type: ignore[union-attr]
    server.set_outage(False)
    resumed = len(server.calls("getUpdates"))
    await h.settle()  # only returns once the updater polled again and handled the answer
    assert (await h.core.store.session(session.id)).state == "answered"  # type: ignore[union-attr]
    assert any(r.status == 200 for r in server.calls("getUpdates")[resumed:])
    for needle in ("KẾT QUẢ BỐC THĂM", "Câu trả lời của đồng chí"):
        assert sum(needle in m.plain_text for m in server.messages_to(GROUP)) == 1


# -- 4. two instances -----------------------------------------------------------------------------


def cli_env(server: FakeBotAPI, db: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": server.token,
        "HOIDAP_TELEGRAM_API_URL": server.base_url.removesuffix("/bot"),
        "HOIDAP_DB": str(db),
        "HOIDAP_LOG_LEVEL": "WARNING",
    }


async def run_cli(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hoidap",
        "run",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=cwd,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_a_second_instance_on_the_same_database_refuses(harness: Harness) -> None:
    h = harness
    await bind(h)
    before = h.db_path.read_bytes()
    code, err = await run_cli(cli_env(h.server, h.db_path), h.workdir)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert "đang được một bot hoidap khác dùng" in lines[0] and str(os.getpid()) in lines[0]
    assert h.db_path.read_bytes() == before
    out = await h.send(ADMIN, "/trangthai", chat_id=GROUP)  # the first one still works
    assert out
    with pytest.raises(DatabaseError, match="đang được một bot hoidap khác dùng"):
        lock_database(h.db_path)
    await h.stop()  # released on shutdown
    lock = lock_database(h.db_path)
    assert lock is not None
    lock.release()


async def test_a_newcomer_with_the_same_token_stops_and_the_running_bot_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="hoidap")
    async with FakeBotAPI() as server:
        running = Settings(token=server.token, api_url=server.base_url, db_path=tmp_path / "a.db")
        stop = asyncio.Event()
        polls = asyncio.Event()
        task = asyncio.create_task(
            serve(
                running,
                stop=stop,
                poll_timeout=1,
                conflicts=PollingConflicts(newcomer_seconds=0),  # long established
                ready=lambda app: _set(polls),
            )
        )
        await asyncio.wait_for(polls.wait(), 20)
        # `hoidap run` with the same token (and its own database) on another machine.
        code, err = await run_cli(cli_env(server, tmp_path / "b.db"), tmp_path)
        assert code == EXIT_CONFLICT, err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "409 Conflict" in lines[0], err
        assert "stopping this one" in lines[0], err
        # The running bot still handles updates.
        mark = server.mark()
        server.send_text(STAFF[0].id, "/help")
        await server.wait_for(lambda m: m.chat_id == STAFF[0].id, after=mark, timeout=20)
        stop.set()
        assert await asyncio.wait_for(task, 20) == 0
    conflicts = [r for r in caplog.records if "409" in r.getMessage()]
    assert conflicts and all(r.levelno == logging.WARNING for r in conflicts)


async def test_two_established_instances_with_one_token_end_their_tug_of_war(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Neither is a newcomer: they take turns cutting each other's polls short until one has
    seen more conflicts than it tolerates and stops, saying why; then the polls stop failing.
    (Which one stops, and whether PTB's last getUpdates then stops the other too, depends on
    timing; a silent tug of war never goes on.)"""
    caplog.set_level(logging.WARNING, logger="hoidap")
    async with FakeBotAPI() as server:
        stops = [asyncio.Event(), asyncio.Event()]
        tasks = [
            asyncio.create_task(
                serve(
                    Settings(
                        token=server.token, api_url=server.base_url, db_path=tmp_path / f"{i}.db"
                    ),
                    stop=stops[i],
                    poll_timeout=1,
                    conflicts=PollingConflicts(newcomer_seconds=0, tolerated=1),
                )
            )
            for i in (0, 1)
        ]
        done, _ = await asyncio.wait(tasks, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        assert [t.result() for t in done] == [EXIT_CONFLICT]

        def polls(status: int) -> int:
            return sum(1 for r in server.calls("getUpdates") if r.status == status)

        conflicts, ok = polls(409), polls(200)
        survivor = next(t for t in tasks if t not in done)
        if not survivor.done():  # it goes on polling, undisturbed
            await server.wait_until(lambda: polls(200) >= ok + 2 or survivor.done(), 10)
        if not survivor.done():
            assert polls(409) <= conflicts + 1  # at most the last poll of the one that stopped
            stops[tasks.index(survivor)].set()
        assert await asyncio.wait_for(survivor, 20) in (0, EXIT_CONFLICT)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and "409" in r.getMessage()]
    stopped = sum(t.result() == EXIT_CONFLICT for t in tasks)
    assert len(errors) == stopped and all("stopping this one" in r.getMessage() for r in errors)


async def _set(event: asyncio.Event) -> None:
    event.set()


# -- 5. the same button twice -----------------------------------------------------------------


async def test_approve_pressed_twice_changes_nothing_the_second_time(harness: Harness) -> None:
    h = harness
    await bind(h)
    user = STAFF[0]
    await h.send(user, "/start")
    out = await h.send(user, "Nguyễn Văn An")
    await h.press(user, out[-1], "Chuyên viên")
    request = sent(h.server.messages_to(ADMIN.id), "approve_request", name="Nguyễn Văn An")
    answer, _ = await h.press(ADMIN, request, BUTTONS["approve"])
    answered(answer, "decision_done", approved=True)
    rows, mark = outbox_mark(h.db_path), h.server.mark()
    answer, out = await h.press(ADMIN, request, BUTTONS["approve"])
    answered(answer, "decision_already", status="active")
    assert out == []
    assert outbox_mark(h.db_path) == rows and h.server.mark() == mark
    sent(h.server.messages_to(user.id), "onboard_decided", user.id, approved=True)


async def test_in_person_and_conclude_pressed_twice_change_nothing(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.at(PUBLISH)
    await h.at(DRAW)
    draw_post = sent(h.server.messages_to(GROUP), "draw_group")
    answer, _ = await h.press(HEAD, draw_post, BUTTONS["in_person"])
    answered(answer, "in_person_done")
    rows = outbox_mark(h.db_path)
    answer, out = await h.press(HEAD, draw_post, BUTTONS["in_person"])
    assert answer["show_alert"] and out == [] and outbox_mark(h.db_path) == rows
    session = (await h.core.store.open_sessions(1))[0]
    assert session.answer_kind == "in_person"
    posts = [m for m, _ in sent_all(h.server.messages_to(GROUP), "answer_group", kind="in_person")]
    assert len(posts) == 1

    await h.press(HEAD, posts[0], "Đúng")
    await h.send(HEAD, "/boqua")
    prompt = sent(h.server.messages_to(LEADER.id), "conclude_prompt")
    await h.press(LEADER, prompt, BUTTONS["conclude"])
    rows = outbox_mark(h.db_path)
    _, out = await h.press(LEADER, prompt, BUTTONS["conclude"])  # a double tap: asks again
    assert outbox_mark(h.db_path) == rows
    sent(out, "conclude_ask", LEADER.id)
    await h.send(LEADER, "Kết luận chính thức.")
    answer, out = await h.press(LEADER, prompt, BUTTONS["conclude"])  # after the conclusion
    assert answer["show_alert"] and out == []
    final = await h.core.store.session(session.id)
    assert final is not None and final.state == "concluded"
    sent(h.server.messages_to(GROUP), "concluded_group", conclusion="Kết luận chính thức.")
    assert [e["kind"] for e in await h.core.store.events(1, "concluded")] == ["concluded"]


# -- 6. the database file deleted or replaced under the running bot ---------------------------


def lost_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if "đã bị xóa hoặc thay bằng tệp khác" in ln]


def replace_with_another(db: Path) -> None:
    """`mv hoidap.sqlite3 cu.sqlite3` and another database put in its place."""
    db.rename(db.with_name("cu.sqlite3"))
    with closing(sqlite3.connect(db)) as conn:
        conn.execute("CREATE TABLE x (y)")


@pytest.mark.parametrize("how", ["deleted", "replaced"])
async def test_a_database_lost_under_the_running_bot_stops_it_with_one_line(
    prepared: Harness, how: str
) -> None:
    h = prepared
    await setup_program(h)
    await h.stop()  # from here on the bot runs in a child process
    db, server = h.db_path, h.server
    clock_file = h.workdir / "clock"
    FileClock.write(clock_file, h.clock.now())
    child = Child(h, clock_file)
    try:
        await child.start(db_watch_seconds=0.1)
        await child.ready()
        assert await child.command("idle") == "idle"
        if how == "deleted":
            db.unlink()  # `rm data/hoidap.sqlite3`
        else:
            replace_with_another(db)
        # The watchdog finds it within 0.1 s of the child's time; no update needed.
        assert await child.exited() == 2, child._tail()
    finally:
        await child.kill()
    log = child.log_path.read_text()
    (line,) = lost_lines(log)
    assert line == (
        f"ERROR hoidap: cơ sở dữ liệu {db} đã bị xóa hoặc thay bằng tệp khác khi bot đang chạy: "
        "bot dừng để không ghi vào tệp đã mất; khôi phục bằng «hoidap restore TỆP»"
    )
    assert "Traceback" not in log, log
    (rescued,) = sorted(db.parent.glob(f"{db.name}.rescued-*"))  # what the bot still held
    assert f"được chép sang {rescued}" in log
    assert query(rescued, "SELECT COUNT(*) FROM programs")[0][0] == 1
    if how == "replaced":
        return
    # `hoidap run` again: it will not start on a new empty database.
    env = cli_env(server, db)
    code, err = await run_cli(env, h.workdir)
    assert code == 2, err
    (refusal,) = err.strip().splitlines()
    assert refusal.startswith(f"hoidap: không thấy cơ sở dữ liệu {db} dù tệp khóa {db}.lock")
    assert f"«hoidap restore {rescued}»" in refusal and not db.exists()
    # The rescued copy restores, and the bot goes on with everything it had.
    restore = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hoidap", "restore", str(rescued), env=env, cwd=h.workdir
    )
    assert await asyncio.wait_for(restore.wait(), 60) == 0
    await child.start()
    try:
        await child.ready()
        assert await child.command("idle") == "idle"
        mark = server.mark()
        server.send_text(ADMIN.id, "/trangthai", chat_id=GROUP)
        reply = await server.wait_for(lambda m: m.chat_id == GROUP, after=mark, timeout=20)
        assert reply.plain_text.startswith(f"📋 {GROUP_TITLE}")  # the program is still there
        await child.stop()
    finally:
        await child.kill()
    assert query(db, "SELECT title FROM programs")[0][0] == GROUP_TITLE
