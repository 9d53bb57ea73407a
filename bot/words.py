"""The catalogue of words: every short Vietnamese label the code hands to templates or menus.

Whole messages live in ``bot/templates/*.j2``. What is here are the names of things (roles,
verdicts, statuses), button labels, command-menu descriptions and CLI messages, so that a word is
fixed in one place and no service or handler spells Vietnamese itself.
"""

from __future__ import annotations

from typing import Final

# -- names of things ------------------------------------------------------------------------------

# Used mid-sentence («với vai trò chuyên viên»): the titles of office-holders are capitalised
# everywhere («Trưởng phòng», «Lãnh đạo Ban»), the names of kinds of people are not («chuyên viên»,
# «quản trị viên»). Templates spell them the same way.
ROLE_LABELS: Final = {
    "staff": "chuyên viên",
    "head": "Trưởng phòng",
    "leader": "Lãnh đạo Ban",
    "admin": "quản trị viên",
}

# A grassroots asker, named where a role would be («liên kết mời cơ sở gửi câu hỏi»).
ASKER_LABEL: Final = "cơ sở gửi câu hỏi"

# The titles offered as buttons when someone joins (anything else may be typed).
TITLE_CHOICES: Final = ("Chuyên viên", "Chuyên viên chính")

# The title of a program created by /lienket in a group without a title.
DEFAULT_PROGRAM_TITLE: Final = "Chương trình hỏi – đáp"

# The reason recorded for a redraw when the admin gives none.
DEFAULT_REDRAW_REASON: Final = "theo quyết định của quản trị viên"

VERDICT_LABELS: Final = {"correct": "Đúng", "partial": "Đúng một phần", "wrong": "Chưa đúng"}

# Weekdays as written mid-sentence («vào thứ Hai»); ``bot.render`` capitalises the first letter
# where a line or sentence starts with one.
WEEKDAYS: Final = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "chủ nhật")

# A week of the year as people read it (never the ISO «2026-W50»).
WEEK_LABEL: Final = "tuần {week}/{year}"

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

# Labels with a ``{name}`` are filled in with ``str.format``.
BUTTONS: Final = {
    # joining and invites
    "approve": "✅ Duyệt",
    "reject": "❌ Từ chối",
    "open_invite": "Mở liên kết mời",
    # the weekly session
    "in_person": "🗣 Ghi nhận trả lời trực tiếp",
    "conclude": "✍️ Viết kết luận",
    # questions from the grassroots
    "send": "✅ Gửi",
    "cancel": "✖️ Hủy",
    "accept": "✅ Nhận",
    "edit_accept": "✏️ Sửa rồi nhận",
    "merge": "🔗 Gộp",
    "keep_text": "Giữ nguyên nội dung",
    "review": "Xét #{id}",
    # the question bank
    "bank_top": "⏫ Lên đầu hàng đợi",
    "bank_hold": "⏸ Tạm hoãn",
    "bank_release": "▶️ Tiếp tục dùng",
    "bank_retire_ask": "🗑 Loại",
    "bank_retire": "🗑 Xác nhận loại câu #{id}",
    "bank_keep": "↩️ Giữ lại",
    # the archive
    "archive_view": "📄 Xem đầy đủ ({number})",
    "page_back": "◀ Trước",
    "page_next": "Sau ▶",
}

# -- command-menu descriptions (the command table) ------------------------------------------------

# -- command line ---------------------------------------------------------------------------------
