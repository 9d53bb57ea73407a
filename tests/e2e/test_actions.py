"""The one press path, over HTTP: for one kind of each area, an old token, a forged token, a token
of another program's action, a press by someone without the role and a used single-use token are
refused with the templates they had before the registry, and nothing but the refusal is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.actions import (
    ActionKind,
    Applicant,
    Payload,
    Ref,
    Text,
    Verdict,
    mint,
)
from bot.render import plain, render
from bot.words import ROLE_LABELS
from fakes.fakebotapi import SentMessage
from fakes.harness import Harness, User
from tests.conftest import ADMIN, HEAD, OUTSIDER, STAFF
from tests.e2e.helpers import texts
from tests.e2e.test_misuse import (
    ADMIN_A,
    ADMIN_B,
    GROUP_B_TITLE,
    HEAD_B,
    NEWCOMER,
    events_after,
    last_event_id,
    snapshot,
    two_programs,
)


def said(template: str, **context: Any) -> str:
    """The pop-up text a refusal with ``template`` shows."""
    return plain(render(template, context))[:190]


def role(*roles: str) -> str:
    return said("refused_role", action="", needed=[ROLE_LABELS[r] for r in roles])


@dataclass
class Case:
    kind: ActionKind
    payload: dict[int, Payload]  # program id → the payload in that program
    program: int  # where the wrong-role press and the old token are pressed
    rightful: User  # may press it in ``program``
    wrong: User  # a member of ``program`` without the role
    wrong_says: str
    other: User  # rightful in ``program``, not in the other program
    other_says: str


async def press(
    h: Harness, user: User, where: SentMessage, data: str, expected: str, record: bool = True
) -> None:
    h.clock.advance(timedelta(seconds=30))
    before, mark = await snapshot(h), await last_event_id(h)
    answer, out = await h.press_data(user, where, data)
    assert answer["show_alert"] and answer["text"] == expected, (data, answer, expected)
    assert out == [], texts(out)
    assert await snapshot(h) == before, data
    if record:
        assert [e["kind"] for e in await events_after(h, mark)] == ["refused"]


async def test_refusals_are_the_same_for_one_kind_of_every_area(harness: Harness) -> None:
    h = harness
    world = await two_programs(h)
    store = h.core.store
    where = world.posts["a_answer"]  # any message: the press carries its own data
    session = {p: (await store.open_sessions(p))[0].id for p in (1, 2)}
    question = {p: (await store.queue_order(p))[0][0] for p in (1, 2)}
    newcomer = await store.person_by_tg(NEWCOMER.id)
    assert newcomer is not None
    b_title = {"id": 2, "title": GROUP_B_TITLE}
    cases = [
        Case(  # cycle
            ActionKind.GRADE,
            {p: Verdict(session[p], "correct") for p in (1, 2)},
            1,
            HEAD,
            STAFF[0],
            role("head"),
            HEAD,  # the head of A is staff in B
            role("head"),
        ),
        Case(  # roster
            ActionKind.APPROVE,
            {p: Applicant(newcomer.id, "staff") for p in (1, 2)},
            2,
            ADMIN,
            HEAD_B,
            role("admin"),
            ADMIN_B,  # admin of B only
            role("admin"),
        ),
        Case(  # archive
            ActionKind.ARCHIVE_VIEW,
            {p: Ref(1) for p in (1, 2)},
            1,
            STAFF[0],
            OUTSIDER,
            "",  # filled below: names the program
            STAFF[0],
            "",
        ),
        Case(  # bank: a topic button outside its dialog
            ActionKind.TOPIC,
            {p: Text("Đảng viên") for p in (1, 2)},
            1,
            ADMIN,
            STAFF[0],
            said("button_expired"),
            ADMIN_A,
            said("button_expired"),
        ),
        Case(  # bank_admin
            ActionKind.BANK_HOLD,
            {p: Ref(question[p]) for p in (1, 2)},
            1,
            ADMIN,
            STAFF[0],
            role("admin"),
            ADMIN_A,
            role("admin"),
        ),
        Case(  # grassroots
            ActionKind.GR_ACCEPT,
            {p: Ref(1) for p in (1, 2)},
            1,
            ADMIN,
            STAFF[0],
            role("admin"),
            ADMIN_A,
            role("admin"),
        ),
    ]
    program_a = await store.program(1)
    assert program_a is not None
    a_title = {"id": 1, "title": program_a.title}
    cases[2].wrong_says = said("archive_not_member", program=a_title)
    cases[2].other_says = said("archive_not_member", program=b_title)

    old: list[tuple[Case, str]] = []
    for case in cases:
        other_program = 3 - case.program
        here = await mint(h.core, case.kind, "x", case.program, case.payload[case.program])
        there = await mint(h.core, case.kind, "x", other_program, case.payload[other_program])
        assert here.token is not None and there.token is not None
        old.append((case, here.token))
        # A forged token (one character changed) names nothing.
        forged = here.token[:-1] + ("x" if here.token[-1] != "x" else "y")
        await press(h, case.rightful, where, forged, said("button_invalid"))
        # The wrong role in the button's own program.
        record = case.kind != ActionKind.TOPIC  # a stale dialog button is not logged as a role
        await press(h, case.wrong, where, here.token, case.wrong_says, record=record)
        # A token of the other program's action, pressed by someone rightful here only.
        await press(h, case.other, where, there.token, case.other_says, record=record)

    # A single-use token already used: refused before anything else is looked at.
    used = await mint(h.core, ActionKind.GR_ACCEPT, "✅ Nhận", 1, Ref(1))
    assert used.token is not None
    assert await store.use_action(used.token, h.core.now())
    await press(h, ADMIN, where, used.token, said("button_used"))
    send = await mint(h.core, ActionKind.GR_SEND, "✅ Gửi", 1, Text("nonce"))
    assert send.token is not None and await store.use_action(send.token, h.core.now())
    await press(h, STAFF[0], where, send.token, said("button_used"))

    # Old tokens: past every kind's lifetime, refused as expired to the rightful presser.
    h.clock.advance(timedelta(days=15))
    for case, token in old:
        await press(h, case.rightful, where, token, said("button_expired"))
