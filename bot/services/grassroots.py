"""Questions submitted by the grassroots (cơ sở) and the loop back to them.

An admin lets a grassroots asker in with an invite link (``/moi coso``); the asker gives a full
name and a unit and is approved like staff, but is kept in the ``askers`` table: never a member,
never sent the weekly question, never drawn. The asker submits questions with ``/hoi``; each one
goes to the program's admins, who accept it into the question bank (optionally rewording it and
setting its topic), merge it with an existing question, or decline it with a reason. The asker is
told every outcome, the session the question was scheduled for, and finally the leader's
conclusion: the official answer. Every such message is written in the transaction of the change
it reports.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.actions import ActionKind, Nothing, Press, Ref, Text, mint, register
from bot.args import parse_id, parse_int, shown
from bot.core import Core, Refused
from bot.models import (
    Action,
    Asker,
    Button,
    Buttons,
    Dialog,
    Message,
    Person,
    Program,
    Question,
    Reply,
    Session,
    SessionState,
    Submission,
)
from bot.services import citing, invites
from bot.services.bank import split_duplicates, stale_questions
from bot.services.context import (
    local,
    person_ctx,
    program_ctx,
    program_picker,
    question_ctx,
    session_ctx,
)
from bot.services.delivery import owe_one
from bot.services.invites import InviteRequest
from bot.services.step import state_change
from bot.text import clean_line, clean_lines, fold_word, has_control_chars
from bot.words import ASKER_LABEL, BUTTONS, SUBMISSION_STATUS_LABELS
from questions.model import DEFAULT_TOPIC, LIMITS, STANDARD_TOPICS, QuestionDraft

log = logging.getLogger("hoidap.grassroots")

# Words after /moi that make an asker invite (compared without diacritics or spaces).
ASKER_WORDS = frozenset({"coso", "cs"})
INVITE_PREFIX = "cs_"

DEFAULT_DAILY_LIMIT = 3
MAX_DAILY_LIMIT = 20
MIN_TEXT_CHARS = LIMITS.min_text
MAX_TEXT_CHARS = LIMITS.max_text
MIN_UNIT_CHARS = 3
MAX_UNIT_CHARS = LIMITS.max_source_unit
MIN_TOPIC_CHARS = 2
MAX_TOPIC_CHARS = LIMITS.max_topic
MIN_REASON_CHARS = 3
MAX_REASON_CHARS = 500

# Dialog kinds of this area (dispatched here from bot/services/interact.py).
DIALOG_KINDS = frozenset({"ask_onboard", "ask", "gr_edit", "gr_merge", "gr_decline"})

STATUS_LABELS = SUBMISSION_STATUS_LABELS


# -- pure helpers ---------------------------------------------------------------------------------


def day_window(now: datetime, tz: str) -> tuple[datetime, datetime]:
    """The local calendar day (in ``tz``) that contains ``now``: [midnight, next midnight)."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def count_in_day(times: Iterable[datetime], now: datetime, tz: str) -> int:
    """How many of ``times`` fall on the same local day as ``now``."""
    start, end = day_window(now, tz)
    return sum(1 for t in times if start <= t < end)


def question_problem(raw: str) -> tuple[str, Reply | None]:
    """The cleaned question text, and what is wrong with it (None when it is acceptable)."""
    if has_control_chars(raw):
        return "", Reply("grassroots_control_chars")
    text = clean_lines(raw)
    if len(text) < MIN_TEXT_CHARS:
        return text, Reply("grassroots_text_short", {"min": MIN_TEXT_CHARS})
    if len(text) > MAX_TEXT_CHARS:
        return text, Reply("text_too_long", {"limit": MAX_TEXT_CHARS, "length": len(text)})
    return text, None


def line_problem(raw: str, low: int, high: int, template: str) -> tuple[str, Reply | None]:
    """One line of text (a unit, a topic, a reason): cleaned, and what is wrong with it."""
    if has_control_chars(raw.replace("\n", " ")):
        return "", Reply("grassroots_control_chars")
    value = clean_line(raw, high + 1)
    if not low <= len(value) <= high:
        return value, Reply(template, {"min": low, "limit": high})
    return value, None


# -- context --------------------------------------------------------------------------------------


def submission_ctx(sub: Submission, program: Program) -> dict[str, Any]:
    return {
        "id": sub.id,
        "unit": sub.unit,
        "text": sub.text,
        "status": sub.status,
        "status_label": STATUS_LABELS[sub.status],
        "question_id": sub.question_id,
        "reason": sub.reason,
        "created_at": local(sub.created_at, program),
    }


def asker_ctx(a: Asker) -> dict[str, Any]:
    return {
        "id": a.person.id,
        "name": a.person.display_name,
        "username": a.person.username,
        "unit": a.unit,
        "status": a.status,
    }


# -- shared plumbing ------------------------------------------------------------------------------


async def _program(core: Core, program_id: int | None) -> Program:
    program = await core.store.program(program_id) if program_id else None
    if program is None:
        raise Refused("button_invalid")
    return program


async def refresh_menu(core: Core, person: Person) -> None:
    await core.roles_changed(person)


async def daily_limit(core: Core, program: Program) -> int:
    return await core.store.grassroots_daily_limit(program.id) or DEFAULT_DAILY_LIMIT


