"""The one table of commands.

Each row says what a command is called (and its other names), who it is for, where it is used
and which handler runs it. The dispatcher, the BotFather menus (``bot/transport/telegram.py``),
the words Zalo users may type (``bot/transport/zalo.py``), /help and the tests' list of commands
all come from this table; no command name is written anywhere else. Who may actually do what
is still decided by the services (``core.require``): ``roles`` here only says whom a command is
offered to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from bot.models import Reply
from bot.words import COMMAND_ARGS, MENU
from handlers import archive, bank_admin, grassroots, messages, people, records, refs, session
from handlers.common import Handler, Turn, guarded, private_only

VALID_NAME = re.compile(r"[a-z0-9_]{1,32}")

# Whom a command is offered to, in the order of the sections of /help. "everyone": anybody who
# writes to the bot; "staff": what members use (offered to all but grassroots askers who are not
# members, who get only their own commands and everyone's in their menu).
ROLES: Final = ("everyone", "staff", "asker", "head", "leader", "admin")


class Where(StrEnum):
    PRIVATE = "private"  # refused in a group (the ``private_only`` reply), offered in private
    GROUP = "group"  # offered in groups; the handler says what it does in private
    BOTH = "both"


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    roles: tuple[str, ...]
    where: Where = Where.BOTH
    aliases: tuple[str, ...] = ()
    # In the BotFather menus (when it has a description). Some commands are only in /help.
    in_menus: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def menu(self) -> str | None:
        """The description in menus and /help (``bot/words.py``, MENU); None: in neither."""
        return MENU.get(self.name)

    @property
    def usage(self) -> str:
        """What follows the name in /help (``bot/words.py``, COMMAND_ARGS)."""
        return COMMAND_ARGS.get(self.name, "")

    def offered_in(self, chat_type: str) -> bool:
        """Whether the command belongs to the menus and /help of a private chat or a group."""
        private = chat_type == "private"
        return self.where is Where.BOTH or (self.where is Where.PRIVATE) == private


@guarded
async def help_(t: Turn) -> None:
    """/help: the commands of the table this person can use where they ask."""
    person = await t.person()
    roles: set[str] = set()
    for program_roles in (await t.core.store.all_roles(person.id)).values():
        roles |= program_roles
    if person.is_superadmin:
        roles.add("admin")
    chat_type = t.ev.chat.kind
    hidden = TELEGRAM_ONLY if t.channel.name != "telegram" else frozenset()
    sections = help_sections(roles, chat_type, hidden=hidden)
    await t.say(Reply("help", {"sections": sections, "in_group": chat_type != "private"}))


P, G = Where.PRIVATE, Where.GROUP
STAFF: Final = ("staff",)
HEADS: Final = ("head", "leader", "admin")
ADMIN: Final = ("admin",)

# The order of the rows is the order of the menus and of /help.
COMMANDS: Final[tuple[Command, ...]] = (
    # Members: what is going on.
    Command("cauhoi", session.question, STAFF),
    Command("trangthai", session.status, STAFF),
    Command("lich", session.schedule, STAFF),
    Command("traloi", session.answer_command, STAFF, G),
    Command("kiemtra", session.verify, STAFF),
    Command("timkiem", archive.search, STAFF, aliases=("search",)),
    Command("lichsu", archive.history, STAFF, aliases=("history",)),
    Command("chon", people.choose, STAFF, P),
    # The record: one's own (heads, leaders and admins: anyone's), the program's figures.
    Command("hoso", records.person_record, STAFF, P),
    Command("thongke", records.figures, STAFF),
    # Head: the draw.
    Command("rutlai", session.redraw, ("head",)),
    # Admin (head and leader too for the queue and the roster): questions, roster, schedule.
    Command("themcauhoi", messages.add_question, ADMIN),
    Command("danhsach", bank_admin.queue, HEADS, P),
    Command("xemcauhoi", bank_admin.detail, HEADS, P),
    Command("xephang", bank_admin.reorder, ADMIN, P),
    Command("ghim", bank_admin.pin, ADMIN, P),
    Command("tamhoan", bank_admin.hold, ADMIN, P),
    Command("tieptuc", bank_admin.release, ADMIN, P),
    Command("loai", bank_admin.retire, ADMIN, P),
    Command("the", bank_admin.tags, ADMIN, P),
    Command("xuatcauhoi", bank_admin.export, ADMIN, P),
    Command("maucauhoi", bank_admin.template, ADMIN, P),
    # The register of the documents answers rest on (read: every member; change: admins).
    Command("cancu", refs.register_command, HEADS, P),
    Command("nhansu", people.members, HEADS),
    Command("moi", people.invite, ADMIN, P),
    Command("vaitro", people.roles, ADMIN),
    Command("vangmat", people.away, ADMIN),
    Command("ngungthamgia", people.deactivate, ADMIN, aliases=("nghiviec",)),
    Command("datlich", session.set_schedule, ADMIN),
    Command("vanban", session.documents_settings, ADMIN),
    Command("dangngay", session.publish_now, ADMIN),
    Command("bocthamngay", session.draw_now, ("head", "admin")),
    Command("nghituan", session.skip_week, ADMIN),
    # Leader (or an admin in the leader's place): the conclusion and the yearly handbook; the
    # report files (heads too).
    Command("ketluan", session.conclude, ("leader", "admin")),
    Command("sotay", archive.handbook, ("leader", "admin")),
    Command("baocao", records.report, HEADS, P),
    Command("ketluanbosung", refs.supplement, ("leader", "admin")),
    # Grassroots questions: the admins' moderation, the askers' own commands.
    Command("hoicho", grassroots.pending, ADMIN, P),
    Command("coso", grassroots.askers, ADMIN, P),
    Command("hoi", grassroots.ask, ("asker",), P, aliases=("ask",)),
    Command("cuatoi", grassroots.mine, ("asker",), P),
    # Only in /help: binding a group, the askers' daily limit.
    Command("lienket", people.bind, ADMIN, G, in_menus=False),
    Command("gioihanhoi", grassroots.daily_limit, ADMIN, P, in_menus=False),
    # Everyone: onboarding, dialogs, help.
    Command("start", people.start, ("everyone",)),
    Command("huy", messages.cancel, ("everyone",), P),
    Command("boqua", messages.skip, ("everyone",), P),
    Command("zalo", people.zalo, ("everyone",), P, in_menus=False),
    Command("huylienket", people.unlink, ("everyone",), P, in_menus=False),
    Command("toi", people.whoami, ("everyone",), P, in_menus=False),
    Command("help", help_, ("everyone",), aliases=("huongdan",)),
)


def callables(table: Iterable[Command]) -> dict[str, Handler]:
    """Every name and alias → what runs it; where the row says private, groups are refused here
    (after the length check of ``guarded``). The dispatcher (``handlers/dispatch.py``) looks a
    command up here, whatever channel it came by."""
    out: dict[str, Handler] = {}
    for row in table:
        run = guarded(private_only(row.handler)) if row.where is Where.PRIVATE else row.handler
        for name in row.names:
            if name in out or not VALID_NAME.fullmatch(name):
                raise ValueError(f"command name {name!r} is repeated or not valid for Telegram")
            out[name] = run
    return out


# -- /help ------------------------------------------------------------------------------------


# Commands that only mean something on Telegram (binding a Telegram group, a code to link a
# Telegram account with Zalo): not in the /help of other channels.
TELEGRAM_ONLY: Final = frozenset({"lienket", "zalo"})


def help_sections(
    roles: Iterable[str],
    chat_type: str,
    table: Sequence[Command] = COMMANDS,
    hidden: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The /help of someone with ``roles`` (a member's roles; none: a stranger or an asker),
    asked in ``chat_type``: one section per role, each command under the first of the person's
    sections that it is for. In a group, private commands are left out."""
    held = set(roles)
    sections = ["everyone"] + [r for r in ROLES[2:] if r in held or (r == "asker" and not held)]
    listed: set[str] = set()
    out: list[dict[str, Any]] = []
    for section in sections:
        rows: list[Mapping[str, Any]] = []
        for row in table:
            offered = set(row.roles) | ({"everyone"} if "staff" in row.roles else set())
            if row.menu is None or row.name in listed or section not in offered:
                continue
            if row.name in hidden:
                continue
            if chat_type != "private" and row.where is Where.PRIVATE:
                continue
            listed.add(row.name)
            rows.append(
                {
                    "name": row.name,
                    "usage": row.usage,
                    "menu": row.menu,
                }
            )
        out.append({"role": section, "commands": rows})
    return out
