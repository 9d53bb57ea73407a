"""Crash points: kill the process with SIGKILL at a named moment (test support only).

Inert unless the environment variable ``HOIDAP_CRASH_AT`` names a point when this module is
first imported (tests/support/child.py imports it); it then arms the hook point in production
code (:mod:`bot.hooks`), which otherwise costs one dictionary lookup. The fault tests
(tests/e2e/test_faults.py) run the bot in a child process (tests/support/child.py) with:

``HOIDAP_CRASH_AT=after_commit:STEP``
    right after the transaction that made the state change ``STEP`` commits, before any of the
    messages it owes is sent. ``STEP`` is the ``step=`` of the ``state ...`` log line
    (bot/services/context.py ``state_change``): ``published``, ``drawn``, ``answered``,
    ``graded``, ``concluded``, ``reminded``, ``unanswered``, ... (needs INFO logging on
    ``hoidap.cycle``, which the child sets up).

``HOIDAP_CRASH_AT=after_send:N``
    right after Telegram accepted the N-th outbox message sent by this process, before it is
    marked sent (bot/transport/outbox.py).

The hooks: :func:`after_commit` at ``hooks.fire("after_commit")`` in ``StoreBase.transaction``
and :func:`after_send` at ``hooks.fire("after_send")`` in ``OutboxWorker``.
"""

from __future__ import annotations

import logging
import os
import signal
import sys

from bot import hooks

CRASH_AT = os.environ.get("HOIDAP_CRASH_AT", "").strip()
ARMED = bool(CRASH_AT)

_kind, _, _arg = CRASH_AT.partition(":")
_step_seen = False
_accepted = 0


def _die(why: str) -> None:
    sys.stderr.write(f"crash point {CRASH_AT}: {why}; SIGKILL\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


class _StepWatch(logging.Filter):
    """Notes that the named state change was made (its transaction has not committed yet)."""

    def filter(self, record: logging.LogRecord) -> bool:
        global _step_seen
        message = record.getMessage()
        if message.startswith("state ") and f" step={_arg} " in message:
            _step_seen = True
        return True


def after_commit() -> None:
    """Called right after every COMMIT while armed."""
    global _step_seen
    if _kind == "after_commit" and _step_seen:
        _die(f"state change {_arg!r} committed")
    _step_seen = False


def after_send() -> None:
    """Called right after Telegram accepted an outbox message, before it is marked sent."""
    global _accepted
    if _kind != "after_send":
        return
    _accepted += 1
    if _accepted == int(_arg):
        _die(f"outbox message {_accepted} accepted by Telegram, not yet marked sent")


if ARMED:
    if _kind not in ("after_commit", "after_send") or not _arg:
        raise SystemExit(f"HOIDAP_CRASH_AT: unknown crash point {CRASH_AT!r}")
    if _kind == "after_commit":
        logging.getLogger("hoidap.cycle").addFilter(_StepWatch())
        hooks.arm("after_commit", after_commit)
    else:
        hooks.arm("after_send", after_send)
