"""Steps shared by the end-to-end tests: each one as a user would do it in chat."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.testing.fakebotapi import SentMessage
from bot.testing.harness import Harness, User
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, STAFF

SAMPLES = Path(__file__).resolve().parents[2] / "questions" / "samples"


def texts(messages: list[SentMessage]) -> str:
    return "\n---\n".join(m.plain_text for m in messages)


async def bind(h: Harness) -> None:
    h.server.add_bot_to_group(ADMIN.id, GROUP)
    out = await h.send(ADMIN, "/lienket", chat_id=GROUP)
    assert "Đã gắn nhóm" in texts(out), texts(out)


async def onboard(
    h: Harness, user: User, name: str, title: str = "Chuyên viên", role_cmd: str | None = None
) -> int:
    """/start → name → title → admin approves (→ roles). Returns the person's number."""
    out = await h.send(user, "/start")
    assert "họ và tên" in texts(out), texts(out)
    out = await h.send(user, name)
    ask_title = out[-1]
    assert "Chức danh" in ask_title.plain_text
    _, out = await h.press(user, ask_title, title)
    assert "Đã gửi yêu cầu" in texts(out), texts(out)
    request = h.last_to(ADMIN.id, lambda m: name in m.plain_text and "Duyệt" in str(m.buttons()))
    answer, out = await h.press(ADMIN, request, "✅ Duyệt")
    assert "Đã duyệt" in answer.get("text", ""), answer
    assert any(m.chat_id == user.id and "đã được duyệt" in m.plain_text for m in out)
    person = await h.core.store.person_by_tg(user.id)
    assert person is not None
    if role_cmd:
        out = await h.send(ADMIN, f"/vaitro {person.id} {role_cmd}")
        assert "Vai trò của" in texts(out), texts(out)
    return person.id


async def setup_program(h: Harness) -> dict[str, int]:
    """A bound group, the sample questions, three staff, a head and a leader."""
    await bind(h)
    out = await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    assert "Đã nhập" in texts(out), texts(out)
    ids = {}
    for i, user in enumerate(STAFF):
        ids[user.first_name] = await onboard(h, user, f"{user.last_name} Văn {user.first_name}")
        assert i >= 0
    ids["head"] = await onboard(h, HEAD, "Lê Thị Hằng", "Chuyên viên chính", "truongphong")
    ids["leader"] = await onboard(h, LEADER, "Phạm Quang Minh", "Chuyên viên chính", "lanhdao")
    return ids


async def conclude_week(
    h: Harness,
    draw_at: datetime,
    answer: str,
    conclusion: str,
    verdict: str = "Đúng",
    comment: str | None = None,
    program_id: int = 1,
) -> int:
    """One whole session as users do it: the question goes out (default schedule: three days
    before, 08:00), the lot is drawn at ``draw_at``, the drawn staff member answers privately, the
    head grades (and comments, or skips), the leader concludes with /ketluan in the group.
    Returns the session id."""
    await h.at((draw_at - timedelta(days=3)).replace(hour=8, minute=0))
    await h.at(draw_at)
    store = h.core.store
    session = next(s for s in await store.open_sessions(program_id) if s.state == "drawn")
    person = await store.person(session.drawn_person_id or 0)
    assert person is not None
    drawn = next(u for u in STAFF if u.id == person.tg_user_id)
    out = await h.send(drawn, answer)
    assert "Đã nhận câu trả lời" in texts(out), texts(out)
    post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    pressed, _ = await h.press(HEAD, post, verdict)
    assert "Đã ghi nhận" in pressed.get("text", ""), pressed
    await h.send(HEAD, comment if comment else "/boqua")
    out = await h.send(LEADER, f"/ketluan {conclusion}", chat_id=GROUP)
    assert any("KẾT LUẬN" in m.plain_text for m in out), texts(out)
    final = await store.session(session.id)
    assert final is not None and final.state == "concluded"
    return session.id


async def drawn_user(h: Harness, program_id: int = 1) -> User:
    """The staff member the open session of the program waits for."""
    session = (await h.core.store.open_sessions(program_id))[0]
    person = await h.core.store.person(session.drawn_person_id or 0)
    assert person is not None
    return next(u for u in STAFF if u.id == person.tg_user_id)
