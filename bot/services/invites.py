"""Invite links, for members (``/moi [vai trò]``) and grassroots askers (``/moi coso``).

An invite serves one person unless the admin asks for a number ("dùng cho N người"); a
pre-approved admin invite always serves one person and lives a day. An invite stops working
when it expires, is used up, or is revoked: removing a person, or taking their admin role,
revokes the invites they made. Every use is told to the program's admins, and a person who was
removed or refused never gets back in through a link without an admin's approval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.args import parse_int
from bot.core import Core, Refused
from bot.models import Person, Program
from bot.services.context import person_ctx, program_ctx
from bot.services.delivery import owe_one
from bot.text import clean_line, fold_word, has_control_chars

INVITE_TTL = timedelta(days=7)
ADMIN_INVITE_TTL = timedelta(hours=24)
MAX_USES = 100
PREAPPROVE_WORDS = frozenset({"duyet", "duyetsan", "auto"})
# Words around a count that admins may type: "/moi dùng cho 5 người".
FILLER_WORDS = frozenset({"dung", "cho", "nguoi", "lan", "luot"})
MIN_NAME_CHARS = 3
MAX_NAME_CHARS = 100
# Not in a person's name: markup, @handles, slashes and digits.
_NOT_IN_NAME = re.compile(r"[<>@/\\]|\d")


def read_name(text: str) -> str | None:
    """The name a person types when joining through any invite (member or asker), cleaned;
    None when it is no name: too short or long, digits or markup, control characters."""
    name = clean_line(text, MAX_NAME_CHARS + 1)
    if (
        not MIN_NAME_CHARS <= len(name) <= MAX_NAME_CHARS
        or _NOT_IN_NAME.search(name)
        or has_control_chars(text)
    ):
        return None
    return name


@dataclass(frozen=True)
class InviteRequest:
    words: tuple[str, ...]  # the folded words that are neither a count nor "duyet"
    preapproved: bool
    uses: int  # how many people the link serves


def parse_invite_args(args: list[str]) -> InviteRequest:
    """``/moi`` arguments: kind/role words, ``duyet``, and how many people the link serves."""
    words: list[str] = []
    preapproved = False
    uses: int | None = None
    for raw in args:
        word = fold_word(raw)
        if word in PREAPPROVE_WORDS:
            preapproved = True
        elif word in FILLER_WORDS or not word:
            continue
        elif any(ch.isdigit() for ch in word):  # a count, as people type numbers (bot/args.py)
            if uses is not None:
                raise Refused("invite_usage")
            uses = parse_int(raw, 1, MAX_USES, what="invite_uses")
        else:
            words.append(word)
    return InviteRequest(tuple(words), preapproved, uses or 1)


def lifetime(role: str, preapproved: bool, uses: int) -> timedelta:
    """How long a link lives; a pre-approved admin link serves one person within a day."""
    if role == "admin" and preapproved:
        if uses > 1:
            raise Refused("invite_admin_single")
        return ADMIN_INVITE_TTL
    return INVITE_TTL


def unusable(invite: dict[str, Any] | None, now: datetime) -> str | None:
    """Why an invite cannot be used now (a reason named in ``invite_invalid``), else None."""
    if invite is None:
        return "unknown"
    if invite.get("revoked_at"):
        return "revoked"
    if invite["expires_at"] < now:
        return "expired"
    if invite["uses"] >= invite["max_uses"]:
        return "used_up"
    return None


async def invite_ctx(core: Core, invite: dict[str, Any], uses_after: int) -> dict[str, Any]:
    """What admins are told about a use of an invite."""
    creator = await core.store.person(invite["created_by"])
    return {
        "by": person_ctx(creator),
        "preapproved": bool(invite["preapproved"]),
        "use": uses_after,
        "max_uses": invite["max_uses"],
    }


async def tell_admins_of_use(
    core: Core,
    program: Program,
    person: Person,
    invite: dict[str, Any],
    uses_after: int,
    what: str,
    admins: list[Person],
) -> None:
    """Every use of an invite is visible to the program's admins (inside the transaction)."""
    ctx = {
        "program": program_ctx(program),
        "person": person_ctx(person),
        "invite": await invite_ctx(core, invite, uses_after),
        "what": what,
    }
    for admin in admins:
        await owe_one(core, admin.tg_user_id, "invite_used_admin", ctx)


async def revoke_made_by(core: Core, program: Program, person: Person) -> int:
    """Revoke the invites ``person`` made in ``program`` (inside the caller's transaction)."""
    return await core.store.revoke_invites(program.id, person.id, core.now())