async def _check_limit(core: Core, program: Program, person: Person) -> tuple[int, int]:
    """(submitted today, daily limit); refuses when the limit is reached."""
    limit = await daily_limit(core, program)
    now = core.now()
    times = await core.store.submission_times(program.id, person.id, limit=MAX_DAILY_LIMIT * 5)
    used = count_in_day(times, now, program.tz)
    if used >= limit:
        _, reset = day_window(now, program.tz)
        raise Refused("grassroots_limit", limit=limit, used=used, reset_at=reset.isoformat())
    return used, limit


# -- letting askers in ----------------------------------------------------------------------------


async def create_invite(
    core: Core, actor: Person, program: Program, request: InviteRequest, bot_username: str
) -> Reply:
    """``/moi coso [duyet] [N]``: an invite link for N grassroots askers (one unless asked)."""
    await core.require(actor, program, "admin", action="invite")
    if any(word not in ASKER_WORDS for word in request.words):
        return Reply("invite_usage")
    token = secrets.token_urlsafe(12)
    store, now = core.store, core.now()
    expires = now + invites.lifetime("asker", request.preapproved, request.uses)
    async with store.transaction():
        await store.create_asker_invite(
            token, program.id, request.preapproved, actor.id, expires, request.uses
        )
        await store.log_event(
            "invite",
            now,
            program_id=program.id,
            actor_id=actor.id,
            detail=f"asker:{int(request.preapproved)}:{request.uses}",
        )
    link = f"https://t.me/{bot_username}?start={INVITE_PREFIX}{token}"
    return Reply(
        "grassroots_invite_done",
        {
            "program": program_ctx(program),
            "link": link,
            "preapproved": request.preapproved,
            "uses": request.uses,
            "expires_at": local(expires, program),
        },
        buttons=((Button(BUTTONS["open_invite"], url=link),),),
    )


async def on_start(core: Core, person: Person, payload: str | None) -> Reply | None:
    """``/start``: an asker invite, or a person who is only an asker. None: not ours."""
    store = core.store
    if payload and payload.startswith(INVITE_PREFIX):
        return await _start_invite(core, person, payload[len(INVITE_PREFIX) :])
    if payload or person.is_superadmin:
        return None
    if any(m.status in ("active", "pending") for m in await store.memberships(person.id)):
        return None
    askers = await store.askers_of(person.id)
    active = [a for a in askers if a.status == "active"]
    if active:
        await refresh_menu(core, person)
        programs = [p for p in await store.programs() if p.id in {a.program_id for a in active}]
        return Reply(
            "grassroots_welcome",
            {"name": person.display_name, "programs": [program_ctx(p) for p in programs]},
        )
    if any(a.status == "pending" for a in askers):
        return Reply("grassroots_onboard_pending")
    return None


async def _start_invite(core: Core, person: Person, token: str) -> Reply:
    store, now = core.store, core.now()
    invite = await store.asker_invite(token) if 0 < len(token) <= 64 else None
    reason = invites.unusable(invite, now)
    if reason is not None:
        return Reply("invite_invalid", {"reason": reason})
    assert invite is not None
    program = await store.program(invite["program_id"])
    if program is None or not program.active:
        return Reply("invite_invalid", {"reason": "unknown"})
    existing = await store.asker(program.id, person.id)
    if existing is not None and existing.status == "active":
        return Reply("grassroots_already_asker", {"program": program_ctx(program)})
    if existing is not None and existing.status == "pending":
        return Reply("grassroots_onboard_pending")
    async with store.transaction():
        await store.set_dialog(
            person.id, "ask_onboard", program.id, None, {"step": "name", "invite": token}, now
        )
    return Reply(
        "grassroots_onboard_name",
        {"program": program_ctx(program), "suggested": person.full_name or person.tg_name},
    )


async def _onboarding_text(core: Core, person: Person, dialog: Dialog, text: str) -> Reply:
    store, now = core.store, core.now()
    program = await store.program(dialog.program_id) if dialog.program_id else None
    step = dialog.data.get("step")
    if program is None or step not in ("name", "unit"):
        async with store.transaction():
            await store.clear_dialog(person.id)
        return Reply("dialog_cancelled")
    if step == "name":
        name = invites.read_name(text)
        if name is None:
            return Reply("onboard_bad_name", {"limit": invites.MAX_NAME_CHARS})
        async with store.transaction():
            await store.set_dialog(
                person.id,
                "ask_onboard",
                program.id,
                None,
                {**dialog.data, "step": "unit", "name": name},
                now,
            )
        return Reply("grassroots_onboard_unit", {"name": name, "limit": MAX_UNIT_CHARS})
    unit, problem = line_problem(text, MIN_UNIT_CHARS, MAX_UNIT_CHARS, "grassroots_bad_unit")
    if problem is not None:
        return problem
    return await _finish_onboarding(core, person, program, dialog.data, unit)


