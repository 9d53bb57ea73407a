"""What a person types on Zalo: link codes, commands without the slash."""

from __future__ import annotations

import pytest

from bot.services.links import new_code, read_code
from bot.transport.zalo import as_command

NAMES = frozenset({"lich", "traloi", "help", "start", "hoso"})


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


@pytest.mark.parametrize(
    ("typed", "command"),
    [
        ("trợ giúp", "/help"),
        ("Trả lời Theo Điều lệ Đảng", "/traloi Theo Điều lệ Đảng"),
        ("tra loi theo dieu le", "/traloi theo dieu le"),
        ("lịch ics", "/lich ics"),
        ("lich", "/lich"),
        ("hoso #5", "/hoso #5"),
        ("/lich", "/lich"),
        ("https://t.me/hoidap_bot?start=inv_AbC-12_xyz", "/start inv_AbC-12_xyz"),
        ("inv_AbC-12_xyz", "/start inv_AbC-12_xyz"),
        ("/start cs_abcdefgh", "/start cs_abcdefgh"),
        ("Theo tôi, cần hai đảng viên giới thiệu", "Theo tôi, cần hai đảng viên giới thiệu"),
        ("lichsu", "lichsu"),  # not a command name in NAMES here: left as text
    ],
)
def test_commands_typed_without_the_slash(typed: str, command: str) -> None:
    assert as_command(typed, NAMES) == command
