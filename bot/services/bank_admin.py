"""Running a program's question bank: the queue and its plan, order, pins, holds, tags, files.

Questions are named by their number (``questions.id``, shown as ``#12``). Every change needs the
admin role of the program and refuses, with the same words, a number that does not exist and one
that belongs to another program.

Which question a session publishes (:func:`choose`, and ``Store.next_question_for`` for the
publish step itself): the queued question pinned to that session's week if there is one,
otherwise the first in queue order that is not pinned to a later week. A pin whose week has passed
(the week was skipped) no longer holds its question back: it takes its place in the queue again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.actions import ActionKind, Outcome, Press, Ref, mint, register
from bot.args import parse_date, parse_id, parse_int
from bot.core import Core, Refused
from bot.models import (
    BankQuestion,
    Button,
    Buttons,
    FileReply,
    Person,
    Program,
    Reply,
    SessionState,
)
from bot.offload import off_loop
from bot.schedule import plan_week, upcoming_plan
from bot.services import citing
from bot.services.context import program_ctx
from bot.services.cycle import schedule_config
from bot.services.step import state_change
from bot.text import clean_line, fold_word
from bot.words import BANK_STATUS_LABELS, BUTTONS
from questions.model import LIMITS, QuestionDraft, join_tags, split_tags


def export_questions(filename: str, drafts: Sequence[QuestionDraft]) -> bytes:
    """``questions.importer.export_questions``, whose module (openpyxl, PyYAML) is imported
    when a file is first written, not when the bot starts."""
    from questions.importer import export_questions as export

    return export(filename, drafts)


PLAN_SESSIONS = 4  # sessions shown ahead in /danhsach
MAX_WEEKS_SCANNED = 16  # holidays included, how far the plan looks for those sessions
QUEUE_SHOWN = 15
HELD_SHOWN = 20
MAX_PIN_DAYS = 366
MAX_POSITION = 999_999
EXPORT_FORMATS = ("xlsx", "csv", "yaml")
BUTTON_TTL = timedelta(days=2)
VIEWERS = ("admin", "head", "leader")

# The template of each status change's reply.
DONE_TEMPLATES = {"hold": "bank_held", "release": "bank_released", "retire": "bank_retired"}

STATUS_LABELS = BANK_STATUS_LABELS


# -- pure queue maths -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    id: int
    pinned_week: str | None = None


def choose(queue: Sequence[QueueItem], week: str) -> QueueItem | None:
    """The question the session of ``week`` takes from ``queue`` (in queue order)."""
    for item in queue:
        if item.pinned_week == week:
            return item
    for item in queue:
        if item.pinned_week is None or item.pinned_week < week:
            return item
    return None


def plan_queue(weeks: Sequence[str], queue: Sequence[QueueItem]) -> list[QueueItem | None]:
    """What the sessions of ``weeks`` (in order) will publish, if the queue stays as it is."""
    remaining = list(queue)
    planned: list[QueueItem | None] = []
    for week in weeks:
        item = choose(remaining, week)
        if item is not None:
            remaining.remove(item)
        planned.append(item)
    return planned


def move(order: Sequence[int], question_id: int, position: int) -> list[int]:
    """``order`` with ``question_id`` moved to the 1-based ``position`` (clamped to the ends)."""
    rest = [qid for qid in order if qid != question_id]
    index = min(max(position, 1), len(rest) + 1) - 1
    return [*rest[:index], question_id, *rest[index:]]


def week_monday(week: str) -> date:
    """The Monday of an ISO week key such as ``2026-W50``."""
    year, _, number = week.partition("-W")
    return date.fromisocalendar(int(year), int(number), 1)


# -- reading arguments ----------------------------------------------------------------------------


def parse_number(value: str) -> int:
    """A question number as typed: ``12``, ``#12`` (see :func:`bot.args.parse_int`)."""
    return parse_id(value, what="question")