async def _finish_onboarding(
    core: Core, person: Person, program: Program, data: dict[str, Any], unit: str
) -> Reply:
    store, now = core.store, core.now()
    name = str(data.get("name") or person.display_name)
    invite = await store.asker_invite(str(data.get("invite", "")))
    async with store.transaction():
        await store.clear_dialog(person.id)
        if invite is None or invite["program_id"] != program.id:
            return Reply("invite_invalid", {"reason": "unknown"})
        before = await store.asker(program.id, person.id)
        # An asker stopped or refused before never gets back in through a link alone.
        returning = before is not None and before.status in ("inactive", "rejected")
        uses = None if returning else await store.use_asker_invite(invite["token"], now)
        if uses is None and not returning:
            return Reply("invite_invalid", {"reason": invites.unusable(invite, now) or "used_up"})
        await store.set_full_name(person.id, name)
        await store.set_current_program(person.id, program.id)
        person = await store.person(person.id) or person
        active = bool(invite["preapproved"]) and not returning
        await store.upsert_asker(
            program.id, person.id, unit, "active" if active else "pending", now
        )
        if active:
            admins = await core.admins(program)
            await invites.tell_admins_of_use(
                core, program, person, invite, uses or 0, ASKER_LABEL, admins
            )
        await store.log_event(
            "asker_approved" if active else "asker_requested",
            now,
            program_id=program.id,
            actor_id=invite["created_by"] if active else person.id,
            detail=f"{'invite:' if active else ''}{person.id}",
        )
        ctx = {"program": program_ctx(program), "name": name, "unit": unit}
        if active:
            state_change(program, None, "asker_approved", person, via="invite")
        else:
            request_ctx = {
                **ctx,
                "username": person.username,
                "person_id": person.id,
                "invite": await invites.invite_ctx(core, invite, uses) if uses else None,
            }
            for admin in await core.admins(program):
                approve = await mint(
                    core, ActionKind.GR_ASKER_OK, BUTTONS["approve"], program.id, Ref(person.id)
                )
                reject = await mint(
                    core, ActionKind.GR_ASKER_NO, BUTTONS["reject"], program.id, Ref(person.id)
                )
                await owe_one(
                    core,
                    admin.tg_user_id,
                    "grassroots_approve_request",
                    request_ctx,
                    buttons=((approve, reject),),
                )
            state_change(program, None, "asker_requested", person)
    if active:
        refreshed = await store.person(person.id)
        await refresh_menu(core, refreshed or person)
        return Reply("grassroots_onboard_active", ctx)
    return Reply("grassroots_onboard_submitted", ctx)


async def decide_asker(
    core: Core, actor: Person, program: Program, person_id: int, approve: bool
) -> Reply:
    await core.require(actor, program, "admin", action="approve_asker")
    store, now = core.store, core.now()
    async with store.transaction():
        asker = await store.asker(program.id, person_id)
        if asker is None:
            raise Refused("button_invalid")
        status = "active" if approve else "rejected"
        if not await store.set_asker_status(
            program.id, person_id, status, "pending", actor.id, now
        ):
            return Reply(
                "decision_already",
                {"name": asker.person.display_name, "status": asker.status},
                toast=True,
            )
        kind = "asker_approved" if approve else "asker_rejected"
        await store.log_event(
            kind, now, program_id=program.id, actor_id=actor.id, detail=str(person_id)
        )
        await owe_one(
            core,
            asker.person.tg_user_id,
            "grassroots_onboard_decided",
            {"program": program_ctx(program), "approved": approve, "unit": asker.unit},
        )
        state_change(program, None, kind, actor, person=person_id)
    if approve:
        await refresh_menu(core, asker.person)
    return Reply(
        "decision_done", {"name": asker.person.display_name, "approved": approve}, toast=True
    )


# -- asking ---------------------------------------------------------------------------------------


async def _asker_program(core: Core, person: Person) -> tuple[Program, Asker] | Reply:
    """The program the asker asks in: the chosen one, or the only one; else offer a choice."""
    store = core.store
    askers = {a.program_id: a for a in await store.askers_of(person.id) if a.status == "active"}
    programs = [p for p in await store.programs() if p.id in askers]
    if not programs:
        raise Refused("grassroots_not_asker")
    for p in programs:
        if p.id == person.current_program_id:
            return p, askers[p.id]
    if len(programs) == 1:
        return programs[0], askers[programs[0].id]
    return await program_picker(core, programs, ActionKind.GR_PICK, "grassroots_pick_program")


async def ask(core: Core, person: Person, text: str) -> Reply:
    """``/hoi`` (a dialog) or ``/hoi <nội dung>`` (straight to the confirmation)."""
    resolved = await _asker_program(core, person)
    if isinstance(resolved, Reply):
        return resolved
    program, asker = resolved
    used, limit = await _check_limit(core, program, person)
    if text.strip():
        return await _take_text(core, person, program, asker.unit, text)
    async with core.store.transaction():
        await core.store.set_dialog(
            person.id, "ask", program.id, None, {"step": "text"}, core.now()
        )
    return Reply(
        "grassroots_ask_text",
        {
            "program": program_ctx(program),
            "min": MIN_TEXT_CHARS,
            "limit": MAX_TEXT_CHARS,
            "left": limit - used,
        },
    )


async def _take_text(core: Core, person: Person, program: Program, unit: str, raw: str) -> Reply:
    text, problem = question_problem(raw)
    if problem is not None:
        return problem
    return await _confirm(core, person, program, text, unit)


