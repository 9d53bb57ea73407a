"""Each channel sends at its own pace, through the real stack (the Application, PTB's HTTP client
and the Zalo client against the fake servers, SQLite): a person's reply overtakes what the
outbox has queued; a stalled channel holds up nobody on the other; after a 429 nothing is sent
before the wait is over and nothing bursts afterwards; the admin notices of one moment reach
each admin as one digest.

The pace's clock is held by the test where the order of turns is what is tested
(tests/support/pace.py): a turn is given when the test moves the time, never after a real wait.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.render import render
from bot.services.delivery import owe_one
from bot.transport.telegram import TelegramPace
from fakes.fakebotapi import FakeBotAPI, FloodLimits
from fakes.fakezalo import FakeZalo
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, GROUP_TITLE, OUTSIDER, vn
from tests.e2e.helpers import RENDERS, bind, seed, staff, texts, zalo_staff
from tests.support.pace import HeldClock, until

PUBLISH = vn(2026, 12, 4, 8, 0)


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    fake = FakeZalo()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def started(h: Harness) -> Harness:
    h.server.group(GROUP, GROUP_TITLE)
    for u in (ADMIN, OUTSIDER):
        h.server.user(u.id, u.first_name, u.last_name, u.username)
    await h.start()
    await bind(h)
    return h


# -- a reply overtakes the queue ------------------------------------------------------------------


async def test_a_reply_overtakes_the_publication_queue_on_telegram(
    tmp_path: Path, clock: ManualClock
) -> None:
    held = HeldClock(free=True)
    h = Harness(tmp_path, clock, admins=(ADMIN.id,), rate_limit=True, pace_clock=held)
    await started(h)
    try:
        people = staff(12)
        for u in people:
            h.server.user(u.id, u.first_name, u.last_name)
        await seed(h.core, 1, people)
        await h.settle()
        assert h.app is not None
        pace = h.app.bot.rate_limiter
        assert isinstance(pace, TelegramPace)

        held.hold()
        mark = h.server.mark()
        clock.set(PUBLISH)
        assert await h.scheduler.run(1) == ["2026-W50:publish"]
        # Every sender of the outbox's Telegram loop waits for its turn: the queue.
        await until(lambda: pace.overall.waiting(urgent=False) == 8)
        h.server.send_text(OUTSIDER.id, "/help")
        await until(lambda: pace.overall.waiting(urgent=True) == 1)
        given = len(pace.overall.granted)  # turns given before the reply asked for one
        while len(pace.overall.granted) == given:
            held.to_next()
            await until(lambda: len(pace.overall.granted) > given or bool(held.sleepers))
        assert pace.overall.granted[given][1] is True  # the very next turn is the reply's
        await h.server.wait_for(lambda m: m.chat_id == OUTSIDER.id, after=mark)
        before = [m.chat_id for m in h.server.sent[mark:]]
        assert before.index(OUTSIDER.id) <= 1  # at most the one turn given before it
        held.release()
        await h.settle()
        delivered = [m.chat_id for m in h.server.sent[mark:] if m.chat_id != OUTSIDER.id]
        assert sorted(delivered) == sorted([GROUP, *(u.id for u in people)])  # each once
    finally:
        held.release()  # what waits for a turn goes, so the bot can stop
        await h.close()


async def test_a_reply_overtakes_the_publication_queue_on_zalo(
    tmp_path: Path, clock: ManualClock, zalo: FakeZalo
) -> None:
    held = HeldClock(free=True)
    h = Harness(
        tmp_path,
        clock,
        admins=(ADMIN.id,),
        rate_limit=True,
        pace_clock=held,
        zalo=zalo,
        zalo_rate=5.0,
    )
    await started(h)
    try:
        await seed(h.core, 1, [])
        ids = await zalo_staff(h.core, zalo, 1, 12)
        await h.settle()
        pacer = h.zalo_transport.api.pacer

        held.hold()
        mark = len(zalo.sent)
        clock.set(PUBLISH)
        assert await h.scheduler.run(1) == ["2026-W50:publish"]
        await until(lambda: pacer.waiting(urgent=False) == 8)
        zalo.push_text(ids[-1], "trợ giúp")  # the last of them in the queue asks for help
        await until(lambda: pacer.waiting(urgent=True) == 1)
        given = len(pacer.granted)
        while len(pacer.granted) == given:
            held.to_next()
            await until(lambda: len(pacer.granted) > given or bool(held.sleepers))
        assert pacer.granted[given][1] is True  # the very next turn is the reply's
        await zalo.wait_sent(mark + given + 1)
        first_to_them = next(e for e in zalo.sent[mark:] if e["chat_id"] == ids[-1])
        assert "câu hỏi tuần này" not in first_to_them["text"]  # the reply, before the question
        assert "/trangthai" in first_to_them["text"]  # (the help text)
        held.release()
        await h.settle()
        questions = [e for e in zalo.sent[mark:] if "câu hỏi tuần này" in e["text"]]
        assert sorted(e["chat_id"] for e in questions) == sorted(ids)  # each once
    finally:
        held.release()  # what waits for a turn goes, so the bot can stop
        await h.close()


# -- a stalled channel holds up nobody on the other -----------------------------------------------


async def test_a_stalled_zalo_does_not_hold_telegram(
    tmp_path: Path, clock: ManualClock, zalo: FakeZalo
) -> None:
    h = Harness(
        tmp_path, clock, admins=(ADMIN.id,), zalo=zalo, zalo_rate=1000.0, request_timeout=30.0
    )
    await started(h)
    try:
        people = staff(3)
        for u in people:
            h.server.user(u.id, u.first_name, u.last_name)
        await seed(h.core, 1, people)
        await zalo_staff(h.core, zalo, 1, 5)
        await h.settle()
        # Zalo takes the messages in and never answers (for a minute): its loop is stalled.
        for _ in range(8):
            zalo.hang_next("sendMessage", 60.0)
        mark, zalo_mark = h.server.mark(), len(zalo.sent)
        clock.set(PUBLISH)
        assert await h.scheduler.run(1) == ["2026-W50:publish"]
        telegram = {GROUP, *(u.id for u in people)}
        await h.server.wait_until(lambda: telegram <= {m.chat_id for m in h.server.sent[mark:]}, 20)
        # Telegram did not wait for Zalo, whose messages are still owed, in hand (the Zalo loop
        # may read them a moment after Telegram's went: it has a minute of hanging before it).
        lane = h.deps.outbox.lane("zalo")
        await until(lambda: len(lane.held) == 5)
        assert len(zalo.sent) == zalo_mark
        await zalo.stop()  # the hanging requests end; Zalo's loop tries again later
    finally:
        await h.close()


async def test_a_stalled_telegram_does_not_hold_zalo(
    tmp_path: Path, clock: ManualClock, zalo: FakeZalo
) -> None:
    h = Harness(
        tmp_path, clock, admins=(ADMIN.id,), zalo=zalo, zalo_rate=1000.0, request_timeout=30.0
    )
    await started(h)
    try:
        people = staff(3)
        for u in people:
            h.server.user(u.id, u.first_name, u.last_name)
        await seed(h.core, 1, people)
        ids = await zalo_staff(h.core, zalo, 1, 5)
        await h.settle()
        # Telegram holds every message five seconds, then drops the connection.
        h.server.fail_next("sendMessage", "timeout", times=8)
        mark, zalo_mark = h.server.mark(), len(zalo.sent)
        clock.set(PUBLISH)
        assert await h.scheduler.run(1) == ["2026-W50:publish"]
        await zalo.wait_sent(zalo_mark + len(ids), 4.0)  # before Telegram's first drop
        assert len(h.server.sent) == mark
        await h.settle(60)  # then Telegram's messages go as well, each once
        assert sorted(m.chat_id for m in h.server.sent[mark:]) == sorted(
            [GROUP, *(u.id for u in people)]
        )
    finally:
        await h.close()


# -- after a 429 ----------------------------------------------------------------------------------


async def test_after_a_429_nothing_goes_before_the_wait_and_nothing_bursts_after(
    tmp_path: Path, clock: ManualClock
) -> None:
    server = FakeBotAPI(flood=FloodLimits(per_second_global=30), clock=time.monotonic)
    await server.start()
    h = Harness(tmp_path, clock, admins=(ADMIN.id,), server=server, rate_limit=True)
    await started(h)
    try:
        people = staff(24)
        for u in people:
            server.user(u.id, u.first_name, u.last_name)
        await seed(h.core, 1, people)
        await h.settle()
        assert h.app is not None
        pace = h.app.bot.rate_limiter
        assert isinstance(pace, TelegramPace)
        count = itertools.count(1)
        server.fail_next("sendMessage", "429", when=lambda _params: next(count) == 6)
        server.set_flood_limits(FloodLimits(per_second_global=30))
        mark, requests = server.mark(), len(server.requests)
        clock.set(PUBLISH)
        assert await h.scheduler.run(1) == ["2026-W50:publish"]
        await h.settle()
        calls = [r for r in server.requests[requests:] if r.method == "sendMessage"]
        (flood,) = [r for r in calls if r.status == 429]
        after = [r.at for r in calls if r.at > flood.at]
        assert after and min(after) >= flood.at + 1.0  # retry_after 1: nothing meanwhile
        grants = [at for at, _ in pace.overall.granted if at >= flood.at + 1.0]
        assert len(grants) >= len(after)
        gaps = [b - a for a, b in itertools.pairwise(grants)]
        assert min(gaps) >= pace.overall.spacing / 2  # then paced: never a burst
        assert server.flood_429_count == 0
        delivered = sorted(m.chat_id for m in server.sent[mark:])
        assert delivered == sorted([GROUP, *(u.id for u in people)])  # each once
    finally:
        await h.close()
        await server.stop()


# -- the admin's digest ---------------------------------------------------------------------------


async def test_the_notices_of_one_moment_reach_each_admin_as_one_digest(
    tmp_path: Path, clock: ManualClock, zalo: FakeZalo
) -> None:
    h = Harness(tmp_path, clock, admins=(ADMIN.id,), zalo=zalo)
    await started(h)
    try:
        store, now = h.core.store, h.core.now()
        titles = [GROUP_TITLE]
        for n, chat in enumerate((-1002001, -1002002), start=2):
            title = f"Giao ban đơn vị số {n}"
            h.server.group(chat, title)
            async with store.transaction():
                await store.create_program(chat, title, "Asia/Ho_Chi_Minh", None, now)
            titles.append(title)
        for program_id in (1, 2, 3):
            people = staff(2, base=60_000 + 100 * program_id)
            for u in people:
                h.server.user(u.id, u.first_name, u.last_name)
            await seed(h.core, program_id, people, questions=2)
        # The bot-wide admin reads the bot on Zalo as well (a linked account).
        admin = await store.person_by_tg(ADMIN.id)
        assert admin is not None
        async with store.transaction():
            account = await store.add_zalo_account("z-admin", "Quản trị", now, "z-admin")
            await store.link_zalo_account(account.id, admin.id, now)
        zalo.known.add("z-admin")
        await h.settle()

        mark, zalo_mark = h.server.mark(), len(zalo.sent)
        clock.set(PUBLISH)
        await h.scheduler.tick()  # every program's steps of the moment
        await h.settle()
        to_admin = [m for m in h.server.sent[mark:] if m.chat_id == ADMIN.id]
        assert len(to_admin) == 1, texts(to_admin)
        digests = [r for r in RENDERS.of(to_admin[0]) if r.template == "admin_digest"]
        assert digests
        notices: list[dict[str, Any]] = digests[0].context["notices"]
        assert [n["template"] for n in notices] == ["queue_low"] * 3
        text = to_admin[0].plain_text
        for title in titles:  # each notice in its own words
            low = render("queue_low", {"program": {"title": title}, "remaining": 1})
            assert low.replace("<b>", "").replace("</b>", "") in text
        on_zalo = [e["text"] for e in zalo.sent[zalo_mark:] if e["chat_id"] == "z-admin"]
        assert len(on_zalo) == 1 and all(t in on_zalo[0] for t in titles)
        assert "3 thông báo" in on_zalo[0]
        assert not await store.pending_outbox()

        # A notice alone is sent as itself.
        mark = h.server.mark()
        async with store.transaction():
            low = {"program": {"id": 1, "title": GROUP_TITLE}, "remaining": 0}
            await owe_one(h.core, ADMIN.id, "queue_low", low)
        await h.settle()
        (alone,) = [m for m in h.server.sent[mark:] if m.chat_id == ADMIN.id]
        assert {r.template for r in RENDERS.of(alone)} == {"queue_low"}  # (and its Zalo copy)
    finally:
        await h.close()
