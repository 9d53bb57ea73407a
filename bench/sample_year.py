"""A fictional half-year of the program, lived through the bot's own services.

The documents are checked against it (``tests/test_rendered.py``), the report benchmark builds
its files from it (``bench/reports.py``) and the README's pictures are made from it::

    python -m bench.sample_year             # docs/*.png: the charts of the year, page 1 of the
                                            # report of quý II/2026 and of the handbook
                                            # (LibreOffice and poppler needed for the pages)
    python -m bench.sample_year OUT_DIR     # the same files in another folder

The program «Giao ban Ban Tổ chức Tỉnh ủy Đồng Nai» meets on Mondays from 5 January 2026; the
database is read as it stands on Wednesday 8 July 2026. Nothing is written to the tables by
hand: people join and are approved, the sample questions are imported, the scheduler's steps
run at their times (:func:`bot.services.cycle.advance` with the clock moved), the drawn staff
answer, the head grades and comments, the leader concludes, an asker from the grassroots sends
questions, exactly as the chat commands do. What happens:

- Tết Bính Ngọ: the session of 16/02 is skipped (the whole week is a holiday);
- the Giỗ Tổ Hùng Vương day off is made up on Monday 27/4 (nghỉ bù): that session moves to
  Tuesday 28/4;
- an admin skips the week of 23/3 («Trùng Hội nghị Ban Chấp hành Đảng bộ tỉnh»);
- a redraw (19/01), an unanswered week (02/02), a late answer the head accepts (09/03), a
  regrade (13/04), an answer in person (11/05), an unanswered week whose late message the head
  leaves (25/05), a wrong answer (08/06);
- two grassroots questions accepted and answered, one declined;
- on 8 July the session of 29/6 is graded but not concluded and the one of 6/7 waits for its
  grade: 25 sessions held in all, with 25 questions.

The draws are reproducible: each session's secret seed comes from a seeded generator while the
year is built (the bot's own seeds come from :mod:`secrets`), so the same command gives the same
year, the same files and the same pictures.
"""

from __future__ import annotations

import asyncio
import csv
import random
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from bot import db
from bot import draw as drawing
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.models import Answer, Person, Program, Reply, SessionState
from bot.periods import Period, quarter_period, year_period
from bot.services import (
    answers,
    bank,
    bank_admin,
    cycle,
    grassroots,
    interact,
    roster,
)
from bot.services import documents as document_settings
from bot.services.invites import InviteRequest
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SAMPLES = ROOT / "questions" / "samples" / "cau_hoi_mau.csv"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
GROUP = -1002026
TITLE = "Giao ban Ban Tổ chức Tỉnh ủy Đồng Nai"
START = datetime(2026, 1, 1, 9, 0, tzinfo=ZONE)  # the group is bound; the first Monday is 5/1
NOW = datetime(2026, 7, 8, 10, 0, tzinfo=ZONE)  # the day the year is read
SEED = 2026
SAFETY_TICK = timedelta(hours=6)

# Telegram ids and names: fictional people.
ADMIN = (1001, "Trần Văn Tuấn", "Chuyên viên chính")
HEAD = (2001, "Lê Thị Hằng", "Trưởng phòng")
LEADER = (3001, "Phạm Quang Minh", "Phó Trưởng ban")
STAFF = [
    (4001, "Nguyễn Thị Minh Anh", "Chuyên viên"),
    (4002, "Trần Quốc Bảo", "Chuyên viên"),
    (4003, "Lê Thị Cúc", "Chuyên viên chính"),
    (4004, "Phạm Văn Dũng", "Chuyên viên"),
    (4005, "Hoàng Thị Giang", "Chuyên viên"),
    (4006, "Võ Minh Hải", "Chuyên viên chính"),
    (4007, "Đặng Thu Hà", "Chuyên viên"),
    (4008, "Bùi Văn Khánh", "Chuyên viên"),
]
ASKER = (5001, "Nguyễn Văn Sơn", "Chi bộ Thôn 2, xã Hòa An")