async def _confirm(core: Core, person: Person, program: Program, text: str, unit: str) -> Reply:
    """Show what will be sent, with «Gửi» / «Hủy»; a typed line now changes the unit."""
    nonce = secrets.token_hex(4)
    store = core.store
    async with store.transaction():
        await store.set_dialog(
            person.id,
            "ask",
            program.id,
            None,
            {"step": "confirm", "text": text, "unit": unit, "nonce": nonce},
            core.now(),
        )
        send = await mint(core, ActionKind.GR_SEND, BUTTONS["send"], program.id, Text(nonce))
        cancel = await mint(core, ActionKind.GR_CANCEL, BUTTONS["cancel"], program.id, Text(nonce))
    return Reply(
        "grassroots_ask_confirm",
        {"program": program_ctx(program), "text": text, "unit": unit, "limit": MAX_UNIT_CHARS},
        buttons=((send, cancel),),
    )


async def _ask_text(core: Core, person: Person, dialog: Dialog, text: str) -> Reply:
    store = core.store
    program = await store.program(dialog.program_id) if dialog.program_id else None
    asker = await store.asker(program.id, person.id) if program else None
    if program is None or asker is None or asker.status != "active":
        async with store.transaction():
            await store.clear_dialog(person.id)
        raise Refused("grassroots_not_asker")
    if dialog.data.get("step") == "confirm":
        unit, problem = line_problem(text, MIN_UNIT_CHARS, MAX_UNIT_CHARS, "grassroots_bad_unit")
        if problem is not None:
            return problem
        return await _confirm(core, person, program, str(dialog.data.get("text", "")), unit)
    return await _take_text(core, person, program, asker.unit, text)


async def _ask_dialog(core: Core, person: Person, action: Action) -> tuple[Program, Dialog]:
    """The asker's open confirmation that this button belongs to."""
    program = await _program(core, action.program_id)
    dialog = await core.store.dialog(person.id)
    if (
        dialog is None
        or dialog.kind != "ask"
        or dialog.program_id != program.id
        or dialog.data.get("step") != "confirm"
        or dialog.data.get("nonce") != action.target
    ):
        raise Refused("button_invalid")
    return program, dialog


async def submit(core: Core, person: Person, action: Action) -> Reply:
    """«Gửi»: store the submission and put it before the program's admins."""
    program, dialog = await _ask_dialog(core, person, action)
    store, now = core.store, core.now()
    text, unit = str(dialog.data["text"]), str(dialog.data["unit"])
    async with store.transaction():
        asker = await store.asker(program.id, person.id)
        if asker is None or asker.status != "active":
            raise Refused("grassroots_not_asker")
        used, limit = await _check_limit(core, program, person)
        if not await store.use_action(action.token, now):
            raise Refused("button_used")
        sid = await store.add_submission(program.id, person.id, unit, text, now)
        await citing.record(core, program.id, "submission", sid, core.today(program), text=text)
        await store.clear_dialog(person.id)
        await store.log_event(
            "submitted", now, program_id=program.id, actor_id=person.id, detail=str(sid)
        )
        sub = await store.submission(sid)
        assert sub is not None
        ctx = await _review_ctx(core, program, sub, person)
        for admin in await core.admins(program):
            await owe_one(
                core,
                admin.tg_user_id,
                "grassroots_review",
                ctx,
                buttons=await _review_buttons(core, program, sid),
            )
        state_change(program, None, "submitted", person, submission=sid)
    return Reply(
        "grassroots_submitted",
        {
            "program": program_ctx(program),
            "submission": submission_ctx(sub, program),
            "left": limit - used - 1,
            "limit": limit,
        },
    )


async def cancel_ask(core: Core, person: Person, action: Action) -> Reply:
    await _ask_dialog(core, person, action)
    async with core.store.transaction():
        await core.store.clear_dialog(person.id)
    return Reply("dialog_cancelled")


async def pick_program(core: Core, person: Person, program_id: int) -> Reply:
    program = await _program(core, program_id)
    asker = await core.store.asker(program.id, person.id)
    if asker is None or asker.status != "active":
        raise Refused("grassroots_not_asker")
    async with core.store.transaction():
        await core.store.set_current_program(person.id, program.id)
    return Reply("grassroots_program_chosen", {"program": program_ctx(program)})


async def my_submissions(core: Core, person: Person) -> Reply:
    """``/cuatoi``: the asker's latest submissions and where each one stands."""
    items = []
    for row in await core.store.submissions_of(person.id, limit=10):
        sub: Submission = row["submission"]
        program = await core.store.program(sub.program_id)
        if program is None:
            continue
        items.append(
            {
                **submission_ctx(sub, program),
                "program_title": row["program_title"],
                "session_date": row["session_date"],
                "session_state": row["session_state"],
                "answered": sub.answered_at is not None,
            }
        )
    programs = {i["program_title"] for i in items}
    return Reply("grassroots_mine", {"items": items, "many_programs": len(programs) > 1})


# -- moderation -----------------------------------------------------------------------------------


async def _review_ctx(
    core: Core, program: Program, sub: Submission, asker: Person | None = None
) -> dict[str, Any]:
    person = asker or await core.store.person(sub.person_id)
    return {
        "program": program_ctx(program),
        "submission": submission_ctx(sub, program),
        "asker": {
            "name": person.display_name if person else "?",
            "username": person.username if person else None,
            "id": sub.person_id,
        },
    }


