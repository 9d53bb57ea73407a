"""What a person types on Zalo: link codes, commands without the slash."""

from __future__ import annotations

import pytest

from bot.services.links import new_code, read_code
from bot.transport.zalo import Reading, reading


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("LK-ABCD-EFGH", "LK-ABCD-EFGH"),
        ("lk abcd efgh", "LK-ABCD-EFGH"),
        (" lkabcdefgh ", "LK-ABCD-EFGH"),
        ("LK-ABCD-EFG", None),
        ("LK-ABCD-EFGH thêm", None),
        ("LK-AB1D-EFGH", None),  # 1 is not in the alphabet (read as I or L)
        ("xin chào", None),
    ],
)
def test_link_codes_are_read_as_typed_on_a_phone(typed: str, expected: str | None) -> None:
    assert read_code(typed) == expected


def test_a_new_code_reads_back() -> None:
    for _ in range(50):
        code = new_code()
        assert read_code(code) == code
        assert read_code(code.lower().replace("-", "")) == code


NAMES = frozenset({"lich", "traloi", "help", "start", "hoso", "toi", "moi", "timkiem"})


@pytest.mark.parametrize(
    ("typed", "kind", "command", "rest"),
    [
        # A command word or phrase on its own, or after «/».
        ("trợ giúp", "command", "help", ""),
        ("lich", "command", "lich", ""),
        ("/lich", "command", "lich", ""),
        ("/lich ics", "command", "lich", "ics"),
        ("  Hồ sơ  ", "command", "hoso", ""),
        ("Lịch?", "command", "lich", ""),
        ("TRỢ GIÚP!", "command", "help", ""),
        ("tro\u031b\u0323 giu\u0301p", "command", "help", ""),  # typed decomposed (NFD)
        ("tìm kết nạp đảng viên?", "command", "timkiem", "kết nạp đảng viên"),
        # The documented forms that take words after them.
        ("Trả lời Theo Điều lệ Đảng", "command", "traloi", "Theo Điều lệ Đảng"),
        ("tra loi theo dieu le", "command", "traloi", "theo dieu le"),
        ("tìm kết nạp đảng viên", "command", "timkiem", "kết nạp đảng viên"),
        # Invites, as a link or a code.
        ("https://t.me/hoidap_bot?start=inv_AbC-12_xyz", "command", "start", "inv_AbC-12_xyz"),
        ("inv_AbC-12_xyz", "command", "start", "inv_AbC-12_xyz"),
        ("/start cs_abcdefgh", "command", "start", "cs_abcdefgh"),
        # A command word and a word or two: asked, never guessed.
        ("lịch ics", "doubt", "lich", "ics"),
        ("hoso #5", "doubt", "hoso", "#5"),
        ("Mọi trường hợp", "doubt", "moi", "trường hợp"),
        # Ordinary Vietnamese is text, whatever word it starts with.
        ("Tôi xin trả lời: theo Điều lệ Đảng, cần hai người giới thiệu.", "text", None, ""),
        ("Hướng dẫn số 01-HD/TW quy định rõ thủ tục này.", "text", None, ""),
        ("Hồ sơ đề nghị kết nạp gồm những giấy tờ gì?", "text", None, ""),
        ("Mọi trường hợp đều phải được chi bộ xem xét.", "text", None, ""),
        ("Theo tôi, cần hai đảng viên giới thiệu", "text", None, ""),
        ("lichsu", "text", None, ""),  # not a command name in NAMES here: left as text
        ("/khongco", "text", None, ""),  # not a command of the bot
        ("\u202elich", "text", None, ""),  # a command word behind a direction override
        ("?", "text", None, ""),
        ("Lịch sinh hoạt chi bộ tháng này thế nào?", "text", None, ""),
    ],
)
def test_what_a_zalo_text_means(typed: str, kind: str, command: str | None, rest: str) -> None:
    assert reading(typed, NAMES, content_expected=False) == Reading(kind, command, rest)  # type: ignore[arg-type]


def test_while_content_is_awaited_only_a_slash_makes_a_command() -> None:
    assert reading("lịch", NAMES, content_expected=True) == Reading("text")
    assert reading("Trả lời theo Điều lệ", NAMES, content_expected=True) == Reading("text")
    assert reading("/lich", NAMES, content_expected=True) == Reading("command", "lich")