def _position(value: str) -> int:
    return parse_int(value, 1, MAX_POSITION, what="position")


async def _find(core: Core, program: Program, question_id: int) -> BankQuestion:
    bq = await core.store.bank_question(question_id)
    if bq is None or bq.question.program_id != program.id:
        raise Refused("bank_not_found", number=question_id, program=program_ctx(program))
    return bq


def _wrong_status(bq: BankQuestion, action: str) -> Refused:
    return Refused(
        "bank_wrong_status",
        action=action,
        number=bq.question.id,
        status=STATUS_LABELS.get(bq.question.status, bq.question.status),
    )


# -- context for the templates --------------------------------------------------------------------


def _session_date(program: Program, week: str) -> date | None:
    return plan_week(schedule_config(program), week_monday(week)).session_date


def question_ctx(
    bq: BankQuestion, program: Program, rank: int | None = None, full: bool = False
) -> dict[str, Any]:
    q = bq.question
    ctx: dict[str, Any] = {
        "id": q.id,
        "text": q.text,
        "topic": q.topic,
        "tags": list(bq.tags),
        "status": q.status,
        "status_label": STATUS_LABELS.get(q.status, q.status),
        "rank": rank,
        "pinned_week": bq.pinned_week,
        "pinned_date": None,
    }
    if bq.pinned_week:
        pinned = _session_date(program, bq.pinned_week)
        ctx["pinned_date"] = (pinned or week_monday(bq.pinned_week)).isoformat()
    if full:
        ctx.update(
            source_unit=q.source_unit,
            legal_refs=q.legal_refs,
            refs=[{"document": d, "article": a} for d, a in bq.refs],
            suggested_answer=q.suggested_answer,
        )
    return ctx


# -- the queue and the plan -----------------------------------------------------------------------


async def _plan(core: Core, program: Program, queued: list[BankQuestion]) -> list[dict[str, Any]]:
    """The coming sessions (skipped weeks included) and the question each will publish."""
    store, cfg = core.store, schedule_config(program)
    first = upcoming_plan(cfg, core.now())
    entries: list[dict[str, Any]] = []
    open_entries: list[dict[str, Any]] = []  # sessions whose question is still to be chosen
    sessions = 0
    for k in range(MAX_WEEKS_SCANNED):
        plan = plan_week(cfg, first.nominal_date + timedelta(weeks=k))
        existing = await store.session_by_week(program.id, plan.week)
        entry: dict[str, Any] = {
            "week": plan.week,
            "date": (plan.session_date or plan.nominal_date).isoformat(),
            "skipped": False,
            "reason": None,
            "published": False,
            "pinned": False,
            "question": None,
            # The holiday that moved this session off its usual weekday, if one did.
            "moved": plan.holiday if plan.session_date != plan.nominal_date else None,
        }
        if existing is not None and existing.state == SessionState.SKIPPED:
            entry.update(
                skipped=True,
                date=existing.nominal_date.isoformat(),
                reason=existing.holiday or existing.skip_reason,
            )
        elif existing is None and plan.session_date is None:
            entry.update(skipped=True, reason=plan.holiday)
        elif existing is not None and existing.state != SessionState.SCHEDULED:
            question = await store.bank_question(existing.question_id or 0)
            entry.update(
                date=(existing.session_date or existing.nominal_date).isoformat(),
                published=True,
                question=question_ctx(question, program) if question else None,
            )
        else:
            if existing is not None and existing.session_date is not None:
                entry["date"] = existing.session_date.isoformat()
            open_entries.append(entry)
        entries.append(entry)
        if not entry["skipped"]:
            sessions += 1
            if sessions == PLAN_SESSIONS:
                break
    by_id = {bq.question.id: bq for bq in queued}
    queue = [QueueItem(bq.question.id, bq.pinned_week) for bq in queued]
    weeks = [entry["week"] for entry in open_entries]
    for entry, item in zip(open_entries, plan_queue(weeks, queue), strict=True):
        if item is not None:
            entry["pinned"] = item.pinned_week == entry["week"]
            entry["question"] = question_ctx(by_id[item.id], program)
    return entries


