"""The week as people live it, on Zalo: a late answer, the drawn person leaving, two heads
grading at once — through the real application, its Zalo transport and the fake Zalo Bot API.

The program: a Telegram group and its leader; staff An and Bình and the head Hằng on Zalo (and
for the two heads, the second head on Telegram). Choices are numbers, as Zalo users type them.
"""

from __future__ import annotations

from bot.models import SessionState
from bot.words import BUTTONS
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, vn
from tests.e2e.helpers import SAMPLES, bind, context_of, onboard, sent
from tests.e2e.test_zalo import (  # noqa: F401  (zh: the harness with a fake Zalo)
    AN,
    BINH,
    HANG,
    approve,
    number_of,
    zalo_onboard,
    zh,
)

LATE = "Theo Điều lệ Đảng, chi bộ xét và đề nghị kết nạp khi có đủ hai người giới thiệu."


async def zalo_week(h: Harness) -> tuple[dict[str, int], str, int]:
    """The program, the question out and the lot drawn on one of the Zalo staff; returns the
    people, the drawn Zalo account and the session."""
    await bind(h)
    out = await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    sent(out, "bank_import_done", ADMIN.id)
    ids = {"leader": await onboard(h, LEADER, "Phạm Quang Minh", "Chuyên viên chính", "lanhdao")}
    ids[AN] = await zalo_onboard(h, AN, "Nguyễn Văn An")
    await approve(h, "Nguyễn Văn An")
    ids[BINH] = await zalo_onboard(h, BINH, "Trần Thị Bình")
    await approve(h, "Trần Thị Bình")
    out = await h.send(ADMIN, "/moi truongphong duyet")
    link = context_of(sent(out, "invite_done", ADMIN.id))["link"]
    ids[HANG] = await zalo_onboard(h, HANG, "Lê Thị Hằng", first=link)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    session = (await h.core.store.open_sessions(1))[0]
    drawn = AN if session.drawn_person_id == ids[AN] else BINH
    return ids, drawn, session.id


def last_with(h: Harness, account: str, text: str) -> str:
    found = [t for t in h.zalo_to(account) if text in t]
    assert found, f"nothing with {text!r} to {account}: {h.zalo_to(account)[-3:]}"
    return found[-1]


async def test_a_late_answer_on_zalo_is_kept_and_the_head_takes_it_by_number(
    zh: Harness,  # noqa: F811
) -> None:
    h = zh
    _ids, drawn, sid = await zalo_week(h)
    await h.at(vn(2026, 12, 7, 10, 0))
    h.clock.set(vn(2026, 12, 7, 10, 2))
    out = await h.zalo_send(drawn, LATE)
    reply = str(out[0]["text"]) if out else ""
    assert "trả lời muộn" in "\n".join(str(m["text"]) for m in out), reply
    (late,) = await h.core.store.late_answers(sid)
    assert late.text == LATE and late.status == "waiting"
    # The head reads it on Zalo with two numbered choices, and takes it.
    to_head = last_with(h, HANG, LATE)
    await h.zalo_send(HANG, number_of(to_head, BUTTONS["late_accept"]))
    session = await h.core.store.session(sid)
    assert session is not None and session.state == SessionState.ANSWERED
    assert session.answered_at == vn(2026, 12, 7, 10, 2)
    assert any("đã nhận câu trả lời muộn" in t for t in h.zalo_to(drawn))
    # Then graded like any answer, by number.
    prompt = next(t for t in reversed(h.zalo_to(HANG)) if "Đúng một phần" in t)
    await h.zalo_send(HANG, number_of(prompt, "Đúng một phần"))
    assert [g.verdict for g in await h.core.store.grades(sid)] == ["partial"]


async def test_on_zalo_the_drawn_person_who_left_cannot_answer_and_the_head_redraws(
    zh: Harness,  # noqa: F811
) -> None:
    h = zh
    ids, drawn, sid = await zalo_week(h)
    out = await h.send(ADMIN, f"/ngungthamgia {ids[drawn]}")
    sent(out, "deactivate_done", ADMIN.id)
    notice = last_with(h, HANG, "vừa ngừng tham gia")
    out = await h.zalo_send(drawn, LATE)
    assert "không còn tham gia" in str(out[-1]["text"])
    session = await h.core.store.session(sid)
    assert session is not None and session.state == SessionState.DRAWN
    assert not any(LATE in t for t in h.zalo_to(HANG))  # nothing became an answer
    await h.zalo_send(HANG, number_of(notice, BUTTONS["redraw_left"]))
    session = await h.core.store.session(sid)
    assert session is not None and session.draw_attempt == 1
    other = BINH if drawn == AN else AN
    assert session.drawn_person_id == ids[other]


async def test_two_heads_grade_at_once_and_the_zalo_heads_comment_is_kept(
    zh: Harness,  # noqa: F811
) -> None:
    h = zh
    _ids, drawn, sid = await zalo_week(h)
    await onboard(h, HEAD, "Võ Văn Hải", "Chuyên viên chính", "truongphong")
    await h.zalo_send(drawn, "Cần có hai đảng viên chính thức giới thiệu.")
    post = sent(h.server.sent, "answer_group", GROUP)
    # Hằng grades on Zalo; the head on Telegram grades again a moment later.
    prompt = last_with(h, HANG, "Cần có hai đảng viên")
    await h.zalo_send(HANG, number_of(prompt, "Đúng"))
    await h.press(HEAD, post, "Chưa đúng")
    told = last_with(h, HANG, "vừa đánh giá lại")
    assert "Chưa đúng" in told and "Đúng" in told
    # Hằng's comment, typed after that, is kept with her own grade and said so.
    comment = "Nêu đúng nhưng thiếu căn cứ cụ thể."
    out = await h.zalo_send(HANG, comment)
    assert any("Đã đăng nhận xét" in str(m["text"]) for m in out)
    grades = await h.core.store.grades(sid)
    assert [(g.verdict, g.comment) for g in grades] == [("correct", comment), ("wrong", None)]
    assert any(comment in (m.plain_text or "") for m in h.server.sent if m.chat_id == GROUP)
