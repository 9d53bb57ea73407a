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

# The reason recorded for the redraw offered when the drawn person stopped taking part.
LEFT_REDRAW_REASON: Final = "đồng chí được bốc thăm đã ngừng tham gia chương trình"

VERDICT_LABELS: Final = {"correct": "Đúng", "partial": "Đúng một phần", "wrong": "Chưa đúng"}

# What became of a turn, one name each, the same in every view and document (/hoso, /thongke,
# the Word and Excel reports, the year-end sheets, the charts): how it was answered
# (bot.records.OUTCOMES: in time, late, in person, not at all, or still waiting) and, for an
# answer, its verdict («Chưa đánh giá»: an answer waiting for its grade); «Nghỉ»: a week without
# a session. Written with a capital; templates lower-case them mid-sentence.
OUTCOME_LABELS: Final = {
    "in_time": "Trả lời đúng hạn",
    "late": "Trả lời muộn",
    "in_person": "Trả lời trực tiếp",
    "unanswered": "Không trả lời",
    "waiting": "Đang chờ trả lời",
    **VERDICT_LABELS,
    "ungraded": "Chưa đánh giá",
    "skipped": "Nghỉ",
}

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

# The status of a document in the register (bot/services/register.py).
REF_STATUS_LABELS: Final = {
    "in_force": "Còn hiệu lực",
    "replaced": "Được thay thế",
    "amended": "Được sửa đổi, bổ sung",
    "repealed": "Hết hiệu lực",
}

# The columns of a register file (questions/register.py), by field.
REGISTER_HEADERS: Final = {
    "symbol": "Ký hiệu",
    "kind": "Loại văn bản",
    "title": "Trích yếu",
    "issued_on": "Ngày ban hành",
    "issued_by": "Cơ quan ban hành",
    "status": "Tình trạng",
    "successor": "Văn bản thay thế, sửa đổi",
    "status_from": "Từ ngày",
    "source": "Nguồn",
}

# -- documents cited (bot/citations.py) ------------------------------------------------------------

