"""Reading a question file in a process of its own (``bot.offload.in_child``).

openpyxl imports numpy and PIL whenever they are installed (they are, for the charts), and
with PyYAML and lxml a file read in the bot's own process would raise its memory for good by
about 30 MB. This module is what the bot's process imports to name the work: light, it loads
the readers only when :func:`read_questions` runs, in the child, which exits afterwards.
"""

from __future__ import annotations

from questions.model import ImportRejected, QuestionDraft


def read_questions(filename: str, data: bytes) -> list[QuestionDraft] | ImportRejected:
    """The questions of a file, or what is wrong with it (returned, not raised: it goes back
    to the bot's process pickled)."""
    from questions.importer import parse_questions

    try:
        return parse_questions(filename, data)
    except ImportRejected as exc:
        return exc
