"""Files through the real upload path and the command line: reading and building them never
holds up anyone else, bad files are refused row by row, text from files is cleaned like typed text.

The "does not hold up" tests need no timing: the parser (or the handbook builder) is made to wait
on an event that only the test sets, and the test asserts that another person's /help is answered
while it waits. Were the work done on the event loop, /help could not be answered before the
release (the wrapper gives up waiting after a while, and the test then fails on its assertions).
"""

from __future__ import annotations

import asyncio
import io
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest

import bot.documents.handbook
import bot.services.bank
import bot.services.bank_admin
from bot.text import clean_lines
from fakes.fakebotapi import SentMessage
from fakes.harness import Harness
from questions.importer import export_questions, parse_questions
from questions.model import QuestionDraft
from tests.conftest import ADMIN, HEAD, LEADER, OUTSIDER
from tests.e2e.helpers import bind, not_sent, onboard, sent_all, templates, texts
from tests.e2e.helpers import sent as assert_sent
from tests.e2e.test_archive import three_concluded_weeks
from tests.files import inline, raw_xlsx

ROOT = Path(__file__).resolve().parents[2]
GIVE_UP = 30.0  # seconds a blocked worker waits for the test before it goes on anyway


def _questions(first: int, last: int) -> list[QuestionDraft]:
    return [
        QuestionDraft(
            f"Câu hỏi số {i}: chi bộ xử lý thế nào khi đảng viên chuyển sinh hoạt tạm thời?",
            "Đảng viên",
            "Chi bộ Thôn 3, xã A (giả định)",
            suggested_answer="Gợi ý tham khảo: " + "xem hướng dẫn hiện hành. " * 20,
        )
        for i in range(first, last + 1)
    ]


