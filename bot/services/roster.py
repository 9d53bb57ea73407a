"""Programs, people, onboarding and roles."""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from bot.actions import ActionKind, Applicant, Nothing, Press, Text, mint, register
from bot.args import parse_date, parse_id
from bot.chats import is_no_group
from bot.core import Core, Refused
from bot.models import Button, Member, Person, Program, Reply
from bot.services import cycle, grassroots, invites
from bot.services.context import local, program_ctx, program_picker
from bot.services.delivery import owe_one
from bot.services.step import state_change
from bot.text import clean_line, fold_word
from bot.words import BUTTONS, DEFAULT_PROGRAM_TITLE, ROLE_LABELS, TITLE_CHOICES

log = logging.getLogger("hoidap.roster")

MAX_TITLE_CHARS = 100
TITLES = TITLE_CHOICES
# Role names an admin may type (without diacritics), mapped to stored roles.
ROLE_WORDS = {
    "staff": "staff",
    "chuyenvien": "staff",
    "cv": "staff",
    "head": "head",
    "truongphong": "head",
    "tp": "head",
    "leader": "leader",
    "lanhdao": "leader",
    "ld": "leader",
    "admin": "admin",
    "quantri": "admin",
    "qt": "admin",
}
AWAY_WORDS = {
    "phep": "leave",
    "nghiphep": "leave",
    "leave": "leave",
    "congtac": "trip",
    "trip": "trip",
}


def member_ctx(m: Member) -> dict[str, Any]:
    return {
        "id": m.person.id,
        "name": m.person.display_name,
        "title": m.person.title or "",
        "username": m.person.username,
        "status": m.status,
        "roles": [ROLE_LABELS[r] for r in ("admin", "leader", "head", "staff") if r in m.roles],
        "away_kind": m.away_kind,
        "away_from": m.away_from.isoformat() if m.away_from else None,
        "away_until": m.away_until.isoformat() if m.away_until else None,
    }


async def bind_group(core: Core, actor: Person, chat_id: int, title: str) -> Reply:
    store, now = core.store, core.now()
    existing = await store.program_by_chat(chat_id)
    if existing is not None:
        return Reply("bind_exists", {"program": program_ctx(existing)})
    if not actor.is_superadmin:
        async with store.transaction():
            await store.log_event("refused", now, actor_id=actor.id, detail="bind")
        raise Refused("bind_refused")
    title = clean_line(title, 120) or DEFAULT_PROGRAM_TITLE
    async with store.transaction():
        pid = await store.create_program(chat_id, title, core.settings.tz, actor.id, now)
        await store.upsert_member(pid, actor.id, "active", now)
        await store.set_roles(pid, actor.id, ["admin"])
        await store.log_event("bound", now, program_id=pid, actor_id=actor.id)
        program = await store.program(pid)
        assert program is not None
        state_change(program, None, "bound", actor)
    core.program_changed(pid)
    await core.roles_changed(actor)
    return Reply("bind_done", {"program": program_ctx(program)})


ADMIN_ID = re.compile(r"(?:(zalo):([A-Za-z0-9_-]{1,64})|([0-9]{1,15}))")


