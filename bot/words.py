"""The catalogue of words: every short Vietnamese label the code hands to templates or menus.

Whole messages live in ``bot/templates/*.j2``. What is here are the names of things (roles,
verdicts, statuses), button labels, command-menu descriptions and CLI messages, so that a word is
fixed in one place and no service or handler spells Vietnamese itself.
"""

from __future__ import annotations

from typing import Final

# -- names of things ------------------------------------------------------------------------------

# Lower-case: these are used mid-sentence («với vai trò chuyên viên»).
ROLE_LABELS: Final = {
    "staff": "chuyên viên",
    "head": "trưởng phòng",
    "leader": "lãnh đạo Ban",
    "admin": "quản trị",
}

VERDICT_LABELS: Final = {"correct": "Đúng", "partial": "Đúng một phần", "wrong": "Chưa đúng"}

# A question in the bank.
BANK_STATUS_LABELS: Final = {
    "queued": "đang chờ",
    "held": "tạm hoãn",
    "used": "đã dùng",
    "retired": "đã loại",
}

# A question sent by a grassroots organisation.
SUBMISSION_STATUS_LABELS: Final = {
    "pending": "đang chờ xem xét",
    "accepted": "đã được tiếp nhận",
    "merged": "đã được gộp với câu hỏi có sẵn",
    "declined": "chưa được tiếp nhận",
}

# -- button labels --------------------------------------------------------------------------------

# -- command-menu descriptions (the command table) ------------------------------------------------

# -- command line ---------------------------------------------------------------------------------
