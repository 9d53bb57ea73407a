"""The documents answers rest on, over HTTP with the real application: the register in chat,
the review when a document is replaced, the marks, the supplementary conclusion, the warnings
before a question goes out and beside the grading buttons, the refusals."""

from __future__ import annotations

import io

import docx

from bot.testing.harness import Harness
from bot.words import BUTTONS
from tests.conftest import ADMIN, GROUP, LEADER, STAFF, vn
from tests.e2e.helpers import (
    conclude_week,
    context_of,
    not_sent,
    sent,
    setup_program,
)

SOURCE_232 = "Tin của Báo Điện tử Đảng Cộng sản Việt Nam về Quy định 232-QĐ/TW"
OLD = (
    "Giấy chứng nhận đã quá thời hạn thì quần chúng phải học lại lớp bồi dưỡng nhận thức về "
    "Đảng, theo Quy định số 24-QĐ/TW ngày 30/7/2021."
)
ADD_24 = (
    "/cancu them Quy định số 24-QĐ/TW | Quy định thi hành Điều lệ Đảng | 30/7/2021 | "
    "Ban Chấp hành Trung ương | Nguồn công bố thử"
)
ADD_232 = (
    "/cancu them 232-QĐ/TW | Quy định thi hành Điều lệ Đảng | 20/01/2025 | "
    "Ban Chấp hành Trung ương | Nguồn công bố thử"
)
REPLACE = f"/cancu thay 24-QĐ/TW | 232-QĐ/TW | 20/01/2025 | {SOURCE_232}"


async def a_concluded_answer_citing_24(h: Harness) -> int:
    """The program set up, and one week concluded with an answer resting on 24-QĐ/TW."""
    await setup_program(h)
    return await conclude_week(h, vn(2026, 12, 7, 9, 0), "Phải học lại lớp bồi dưỡng.", OLD)


async def test_replacing_a_document_tells_once_marks_and_takes_a_supplement(
    harness: Harness,
) -> None:
    h = harness
    session_id = await a_concluded_answer_citing_24(h)
    archived = await h.core.store.archive_by_session(session_id)
    assert archived is not None

    # The admin registers both documents in chat; nothing is told (both are in force).
    for command in (ADD_24, ADD_232):
        out = await h.send(ADMIN, command)
        sent(out, "refs_done", ADMIN.id, added=True, told=0)
    not_sent(h.server.sent, "refs_review")

    # 24-QĐ/TW replaced by 232-QĐ/TW: the leader and the admins are told, with the list.
    mark = h.server.mark()
    out = await h.send(ADMIN, REPLACE)
    sent(out, "refs_done", ADMIN.id, added=False, told=1)
    review = sent(h.server.sent[mark:], "refs_review", LEADER.id)
    sent(h.server.sent[mark:], "refs_review", ADMIN.id)
    ctx = context_of(review, "refs_review")
    assert ctx["answers_total"] == 1 and ctx["answers"][0]["id"] == archived.id
    assert ctx["handbook_years"] == [{"year": 2026, "count": 1}]
    assert (
        "1 câu trả lời chính thức dẫn Quy định số 24-QĐ/TW, đã được thay thế bởi Quy định số "
        "232-QĐ/TW từ 20/01/2025." in review.plain_text
    )
    # Told once: the same change again tells nobody.
    mark = h.server.mark()
    out = await h.send(ADMIN, REPLACE)
    sent(out, "refs_done", ADMIN.id, told=0)
    not_sent(h.server.sent[mark:], "refs_review")

    # Search, /lichsu and the full record mark the answer.
    out = await h.send(STAFF[0], "/timkiem bồi dưỡng nhận thức")
    results = sent(out, "search_results", STAFF[0].id, total=1)
    assert "căn cứ đã được thay thế: Quy định số 24-QĐ/TW → Quy định số 232-QĐ/TW" in (
        results.plain_text
    )
    history = (await h.send(STAFF[0], "/lichsu"))[-1]
    assert "căn cứ đã được thay thế" in history.plain_text
    _, out = await h.press(LEADER, history, BUTTONS["archive_view"].format(number=1))
    record = sent(out, "archive_record", LEADER.id)
    assert "Căn cứ đã được thay thế: Quy định số 24-QĐ/TW" in record.plain_text

    # The leader gives a supplementary conclusion from the button under the full record.
    _, out = await h.press(LEADER, record, BUTTONS["supplement"])
    sent(out, "supplement_ask", LEADER.id)
    new = (
        "Giấy chứng nhận đã quá thời hạn thì quần chúng phải học lại lớp bồi dưỡng; thời hạn "
        "thực hiện theo Quy định số 232-QĐ/TW ngày 20/01/2025 và hướng dẫn hiện hành."
    )
    mark = h.server.mark()
    out = await h.send(LEADER, new)
    sent(out, "supplement_done", LEADER.id)
    post = sent(h.server.sent[mark:], "supplement_group", GROUP)
    assert new in post.plain_text

    # It is the official answer now, the original kept; the mark is gone.
    out = await h.send(STAFF[1], "/timkiem boi duong")
    results = sent(out, "search_results", STAFF[1].id, total=1)
    assert "(kết luận bổ sung)" in results.plain_text
    assert "căn cứ đã được thay thế" not in results.plain_text
    _, out = await h.press(STAFF[1], results, BUTTONS["archive_view"].format(number=1))
    record = sent(out, "archive_record", STAFF[1].id)
    assert new in record.plain_text and OLD in record.plain_text
    assert record.plain_text.index(new) < record.plain_text.index(OLD)
    assert not record.buttons()  # a member without the leader's role gets no button
    current = await h.core.store.archive_by_session(session_id)
    assert current is not None and current.conclusion == OLD and current.official == new
    assert await h.core.store.count_to_review(1, vn(2026, 12, 8, 0, 0).date()) == 0
    # /kiemtra and the session itself are unaffected.
    session = await h.core.store.session(session_id)
    assert session is not None and session.conclusion == OLD and session.state == "concluded"

    # The handbook prints the supplementary conclusion as the official answer, the original
    # after it.
    out = await h.send(LEADER, "/sotay 2026")
    handbook = next(m for m in out if m.kind == "document")
    assert handbook.file_id is not None
    data = h.server.file_bytes(handbook.file_id)
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert new in body and OLD in body and body.index(new) < body.index(OLD)