async def create_program_without_group(core: Core, title: str, admin_ids: Sequence[str]) -> Reply:
    """``hoidap program create NAME [--admin ID]…``: a program for people on Zalo, with no
    Telegram group. ``ID``: a Telegram user id, or ``zalo:<id>`` of a Zalo account (it need
    not have written to the bot yet). What the group would see goes to each member privately."""
    store, now = core.store, core.now()
    title = clean_line(title, 120)
    if not title:
        raise Refused("program_create_bad", what="title", value=title)
    parsed = []
    for raw in admin_ids:
        found = ADMIN_ID.fullmatch(raw.strip())
        if found is None:
            raise Refused("program_create_bad", what="admin", value=raw[:80])
        parsed.append(found)
    waiting: list[str] = []  # Zalo admins who have not written to the bot yet
    async with store.transaction():
        chat_id = await store.next_no_group_chat()
        pid = await store.create_program(chat_id, title, core.settings.tz, None, now)
        for found in parsed:
            if found.group(1):
                account = await store.zalo_account(found.group(2))
                if account is None:
                    account = await store.add_zalo_account(found.group(2), "", now)
                if not account.wrote:
                    waiting.append(f"zalo:{found.group(2)}")
                person = await store.person(account.person_id)
            else:
                person = await store.upsert_person(int(found.group(3)), None, "", False, now)
            assert person is not None
            await store.upsert_member(pid, person.id, "active", now)
            await store.set_roles(pid, person.id, ["admin"])
        await store.log_event("created", now, program_id=pid, detail=f"admins:{len(parsed)}")
        program = await store.program(pid)
        assert program is not None
        state_change(program, None, "created", None)
    core.program_changed(pid)
    return Reply(
        "program_created",
        {
            "program": program_ctx(program),
            "admins": [raw.strip() for raw in admin_ids],
            "waiting": waiting,
        },
    )


async def follow_group_migration(core: Core, old_chat_id: int, new_chat_id: int) -> bool:
    """Telegram upgraded a group to a supergroup (new chat id): move its program there.

    Learned from the service message in either chat or from a send refused with
    ``migrate_to_chat_id``; running it twice changes nothing. Messages still owed to the old
    chat go to the new one. A program someone bound in the new supergroup in the meantime is
    moved aside when it is empty; otherwise both are kept and the admins are told.
    """
    store, now = core.store, core.now()
    if old_chat_id == new_chat_id:
        return False
    async with store.transaction():
        program = await store.program_by_chat(old_chat_id)
        if program is None:
            return False
        taken = await store.program_by_chat(new_chat_id)
        if taken is not None and not await store.program_is_empty(taken.id):
            log.error(
                "group %s became %s, but program %s is bound there already: not moved",
                old_chat_id,
                new_chat_id,
                taken.id,
            )
            await store.log_event(
                "group_migration_conflict",
                now,
                program_id=program.id,
                detail=f"{old_chat_id}->{new_chat_id} taken by {taken.id}",
            )
            ctx = {"program": program_ctx(program), "other": program_ctx(taken)}
            for admin in await store.superadmins():
                await owe_one(core, admin.tg_user_id, "group_migration_conflict", ctx)
            return False
        await store.move_program_chat(old_chat_id, new_chat_id)
        await store.log_event(
            "group_migrated", now, program_id=program.id, detail=f"{old_chat_id}->{new_chat_id}"
        )
        state_change(program, None, "group_migrated", None, old=old_chat_id, new=new_chat_id)
    core.program_changed(program.id)
    return True


async def accessible_programs(core: Core, person: Person) -> list[Program]:
    if person.is_superadmin:
        return await core.store.programs()
    ids = {m.program_id for m in await core.store.memberships(person.id) if m.status == "active"}
    return [p for p in await core.store.programs() if p.id in ids]


async def program_for(core: Core, person: Person, chat_id: int, chat_type: str) -> Program:
    """The program a message is about: the group's own, or the person's chosen one in private."""
    store = core.store
    if chat_type != "private":
        program = await store.program_by_chat(chat_id)
        if program is None:
            raise Refused("group_not_bound")
        return program
    programs = await accessible_programs(core, person)
    if not programs:
        raise Refused("not_member")
    for p in programs:
        if p.id == person.current_program_id:
            return p
    if len(programs) == 1:
        return programs[0]
    raise Refused("choose_program_first")


async def choose_program_buttons(core: Core, person: Person) -> Reply:
    programs = await accessible_programs(core, person)
    if not programs:
        raise Refused("not_member")
    return await program_picker(core, programs, ActionKind.CHOOSE_PROGRAM, "choose_program")


async def choose_program(core: Core, person: Person, program_id: int) -> Reply:
    programs = await accessible_programs(core, person)
    program = next((p for p in programs if p.id == program_id), None)
    if program is None:
        raise Refused("not_member")
    async with core.store.transaction():
        await core.store.set_current_program(person.id, program_id)
    return Reply("program_chosen", {"program": program_ctx(program)})


