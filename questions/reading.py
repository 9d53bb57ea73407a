"""Reading a question file in a process of its own.

openpyxl imports numpy and PIL whenever they are installed (they are, for the charts); with
PyYAML and lxml, a file read in the bot's own process raised its memory for good by about
30 MB. So the bot reads question files in a short-lived child process (``bot.offload``), which
exits afterwards. This module is what the bot's process imports to name that work: it loads no
reader itself; :func:`read_questions` does, in the child. (What can be refused before a reader
starts: ``questions/checks.py``.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from questions.model import ImportRejected, QuestionDraft

if TYPE_CHECKING:
    from questions.register import EntryDraft


def read_questions(filename: str, data: bytes) -> list[QuestionDraft] | ImportRejected:
    """The questions of a file, or what is wrong with it (returned, not raised: it goes back
    to the bot's process pickled). Runs in the child."""
    from questions.importer import parse_questions

    try:
        return parse_questions(filename, data)
    except ImportRejected as exc:
        return exc


def is_register(filename: str, data: bytes) -> bool:
    """Whether a spreadsheet is the register of documents rather than questions. Runs in the
    child."""
    from questions.register import looks_like_register

    return looks_like_register(filename, data)


def read_register(filename: str, data: bytes) -> list[EntryDraft] | ImportRejected:
    """The entries of a register file, or what is wrong with it. Runs in the child."""
    from questions.register import parse_register

    try:
        return parse_register(filename, data)
    except ImportRejected as exc:
        return exc
