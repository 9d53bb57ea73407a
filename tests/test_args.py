"""The parsers of what people type as arguments: numbers, times of day, dates (bot/args.py)."""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, time
from pathlib import Path
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.args import MAX_ID, NumberKind, parse_date, parse_id, parse_int, parse_time
from bot.clock import ManualClock
from bot.config import ConfigError, Settings, load_settings
from bot.core import Core, Refused
from bot.render import plain, render
from hoidap.cli import _parser as cli_parser
from hoidap.cli import main as cli_main
from tests.conftest import vn


def refusal(call: object, *args: object, **kwargs: object) -> Refused:
    assert callable(call)
    with pytest.raises(Refused) as info:
        call(*args, **kwargs)
    return info.value


def said(refused: Refused) -> str:
    return plain(render(refused.reply.template, refused.reply.context))


# -- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("5", 5), ("05", 5), ("#5", 5), ("#05", 5), ("+5", 5), (" 5 ", 5), ("５", 5), ("＃５", 5),
     ("5.", 5), ("5,", 5), ("(5)", 5), ("«5»", 5), ("1.000", 1000), ("12.345.678", 12345678),
     ("\u200b5\u200d", 5), ("\u202e5\u202c", 5), ("\u00a05\u3000", 5), ("0000000000000000005", 5)],
)  # fmt: skip
def test_numbers_as_people_type_them(typed: str, value: int) -> None:
    assert parse_int(typed, 1, MAX_ID, what="question") == value


@pytest.mark.parametrize(
    "typed",
    ["", " ", "abc", "²", "①", "٥", "五", "1,5", "1.5", "5.0", "1.00", "5e3", "0x10", "5 6",
     "5-", "--5", "#", "#-", "5\x00", "\x00", "5\x1b", "😀", "5😀", "مرحبا", "<b>5</b>", "5/12"],
)  # fmt: skip
def test_what_is_not_a_whole_number_is_refused_naming_value_and_range(typed: str) -> None:
    refused = refusal(parse_int, typed, 1, 20, what="daily_limit")
    assert refused.reply.template == "arg_bad_number"
    assert refused.reply.context["reason"] == "not_number"
    text = said(refused)
    assert "không phải số câu hỏi mỗi ngày hợp lệ: cần một số nguyên từ 1 đến 20." in text
    if typed.strip():  # control characters show as �
        assert f"«{typed.strip().replace(chr(0), '�').replace(chr(27), '�')}»" in text


@pytest.mark.parametrize(
    "typed",
    ["0", "-5", "-0005", "21", "1.000", "9" * 20, "9" * 4301, "9" * 100_000, "-" + "9" * 5000],
)
def test_numbers_out_of_range_are_refused_without_converting_them(typed: str) -> None:
    refused = refusal(parse_int, typed, 1, 20, what="daily_limit")
    assert refused.reply.context["reason"] == "range"
    text = said(refused)
    assert text.startswith(f"«{typed[:30]}") and "từ 1 đến 20" in text and len(text) < 200


def test_range_names_big_bounds_the_vietnamese_way() -> None:
    text = said(refusal(parse_id, "0", what="person"))
    assert text == (
        "«0» không phải số hiệu hợp lệ: cần một số nguyên từ 1 đến 999.999.999. "
        "Xem số hiệu (#) trong /nhansu."
    )
    assert "từ 5 đến 10.080" in said(refusal(parse_int, "1", 5, 10080, what="minutes"))
    assert parse_int("-5", -10, 10) == -5 and parse_int("0", 0, 6) == 0


def test_every_kind_of_number_is_named_in_its_refusal() -> None:
    for kind in get_args(NumberKind):
        text = said(refusal(parse_int, "x", 1, 2, what=kind))
        assert text.startswith("«x» không phải ")
        assert ("không phải số hợp lệ" in text) == (kind == "number"), kind


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=30), st.text(alphabet="0123456789#+-.,() ５²①", max_size=30)))
def test_any_text_is_a_number_in_range_or_refused(text: str) -> None:
    try:
        value = parse_int(text, 1, 999)
    except Refused as refused:
        assert refused.reply.template == "arg_bad_number"
        said(refused)
    else:
        assert 1 <= value <= 999