async def _review_buttons(core: Core, program: Program, sid: int) -> Buttons:
    target = Ref(sid)
    accept = await mint(core, ActionKind.GR_ACCEPT, BUTTONS["accept"], program.id, target)
    edit = await mint(core, ActionKind.GR_EDIT, BUTTONS["edit_accept"], program.id, target)
    merge = await mint(core, ActionKind.GR_MERGE, BUTTONS["merge"], program.id, target)
    decline = await mint(core, ActionKind.GR_DECLINE, BUTTONS["reject"], program.id, target)
    return ((accept, edit), (merge, decline))


async def _submission(core: Core, program: Program, sid: int) -> Submission:
    sub = await core.store.submission(sid)
    if sub is None or sub.program_id != program.id:
        raise Refused("button_invalid")
    return sub


async def _already(core: Core, program: Program, sub: Submission) -> Reply:
    by = await core.store.person(sub.decided_by) if sub.decided_by else None
    return Reply(
        "grassroots_already_decided",
        {
            "submission": submission_ctx(sub, program),
            "by": person_ctx(by) if by else None,
        },
        toast=True,
    )


async def _clear_moderation(core: Core, actor: Person, sid: int) -> None:
    dialog = await core.store.dialog(actor.id)
    if dialog is not None and dialog.kind in DIALOG_KINDS and dialog.data.get("submission") == sid:
        await core.store.clear_dialog(actor.id)


async def review(core: Core, actor: Person, program: Program, sid: int) -> Reply:
    """The moderation card of one submission, with its buttons (from ``/hoicho``)."""
    await core.require(actor, program, "admin", action="moderate")
    sub = await _submission(core, program, sid)
    if sub.status != "pending":
        return await _already(core, program, sub)
    async with core.store.transaction():
        buttons = await _review_buttons(core, program, sid)
    return Reply("grassroots_review", await _review_ctx(core, program, sub), buttons=buttons)


async def start_moderation(
    core: Core, actor: Person, program: Program, sid: int, kind: str
) -> Reply:
    """«Sửa rồi nhận», «Gộp» or «Từ chối»: ask the admin for the wording, number or reason."""
    await core.require(actor, program, "admin", action="moderate")
    store, now = core.store, core.now()
    sub = await _submission(core, program, sid)
    if sub.status != "pending":
        return await _already(core, program, sub)
    ctx: dict[str, Any] = {"submission": submission_ctx(sub, program)}
    buttons: Buttons = ()
    async with store.transaction():
        await store.set_dialog(
            actor.id, kind, program.id, None, {"submission": sid, "step": "text"}, now
        )
        if kind == "gr_edit":
            keep = await mint(core, ActionKind.GR_KEEP, BUTTONS["keep_text"], program.id, Ref(sid))
            buttons = ((keep,),)
    if kind == "gr_edit":
        ctx["limit"] = MAX_TEXT_CHARS
        return Reply("grassroots_edit_prompt", ctx, buttons=buttons)
    if kind == "gr_merge":
        ctx["queued"] = [
            {"id": q.id, "text": q.text, "topic": q.topic}
            for q in await store.queued_questions(program.id, limit=15)
        ]
        ctx["used"] = [
            {"id": q.id, "text": q.text, "topic": q.topic}
            for q in await store.recently_used_questions(program.id, limit=5)
        ]
        return Reply("grassroots_merge_prompt", ctx)
    ctx["limit"] = MAX_REASON_CHARS
    return Reply("grassroots_decline_prompt", ctx)


async def _topic_step(core: Core, actor: Person, program: Program, sid: int, text: str) -> Reply:
    buttons = []
    async with core.store.transaction():
        await core.store.set_dialog(
            actor.id,
            "gr_edit",
            program.id,
            None,
            {"submission": sid, "step": "topic", "text": text},
            core.now(),
        )
        for t in STANDARD_TOPICS:
            buttons.append((await mint(core, ActionKind.GR_TOPIC, t, program.id, Text(t)),))
    return Reply(
        "grassroots_topic", {"text": text, "limit": MAX_TOPIC_CHARS}, buttons=tuple(buttons)
    )


async def _moderation_dialog(
    core: Core, actor: Person, action: Action, step: str
) -> tuple[Program, Dialog]:
    program = await _program(core, action.program_id)
    dialog = await core.store.dialog(actor.id)
    if (
        dialog is None
        or dialog.kind != "gr_edit"
        or dialog.program_id != program.id
        or dialog.data.get("step") != step
    ):
        raise Refused("button_expired")
    return program, dialog


