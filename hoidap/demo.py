"""``hoidap demo``: one week of the program, offline, in a few seconds.

The real application runs against the local fake Bot API server (over HTTP, through
python-telegram-bot's own client) with a simulated clock and scripted, clearly fictional people.
The transcript shows what each of them sees in chat.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import textwrap
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import ManualClock
from fakes.fakebotapi import SentMessage
from fakes.fakezalo import FakeZalo
from fakes.harness import Harness, User

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PAUSE = timedelta(seconds=5)
GROUP = -100777
GROUP_TITLE = "Giao ban Ban Tổ chức (mô phỏng)"

ADMIN = User(101, "Quản trị", "(mô phỏng)")
HEAD = User(201, "Trưởng phòng", "(mô phỏng)")
LEADER = User(301, "Lãnh đạo Ban", "(mô phỏng)")
STAFF = [
    User(401, "Chuyên viên A"),
    User(402, "Chuyên viên B"),
    User(403, "Chuyên viên C"),
]
# One staff member uses Zalo, not Telegram (the fake Zalo Bot API, fakes/fakezalo).
ZALO_ID = "zalo-dung-404"
NAMES = {
    ADMIN.id: "Đỗ Quản Trị (giả định)",
    HEAD.id: "Lê Thị Hằng (giả định)",
    LEADER.id: "Phạm Quang Minh (giả định)",
    401: "Nguyễn Văn An (giả định)",
    402: "Trần Thị Bình (giả định)",
    403: "Hoàng Minh Châu (giả định)",
}
ZALO_NAME = "Vũ Đức Dũng (giả định)"
# A question written in 2024, its «căn cứ» as the documents stood then: the register flags it.
OLD_QUESTION = (
    "Câu hỏi,Chủ đề,Đơn vị hỏi,Căn cứ\n"
    '"Đảng viên dự bị chuyển sinh hoạt đảng tạm thời sang đảng bộ khác thì chi bộ nào xét công '
    'nhận đảng viên chính thức?",Đảng viên,"Chi bộ Thôn 5, xã H",'
    '"Quy định số 24-QĐ/TW ngày 30/7/2021 về thi hành Điều lệ Đảng"\n'
)


class Transcript:
    def __init__(self, h: Harness, quiet: bool) -> None:
        self.h = h
        self.quiet = quiet
        self.seen = 0
        self.zalo_seen = 0

    def zalo(self, text: str | None = None) -> None:
        """What the Zalo member typed (if given), then what the bot sent them on Zalo since."""
        assert self.h.zalo is not None
        if text is not None and not self.quiet:
            print(f"\n📱 {ZALO_NAME} (trên Zalo): {text}")
        new = self.h.zalo.sent[self.zalo_seen :]
        self.zalo_seen = len(self.h.zalo.sent)
        if self.quiet:
            return
        for m in new:
            print(f"\n🤖 [Zalo → {ZALO_NAME}]")
            for line in str(m["text"]).splitlines():
                print(textwrap.indent(textwrap.fill(line, 96) if line else "", "   "))

    def zalo_first(self, needle: str, note: str, lines: int = 6) -> None:
        """The first lines of the first new Zalo message containing ``needle``."""
        assert self.h.zalo is not None
        new = self.h.zalo.sent[self.zalo_seen :]
        self.zalo_seen = len(self.h.zalo.sent)
        found = next((str(m["text"]) for m in new if needle in str(m["text"])), None)
        if self.quiet or found is None:
            return
        print(f"\n🤖 [Zalo → {ZALO_NAME}] ({note})")
        for line in found.splitlines()[:lines]:
            print(textwrap.indent(textwrap.fill(line, 96) if line else "", "   "))
        print("   …")

    def chat_label(self, chat_id: int) -> str:
        if chat_id == GROUP:
            return f"Nhóm «{GROUP_TITLE}»"
        return f"Riêng → {NAMES.get(chat_id, chat_id)}"

    def heading(self, text: str) -> None:
        if not self.quiet:
            print(f"\n══ {text} " + "═" * max(0, 70 - len(text)))

    def user(self, who: User, text: str, where: int | None = None) -> None:
        if not self.quiet:
            place = " (trong nhóm)" if where == GROUP else ""
            print(f"\n👤 {NAMES[who.id]}{place}: {text}")

    def flush(self, only: set[int] | None = None) -> None:
        new = self.h.server.sent[self.seen :]
        self.seen = len(self.h.server.sent)
        if self.quiet:
            return
        for m in new:
            if only is not None and m.chat_id not in only:
                continue
            self.show(m)

    def show(self, m: SentMessage) -> None:
        print(f"\n🤖 [{self.chat_label(m.chat_id)}]")
        body = m.plain_text if m.kind == "text" else f"{_attachment(m)}\n{m.plain_text}"
        for line in body.splitlines():
            print(textwrap.indent(textwrap.fill(line, 96) if line else "", "   "))
        if m.buttons():
            print("   " + "  ".join(f"[{label}]" for label, _ in m.buttons()))


# What a file the bot sent is called in the transcript (its caption follows).
_ATTACHMENTS = {
    "document": "📎 tệp",
    "photo": "🖼 ảnh",
    "voice": "🎙 tin nhắn thoại",
    "audio": "🎵 tệp âm thanh",
}


def _attachment(m: SentMessage) -> str:
    label = _ATTACHMENTS.get(m.kind, "📎 tệp đính kèm")
    return f"{label}: {m.file_name}" if m.file_name else label


def _last(h: Harness, chat_id: int, needle: str) -> SentMessage:
    for m in reversed(h.server.sent):
        if m.chat_id == chat_id and needle in (m.plain_text + str(m.buttons())):
            return m
    raise LookupError(needle)


async def _say(
    h: Harness,
    t: Transcript,
    who: User,
    text: str,
    chat: int | None = None,
    show: set[int] | None = None,
) -> None:
    t.user(who, text, chat)
    h.clock.advance(PAUSE)  # people take a moment between two messages
    await h.send(who, text, chat_id=chat)
    t.flush(show)


async def _press(
    h: Harness,
    t: Transcript,
    who: User,
    message: SentMessage,
    label: str,
    show: set[int] | None = None,
) -> None:
    t.user(who, f"bấm [{label}]", message.chat_id)
    h.clock.advance(PAUSE)
    answer, _ = await h.press(who, message, label)
    if answer.get("text") and not t.quiet:
        print(f"   ↳ thông báo nhanh: {answer['text']}")
    t.flush(show)


async def _onboard(h: Harness, t: Transcript, who: User, title: str) -> None:
    await _say(h, t, who, "/start")
    await _say(h, t, who, NAMES[who.id])
    await _press(h, t, who, _last(h, who.id, "Chức danh"), title)
    request = _last(h, ADMIN.id, NAMES[who.id])
    await _press(h, t, ADMIN, request, "✅ Duyệt")


# Where the demo leaves the report it ends with (next to the bot's default database).
REPORTS_DIR = Path("data") / "demo"


async def run_demo(quiet: bool = False, reports_dir: Path = REPORTS_DIR) -> int:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="hoidap-demo-") as tmp:
        # Tuesday 1/12/2026; the session is Monday 7/12/2026.
        clock = ManualClock(datetime(2026, 12, 1, 8, 30, tzinfo=VN))
        zalo = FakeZalo()
        await zalo.start()
        h = Harness(Path(tmp), clock, admins=(ADMIN.id,), zalo=zalo)
        await h.server.start()
        h.server.group(GROUP, GROUP_TITLE)
        for u in [ADMIN, HEAD, LEADER, *STAFF]:
            h.server.user(u.id, u.first_name, u.last_name)
        await h.start()
        t = Transcript(h, quiet)
        try:
            await _script(h, t, clock)
            await _report(h, t, reports_dir)
        finally:
            await h.close()
            await zalo.stop()
    return 0


async def _script(h: Harness, t: Transcript, clock: ManualClock) -> None:
    t.heading("Thứ Ba 01/12 – quản trị viên gắn nhóm giao ban với bot")
    h.server.add_bot_to_group(ADMIN.id, GROUP)
    await h.settle()
    await _say(h, t, ADMIN, "/lienket", GROUP)

    t.heading("Quản trị viên gửi tệp câu hỏi mẫu cho bot")
    sample = resources.files("questions").joinpath("samples/cau_hoi_mau.xlsx").read_bytes()
    t.user(ADMIN, "(gửi tệp cau_hoi_mau.xlsx)")
    await h.upload(ADMIN, "cau_hoi_mau.xlsx", sample)
    t.flush()

    t.heading("Quản trị viên thêm một câu hỏi cũ, soạn năm 2024 (căn cứ ghi theo văn bản lúc đó)")
    t.user(ADMIN, "(gửi tệp cau_hoi_2024.csv)")
    await h.upload(ADMIN, "cau_hoi_2024.csv", OLD_QUESTION.encode("utf-8"))
    t.flush()

    t.heading("Quản trị viên nạp sổ văn bản căn cứ (tệp có sẵn, ghi nguồn của từng văn bản)")
    starter = resources.files("questions").joinpath("samples/so_van_ban_can_cu.xlsx").read_bytes()
    t.user(ADMIN, "(gửi tệp so_van_ban_can_cu.xlsx)")
    await h.upload(ADMIN, "so_van_ban_can_cu.xlsx", starter)
    t.flush()
    if not t.quiet:
        print(
            "\n   (Quy định số 24-QĐ/TW đã được thay thế: bot gửi Lãnh đạo Ban và quản trị viên "
            "danh sách những gì dựa trên văn bản đó – ở đây là câu hỏi cũ vừa thêm. Lãnh đạo Ban "
            "chưa đăng ký nên tin rà soát ở trên chỉ đến quản trị viên.)"
        )
    old = await h.core.store.bank_questions(1, ("queued",))
    await _say(h, t, ADMIN, f"/tamhoan {old[-1].question.id}")

    t.heading("Cán bộ đăng ký; quản trị viên duyệt bằng nút bấm")
    await _onboard(h, t, STAFF[0], "Chuyên viên")
    quiet, t.quiet = t.quiet, True
    for who in STAFF[1:]:
        await _onboard(h, t, who, "Chuyên viên")
    await _onboard(h, t, HEAD, "Chuyên viên chính")
    await _onboard(h, t, LEADER, "Chuyên viên chính")
    t.quiet = quiet
    if not quiet:
        print("\n   (… 2 chuyên viên khác, Trưởng phòng và Lãnh đạo Ban đăng ký tương tự)")
    head = await h.core.store.person_by_tg(HEAD.id)
    leader = await h.core.store.person_by_tg(LEADER.id)
    assert head and leader
    await _say(h, t, ADMIN, f"/vaitro {head.id} truongphong")
    await _say(h, t, ADMIN, f"/vaitro {leader.id} lanhdao")

    t.heading("Một cán bộ dùng Zalo: đăng ký bằng tin nhắn, chọn bằng số")
    for text in ("bắt đầu", ZALO_NAME, "1"):
        h.clock.advance(PAUSE)
        await h.zalo_send(ZALO_ID, text, display_name="Dũng")
        t.zalo(text)
    await _press(h, t, ADMIN, _last(h, ADMIN.id, ZALO_NAME), "✅ Duyệt")
    t.zalo()
    account = await h.core.store.zalo_account(ZALO_ID)
    assert account
    await _say(h, t, ADMIN, f"/vangmat {account.person_id} congtac 08/12/2026")
    await _say(h, t, ADMIN, "/lich")

    t.heading("Thứ Sáu 04/12, 08:00 – bot gửi câu hỏi của tuần")
    await h.at(datetime(2026, 12, 4, 8, 0, tzinfo=VN))
    t.flush({GROUP, STAFF[0].id, HEAD.id})
    if not t.quiet:
        print("\n   (… và bản riêng cho từng chuyên viên, Trưởng phòng, Lãnh đạo Ban)")
    t.zalo_first("Tin chung", "bản tin của nhóm, gửi riêng trên Zalo")

    t.heading("Thứ Hai 07/12, 09:00 – sau giao ban, bot bốc thăm")
    await h.at(datetime(2026, 12, 7, 9, 0, tzinfo=VN))
    session = (await h.core.store.open_sessions(1))[0]
    drawn_person = await h.core.store.person(session.drawn_person_id or 0)
    assert drawn_person is not None
    drawn = next(u for u in STAFF if u.id == drawn_person.tg_user_id)
    t.flush({GROUP, drawn.id})

    t.heading("09:20 – người được bốc thăm trả lời trong cuộc trò chuyện riêng")
    clock.set(datetime(2026, 12, 7, 9, 20, tzinfo=VN))
    await _say(
        h,
        t,
        drawn,
        (
            "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng chỉ có giá trị trong thời hạn "
            "hướng dẫn thi hành Điều lệ Đảng quy định. Đã quá hạn thì quần chúng phải học lại "
            "lớp bồi dưỡng và có giấy chứng nhận mới, chi bộ mới xét đề nghị kết nạp."
        ),
    )

    t.heading("Trưởng phòng đánh giá bằng nút bấm và gửi nhận xét")
    answer_post = _last(h, GROUP, "Câu trả lời của đồng chí")
    await _press(h, t, HEAD, answer_post, "Đúng một phần")
    await _say(
        h,
        t,
        HEAD,
        "Trả lời đúng hướng; cần nêu rõ căn cứ là Quy định số 294-QĐ/TW "
        "ngày 26/5/2025 về thi hành Điều lệ Đảng và thời hạn cụ thể của giấy chứng nhận.",
    )

    t.heading("Lãnh đạo Ban kết luận – câu trả lời chính thức")
    await _press(h, t, LEADER, _last(h, LEADER.id, "Viết kết luận"), "✍️ Viết kết luận")
    await _say(
        h,
        t,
        LEADER,
        (
            "Đồng ý với nhận xét của Trưởng phòng. Giấy chứng nhận đã quá thời hạn thì quần chúng "
            "phải học lại lớp bồi dưỡng nhận thức về Đảng; chi bộ chỉ xét đề nghị kết nạp khi hồ "
            "sơ có giấy chứng nhận còn giá trị, theo Điều lệ Đảng và Quy định số 294-QĐ/TW "
            "ngày 26/5/2025 về thi hành Điều lệ Đảng. Phòng nghiệp vụ hướng dẫn chi bộ thực hiện."
        ),
    )
    if t.quiet:
        t.seen = len(h.server.sent) - 1
        t.quiet = False
        t.flush({GROUP})
        t.quiet = True
        return
    t.flush()
    t.zalo_first("KẾT LUẬN", "cán bộ dùng Zalo cũng nhận kết luận", lines=4)

    t.heading("Ai cũng kiểm tra lại được kết quả bốc thăm")
    await _say(h, t, STAFF[0], "/kiemtra", GROUP)
    await _say(h, t, STAFF[0], "/kiemtra")

    t.heading("Kết luận vào kho tra cứu: tìm được cả khi gõ không dấu")
    await _say(h, t, STAFF[1], "/timkiem giay chung nhan boi duong")

    t.heading("Sổ văn bản căn cứ: tình trạng hiệu lực và những gì dựa trên mỗi văn bản")
    await _say(h, t, LEADER, "/cancu")
    await _say(h, t, LEADER, "/cancu 24-QĐ/TW")


def _write(files: list[tuple[Path, bytes]]) -> None:
    for path, data in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


async def _report(h: Harness, t: Transcript, reports_dir: Path) -> None:
    """The leader asks for the year's report, in Word and in Excel; both files are written to
    ``reports_dir``."""
    t.heading("Lãnh đạo Ban lập báo cáo của năm (tệp Word và Excel)")
    mark = len(h.server.sent)
    await _say(h, t, LEADER, "/baocao")
    quiet, t.quiet = t.quiet, True
    await _say(h, t, LEADER, "/baocao xlsx")
    t.quiet = quiet
    files = [
        (reports_dir / m.file_name, h.server.file_bytes(m.file_id))
        for m in h.server.sent[mark:]
        if m.kind == "document" and m.file_id and m.file_name
    ]
    await asyncio.to_thread(_write, files)
    written = [str(path) for path, _ in files]
    print("\nBáo cáo đã ghi: " + ", ".join(written))
    if not t.quiet:
        print(
            "\nHết phần trình diễn. Chạy bot thật: đặt TELEGRAM_BOT_TOKEN (và/hoặc "
            "ZALO_BOT_TOKEN) và HOIDAP_ADMINS (xem README.md), rồi chạy lại lệnh này."
        )
