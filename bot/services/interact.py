"""Dispatch of free text (dialogs, answers) and button presses to the services."""

from __future__ import annotations

from bot import actions
from bot.actions import Outcome
from bot.core import Core, Refused
from bot.models import CONCLUDABLE_STATES, Answer, Dialog, Person, Program, Reply, SessionState

# Every area with buttons registers its kinds when imported.
from bot.services import (  # noqa: F401
    answers,
    archive,
    bank,
    bank_admin,
    cycle,
    grassroots,
    roster,
    supplements,
)

# Dialogs that belong to one session: they end when the session moves on.
SESSION_DIALOGS = frozenset({"grade_comment", "conclude"})


async def _program(core: Core, program_id: int | None) -> Program:
    program = await core.store.program(program_id) if program_id else None
    if program is None:
        raise Refused("button_invalid")
    return program


async def cancel(core: Core, person: Person) -> Reply:
    async with core.store.transaction():
        dialog = await core.store.dialog(person.id)
        await core.store.clear_dialog(person.id)
    return Reply("dialog_cancelled" if dialog else "nothing_to_cancel")


async def skip_field(core: Core, person: Person) -> Reply:
    """``/boqua`` inside a dialog: leave an optional field empty."""
    dialog = await core.store.dialog(person.id)
    if dialog is None:
        return Reply("nothing_to_cancel")
    if dialog.kind == "add_question":
        return await bank.add_step(
            core, person, await _program(core, dialog.program_id), dialog.data, None
        )
    if dialog.kind == "grade_comment":
        async with core.store.transaction():
            await core.store.clear_dialog(person.id)
        return Reply("comment_skipped")
    return Reply("skip_not_here")


async def live_dialog(core: Core, person: Person) -> Dialog | None:
    """The person's dialog, if it still applies. A comment or conclusion dialog ends when its
    session has moved on (concluded, or graded again), so it never takes text meant as
    something else, such as the person's own answer when drawn later."""
    store = core.store
    dialog = await store.dialog(person.id)
    if dialog is None or dialog.kind not in SESSION_DIALOGS:
        return dialog
    session = await store.session(dialog.session_id) if dialog.session_id else None
    # A comment stays open while the session is graded, even when another head graded again
    # meanwhile: it is then kept with the head's own grade (never lost).
    live = session is not None and (
        session.state in CONCLUDABLE_STATES
        if dialog.kind == "conclude"
        else session.state == SessionState.GRADED
        and dialog.data.get("grade_id") in {g.id for g in await store.grades(session.id)}
    )
    if live:
        return dialog
    async with store.transaction():
        await store.clear_dialog(person.id)
    return None


async def _awaited(core: Core, person: Person) -> bool:
    """A session waits for this person's answer, and its deadline has not passed."""
    now = core.now()
    return any(
        s.deadline_at is None or now <= s.deadline_at
        for s in await core.store.sessions_drawing(person.id)
    )


async def private_text(core: Core, person: Person, answer: Answer) -> Reply | None:
    """Plain text in a private chat: continue a dialog, or take it as the drawn person's answer."""
    text = answer.text or ""
    dialog = await live_dialog(core, person)
    if dialog is not None and dialog.kind in SESSION_DIALOGS and await _awaited(core, person):
        # The session waits for this person's answer: their text is their answer, whatever
        # comment or conclusion of another session they left open.
        dialog = None
    if dialog is not None:
        if dialog.kind == "onboard" and dialog.program_id:
            return await roster.onboarding_text(core, person, dialog.program_id, dialog.data, text)
        if dialog.kind in grassroots.DIALOG_KINDS:
            return await grassroots.dialog_text(core, person, dialog, text)
        program = await _program(core, dialog.program_id)
        if dialog.kind == "add_question":
            return await bank.add_step(core, person, program, dialog.data, text)
        if dialog.kind == "grade_comment" and dialog.session_id:
            return await cycle.grade_comment(
                core, person, program, dialog.session_id, int(dialog.data["grade_id"]), text
            )
        if dialog.kind == "conclude" and dialog.session_id:
            return await cycle.conclude(core, person, program, text, dialog.session_id)
        if dialog.kind == "supplement":
            archive_id = int(dialog.data["archive_id"])
            return await supplements.supplement(core, person, program, archive_id, text)
    return await answers.record_answer(core, person, answer)


async def press(core: Core, person: Person, token: str) -> Outcome:
    """A button press (or a numbered choice): the one press path of :mod:`bot.actions`.

    Importing this module imports every area, so every kind is registered.
    """
    return await actions.press(core, person, token)
