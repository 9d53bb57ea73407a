"""Every registered command, with every kind of odd argument, from every kind of person, in
private and in the group: the bot answers with a reply or a clear refusal, never the generic
failure, and no handler raises.

The commands (names and aliases) come from the table of commands, so a command added later is
covered without touching this file. Per role and chat one harness drives all commands one after
another (the flood throttle is lifted for the test person: it is not what is tested here).
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.render import plain, render
from fakes.harness import Harness, User
from handlers.commands import COMMANDS
from handlers.ops import Throttle
from tests.conftest import ADMIN, GROUP, OUTSIDER, STAFF, vn
from tests.e2e.helpers import context_of, sent, setup_program, texts

ERROR_LOG = "error while handling an update"
BATCH = 60  # messages sent before waiting for the bot to have handled them all
GENERIC_FAILURE = plain(render("internal_error"))

PAYLOADS = (
    # nothing, or only spaces
    "",
    "   ",
    "\t \u00a0 \u3000",
    # too long, wrong type, signs and zero
    "x" * 4000,
    "abc",
    "5",
    "-5",
    "0",
    "+5",
    # huge numbers: beyond 64 bits, beyond Python's int() digit limit (and the message limit)
    "9" * 20,
    "1" * 4090,
    "9" * 5000,
    # numbers as people type them, and digits int() would take or refuse
    "#5",
    "５",
    "²",
    "①",
    "٥",
    "5.",
    "05",
    "1.000",
    "1,5",
    "0x10",
    # emoji, right-to-left scripts, bidi overrides, zero-width characters
    "😀",
    "👨\u200d👩\u200d👧",
    "مرحبا ٥",
    "שלום",
    "\u202e5 cv\u202c",
    "\u200b5\u200d",
    # control characters, combining marks (Vietnamese typed as NFD), escapes written out
    "\x00",
    "5\x00",
    "\x01\x07\x1b[31m\x7f",
    unicodedata.normalize("NFD", "nghỉ phép công tác huỷ"),
    "\\udcff \\x00",
    # HTML and Markdown
    "<b>5</b>",
    "&amp;",
    "*_`[]()~>#+-=|{}.!",
    "</code><script>alert(1)</script>",
    # dates and times that do not exist
    "31/02/2026",
    "29/2",
    "31/4",
    "99/99/9999",
    "31/12/99999999999999999999",
    "2026-13-45",
    "25:61",
    "24:00",
    "8:60",
)

# Where else in a command's words an argument goes ("{}" is replaced by each payload), besides
# being the only argument. Commands not listed take one argument (or none).
SHAPES: dict[str, tuple[str, ...]] = {
    "vaitro": ("2 {}", "{} chuyenvien"),
    "vangmat": ("2 {}", "{} phep 31/12", "2 phep {}", "2 congtac 31/12/2026 {}"),
    "xephang": ("1 {}", "{} 1"),
    "ghim": ("1 {}", "{} 31/12/2026", "{} huy"),
    "the": ("1 {}", "{} kết nạp"),
    "coso": ("{} ngung", "1 {}"),
    "moi": ("coso {}", "{} duyet"),
    "datlich": (
        "{} 1",
        "thu {}",
        "gui {}",
        "gui 1 {}",
        "gui {} 08:00",
        "boc {}",
        "han {}",
        "nhac {}",
        "le {}",
        "tudong {}",
        "vong {}",
        "canhbao {}",
    ),
    "sotay": ("{} 2026",),
    "vanban": ("coquan {}", "noi {}", "so {}", "kythay {}", "noinhan {}", "{} x"),
    "baocao": ("{} xlsx", "canbo {}"),
}


def registered_commands() -> list[str]:
    names = {name for row in COMMANDS for name in row.names}
    assert {"xemcauhoi", "datlich", "vangmat", "hoi", "nghiviec"} <= names  # aliases too
    return sorted(names)


def messages_for(command: str, shapes: bool) -> list[str]:
    """The command with each payload alone and, with ``shapes``, in its other positions."""
    return [
        f"/{command} {shape.replace('{}', payload, 1)}"
        for shape in ("{}", *(SHAPES.get(command, ()) if shapes else ()))
        for payload in PAYLOADS
    ]


async def person(h: Harness, role: str) -> User:
    ids = await setup_program(h)
    if role == "admin":
        # The admin is also head and leader (and on the staff roster) of the program.
        admin = await h.core.store.person_by_tg(ADMIN.id)
        assert admin is not None
        out = await h.send(ADMIN, f"/vaitro {admin.id} quantri truongphong lanhdao chuyenvien")
        assert "Vai trò của" in texts(out), texts(out)
        return ADMIN
    if role == "staff":
        assert ids[STAFF[0].first_name]
        return STAFF[0]
    return OUTSIDER


async def drive(
    h: Harness, caplog: pytest.LogCaptureFixture, user: User, chat_id: int | None, texts: list[str]
) -> list[str]:
    """Send ``texts`` one after another (the bot handles one person's messages in order) and
    return what went wrong: handler errors logged, or the generic failure reply."""
    seen, mark = len(caplog.records), h.server.mark()
    for text in texts:
        h.server.send_text(user.id, text, chat_id=chat_id)
    await h.settle()
    errors = [
        r.getMessage()
        for r in caplog.records[seen:]
        if r.levelno >= logging.ERROR or ERROR_LOG in r.getMessage()
    ]
    generic = [m for m in h.server.sent[mark:] if GENERIC_FAILURE in m.plain_text]
    return errors + ["generic failure reply"] * len(generic)


@pytest.mark.parametrize("where", ["private", "group"])
@pytest.mark.parametrize("role", ["admin", "staff", "stranger"])
async def test_no_argument_reaches_the_generic_failure(
    harness: Harness, caplog: pytest.LogCaptureFixture, role: str, where: str
) -> None:
    user = await person(harness, role)
    assert harness.app is not None
    harness.dispatcher.throttle = Throttle(capacity=10**9)
    chat_id = GROUP if where == "group" else None
    caplog.set_level(logging.WARNING)
    failures: list[str] = []
    for command in registered_commands():
        # Only the admin gets past the role check to where the later words are read.
        sent = messages_for(command, shapes=role == "admin")
        for start in range(0, len(sent), BATCH):
            batch = sent[start : start + BATCH]
            if not await drive(harness, caplog, user, chat_id, batch):
                continue
            # Something went wrong in this batch: name the messages, one at a time.
            for text in batch:
                for problem in await drive(harness, caplog, user, chat_id, [text]):
                    failures.append(f"{text[:60]!r}: {problem}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:80])


# -- values understood as people type them, through the whole stack ------------------------------


async def replies(h: Harness, text: str, user: User = ADMIN) -> str:
    h.clock.advance(timedelta(seconds=5))  # the flood throttle counts per time, not per test
    return texts(await h.send(user, text))


async def away_range(h: Harness, text: str) -> tuple[date, date]:
    """The dates an admin's /vangmat was understood as (from the reply's context)."""
    h.clock.advance(timedelta(seconds=5))
    done = context_of(sent(await h.send(ADMIN, text), "away_done", ADMIN.id))
    return date.fromisoformat(done["from"]), date.fromisoformat(done["until"])


async def test_numbers_times_and_dates_are_understood_as_typed(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)
    staff = ids[STAFF[1].first_name]
    assert "#1" in await replies(h, "/xemcauhoi #1")
    assert "#2" in await replies(h, "/xemcauhoi ５".replace("５", "２"))
    assert "Câu #3 nay ở vị trí 1/" in await replies(h, "/xephang #3 1.")
    assert "Câu #4 nay ở vị trí 2/" in await replies(h, "/xephang 04 ２")
    assert "Vai trò của" in await replies(h, f"/vaitro #{staff} cv")
    out = await replies(h, f"/vangmat {staff} congtac ３１/１２")
    assert "đi công tác từ thứ Ba, 01/12/2026 đến hết thứ Năm, 31/12/2026" in out
    assert "mỗi cơ sở gửi tối đa 5 câu hỏi" in await replies(h, "/gioihanhoi ５")
    assert "08:30" in await replies(h, "/datlich boc 8h30")
    out = await replies(h, "/datlich gui 2 7 giờ 15")
    program = await h.core.store.program(1)
    assert program is not None and program.publish_lead_days == 2
    assert program.publish_time == time(7, 15) and program.draw_time == time(8, 30)
    assert "07:15" in out

    # What cannot be meant is refused, naming the value and what would work; nothing changes.
    for typed, said in [
        ("/xemcauhoi 99999999999999999999", "«99999999999999999999» không phải số câu hỏi hợp lệ"),
        ("/xemcauhoi ²", "«²» không phải số câu hỏi hợp lệ: cần một số nguyên từ 1 đến"),
        ("/xephang 3 -1", "«-1» không phải vị trí trong hàng đợi hợp lệ"),
        ("/nghiviec 1,5", "«1,5» không phải số hiệu hợp lệ"),
        (
            "/datlich han 20.000",
            "«20.000» không phải số phút hợp lệ: cần một số nguyên từ 5 đến 10.080",
        ),
        ("/datlich boc 24:00", "Giờ «24:00» không hợp lệ: giờ từ 0 đến 23, phút từ 0 đến 59"),
        ("/datlich boc 8:60", "Giờ «8:60» không hợp lệ"),
        ("/vangmat 2 phep 31/4", "Ngày «31/4» không hợp lệ: tháng 4 năm 2027 không có ngày 31"),
        ("/vangmat 2 phep 29/2", "tháng 2 năm 2027 không có ngày 29"),
        ("/ghim 1 99/99/9999", "Ngày «99/99/9999» không hợp lệ"),
        ("/sotay ٢٠٢٦", "«٢٠٢٦» không phải năm hợp lệ: cần một số nguyên từ 2000 đến 2100"),
    ]:
        before = await h.core.store.program(1)
        assert said in await replies(h, typed), typed
        assert await h.core.store.program(1) == before


# -- "today" is the date where the program is --------------------------------------------------


def utc(local: datetime) -> datetime:
    """The same instant as the server's clock reads it (UTC)."""
    return local.astimezone(UTC)


