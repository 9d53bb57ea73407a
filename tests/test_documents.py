"""The document pieces: the calendar file, the document settings, the Party heading blocks."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import docx
import icalendar
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from bot.core import Refused
from bot.documents.calendar import CalendarEntry, build_calendar, uid
from bot.documents.party import (
    add_closing,
    add_heading_block,
    date_line,
    number_line,
    setup_page,
)
from bot.documents.settings import DocumentSettings, defaults_for, from_stored, parse_setting
from bot.schedule import ScheduleConfig, plan_week

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2027, 1, 20, 3, 0, tzinfo=UTC)


# -- the calendar ---------------------------------------------------------------------------------


def _entries(first: date, weeks: int, cfg: ScheduleConfig | None = None) -> list[CalendarEntry]:
    cfg = cfg or ScheduleConfig()
    out = []
    for i in range(weeks):
        p = plan_week(cfg, first + timedelta(weeks=i))
        out.append(
            CalendarEntry(
                week=p.week,
                nominal_date=p.nominal_date,
                session_date=p.session_date,
                draw_at=p.draw_at,
                deadline_at=p.deadline_at,
                publish_at=p.publish_at,
                holiday=p.holiday,
                cancelled=None if p.session_date else (p.holiday or "nghỉ"),
            )
        )
    return out


def _calendar(entries: list[CalendarEntry], now: datetime = NOW) -> icalendar.Calendar:
    data = build_calendar(
        entries,
        program_id=7,
        program_title="Giao ban Ban Tổ chức",
        tz="Asia/Ho_Chi_Minh",
        draw_time=time(9, 0),
        answer_minutes=60,
        now=now,
    )
    return icalendar.Calendar.from_ical(data)


def test_calendar_has_one_event_per_week_at_the_draw_time_in_the_program_zone() -> None:
    cal = _calendar(_entries(date(2027, 1, 25), 12))  # Tết 2027 falls in February
    events = cal.walk("VEVENT")
    assert len(events) == 12
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    first = events[0]
    start = first.decoded("DTSTART")
    assert start == datetime(2027, 1, 25, 9, 0, tzinfo=ZONE)
    assert str(start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert first.decoded("DTEND") == datetime(2027, 1, 25, 10, 0, tzinfo=ZONE)
    assert str(first["SUMMARY"]) == "Cơ sở hỏi, cán bộ tổ chức trả lời – Giao ban Ban Tổ chức"
    assert "08:00 22/01/2027" in str(first["DESCRIPTION"])  # the publish time
    assert str(first["UID"]) == uid(7, "2027-W04") == "2027-W04-p7@hoidap.invalid"
    assert str(first["STATUS"]) == "CONFIRMED"
    assert len({str(e["UID"]) for e in events}) == 12


def test_a_moved_session_is_on_its_day_with_a_note_and_a_skipped_week_is_cancelled() -> None:
    # Tết 2027: Monday 8/2 is a holiday, the session moves to the first working day after it.
    moved = _calendar(_entries(date(2027, 2, 8), 1)).walk("VEVENT")[0]
    start = moved.decoded("DTSTART")
    assert start.date() == date(2027, 2, 11) and start.time() == time(9, 0)
    assert "Phiên dời từ 08/02/2027 sang 11/02/2027" in str(moved["DESCRIPTION"])
    # With policy «skip» the week has no session: a cancelled event on the nominal day.
    skip = ScheduleConfig(holiday_policy="skip")
    cancelled = _calendar(_entries(date(2027, 2, 8), 1, skip)).walk("VEVENT")[0]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled.decoded("DTSTART") == datetime(2027, 2, 8, 9, 0, tzinfo=ZONE)
    assert "Tuần này không có phiên" in str(cancelled["DESCRIPTION"])
    assert str(cancelled["UID"]) == uid(7, "2027-W06")


def test_a_later_export_keeps_the_uids_and_raises_the_sequence() -> None:
    entries = _entries(date(2027, 3, 1), 3)
    before = _calendar(entries).walk("VEVENT")
    after = _calendar(entries, NOW + timedelta(days=2)).walk("VEVENT")
    assert [str(e["UID"]) for e in before] == [str(e["UID"]) for e in after]
    assert all(int(b["SEQUENCE"]) < int(a["SEQUENCE"]) for b, a in zip(before, after, strict=True))


# -- the settings -------------------------------------------------------------------------------


def test_defaults_come_from_the_group_title() -> None:
    s = defaults_for("Ban Tổ chức Tỉnh ủy Đồng Nai")
    assert s.body == ("TỈNH ỦY ĐỒNG NAI", "BAN TỔ CHỨC", "*") and s.place == "Đồng Nai"
    assert defaults_for("Giao ban (thử nghiệm)").body == ("BAN TỔ CHỨC", "*")
    assert defaults_for("Giao ban (thử nghiệm)").place == ""
    assert defaults_for("BTC Đảng ủy Khối cơ quan").place == ""
    assert s.capacity_lines == ("TRƯỞNG BAN",)
    # The usual symbol of the issuing body: «BTCTU» for the Ban Tổ chức of a Tỉnh ủy.
    assert s.symbol == "BTCTU" and defaults_for("Giao ban").symbol == "BTC"
    assert defaults_for("Ban Tổ chức Huyện ủy Định Hóa").symbol == "BTCHU"


def test_settings_are_checked_and_stored_as_text() -> None:
    body = parse_setting(["coquan", "TỈNH ỦY ĐỒNG NAI", "/", "BAN TỔ CHỨC", "/", "*"])
    assert body == ("body", "TỈNH ỦY ĐỒNG NAI\nBAN TỔ CHỨC\n*")
    assert parse_setting(["Nơi", "Đồng", "Nai"]) == ("place", "Đồng Nai")
    # A number is never a setting (the văn thư gives it): only the issuing body's symbol is;
    # a whole line typed as before gives its symbol.
    assert parse_setting(["kyhieu", "BTCTU"]) == ("symbol", "BTCTU")
    assert parse_setting(["so", "Số", "12-BC/BTCTU"]) == ("symbol", "BTCTU")
    assert parse_setting(["so", "-"]) == ("symbol", "")
    assert from_stored("Ban Tổ chức Tỉnh ủy Đồng Nai", {"symbol": ""}).symbol == "BTCTU"
    assert from_stored("Giao ban", {"symbol": "Số 05-BC/BTCTU"}).symbol == "BTCTU"
    assert parse_setting(["noi", "-"]) == ("place", "")
    assert from_stored("Ban Tổ chức Tỉnh ủy Đồng Nai", {"place": ""}).place == ""
    assert parse_setting(["kythay", "bật"]) == ("deputy", "1")
    stored = dict([body, ("deputy", "1"), ("capacity", "PHÓ TRƯỞNG BAN"), ("bogus", "x")])
    s = from_stored("Giao ban", stored)
    assert s.body[0] == "TỈNH ỦY ĐỒNG NAI"
    assert s.capacity_lines == ("K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN")
    # A value edited by hand that fails the checks falls back to the default.
    assert from_stored("Giao ban", {"capacity": "phó ban"}).capacity == "TRƯỞNG BAN"


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["coquan", "Ban Tổ chức"], "upper"),
        (["coquan", "A / B / C / D"], "lines"),
        (["noi", "x" * 61], "long"),
        (["nguoiky", "Nguyễn\u202eVăn A"], "control"),
        (["kythay", "có lẽ"], "switch"),
        (["kyhieu", "btctu"], "symbol"),
        (["kyhieu", "BTC TU"], "symbol"),
    ],
)
def test_odd_values_are_refused_with_the_reason(args: list[str], reason: str) -> None:
    with pytest.raises(Refused) as caught:
        parse_setting(args)
    assert caught.value.reply.template == "documents_bad_value"
    assert caught.value.reply.context["reason"] == reason


def test_unknown_keys_get_the_usage() -> None:
    for args in (["mau", "x"], ["noi"]):
        with pytest.raises(Refused) as caught:
            parse_setting(args)
        assert caught.value.reply.template == "documents_usage"


# -- the Party heading block --------------------------------------------------------------------


def test_place_and_date_line_pads_small_days_and_the_first_months() -> None:
    s = DocumentSettings(place="Đồng Nai")
    assert date_line(s, date(2026, 12, 31)) == "Đồng Nai, ngày 31 tháng 12 năm 2026"
    assert date_line(s, date(2027, 1, 5)) == "Đồng Nai, ngày 05 tháng 01 năm 2027"
    assert date_line(DocumentSettings(), date(2027, 3, 5)) == "ngày 05 tháng 3 năm 2027"


def _party_document(
    settings: DocumentSettings, number: str | None = None
) -> docx.document.Document:
    doc = docx.Document()
    setup_page(doc)
    add_heading_block(doc, settings, date(2026, 12, 31), number)
    doc.add_paragraph("Nội dung.")
    add_closing(doc, settings)
    out = io.BytesIO()
    doc.save(out)
    return docx.Document(io.BytesIO(out.getvalue()))


def test_heading_block_page_and_fonts_follow_the_party_format() -> None:
    settings = DocumentSettings(
        body=("TỈNH ỦY ĐỒNG NAI", "BAN TỔ CHỨC", "*"),
        place="Đồng Nai",
        symbol="BTCTU",
        capacity="PHÓ TRƯỞNG BAN",
        deputy=True,
        signer="Nguyễn Văn A",
        recipients=("Thường trực Tỉnh ủy", "- Các phòng thuộc Ban;", "Lưu VP"),
    )
    doc = _party_document(settings, number_line(settings, "BC", "12"))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)
    # Page numbers: a PAGE field in the header, not on the first page.
    assert section.different_first_page_header_footer
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", section.header._element.xml)
    assert "PAGE" not in section.first_page_header._element.xml

    heading = doc.tables[0]
    borders = heading._tbl.tblPr.find(qn("w:tblBorders"))  # borderless, as offices do
    assert borders is not None and len(borders) == 6
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    left = [p for p in heading.cell(0, 0).paragraphs]
    assert [p.text for p in left] == ["TỈNH ỦY ĐỒNG NAI", "BAN TỔ CHỨC", "*"]
    assert [bool(p.runs[0].bold) for p in left] == [False, True, False]  # the issuing body bold
    party = heading.cell(0, 1).paragraphs
    assert party[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM" and party[0].runs[0].bold
    assert party[0].runs[0].font.size == Pt(15)
    assert "w:pBdr" in party[1]._p.xml and party[1].text == ""  # the rule under it
    rule = party[1].paragraph_format
    assert rule.left_indent is not None and rule.right_indent is not None
    assert 70 <= 90 - rule.left_indent.mm - rule.right_indent.mm <= 76  # as long as the title
    # The cells have no inner margins: the indents measure from the column's edges.
    assert "w:tblCellMar" in heading._tbl.tblPr.xml
    assert heading.cell(1, 0).text == "Số 12-BC/BTCTU"
    place_date = heading.cell(1, 1).paragraphs[0]
    assert place_date.text == "Đồng Nai, ngày 31 tháng 12 năm 2026"
    assert all(r.italic for r in place_date.runs)
    for cell in (heading.cell(0, 0), heading.cell(0, 1), heading.cell(1, 1)):
        for p in cell.paragraphs:
            for r in p.runs:
                assert r.font.name == "Times New Roman"

    closing = doc.tables[1]
    recipients = closing.cell(0, 0).paragraphs
    assert recipients[0].text == "Nơi nhận:" and recipients[0].runs[0].underline
    # Printed one a line, each opening with «- » and closed by «,», the last by «.», whatever
    # was typed.
    assert [p.text for p in recipients[1:]] == [
        "- Thường trực Tỉnh ủy,",
        "- Các phòng thuộc Ban,",
        "- Lưu VP.",
    ]
    assert all(p.runs[0].font.size == Pt(12) for p in recipients[1:])
    signature = [p for p in closing.cell(0, 1).paragraphs if p.text]
    assert [p.text for p in signature] == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Nguyễn Văn A"]
    assert all(p.runs[0].bold for p in signature)


def test_blank_number_and_signer_leave_room_to_fill_by_hand() -> None:
    settings = defaults_for("Giao ban")
    doc = _party_document(settings, number_line(settings, "BC"))
    assert doc.tables[0].cell(1, 0).text == "Số " + "\u00a0" * 8 + "-BC/BTC"
    # A document issued under no number (a form, a publication) has no such line.
    assert _party_document(settings).tables[0].cell(1, 0).text == ""
    assert doc.tables[0].cell(1, 1).text == "ngày 31 tháng 12 năm 2026"
    signature = [p.text for p in doc.tables[1].cell(0, 1).paragraphs if p.text]
    assert signature == ["TRƯỞNG BAN"]
