"""Onboarding, help, binding a group, and the roster commands."""

from __future__ import annotations

from bot.models import Reply
from bot.services import links, roster
from handlers.common import Turn, guarded, program_command


@guarded
async def start(t: Turn) -> None:
    person = await t.person()
    if not t.in_private:
        await t.say(Reply("start_in_group", {"bot": t.deps.bot_username}))
        return
    payload = t.args[0] if t.args else None
    await t.say(await roster.start(t.core, person, payload))


@guarded
async def bind(t: Turn) -> None:
    """/lienket in a group: make this group a program."""
    if t.in_private:
        await t.say(Reply("bind_in_group"))
        return
    person = await t.person()
    reply = await roster.bind_group(t.core, person, t.ev.chat.id, t.ev.chat.title)
    await t.say(reply)


async def group_moved(t: Turn) -> None:
    """Telegram's service message: the group became a supergroup with a new id."""
    assert t.ev.moved is not None
    old, new = t.ev.moved
    await roster.follow_group_migration(t.core, old, new)


async def bot_added(t: Turn) -> None:
    """The bot was added to a group: how to make it a program."""
    await t.say(Reply("added_to_group"))


@guarded
async def choose(t: Turn) -> None:
    person = await t.person()
    await t.say(await roster.choose_program_buttons(t.core, person))


@guarded
async def members(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await t.say(await roster.roster(t.core, person, program))


roles = program_command(roster.set_roles)

away = program_command(roster.set_away)

deactivate = program_command(roster.deactivate)


@guarded
async def invite(t: Turn) -> None:
    person = await t.person()
    program = await t.program(person)
    await t.say(await roster.create_invite(t.core, person, program, t.args, t.deps.bot_username))


@guarded
async def zalo(t: Turn) -> None:
    """/zalo: on Telegram, a one-time code to send to the bot on Zalo; the code sent on Zalo
    links both accounts."""
    person = await t.person()
    code = links.read_code(t.args_text) if t.args else None
    if code is not None:
        await t.say(await links.redeem_here(t.core, t.ev.chat.id, code))
        return
    await t.say(await links.offer_code(t.core, person))


@guarded
async def unlink(t: Turn) -> None:
    """/huylienket [#số]: undo a Zalo link (one's own, or an admin: someone's)."""
    person = await t.person()
    target = t.args[0] if t.args else None
    await t.say(await links.unlink(t.core, person, t.ev.chat.id, target))


@guarded
async def whoami(t: Turn) -> None:
    """/toi: who the bot takes the sender for (and their Zalo id, on Zalo)."""
    person = await t.person()
    await t.say(await links.whoami(t.core, person, t.ev.chat.id))