# The kind written in front of a number (folded) → as officially written.
DOCUMENT_KINDS: Final = {
    "quy dinh": "Quy định",
    "huong dan": "Hướng dẫn",
    "nghi quyet": "Nghị quyết",
    "quyet dinh": "Quyết định",
    "ket luan": "Kết luận",
    "chi thi": "Chỉ thị",
    "thong tri": "Thông tri",
    "quy che": "Quy chế",
    "nghi dinh": "Nghị định",
    "thong tu": "Thông tư",
    "cong van": "Công văn",
    "thong bao": "Thông báo",
    "phap lenh": "Pháp lệnh",
    "ke hoach": "Kế hoạch",
    "de an": "Đề án",
    "chuong trinh": "Chương trình",
    "bao cao": "Báo cáo",
    "to trinh": "Tờ trình",
    "luat": "Luật",
}
# Kinds that may stand before a bare number («Quy định 24»): the others are common words.
BARE_KINDS: Final = frozenset(
    {
        "quy dinh",
        "huong dan",
        "nghi quyet",
        "quyet dinh",
        "ket luan",
        "chi thi",
        "thong tri",
        "quy che",
        "nghi dinh",
        "thong tu",
    }
)
# The type code a kind's symbol carries (Party style for Party kinds, «NĐ-CP» for a decree).
DOCUMENT_KIND_CODES: Final = {
    "quy dinh": "QĐ",
    "huong dan": "HD",
    "nghi quyet": "NQ",
    "quyet dinh": "QĐ",
    "ket luan": "KL",
    "chi thi": "CT",
    "thong tri": "TT",
    "quy che": "QC",
    "nghi dinh": "NĐ",
    "thong tu": "TT",
    "thong bao": "TB",
    "ke hoach": "KH",
    "de an": "ĐA",
    "chuong trinh": "CTr",
    "bao cao": "BC",
    "to trinh": "TTr",
    "cong van": "CV",
}
# Type codes of symbols (folded) → as officially written.
DOCUMENT_CODES: Final = {
    "qd": "QĐ",
    "hd": "HD",
    "nq": "NQ",
    "kl": "KL",
    "ct": "CT",
    "qc": "QC",
    "tb": "TB",
    "bc": "BC",
    "tt": "TT",
    "cv": "CV",
    "ttr": "TTr",
    "da": "ĐA",
    "kh": "KH",
    "ctr": "CTr",
    "nd": "NĐ",
    "ttlt": "TTLT",
    "nqlt": "NQLT",
    "qdlt": "QĐLT",
    "hdlt": "HDLT",
    "cd": "CĐ",
}
# Abbreviations written for a kind (upper case in the text): «QĐ 24», «NĐ 170».
ABBREVIATIONS: Final = frozenset({"qd", "hd", "nq", "kl", "ct", "nd", "tt", "qc"})
# Issuers written in mixed case or with Đ, folded → as officially written.
DOCUMENT_ISSUERS: Final = {
    "ttg": "TTg",
    "hdnd": "HĐND",
    "du": "ĐU",
    "duk": "ĐUK",
    "dtn": "ĐTN",
    "twdtn": "TWĐTN",
    "bcd": "BCĐ",
    "bcdtw": "BCĐTW",
}
# Abbreviations that say the kind («HD 01-HD/TW» is a Hướng dẫn; «QĐ» may be a Quy định or a
# Quyết định, «TT» a Thông tri or a Thông tư: no kind).
ABBREVIATION_KINDS: Final = {
    "hd": "Hướng dẫn",
    "nq": "Nghị quyết",
    "nd": "Nghị định",
    "ct": "Chỉ thị",
    "kl": "Kết luận",
    "qc": "Quy chế",
}
# Kinds of State documents, whose symbols read «number/year/code-issuer».
STATE_KINDS: Final = frozenset({"Nghị định", "Thông tư", "Pháp lệnh", "Luật"})
# A law's kind, and the kinds that make up a name with it.
LAW_KINDS: Final = ("Luật", "Bộ luật")
# Laws known by name (folded, in the usual spelling) → their name as written.
LAW_NAMES: Final = {
    "can bo, cong chuc": "Cán bộ, công chức",
    "vien chuc": "Viên chức",
    "to chuc chinh quyen dia phuong": "Tổ chức chính quyền địa phương",
    "to chuc chinh phu": "Tổ chức Chính phủ",
    "to chuc quoc hoi": "Tổ chức Quốc hội",
    "ban hanh van ban quy pham phap luat": "Ban hành văn bản quy phạm pháp luật",
    "phong, chong tham nhung": "Phòng, chống tham nhũng",
    "thi dua, khen thuong": "Thi đua, khen thưởng",
    "bao hiem xa hoi": "Bảo hiểm xã hội",
    "khieu nai": "Khiếu nại",
    "to cao": "Tố cáo",
    "thanh tra": "Thanh tra",
    "tiep cong dan": "Tiếp công dân",
    "thuc hien dan chu o co so": "Thực hiện dân chủ ở cơ sở",
    "mat tran to quoc viet nam": "Mặt trận Tổ quốc Việt Nam",
    "cong doan": "Công đoàn",
    "thanh nien": "Thanh niên",
    "bau cu dai bieu quoc hoi va dai bieu hoi dong nhan dan": (
        "Bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân"
    ),
    "hon nhan va gia dinh": "Hôn nhân và gia đình",
    "binh dang gioi": "Bình đẳng giới",
    "luu tru": "Lưu trữ",
    "cu tru": "Cư trú",
    "can cuoc": "Căn cước",
    "dat dai": "Đất đai",
    "ngan sach nha nuoc": "Ngân sách nhà nước",
    "dau tu cong": "Đầu tư công",
    "xu ly vi pham hanh chinh": "Xử lý vi phạm hành chính",
    "tin nguong, ton giao": "Tín ngưỡng, tôn giáo",
    "nghia vu quan su": "Nghĩa vụ quân sự",
    "cong an nhan dan": "Công an nhân dân",
    "si quan quan doi nhan dan viet nam": "Sĩ quan Quân đội nhân dân Việt Nam",
    "giao duc": "Giáo dục",
    "doanh nghiep": "Doanh nghiệp",
    # Codes («Bộ luật»).
    "lao dong": "Lao động",
    "hinh su": "Hình sự",
    "dan su": "Dân sự",
    "to tung hinh su": "Tố tụng hình sự",
    "to tung dan su": "Tố tụng dân sự",
}
# The words of a citation as the bot writes it.
CITATION_WORDS: Final = {
    "numbered": "{kind} số {symbol}",
    "joint": " liên tịch",
    "day": "ngày {day}",
    "year": "năm {year}",
    "charter": "Điều lệ Đảng",
    "charter_kind": "Điều lệ",
    "constitution": "Hiến pháp",
    "law": "Luật",
    "code_law": "Bộ luật",
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
    "redraw_left": "🎲 Bốc thăm lại",
    "late_accept": "✅ Nhận là câu trả lời muộn",
    "late_leave": "✖️ Không nhận",
    # a doubt on Zalo: are these words a command?
    "doubt_yes": "Có, {menu}",
    "doubt_no": "Không, đó là nội dung tôi gửi",
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
    "supplement": "✍️ Kết luận bổ sung",
    "page_back": "◀ Trước",
    "page_next": "Sau ▶",
}

