"""Onboarding, invites, roles, leave and business trips, deactivation, help and menus."""

from __future__ import annotations

from bot.words import BUTTONS, ROLE_LABELS
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, HEAD, OUTSIDER, STAFF, vn
from tests.e2e.helpers import answered, bind, context_of, sent, setup_program, texts


async def test_invite_link_preapproves_with_role(harness: Harness) -> None:
    h = harness
    await bind(h)
    out = await h.send(ADMIN, "/moi truongphong duyet")
    link = sent(out, "invite_done", ADMIN.id, preapproved=True, uses=1)
    token = link.plain_text.split("start=")[1].split()[0]
    out = await h.send(HEAD, f"/start {token}")
    sent(out, "onboard_ask_name", HEAD.id)
    out = await h.send(HEAD, "Lê Thị Hằng")
    _, out = await h.press(HEAD, out[-1], "Chuyên viên chính")
    sent(out, "onboard_active", HEAD.id, name="Lê Thị Hằng", role=ROLE_LABELS["head"])
    sent(out, "invite_used_admin", ADMIN.id)
    person = await h.core.store.person_by_tg(HEAD.id)
    assert person is not None and person.full_name == "Lê Thị Hằng"
    assert await h.core.store.roles(1, person.id) == {"head"}
    # The head's command menu now lists the head's commands.
    head_menu = h.server.commands_for({"type": "chat", "chat_id": HEAD.id})
    assert "rutlai" in [c["command"] for c in head_menu]
    out = await h.send(HEAD, "/help")
    assert "Trưởng phòng" in texts(out) and "Quản trị" not in texts(out)


async def test_bad_and_expired_invites(harness: Harness) -> None:
    h = harness
    await bind(h)
    out = await h.send(STAFF[0], "/start inv_khong-ton-tai")
    sent(out, "invite_invalid", STAFF[0].id, reason="unknown")
    out = await h.send(ADMIN, "/moi")
    token = out[0].plain_text.split("start=")[1].split()[0]
    h.clock.set(vn(2026, 12, 9, 10, 0))  # eight days later
    out = await h.send(STAFF[0], f"/start {token}")
    sent(out, "invite_invalid", STAFF[0].id, reason="expired")


async def test_rejected_request_and_name_validation(harness: Harness) -> None:
    h = harness
    await bind(h)
    await h.send(OUTSIDER, "/start")
    out = await h.send(OUTSIDER, "<b>1</b>")
    sent(out, "onboard_bad_name", OUTSIDER.id)
    out = await h.send(OUTSIDER, "Người Lạ & <Khách>")
    sent(out, "onboard_bad_name", OUTSIDER.id)  # '<' and '>' are not part of a name
    out = await h.send(OUTSIDER, "Người Lạ Mặt")
    out = await h.send(OUTSIDER, "Cộng tác viên")  # a typed title instead of a button
    sent(out, "onboard_submitted", OUTSIDER.id, name="Người Lạ Mặt")
    request = sent(out, "approve_request", ADMIN.id)
    answer, out = await h.press(ADMIN, request, BUTTONS["reject"])
    answered(answer, "decision_done", name="Người Lạ Mặt", approved=False)
    sent(out, "onboard_decided", OUTSIDER.id, approved=False)
    # Pressing again changes nothing.
    answer, _ = await h.press(ADMIN, request, BUTTONS["approve"])
    answered(answer, "decision_already", status="rejected")
    person = await h.core.store.person_by_tg(OUTSIDER.id)
    assert person is not None
    member = await h.core.store.member(1, person.id)
    assert member is not None and member.status == "rejected"


async def test_only_admins_approve_and_bind(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)
    await h.send(OUTSIDER, "/start")
    await h.send(OUTSIDER, "Người Ngoài Cuộc")
    _, _ = await h.press(OUTSIDER, h.last_to(OUTSIDER.id), "Chuyên viên")
    request = h.last_to(ADMIN.id, lambda m: "Người Ngoài Cuộc" in m.plain_text)
    answer, _ = await h.press(STAFF[0], request, BUTTONS["approve"])  # forged: staff presses
    assert answer["show_alert"]
    answered(answer, "refused_role")
    person = await h.core.store.person_by_tg(OUTSIDER.id)
    assert person is not None
    member = await h.core.store.member(1, person.id)
    assert member is not None and member.status == "pending"
    events = await h.core.store.events(1, "refused")
    assert any(e["detail"] == "approve" for e in events)
    # A staff member cannot bind another group, nor change roles.
    h.server.group(-2002, "Nhóm khác")
    out = await h.send(STAFF[0], "/lienket", chat_id=-2002)
    sent(out, "bind_refused", -2002)
    out = await h.send(STAFF[0], f"/vaitro {ids['An']} quantri")
    sent(out, "refused_role", STAFF[0].id)
    assert await h.core.store.roles(1, ids["An"]) == {"staff"}