async def with_marks(
    core: Core, program: Program, ctxs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each question (``question_ctx``) with the documents it cites that are no longer in
    force («stale»): an admin sees it before the question goes out."""
    ids = [c["id"] for c in ctxs]
    marks = await citing.stale_marks(core, "question", ids, core.today(program))
    return [{**c, "stale": marks.get(c["id"], [])} for c in ctxs]


async def queue_view(core: Core, actor: Person, program: Program) -> Reply:
    """``/danhsach``: the plan of the coming sessions, the queue in order, the held questions;
    each question citing a document no longer in force is marked."""
    roles = await core.require(actor, program, *VIEWERS, action="queue")
    store = core.store
    queued = await store.bank_questions(program.id, ("queued",))
    held = await store.bank_questions(program.id, ("held",))
    plan = await _plan(core, program, queued)
    planned = [e["question"] for e in plan if e.get("question")]
    for e, q in zip(
        [e for e in plan if e.get("question")],
        await with_marks(core, program, planned),
        strict=True,
    ):
        e["question"] = q
    return Reply(
        "bank_queue",
        {
            "program": program_ctx(program),
            "plan": plan,
            "items": await with_marks(
                core,
                program,
                [
                    question_ctx(bq, program, rank)
                    for rank, bq in enumerate(queued[:QUEUE_SHOWN], start=1)
                ],
            ),
            "total": len(queued),
            "held": await with_marks(
                core, program, [question_ctx(bq, program) for bq in held[:HELD_SHOWN]]
            ),
            "held_total": len(held),
            "counts": await store.count_by_status(program.id),
            "warning": await store.queue_warning(program.id),
            "is_admin": "admin" in roles,
        },
    )


async def detail(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    """``/xemcauhoi <số>``: one question in full, with buttons for an admin."""
    roles = await core.require(actor, program, *VIEWERS, action="question_detail")
    if len(args) != 1:
        raise Refused("bank_usage", command="xemcauhoi")
    bq = await _find(core, program, parse_number(args[0]))
    return await _detail_reply(core, program, bq, "admin" in roles)


async def _detail_reply(
    core: Core, program: Program, bq: BankQuestion, is_admin: bool, confirm_retire: bool = False
) -> Reply:
    store = core.store
    rank = None
    if bq.question.status == "queued":
        order = [qid for qid, _ in await store.queue_order(program.id)]
        rank = order.index(bq.question.id) + 1 if bq.question.id in order else None
    used = await store.week_of_question(bq.question.id) if bq.question.status == "used" else None
    (ctx,) = await with_marks(core, program, [question_ctx(bq, program, rank, full=True)])
    ctx["used_date"] = used[1] if used else None
    buttons = await _buttons(core, program, bq, confirm_retire) if is_admin else ()
    return Reply(
        "bank_question",
        {"program": program_ctx(program), "question": ctx, "is_admin": is_admin},
        buttons=buttons,
    )


# -- changes --------------------------------------------------------------------------------------


async def _log(core: Core, actor: Person, program: Program, kind: str, detail: str) -> None:
    await core.store.log_event(
        kind, core.now(), program_id=program.id, actor_id=actor.id, detail=detail
    )
    state_change(program, None, kind, actor, detail=detail)


async def reorder(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    """``/xephang <số câu> <vị trí>``."""
    await core.require(actor, program, "admin", action="queue_move")
    if len(args) != 2:
        raise Refused("bank_usage", command="xephang")
    question_id, position = parse_number(args[0]), _position(args[1])
    return await _move(core, actor, program, question_id, position)


async def _move(
    core: Core, actor: Person, program: Program, question_id: int, position: int
) -> Reply:
    store = core.store
    async with store.transaction():
        bq = await _find(core, program, question_id)
        if bq.question.status != "queued":
            raise _wrong_status(bq, "move")
        order = [qid for qid, _ in await store.queue_order(program.id)]
        new_order = move(order, question_id, position)
        await store.set_positions(new_order)
        rank = new_order.index(question_id) + 1
        await _log(core, actor, program, "queue_moved", f"{question_id} to {rank}")
    core.program_changed(program.id)
    return Reply(
        "bank_moved",
        {
            "question": question_ctx(bq, program, rank),
            "position": rank,
            "asked": position,
            "total": len(new_order),
        },
    )


async def pin(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    """``/ghim <số câu> <dd/mm/yyyy>`` pins to that week's session; ``/ghim <số câu> huy``."""
    await core.require(actor, program, "admin", action="queue_pin")
    if len(args) != 2:
        raise Refused("bank_usage", command="ghim")
    question_id = parse_number(args[0])
    store, now = core.store, core.now()
    if fold_word(args[1]) in ("huy", "bo"):
        async with store.transaction():
            bq = await _find(core, program, question_id)
            if bq.pinned_week is None:
                raise Refused("bank_not_pinned", number=question_id)
            await store.set_pin(question_id, None)
            await _log(core, actor, program, "queue_unpinned", str(question_id))
        core.program_changed(program.id)
        return Reply("bank_unpinned", {"question": question_ctx(bq, program)})
    cfg = schedule_config(program)
    today = core.today(program)
    day = parse_date(args[1], today)
    plan = plan_week(cfg, day)
    refusal: dict[str, Any] = {"number": question_id, "date": day.isoformat(), "other": None}
    if plan.week < upcoming_plan(cfg, now).week:
        raise Refused("bank_pin_refused", reason="past", **refusal)
    if day > today + timedelta(days=MAX_PIN_DAYS):
        raise Refused("bank_pin_refused", reason="far", **refusal)
    async with store.transaction():
        bq = await _find(core, program, question_id)
        if bq.question.status != "queued":
            raise _wrong_status(bq, "pin")
        existing = await store.session_by_week(program.id, plan.week)
        if (existing is None and plan.session_date is None) or (
            existing is not None and existing.state == SessionState.SKIPPED
        ):
            holiday = existing.holiday if existing else plan.holiday
            raise Refused("bank_pin_refused", reason="skipped", holiday=holiday, **refusal)
        if existing is not None and existing.state != SessionState.SCHEDULED:
            raise Refused("bank_pin_refused", reason="published", **refusal)
        other = await store.pinned_to(program.id, plan.week)
        if other is not None and other.id != question_id:
            refusal["other"] = {"id": other.id, "text": other.text}
            raise Refused("bank_pin_refused", reason="taken", **refusal)
        await store.set_pin(question_id, plan.week)
        await _log(core, actor, program, "queue_pinned", f"{question_id} to {plan.week}")
    core.program_changed(program.id)
    session_date = existing.session_date if existing else plan.session_date
    assert session_date is not None
    return Reply(
        "bank_pinned",
        {
            "question": question_ctx(bq, program),
            "session_date": session_date.isoformat(),
            "asked": day.isoformat(),
        },
    )


async def _set_status(
    core: Core, actor: Person, program: Program, question_id: int, action: str
) -> tuple[BankQuestion, int]:
    """Hold, release or retire; returns the question as it was and its rank if queued now."""
    transitions = {
        "hold": (("queued",), "held"),
        "release": (("held",), "queued"),
        "retire": (("queued", "held"), "retired"),
    }
    allowed, status = transitions[action]
    store = core.store
    async with store.transaction():
        bq = await _find(core, program, question_id)
        if bq.question.status not in allowed or not await store.change_status(
            question_id, bq.question.status, status, to_end=action == "release"
        ):
            raise _wrong_status(bq, action)
        rank = len(await store.queue_order(program.id)) if action == "release" else 0
        await _log(core, actor, program, f"question_{action}", str(question_id))
    core.program_changed(program.id)
    return bq, rank


async def set_status(
    core: Core, actor: Person, program: Program, args: list[str], action: str
) -> Reply:
    """``/tamhoan``, ``/tieptuc``, ``/loai`` <số câu>."""
    command = {"hold": "tamhoan", "release": "tieptuc", "retire": "loai"}[action]
    await core.require(actor, program, "admin", action=f"question_{action}")
    if len(args) != 1:
        raise Refused("bank_usage", command=command)
    bq, rank = await _set_status(core, actor, program, parse_number(args[0]), action)
    return _status_done(program, bq, rank, action)


def _status_done(program: Program, bq: BankQuestion, rank: int, action: str) -> Reply:
    return Reply(
        DONE_TEMPLATES[action],
        {
            "question": question_ctx(bq, program),
            "position": rank,
            "was_pinned": bq.pinned_week is not None,
        },
    )


_TAG_CLEAR = ("xoa", "huy")


async def set_tags(core: Core, actor: Person, program: Program, text: str) -> Reply:
    """``/the <số câu> <thẻ, thẻ…>`` replaces a question's tags; ``/the <số câu> xoa`` clears."""
    await core.require(actor, program, "admin", action="question_tags")
    words = text.split(maxsplit=1)
    if len(words) != 2:
        raise Refused("bank_usage", command="the")
    number, rest = words
    question_id = parse_number(number)
    raw = clean_line(rest, LIMITS.max_tags + 1)
    tags = () if fold_word(raw) in _TAG_CLEAR else split_tags(raw)
    too_long = [t for t in tags if len(t) > LIMITS.max_tag]
    if len(join_tags(tags)) > LIMITS.max_tags or too_long:
        raise Refused("bank_tags_invalid", limit=LIMITS.max_tag, total=LIMITS.max_tags)
    store = core.store
    async with store.transaction():
        bq = await _find(core, program, question_id)
        if bq.question.status == "retired":
            raise _wrong_status(bq, "tags")
        await store.set_tags(question_id, tags)
        await _log(core, actor, program, "question_tags", f"{question_id}: {join_tags(tags)}")
    return Reply("bank_tags_done", {"question": question_ctx(bq, program), "tags": list(tags)})


# -- files ----------------------------------------------------------------------------------------


async def export_command(core: Core, actor: Person, program: Program, args: list[str]) -> FileReply:
    """``/xuatcauhoi [xlsx|csv|yaml]`` (xlsx when not said)."""
    await core.require(actor, program, "admin", action="export")
    fmt = fold_word(args[0]).lstrip(".") if args else "xlsx"
    if len(args) > 1 or fmt not in (*EXPORT_FORMATS, "yml"):
        raise Refused("bank_usage", command="xuatcauhoi")
    return await export_bank(core, actor, program, "yaml" if fmt == "yml" else fmt)


async def export_bank(core: Core, actor: Person | None, program: Program, fmt: str) -> FileReply:
    """Every question not retired, as a file: the queue in order, then held, then used ones.

    Statuses and pins are not written: importing the file into an empty program gives back the
    same questions in the same order, all queued.
    """
    if actor is not None:
        await core.require(actor, program, "admin", action="export")
    if fmt not in EXPORT_FORMATS:
        raise Refused("bank_usage", command="xuatcauhoi")
    store, now = core.store, core.now()
    bank = await store.bank_questions(program.id, ("queued", "held", "used"))
    drafts = [
        QuestionDraft(
            text=bq.question.text,
            topic=bq.question.topic,
            source_unit=bq.question.source_unit,
            legal_refs=bq.question.legal_refs,
            suggested_answer=bq.question.suggested_answer,
            tags=bq.tags,
        )
        for bq in bank
    ]
    filename = f"ngan_hang_cau_hoi_{program.id}_{core.today(program):%Y%m%d}.{fmt}"
    data = await off_loop(export_questions, filename, drafts)
    async with store.transaction():
        await store.log_event(
            "exported",
            now,
            program_id=program.id,
            actor_id=actor.id if actor else None,
            detail=f"{len(drafts)} to {filename}",
        )
    counts = {s: sum(1 for bq in bank if bq.question.status == s) for s in ("queued", "held")}
    return FileReply(
        filename,
        data,
        Reply(
            "bank_export_caption",
            {
                "program": program_ctx(program),
                "count": len(drafts),
                "queued": counts["queued"],
                "held": counts["held"],
                "used": len(drafts) - counts["queued"] - counts["held"],
            },
        ),
    )


async def template_file(core: Core, actor: Person, program: Program) -> FileReply:
    """``/maucauhoi``: the empty spreadsheet to fill in."""
    await core.require(actor, program, "admin", action="template")
    from questions.importer import template_xlsx  # openpyxl: loaded when first used

    data = await off_loop(template_xlsx)
    return FileReply("mau_cau_hoi.xlsx", data, Reply("bank_template_caption"))


# -- buttons on the detail view -------------------------------------------------------------------


async def _button(
    core: Core, text: str, kind: ActionKind, program: Program, question_id: int
) -> Button:
    return await mint(core, kind, text, program.id, Ref(question_id))


async def _buttons(core: Core, program: Program, bq: BankQuestion, confirm_retire: bool) -> Buttons:
    status, qid = bq.question.status, bq.question.id
    if status not in ("queued", "held"):
        return ()
    async with core.store.transaction():
        if confirm_retire:
            return (
                (
                    await _button(
                        core,
                        BUTTONS["bank_retire"].format(id=qid),
                        ActionKind.BANK_RETIRE,
                        program,
                        qid,
                    ),
                    await _button(core, BUTTONS["bank_keep"], ActionKind.BANK_VIEW, program, qid),
                ),
            )
        row: list[Button] = []
        if status == "queued":
            row.append(await _button(core, BUTTONS["bank_top"], ActionKind.BANK_TOP, program, qid))
            row.append(
                await _button(core, BUTTONS["bank_hold"], ActionKind.BANK_HOLD, program, qid)
            )
        else:
            row.append(
                await _button(core, BUTTONS["bank_release"], ActionKind.BANK_RELEASE, program, qid)
            )
        retire = await _button(
            core, BUTTONS["bank_retire_ask"], ActionKind.BANK_RETIRE_ASK, program, qid
        )
        return (tuple(row), (retire,))


async def _pressed(p: Press[Ref]) -> Outcome:
    """A press on a detail-view button: the short notice, and the detail view as it is now."""
    core, person, program, question_id = p.core, p.person, p.program, p.payload.id
    kind = p.action.kind
    notice: Reply
    if kind == ActionKind.BANK_TOP:
        notice = await _move(core, person, program, question_id, 1)
    elif kind in (ActionKind.BANK_HOLD, ActionKind.BANK_RELEASE, ActionKind.BANK_RETIRE):
        verb = kind.removeprefix("bank_")
        bq, rank = await _set_status(core, person, program, question_id, verb)
        notice = _status_done(program, bq, rank, verb)
    else:  # BANK_RETIRE_ASK, BANK_VIEW
        notice = Reply("bank_button_noted", {"kind": kind})
    bq = await _find(core, program, question_id)
    view = await _detail_reply(
        core, program, bq, True, confirm_retire=kind == ActionKind.BANK_RETIRE_ASK
    )
    return Outcome(Reply(notice.template, notice.context, toast=True), view)


for _kind in (
    ActionKind.BANK_TOP,
    ActionKind.BANK_HOLD,
    ActionKind.BANK_RELEASE,
    ActionKind.BANK_RETIRE,
    ActionKind.BANK_RETIRE_ASK,
    ActionKind.BANK_VIEW,
):
    register(_kind, Ref, _pressed, ttl=BUTTON_TTL, roles=("admin",))