# How a reader picks a choice, by the channel they read on (templates: ``press(label)``).
PRESS_WORDS: Final = {"telegram": "bấm «{label}»", "zalo": "gửi số ứng với «{label}»"}

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
    "hoso": "Hồ sơ hỏi – đáp của tôi trong năm",
    "thongke": "Số liệu của chương trình và xu hướng",
    "baocao": "Báo cáo (Word, Excel) và phiếu tổng hợp cán bộ",
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
    "vanban": "Thể thức văn bản (cơ quan ban hành, người ký)",
    "dangngay": "Gửi câu hỏi ngay",
    "bocthamngay": "Bốc thăm ngay (giao ban vừa xong)",
    "nghituan": "Nghỉ tuần này",
    "ketluan": "Kết luận câu hỏi tuần này",
    "sotay": "Sổ tay hỏi – đáp của năm (tệp Word)",
    "ketluanbosung": "Kết luận bổ sung cho một câu trả lời chính thức",
    "cancu": "Sổ văn bản căn cứ (tình trạng hiệu lực)",
    "hoicho": "Câu hỏi của cơ sở chờ duyệt",
    "coso": "Danh sách cơ sở gửi câu hỏi",
    "hoi": "Gửi câu hỏi từ thực tiễn cơ sở",
    "cuatoi": "Các câu hỏi tôi đã gửi",
    "lienket": "Gắn nhóm với chương trình (gửi trong nhóm)",
    "gioihanhoi": "Số câu mỗi cơ sở gửi được trong ngày",
    "huy": "Hủy thao tác đang làm",
    "zalo": "Nhận mã để dùng bot trên Zalo",
    "huylienket": "Hủy liên kết Zalo",
    "toi": "Thông tin của tôi (số hiệu, vai trò, mã Zalo)",
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
    "vanban": "[khóa giá trị]",
    "lich": "[ics]",
    "nghituan": "<lý do>",
    "ketluan": "[nội dung]",
    "sotay": "[năm]",
    "ketluanbosung": "<số> [nội dung]",
    "cancu": "[ký hiệu | them | thay | sua | bai | hieuluc | xuat | mau]",
    "hoso": "[#số] [năm|quý|tháng]",
    "thongke": "[năm|quý|tháng]",
    "baocao": "[năm|quý|tháng] [docx|xlsx] [canbo] [so N]",
    "gioihanhoi": "<số>",
    "huylienket": "[#số]",
    "hoi": "[nội dung]",
}