# What happens in some weeks (by the session's nominal Monday); every other week the drawn
# person answers in time, the head grades (a seeded verdict) and the leader concludes.
REDRAW = date(2026, 1, 19)
UNANSWERED = date(2026, 2, 2)
LATE_ACCEPTED = date(2026, 3, 9)
ADMIN_SKIP = date(2026, 3, 23)
REGRADED = date(2026, 4, 13)
IN_PERSON = date(2026, 5, 11)
UNANSWERED_LATE_LEFT = date(2026, 5, 25)
WRONG = date(2026, 6, 8)
NOT_CONCLUDED = date(2026, 6, 29)
NOT_GRADED = date(2026, 7, 6)

SKIP_REASON = "Trùng Hội nghị Ban Chấp hành Đảng bộ tỉnh"
RECIPIENTS = "Thường trực Tỉnh ủy (để báo cáo) | Lãnh đạo Ban | Các phòng thuộc Ban | Lưu VP"
REDRAW_REASON = "Đồng chí được bốc thăm đi công tác theo kế hoạch của Ban"
COMMENTS = {
    "correct": "Trả lời đúng trọng tâm, nêu được căn cứ.",
    "partial": "Nắm được nguyên tắc nhưng chưa nêu đủ trình tự thực hiện.",
    "wrong": "Chưa nắm được quy định; đề nghị đồng chí nghiên cứu lại hướng dẫn.",
}
ANSWER_TEXT = "Báo cáo đồng chí Trưởng phòng, theo tôi nội dung này được xử lý như sau: …"

# Questions from the grassroots (no legal reference: only the leader's conclusion answers them).
GRASSROOTS = [
    (
        date(2026, 2, 24),
        "Chi bộ thôn có ba đảng viên tuổi cao, sức khỏe yếu, nhiều lần vắng sinh hoạt. Chi bộ"
        " cần làm gì để các đồng chí vẫn nắm được nội dung sinh hoạt và chi bộ quản lý được"
        " đảng viên?",
        "Tổ chức cơ sở đảng",
        "Chi bộ phân công đảng viên thông báo nội dung sinh hoạt và thăm hỏi các đồng chí; đảng"
        " viên tuổi cao, sức khỏe yếu có nguyện vọng thì làm đơn để chi bộ xem xét việc giảm,"
        " miễn công tác và sinh hoạt đảng theo Điều lệ Đảng. Chi bộ báo cáo đảng ủy xã để được"
        " hướng dẫn cụ thể.",
    ),
    (
        date(2026, 4, 14),
        "Đảng viên chuyển đến cư trú tại thôn nhưng chưa báo với chi bộ nơi cư trú. Chi bộ cần"
        " làm gì để nắm được và phối hợp quản lý đảng viên này?",
        "Đảng viên",
        "Chi bộ nắm tình hình qua trưởng thôn và các đoàn thể, gặp đảng viên để đề nghị thực hiện"
        " việc giới thiệu sinh hoạt nơi cư trú theo quy định, đồng thời báo cáo đảng ủy xã để"
        " phối hợp với tổ chức đảng nơi đảng viên công tác.",
    ),
    (
        date(2026, 5, 20),
        "Đề nghị cho biết mức phụ cấp hằng tháng của bí thư chi bộ thôn trong năm 2026.",
        "Chính sách cán bộ",
        None,  # declined
    ),
]
DECLINE_REASON = (
    "Chế độ phụ cấp ở thôn do chính quyền địa phương quyết định; đề nghị đồng chí liên hệ Ủy ban"
    " nhân dân xã."
)


@dataclass(frozen=True)
class SampleYear:
    """The database of the sample year and how to read it."""

    path: Path
    program_id: int
    now: datetime

    async def open(self) -> tuple[Core, Program]:
        """A core on the database (clock at :data:`NOW`) and the program; close its store."""
        store = Store(await db.connect(self.path))
        core = Core(store=store, clock=ManualClock(self.now), settings=_settings(self.path))
        program = await store.program(self.program_id)
        assert program is not None
        return core, program


def _settings(path: Path) -> Settings:
    return Settings(db_path=path, admins=frozenset({ADMIN[0]}))


@contextmanager
def seeded_draws(seed: int) -> Iterator[None]:
    """Each new draw seed from a seeded generator (the year is the same every time)."""
    rnd = random.Random(seed)
    real = drawing.new_seed
    drawing.new_seed = lambda: rnd.randbytes(drawing.SEED_BYTES).hex()  # type: ignore[assignment]
    try:
        yield
    finally:
        drawing.new_seed = real  # type: ignore[assignment]