async def accept(
    core: Core,
    actor: Person,
    program: Program,
    sid: int,
    text: str | None = None,
    topic: str = DEFAULT_TOPIC,
    token: str | None = None,
) -> Reply:
    """Put the submission in the question bank's queue (reworded if ``text`` is given)."""
    await core.require(actor, program, "admin", action="moderate")
    store, now = core.store, core.now()
    async with store.transaction():
        sub = await _submission(core, program, sid)
        if sub.status != "pending":
            await _clear_moderation(core, actor, sid)
            return await _already(core, program, sub)
        if token is not None and not await store.use_action(token, now):
            raise Refused("button_used")
        final = text or sub.text
        draft = QuestionDraft(final, topic, sub.unit)
        _, duplicates = split_duplicates([draft], await store.question_texts(program.id))
        if duplicates:
            # The bank already has it: the asker is better served by "Gộp" with that question.
            dup = duplicates[0]
            raise Refused("grassroots_accept_duplicate", id=dup.existing_id, text=dup.existing_text)
        qid = await store.add_question(
            program.id, final, topic, sub.unit, None, None, actor.id, now
        )
        await citing.record(core, program.id, "question", qid, core.today(program), text=final)
        if not await store.decide_submission(sid, "accepted", actor.id, now, question_id=qid):
            raise Refused("button_used")
        await _clear_moderation(core, actor, sid)
        await store.log_event(
            "submission_accepted",
            now,
            program_id=program.id,
            actor_id=actor.id,
            detail=f"{sid}:{qid}",
        )
        question = await store.question(qid)
        ahead = await store.queued_ahead(program.id, qid)
        asker = await store.person(sub.person_id)
        ctx = {
            "program": program_ctx(program),
            "submission": submission_ctx(sub, program),
            "question": question_ctx(question),
            "edited": final != sub.text,
            "ahead": ahead,
        }
        if asker is not None:
            await owe_one(core, asker.tg_user_id, "grassroots_accepted", ctx)
        state_change(program, None, "submission_accepted", actor, submission=sid, question=qid)
    core.program_changed(program.id)
    stale = await stale_questions(core, program, [qid])
    return Reply("grassroots_accept_done", {**ctx, "asker": person_ctx(asker), "stale": stale})


async def merge(core: Core, actor: Person, program: Program, sid: int, ref: str) -> Reply:
    """Link the submission to an existing question; its asker hears about that question."""
    await core.require(actor, program, "admin", action="moderate")
    try:
        question_id = parse_id(ref, what="question")
    except Refused:  # the dialog stays open: say how to go on or leave it
        return Reply("grassroots_merge_bad", {"ref": shown(ref)})
    store, now = core.store, core.now()
    question = await store.question(question_id)
    if question is None or question.program_id != program.id or question.status == "retired":
        return Reply("grassroots_merge_missing", {"ref": question_id})
    async with store.transaction():
        sub = await _submission(core, program, sid)
        if sub.status != "pending":
            await _clear_moderation(core, actor, sid)
            return await _already(core, program, sub)
        if not await store.decide_submission(sid, "merged", actor.id, now, question_id=question.id):
            raise Refused("button_used")
        await _clear_moderation(core, actor, sid)
        await store.log_event(
            "submission_merged",
            now,
            program_id=program.id,
            actor_id=actor.id,
            detail=f"{sid}:{question.id}",
        )
        found = await store.latest_session_of_question(question.id)
        session = await store.session(int(found["id"])) if found else None
        asker = await store.person(sub.person_id)
        ctx = {
            "program": program_ctx(program),
            "submission": submission_ctx(sub, program),
            "question": question_ctx(question),
            "session": session_ctx(session, program) if session else None,
        }
        if asker is not None:
            await owe_one(core, asker.tg_user_id, "grassroots_merged", ctx)
            if session is not None and session.state == SessionState.CONCLUDED:
                # Already answered: the official answer goes out at once.
                await owe_one(
                    core,
                    asker.tg_user_id,
                    "grassroots_answer",
                    await _answer_ctx(core, program, session, question, [sub.id]),
                )
                await store.mark_submissions_answered([sub.id], now)
        state_change(
            program, None, "submission_merged", actor, submission=sid, question=question.id
        )
    return Reply("grassroots_merge_done", {**ctx, "asker": person_ctx(asker)})


async def decline(core: Core, actor: Person, program: Program, sid: int, raw: str) -> Reply:
    """Decline with a reason; the asker is told the reason."""
    await core.require(actor, program, "admin", action="moderate")
    reason, problem = line_problem(raw, MIN_REASON_CHARS, MAX_REASON_CHARS, "grassroots_bad_reason")
    if problem is not None:
        return problem
    store, now = core.store, core.now()
    async with store.transaction():
        sub = await _submission(core, program, sid)
        if sub.status != "pending":
            await _clear_moderation(core, actor, sid)
            return await _already(core, program, sub)
        if not await store.decide_submission(sid, "declined", actor.id, now, reason=reason):
            raise Refused("button_used")
        await _clear_moderation(core, actor, sid)
        await store.log_event(
            "submission_declined", now, program_id=program.id, actor_id=actor.id, detail=str(sid)
        )
        asker = await store.person(sub.person_id)
        ctx = {
            "program": program_ctx(program),
            "submission": submission_ctx(sub, program),
            "reason": reason,
        }
        if asker is not None:
            await owe_one(core, asker.tg_user_id, "grassroots_declined", ctx)
        state_change(program, None, "submission_declined", actor, submission=sid)
    return Reply("grassroots_decline_done", {**ctx, "asker": person_ctx(asker)})