# -- command line ---------------------------------------------------------------------------------

# argparse's own messages (its message ids in Python 3.11's argparse.py) in Vietnamese:
# hoidap/cli.py hands them to argparse through its translation hook. Messages about mistakes in
# the parser's own definition (programming errors, never shown to a user) stay as argparse has
# them.
ARGPARSE_WORDS: Final = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "không có việc %(parser_name)r (chọn một trong: %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "không mở được tệp «%(filename)s»: %(error)s",
    "unrecognized arguments: %s": "không hiểu phần này của lệnh: %s",
    "not allowed with argument %s": "không dùng được cùng với %s",
    "ignored explicit argument %r": "tùy chọn này không nhận giá trị (%r)",
    "the following arguments are required: %s": "còn thiếu: %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "expected one argument": "cần một giá trị ngay sau tùy chọn",
    "expected at most one argument": "nhận nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "ambiguous option: %(option)s could match %(matches)s": (
        "tùy chọn %(option)s chưa rõ: có thể là %(matches)s"
    ),
    "unexpected option string: %s": "không cần tùy chọn %s ở đây",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "không có lựa chọn %(value)r (chọn một trong: %(choices)s)"
    ),
    "%(prog)s: error: %(message)s\n": "%(prog)s: %(message)s\n",
}

# One mistake on the command line: one line on stderr.
CLI_MISTAKE: Final = "{prog}: {message} (xem: {prog} -h)"

# Names shown for the values the commands take («--program SỐ»).
CLI_METAVARS: Final = {
    "command": "LỆNH",
    "task": "VIỆC",
    "file": "TỆP",
    "number": "SỐ",
    "url": "URL",
    "address": "ĐỊA_CHỈ",
    "port": "CỔNG",
    "secret": "MÃ",
    "seed": "MÃ_BÍ_MẬT",
    "pool": "SỐ_HIỆU",
    "attempt": "LẦN",
    "year": "NĂM",
    "title": "TÊN",
    "admin": "ID",
    "quarter": "QUÝ",
    "month": "THÁNG",
    "date": "NGÀY",
}

# What ``hoidap -h`` says first.
CLI_DESCRIPTION: Final = """\
hoidap – bot điều hành chương trình «Cơ sở hỏi, cán bộ tổ chức trả lời» trên Telegram.

Chạy bot:            hoidap run        (không có TELEGRAM_BOT_TOKEN thì chạy bản trình diễn)
Bản trình diễn:      hoidap demo       (ngoại tuyến, không cần token)
Nạp câu hỏi:         hoidap questions import cau_hoi.xlsx [--program SỐ]
Tệp mẫu câu hỏi:     hoidap questions template mau.xlsx
Xuất ngân hàng:      hoidap questions export ngan_hang.xlsx [--program SỐ]  (.xlsx, .csv, .yaml)
Nâng cấp CSDL:       hoidap db migrate
Sao lưu CSDL:        hoidap backup ban_sao.sqlite3
Khôi phục CSDL:      hoidap restore ban_sao.sqlite3   (dừng bot trước; CSDL cũ được giữ lại)
Tình hình vận hành:  hoidap status
Chạy bằng webhook:   hoidap run --webhook https://bot.example.org/hoidap [--port 8443]
Kiểm tra bốc thăm:   hoidap verify --seed HEX --pool 3,5,9 [--attempt 0]
Sổ tay hỏi – đáp:    hoidap handbook --year 2026 so_tay_2026.docx [--program SỐ]
Báo cáo:             hoidap report --year 2026 [--quarter 4 | --month 12 | --from 1/3 --to 31/5]
                       bao_cao.docx|bao_cao.xlsx [--sheets] [--points] [--number SỐ]
                       [--program SỐ]
Sổ văn bản căn cứ:   hoidap refs import so_van_ban.xlsx | refs export so_van_ban.xlsx
                     hoidap refs template mau.xlsx | refs scan van_ban.txt (hoặc - : đọc từ stdin)
"""