class _Year:
    """The people of the year and the steps they take, at the clock's time."""

    def __init__(self, core: Core, clock: ManualClock) -> None:
        self.core, self.clock = core, clock
        self.rnd = random.Random(SEED)
        self.people: dict[int, Person] = {}
        self.program: Program | None = None
        self.message_id = 0
        self.samples: dict[str, dict[str, str]] = {}
        self.conclusions: dict[str, str] = {}  # of the grassroots questions, by their text

    @property
    def prog(self) -> Program:
        assert self.program is not None
        return self.program

    async def person(self, tg_id: int) -> Person:
        person = await self.core.store.person_by_tg(tg_id)
        assert person is not None
        return person

    def at(self, when: datetime) -> None:
        if when > self.clock.now():
            self.clock.set(when)

    async def says(self, who: int, text: str) -> Reply | None:
        """``who`` types ``text`` in the private chat with the bot."""
        self.message_id += 1
        person = await self.person(who)
        return await interact.private_text(
            self.core, person, Answer("text", text, who, self.message_id, False)
        )

    async def presses(self, who: int, reply: Reply | None, label: str) -> Reply:
        assert reply is not None, label
        for row in reply.buttons:
            for button in row:
                if button.text == label and button.token:
                    outcome = await interact.press(self.core, await self.person(who), button.token)
                    assert outcome.reply is not None
                    return outcome.reply
        raise AssertionError(f"no button {label!r} in {reply.template}")

    # -- the people ------------------------------------------------------------------------

    async def set_up(self) -> None:
        core, store = self.core, self.core.store
        first, *rest = ADMIN[1].split()
        admin = await core.person_for(ADMIN[0], None, first, " ".join(rest))
        await roster.bind_group(core, admin, GROUP, TITLE)
        program = await store.program_by_chat(GROUP)
        assert program is not None
        self.program = program
        admin_full = await self.join(admin, ADMIN)
        assert admin_full is None
        for tg_id, name, title in (HEAD, LEADER, *STAFF):
            first, *rest = name.split()
            person = await core.person_for(tg_id, None, first, " ".join(rest))
            await self.join(person, (tg_id, name, title))
        for tg_id, word in ((HEAD[0], "truongphong"), (LEADER[0], "lanhdao")):
            target = await self.person(tg_id)
            await roster.set_roles(core, admin, program, [f"#{target.id}", word])
        # The document settings of the Board (/vanban): the deputy head signs on behalf; the
        # recipients typed as people type them (the documents add «- », «,» and «.»).
        for args in (
            ["kythay", "bat"],
            ["chucvu", "PHÓ TRƯỞNG BAN"],
            ["nguoiky", LEADER[1]],
            ["noinhan", RECIPIENTS],
        ):
            await document_settings.change(core, admin, program, args)
        data = SAMPLES.read_bytes()
        await bank.import_file(core, admin, program, SAMPLES.name, data)
        with SAMPLES.open(encoding="utf-8-sig") as f:
            self.samples = {row["Câu hỏi"]: row for row in csv.DictReader(f)}

    async def join(self, person: Person, who: tuple[int, str, str]) -> None:
        """``/start``, the name, the title; then an admin approves (the admin is one already)."""
        core = self.core
        if await core.store.member(self.prog.id, person.id) is not None:
            await core.store.set_person_profile(person.id, who[1], who[2])
            return None
        await roster.start(core, person, None)
        await self.says(who[0], who[1])
        await self.says(who[0], who[2])
        admin = await self.person(ADMIN[0])
        await roster.decide(core, admin, self.prog, f"{person.id}:staff", True)
        return None

    # -- the grassroots ------------------------------------------------------------------------

    async def asker_joins(self) -> None:
        core = self.core
        admin = await self.person(ADMIN[0])
        request = InviteRequest(words=("coso",), preapproved=True, uses=1)
        invite = await grassroots.create_invite(core, admin, self.prog, request, "hoidap_bot")
        token = str(invite.context["link"]).rsplit("=", 1)[1]
        first, *rest = ASKER[1].split()
        person = await core.person_for(ASKER[0], None, first, " ".join(rest))
        await roster.start(core, person, token)
        await self.says(ASKER[0], ASKER[1])
        await self.says(ASKER[0], ASKER[2])

    async def asker_asks(self, text: str, topic: str, conclusion: str | None) -> None:
        core = self.core
        asker, admin = await self.person(ASKER[0]), await self.person(ADMIN[0])
        confirm = await grassroots.ask(core, asker, text)
        sent = await self.presses(ASKER[0], confirm, "✅ Gửi")
        sid = int(sent.context["submission"]["id"])
        if conclusion is None:
            await grassroots.start_moderation(core, admin, self.prog, sid, "gr_decline")
            await self.says(ADMIN[0], DECLINE_REASON)
            return
        await grassroots.accept(core, admin, self.prog, sid, topic=topic)
        sub = await core.store.submission(sid)
        assert sub is not None and sub.question_id is not None
        # Asked from practice: the next session takes it (/xephang <số> 1).
        await bank_admin.reorder(core, admin, self.prog, [str(sub.question_id), "1"])
        self.conclusions[text] = conclusion

    # -- a week -----------------------------------------------------------------------------

    async def session_of(self, session_id: int) -> tuple[datetime, datetime, date]:
        s = await self.core.store.session(session_id)
        assert s is not None and s.draw_at is not None and s.deadline_at is not None
        return s.draw_at, s.deadline_at, s.nominal_date

    def conclusion(self, question: str) -> str:
        if question in self.conclusions:
            return self.conclusions[question]
        suggested = self.samples[question]["Gợi ý trả lời"]
        return suggested.removeprefix("Gợi ý tham khảo:").strip()

    async def drawn(self, session_id: int) -> None:
        """What happens after the draw of ``session_id``, at the times it happens."""
        core, store = self.core, self.core.store
        prog = self.prog
        head, leader = await self.person(HEAD[0]), await self.person(LEADER[0])
        draw_at, deadline, week = await self.session_of(session_id)
        if week == REDRAW:
            self.at(draw_at + timedelta(minutes=10))
            await cycle.redraw(core, head, prog, REDRAW_REASON)
        s = await store.session(session_id)
        assert s is not None and s.drawn_person_id is not None and s.question_id is not None
        drawn = await store.person(s.drawn_person_id)
        question = await store.question(s.question_id)
        assert drawn is not None and question is not None
        verdicts: list[str] = []
        if week in (UNANSWERED, UNANSWERED_LATE_LEFT):
            await self.until(deadline + timedelta(minutes=1))
            if week == UNANSWERED_LATE_LEFT:
                self.at(deadline + timedelta(hours=2))
                await self.says(drawn.tg_user_id, ANSWER_TEXT)
                (late,) = await store.late_answers(session_id)
                await answers.leave_late(core, head, prog, late.id)
        elif week == LATE_ACCEPTED:
            await self.until(deadline + timedelta(minutes=1))
            self.at(deadline + timedelta(minutes=40))
            await self.says(drawn.tg_user_id, ANSWER_TEXT)
            (late,) = await store.late_answers(session_id)
            self.at(deadline + timedelta(minutes=50))
            await answers.accept_late(core, head, prog, late.id)
            verdicts = ["partial"]
        elif week == IN_PERSON:
            self.at(draw_at + timedelta(minutes=20))
            await cycle.record_in_person(core, head, prog, session_id)
            verdicts = ["correct"]
        else:
            self.at(draw_at + timedelta(minutes=25))
            await self.says(drawn.tg_user_id, ANSWER_TEXT)
            if week == REGRADED:
                verdicts = ["partial", "correct"]
            elif week == WRONG:
                verdicts = ["wrong"]
            elif week != NOT_GRADED:
                verdicts = [self.rnd.choices(["correct", "partial", "wrong"], [7, 3, 1])[0]]
        graded_at = max(draw_at + timedelta(minutes=70), self.clock.now() + timedelta(minutes=5))
        for n, verdict in enumerate(verdicts):
            self.at(graded_at + timedelta(minutes=10 * n))
            await cycle.grade(core, head, prog, session_id, verdict)
            if verdict != "correct" or n or self.rnd.random() < 0.5:
                await self.says(HEAD[0], COMMENTS[verdict])
            else:
                await interact.skip_field(core, head)
        if week in (NOT_CONCLUDED, NOT_GRADED):
            return
        self.at(graded_at + timedelta(hours=2))
        await cycle.start_conclusion(core, leader, prog, session_id)
        await self.says(LEADER[0], self.conclusion(question.text))

    async def until(self, when: datetime) -> None:
        """Run the scheduler's steps due up to ``when``, each at its time."""
        while True:
            wake = await cycle.wakeup(self.core, self.prog.id)
            if wake is None or wake > when:
                break
            self.at(wake)
            await cycle.advance(self.core, self.prog.id)
        self.at(when)
        await cycle.advance(self.core, self.prog.id)

    async def live(self) -> None:
        """From :data:`START` to :data:`NOW`: the scheduler, the scripted weeks, the asker."""
        core, store = self.core, self.core.store
        admin = await self.person(ADMIN[0])
        asks = list(GRASSROOTS)
        events: list[tuple[datetime, Callable[[], Awaitable[None]]]] = []
        skip_at = datetime.combine(ADMIN_SKIP - timedelta(days=4), datetime.min.time(), ZONE)

        async def skip() -> None:
            await cycle.skip_week(core, admin, self.prog, SKIP_REASON)

        events.append((skip_at.replace(hour=10), skip))
        events.append((START + timedelta(days=5, hours=1), self.asker_joins))
        for day, text, topic, conclusion in asks:

            async def asking(
                text: str = text, topic: str = topic, c: str | None = conclusion
            ) -> None:
                await self.asker_asks(text, topic, c)

            events.append(
                (datetime.combine(day, datetime.min.time(), ZONE).replace(hour=8), asking)
            )
        events.sort(key=lambda e: e[0])
        while True:
            wake = await cycle.wakeup(core, self.prog.id)
            upcoming = events[0][0] if events else None
            # The scheduler also looks at every program now and then (its safety tick).
            tick = self.clock.now() + SAFETY_TICK
            nxt = min(t for t in (wake, upcoming, tick) if t is not None)
            if nxt > NOW:
                break
            self.at(nxt)
            if upcoming is not None and nxt == upcoming:
                _, event = events.pop(0)
                await event()
                continue
            done = await cycle.advance(core, self.prog.id)
            for step in done.executed:
                week, _, kind = step.partition(":")
                if kind == "draw":
                    s = await store.session_by_week(self.prog.id, week)
                    assert s is not None and s.state == SessionState.DRAWN
                    await self.drawn(s.id)
        self.at(NOW)
        await cycle.advance(core, self.prog.id)


