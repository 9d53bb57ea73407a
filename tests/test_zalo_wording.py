"""What a Zalo user reads is written for Zalo: every template rendered for a Zalo recipient
(``channel = "zalo"``, sample values for the rest) holds no instruction that only makes sense on
Telegram — pressing a button, replying to a message in the group, sending a file, a t.me link,
binding a Telegram group."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_plaintext import _sample_env

TEMPLATES = sorted(
    p.stem for p in (Path(__file__).parent.parent / "bot" / "templates").glob("*.j2")
)
# Instructions a Zalo user cannot follow (Zalo has no buttons, no groups, no files to send).
TELEGRAM_ONLY = re.compile(
    r"\bbấm\b|\bnút\b|\breply\b|t\.me/|gửi tệp|/lienket|trên tin nhắn này trong nhóm|"
    r"\(document\)",
    re.IGNORECASE,
)
# Said only on Telegram, never to anyone on Zalo, each for the reason given.
NEVER_ON_ZALO = {
    "added_to_group": "the bot added to a Telegram group",
    "bind_done": "the answer to /lienket in a Telegram group",
    "group_not_bound": "a command in a Telegram group with no program",
    "start_in_group": "/start typed in a Telegram group",
    "zalo_link_code": "the answer to /zalo on Telegram",
    "group_migration_conflict": "a Telegram group upgraded to a supergroup",
    "ops_status": "printed by `hoidap status` on the server",
    "ops_restore": "printed by `hoidap restore` on the server",
    "help": "rendered with the commands of the reader's channel (see the next test)",
    "refs_import_rejected": "the answer to a register file: sent on Telegram or the server only",
}


@pytest.mark.parametrize("template", [t for t in TEMPLATES if t not in NEVER_ON_ZALO])
def test_no_telegram_only_instruction_reaches_zalo(template: str) -> None:
    env = _sample_env()
    try:
        text = env.get_template(f"{template}.j2").render(channel="zalo")
    except Exception as exc:  # a template the sample values cannot drive
        pytest.skip(f"sample context not enough: {type(exc).__name__}")
    found = TELEGRAM_ONLY.findall(text)
    assert not found, f"{template}: {found} in {text!r}"


def test_the_same_templates_on_telegram_still_say_press() -> None:
    """The check is not vacuous: on Telegram the very same templates ask to press a button."""
    env = _sample_env()
    said = [
        t
        for t in ("conclude_prompt", "search_results", "history_list", "button_expired")
        if TELEGRAM_ONLY.search(env.get_template(f"{t}.j2").render(channel="telegram"))
    ]
    assert said == ["conclude_prompt", "search_results", "history_list", "button_expired"]


def test_help_on_zalo_lists_no_telegram_only_command() -> None:
    from bot.render import render
    from handlers.commands import TELEGRAM_ONLY as TELEGRAM_COMMANDS
    from handlers.commands import help_sections

    roles = {"staff", "head", "leader", "admin"}
    zalo = help_sections(roles, "private", hidden=TELEGRAM_COMMANDS)
    text = render("help", {"sections": zalo, "in_group": False, "channel": "zalo"})
    assert not TELEGRAM_ONLY.findall(text), text
    assert "/lienket" in render(
        "help", {"sections": help_sections(roles, "private"), "in_group": False}
    )
