"""The question bank for admins, over HTTP: duplicates, files, the queue, pins, the low warning."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.models import BankQuestion
from bot.words import BANK_STATUS_LABELS, BUTTONS
from fakes.fakebotapi import SentMessage
from fakes.harness import Harness, User
from questions.importer import export_questions, normalize_for_match, parse_questions
from questions.model import QuestionDraft
from questions.samples.data import SAMPLE_QUESTIONS
from tests.conftest import ADMIN, GROUP, HEAD, STAFF, vn
from tests.e2e.helpers import (
    SAMPLES,
    answered,
    bind,
    context_of,
    sent,
    sent_all,
    setup_program,
    texts,
)

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "không có quyền"


async def say(h: Harness, user: User, text: str, chat_id: int | None = None) -> list[SentMessage]:
    """A person types a command a few seconds after the previous one."""
    h.clock.advance(timedelta(seconds=3))
    return await h.send(user, text, chat_id=chat_id)


async def upload(h: Harness, name: str, data: bytes) -> str:
    h.clock.advance(timedelta(seconds=3))
    return texts(await h.upload(ADMIN, name, data))


def document(h: Harness, out: list[SentMessage]) -> tuple[str, bytes]:
    (doc,) = [m for m in out if m.kind == "document"]
    assert doc.file_id is not None and doc.file_name is not None
    return doc.file_name, h.server.file_bytes(doc.file_id)


async def order(h: Harness, program_id: int = 1) -> list[int]:
    return [qid for qid, _ in await h.core.store.queue_order(program_id)]


async def status(h: Harness, question_id: int) -> str:
    bq = await h.core.store.bank_question(question_id)
    assert bq is not None
    return bq.question.status


def content(bank: list[BankQuestion]) -> list[tuple[object, ...]]:
    """What a question is, apart from its number, program and place in the bank's history."""
    return [
        (
            b.question.text,
            b.question.topic,
            b.question.source_unit,
            b.question.legal_refs,
            b.question.suggested_answer,
            b.tags,
            b.refs,
        )
        for b in bank
    ]


async def bind_another(h: Harness, chat_id: int, title: str) -> None:
    """A second briefing group, chosen by the admin for the private commands that follow."""
    h.server.group(chat_id, title)
    h.server.add_bot_to_group(ADMIN.id, chat_id)
    assert "Đã gắn nhóm" in texts(await say(h, ADMIN, "/lienket", chat_id=chat_id))
    await choose(h, title)


async def choose(h: Harness, title: str) -> None:
    out = await say(h, ADMIN, "/chon")
    h.clock.advance(timedelta(seconds=3))
    _, out = await h.press(ADMIN, out[-1], title)
    assert "Đã chọn chương trình" in texts(out), texts(out)


# ---------------------------------------------------------------------------------------------


