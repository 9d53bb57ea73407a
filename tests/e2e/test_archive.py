"""The archive of official answers over HTTP: search, history, the full record, the handbook."""

from __future__ import annotations

import io

import docx

from bot.words import BUTTONS
from fakes.fakebotapi import SentMessage
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, LEADER, OUTSIDER, STAFF, vn
from tests.e2e.helpers import conclude_week, context_of, sent, setup_program, texts

GROUP2 = -3003

CONCLUSIONS = [
    "Giấy chứng nhận đã quá thời hạn thì quần chúng phải học lại lớp bồi dưỡng nhận thức về Đảng "
    "trước khi chi bộ xét, đề nghị kết nạp.",
    "Chi bộ phân công đảng viên chính thức khác đủ điều kiện thay người giới thiệu đã chuyển "
    "công tác, tiếp tục giúp đỡ quần chúng.",
    "Chỉ xét đề nghị kết nạp khi quần chúng đã đủ mười tám tuổi theo cách tính tuổi đời trong "
    "hướng dẫn thi hành Điều lệ Đảng.",
]


async def three_concluded_weeks(h: Harness) -> list[int]:
    await setup_program(h)
    return [
        await conclude_week(
            h,
            vn(2026, 12, 7, 9, 0),
            "Theo hướng dẫn, quần chúng phải học lại lớp bồi dưỡng.",
            CONCLUSIONS[0],
            comment="Trả lời đúng, cần nêu rõ văn bản.",
        ),
        await conclude_week(
            h,
            vn(2026, 12, 14, 9, 0),
            "Chi bộ cử đảng viên khác giới thiệu.",
            CONCLUSIONS[1],
            verdict="Đúng một phần",
        ),
        await conclude_week(
            h,
            vn(2026, 12, 21, 9, 0),
            "Được xét vì sắp đủ tuổi.",
            CONCLUSIONS[2],
            verdict="Chưa đúng",
        ),
    ]


def view_buttons(message: SentMessage) -> list[str]:
    prefix = BUTTONS["archive_view"].split("(")[0]
    return [label for label, _ in message.buttons() if label.startswith(prefix)]


def view(number: int) -> str:
    return BUTTONS["archive_view"].format(number=number)


async def test_search_with_and_without_diacritics_and_the_full_record(harness: Harness) -> None:
    h = harness
    sessions = await three_concluded_weeks(h)
    store = h.core.store
    archived = [await store.archive_by_session(s) for s in sessions]
    assert all(a is not None for a in archived)
    assert archived[0] is not None and archived[0].conclusion == CONCLUSIONS[0]
    assert archived[0].verdict == "correct" and archived[0].comment == (
        "Trả lời đúng, cần nêu rõ văn bản."
    )

    # With and without diacritics: the same answers, in the same order.
    with_marks = (await h.send(STAFF[0], "/timkiem bồi dưỡng nhận thức"))[-1]
    without = (await h.send(STAFF[0], "/timkiem boi duong nhan thuc"))[-1]
    sent([with_marks], "search_results", STAFF[0].id, query="bồi dưỡng nhận thức", total=1)
    for text in (with_marks.plain_text, without.plain_text):
        assert CONCLUSIONS[0][:60] in text
        assert "mười tám tuổi" not in text  # the third session does not mention it
    assert view_buttons(with_marks) == view_buttons(without) == [view(1)]

    # The English alias, a word still being typed (prefix), in the group: all three weeks.
    out = await h.send(STAFF[1], "/search ket nap dang vi", chat_id=GROUP)
    results = out[-1]
    sent([results], "search_results", GROUP, total=3, page=1, pages=1)
    assert len(view_buttons(results)) == 3
    assert not [
        label
        for label, _ in results.buttons()
        if label in (BUTTONS["page_back"], BUTTONS["page_next"])
    ]

    # «Xem đầy đủ» opens the whole record privately for the presser.
    out = await h.send(STAFF[2], "/timkiem mười tám tuổi")
    _, out = await h.press(STAFF[2], out[-1], view(1))
    record = sent(out, "archive_record", STAFF[2].id)
    text = record.plain_text
    assert "HỒ SƠ HỎI – ĐÁP" in text and "21/12/2026" in text
    assert "Học sinh lớp 12" in text and "Chi bộ Trường Trung học phổ thông C" in text
    assert "Được xét vì sắp đủ tuổi." in text and "Chưa đúng" in text
    assert CONCLUSIONS[2] in text and "Phạm Quang Minh" in text
    assert "Quy định số 294-QĐ/TW" in text  # the legal references of the question

    # Empty, unusable, too long and unmatched queries get clear answers.
    assert "Gõ /timkiem" in texts(await h.send(STAFF[0], "/timkiem"))
    assert "ít nhất một chữ" in texts(await h.send(STAFF[0], '/timkiem "*" (^) :-'))
    assert "vượt giới hạn 200" in texts(await h.send(STAFF[0], "/timkiem " + "a" * 201))
    assert "Không tìm thấy" in texts(await h.send(STAFF[0], "/timkiem bảo hiểm xã hội"))