# -- times of day ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("8:00", time(8)), ("08:00", time(8)), ("8h", time(8)), ("8H", time(8)), ("8h30", time(8, 30)),
     ("8 giờ", time(8)), ("8 GIỜ", time(8)), ("8 gio", time(8)), ("8g30", time(8, 30)),
     ("8.30", time(8, 30)), ("8 giờ 30", time(8, 30)), ("8 giờ 30 phút", time(8, 30)),
     ("8h30'", time(8, 30)), ("8h30ph", time(8, 30)), ("8h5", time(8, 5)),
     ("０８：３０", time(8, 30)),
     ("23:59", time(23, 59)), ("0:00", time(0)), ("2 giờ chiều", time(14)),
     ("9 giờ tối", time(21)), ("9h sáng", time(9)),
     ("1 giờ trưa", time(13)), ("10 giờ đêm", time(22)), ("14:00 chiều", time(14)),
     (unicodedata.normalize("NFD", "8 giờ 30"), time(8, 30))],
)  # fmt: skip
def test_times_as_people_write_them(typed: str, value: time) -> None:
    assert parse_time(typed) == value


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("24:00", "range"), ("8:60", "range"), ("25:61", "range"), ("99h", "range"),
     ("8", "format"), ("830", "format"), ("8:5", "format"), ("-1:30", "format"),
     ("abc", "format"), ("", "format"), ("8:00:00", "format"), ("８", "format"),
     ("²:00", "format"), ("9:00\x1b", "format")],
)  # fmt: skip
def test_times_that_do_not_exist_are_refused(typed: str, reason: str) -> None:
    refused = refusal(parse_time, typed)
    assert refused.reply.template == "arg_bad_time"
    assert refused.reply.context["reason"] == reason
    assert said(refused).startswith("Giờ ")


# -- dates ----------------------------------------------------------------------------------------

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typed", "value"),
    [("31/12", date(2026, 12, 31)), ("31/12/2026", date(2026, 12, 31)),
     ("31-12-2026", date(2026, 12, 31)), ("31.12.2026", date(2026, 12, 31)),
     ("2026-12-31", date(2026, 12, 31)), ("31/12/26", date(2026, 12, 31)),
     ("1/12", date(2026, 12, 1)), ("01/12", date(2026, 12, 1)), ("30/11", date(2027, 11, 30)),
     ("5/1", date(2027, 1, 5)), ("29/2/2028", date(2028, 2, 29)), ("３１/１２", date(2026, 12, 31)),
     ("31/12.", date(2026, 12, 31)), (" 7 / 12 ", date(2026, 12, 7))],
)  # fmt: skip
def test_dates_as_people_write_them(typed: str, value: date) -> None:
    assert parse_date(typed, TODAY) == value


def test_a_date_without_a_year_is_the_next_one_from_today() -> None:
    assert parse_date("29/2", date(2028, 1, 10)) == date(2028, 2, 29)
    assert parse_date("31/12", date(2027, 1, 1)) == date(2027, 12, 31)
    assert parse_date("1/1", date(2026, 12, 31)) == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("29/2", "no_such_day"), ("31/4", "no_such_day"), ("31/02/2026", "no_such_day"),
     ("29/2/2027", "no_such_day"), ("99/99/9999", "format"), ("00/00/0000", "format"),
     ("2026-13-45", "format"), ("32/1", "format"), ("31/12/1999", "year"), ("1/1/2101", "year"),
     ("31/12/99999999999999999999", "format"), ("abc", "format"), ("", "format"),
     ("31/12-2026", "format"), ("²/12", "format"), ("31/12\x00", "format")],
)  # fmt: skip
def test_dates_that_do_not_exist_are_refused(typed: str, reason: str) -> None:
    refused = refusal(parse_date, typed, TODAY)
    assert refused.reply.template == "arg_bad_date"
    assert refused.reply.context["reason"] == reason
    assert said(refused).startswith("Ngày ")


