"""Operating the bot: what ``hoidap status`` shows, and putting a backup back (``hoidap restore``).

``status_data`` returns plain JSON-able data; the CLI renders it with ``ops_status.j2``.
``restore_database`` checks a backup file thoroughly before it replaces anything, refuses while a
running bot holds the database, and keeps the replaced database next to it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.core import Core
from bot.db import DatabaseError, latest_version, lock_database
from bot.models import Program, Session, SessionState
from bot.schedule import upcoming_plan
from bot.services import cycle
from bot.services.context import local, person_ctx, program_ctx, session_ctx
from bot.store.ops import copy_database, inspect_database_file

PROBLEM_KINDS = ("refused", "missed", "throttled")
PROBLEM_WINDOW = timedelta(days=7)
SHOWN_PROBLEMS = 5
SHOWN_QUESTIONS = 3
QUESTION_PREVIEW_CHARS = 90


# -- status -------------------------------------------------------------------------------------


def upcoming_steps(s: Session, program: Program, now: datetime) -> list[dict[str, Any]]:
    """The steps still ahead of session ``s`` with their times (``due``: the time has passed)."""
    steps: list[tuple[str, datetime | None]] = []
    if s.state == SessionState.SCHEDULED:
        steps = [("publish", s.publish_at), ("draw", s.draw_at)]
    elif s.state == SessionState.PUBLISHED:
        steps = [("draw", s.draw_at)]
    if s.state in (SessionState.SCHEDULED, SessionState.PUBLISHED, SessionState.DRAWN):
        if s.reminder_at is not None and not s.reminded:
            steps.append(("remind", s.reminder_at))
        steps.append(("deadline", s.deadline_at))
    out: list[dict[str, Any]] = []
    for step, at in steps:
        if at is None:
            continue
        out.append(
            {
                "step": step,
                "at": local(at, program),
                "due": at <= now,
                # Without automatic drawing the head or admin draws with /bocthamngay.
                "manual": step == "draw" and not program.auto_draw,
            }
        )
    return out


async def _program_status(core: Core, program: Program, since: datetime) -> dict[str, Any]:
    store, now = core.store, core.now()
    s = await cycle.current_session(core, program) or await store.latest_session(program.id)
    data: dict[str, Any] = {
        "program": {**program_ctx(program), "chat_id": program.chat_id, "active": program.active},
        "session": None,
        "drawn": None,
        "steps": [],
        "plan": None,
    }
    if s is not None:
        data["session"] = session_ctx(s, program)
        data["steps"] = upcoming_steps(s, program, now)
        if s.drawn_person_id is not None:
            data["drawn"] = person_ctx(await store.person(s.drawn_person_id))
    data["settings_problems"] = cycle.problems_ctx(program.problems)
    if program.problems:  # nothing is planned until an admin fixes the schedule
        data["steps"], data["wakeup"] = [], None
    elif s is None or s.state in (SessionState.CONCLUDED, SessionState.SKIPPED):
        plan = upcoming_plan(cycle.schedule_config(program), now)
        if s is None or plan.week != s.week:
            data["plan"] = {
                "week": plan.week,
                "session_date": plan.session_date.isoformat() if plan.session_date else None,
                "holiday": plan.holiday,
                "publish_at": local(plan.publish_at, program),
                "draw_at": local(plan.draw_at, program),
            }
    if not program.problems:
        data["wakeup"] = (
            local(await cycle.wakeup(core, program.id), program) if program.active else None
        )
    data["queued"] = await store.count_queued(program.id)
    data["next_questions"] = [
        {"id": q.id, "topic": q.topic, "text": _preview(q.text)}
        for q in await store.queued_questions(program.id, limit=SHOWN_QUESTIONS)
    ]
    data["problems"] = [
        _event_ctx(e, program.tz)
        for e in await store.problem_events(program.id, PROBLEM_KINDS, since, SHOWN_PROBLEMS)
    ]
    data["problem_count"] = await store.count_problem_events(program.id, PROBLEM_KINDS, since)
    return data


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= QUESTION_PREVIEW_CHARS:
        return flat
    return flat[: QUESTION_PREVIEW_CHARS - 1].rstrip() + "…"


def _event_ctx(event: dict[str, Any], tz: str) -> dict[str, Any]:
    at = datetime.fromisoformat(event["created_at"]).astimezone(ZoneInfo(tz))
    return {
        "kind": event["kind"],
        "at": at.isoformat(),
        "detail": (event["detail"] or "")[:120],
        "actor_id": event["actor_id"],
    }


async def status_data(core: Core) -> dict[str, Any]:
    """Everything ``hoidap status`` prints, per program and for the whole bot."""
    store, now = core.store, core.now()
    since = now - PROBLEM_WINDOW
    tz = core.settings.tz
    return {
        "now": now.astimezone(ZoneInfo(tz)).isoformat(),
        "db_path": str(core.settings.db_path),
        "window_days": PROBLEM_WINDOW.days,
        "programs": [await _program_status(core, p, since) for p in await store.programs()],
        "other_problems": [
            _event_ctx(e, tz)
            for e in await store.problem_events(None, PROBLEM_KINDS, since, SHOWN_PROBLEMS)
        ],
        "other_problem_count": await store.count_problem_events(None, PROBLEM_KINDS, since),
        "outbox_pending": await store.count_outbox(),
        "outbox_retrying": await store.outbox_retrying(),
        "outbox_failures": [
            {
                "id": f["id"],
                "chat_id": f["chat_id"],
                "template": f["template"],
                "error": (f["failed"] or "")[:120],
                "at": datetime.fromisoformat(f["created_at"]).astimezone(ZoneInfo(tz)).isoformat(),
            }
            for f in await store.outbox_failures(SHOWN_PROBLEMS)
        ],
    }


# -- restore ------------------------------------------------------------------------------------


class RestoreRefused(Exception):
    """The backup was not put back; ``code`` names why (see ``ops_restore.j2``)."""

    def __init__(self, code: str, **detail: Any) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class RestoreResult:
    target: Path
    safety_copy: Path | None
    version: int
    latest: int
    programs: int
    sessions: int


def _free_name(path: Path) -> Path:
    candidate, n = path, 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}-{n}")
        n += 1
    return candidate


def _sidecars(db: Path) -> list[Path]:
    return [db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def restore_database(backup: Path, target: Path, now: datetime) -> RestoreResult:
    """Replace the database ``target`` by the backup file ``backup`` after checking it.

    Checks: a SQLite file, ``PRAGMA integrity_check`` ok, a schema version this program knows
    (older versions are upgraded when the bot starts), and exactly the schema the migrations
    create for that version (``bot.db.compare_schema``). Nothing is touched, no lock taken and
    no copy made before every check passed. The running bot's
    lock must be free (it is held during the restore, so the bot cannot start meanwhile). The
    database replaced is kept as ``<db>.before-restore-<timestamp>``.
    """
    info = inspect_database_file(backup)
    latest = latest_version()
    if info.problem is not None:
        raise RestoreRefused(
            info.problem, file=str(backup), error=info.detail, version=info.version, latest=latest
        )
    if target.exists() and backup.resolve() == target.resolve():
        raise RestoreRefused("same_file", file=str(backup))
    try:
        lock = lock_database(target)  # the running bot holds it; held here, the bot cannot start
    except DatabaseError as exc:
        raise RestoreRefused("locked", reason=str(exc)) from None
    try:
        safety: Path | None = None
        if target.exists():
            stamp = now.strftime("%Y%m%d-%H%M%S")
            safety = _free_name(target.with_name(f"{target.name}.before-restore-{stamp}"))
            try:
                if inspect_database_file(target).problem is not None:
                    raise sqlite3.DatabaseError("not a sound database")
                copy_database(target, safety)  # includes what is still in the WAL file
            except sqlite3.Error:  # a damaged database is kept byte for byte, with its WAL file
                safety.unlink(missing_ok=True)
                shutil.copy2(target, safety)
                for side, kept in zip(_sidecars(target), _sidecars(safety), strict=True):
                    if side.exists():
                        shutil.copy2(side, kept)
        # Build the new file next to the target, then swap it in atomically.
        staging = _free_name(target.with_name(target.name + ".restoring"))
        try:
            copy_database(backup, staging)
            if inspect_database_file(staging).problem is not None:
                raise RestoreRefused("copy_failed", file=str(backup))
            for side in _sidecars(target):  # a stale WAL would be replayed onto the new file
                side.unlink(missing_ok=True)
            os.replace(staging, target)
        finally:
            staging.unlink(missing_ok=True)
    finally:
        if lock is not None:
            lock.release()
    return RestoreResult(
        target=target,
        safety_copy=safety,
        version=info.version,
        latest=latest,
        programs=info.programs,
        sessions=info.sessions,
    )
