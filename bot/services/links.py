"""One person on Telegram and on Zalo: a one-time code from /zalo, sent to the bot on Zalo.

The code is short enough to type on a phone (``LK-XXXX-XXXX``, letters and digits that cannot
be mistaken for each other, case and dashes ignored), lives ``CODE_TTL``, is used once, and a new
code replaces the person's unused ones. A Zalo account is linked to one person; a Zalo account
that is already someone's member record is not silently merged into another (an admin decides).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from bot.args import parse_id
from bot.chats import is_zalo_chat, on_telegram
from bot.core import Core, Refused
from bot.models import Person, Reply
from bot.services.delivery import owe_one
from bot.store.zalo import ZaloAccount
from bot.words import ROLE_LABELS

CODE_TTL = timedelta(minutes=30)
# Wrong codes an account may send within CODE_GUESS_WINDOW before it must wait (codes are short).
# Counted from the audit trail, so the bound holds across a restart.
CODE_GUESSES = 5
CODE_GUESS_WINDOW = timedelta(hours=1)
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no I, L, O, 0, 1
_CODE = re.compile(r"\s*LK[\s-]*([A-Z2-9]{4})[\s-]*([A-Z2-9]{4})\s*", re.IGNORECASE)


def read_code(text: str) -> str | None:
    """The code as stored (``LK-ABCD-EFGH``) when ``text`` is one, else None."""
    found = _CODE.fullmatch(text)
    if found is None:
        return None
    return f"LK-{found.group(1).upper()}-{found.group(2).upper()}"


def new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"LK-{chars[:4]}-{chars[4:]}"


async def offer_code(core: Core, person: Person) -> Reply:
    """/zalo on Telegram: a code to send to the bot on Zalo."""
    if is_zalo_chat(person.tg_user_id):
        raise Refused("zalo_link_from_zalo")
    store, now = core.store, core.now()
    code = new_code()
    async with store.transaction():
        await store.create_link_code(code, person.id, now, now + CODE_TTL)
        await store.log_event("zalo_code", now, actor_id=person.id)
    accounts = await store.zalo_accounts_of(person.id)
    return Reply(
        "zalo_link_code",
        {
            "code": code,
            "minutes": int(CODE_TTL.total_seconds() // 60),
            "linked": [a.display_name or "?" for a in accounts],
        },
    )


async def redeem_here(core: Core, chat_id: int, code: str) -> Reply:
    """A code sent to the bot: on Zalo it links that Zalo account (with a bound on wrong
    guesses per account); anywhere else it is the wrong place to send it."""
    store, now = core.store, core.now()
    account = await store.zalo_account_by_chat(chat_id)
    if account is None:
        raise Refused("zalo_code_on_telegram")
    wrong = await store.count_person_events(
        "zalo_code_wrong", account.person_id, now - CODE_GUESS_WINDOW
    )
    if wrong >= CODE_GUESSES:
        raise Refused("zalo_link_slow", minutes=int(CODE_GUESS_WINDOW.total_seconds() // 60))
    try:
        return await redeem(core, account, code)
    except Refused as refused:
        if refused.reply.template == "zalo_link_invalid":
            async with store.transaction():
                await store.log_event(
                    "zalo_code_wrong", now, actor_id=account.person_id, detail=str(account.id)
                )
        raise


async def redeem(core: Core, account: ZaloAccount, code: str) -> Reply:
    """A code sent on Zalo: the Zalo account now acts as, and receives what is owed to, the
    person who asked for the code on Telegram."""
    store, now = core.store, core.now()
    found = await store.link_code(code)
    if found is None:
        raise Refused("zalo_link_invalid", reason="unknown")
    target = await store.person(found["person_id"])
    if target is None:
        raise Refused("zalo_link_invalid", reason="unknown")
    if account.person_id == target.id:
        return Reply("zalo_linked", {"name": target.display_name, "again": True})
    if found["used_at"] is not None:
        raise Refused("zalo_link_invalid", reason="used")
    if found["expires_at"] <= now:
        raise Refused("zalo_link_invalid", reason="expired")
    if account.linked:
        raise Refused("zalo_link_taken")
    own = await store.memberships(account.person_id)
    if any(m.status in ("active", "pending") for m in own) or await store.askers_of(
        account.person_id
    ):
        # This Zalo account is a member record of its own: merging two records is an admin's call.
        raise Refused("zalo_link_has_record")
    async with store.transaction():
        if not await store.use_link_code(code, now):
            raise Refused("zalo_link_invalid", reason="used")
        # Said on Telegram before the link exists, so it is not copied to the new Zalo chat.
        await owe_one(
            core,
            target.tg_user_id,
            "zalo_linked_telegram",
            {"zalo_name": account.display_name or "?"},
        )
        await store.link_zalo_account(account.id, target.id, now)
        await store.clear_dialog(account.person_id)
        await store.log_event("zalo_linked", now, actor_id=target.id, detail=str(account.id))
        await _tell_admins(core, target, account, "linked", None)
    return Reply("zalo_linked", {"name": target.display_name, "again": False})


async def _tell_admins(
    core: Core, person: Person, account: ZaloAccount, what: str, actor: Person | None
) -> None:
    """The admins of every program the person takes part in hear of a link or an unlink
    (inside the caller's transaction)."""
    store = core.store
    admins: dict[int, Person] = {}
    for member in await store.memberships(person.id):
        program = await store.program(member.program_id)
        if program is not None and member.status in ("active", "pending"):
            for admin in await core.admins(program):
                admins.setdefault(admin.id, admin)
    ctx = {
        "what": what,
        "name": person.display_name,
        "number": person.id,
        "zalo_name": account.display_name or "?",
        "actor": {"name": actor.display_name, "id": actor.id} if actor else None,
    }
    for admin in admins.values():
        if admin.id not in (person.id, actor.id if actor else None):
            await owe_one(core, admin.tg_user_id, "zalo_link_admin", ctx)


async def unlink(core: Core, actor: Person, chat_id: int, target_ref: str | None) -> Reply:
    """``/huylienket``: on Zalo, this Zalo account stops acting as the person it was linked to;
    on Telegram, every Zalo account linked to the sender; ``/huylienket #số`` (an admin of a
    program the person takes part in): that person's. The person hears of it on each side, the
    admins too."""
    store, now = core.store, core.now()
    here = await store.zalo_account_by_chat(chat_id)
    if target_ref:
        person_id = parse_id(target_ref, what="person")
        target = await store.person(person_id)
        if target is None:
            raise Refused("person_not_found", ref=person_id)
        if not await _may_unlink_for(core, actor, target):
            raise Refused("zalo_unlink_not_allowed")
        accounts = [a for a in await store.zalo_accounts_of(target.id) if a.linked]
    elif here is not None:
        target = actor
        accounts = [here] if here.linked else []
    else:
        target = actor
        accounts = [a for a in await store.zalo_accounts_of(actor.id) if a.linked]
    if not accounts:
        raise Refused("zalo_not_linked", name=target.display_name, own=target.id == actor.id)
    async with store.transaction():
        for account in accounts:
            own = await store.zalo_own_person(account.id)
            await store.link_zalo_account(account.id, own, None)
            await store.clear_dialog(own)
            ctx = {"name": target.display_name, "zalo_name": account.display_name or "?"}
            # Told on both sides: the Zalo account (now on its own) and the person's Telegram.
            await owe_one(core, account.chat_id, "zalo_unlinked_zalo", ctx)
            if on_telegram(target.tg_user_id):
                await owe_one(core, target.tg_user_id, "zalo_unlinked_telegram", ctx)
            await store.log_event(
                "zalo_unlinked", now, actor_id=actor.id, detail=f"{target.id}:{account.id}"
            )
            await _tell_admins(core, target, account, "unlinked", actor)
    return Reply(
        "zalo_unlink_done",
        {
            "name": target.display_name,
            "own": target.id == actor.id,
            "accounts": [a.display_name or "?" for a in accounts],
        },
    )


async def _may_unlink_for(core: Core, actor: Person, target: Person) -> bool:
    """Only the person, or an admin of a program the person takes part in (the bot's admins:
    anyone)."""
    if actor.id == target.id or actor.is_superadmin:
        return True
    for member in await core.store.memberships(target.id):
        if "admin" in await core.roles(actor, member.program_id):
            return True
    return False


async def whoami(core: Core, person: Person, chat_id: int) -> Reply:
    """/toi: who the bot takes this person for, where they are reachable, and their Zalo id
    (what ``hoidap program create --admin zalo:<id>`` needs)."""
    store = core.store
    accounts = await store.zalo_accounts_of(person.id)
    here = await store.zalo_account_by_chat(chat_id)
    programs = []
    for program_id, roles in (await store.all_roles(person.id)).items():
        program = await store.program(program_id)
        if program is not None:
            labels = [ROLE_LABELS[r] for r in ("admin", "leader", "head", "staff") if r in roles]
            programs.append({"title": program.title, "roles": labels})
    return Reply(
        "whoami",
        {
            "name": person.display_name,
            "number": person.id,
            "telegram": not is_zalo_chat(person.tg_user_id),
            "zalo": [a.zalo_id for a in accounts],
            "here": here.zalo_id if here is not None else None,
            "programs": programs,
        },
    )