# -- onboarding ---------------------------------------------------------------------------------


async def start(core: Core, person: Person, payload: str | None) -> Reply:
    store, now = core.store, core.now()
    asker_reply = await grassroots.on_start(core, person, payload)  # grassroots askers
    if asker_reply is not None:
        return asker_reply
    if payload and payload.startswith("inv_"):
        invite = await store.invite(payload[4:]) if len(payload) <= 68 else None
        reason = invites.unusable(invite, now)
        if reason is not None:
            return Reply("invite_invalid", {"reason": reason})
        assert invite is not None
        program = await store.program(invite["program_id"])
        if program is None or not program.active:
            return Reply("invite_invalid", {"reason": "unknown"})
        return await _begin_onboarding(core, person, program, invite=invite)
    memberships = await store.memberships(person.id)
    active = [m for m in memberships if m.status == "active"]
    if active or person.is_superadmin:
        # /start is also how a menu set before the person opened the chat gets refreshed.
        await core.roles_changed(person)
        return Reply(
            "welcome_back",
            {
                "name": person.display_name,
                "superadmin": person.is_superadmin,
                "has_programs": bool(await store.programs()),
            },
        )
    pending = [m for m in memberships if m.status == "pending"]
    if pending:
        return Reply("onboard_pending")
    programs = await store.programs()
    if not programs:
        return Reply("no_programs")
    if len(programs) == 1:
        return await _begin_onboarding(core, person, programs[0], invite=None)
    return await program_picker(core, programs, ActionKind.JOIN, "onboard_pick_program")


async def join(core: Core, person: Person, program_id: int) -> Reply:
    program = await core.store.program(program_id)
    if program is None:
        raise Refused("button_invalid")
    return await _begin_onboarding(core, person, program, invite=None)


async def _begin_onboarding(
    core: Core, person: Person, program: Program, invite: dict[str, Any] | None
) -> Reply:
    store, now = core.store, core.now()
    member = await store.member(program.id, person.id)
    if member is not None and member.status == "active":
        return Reply("already_member", {"program": program_ctx(program)})
    data = {"step": "name"}
    if invite is not None:
        data["invite"] = invite["token"]
    async with store.transaction():
        await store.set_dialog(person.id, "onboard", program.id, None, data, now)
    return Reply("onboard_ask_name", {"program": program_ctx(program), "suggested": person.tg_name})


async def onboarding_text(
    core: Core, person: Person, program_id: int, data: dict[str, Any], text: str
) -> Reply:
    store, now = core.store, core.now()
    program = await store.program(program_id)
    if program is None:
        async with store.transaction():
            await store.clear_dialog(person.id)
        return Reply("dialog_cancelled")
    if data.get("step") == "name":
        name = invites.read_name(text)
        if name is None:
            return Reply("onboard_bad_name", {"limit": invites.MAX_NAME_CHARS})
        buttons = []
        async with store.transaction():
            await store.set_dialog(
                person.id, "onboard", program_id, None, {**data, "step": "title", "name": name}, now
            )
            for t in TITLES:
                buttons.append((await mint(core, ActionKind.TITLE, t, program_id, Text(t)),))
        return Reply("onboard_ask_title", {"name": name}, buttons=tuple(buttons))
    if data.get("step") == "title":
        title = clean_line(text, MAX_TITLE_CHARS + 1)
        if len(title) < 2 or len(title) > MAX_TITLE_CHARS:
            return Reply("onboard_bad_title", {"limit": MAX_TITLE_CHARS})
        return await finish_onboarding(core, person, program, data, title)
    async with store.transaction():
        await store.clear_dialog(person.id)
    return Reply("dialog_cancelled")