async def _moderation_text(core: Core, actor: Person, dialog: Dialog, text: str) -> Reply:
    program = await core.store.program(dialog.program_id) if dialog.program_id else None
    sid = dialog.data.get("submission")
    if program is None or not isinstance(sid, int):
        async with core.store.transaction():
            await core.store.clear_dialog(actor.id)
        return Reply("dialog_cancelled")
    if dialog.kind == "gr_merge":
        return await merge(core, actor, program, sid, text)
    if dialog.kind == "gr_decline":
        return await decline(core, actor, program, sid, text)
    await core.require(actor, program, "admin", action="moderate")
    if dialog.data.get("step") == "topic":
        topic, problem = line_problem(
            text, MIN_TOPIC_CHARS, MAX_TOPIC_CHARS, "grassroots_bad_topic"
        )
        if problem is not None:
            return problem
        return await accept(core, actor, program, sid, str(dialog.data["text"]), topic)
    wording, problem = question_problem(text)
    if problem is not None:
        return problem
    sub = await _submission(core, program, sid)
    if sub.status != "pending":
        async with core.store.transaction():
            await _clear_moderation(core, actor, sid)
        return await _already(core, program, sub)
    return await _topic_step(core, actor, program, sid, wording)


# -- dispatch (from bot/services/interact.py) -----------------------------------------------------


async def dialog_text(core: Core, person: Person, dialog: Dialog, text: str) -> Reply:
    """Free text while one of this area's dialogs is open."""
    if dialog.kind == "ask_onboard":
        return await _onboarding_text(core, person, dialog, text)
    if dialog.kind == "ask":
        return await _ask_text(core, person, dialog, text)
    return await _moderation_text(core, person, dialog, text)


async def _keep_pressed(p: Press[Ref]) -> Reply:
    """«Giữ nguyên nội dung»: accept the wording as sent; on to the topic."""
    core, person = p.core, p.person
    await core.require(person, p.program, "admin", action="moderate")
    program, dialog = await _moderation_dialog(core, person, p.action, "text")
    sid = p.payload.id
    if dialog.data.get("submission") != sid:
        raise Refused("button_expired")
    sub = await _submission(core, program, sid)
    if sub.status != "pending":
        return await _already(core, program, sub)
    return await _topic_step(core, person, program, sid, sub.text)


async def _topic_pressed(p: Press[Text]) -> Reply:
    core, person = p.core, p.person
    await core.require(person, p.program, "admin", action="moderate")
    program, dialog = await _moderation_dialog(core, person, p.action, "topic")
    topic = clean_line(p.payload.value, MAX_TOPIC_CHARS) or DEFAULT_TOPIC
    return await accept(
        core, person, program, int(dialog.data["submission"]), str(dialog.data["text"]), topic
    )


def _moderation_pressed(kind: str) -> Callable[[Press[Ref]], Awaitable[Reply]]:
    async def pressed(p: Press[Ref]) -> Reply:
        return await start_moderation(p.core, p.person, p.program, p.payload.id, kind)

    return pressed


def _decision_pressed(approve: bool) -> Callable[[Press[Ref]], Awaitable[Reply]]:
    async def pressed(p: Press[Ref]) -> Reply:
        return await decide_asker(p.core, p.person, p.program, p.payload.id, approve=approve)

    return pressed


async def _send_pressed(p: Press[Text]) -> Reply:
    return await submit(p.core, p.person, p.action)


async def _cancel_pressed(p: Press[Text]) -> Reply:
    return await cancel_ask(p.core, p.person, p.action)


async def _pick_pressed(p: Press[Nothing]) -> Reply:
    return await pick_program(p.core, p.person, p.program.id)


async def _accept_pressed(p: Press[Ref]) -> Reply:
    return await accept(p.core, p.person, p.program, p.payload.id, token=p.action.token)


async def _review_pressed(p: Press[Ref]) -> Reply:
    return await review(p.core, p.person, p.program, p.payload.id)


DAY = timedelta(days=1)
# Single use: «Gửi» and «Nhận» take their token in the transaction of the change (use_action).
register(ActionKind.GR_SEND, Text, _send_pressed, ttl=DAY, single_use=True)
register(ActionKind.GR_CANCEL, Text, _cancel_pressed, ttl=DAY)
register(ActionKind.GR_PICK, Nothing, _pick_pressed, ttl=DAY)
register(ActionKind.GR_ASKER_OK, Ref, _decision_pressed(True))
register(ActionKind.GR_ASKER_NO, Ref, _decision_pressed(False))
register(ActionKind.GR_ACCEPT, Ref, _accept_pressed, single_use=True)
register(ActionKind.GR_EDIT, Ref, _moderation_pressed("gr_edit"))
register(ActionKind.GR_MERGE, Ref, _moderation_pressed("gr_merge"))
register(ActionKind.GR_DECLINE, Ref, _moderation_pressed("gr_decline"))
register(ActionKind.GR_REVIEW, Ref, _review_pressed, ttl=DAY)
register(ActionKind.GR_KEEP, Ref, _keep_pressed, ttl=DAY)
register(ActionKind.GR_TOPIC, Text, _topic_pressed, ttl=DAY)


# -- hooks of the weekly cycle --------------------------------------------------------------------


async def on_published(
    core: Core, program: Program, session: Session, question: Question
) -> list[Message]:
    """The messages telling the askers of ``question`` which session it was scheduled for
    (written by the publication's step)."""
    store = core.store
    by_person: dict[int, list[int]] = {}
    for sub in await store.submissions_for_question(question.id):
        by_person.setdefault(sub.person_id, []).append(sub.id)
    owed = []
    for person_id, ids in by_person.items():
        person = await store.person(person_id)
        if person is None:
            continue
        ctx = {
            "program": program_ctx(program),
            "session": session_ctx(session, program),
            "question": question_ctx(question),
            "submissions": ids,
        }
        owed.append(Message(person.tg_user_id, "grassroots_scheduled", ctx))
    return owed