async def test_upload_with_duplicates_is_reported_not_doubled(harness: Harness) -> None:
    h = harness
    await bind(h)
    assert "Đã nhập 25 câu hỏi" in await upload(
        h, "cau_hoi_mau.csv", (SAMPLES / "cau_hoi_mau.csv").read_bytes()
    )
    q2, q5, q7 = (SAMPLE_QUESTIONS[i].text for i in (1, 4, 6))
    assert "Đã loại câu #7" in texts(await say(h, ADMIN, "/loai 7"))
    new = "Chi bộ có được họp trực tuyến khi một số đảng viên đi công tác xa không?"
    csv_text = (
        "Câu hỏi,Chủ đề,Căn cứ,Thẻ\n"
        f'"{q2.upper().rstrip("?")}",Đảng viên,,\n'  # #2 in capitals, without the question mark
        f'"{new}",Tổ chức cơ sở đảng,Khoản 1 Điều 8 Quy định số 24-QĐ/TW,"sinh hoạt; trực tuyến"\n'
        f'"  {q5.replace(" ", "  ")}  ",Đảng viên,,\n'  # #5 with its spaces doubled
        f'"{q7}",Đảng viên,,\n'  # #7 was retired: not a duplicate, it comes back
    ).encode()
    message = await upload(h, "them.csv", csv_text)
    assert "Đã nhập 2 câu hỏi từ tệp them.csv" in message, message
    assert "2 câu đã có trong ngân hàng của chương trình nên không nhập lại" in message
    assert "Dòng 2: trùng câu #2 «Một trong hai đảng viên" in message
    assert "Dòng 4: trùng câu #5" in message
    bank = await h.core.store.bank_questions(1, ("queued", "held", "used"))
    keys = [normalize_for_match(b.question.text) for b in bank]
    assert len(bank) == 26 and len(set(keys)) == 26  # 25 - 1 retired + 2 new, none twice
    added = next(b for b in bank if b.question.text == new)
    assert added.tags == ("sinh hoạt", "trực tuyến")
    assert added.refs == (("Quy định số 24-QĐ/TW", "Khoản 1 Điều 8"),)

    # The same file again: nothing new, every row named.
    message = await upload(h, "them.csv", csv_text)
    assert "không có câu hỏi mới nên không câu nào được nhập" in message
    assert f"Dòng 3: trùng câu #{added.question.id}" in message and "Dòng 5: trùng câu #" in message
    assert await h.core.store.count_queued(1) == 26

    # In a YAML file the duplicate is named by its item; invalid rows still reject the whole file.
    message = await upload(h, "q.yaml", f"- Câu hỏi: '{q2}'\n".encode())
    assert "Mục 1: trùng câu #2" in message
    bad = f'Câu hỏi\n"{q5}"\nNgắn\nMột câu hỏi mới hoàn toàn về công tác cán bộ?\n'.encode()
    message = await upload(h, "loi.csv", bad)
    assert "chưa được nhập" in message and "Dòng 3" in message
    assert await h.core.store.count_queued(1) == 26

    # /themcauhoi refuses the duplicate at once and waits for another text.
    await say(h, ADMIN, "/themcauhoi")
    out = await say(h, ADMIN, q2.lower())
    assert "đã có trong ngân hàng (câu #2)" in texts(out) and "Bước 2/5" not in texts(out)
    out = await say(h, ADMIN, "Đảng viên chuyển sinh hoạt tạm thời có được bầu cấp ủy không?")
    assert "Bước 2/5" in texts(out)
    await say(h, ADMIN, "/huy")
    assert await h.core.store.count_queued(1) == 26