async def finish_onboarding(
    core: Core, person: Person, program: Program, data: dict[str, Any], title: str
) -> Reply:
    store, now = core.store, core.now()
    name = str(data.get("name", person.tg_name))
    invite = await store.invite(str(data["invite"])) if data.get("invite") else None
    if invite is not None and invite["program_id"] != program.id:
        invite = None
    async with store.transaction():
        dialog = await store.dialog(person.id)
        if dialog is None or dialog.kind != "onboard" or dialog.data.get("step") != "title":
            return Reply("dialog_cancelled")
        await store.clear_dialog(person.id)
        await store.set_person_profile(person.id, name, title)
        await store.set_current_program(person.id, program.id)
        person = await store.person(person.id) or person
        member = await store.member(program.id, person.id)
        # Someone removed or refused before never gets back in through a link alone.
        returning = member is not None and member.status in ("inactive", "rejected")
        uses = None
        if invite is not None and not returning:
            uses = await store.use_invite(invite["token"], now)  # None: used up meanwhile
        admins = await core.admins(program)
        if invite is not None and uses is not None and invite["preapproved"]:
            await store.upsert_member(program.id, person.id, "active", now)
            await store.set_roles(program.id, person.id, [invite["role"]])
            await store.log_event(
                "member_approved",
                now,
                program_id=program.id,
                actor_id=invite["created_by"],
                detail=f"invite:{person.id}",
            )
            await invites.tell_admins_of_use(
                core, program, person, invite, uses, ROLE_LABELS[invite["role"]], admins
            )
            state_change(program, None, "member_approved", person, via="invite")
            active = True
        else:
            active = False
            used = invite if uses is not None else None
            await _request_approval(core, person, program, name, title, used, uses, admins)
    if active:
        await core.roles_changed(person)
        assert invite is not None
        return Reply(
            "onboard_active",
            {"program": program_ctx(program), "name": name, "role": ROLE_LABELS[invite["role"]]},
        )
    return Reply("onboard_submitted", {"program": program_ctx(program), "name": name})


async def _request_approval(
    core: Core,
    person: Person,
    program: Program,
    name: str,
    title: str,
    invite: dict[str, Any] | None,
    uses: int | None,
    admins: list[Person],
) -> None:
    store, now = core.store, core.now()
    await store.upsert_member(program.id, person.id, "pending", now)
    role = invite["role"] if invite is not None else "staff"
    await store.log_event(
        "member_requested", now, program_id=program.id, actor_id=person.id, detail=role
    )
    ctx = {
        "program": program_ctx(program),
        "name": name,
        "title": title,
        "username": person.username,
        "person_id": person.id,
        "role": ROLE_LABELS[role],
        # Every use of a link is visible to the admins: whose link, which use of how many.
        "invite": await invites.invite_ctx(core, invite, uses or 0) if invite else None,
    }
    for admin in admins:
        approve = await mint(
            core, ActionKind.APPROVE, BUTTONS["approve"], program.id, Applicant(person.id, role)
        )
        reject = await mint(
            core, ActionKind.REJECT, BUTTONS["reject"], program.id, Applicant(person.id)
        )
        await owe_one(core, admin.tg_user_id, "approve_request", ctx, buttons=((approve, reject),))


async def decide(core: Core, actor: Person, program: Program, target: str, approve: bool) -> Reply:
    await core.require(actor, program, "admin", action="approve")
    store, now = core.store, core.now()
    person_part, _, role = target.partition(":")
    person = await store.person(int(person_part))
    if person is None:
        raise Refused("button_invalid")
    async with store.transaction():
        member = await store.member(program.id, person.id)
        if member is None or member.status != "pending":
            return Reply(
                "decision_already",
                {
                    "name": person.display_name,
                    "status": member.status if member else "none",
                },
                toast=True,
            )
        if approve:
            await store.set_member_status(program.id, person.id, "active")
            await store.set_roles(program.id, person.id, [role or "staff"])
        else:
            await store.set_member_status(program.id, person.id, "rejected")
        kind = "member_approved" if approve else "member_rejected"
        await store.log_event(
            kind, now, program_id=program.id, actor_id=actor.id, detail=str(person.id)
        )
        await owe_one(
            core,
            person.tg_user_id,
            "onboard_decided",
            {
                "program": program_ctx(program),
                "approved": approve,
                "role": ROLE_LABELS.get(role or "staff", ""),
            },
        )
        state_change(program, None, kind, actor, person=person.id)
    if approve:
        await core.roles_changed(person)
    return Reply("decision_done", {"name": person.display_name, "approved": approve}, toast=True)


