"""The documents answers rest on, over HTTP with the real application: the register in chat,
the review when a document is replaced, the marks, the supplementary conclusion, the warnings
before a question goes out and beside the grading buttons, the refusals."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.words import BUTTONS
from fakes.harness import Harness
from hoidap.cli import main as cli_main
from questions.register import register_csv
from questions.samples.register_data import STARTER
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, OUTSIDER, STAFF, vn
from tests.e2e.helpers import (
    answered,
    conclude_week,
    context_of,
    drawn_user,
    not_sent,
    sent,
    sent_all,
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


# -- refusals: nothing changes, a clear Vietnamese sentence ----------------------------------------


async def test_every_bad_change_is_refused_in_a_sentence_and_changes_nothing(
    harness: Harness,
) -> None:
    h = harness
    await a_concluded_answer_citing_24(h)
    for command in (ADD_24, ADD_232):
        sent(await h.send(ADMIN, command), "refs_done", ADMIN.id)
    store = h.core.store
    before = await store.register()
    cases = [
        # who may not change it, and where
        (STAFF[0], f"/cancu thay 24-QĐ/TW | 232-QĐ/TW | {SOURCE_232}", None, "refused_role"),
        (OUTSIDER, "/cancu", None, "not_member"),
        (ADMIN, "/cancu", GROUP, "private_only"),
        # a replacement loop: 24 by 232, then 232 by 24
        (ADMIN, "/cancu thay 232-QĐ/TW | 24-QĐ/TW | nguồn", None, "refs_refused"),
        # dated before the document itself
        (ADMIN, "/cancu bai 232-QĐ/TW | 01/01/2020 | nguồn", None, "refs_refused"),
        (ADMIN, "/cancu thay 24-QĐ/TW | 232-QĐ/TW | 01/01/2019 | nguồn", None, "refs_refused"),
        # unknown documents
        (ADMIN, "/cancu thay 999-QĐ/TW | 232-QĐ/TW | nguồn", None, "refs_refused"),
        (ADMIN, "/cancu thay 24-QĐ/TW | 999-QĐ/TW | nguồn", None, "refs_refused"),
        (ADMIN, "/cancu 999-QĐ/TW", None, "refs_refused"),
        # symbols and dates that do not parse, parts missing, no source
        (ADMIN, "/cancu thay xin chào | 232-QĐ/TW | nguồn", None, "refs_refused"),
        (ADMIN, "/cancu tổ 24", None, "refs_refused"),
        (ADMIN, "/cancu them 300-QĐ/TW | Tên | 31/02/2025 | Cơ quan | nguồn", None, "refs_refused"),
        (ADMIN, "/cancu them 300-QĐ/TW | Tên | 20/01/2025 | Cơ quan", None, "refs_usage"),
        (ADMIN, "/cancu thay 24-QĐ/TW | 232-QĐ/TW | ", None, "refs_usage"),
        (ADMIN, "/cancu bai 232-QĐ/TW", None, "refs_usage"),
        # odd and huge input
        (
            ADMIN,
            "/cancu thay \u202e24-QĐ/TW\u200b | 232-QĐ/TW | " + "x" * 3000,
            None,
            "refs_refused",
        ),
        (ADMIN, "/cancu " + "٣٤-QĐ/TW " * 300, None, "refs_refused"),
        (ADMIN, "/cancu 🙂🙂🙂", None, "refs_refused"),
    ]
    for user, text, chat, template in cases:
        h.clock.advance(timedelta(seconds=3))  # people take a moment (no throttling)
        out = await h.send(user, text, chat_id=chat)
        found = sent(out, template, chat if chat is not None else user.id)
        assert "sự cố" not in found.plain_text, text
        not_sent(out, "internal_error")
    assert await store.register() == before
    h.clock.advance(timedelta(minutes=1))
    loop = (await h.send(ADMIN, "/cancu thay 232-QĐ/TW | 24-QĐ/TW | nguồn"))[-1]
    assert "Sổ văn bản giữ nguyên" in loop.plain_text
    assert context_of(loop, "refs_refused")["problem"]["code"] in ("loop", "successor_older")
    # The loop itself, with documents of one date: A by B, then B by A.
    sent(
        await h.send(
            ADMIN,
            "/cancu them 41-QĐ/TW | Quy định về miễn nhiệm, từ chức | 03/11/2021 | "
            "Bộ Chính trị | nguồn thử",
        ),
        "refs_done",
        ADMIN.id,
    )
    sent(
        await h.send(
            ADMIN,
            "/cancu them 42-QĐ/TW | Quy định thử | 03/11/2021 | Bộ Chính trị | nguồn thử",
        ),
        "refs_done",
        ADMIN.id,
    )
    sent(await h.send(ADMIN, "/cancu thay 41-QĐ/TW | 42-QĐ/TW | nguồn"), "refs_done", ADMIN.id)
    back = (await h.send(ADMIN, "/cancu thay 42-QĐ/TW | 41-QĐ/TW | nguồn"))[-1]
    assert context_of(back, "refs_refused")["problem"]["code"] == "loop"
    assert "thay thế vòng tròn" in back.plain_text
    dated = (await h.send(ADMIN, "/cancu bai 232-QĐ/TW | 01/01/2020 | nguồn"))[-1]
    assert "có trước ngày ban hành 20/01/2025" in dated.plain_text


async def test_a_supplement_button_that_is_old_or_not_yours_changes_nothing(
    harness: Harness,
) -> None:
    h = harness
    session_id = await a_concluded_answer_citing_24(h)
    history = (await h.send(LEADER, "/lichsu"))[-1]
    _, out = await h.press(LEADER, history, BUTTONS["archive_view"].format(number=1))
    record = sent(out, "archive_record", LEADER.id)
    # Someone else pressing the leader's button: refused by role.
    answer, _ = await h.press(STAFF[0], record, BUTTONS["supplement"])
    answered(answer, "refused_role")
    # The button after its time.
    h.clock.advance(timedelta(days=31))
    answer, _ = await h.press(LEADER, record, BUTTONS["supplement"])
    answered(answer, "button_expired")
    archived = await h.core.store.archive_by_session(session_id)
    assert archived is not None and archived.version == 0
    # A number that is not an official answer of the program, and no number at all.
    out = await h.send(LEADER, "/ketluanbosung 999 Nội dung bổ sung.")
    sent(out, "supplement_unknown", LEADER.id)
    out = await h.send(LEADER, "/ketluanbosung bổ sung")
    sent(out, "supplement_usage", LEADER.id)
    out = await h.send(STAFF[1], f"/ketluanbosung {archived.id} Nội dung.")
    sent(out, "refused_role", STAFF[1].id)
    assert (await h.core.store.archive_by_session(session_id)).version == 0  # type: ignore[union-attr]


# -- before it matters: the question, the answer ---------------------------------------------------


async def test_the_head_sees_beside_the_verdicts_that_the_answer_cites_a_replaced_document(
    harness: Harness,
) -> None:
    h = harness
    await setup_program(h)
    for command in (ADD_24, ADD_232, REPLACE):
        await h.send(ADMIN, command)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    drawn = await drawn_user(h)
    mark = h.server.mark()
    await h.send(drawn, "Theo Quy định số 24-QĐ/TW, giấy chứng nhận có giá trị trong 12 tháng.")
    post = sent(h.server.sent[mark:], "answer_group", GROUP)
    prompt = sent(h.server.sent[mark:], "grade_prompt", HEAD.id)
    for message in (post, prompt):
        assert (
            "Căn cứ đã được thay thế: Quy định số 24-QĐ/TW đã được thay thế bởi Quy định số "
            "232-QĐ/TW từ 20/01/2025." in message.plain_text
        )
        assert [label for label, _ in message.buttons()] == ["Đúng", "Đúng một phần", "Chưa đúng"]
    # A fact, not a verdict: the head grades as before.
    answer, _ = await h.press(HEAD, post, "Đúng một phần")
    answered(answer, "grade_recorded", verdict="Đúng một phần")
    # An answer citing documents in force carries no note.
    await h.send(HEAD, "/boqua")
    await h.send(LEADER, "/ketluan Thực hiện theo Quy định số 232-QĐ/TW.", chat_id=GROUP)
    await h.at(vn(2026, 12, 11, 8, 0))
    await h.at(vn(2026, 12, 14, 9, 0))
    drawn = await drawn_user(h)
    mark = h.server.mark()
    await h.send(drawn, "Theo Quy định số 232-QĐ/TW và Điều lệ Đảng.")
    post = sent(h.server.sent[mark:], "answer_group", GROUP, stale_refs=[])
    assert "Căn cứ đã" not in post.plain_text


async def test_admins_are_warned_before_a_question_citing_a_replaced_document_goes_out(
    harness: Harness,
) -> None:
    h = harness
    await setup_program(h)
    for command in (ADD_24, ADD_232, REPLACE):
        await h.send(ADMIN, command)
    data = (
        "Câu hỏi,Chủ đề,Căn cứ\n"
        '"Chi ủy có được quyết định khai trừ đảng viên dự bị không?",Đảng viên,'
        '"Quy định số 24-QĐ/TW ngày 30/7/2021"\n'
    ).encode()
    out = await h.upload(ADMIN, "cu.csv", data)
    done = sent(out, "bank_import_done", ADMIN.id)
    stale = context_of(done)["stale"]
    assert len(stale) == 1 and stale[0]["stale"][0]["symbol"] == "24-QĐ/TW"
    assert "1 câu hỏi dẫn văn bản không còn hiệu lực" in done.plain_text
    number = stale[0]["id"]
    sent(await h.send(ADMIN, f"/xephang {number} 1"), "bank_moved", ADMIN.id)
    queue = (await h.send(ADMIN, "/danhsach"))[-1]
    assert "căn cứ đã được thay thế: Quy định số 24-QĐ/TW → Quy định số 232-QĐ/TW" in (
        queue.plain_text
    )
    detail = (await h.send(ADMIN, f"/xemcauhoi {number}"))[-1]
    assert "Căn cứ đã được thay thế: Quy định số 24-QĐ/TW" in detail.plain_text
    # The sample questions cite documents the register does not hold as replaced: no mark.
    first = (await h.send(ADMIN, "/xemcauhoi 1"))[-1]
    assert "Căn cứ đã" not in first.plain_text


# -- the asking unit is told -----------------------------------------------------------------------


async def test_the_unit_that_asked_is_told_the_supplementary_conclusion(harness: Harness) -> None:
    from tests.e2e.test_grassroots import ASKER, UNIT, register_asker, submit, tap

    h = harness
    await setup_program(h)
    await register_asker(h, ASKER, "Đinh Thị Hoa", UNIT, by_admin=True)
    text = "Theo QĐ 24 thì đảng viên dự bị có được biểu quyết khi chi bộ xét kết nạp không?"
    card = await submit(h, ASKER, text)
    await tap(h, ADMIN, card, BUTTONS["accept"])
    question = (await h.core.store.bank_questions(1, ("queued",)))[-1].question
    out = await h.send(ADMIN, f"/ghim {question.id} 07/12/2026")
    sent(out, "bank_pinned", ADMIN.id)
    session_id = await conclude_week(
        h,
        vn(2026, 12, 7, 9, 0),
        "Đảng viên dự bị không biểu quyết.",
        "Theo Điều lệ Đảng, đảng viên dự bị không có quyền biểu quyết.",
    )
    archived = await h.core.store.archive_by_session(session_id)
    assert archived is not None
    mark = h.server.mark()
    new = "Bổ sung: đảng viên dự bị có quyền như đảng viên chính thức, trừ quyền biểu quyết."
    out = await h.send(LEADER, f"/ketluanbosung {archived.id} {new}", chat_id=GROUP)
    sent(out, "supplement_done", GROUP)
    told = sent(h.server.sent[mark:], "grassroots_supplement", ASKER.id)
    assert new in told.plain_text and "Theo Điều lệ Đảng" in told.plain_text
    sent(h.server.sent[mark:], "supplement_group", GROUP)
    assert len(sent_all(h.server.sent[mark:], "grassroots_supplement")) == 1


# -- records -------------------------------------------------------------------------------------


async def test_the_figures_name_the_documents_cited_and_the_answers_to_review(
    harness: Harness,
) -> None:
    h = harness
    await a_concluded_answer_citing_24(h)
    for command in (ADD_24, ADD_232, REPLACE):
        await h.send(ADMIN, command)
    out = await h.send(LEADER, "/thongke tháng 12")
    figures = sent(out, "figures", LEADER.id)
    cited = context_of(figures)["cited"]
    assert cited["to_review"] == 1
    assert cited["top"][0] == {"document": "Quy định số 24-QĐ/TW", "sessions": 1}
    assert "Câu trả lời chính thức cần rà soát (căn cứ không còn hiệu lực): 1" in (
        figures.plain_text
    )
    out = await h.send(LEADER, "/baocao tháng 12 xlsx")
    report = next(m for m in out if m.kind == "document")
    assert report.file_id is not None
    book = openpyxl.load_workbook(io.BytesIO(h.server.file_bytes(report.file_id)))
    rows = list(book["Căn cứ"].iter_rows(values_only=True))
    assert rows[1] == ("Quy định số 24-QĐ/TW", 1)
    assert rows[-1][1] == 1


# -- from the command line, while the bot runs -------------------------------------------------


async def test_a_register_imported_on_the_server_reaches_the_leader_of_a_running_bot(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    h = harness
    await a_concluded_answer_citing_24(h)
    monkeypatch.setenv("HOIDAP_DB", str(h.db_path))
    path = tmp_path / "so_van_ban.csv"
    path.write_bytes(register_csv(STARTER))
    mark = h.server.mark()
    await h.settle()
    assert await asyncio.to_thread(cli_main, ["refs", "import", str(path)]) == 0
    # What the bot does every few seconds: the change is taken in and the outbox woken (the
    # review was written by the command line, not by the bot).
    await h.outside_changes()
    review = await h.server.wait_for(
        lambda m: m.chat_id == LEADER.id and "Rà soát căn cứ" in m.plain_text, after=mark
    )
    assert "1 câu trả lời chính thức dẫn Quy định số 24-QĐ/TW" in review.plain_text
    assert "văn bản hiện hành: Quy định số 294-QĐ/TW" in review.plain_text
