"""The whole Monday session over HTTP: publish, draw, answer, grade, regrade, conclude."""

from __future__ import annotations

from bot.testing.harness import Harness
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import setup_program, texts


async def test_full_cycle(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)

    # Friday 08:00: the question goes to the group and to every staff member privately.
    await h.at(vn(2026, 12, 4, 8, 0))
    assert (await h.core.store.open_sessions(1))[0].state == "published"
    group_post = h.last_to(GROUP, lambda m: "CÂU HỎI" in m.plain_text.upper())
    assert "Cam kết bốc thăm" in group_post.plain_text
    for user in STAFF:
        assert any("câu hỏi tuần này" in m.plain_text for m in h.server.messages_to(user.id))
    head_copy = h.last_to(HEAD.id, lambda m: "câu hỏi tuần này" in m.plain_text)
    assert "Gợi ý trả lời" in head_copy.plain_text
    staff_copy = h.last_to(STAFF[0].id, lambda m: "câu hỏi tuần này" in m.plain_text)
    assert "Gợi ý trả lời" not in staff_copy.plain_text

    # Monday 09:00: the draw.
    await h.at(vn(2026, 12, 7, 9, 0))
    draw_post = h.last_to(GROUP, lambda m: "KẾT QUẢ BỐC THĂM" in m.plain_text)
    assert "3 người" in draw_post.plain_text
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "drawn" and session.drawn_person_id in (
        ids["An"],
        ids["Bình"],
        ids["Chi"],
    )
    drawn_user = next(u for u in STAFF if ids[u.first_name] == session.drawn_person_id)
    prompt = h.last_to(drawn_user.id)
    assert "được bốc thăm" in prompt.plain_text

    # The drawn person answers privately; the group sees it with grading buttons.
    out = await h.send(
        drawn_user, "Theo Điều lệ Đảng, <b>cần</b> có hai đảng viên giới thiệu & ..."
    )
    assert any("Đã nhận câu trả lời" in m.plain_text for m in out), texts(out)
    answer_post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    assert "<b>cần</b>" in answer_post.plain_text  # shown literally, escaped
    assert [label for label, _ in answer_post.buttons()] == ["Đúng", "Đúng một phần", "Chưa đúng"]

    # A staff member pressing a grade button is refused; nothing recorded.
    other = next(u for u in STAFF if u != drawn_user)
    answer, _ = await h.press(other, answer_post, "Đúng")
    assert answer["show_alert"] and "không có quyền" in answer["text"]
    assert await h.core.store.grades(session.id) == []

    # The head grades, then regrades; the history is kept.
    answer, _ = await h.press(HEAD, answer_post, "Đúng một phần")
    assert "Đã ghi nhận" in answer["text"]
    answer, _ = await h.press(HEAD, answer_post, "Đúng một phần")  # double tap
    assert "trước đó" in answer["text"]
    await h.send(HEAD, "Cần nêu rõ thời hạn xem xét.")
    answer, _ = await h.press(HEAD, answer_post, "Đúng")
    grades = await h.core.store.grades(session.id)
    assert [g.verdict for g in grades] == ["partial", "correct"]
    assert grades[0].comment == "Cần nêu rõ thời hạn xem xét."
    assert "đánh giá lại" in h.last_to(GROUP).plain_text

    # The leader concludes from the prompt button.
    prompt = h.last_to(LEADER.id, lambda m: "Viết kết luận" in str(m.buttons()))
    _, out = await h.press(LEADER, prompt, "✍️ Viết kết luận")
    assert "gửi nội dung kết luận" in texts(out)
    await h.send(LEADER, "Kết luận: thực hiện theo Điều lệ Đảng và Quy định số 24-QĐ/TW.")
    summary = h.last_to(GROUP, lambda m: "KẾT LUẬN" in m.plain_text)
    assert "Đúng" in summary.plain_text and "Quy định số 24-QĐ/TW" in summary.plain_text
    final = await h.core.store.session(session.id)
    assert final is not None and final.state == "concluded"

    # Grading after the conclusion is refused.
    answer, _ = await h.press(HEAD, answer_post, "Chưa đúng")
    assert "đã có kết luận" in answer["text"]

    # Anyone can re-check the draw.
    out = await h.send(STAFF[0], "/kiemtra", chat_id=GROUP)
    assert "khớp với cam kết" in texts(out) and "tính lại ra đúng kết quả" in texts(out)
    assert ADMIN.id