async def test_paging_history_and_other_programs(harness: Harness) -> None:
    h = harness
    await three_concluded_weeks(h)
    for day, text in ((28, "thứ tư"), (4, "thứ năm"), (11, "thứ sáu")):
        month, year = (12, 2026) if day == 28 else (1, 2027)
        await conclude_week(
            h, vn(year, month, day, 9, 0), "Câu trả lời.", f"Kết luận {text} về kết nạp đảng viên."
        )

    # Six answers mention «kết nạp»: two pages, 5 + 1, with working ◀ Trước / Sau ▶.
    first = (await h.send(STAFF[0], "/timkiem kết nạp"))[-1]
    sent([first], "search_results", STAFF[0].id, total=6, page=1, pages=2)
    assert len(view_buttons(first)) == 5
    assert [label for label, _ in first.buttons()][-1] == BUTTONS["page_next"]
    # Paging replaces the list where it is, instead of sending a new message.
    _, out = await h.press(STAFF[0], first, BUTTONS["page_next"])
    assert out == [] and first.edits
    assert context_of(first, "search_results")["page"] == 2
    assert "trang 2/2" in first.plain_text and view_buttons(first) == [view(6)]
    _, out = await h.press(STAFF[0], first, BUTTONS["page_back"])
    assert out == [] and context_of(first, "search_results")["page"] == 1

    # /lichsu in the group: newest first, paginated, each opening its record.
    history = (await h.send(STAFF[1], "/lichsu", chat_id=GROUP))[-1]
    sent([history], "history_list", GROUP, total=6, page=1, pages=2)
    assert history.plain_text.index("11/01/2027") < history.plain_text.index("14/12/2026")
    assert "07/12/2026" not in history.plain_text  # the oldest is on page 2
    _, out = await h.press(STAFF[1], history, BUTTONS["page_next"])
    assert out == [] and "07/12/2026" in history.plain_text and history.chat_id == GROUP
    _, out = await h.press(STAFF[1], history, BUTTONS["page_back"])
    _, out = await h.press(STAFF[1], history, view(1))
    assert "Kết luận thứ sáu về kết nạp đảng viên." in out[-1].plain_text
    assert out[-1].chat_id == STAFF[1].id

    # A second program with its own member: nothing of the first one is visible to them.
    h.server.group(GROUP2, "Giao ban phòng 2")
    h.server.add_bot_to_group(ADMIN.id, GROUP2)
    sent(await h.send(ADMIN, "/lienket", chat_id=GROUP2), "bind_done", GROUP2)
    out = await h.send(OUTSIDER, "/start")
    _, out = await h.press(OUTSIDER, out[-1], "Giao ban phòng 2")
    out = await h.send(OUTSIDER, "Hoàng Văn Ngoại")
    _, out = await h.press(OUTSIDER, out[-1], "Chuyên viên")
    request = h.last_to(ADMIN.id, lambda m: "Hoàng Văn Ngoại" in m.plain_text)
    await h.press(ADMIN, request, BUTTONS["approve"])
    assert "Không tìm thấy" in texts(await h.send(OUTSIDER, "/timkiem ket nap"))
    assert "chưa có phiên nào được kết luận" in texts(await h.send(OUTSIDER, "/lichsu"))
    # In the first program's group they are refused, and a forged press of its buttons too.
    assert "Chỉ cán bộ đang tham gia" in texts(
        await h.send(OUTSIDER, "/timkiem ket nap", chat_id=GROUP)
    )
    token = dict(history.buttons())[view(1)]
    answer, out = await h.press_data(OUTSIDER, history, token)
    assert answer["show_alert"] and "Chỉ cán bộ đang tham gia" in answer["text"]
    assert not [m for m in out if m.chat_id == OUTSIDER.id]
    refused = await h.core.store.events(kind="refused")
    assert any(e["detail"] == "archive_view" for e in refused)


async def test_handbook_for_leaders_and_admins_only(harness: Harness) -> None:
    h = harness
    await three_concluded_weeks(h)
    out = await h.send(STAFF[0], "/sotay 2026")
    assert "không có quyền" in texts(out) and not [m for m in out if m.kind == "document"]
    assert "«26» không phải năm hợp lệ" in texts(await h.send(LEADER, "/sotay 26"))
    assert "chưa có câu hỏi nào được kết luận" in texts(await h.send(LEADER, "/sotay 2025"))

    out = await h.send(LEADER, "/sotay 2026")
    doc = next(m for m in out if m.kind == "document")
    assert doc.chat_id == LEADER.id and doc.file_name == "so_tay_hoi_dap_2026.docx"
    assert "3 câu hỏi đã kết luận" in doc.plain_text
    assert doc.file_id is not None
    document = docx.Document(io.BytesIO(h.server.file_bytes(doc.file_id)))
    paragraphs = [p for p in document.paragraphs]
    # The file is the handbook (its cover opens with the issuing body, its title says what it is).
    assert document.core_properties.title == (
        "Sổ tay hỏi – đáp nghiệp vụ công tác tổ chức xây dựng Đảng"
    )
    assert "SỔ TAY" in [p.text for p in paragraphs[:5]]
    assert [p.text for p in paragraphs if p.style is not None and p.style.name == "Heading 1"] == [
        "1. Đảng viên"
    ]
    body = "\n".join(p.text for p in paragraphs)
    for conclusion in CONCLUSIONS:
        assert conclusion in body
    assert "Chi bộ Thôn 3, xã A" in body and "Ngày giao ban: 07/12/2026" in body

    # The admin may have it too, in the group.
    out = await h.send(ADMIN, "/sotay", chat_id=GROUP)
    assert any(m.kind == "document" and m.chat_id == GROUP for m in out)