async def build(path: Path) -> SampleYear:
    """The sample year in a new database at ``path`` (built through the services)."""
    clock = ManualClock(START.astimezone(UTC))
    store = Store(await db.connect(path))
    core = Core(store=store, clock=clock, settings=_settings(path))
    try:
        with seeded_draws(SEED):
            year = _Year(core, clock)
            await year.set_up()
            await year.live()
        return SampleYear(path, year.prog.id, NOW)
    finally:
        await store.close()


# The documents of the sample year, as the office gets them: file name → (period, format, sheets).
DOCUMENTS: dict[str, tuple[Period, Literal["docx", "xlsx"], bool]] = {
    "report_q2.docx": (quarter_period(2026, 2), "docx", False),
    "report_2026.docx": (year_period(2026), "docx", False),
    "workbook_q2.xlsx": (quarter_period(2026, 2), "xlsx", False),
    "sheets_2026.docx": (year_period(2026), "docx", True),
}
HANDBOOK = "handbook_2026.docx"


async def documents(year: SampleYear) -> dict[str, bytes]:
    """Every kind of document of the sample year, built by the services that build it in chat
    (``/baocao``, ``/sotay``): the reports of quý II/2026 and of năm 2026, the spreadsheet of
    quý II/2026, the year-end sheets and the handbook of 2026."""
    from bot.services import archive, reports

    core, program = await year.open()
    try:
        files = {}
        for name, (period, fmt, sheets) in DOCUMENTS.items():
            built = await reports.build_report(core, None, program, period, fmt, sheets=sheets)
            files[name] = built.data
        files[HANDBOOK], _count = await archive.compile_handbook(core, program, 2026)
        return files
    finally:
        await core.store.close()


def main(argv: Sequence[str] | None = None) -> int:
    import tempfile

    from bench.sample_pictures import pictures

    args = list(sys.argv[1:] if argv is None else argv)
    out = Path(args[0]) if args else DOCS
    with tempfile.TemporaryDirectory() as tmp:
        year = asyncio.run(build(Path(tmp) / "sample.sqlite3"))
        for path in pictures(year, out, Path(tmp)):
            print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