# The help of each command and option (``hoidap LỆNH -h``), by command and option.
CLI_HELP: Final = {
    "command": "việc cần làm",
    "run": "chạy bot (long polling); không có token thì chạy trình diễn",
    "run --webhook": "nhận cập nhật qua webhook tại địa chỉ https này",
    "run --listen": "địa chỉ lắng nghe (mặc định 0.0.0.0)",
    "run --port": "cổng lắng nghe (mặc định 8443)",
    "run --secret-token": "mã bí mật Telegram gửi kèm mỗi cập nhật (mặc định: tạo ngẫu nhiên)",
    "demo": "bản trình diễn ngoại tuyến: một tuần rút gọn vài giây",
    "demo --quiet": "chỉ in bản tóm tắt cuối",
    "questions": "ngân hàng câu hỏi",
    "questions import": "nạp câu hỏi từ tệp .xlsx / .csv / .yaml (tất cả hoặc không)",
    "questions import file": "tệp câu hỏi .xlsx, .csv hoặc .yaml",
    "questions template": "tạo tệp Excel mẫu có giải thích các cột",
    "questions template file": "tên tệp mẫu sẽ tạo (.xlsx)",
    "questions export": "xuất ngân hàng câu hỏi (trừ câu đã loại) ra tệp .xlsx / .csv / .yaml",
    "questions export file": "tên tệp sẽ tạo; đuôi tệp chọn định dạng",
    "db": "cơ sở dữ liệu",
    "db migrate": "tạo mới hoặc nâng cấp cơ sở dữ liệu",
    "backup": "sao lưu trực tuyến cơ sở dữ liệu (chạy được khi bot đang chạy)",
    "backup file": "tên tệp bản sao lưu sẽ tạo",
    "restore": "khôi phục cơ sở dữ liệu từ bản sao lưu (dừng bot trước; giữ bản cũ)",
    "restore file": "tệp bản sao lưu",
    "status": "tình hình: phiên tuần này, các bước sắp tới, hàng đợi, sự cố gần đây",
    "verify": "tính lại kết quả bốc thăm từ mã bí mật và danh sách số hiệu",
    "verify --seed": "mã bí mật đã công bố sau lần bốc (64 chữ số hệ 16; xem /kiemtra)",
    "verify --pool": "các số hiệu, cách nhau bởi dấu phẩy",
    "verify --attempt": "lần bốc trong phiên: 0 là lần bốc đầu, 1, 2… các lần bốc lại (mặc định 0)",
    "handbook": "sổ tay hỏi – đáp (.docx): các câu hỏi đã kết luận trong năm, theo chủ đề",
    "handbook file": "tên tệp .docx sẽ tạo",
    "handbook --year": "năm (mặc định: năm nay)",
    "report": "báo cáo kết quả chương trình (.docx theo thể thức của Đảng, hoặc .xlsx)",
    "report file": "tên tệp sẽ tạo; đuôi .docx hoặc .xlsx chọn định dạng",
    "report --year": "năm (mặc định: năm nay)",
    "--quarter": "một quý của năm (1–4)",
    "--month": "một tháng của năm (1–12)",
    "--from": "từ ngày (dùng cùng --to), ví dụ 1/3/2026",
    "--to": "đến ngày (dùng cùng --from), ví dụ 31/5/2026",
    "report --sheets": "phiếu tổng hợp của từng cán bộ (mỗi người một trang) thay cho báo cáo",
    "report --points": "kèm điểm (đúng 2, đúng một phần 1, chưa đúng 0, không trả lời −1)",
    "report --number": "số văn thư cấp cho báo cáo (không ghi: để trống để điền khi vào sổ)",
    "--program": "số của chương trình (khi có nhiều nhóm)",
    "refs": "sổ văn bản căn cứ: văn bản được dẫn, tình trạng hiệu lực",
    "refs scan": "in các văn bản được dẫn trong một văn bản, mỗi văn bản một dòng",
    "refs scan file": "tệp văn bản UTF-8; «-» để đọc từ đầu vào chuẩn",
    "refs import": "nạp sổ văn bản từ tệp .xlsx / .csv (tất cả hoặc không)",
    "refs import file": "tệp sổ văn bản .xlsx hoặc .csv",
    "refs export": "xuất sổ văn bản ra tệp .xlsx / .csv",
    "refs export file": "tên tệp sẽ tạo; đuôi tệp chọn định dạng",
    "refs template": "tạo tệp Excel mẫu của sổ văn bản, có giải thích các cột",
    "refs template file": "tên tệp mẫu sẽ tạo (.xlsx)",
    "program": "chương trình",
    "program create": "tạo chương trình không có nhóm Telegram (cán bộ dùng Zalo)",
    "program create title": "tên chương trình",
    "program create --admin": "quản trị viên: id Telegram hoặc zalo:<id Zalo> (lặp lại được)",
}