def test_refused_days_say_which_month_has_no_such_day() -> None:
    text = said(refusal(parse_date, "29/2", TODAY))
    assert "Ngày «29/2» không hợp lệ: tháng 2 năm 2027 không có ngày 29." in text
    assert "tháng 4 năm 2027 không có ngày 31" in said(refusal(parse_date, "31/4", TODAY))


# -- today where the program is ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "today"),
    [(vn(2026, 12, 2, 0, 30), date(2026, 12, 2)), (vn(2026, 12, 1, 23, 30), date(2026, 12, 1)),
     (vn(2027, 1, 1, 0, 30), date(2027, 1, 1)), (vn(2026, 12, 31, 23, 30), date(2026, 12, 31))],
)  # fmt: skip
def test_today_is_the_date_in_the_programs_zone_whatever_zone_the_clock_reads(
    local: object, today: date
) -> None:
    from datetime import datetime

    assert isinstance(local, datetime)
    for reading in (local, local.astimezone(UTC)):
        core = Core(store=None, clock=ManualClock(reading), settings=Settings())  # type: ignore[arg-type]
        assert core.today() == today


# -- the command line -----------------------------------------------------------------------------


# Values no number option takes; every option with a typed value of every subcommand gets each.
ODD_OPTION_VALUES = ["abc", "", "²", "①", "٥", "-1", "1.5", "😀", "#", "5\x00", "9" * 20]
ODD_OPTION_VALUES += ["9" * 5000, "\u202e-5"]
VALID_OPTION_VALUES = {"--seed": "ab" * 32, "--pool": "3,5"}


def typed_options(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[list[str], str]]:
    """(the argv before the option, the option) for every option whose value has a type."""
    actions = parser._actions
    for action in actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from typed_options(sub, (*path, name))
    positionals = ["x" for a in actions if not a.option_strings and a.nargs != argparse.PARSER]
    for action in actions:
        if not action.option_strings or action.type in (None, Path):
            continue
        others = [
            part
            for a in actions
            if a.required and a.option_strings and a is not action
            for part in (a.option_strings[0], VALID_OPTION_VALUES.get(a.option_strings[0], "1"))
        ]
        yield [*path, *positionals, *others], action.option_strings[0]


def test_every_typed_option_of_the_command_line_refuses_odd_values_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    options = list(typed_options(cli_parser()))
    named = {f"{' '.join(argv[:1])} {option}" for argv, option in options}
    assert {"verify --attempt", "verify --pool", "handbook --year", "run --port"} <= named
    for argv, option in options:
        for value in ODD_OPTION_VALUES:
            assert cli_main([*argv, option, value]) == 2, (argv, option, value)
            out, err = capsys.readouterr()
            lines = err.strip().splitlines()
            assert not out and len(lines) == 1 and "Traceback" not in err, (option, value, err)
            assert lines[0].startswith("hoidap ") and f"{option}: " in lines[0], lines[0]
            assert "hợp lệ" in lines[0] or "cần ít nhất" in lines[0], lines[0]


def test_numbers_on_the_command_line_are_read_as_in_chat(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli_main(["verify", "--seed", "ab" * 32, "--pool", "#3, ５,5.", "--attempt", "０"]) == 0
    assert "Danh sách số hiệu 3,5, lần bốc 0" in capsys.readouterr().out


@pytest.mark.parametrize("grace", ["²", "①", "٥", "9" * 5000, "-5", "0"])
def test_odd_grace_minutes_in_the_environment_are_a_clear_setting_error(grace: str) -> None:
    with pytest.raises(ConfigError, match="HOIDAP_GRACE_MINUTES"):
        load_settings({"HOIDAP_GRACE_MINUTES": grace})