class Gate:
    """Wraps a blocking function: each call says it started, then waits for the test's release."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.started.set()
        self.release.wait(GIVE_UP)
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.finished.set()


async def _help_answered_while(h: Harness, gate: Gate) -> SentMessage:
    """/help from someone else is answered while ``gate`` holds the work."""
    assert await asyncio.to_thread(gate.started.wait, GIVE_UP), "the work never started"
    mark = h.server.mark()
    h.server.send_text(OUTSIDER.id, "/help")
    answer = await h.server.wait_for(lambda m: m.chat_id == OUTSIDER.id, after=mark)
    assert not gate.finished.is_set(), "/help was only answered after the work was done"
    return answer


async def test_a_large_file_is_read_while_others_are_answered(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await bind(h)
    gate = Gate(bot.services.bank.parse_questions)
    monkeypatch.setattr(bot.services.bank, "parse_questions", gate)
    data = export_questions("lon.csv", _questions(1, 120))
    assert len(data) >= bot.services.bank.PROGRESS_BYTES

    mark = h.server.mark()
    h.server.send_document(ADMIN.id, "lon.csv", data)
    answer = await _help_answered_while(h, gate)
    assert answer.plain_text
    before = h.server.sent[mark:]
    assert_sent(before, "import_reading", ADMIN.id, filename="lon.csv")
    not_sent(before, "bank_import_done")
    assert await h.core.store.count_queued(1) == 0

    gate.release.set()
    await h.settle()
    out = h.server.sent[mark:]
    assert_sent(out, "bank_import_done", ADMIN.id, count=120)
    said = templates(out, ADMIN.id)
    assert said.index("import_reading") < said.index("bank_import_done")
    assert await h.core.store.count_queued(1) == 120


async def test_a_small_file_is_not_announced(harness: Harness) -> None:
    h = harness
    await bind(h)
    out = await h.upload(ADMIN, "nho.csv", export_questions("nho.csv", _questions(1, 2)))
    assert templates(out) == ["bank_import_done"]
    assert_sent(out, "bank_import_done", ADMIN.id, count=2)


async def test_the_handbook_is_built_while_others_are_answered(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await three_concluded_weeks(h)
    gate = Gate(bot.documents.handbook.build_handbook)
    monkeypatch.setattr(bot.documents.handbook, "build_handbook", gate)

    mark = h.server.mark()
    h.server.send_text(LEADER.id, "/sotay 2026")
    await _help_answered_while(h, gate)
    sent = h.server.sent[mark:]
    assert "Đang lập sổ tay hỏi – đáp năm 2026 (3 câu hỏi)…" in texts(sent)
    assert not [m for m in sent if m.kind == "document"]

    gate.release.set()
    await h.settle()
    document = next(m for m in h.server.sent[mark:] if m.kind == "document")
    assert document.chat_id == LEADER.id and document.file_id is not None
    built = docx.Document(io.BytesIO(h.server.file_bytes(document.file_id)))
    # The handbook (a cover, titled in the file's properties).
    assert (built.core_properties.title or "").startswith("Sổ tay hỏi – đáp")


async def test_an_export_is_built_while_others_are_answered(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await bind(h)
    await h.upload(ADMIN, "a.csv", export_questions("a.csv", _questions(1, 40)))
    gate = Gate(bot.services.bank_admin.export_questions)
    monkeypatch.setattr(bot.services.bank_admin, "export_questions", gate)

    mark = h.server.mark()
    h.server.send_text(ADMIN.id, "/xuatcauhoi csv")
    await _help_answered_while(h, gate)
    gate.release.set()
    await h.settle()
    document = next(m for m in h.server.sent[mark:] if m.kind == "document")
    assert document.file_id is not None and document.file_name is not None
    assert document.file_name.endswith(".csv")
    assert len(parse_questions("x.csv", h.server.file_bytes(document.file_id))) == 40


async def test_two_admins_importing_at_once_store_each_question_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await bind(h)
    await onboard(h, HEAD, "Lê Thị Hằng", "Chuyên viên chính", "quantri")
    # Both files are read at the same time (each waits for the other inside the parser), then
    # stored one transaction after the other.
    both = threading.Barrier(2, timeout=GIVE_UP)
    parse = bot.services.bank.parse_questions

    def together(filename: str, data: bytes) -> list[QuestionDraft]:
        both.wait()
        return parse(filename, data)

    monkeypatch.setattr(bot.services.bank, "parse_questions", together)
    mark = h.server.mark()
    h.server.send_document(ADMIN.id, "a.csv", export_questions("a.csv", _questions(1, 30)))
    h.server.send_document(HEAD.id, "b.yaml", export_questions("b.yaml", _questions(21, 50)))
    await h.settle()
    replies = [r.context for _, r in sent_all(h.server.sent[mark:], "bank_import_done")]
    assert len(replies) == 2, texts(h.server.sent[mark:])
    imported = sorted(r["count"] for r in replies)
    assert imported == [20, 30], replies  # whichever came second skipped the 10 in common
    assert sorted(r["duplicates_total"] for r in replies) == [0, 10], replies
    texts_in_bank = [q.text for q in await h.core.store.queued_questions(1)]
    assert len(texts_in_bank) == len(set(texts_in_bank)) == 50


# (file name, bytes, words of the refusal)
BAD_UPLOADS: list[tuple[str, bytes, str]] = [
    (
        "ngoac.csv",
        'Câu hỏi,Chủ đề\n"Thiếu dấu ngoặc đóng ở câu hỏi này,x\n'.encode(),
        "Tệp CSV sai định dạng ở dòng 2",
    ),
    ("rong.xlsx", b"", "Tệp trống"),
    ("that_ra.xlsx", "Câu hỏi\nMột câu hỏi đủ dài?\n".encode(), "nội dung là văn bản thường"),
    (
        "cong_thuc.xlsx",
        raw_xlsx(
            [
                [inline("Câu hỏi"), inline("Chủ đề")],
                [inline("Một câu hỏi đủ dài về kết nạp?"), '<c t="e"><v>#REF!</v></c>'],
            ]
        ),
        "Dòng 2, cột «Chủ đề»: ô đang báo lỗi công thức (#REF!)",
    ),
    (
        "lap.yaml",
        "- Câu hỏi: Một câu hỏi đủ dài?\n  Câu hỏi: Câu khác đủ dài?\n".encode(),
        "ghi khóa «Câu hỏi» hai lần",
    ),
    (
        "cuoi.yaml",
        b'- &a ["lol","lol"]\n- &b [*a,*a]\n- &c [*b,*b]\n- &d [*c,*c]\n',
        "Mục 4: mỗi mục phải gồm",
    ),
    (
        "rong_20001_cot.csv",
        (
            "Câu hỏi," + ",".join(f"Cột {i}" for i in range(20_000)) + "\nMột câu hỏi đủ dài?\n"
        ).encode(),
        "Dòng 1: có dữ liệu trên 20.001 cột, vượt giới hạn 100 cột",
    ),
    (
        "../../" + "ả" * 300 + "\u202exslx.csv",
        "Câu hỏi\nMột câu hỏi đủ dài\x07?\n".encode(),
        "ảảả….csv chưa được nhập",
    ),
]


@pytest.mark.parametrize(("filename", "data", "words"), BAD_UPLOADS)
async def test_bad_uploads_get_their_refusal_and_store_nothing(
    harness: Harness, filename: str, data: bytes, words: str
) -> None:
    h = harness
    await bind(h)
    out = await h.upload(ADMIN, filename, data)
    message = texts(out)
    assert "chưa được nhập: không có câu hỏi nào được lưu" in message, message
    assert words in message, message
    assert "gặp sự cố" not in message
    assert "\u202e" not in message
    assert await h.core.store.count_queued(1) == 0


async def test_text_from_files_is_held_to_the_typed_text_rules(harness: Harness) -> None:
    h = harness
    await bind(h)
    dirty = (
        "\u202eĐa\u0309ng vie\u0302n\u200b dự bị\u00a0có được   biểu quyết?\r\n\r\n\r\n\r\n"
        "Hỏi thêm."
    )
    out = await h.upload(ADMIN, "ban.csv", f'Câu hỏi,Chủ đề\n"{dirty}",Đảng\u2066 viên\n'.encode())
    assert_sent(out, "bank_import_done", ADMIN.id, count=1)
    (stored,) = await h.core.store.queued_questions(1)
    assert stored.text == clean_lines(dirty) == "Đảng viên dự bị có được biểu quyết?\n\nHỏi thêm."
    assert stored.topic == "Đảng viên"

    # The same question typed in chat, precomposed and without the invisible characters: a
    # duplicate of the one from the file.
    await h.send(ADMIN, "/themcauhoi")
    out = await h.send(ADMIN, "Đảng viên dự bị có được biểu quyết?\n\nHỏi thêm.")
    assert_sent(out, "bank_duplicate_question", ADMIN.id, id=1)
    # A control character is refused in chat as it is in a file.
    out = await h.send(ADMIN, "Một câu hỏi khác hẳn về chuyển sinh hoạt\x07 đảng?")
    assert_sent(out, "text_control_chars", ADMIN.id, char="U+0007")
    assert await h.core.store.count_queued(1) == 1


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hoidap", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOIDAP_DB": str(db)},
        cwd=db.parent,
        timeout=120,
    )


async def test_cli_import_refuses_bad_files_with_a_clear_message(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    await bind(h)
    await h.stop()
    cases = [
        *BAD_UPLOADS[:7],
        ("lon.csv", b"x" * (3 * 1024 * 1024), "vượt giới hạn 2 MB"),
    ]
    for filename, data, words in cases:
        path = tmp_path / filename.replace("/", "_")
        path.write_bytes(data)
        result = await asyncio.to_thread(_cli, h.db_path, "questions", "import", str(path))
        assert result.returncode == 1, (filename, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and not result.stderr.strip(), result.stderr
        assert "chưa được nhập" in result.stdout and words in result.stdout, result.stdout
    missing = await asyncio.to_thread(
        _cli, h.db_path, "questions", "import", str(tmp_path / "khong_co.csv")
    )
    assert missing.returncode == 2 and "không thấy tệp" in missing.stderr
    with sqlite3.connect(h.db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM questions").fetchone() == (0,)