# What the commands print (str.format templates; errors start with «hoidap: »).
CLI_SAYS: Final = {
    "failed": "hoidap: {error}",
    "template_written": "Đã tạo tệp mẫu {path}",
    "demo_without_token": (
        "Chưa có TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN: chạy bản trình diễn ngoại tuyến "
        "(xem README để chạy bot thật).\n"
    ),
    "webhook_needs_telegram": (
        "hoidap: --webhook là webhook của Telegram và cần TELEGRAM_BOT_TOKEN; webhook của Zalo "
        "bật bằng HOIDAP_ZALO_WEBHOOK_SECRET và HOIDAP_PUBLIC_URL"
    ),
    "token_refused": "hoidap: Telegram không nhận TELEGRAM_BOT_TOKEN; đề nghị kiểm tra lại token",
    "telegram_unreachable": "hoidap: không kết nối được Telegram khi khởi động: {error}",
    "db_migrated": "Cơ sở dữ liệu {path}: phiên bản {version} (mới nhất).",
    "file_missing": "hoidap: không thấy tệp {path}",
    "file_unreadable": "hoidap: không đọc được tệp {path}: {error}",
    "choose_program": (
        "hoidap: đề nghị chọn chương trình bằng --program SỐ ({listing}). "
        "Chương trình được tạo khi gõ /lienket trong nhóm."
    ),
    "export_bad_suffix": "hoidap: tên tệp phải kết thúc bằng .xlsx, .csv hoặc .yaml",
    "target_exists": "hoidap: tệp {path} đã có; chọn tên khác để không ghi đè",
    "exported": "Đã xuất {count} câu hỏi của «{title}» ra {path}",
    "db_missing": "hoidap: không thấy cơ sở dữ liệu {path}",
    "backed_up": "Đã sao lưu {path} vào {target}",
    "db_unreadable": "hoidap: cơ sở dữ liệu {path} không đọc được: {error}",
    "db_version": (
        "hoidap: cơ sở dữ liệu {path} ở phiên bản {version}, chương trình dùng phiên bản "
        "{latest}; chạy «hoidap db migrate» hoặc khởi động bot (với bản hoidap mới nhất) trước"
    ),
    "committed": "Cam kết (mã băm SHA-256 của mã bí mật): {commitment}",
    "verified": "Danh sách số hiệu {pool}, lần bốc {attempt} → số hiệu {chosen}",
    "pool_empty": "cần ít nhất một số hiệu, ví dụ --pool 3,5,9",
    "no_programs": "chưa có chương trình nào",
    "report_bad_suffix": "hoidap: tên tệp báo cáo phải kết thúc bằng .docx hoặc .xlsx",
    "report_from_to": "hoidap: --from và --to đi cùng nhau, ví dụ --from 1/3/2026 --to 31/5/2026",
    "scan_not_utf8": "hoidap: tệp {path} không phải văn bản UTF-8; đề nghị lưu lại bảng mã UTF-8",
    "scan_too_large": "hoidap: tệp {path} lớn hơn {limit} MB; đề nghị chia nhỏ",
    "refs_bad_suffix": "hoidap: tên tệp sổ văn bản phải kết thúc bằng .xlsx hoặc .csv",
    "refs_template_suffix": "hoidap: tên tệp mẫu phải kết thúc bằng .xlsx",
    "refs_exported": "Đã xuất {count} văn bản của sổ văn bản căn cứ ra {path}",
}