# -- administration -----------------------------------------------------------------------------


async def roster(core: Core, actor: Person, program: Program) -> Reply:
    await core.require(actor, program, "admin", "head", "leader", action="roster")
    members = await core.store.members(program.id)
    return Reply(
        "roster",
        {
            "program": program_ctx(program),
            "members": [member_ctx(m) for m in members if m.status in ("active", "pending")],
            "inactive": sum(1 for m in members if m.status == "inactive"),
            "today": core.today(program).isoformat(),
        },
    )


async def _target_member(core: Core, program: Program, ref: str) -> Member:
    person_id = parse_id(ref, what="person")
    member = await core.store.member(program.id, person_id)
    if member is None:
        raise Refused("person_not_found", ref=person_id)
    return member


async def set_roles(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    await core.require(actor, program, "admin", action="roles")
    if len(args) < 2:
        return Reply("roles_usage")
    member = await _target_member(core, program, args[0])
    roles: set[str] = set()
    for word in args[1:]:
        for part in word.split(","):
            if not part:
                continue
            role = ROLE_WORDS.get(fold_word(part))
            if role is None:
                raise Refused("role_unknown", word=part[:30])
            roles.add(role)
    if member.person.id == actor.id and "admin" not in roles and not actor.is_superadmin:
        raise Refused("roles_self_demote")
    store, now = core.store, core.now()
    async with store.transaction():
        await store.set_roles(program.id, member.person.id, roles)
        if "admin" in member.roles and "admin" not in roles:  # their links stop working
            await invites.revoke_made_by(core, program, member.person)
        if member.status == "pending":
            await store.set_member_status(program.id, member.person.id, "active")
        await store.log_event(
            "roles",
            now,
            program_id=program.id,
            actor_id=actor.id,
            detail=f"{member.person.id}:{','.join(sorted(roles))}",
        )
        state_change(
            program, None, "roles", actor, person=member.person.id, roles=",".join(sorted(roles))
        )
    refreshed = await store.person(member.person.id)
    if refreshed is not None:
        await core.roles_changed(refreshed)
    return Reply(
        "roles_done",
        {
            "name": member.person.display_name,
            "roles": [ROLE_LABELS[r] for r in sorted(roles)],
            "tg_user_id": member.person.tg_user_id,
        },
    )


async def set_away(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    await core.require(actor, program, "admin", action="away")
    if len(args) < 2:
        return Reply("away_usage")
    member = await _target_member(core, program, args[0])
    store, now = core.store, core.now()
    today = core.today(program)
    if fold_word(args[1]) in ("huy", "xoa", "clear"):
        kind: str | None = None
        start: date | None = None
        until: date | None = None
    else:
        kind = AWAY_WORDS.get(fold_word(args[1]))
        if kind is None or len(args) < 3:
            return Reply("away_usage")
        until = parse_date(args[2], today)
        start = parse_date(args[3], today) if len(args) > 3 else today
        if until < start:
            return Reply(
                "away_range_invalid", {"from": start.isoformat(), "until": until.isoformat()}
            )
    async with store.transaction():
        await store.set_member_away(program.id, member.person.id, kind, start, until)
        await store.log_event(
            "away",
            now,
            program_id=program.id,
            actor_id=actor.id,
            detail=f"{member.person.id}:{kind}:{start}:{until}",
        )
        state_change(program, None, "away", actor, person=member.person.id, kind=kind, until=until)
    return Reply(
        "away_done",
        {
            "name": member.person.display_name,
            "kind": kind,
            "from": start.isoformat() if start else None,
            "until": until.isoformat() if until else None,
        },
    )


async def deactivate(core: Core, actor: Person, program: Program, args: list[str]) -> Reply:
    await core.require(actor, program, "admin", action="deactivate")
    if not args:
        return Reply("deactivate_usage")
    member = await _target_member(core, program, args[0])
    if member.person.id == actor.id:
        raise Refused("deactivate_self")
    store, now = core.store, core.now()
    async with store.transaction():
        await store.set_member_status(program.id, member.person.id, "inactive")
        revoked = await invites.revoke_made_by(core, program, member.person)
        await cycle.member_left(core, actor, program, member.person)
        await store.log_event(
            "deactivated",
            now,
            program_id=program.id,
            actor_id=actor.id,
            detail=str(member.person.id),
        )
        state_change(program, None, "deactivated", actor, person=member.person.id, revoked=revoked)
    return Reply("deactivate_done", {"name": member.person.display_name, "revoked": revoked})


async def create_invite(
    core: Core, actor: Person, program: Program, args: list[str], bot_username: str
) -> Reply:
    """``/moi [vai trò] [duyet] [N]``: a link for N people (one unless asked)."""
    await core.require(actor, program, "admin", action="invite")
    request = invites.parse_invite_args(args)
    if any(word in grassroots.ASKER_WORDS for word in request.words):  # /moi coso: askers
        return await grassroots.create_invite(core, actor, program, request, bot_username)
    role = "staff"
    for word in request.words:
        if word not in ROLE_WORDS:
            return Reply("invite_usage")
        role = ROLE_WORDS[word]
    ttl = invites.lifetime(role, request.preapproved, request.uses)
    token = secrets.token_urlsafe(12)
    store, now = core.store, core.now()
    expires = now + ttl
    async with store.transaction():
        await store.create_invite(
            token, program.id, role, request.preapproved, actor.id, expires, request.uses
        )
        await store.log_event(
            "invite",
            now,
            program_id=program.id,
            actor_id=actor.id,
            detail=f"{role}:{int(request.preapproved)}:{request.uses}",
        )
    # A link opens the bot on Telegram; on Zalo the code itself is sent to the bot. A program
    # without a Telegram group, or a bot without Telegram, has no link to give.
    telegram = core.settings.telegram and not is_no_group(program.chat_id)
    link = f"https://t.me/{bot_username}?start=inv_{token}" if telegram else None
    return Reply(
        "invite_done",
        {
            "program": program_ctx(program),
            "link": link,
            "code": f"inv_{token}",
            "role": ROLE_LABELS[role],
            "preapproved": request.preapproved,
            "uses": request.uses,
            "expires_at": local(expires, program),
        },
        buttons=((Button(BUTTONS["open_invite"], url=link),),) if link else (),
    )


# -- buttons of this area (see bot/actions.py) ----------------------------------------------------


async def _approve_pressed(p: Press[Applicant]) -> Reply:
    target = f"{p.payload.person_id}:{p.payload.role or ''}"
    return await decide(p.core, p.person, p.program, target, approve=True)


async def _reject_pressed(p: Press[Applicant]) -> Reply:
    return await decide(p.core, p.person, p.program, str(p.payload.person_id), approve=False)


async def _join_pressed(p: Press[Nothing]) -> Reply:
    return await join(p.core, p.person, p.program.id)


async def _choose_program_pressed(p: Press[Nothing]) -> Reply:
    return await choose_program(p.core, p.person, p.program.id)


async def _title_pressed(p: Press[Text]) -> Reply:
    """A title button of onboarding: only while that onboarding waits for the title."""
    dialog = await p.core.store.dialog(p.person.id)
    if dialog is None or dialog.kind != "onboard" or dialog.program_id != p.program.id:
        raise Refused("button_expired")
    return await finish_onboarding(p.core, p.person, p.program, dialog.data, p.payload.value)


register(ActionKind.APPROVE, Applicant, _approve_pressed)
register(ActionKind.REJECT, Applicant, _reject_pressed)
register(ActionKind.JOIN, Nothing, _join_pressed, ttl=timedelta(days=1))
register(ActionKind.CHOOSE_PROGRAM, Nothing, _choose_program_pressed, ttl=timedelta(days=1))
register(ActionKind.TITLE, Text, _title_pressed, ttl=timedelta(days=1))
