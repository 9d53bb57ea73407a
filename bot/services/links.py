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

from bot.chats import is_zalo_chat
from bot.core import Core, Refused
from bot.models import Person, Reply
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
        await store.enqueue(
            target.tg_user_id,
            "zalo_linked_telegram",
            {"zalo_name": account.display_name or "?"},
            now,
        )
        await store.link_zalo_account(account.id, target.id, now)
        await store.clear_dialog(account.person_id)
        await store.log_event("zalo_linked", now, actor_id=target.id, detail=str(account.id))
    return Reply("zalo_linked", {"name": target.display_name, "again": False})


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
