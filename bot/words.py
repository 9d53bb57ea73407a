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

# What each command does, in a few words: the BotFather menus and /help show these. A command
# without an entry (an alias, a dialog step) is in neither. Keyed by the command's name in
# ``handlers/commands.py``.
MENU: Final[dict[str, str]] = {
    "cauhoi": "Câu hỏi tuần này",
    "trangthai": "Tình hình phiên hỏi – đáp",
    "lich": "Lịch của chương trình",
    "traloi": "Gửi câu trả lời (người được bốc thăm)",
    "kiemtra": "Kiểm tra lại kết quả bốc thăm",
    "timkiem": "Tìm trong các câu trả lời chính thức",
    "lichsu": "Các phiên đã kết luận",
    "chon": "Chọn chương trình (khi tham gia nhiều nhóm)",
    "rutlai": "Bốc thăm lại (kèm lý do)",
    "themcauhoi": "Thêm một câu hỏi",
    "danhsach": "Hàng đợi câu hỏi và các phiên tới",
    "xemcauhoi": "Xem một câu hỏi theo số",
    "xephang": "Đổi thứ tự câu hỏi trong hàng đợi",
    "ghim": "Ghim câu hỏi vào phiên của một tuần",
    "tamhoan": "Tạm hoãn một câu hỏi",
    "tieptuc": "Đưa câu tạm hoãn trở lại hàng đợi",
    "loai": "Loại một câu hỏi",
    "the": "Gắn thẻ cho câu hỏi",
    "xuatcauhoi": "Xuất ngân hàng câu hỏi ra tệp",
    "maucauhoi": "Tệp mẫu để nạp câu hỏi",
    "nhansu": "Danh sách cán bộ",
    "moi": "Tạo liên kết mời",
    "vaitro": "Đặt vai trò",
    "vangmat": "Ghi nghỉ phép / công tác",
    "ngungthamgia": "Ngừng tham gia chương trình",
    "datlich": "Xem / đổi lịch",
    "dangngay": "Gửi câu hỏi ngay",
    "bocthamngay": "Bốc thăm ngay (giao ban vừa xong)",
    "nghituan": "Nghỉ tuần này",
    "ketluan": "Kết luận câu hỏi tuần này",
    "sotay": "Sổ tay hỏi – đáp của năm (tệp Word)",
    "hoicho": "Câu hỏi của cơ sở chờ duyệt",
    "coso": "Danh sách cơ sở gửi câu hỏi",
    "hoi": "Gửi câu hỏi từ thực tiễn cơ sở",
    "cuatoi": "Các câu hỏi tôi đã gửi",
    "lienket": "Gắn nhóm với chương trình (gửi trong nhóm)",
    "gioihanhoi": "Số câu mỗi cơ sở gửi được trong ngày",
    "huy": "Hủy thao tác đang làm",
    "help": "Hướng dẫn sử dụng",
}

# What follows a command's name, as /help shows it (``<…>`` required, ``[…]`` optional).
COMMAND_ARGS: Final[dict[str, str]] = {
    "traloi": "<nội dung>",
    "timkiem": "<từ khóa>",
    "rutlai": "<lý do>",
    "xemcauhoi": "<số>",
    "xephang": "<số> <vị trí>",
    "ghim": "<số> <ngày/tháng/năm>",
    "tamhoan": "<số>",
    "tieptuc": "<số>",
    "loai": "<số>",
    "the": "<số> <thẻ, thẻ…>",
    "xuatcauhoi": "[xlsx|csv|yaml]",
    "moi": "[vai trò] [duyet]",
    "vaitro": "<#> <vai trò…>",
    "vangmat": "<#> phep|congtac <đến ngày> [từ ngày]",
    "ngungthamgia": "<#>",
    "datlich": "[khóa giá trị]",
    "nghituan": "<lý do>",
    "ketluan": "[nội dung]",
    "sotay": "[năm]",
    "gioihanhoi": "<số>",
    "hoi": "[nội dung]",
}

# -- command line ---------------------------------------------------------------------------------
