"""Steps shared by the end-to-end tests: each one as a user would do it in chat."""

from __future__ import annotations

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
