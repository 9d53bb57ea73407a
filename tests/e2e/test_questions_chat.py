"""Loading questions in chat: file uploads (good and bad) and the guided dialogue."""

from __future__ import annotations

from typing import Any

from fakes.fakebotapi import SentMessage
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, STAFF
from tests.e2e.helpers import SAMPLES, bind, context_of, sent, setup_program, templates, texts


def problems(out: list[SentMessage]) -> list[dict[str, Any]]:
    """What was wrong with an uploaded file, as the refusal lists it: nothing was imported."""
    rejected: list[dict[str, Any]] = context_of(sent(out, "import_rejected", ADMIN.id))["problems"]
    return rejected


async def test_upload_csv_and_bad_files_are_all_or_nothing(harness: Harness) -> None:
    h = harness
    await bind(h)
    out = await h.upload(ADMIN, "cau_hoi_mau.csv", (SAMPLES / "cau_hoi_mau.csv").read_bytes())
    sent(out, "bank_import_done", ADMIN.id, count=25, queued=25)
    bad = (
        "Câu hỏi,Chủ đề,Gợi ý trả lời\n"
        "Một câu hỏi hợp lệ về thủ tục chuyển sinh hoạt đảng?,Đảng viên,\n"
        ",Cán bộ,\n"
        f"{'Quá dài ' * 500},Cán bộ,\n"
    ).encode()
    out = await h.upload(ADMIN, "loi.csv", bad)
    assert sorted({p["row"] for p in problems(out)}) == [3, 4], problems(out)
    assert await h.core.store.count_queued(1) == 25  # nothing from the bad file
    out = await h.upload(
        ADMIN, "cp1258.csv", "Câu hỏi\nThủ tục kết nạp?\n".encode("cp1258", "replace")
    )
    assert [p["code"] for p in problems(out)] == ["bad_encoding"], problems(out)
    out = await h.upload(ADMIN, "hong.xlsx", b"PK\x03\x04 not really a workbook")
    assert [p["code"] for p in problems(out)] == ["corrupt_xlsx"], problems(out)
    out = await h.upload(ADMIN, "matkhau.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    assert [p["code"] for p in problems(out)] == ["encrypted_xlsx"], problems(out)
    assert await h.core.store.count_queued(1) == 25


async def test_upload_by_non_admin_is_refused(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    before = await h.core.store.count_queued(1)
    out = await h.upload(STAFF[0], "cau_hoi_mau.csv", (SAMPLES / "cau_hoi_mau.csv").read_bytes())
    sent(out, "refused_role", STAFF[0].id)
    assert await h.core.store.count_queued(1) == before


async def test_add_one_question_in_chat(harness: Harness) -> None:
    h = harness
    await bind(h)
    out = await h.send(ADMIN, "/themcauhoi")
    assert templates(out) == ["add_q_text"]
    out = await h.send(ADMIN, "Ngắn")
    assert templates(out) == ["add_q_text_short"]
    out = await h.send(ADMIN, "Chi bộ có được xét kết nạp khi <i>quần chúng</i> chuyển nơi cư trú?")
    topic_prompt = out[-1]
    assert templates(out) == ["add_q_topic"]
    _, out = await h.press(ADMIN, topic_prompt, "Đảng viên")
    assert templates(out) == ["add_q_source_unit"]
    out = await h.send(ADMIN, "Chi bộ Khu phố 2 (giả định)")
    assert templates(out) == ["add_q_legal_refs"]
    out = await h.send(ADMIN, "/boqua")
    assert templates(out) == ["add_q_suggested_answer"]
    out = await h.send(ADMIN, "/boqua")
    assert templates(out) == ["add_q_done"] and "<i>quần chúng</i>" in texts(out)
    queue = await h.core.store.queued_questions(1)
    assert len(queue) == 1 and queue[0].topic == "Đảng viên" and queue[0].legal_refs is None
    out = await h.send(ADMIN, "/danhsach")
    assert "1 câu" in texts(out)
    out = await h.send(ADMIN, "/themcauhoi")
    out = await h.send(ADMIN, "/huy")
    assert templates(out) == ["dialog_cancelled"]
    out = await h.send(ADMIN, "Một tin nhắn bình thường sau khi hủy")
    assert templates(out) == ["fallback"]


async def test_hostile_and_long_text_render_safely(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    from tests.conftest import vn

    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    session = (await h.core.store.open_sessions(1))[0]
    person = await h.core.store.person(session.drawn_person_id or 0)
    assert person is not None
    drawn = next(u for u in STAFF if u.id == person.tg_user_id)
    long_answer = ("Trả lời 🇻🇳 <script>alert(1)</script> & &amp; " * 100)[:3990]
    out = await h.send(drawn, long_answer)
    group_parts = [m for m in out if m.chat_id == GROUP]
    assert len(group_parts) >= 2  # over 4096 characters with the header: split
    joined = "".join(m.plain_text for m in group_parts)
    assert "<script>alert(1)</script>" in joined  # shown literally, never as markup
    assert group_parts[-1].buttons() and not group_parts[0].buttons()