# -- documents in the Party's format (bot/documents) ----------------------------------------------

# The fixed words of a Party document (Hướng dẫn 36-HD/VPTW, 2018) and the defaults of a
# program's document settings (``/vanban``).
PARTY_WORDS: Final = {
    "party": "ĐẢNG CỘNG SẢN VIỆT NAM",
    "date_line": "{place}ngày {day} tháng {month} năm {year}",
    "place_sep": ", ",
    "recipients_title": "Nơi nhận:",
    "recipient": "- {name}{end}",
    "number_line": "Số {number}-{kind}/{symbol}",
    "signer_deputy_prefix": "K/T ",
    "default_body": "BAN TỔ CHỨC",
    "default_capacity": "TRƯỞNG BAN",
    "default_recipients": "- Lãnh đạo Ban,\n- Các phòng, đơn vị thuộc Ban,\n- Lưu Văn phòng Ban.",
}

# The calendar (.ics) of upcoming sessions (``/lich ics``).
CALENDAR_WORDS: Final = {
    "summary": "Cơ sở hỏi, cán bộ tổ chức trả lời – {program}",
    "description": "Câu hỏi được gửi lúc {publish}. Bốc thăm lúc {draw}, hạn trả lời {deadline}.",
    "moved": "Phiên dời từ {nominal} sang {actual} vì {holiday}.",
    "cancelled": "Tuần này không có phiên ({reason}).",
    "calendar_name": "Lịch hỏi – đáp: {program}",
    "no_session": "nghỉ",
    "no_question": "không có câu hỏi trong hàng đợi",
}

# The charts (bot/documents/charts.py): /thongke's picture, the reports. The labels of the
# stacks are OUTCOME_LABELS.
CHART_WORDS: Final = {
    "sessions": "Số phiên",
    "month": "T{month}",
    "month_year": "{month}/{year}",
    "had_turn": "Đã có lượt",
    "not_yet": "Chưa có lượt",
    "people": "Số cán bộ",
}

# -- Zalo (bot/transport/zalo.py) -----------------------------------------------------------------

# On Zalo a command may be typed without its slash, as words (folded: no diacritics, lower
# case), or as the command's own name («lich»): on their own only, since ordinary Vietnamese
# must never be taken for a command (bot/transport/zalo.py says how a text is read).
ZALO_WORDS: Final[dict[str, str]] = {
    "bat dau": "start",
    "tro giup": "help",
    "huong dan": "help",
    "giup": "help",
    "cau hoi": "cauhoi",
    "tra loi": "traloi",
    "lich": "lich",
    "tinh hinh": "trangthai",
    "ho so": "hoso",
    "thong ke": "thongke",
    "tim": "timkiem",
    "tim kiem": "timkiem",
    "huy": "huy",
    "kiem tra": "kiemtra",
    "bao cao": "baocao",
    "huy lien ket": "huylienket",
}

# The commands whose words may be followed by what the command takes («tìm kết nạp đảng viên»,
# «trả lời …»): nothing else could be meant by them.
ZALO_ARGUMENT_COMMANDS: Final = frozenset({"timkiem", "traloi"})