async def _answer_ctx(
    core: Core, program: Program, session: Session, question: Question | None, ids: list[int]
) -> dict[str, Any]:
    leader = await core.store.person(session.concluded_by) if session.concluded_by else None
    return {
        "program": program_ctx(program),
        "session": session_ctx(session, program),
        "question": question_ctx(question),
        "conclusion": session.conclusion or "",
        "leader": person_ctx(leader) if leader else None,
        "submissions": ids,
    }


async def deliver_conclusion(core: Core, program: Program, session: Session) -> list[Message]:
    """The official answer for whoever asked this question, its submissions marked answered
    (inside the conclusion's step, with the session as it is after the conclusion; the step
    writes the messages returned)."""
    if session.question_id is None:
        return []
    store, now = core.store, core.now()
    subs = await store.submissions_for_question(session.question_id)
    if not subs:
        return []
    question = await store.question(session.question_id)
    by_person: dict[int, list[int]] = {}
    for sub in subs:
        by_person.setdefault(sub.person_id, []).append(sub.id)
    owed = []
    for person_id, ids in by_person.items():
        person = await store.person(person_id)
        if person is None:
            continue
        ctx = await _answer_ctx(core, program, session, question, ids)
        owed.append(Message(person.tg_user_id, "grassroots_answer", ctx))
    await store.mark_submissions_answered([s.id for s in subs], now)
    state_change(program, session, "answer_to_askers", None, askers=len(by_person))
    return owed


# -- administration -------------------------------------------------------------------------------


async def pending_list(core: Core, actor: Person, program: Program) -> Reply:
    """``/hoicho``: submissions waiting for a decision, each with a button to open it."""
    await core.require(actor, program, "admin", action="moderate")
    store = core.store
    pending = await store.pending_submissions(program.id, limit=20)
    total = await store.count_pending_submissions(program.id)
    items = []
    for sub in pending:
        person = await store.person(sub.person_id)
        items.append({**submission_ctx(sub, program), "asker": person_ctx(person)})
    rows: list[tuple[Button, ...]] = []
    async with store.transaction():
        row: list[Button] = []
        for sub in pending:
            row.append(
                await mint(
                    core,
                    ActionKind.GR_REVIEW,
                    BUTTONS["review"].format(id=sub.id),
                    program.id,
                    Ref(sub.id),
                )
            )
            if len(row) == 4:
                rows.append(tuple(row))
                row = []
        if row:
            rows.append(tuple(row))
    return Reply(
        "grassroots_pending_list",
        {"program": program_ctx(program), "items": items, "total": total},
        buttons=tuple(rows),
    )


async def askers_admin(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    """``/coso``: the program's askers; ``/coso <#> ngung`` stops one."""
    await core.require(actor, program, "admin", action="askers")
    store, now = core.store, core.now()
    if not args:
        askers = [a for a in await store.askers(program.id) if a.status in ("active", "pending")]
        return Reply(
            "grassroots_askers",
            {"program": program_ctx(program), "askers": [asker_ctx(a) for a in askers]},
        )
    if len(args) != 2 or fold_word(args[1]) not in ("ngung", "nghi", "stop"):
        return Reply("grassroots_askers_usage")
    asker_id = parse_id(args[0], what="asker")
    asker = await store.asker(program.id, asker_id)
    if asker is None:
        return Reply("grassroots_asker_missing", {"ref": asker_id})
    async with store.transaction():
        changed = await store.set_asker_status(
            program.id, asker.person.id, "inactive", asker.status, actor.id, now
        )
        if changed:
            await store.log_event(
                "asker_deactivated",
                now,
                program_id=program.id,
                actor_id=actor.id,
                detail=str(asker.person.id),
            )
            state_change(program, None, "asker_deactivated", actor, person=asker.person.id)
    await refresh_menu(core, asker.person)
    return Reply("grassroots_asker_stopped", {"asker": asker_ctx(asker)})


async def set_daily_limit(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    """``/gioihanhoi [n]``: show or set how many questions an asker may send a day."""
    await core.require(actor, program, "admin", action="ask_limit")
    ctx: dict[str, Any] = {"program": program_ctx(program), "max": MAX_DAILY_LIMIT}
    if not args:
        limit = await daily_limit(core, program)
        return Reply("grassroots_limit_show", {**ctx, "limit": limit, "changed": False})
    if len(args) != 1:
        return Reply("grassroots_limit_usage", ctx)
    limit = parse_int(args[0], 1, MAX_DAILY_LIMIT, what="daily_limit")
    store, now = core.store, core.now()
    async with store.transaction():
        await store.set_grassroots_daily_limit(program.id, limit)
        await store.log_event(
            "ask_limit", now, program_id=program.id, actor_id=actor.id, detail=str(limit)
        )
        state_change(program, None, "ask_limit", actor, limit=limit)
    return Reply("grassroots_limit_show", {**ctx, "limit": limit, "changed": True})