async def test_export_then_import_into_an_empty_program_changes_nothing(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await bind(h)
    await upload(h, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    tricky = [
        QuestionDraft(
            '=HYPERLINK("http://x") có phải là công thức không?\nDòng thứ hai: «ngoặc» & <thẻ>',
            "Bảo vệ chính trị nội bộ",
            "-Chi bộ A (giả định)",
            "Khoản 2 Điều 5 Quy định số 24-QĐ/TW; Điều lệ Đảng",
            "@ghi chú\n'trích dẫn'",
            ("an toàn", "thử nghiệm"),
        )
    ]
    assert "Đã nhập 1 câu hỏi" in await upload(h, "kho.yaml", export_questions("k.yaml", tricky))
    await say(h, ADMIN, "/the 3 kết nạp, tuổi đời")
    await say(h, ADMIN, "/xephang 10 1")
    await say(h, ADMIN, "/tamhoan 4")
    await say(h, ADMIN, "/ghim 12 21/12/2026")
    original = await h.core.store.bank_questions(1, ("queued", "held", "used"))
    exported: dict[str, bytes] = {}
    for fmt in ("xlsx", "csv", "yaml"):
        out = await say(h, ADMIN, f"/xuatcauhoi {fmt}")
        name, data = document(h, out)
        assert name == f"ngan_hang_cau_hoi_1_20261201.{fmt}"
        assert "26 câu (25 đang chờ theo thứ tự hàng đợi, 1 tạm hoãn, 0 đã dùng" in texts(out)
        (tmp_path / name).write_bytes(data)  # through real files, as an admin would keep them
        exported[fmt] = (tmp_path / name).read_bytes()
    assert [d.text for d in parse_questions("x.xlsx", exported["xlsx"])] == [
        b.question.text for b in original
    ]
    assert [b.question.id for b in original[:2]] == [10, 1] and original[-1].question.id == 4

    # Each file into its own empty program: the same questions, in the same order, and exporting
    # that program gives the same file again.
    for program_id, fmt in ((2, "xlsx"), (3, "csv"), (4, "yaml")):
        await bind_another(h, -3000 - program_id, f"Giao ban phòng {program_id}")
        message = await upload(h, f"nhap.{fmt}", exported[fmt])
        assert "Đã nhập 26 câu hỏi" in message and "trùng" not in message, message
        copy = await h.core.store.bank_questions(program_id, ("queued", "held", "used"))
        assert content(copy) == content(original)
        assert all(b.question.status == "queued" for b in copy)
        _, again = document(h, await say(h, ADMIN, f"/xuatcauhoi {fmt}"))
        if fmt == "xlsx":  # the workbook's own timestamps differ; its content does not
            assert parse_questions("a.xlsx", again) == parse_questions("b.xlsx", exported[fmt])
        else:
            assert again == exported[fmt]

    # Back into the program it came from: every question is already there.
    await choose(h, "Giao ban Ban Tổ chức (thử nghiệm)")
    message = await upload(h, "lai.csv", exported["csv"])
    assert "không có câu hỏi mới" in message and "26 câu đã có" in message
    assert len(await h.core.store.bank_questions(1, ("queued", "held"))) == 26

    # The command line exports the same bank as the chat.
    target = tmp_path / "cli.csv"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hoidap",
        "questions",
        "export",
        str(target),
        "--program",
        "1",
        env={
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "HOIDAP_DB": str(h.db_path),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert "Đã xuất 26 câu hỏi" in stdout.decode()
    assert target.read_bytes() == exported["csv"]

    # The empty template.
    out = await say(h, ADMIN, "/maucauhoi")
    name, data = document(h, out)
    assert name == "mau_cau_hoi.xlsx" and "Tệp mẫu câu hỏi" in texts(out)
    (tmp_path / name).write_bytes(data)
    sheet = load_workbook(tmp_path / name)["Câu hỏi"]
    assert [c.value for c in sheet[1]][:2] == ["Câu hỏi", "Chủ đề"] and sheet.max_row == 1


async def test_queue_changes_by_an_admin_and_refusals(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    start = await order(h)
    assert start == list(range(1, 26))

    # Staff and the head may not change the queue; nothing changes, the refusal is recorded.
    for user in (STAFF[0], HEAD):
        for command in ("/xephang 5 1", "/ghim 5 14/12/2026", "/tamhoan 5", "/loai 5", "/the 5 x"):
            assert REFUSED in texts(await say(h, user, command)), command
        for command in ("/xuatcauhoi", "/maucauhoi"):
            out = await say(h, user, command)
            assert REFUSED in texts(out) and not [m for m in out if m.kind == "document"]
    assert await order(h) == start and await status(h, 5) == "queued"
    refused = await h.core.store.events(1, "refused")
    assert {"queue_move", "queue_pin", "question_hold", "question_retire"} <= {
        e["detail"] for e in refused
    }
    # The head sees the queue and a question, without the admin's commands.
    out = await say(h, HEAD, "/danhsach")
    assert "Các phiên tới" in texts(out) and "/xephang" not in texts(out)
    out = await say(h, HEAD, "/xemcauhoi 5")
    assert "Câu hỏi #5" in texts(out) and not out[-1].buttons()

    # The admin reorders, pins, holds, releases and retires.
    out = await say(h, ADMIN, "/xephang 5 1")
    assert "vị trí 1/25" in texts(out)
    assert await order(h) == [5, *range(1, 5), *range(6, 26)]
    out = await say(h, ADMIN, "/ghim 9 16/12/2026")
    sent(out, "bank_pinned", question={"id": 9}, session_date="2026-12-14", asked="2026-12-16")
    out = await say(h, ADMIN, "/tamhoan 3")
    assert "Đã tạm hoãn câu #3" in texts(out) and await status(h, 3) == "held"
    out = await say(h, ADMIN, "/danhsach")
    plan = texts(out)
    assert "Thứ Hai, 07/12/2026: #5 " in plan
    assert "Thứ Hai, 14/12/2026: #9 " in plan and "📌" in plan
    assert "Thứ Hai, 21/12/2026: #1 " in plan and "Thứ Hai, 28/12/2026: #2 " in plan
    assert "Tạm hoãn (1 câu)" in plan and "• #3 " in plan
    out = await say(h, ADMIN, "/tieptuc 3")
    assert "thứ 25" in texts(out) and (await order(h))[-1] == 3
    out = await say(h, ADMIN, "/loai 4")
    assert "Đã loại câu #4" in texts(out) and await status(h, 4) == "retired"
    assert 4 not in await order(h)
    for command in ("/tieptuc 4", "/xephang 4 1", "/ghim 4 14/12/2026", "/tamhoan 4"):
        assert "đang ở trạng thái «đã loại»" in texts(await say(h, ADMIN, command)), command

    # Wrong input gets a clear answer and changes nothing.
    before = await order(h)
    for command, answer in (
        ("/xephang abc 1", "không phải số câu hỏi hợp lệ"),
        ("/xephang 5 0", "«0» không phải vị trí trong hàng đợi hợp lệ"),
        ("/xephang 5", "Cách dùng"),
        ("/ghim 5 31/02/2027", "không hợp lệ"),
        ("/ghim 5 01/01/2020", "đã qua"),
        ("/ghim 6 14/12/2026", "đã ghim câu #9"),
        ("/xemcauhoi 999", "không có câu #999"),
        ("/the 5 " + "x" * 41, "mỗi thẻ tối đa 40 ký tự"),
    ):
        assert answer in texts(await say(h, ADMIN, command)), command
    assert await order(h) == before
    assert "chỉ dùng trong cuộc trò chuyện riêng" in texts(
        await say(h, ADMIN, "/danhsach", chat_id=GROUP)
    )

    # Questions of another program are refused with the same words as unknown numbers.
    await bind_another(h, -3003, "Giao ban phòng 2")
    other = "Chi bộ có được kết nạp đảng viên khi chưa đủ số đảng viên chính thức dự họp không?"
    assert "Đã nhập 1 câu hỏi" in await upload(h, "p2.csv", f"Câu hỏi\n{other}\n".encode())
    (theirs,) = await order(h, 2)
    await choose(h, "Giao ban Ban Tổ chức (thử nghiệm)")
    for command in (f"/xemcauhoi {theirs}", f"/loai {theirs}", f"/xephang {theirs} 1"):
        assert f"không có câu #{theirs}" in texts(await say(h, ADMIN, command)), command
    assert await status(h, theirs) == "queued" and await order(h, 2) == [theirs]

    # Buttons on a question: hold, then retire after a confirmation; refused to staff.
    out = await say(h, ADMIN, "/xemcauhoi 6")
    view = out[-1]
    labels = [BUTTONS["bank_top"], BUTTONS["bank_hold"], BUTTONS["bank_retire_ask"]]
    assert [label for label, _ in view.buttons()] == labels
    h.clock.advance(timedelta(seconds=3))
    answer, _ = await h.press(ADMIN, view, BUTTONS["bank_hold"])
    assert "Đã tạm hoãn câu #6" in answer["text"] and await status(h, 6) == "held"
    # The same message now shows the question as it is (the fake server keeps it current).
    assert context_of(view, "bank_question")["question"]["status"] == "held"
    assert BANK_STATUS_LABELS["held"] in view.plain_text.split("\n")[0]
    labels = [BUTTONS["bank_release"], BUTTONS["bank_retire_ask"]]
    assert [label for label, _ in view.buttons()] == labels
    h.clock.advance(timedelta(seconds=3))
    answer, _ = await h.press(STAFF[1], view, BUTTONS["bank_release"])
    assert answer["show_alert"] and await status(h, 6) == "held"
    answered(answer, "refused_role")
    h.clock.advance(timedelta(seconds=3))
    await h.press(ADMIN, view, BUTTONS["bank_retire_ask"])
    assert await status(h, 6) == "held"  # not yet: it asks first
    h.clock.advance(timedelta(seconds=3))
    answer, _ = await h.press(ADMIN, view, BUTTONS["bank_retire"].format(id=6))
    assert "Đã loại câu #6" in answer["text"] and await status(h, 6) == "retired"
    assert context_of(view, "bank_question")["question"]["status"] == "retired"
    assert not view.buttons()
    assert len(view.edits) == 3


async def test_a_pinned_question_is_published_in_its_week_ahead_of_the_queue(
    harness: Harness,
) -> None:
    h = harness
    await setup_program(h)
    assert "Đã ghim câu #9" in texts(await say(h, ADMIN, "/ghim 9 14/12/2026"))
    assert "Đã ghim câu #7" in texts(await say(h, ADMIN, "/ghim 7 21/12/2026"))
    plan = texts(await say(h, ADMIN, "/danhsach"))
    assert "07/12/2026: #1 " in plan and "14/12/2026: #9 " in plan and "21/12/2026: #7 " in plan

    # Week 1: the head of the queue (the pinned questions wait for their weeks).
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    first = await h.core.store.session_by_week(1, "2026-W50")
    assert first is not None and first.question_id == 1

    # Week 2: the pinned question, ahead of #2 at the head of the queue.
    await h.at(vn(2026, 12, 11, 8, 0))
    second = await h.core.store.session_by_week(1, "2026-W51")
    assert second is not None and second.state == "published" and second.question_id == 9
    nine = SAMPLE_QUESTIONS[8].text
    assert any(nine[:60] in m.plain_text for m in h.server.messages_to(GROUP))
    assert await status(h, 9) == "used" and (await order(h))[0] == 2
    plan = texts(await say(h, ADMIN, "/danhsach"))
    assert "14/12/2026: #9 " in plan and "(đã gửi)" in plan and "21/12/2026: #7 " in plan
    out = await say(h, ADMIN, "/ghim 5 14/12/2026")
    assert "đã gửi câu hỏi, nên không ghim được câu #5" in texts(out)

    # A pinned week that is skipped frees its question: it takes its place in the queue again.
    await h.at(vn(2026, 12, 14, 9, 0))
    await h.at(vn(2026, 12, 14, 10, 1))  # week 2 is over: week 3's session is planned
    assert "Đã bỏ ghim câu #7" in texts(await say(h, ADMIN, "/ghim 7 huy"))
    assert "Đã ghim câu #11" in texts(await say(h, ADMIN, "/ghim 11 21/12/2026"))
    await say(h, ADMIN, "/xephang 11 1")
    await say(h, ADMIN, "/nghituan Hội nghị cán bộ toàn tỉnh")
    third = await h.core.store.session_by_week(1, "2026-W52")
    assert third is not None and third.state == "skipped" and third.question_id is None
    plan = texts(await say(h, ADMIN, "/danhsach"))
    assert "21/12/2026: nghỉ (Hội nghị cán bộ toàn tỉnh)" in plan
    assert "28/12/2026: #11 " in plan
    out = await say(h, ADMIN, "/ghim 5 22/12/2026")
    assert "không có phiên hỏi – đáp" in texts(out)
    await h.at(vn(2026, 12, 25, 8, 0))
    fourth = await h.core.store.session_by_week(1, "2026-W53")
    assert fourth is not None and fourth.question_id == 11


@pytest.mark.parametrize(
    ("questions", "threshold", "warned"),
    [
        (4, None, False),  # default 3: 3 left after publishing is not "fewer than 3"
        (3, None, True),  # 2 left
        (5, 5, True),  # 4 left, fewer than 5
        (5, 4, False),  # 4 left, not fewer than 4
        (1, None, True),  # none left: said as such
    ],
)
async def test_the_low_queue_warning_uses_the_programs_threshold(
    harness: Harness, questions: int, threshold: int | None, warned: bool
) -> None:
    h = harness
    await bind(h)
    data = export_questions("q.csv", SAMPLE_QUESTIONS[:questions])
    assert f"Đã nhập {questions} câu hỏi" in await upload(h, "q.csv", data)
    if threshold is not None:
        out = await say(h, ADMIN, f"/datlich canhbao {threshold}")
        sent(out, "schedule", ADMIN.id, schedule={"queue_warning": threshold})
    out = await say(h, ADMIN, "/lich")
    sent(out, "schedule", ADMIN.id, schedule={"queue_warning": threshold or 3})
    await h.at(vn(2026, 12, 4, 8, 0))
    session = await h.core.store.session_by_week(1, "2026-W50")
    assert session is not None and session.state == "published"
    left = questions - 1
    warnings = sent_all(h.server.messages_to(ADMIN.id), "queue_low", ADMIN.id)
    assert bool(warnings) is warned
    if warned:
        assert [r.context["remaining"] for _, r in warnings] == [left]
        said = warnings[0][0].plain_text
        assert ("đã hết câu hỏi" in said) is (left == 0) and ("chỉ còn 0" not in said), said