# The report of the program and the year-end sheets (``bot/documents/report_*.py``): the names
# of things, the sheets and the columns. The sentences of the Word report are in the template
# ``report_text.j2``.
REPORT_WORDS: Final = {
    "program": "Cơ sở hỏi, cán bộ tổ chức trả lời",
    # the spreadsheet: sheet names (at most 31 characters) and headers
    "sheet_summary": "Tổng hợp",
    "sheet_sessions": "Các phiên",
    "sheet_people": "Cán bộ",
    "sheet_topics": "Chủ đề",
    "summary_title": "Kết quả chương trình «{program}» – {title}",
    "summary_period": "Kỳ báo cáo: {period} (từ {start} đến {end}); kỳ trước: {previous}",
    "col_item": "Chỉ tiêu",
    "col_now": "Kỳ này",
    "col_before": "Kỳ trước",
    "col_change": "Tăng (+) / giảm (−)",
    "col_date": "Ngày",
    "col_nominal": "Ngày theo lịch",
    "col_week": "Tuần",
    "col_status": "Tình trạng",
    "col_topic": "Chủ đề",
    "col_question": "Câu hỏi",
    "col_person": "Người được bốc thăm",
    "col_outcome": "Trả lời",
    "col_verdict": "Đánh giá",
    "col_comment": "Nhận xét của Trưởng phòng",
    "col_concluded": "Ngày kết luận",
    "col_number": "STT",
    "col_name": "Họ và tên",
    "col_title": "Chức danh",
    "col_turns": "Số lần được bốc thăm",
    "col_redrawn": "Bốc lại cho người khác",
    "col_points": "Điểm",
    "col_count": "Số câu hỏi",
    "col_share": "Tỷ lệ (%)",
    "chart_title": "Đánh giá câu trả lời",
    "chart_axis": "Số phiên",
    # figures (rows of the summary, labels in tables)
    "held": "Số phiên đã tổ chức",
    "moved": "Trong đó dời ngày vì nghỉ lễ",
    "skipped": "Số phiên nghỉ",
    "skipped_holiday": "Nghỉ lễ, Tết",
    "skipped_no_question": "Chưa có câu hỏi",
    "skipped_admin": "Nghỉ vì lý do công tác",
    "planned": "Phiên sắp tới",
    "redraws": "Số lần bốc thăm lại",
    "on_time_rate": "Tỷ lệ trả lời đúng hạn (%)",
    "regraded": "Số phiên được đánh giá lại",
    "grassroots_received": "Câu hỏi của cơ sở đã nhận",
    "grassroots_answered": "Câu hỏi của cơ sở đã trả lời",
    "had_turn": "Cán bộ đã có lượt trong vòng {round}",
    "group_sessions": "1. Tổ chức các phiên",
    "group_answers": "2. Trả lời của cán bộ được bốc thăm",
    "group_verdicts": "3. Đánh giá câu trả lời (lần đánh giá cuối cùng của mỗi phiên)",
    "group_people": "4. Cán bộ tham gia (vòng bốc thăm thứ {round})",
    "group_grassroots": "5. Câu hỏi của cơ sở",
    "no_previous": "Kỳ trước ({previous}) chương trình chưa tổ chức phiên nào: không so sánh.",
    "print_period": "Kỳ báo cáo: {period}",
    "print_page": "Trang &P/&N",
    "not_yet": "Cán bộ chưa có lượt trong vòng {round}",
    # session status in the table of sessions
    "status_held": "Đã tổ chức",
    "status_moved": "Dời sang {day}",
    "status_skipped": "Nghỉ: {reason}",
    "status_planned": "Chưa tổ chức",
    "reason_holiday": "nghỉ lễ",
    "reason_no_question": "không có câu hỏi",
    # what became of a turn: OUTCOME_LABELS
    "none": "—",
    # the file names
    "report_file": "bao_cao_{period}.{suffix}",
    "sheets_file": "phieu_can_bo_{period}.{suffix}",
}

# The documents cited, in the report (bot/documents/report_*.py; the sentences of the Word
# report: ``report_refs.j2``).
REPORT_REFS_WORDS: Final = {
    "sheet": "Căn cứ",
    "col_document": "Văn bản được dẫn",
    "col_sessions": "Số phiên dẫn",
    "to_review": "Câu trả lời chính thức cần rà soát (căn cứ không còn hiệu lực)",
}