async def test_away_and_deactivate_change_the_pool(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)
    out = await h.send(ADMIN, f"/vangmat {ids['An']} phep 10/12/2026")
    sent(out, "away_done", ADMIN.id, kind="leave", until="2026-12-10")
    out = await h.send(ADMIN, f"/nghiviec {ids['Bình']}")
    sent(out, "deactivate_done", ADMIN.id, name="Trần Văn Bình")
    out = await h.send(ADMIN, "/vangmat 999 phep 10/12/2026")
    sent(out, "person_not_found", ADMIN.id, ref=999)
    out = await h.send(ADMIN, f"/vangmat {ids['An']} phep 31/02/2026")
    sent(out, "arg_bad_date", ADMIN.id, reason="no_such_day")
    out = await h.send(ADMIN, "/nhansu")
    roster = context_of(sent(out, "roster", ADMIN.id))
    assert {m["name"] for m in roster["members"]} >= {"Nguyễn Văn An", "Lê Văn Chi"}
    assert "Trần Văn Bình" not in {m["name"] for m in roster["members"]}
    assert [m["away_kind"] for m in roster["members"] if m["name"] == "Nguyễn Văn An"] == ["leave"]
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    session = (await h.core.store.open_sessions(1))[0]
    assert session.drawn_person_id == ids["Chi"]  # the only one left
    sent(h.server.sent, "draw_group", GROUP, pool_size=1, away=1)


async def test_help_and_menus_by_role(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    out = await h.send(STAFF[0], "/help")
    assert "Mọi người" in texts(out) and "Quản trị" not in texts(out)
    out = await h.send(ADMIN, "/help")
    assert "Quản trị" in texts(out)
    private = h.server.commands_for({"type": "all_private_chats"})
    group = h.server.commands_for({"type": "all_group_chats"})
    assert {c["command"] for c in private} >= {"cauhoi", "trangthai", "lich", "help"}
    assert "traloi" in {c["command"] for c in group}
    admin_menu = h.server.commands_for({"type": "chat", "chat_id": ADMIN.id})
    assert "datlich" in {c["command"] for c in admin_menu}
    head_menu = h.server.commands_for({"type": "chat", "chat_id": HEAD.id})
    assert "rutlai" in {c["command"] for c in head_menu}
    assert "datlich" not in {c["command"] for c in head_menu}
    assert all(c["description"] for c in private + group + admin_menu)


async def test_onboard_helper_works_for_second_program(harness: Harness) -> None:
    """Two groups bound to one bot: each has its own roster; private commands ask which one."""
    h = harness
    await setup_program(h)
    h.server.group(-3003, "Giao ban phòng 2")
    h.server.add_bot_to_group(ADMIN.id, -3003)
    out = await h.send(ADMIN, "/lienket", chat_id=-3003)
    assert "Đã gắn nhóm" in texts(out)
    out = await h.send(ADMIN, "/danhsach")
    assert "/chon" in texts(out) or "Hàng đợi" in texts(out)
    out = await h.send(ADMIN, "/chon")
    _, out = await h.press(ADMIN, out[-1], "Giao ban phòng 2")
    assert "Đã chọn chương trình" in texts(out)
    out = await h.send(ADMIN, "/danhsach")
    assert "Hàng đợi trống" in texts(out)
    # A newcomer chooses which program to join.
    new = await onboard_choice(h)
    assert new


async def onboard_choice(h: Harness) -> bool:
    from fakes.harness import User

    newcomer = User(5005, "Mới", "Đến")
    out = await h.send(newcomer, "/start")
    assert "Chọn chương trình" in texts(out)
    _, out = await h.press(newcomer, out[-1], "Giao ban phòng 2")
    assert "họ và tên" in texts(out)
    return True
