"""The whole Monday session over HTTP: publish, draw, answer, grade, regrade, conclude."""

from __future__ import annotations

from bot.words import BUTTONS, VERDICT_LABELS
from fakes.harness import Harness
from tests.conftest import GROUP, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import answered, context_of, sent, setup_program, templates


async def test_full_cycle(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)

    # Friday 08:00: the question goes to the group and to every staff member privately.
    await h.at(vn(2026, 12, 4, 8, 0))
    assert (await h.core.store.open_sessions(1))[0].state == "published"
    session = (await h.core.store.open_sessions(1))[0]
    group_post = context_of(sent(h.server.sent, "publish_group", GROUP))
    assert group_post["session"]["commitment"] == session.commitment
    assert group_post["question"]["suggested_answer"] is None  # never in the group
    for user in STAFF:
        copy = context_of(sent(h.server.sent, "publish_private", user.id))
        assert copy["question"]["suggested_answer"] is None  # staff do not see the suggestion
    head_copy = sent(h.server.sent, "publish_private", HEAD.id)
    assert context_of(head_copy)["question"]["suggested_answer"]
    assert "Gợi ý trả lời" in head_copy.plain_text

    # Monday 09:00: the draw.
    await h.at(vn(2026, 12, 7, 9, 0))
    sent(h.server.sent, "draw_group", GROUP, pool_size=3, redraw=False)
    session = (await h.core.store.open_sessions(1))[0]
    assert session.state == "drawn" and session.drawn_person_id in (
        ids["An"],
        ids["Bình"],
        ids["Chi"],
    )
    drawn_user = next(u for u in STAFF if ids[u.first_name] == session.drawn_person_id)
    assert templates([h.last_to(drawn_user.id)]) == ["draw_private"]

    # The drawn person answers privately; the group sees it with grading buttons.
    typed = "Theo Điều lệ Đảng, <b>cần</b> có hai đảng viên giới thiệu & ..."
    out = await h.send(drawn_user, typed)
    sent(out, "answer_received", drawn_user.id)
    answer_post = sent(out, "answer_group", GROUP, kind="text", text=typed)
    assert "<b>cần</b>" in answer_post.plain_text  # shown literally, escaped
    labels = [label for label, _ in answer_post.buttons()]
    assert labels == [VERDICT_LABELS[v] for v in ("correct", "partial", "wrong")]

    # A staff member pressing a grade button is refused; nothing recorded.
    other = next(u for u in STAFF if u != drawn_user)
    answer, _ = await h.press(other, answer_post, "Đúng")
    assert answer["show_alert"]
    answered(answer, "refused_role")
    assert await h.core.store.grades(session.id) == []

    # The head grades, then regrades; the history is kept.
    answer, _ = await h.press(HEAD, answer_post, "Đúng một phần")
    answered(answer, "grade_recorded", verdict="Đúng một phần", regrade=False)
    answer, _ = await h.press(HEAD, answer_post, "Đúng một phần")  # double tap
    answered(answer, "grade_same", verdict="Đúng một phần")
    await h.send(HEAD, "Cần nêu rõ thời hạn xem xét.")
    mark = h.server.mark()
    answer, _ = await h.press(HEAD, answer_post, "Đúng")
    answered(answer, "grade_recorded", verdict="Đúng", regrade=True)
    grades = await h.core.store.grades(session.id)
    assert [g.verdict for g in grades] == ["partial", "correct"]
    assert grades[0].comment == "Cần nêu rõ thời hạn xem xét."
    sent(h.server.sent[mark:], "graded_group", GROUP, verdict="Đúng", previous="Đúng một phần")

    # The leader concludes from the prompt button.
    prompt = h.last_to(LEADER.id, lambda m: BUTTONS["conclude"] in str(m.buttons()))
    _, out = await h.press(LEADER, prompt, BUTTONS["conclude"])
    sent(out, "conclude_ask", LEADER.id)
    conclusion = "Kết luận: thực hiện theo Điều lệ Đảng và Quy định số 24-QĐ/TW."
    out = await h.send(LEADER, conclusion)
    summary = sent(out, "concluded_group", GROUP, verdict="Đúng", conclusion=conclusion)
    assert context_of(summary)["answer_text"] == typed
    final = await h.core.store.session(session.id)
    assert final is not None and final.state == "concluded"

    # Grading after the conclusion is refused.
    answer, _ = await h.press(HEAD, answer_post, "Chưa đúng")
    answered(answer, "grade_after_conclusion")

    # Anyone can re-check the draw.
    out = await h.send(STAFF[0], "/kiemtra", chat_id=GROUP)
    (check,) = context_of(sent(out, "verify_group", GROUP))["checks"]
    assert check["commitment_ok"] and check["ok"]
