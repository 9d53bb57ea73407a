"""The registry of actions: every kind registered once, typed minting, payloads over the columns."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import bot.services.interact  # noqa: F401  (imports every area: every kind is registered)
from bot.actions import (
    REGISTRY,
    ActionKind,
    Applicant,
    BadPayload,
    Nothing,
    Ref,
    SessionRef,
    Text,
    Verdict,
    mint,
    register,
)
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.db import connect
from bot.models import Reply
from bot.store import Store
from tests.conftest import vn


def test_every_kind_has_exactly_one_registered_function() -> None:
    assert set(REGISTRY.specs) == set(ActionKind)
    assert all(spec.kind is kind for kind, spec in REGISTRY.specs.items())
    assert all(callable(spec.run) for spec in REGISTRY.specs.values())

    async def run(_: Any) -> Reply:
        return Reply("fallback")

    with pytest.raises(ValueError, match="registered twice"):
        register(ActionKind.GRADE, Verdict, run)


def test_kinds_keep_the_stored_strings() -> None:
    """Rows stored before the registry keep working: the values are the old kind strings."""
    assert {k.value for k in ActionKind} == {
        *("grade", "in_person", "conclude", "approve", "reject", "join", "choose_program"),
        *("title", "topic", "archive_view", "search_page", "history_page"),
        *("bank_top", "bank_hold", "bank_release", "bank_retire", "bank_retire_ask", "bank_view"),
        *("gr_send", "gr_cancel", "gr_pick", "gr_asker_ok", "gr_asker_no", "gr_accept"),
        *("gr_edit", "gr_merge", "gr_decline", "gr_review", "gr_keep", "gr_topic"),
        # added later: the redraw when the drawn person left, a late answer taken or not
        *("redraw_left", "late_accept", "late_leave"),
        # the supplementary conclusion under a full record
        "supplement",
    }


@pytest.mark.parametrize(
    "payload",
    [
        Nothing(),
        SessionRef(7),
        Verdict(7, "partial"),
        Ref(12),
        Applicant(5, "staff"),
        Applicant(5),
        Text("Đảng viên"),
        Text('{"q": "kết nạp", "p": 2}'),
    ],
)
def test_payloads_round_trip_through_the_columns(payload: Any) -> None:
    assert type(payload).parse(*payload.columns()) == payload


@pytest.mark.parametrize(
    ("shape", "session_id", "target"),
    [
        (SessionRef, None, None),
        (Verdict, 3, None),
        (Verdict, None, "correct"),
        (Ref, None, None),
        (Ref, None, "12a"),
        (Ref, None, "1" * 13),
        (Applicant, None, "x:staff"),
    ],
)
def test_damaged_columns_do_not_make_a_payload(
    shape: Any, session_id: int | None, target: str | None
) -> None:
    with pytest.raises(BadPayload):
        shape.parse(session_id, target)


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    path = tmp_path / "hoidap.sqlite3"
    c = Core(
        store=Store(await connect(path)),
        clock=ManualClock(vn(2026, 12, 7, 9, 30)),
        settings=Settings(token="1:x", db_path=path),
    )
    try:
        yield c
    finally:
        await c.store.close()


async def test_mint_takes_only_a_kind_and_its_payload(core: Core) -> None:
    with pytest.raises(TypeError):
        await mint(core, "grade", "Đúng", 1, Verdict(1, "correct"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await mint(core, ActionKind.GRADE, "Đúng", 1, Ref(1))
    button = await mint(core, ActionKind.GR_SEND, "✅ Gửi", 1, Text("n"))
    assert button.token is not None and button.text == "✅ Gửi"
    action = await core.store.action(button.token)
    assert action is not None
    assert (action.kind, action.program_id, action.target) == ("gr_send", 1, "n")
    spec = REGISTRY.spec(ActionKind.GR_SEND)
    assert action.single_use and action.expires_at == core.now() + spec.ttl


async def test_rows_stored_before_the_registry_still_press(core: Core) -> None:
    """A bank button of the old kind (token with its «bank.» prefix) reaches the same checks."""
    from bot.actions import press
    from bot.core import Refused

    store, now = core.store, core.now()
    async with store.transaction():
        admin = await store.upsert_person(100, None, "Quản trị", False, now)
        staff = await store.upsert_person(101, None, "Chuyên viên", False, now)
        await store.create_program(-1001, "Nhóm", "Asia/Ho_Chi_Minh", admin.id, now)
        await store.upsert_member(1, staff.id, "active", now)
        await store.set_roles(1, staff.id, {"staff"})
        await store.add_action(
            "bank.AbCdEf0123456789",
            "bank_view",
            1,
            None,
            "1",
            now + REGISTRY.spec(ActionKind.BANK_VIEW).ttl,
            False,
            now,
        )
    with pytest.raises(Refused) as refused:
        await press(core, staff, "bank.AbCdEf0123456789")
    assert refused.value.reply.template == "refused_role"
    with pytest.raises(Refused) as refused:
        await press(core, staff, "bank.AbCdEf012345678")
    assert refused.value.reply.template == "button_invalid"