async def test_today_is_the_programs_date_at_00_30_and_23_30(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)
    an, binh = ids[STAFF[0].first_name], ids[STAFF[1].first_name]
    store = h.core.store

    # 23:30 on Tuesday 1/12 in Viet Nam (16:30 UTC, the same date): Bình's trip ends today.
    h.clock.set(utc(vn(2026, 12, 1, 23, 30)))
    assert await away_range(h, f"/vangmat {binh} congtac 1/12") == (date(2026, 12, 1),) * 2
    assert "công tác" in await replies(h, "/nhansu")

    # 00:30 on Wednesday 2/12 in Viet Nam is still Tuesday 1/12 in UTC (17:30).
    h.clock.set(utc(vn(2026, 12, 2, 0, 30)))
    roster = await replies(h, "/nhansu")
    assert "công tác" not in roster, roster  # the trip ended yesterday
    assert await away_range(h, f"/vangmat {an} phep 2/12") == (date(2026, 12, 2),) * 2
    member = await store.member(1, an)
    assert member is not None and member.away_from == member.away_until == date(2026, 12, 2)
    assert "nghỉ phép" in await replies(h, "/nhansu")
    assert "hết hạn 00:30 thứ Tư, 09/12/2026" in await replies(h, "/moi")
    # Yesterday: next year's 1/12, today to then.
    assert await away_range(h, "/vangmat 2 phep 1/12") == (date(2026, 12, 2), date(2027, 12, 1))

    # New Year: 00:30 on 1/1/2027 in Viet Nam is 31/12/2026 in UTC.
    h.clock.set(utc(vn(2027, 1, 1, 0, 30)))
    assert await away_range(h, f"/vangmat {an} phep 31/12") == (
        date(2027, 1, 1),
        date(2027, 12, 31),
    )
    h.clock.advance(timedelta(seconds=5))
    mark = h.server.mark()
    await h.send(ADMIN, "/xuatcauhoi csv")
    (export,) = [m for m in h.server.sent[mark:] if m.file_name]
    assert export.file_name == "ngan_hang_cau_hoi_1_20270101.csv"
    # 23:30 on 31/12/2027 is the same date in UTC: the leave ends today, so still shown.
    h.clock.set(utc(vn(2027, 12, 31, 23, 30)))
    assert "nghỉ phép" in await replies(h, "/nhansu")
