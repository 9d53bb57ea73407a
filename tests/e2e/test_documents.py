"""The calendar file (/lich ics) and the document settings (/vanban) through the real stack."""

from __future__ import annotations

import io
import sqlite3
from datetime import datetime

import docx
import icalendar

from fakes.fakebotapi import SentMessage
from fakes.harness import Harness
from tests.conftest import ADMIN, LEADER, STAFF, vn
from tests.e2e.helpers import bind, conclude_week, context_of, sent, setup_program, texts


def _document(h: Harness, messages: list[SentMessage], chat: int) -> bytes:
    found = [m for m in messages if m.kind == "document" and m.chat_id == chat]
    assert len(found) == 1, [m.kind for m in messages]
    assert found[0].file_id is not None
    return h.server.file_bytes(found[0].file_id)


async def test_lich_offers_and_sends_the_calendar_file(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    out = await h.send(STAFF[0], "/lich")
    assert "/lich ics" in texts(out)
    out = await h.send(STAFF[0], "/lich ics")
    document = next(m for m in out if m.kind == "document")
    assert document.file_name == "lich_hoi_dap_1.ics"
    sent(out, "calendar_caption", STAFF[0].id, weeks=12)
    cal = icalendar.Calendar.from_ical(_document(h, out, STAFF[0].id))
    events = cal.walk("VEVENT")
    assert len(events) == 12
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    # The clock is Tuesday 1/12/2026: the next session is Monday 7/12 at 09:00.
    first = events[0].decoded("DTSTART")
    assert first == vn(2026, 12, 7, 9, 0) and str(first.tzinfo) == "Asia/Ho_Chi_Minh"
    assert str(events[0]["UID"]) == "2026-W50-p1@hoidap.invalid"
    assert "08:00 04/12/2026" in str(events[0]["DESCRIPTION"])  # published Friday before
    starts = [e.decoded("DTSTART") for e in events]
    assert all(isinstance(s, datetime) for s in starts) and starts == sorted(starts)


async def test_no_calendar_while_the_stored_schedule_cannot_work(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.stop()
    with sqlite3.connect(h.db_path) as db:
        db.execute("UPDATE programs SET reminder_minutes = 'mười' WHERE id = 1")
    await h.start()
    out = await h.send(STAFF[0], "/lich ics")
    sent(out, "calendar_unavailable", STAFF[0].id)
    assert not [m for m in out if m.kind == "document"]


async def test_a_week_skipped_by_an_admin_is_a_cancelled_event(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.send(ADMIN, "/nghituan Hội nghị Tỉnh ủy")
    out = await h.send(ADMIN, "/lich ics")
    events = icalendar.Calendar.from_ical(_document(h, out, ADMIN.id)).walk("VEVENT")
    assert str(events[0]["UID"]) == "2026-W50-p1@hoidap.invalid"
    assert str(events[0]["STATUS"]) == "CANCELLED"
    assert "Hội nghị Tỉnh ủy" in str(events[0]["DESCRIPTION"])
    assert str(events[1]["STATUS"]) == "CONFIRMED"


async def test_admin_sets_document_settings_and_they_survive_a_restart(harness: Harness) -> None:
    h = harness
    await bind(h)
    out = await h.send(ADMIN, "/vanban")
    shown = context_of(sent(out, "documents", ADMIN.id))["settings"]
    assert shown["body"] == ["BAN TỔ CHỨC", "*"] and shown["symbol"] == "BTC"
    out = await h.send(ADMIN, "/vanban coquan TỈNH ỦY ĐỒNG NAI / BAN TỔ CHỨC / *")
    sent(out, "documents", ADMIN.id, changed="body")
    await h.send(ADMIN, "/vanban noi Đồng Nai")
    await h.send(ADMIN, "/vanban kyhieu BTCTU")
    await h.send(ADMIN, "/vanban chucvu PHÓ TRƯỞNG BAN")
    await h.send(ADMIN, "/vanban kythay bat")
    out = await h.send(ADMIN, "/vanban nguoiky Nguyễn Văn An")
    sent(out, "documents", ADMIN.id, changed="signer")
    await h.restart()
    out = await h.send(ADMIN, "/vanban")
    settings = context_of(sent(out, "documents", ADMIN.id))["settings"]
    assert settings["body"] == ["TỈNH ỦY ĐỒNG NAI", "BAN TỔ CHỨC", "*"]
    assert settings["place"] == "Đồng Nai" and settings["symbol"] == "BTCTU"
    assert settings["capacity_lines"] == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"]
    assert settings["signer"] == "Nguyễn Văn An"
    assert "K/T TRƯỞNG BAN / PHÓ TRƯỞNG BAN" in texts(out)


async def test_others_are_refused_and_odd_values_are_refused_clearly(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    for user in (STAFF[0], LEADER):
        out = await h.send(user, "/vanban noi Hà Nội")
        sent(out, "refused_role", user.id)
        out = await h.send(user, "/vanban")
        sent(out, "refused_role", user.id)
    for command, reason in (
        ("/vanban coquan Ban Tổ chức", "upper"),
        ("/vanban coquan A / B / C / D", "lines"),
        ("/vanban noi " + "x" * 61, "long"),
        ("/vanban nguoiky Nguyễn\u202eVăn", "control"),
        ("/vanban kythay có lẽ", "switch"),
    ):
        out = await h.send(ADMIN, command)
        sent(out, "documents_bad_value", ADMIN.id, reason=reason)
        assert "Không có gì được thay đổi" in texts(out)
        assert "gặp sự cố" not in texts(out)
    sent(await h.send(ADMIN, "/vanban mau do"), "documents_usage", ADMIN.id)
    assert await h.core.store.document_settings(1) == {}


async def test_the_handbook_carries_the_issuer_of_the_settings(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.send(ADMIN, "/vanban coquan TỈNH ỦY ĐỒNG NAI / BAN TỔ CHỨC / *")
    await h.send(ADMIN, "/vanban noi Đồng Nai")
    await conclude_week(h, vn(2026, 12, 7, 9, 0), "Trả lời.", "Kết luận của Lãnh đạo Ban.")
    out = await h.send(LEADER, "/sotay 2026")
    built = docx.Document(io.BytesIO(_document(h, out, LEADER.id)))
    # A publication: its cover names the issuing body and, at its foot, the place and year.
    cover = [p.text for p in built.paragraphs[:8]]
    assert cover[:3] == ["TỈNH ỦY ĐỒNG NAI", "BAN TỔ CHỨC", "*"]
    assert "Đồng Nai – 2026" in cover
    assert built.paragraphs[1].runs[0].bold and not built.paragraphs[0].runs[0].bold
