"""The archive: folding and query sanitizing, ranking, paging, access, catch-up, the handbook."""

from __future__ import annotations

import asyncio
import functools
import io
import itertools
import json
import re
import shutil
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import db
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core, Refused
from bot.documents.handbook import build_handbook, group_by_topic
from bot.models import ArchiveEntry, FileReply, Person, Program
from bot.services import archive
from bot.store import Store
from hoidap.cli import main as cli_main
from tests.conftest import vn

NOW = vn(2026, 12, 21, 10, 0)
WEEKS = itertools.count(1)  # distinct week labels for the sessions the tests create


# -- folding and query sanitizing -----------------------------------------------------------------


def test_search_copy_is_folded_like_the_importer() -> None:
    assert archive.search_text("Kết nạp ĐẢNG VIÊN, dự bị!") == "ket nap dang vien du bi"
    assert archive.search_text("Quy định 24-QĐ/TW", None, "Đảng ủy xã") == (
        "quy dinh 24 qd tw dang uy xa"
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kết nạp đảng viên", '"ket" "nap" "dang" "vien"*'),
        ("ket nap dang vien", '"ket" "nap" "dang" "vien"*'),
        ("KẾT NẠP", '"ket" "nap"*'),
        (
            '"đảng viên" OR dự* NEAR(bị) -xóa ^tên: col:x AND (',
            '"dang" "vien" "or" "du" "near" "bi" "xoa" "ten" "col" "x" "and"*',
        ),
        ("!!! ** () \"'", None),
        ("", None),
        ("snake_case", '"snake" "case"*'),
    ],
)
def test_fts_query(typed: str, expected: str | None) -> None:
    """Operators and special characters are gone; the folded words stay, each quoted."""
    assert archive.fts_query(typed) == expected


def test_query_keeps_at_most_twelve_words() -> None:
    query = archive.fts_query(" ".join(f"tu{i}" for i in range(30)))
    assert query is not None and query.count('"') == 2 * archive.MAX_QUERY_WORDS


@functools.cache
def fts_connection() -> sqlite3.Connection:
    """An empty database with the archive schema (migrations 1 and 2)."""
    conn = sqlite3.connect(":memory:")
    for version, _name, sql in db.migrations():
        if version <= 2:
            for statement in db._statements(sql):
                conn.execute(statement)
    return conn


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_no_typed_text_is_an_fts_syntax_error(typed: str) -> None:
    conn = fts_connection()
    query = archive.fts_query(typed)
    if query is not None:
        for match in (query, Store._in_program(1, query)):  # as typed, and as the store runs it
            conn.execute("SELECT count(*) FROM archive_fts WHERE archive_fts MATCH ?", (match,))


def test_clean_query_drops_control_characters() -> None:
    assert archive.clean_query(" kết\x00nạp\n\tđảng\u200b ") == "kết nạp đảng"


@pytest.mark.parametrize(
    ("total", "page", "pages", "shown"),
    [(0, 1, 1, 1), (1, 1, 1, 1), (5, 1, 1, 1), (6, 2, 2, 2), (12, 3, 3, 3), (12, 9, 3, 3),
     (12, 0, 3, 1), (12, -4, 3, 1), (10, 2, 2, 2), (11, 3, 3, 3)],
)  # fmt: skip
def test_pagination(total: int, page: int, pages: int, shown: int) -> None:
    assert archive.page_count(total) == pages
    assert archive.clamp_page(page, total) == shown


def test_shorten_cuts_at_a_word() -> None:
    assert archive.shorten("ngắn", 10) == "ngắn"
    cut = archive.shorten("Chi bộ có phải đề nghị quần chúng học lại lớp bồi dưỡng không?", 30)
    assert len(cut) <= 30 and cut.endswith("…") and cut[:-1] in "Chi bộ có phải đề nghị quần"


@pytest.mark.parametrize(
    ("typed", "year"),
    [("", 2026), (" 2025 ", 2025), ("2000", 2000), ("2100", 2100), ("1999", None),
     ("2101", None), ("26", None), ("năm 2026", None), ("２０２６", 2026), ("2026.", 2026),
     ("²⁰²⁶", None), ("9" * 5000, None)],
)  # fmt: skip
def test_parse_year(typed: str, year: int | None) -> None:
    if year is None:
        with pytest.raises(Refused) as refused:
            archive.parse_year(typed, date(2026, 12, 21))
        assert refused.value.reply.template == "arg_bad_number"
        assert refused.value.reply.context["what"] == "year"
    else:
        assert archive.parse_year(typed, date(2026, 12, 21)) == year


# -- the store and the services -------------------------------------------------------------------


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    path = tmp_path / "a.sqlite3"
    store = Store(await db.connect(path))
    yield Core(store=store, clock=ManualClock(NOW), settings=Settings(db_path=path))
    await store.close()


async def new_program(core: Core, chat_id: int = -100, title: str = "Giao ban") -> Program:
    async with core.store.transaction():
        pid = await core.store.create_program(chat_id, title, "Asia/Ho_Chi_Minh", 0, NOW)
    program = await core.store.program(pid)
    assert program is not None
    return program


async def new_person(core: Core, tg_user_id: int, superadmin: bool = False) -> Person:
    async with core.store.transaction():
        return await core.store.upsert_person(
            tg_user_id, None, f"Người {tg_user_id}", superadmin, NOW
        )


async def member(core: Core, program: Program, tg_user_id: int, status: str = "active") -> Person:
    person = await new_person(core, tg_user_id)
    async with core.store.transaction():
        await core.store.upsert_member(program.id, person.id, status, NOW)
    return person


def entry(program_id: int, n: int, **fields: object) -> ArchiveEntry:
    base = ArchiveEntry(
        id=0,
        program_id=program_id,
        session_id=0,
        session_date=date(2026, 1, 5 + (n % 20)),
        topic="Chung",
        question=f"Câu hỏi thứ {n} về công tác tổ chức.",
        source_unit="Chi bộ Thôn 3, xã A",
        answer_kind="text",
        answer_text="Câu trả lời.",
        answer_file_name=None,
        answerer_name="Nguyễn Văn An",
        answerer_title="Chuyên viên",
        verdict="correct",
        head_name="Lê Thị Hằng",
        comment=None,
        regrades=0,
        conclusion=f"Kết luận số {n}.",
        leader_name="Phạm Quang Minh",
        legal_refs=None,
        concluded_at=datetime(2026, 1, 5, 3, 0, tzinfo=UTC),
    )
    return replace(base, **fields)


async def archived(core: Core, e: ArchiveEntry, state: str = "concluded") -> int:
    """Store ``e`` as an archive row of a new session of its program (ids are filled in)."""
    store = core.store
    async with store.transaction():
        sid = await store.create_session(
            e.program_id, f"T{next(WEEKS)}", e.session_date, e.session_date, None, state,
            None, None, None, None, "00", "00", None, NOW,
        )  # fmt: skip
        assert sid is not None
        stored = replace(e, session_id=sid)
        return await store.save_archive(stored, archive.search_copies(stored))


async def test_ranking_program_isolation_and_diacritics(core: Core) -> None:
    program, other = await new_program(core), await new_program(core, -200, "Nhóm khác")
    in_question = await archived(
        core, entry(program.id, 1, question="Thủ tục kết nạp lại người bị đưa ra khỏi Đảng?")
    )
    in_answer = await archived(
        core, entry(program.id, 2, answer_text="Em nghĩ là phải kết nạp lại từ đầu.")
    )
    in_conclusion = await archived(
        core, entry(program.id, 3, conclusion="Thực hiện kết nạp lại theo đúng quy trình.")
    )
    await archived(core, entry(program.id, 4))  # no match
    await archived(core, entry(other.id, 5, question="Kết nạp lại đảng viên ở nhóm khác?"))
    for typed in ("kết nạp lại", "ket nap lai", "KET NAP LA"):
        query = archive.fts_query(typed)
        assert query is not None
        found = await core.store.search_archive(program.id, query, 10)
        assert [e.id for e in found] == [in_question, in_conclusion, in_answer], typed
        assert await core.store.count_archive_matches(program.id, query) == 3
    # The token naming the program in the index is not something a query can find.
    for typed in (f"p{program.id}", f"p{other.id}", "n_program"):
        query = archive.fts_query(typed)
        assert query is not None
        assert await core.store.count_archive_matches(program.id, query) == 0


async def test_archiving_again_replaces_the_row_and_its_index(core: Core) -> None:
    program = await new_program(core)
    first = entry(program.id, 1, conclusion="Chi bộ sinh hoạt chuyên đề mỗi quý một lần.")
    entry_id = await archived(core, first)
    stored = await core.store.archive_entry(entry_id)
    assert stored is not None and stored.conclusion == first.conclusion
    again = replace(stored, conclusion="Chi bộ họp thường kỳ mỗi tháng một lần.")
    async with core.store.transaction():
        assert await core.store.save_archive(again, archive.search_copies(again)) == entry_id
    assert await core.store.count_archive(program.id) == 1
    for typed, found in (("chuyen de", 0), ("thuong ky", 1), ("mỗi tháng", 1)):
        query = archive.fts_query(typed)
        assert query is not None
        # "chuyen de" still found would mean the old words stayed in the index.
        assert await core.store.count_archive_matches(program.id, query) == found, typed


async def test_search_pages_of_five_with_opaque_buttons(core: Core) -> None:
    program = await new_program(core)
    staff = await member(core, program, 11)
    for n in range(12):
        await archived(core, entry(program.id, n, conclusion=f"Bồi dưỡng lý luận chính trị {n}."))
    reply = await archive.search(core, staff, program, "boi duong")
    assert reply.template == "search_results"
    assert (reply.context["total"], reply.context["page"], reply.context["pages"]) == (12, 1, 3)
    assert [e["number"] for e in reply.context["entries"]] == [1, 2, 3, 4, 5]
    labels = [[b.text for b in row] for row in reply.buttons]
    assert labels == [[f"📄 Xem đầy đủ ({i})"] for i in range(1, 6)] + [["Sau ▶"]]
    # The token names a stored action; the query is kept on the server, not in the button.
    following = reply.buttons[-1][0]
    assert following.token is not None and "boi" not in following.token
    action = await core.store.action(following.token)
    assert action is not None and action.kind == "search_page"
    assert json.loads(action.target or "") == {"q": "boi duong", "p": 2}

    last = await archive.search_page(core, staff, program, json.dumps({"q": "bồi dưỡng", "p": 3}))
    assert [e["number"] for e in last.context["entries"]] == [11, 12]
    assert [[b.text for b in row] for row in last.buttons][-1] == ["◀ Trước"]
    beyond = await archive.search_page(core, staff, program, json.dumps({"q": "boi", "p": 40}))
    assert beyond.context["page"] == 3
    for forged in ("", "{", json.dumps({"q": "x"}), json.dumps({"q": "", "p": 1}), "[1]"):
        with pytest.raises(Refused) as info:
            await archive.search_page(core, staff, program, forged)
        assert info.value.reply.template == "button_invalid"


async def test_query_validation(core: Core) -> None:
    program = await new_program(core)
    staff = await member(core, program, 11)
    await archived(core, entry(program.id, 1))
    usage = await archive.search(core, staff, program, "  \n ")
    assert usage.template == "search_usage" and not usage.context["no_words"]
    no_words = await archive.search(core, staff, program, "*** ( ) :")
    assert no_words.template == "search_usage" and no_words.context["no_words"]
    too_long = await archive.search(core, staff, program, "đảng " * 41)
    assert too_long.template == "search_too_long" and too_long.context["limit"] == 200
    nothing = await archive.search(core, staff, program, "bảo hiểm")
    assert nothing.template == "search_none" and nothing.context["query"] == "bảo hiểm"


async def test_only_active_members_read_the_archive(core: Core) -> None:
    program = await new_program(core)
    entry_id = await archived(core, entry(program.id, 1))
    outsider = await new_person(core, 90)
    pending = await member(core, program, 91, status="pending")
    gone = await member(core, program, 92, status="inactive")
    for person in (outsider, pending, gone):
        for call in (
            archive.search(core, person, program, "cau hoi"),
            archive.history(core, person, program),
            archive.view(core, person, program, str(entry_id)),
        ):
            with pytest.raises(Refused) as info:
                await call
            assert info.value.reply.template == "archive_not_member"
    refused = await core.store.events(program.id, "refused")
    assert {e["actor_id"] for e in refused} == {outsider.id, pending.id, gone.id}
    admin = await new_person(core, 1, superadmin=True)
    shown = await archive.view(core, admin, program, str(entry_id))
    assert shown.template == "archive_record" and shown.context["entry"]["id"] == entry_id


async def test_view_stays_inside_its_program(core: Core) -> None:
    program, other = await new_program(core), await new_program(core, -200, "Nhóm khác")
    staff = await member(core, program, 11)
    elsewhere = await archived(core, entry(other.id, 1))
    for target in (str(elsewhere), "999", "abc", "-1", ""):
        with pytest.raises(Refused) as info:
            await archive.view(core, staff, program, target)
        assert info.value.reply.template == "button_invalid"


async def test_history_newest_first_and_catches_up_older_conclusions(core: Core) -> None:
    program = await new_program(core)
    staff = await member(core, program, 11)
    assert (await archive.history(core, staff, program)).template == "history_empty"
    for n in range(6):
        await archived(core, entry(program.id, n, session_date=date(2026, 3, 2 + 7 * (n % 4))))
    # A session concluded before the archive existed: concluded, but no archive row.
    store = core.store
    async with store.transaction():
        qid = await store.add_question(
            program.id, "Câu hỏi cũ về sinh hoạt chi bộ?", "Tổ chức cơ sở đảng",
            "Chi bộ Khu phố 2", None, None, None, NOW,
        )  # fmt: skip
        sid = await store.create_session(
            program.id, "2026-W52", date(2026, 12, 21), date(2026, 12, 21), None, "concluded",
            None, None, None, None, "00", "00", None, NOW,
        )  # fmt: skip
        assert sid is not None
        await store.update_session(
            sid, "concluded", question_id=qid, conclusion="Sinh hoạt chi bộ mỗi tháng một lần.",
            concluded_at=NOW,
        )  # fmt: skip
    first = await archive.history(core, staff, program)
    assert first.context["total"] == 7 and first.context["pages"] == 2
    newest = first.context["entries"][0]
    assert newest["date"] == "2026-12-21" and newest["topic"] == "Tổ chức cơ sở đảng"
    assert newest["conclusion"] == "Sinh hoạt chi bộ mỗi tháng một lần."
    dates = [e["date"] for e in first.context["entries"]]
    assert dates == sorted(dates, reverse=True)
    assert [[b.text for b in row] for row in first.buttons][-1] == ["Sau ▶"]
    second = await archive.history_page(core, staff, program, "2")
    assert [e["number"] for e in second.context["entries"]] == [6, 7]
    found = await archive.search(core, staff, program, "sinh hoat chi bo")
    assert found.context["total"] == 1
    assert await archive.catch_up(core, program) == 0  # archived once
    with pytest.raises(Refused):
        await archive.history_page(core, staff, program, "2; DROP")


# -- the handbook ---------------------------------------------------------------------------------

LONG_QUESTION = (
    "Đảng viên được cử đi học tập dài hạn ở nước ngoài từ mười hai tháng trở lên thì làm thủ tục "
    "tạm thời miễn sinh hoạt đảng như thế nào, ai quyết định, khi về nước thì chi bộ tiếp nhận "
    "lại và đánh giá, xếp loại chất lượng năm đó ra sao?"
)


def handbook_entries() -> list[ArchiveEntry]:
    items = [
        ("Đảng viên", "Đảng viên dự bị chuyển sinh hoạt thì tính thời gian dự bị thế nào?", 5),
        ("Cán bộ", "Quy trình bổ nhiệm lại cán bộ khi hết thời hạn?", 2),
        ("Tổ chức cơ sở đảng", "Chi bộ có 2 đảng viên có được bầu bí thư không?", 8),
        ("Đảng viên", LONG_QUESTION, 1),
        ("Bảo vệ chính trị nội bộ", "Thẩm định tiêu chuẩn chính trị khi kết nạp?", 3),
    ]
    return [
        entry(
            1,
            n,
            id=n,
            topic=topic,
            question=question,
            session_date=date(2026, month, 7),
            conclusion=f"Kết luận {n}: thực hiện theo hướng dẫn.\nDòng thứ hai\x0b của kết luận.",
            legal_refs="Điều lệ Đảng" if n % 2 else None,
            source_unit=None if n == 3 else f"Chi bộ số {n}",
        )
        for n, (topic, question, month) in enumerate(items, 1)
    ]


def test_topics_in_alphabetical_order_questions_by_date() -> None:
    groups = group_by_topic(handbook_entries())
    assert [t for t, _ in groups] == [
        "Bảo vệ chính trị nội bộ",
        "Cán bộ",
        "Đảng viên",
        "Tổ chức cơ sở đảng",
    ]
    assert [e.id for e in groups[2][1]] == [4, 1]  # January before May


def test_handbook_structure() -> None:
    entries = handbook_entries()
    data = build_handbook(entries, year=2026, program_title="Ban Tổ chức", today=date(2026, 12, 21))
    document = docx.Document(io.BytesIO(data))
    paragraphs = document.paragraphs
    # A publication: a cover with the issuing body and the title in two lines of its own (no
    # heading block, no «Số», no Word «Title» style); the file's title is the handbook's.
    texts = [p.text for p in paragraphs]
    assert texts[:4] == [
        "BAN TỔ CHỨC",
        "*",
        "SỔ TAY",
        "HỎI – ĐÁP NGHIỆP VỤ\nCÔNG TÁC TỔ CHỨC XÂY DỰNG ĐẢNG",
    ]
    assert not document.tables
    assert document.core_properties.title == (
        "Sổ tay hỏi – đáp nghiệp vụ công tác tổ chức xây dựng Đảng"
    )
    assert not [
        p for p in paragraphs if p.style is not None and p.style.name in ("Title", "Subtitle")
    ]

    def styled(name: str) -> list[str]:
        return [p.text for p in paragraphs if p.style is not None and p.style.name == name]

    assert styled("Heading 1") == [
        "1. Bảo vệ chính trị nội bộ",
        "2. Cán bộ",
        "3. Đảng viên",
        "4. Tổ chức cơ sở đảng",
    ]
    # Each question once in the body: its heading is the question, whole.
    questions = styled("Heading 2")
    assert len(questions) == len(entries)
    assert [q.split(".")[0] for q in questions] == [f"Câu {i}" for i in range(1, 6)]
    assert questions[2] == f"Câu 3. {LONG_QUESTION}"
    first_topic = texts.index("1. Bảo vệ chính trị nội bộ", texts.index("MỤC LỤC") + 5)
    body = "\n".join(texts[first_topic:])
    for e in entries:
        assert body.count(e.question) == 1
        assert f"Kết luận {e.id}: thực hiện theo hướng dẫn." in body
        assert f"Ngày giao ban: {e.session_date:%d/%m/%Y}" in body
    assert "Dòng thứ hai của kết luận." in body  # a control character is dropped, not fatal
    assert body.count("Căn cứ: Điều lệ Đảng") == 3 and body.count("Đơn vị hỏi:") == 4

    # The contents: one line per topic and question, each ending with the page of its heading
    # (a PAGEREF to the heading's bookmark, filled with the estimated page).
    xml = document.element.xml
    instructions = [i.strip() for i in re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", xml)]
    marks = [f"_Toc_t{t}" for t in range(1, 5)] + [f"_Toc_q{q}" for q in range(1, 6)]
    assert sorted(instructions) == sorted(f"PAGEREF {m} \\h" for m in marks)
    bookmarks = re.findall(r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)"/>', xml)
    assert sorted(bookmarks) == sorted(marks)
    contents = [p for p in paragraphs if "PAGEREF" in p._p.xml]
    assert len(contents) == 9 and all(re.search(r"\t\d+$", p.text) for p in contents)
    # Page numbers in the header from page 2, none on the cover.
    section = document.sections[0]
    assert section.different_first_page_header_footer
    header = section.header.paragraphs[0]._p.xml
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", header)
    assert "PAGE" not in section.first_page_header._element.xml
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in "\n".join(texts)
    assert "updateFields" in document.settings.element.xml
    assert "python-docx" not in (document.core_properties.comments or "")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_handbook_renders_to_pdf_with_libreoffice(tmp_path: Path) -> None:
    source = tmp_path / "so_tay.docx"
    source.write_bytes(
        build_handbook(
            handbook_entries(), year=2026, program_title="Ban Tổ chức", today=date(2026, 12, 21)
        )
    )
    office = soffice()
    assert office is not None
    subprocess.run(
        [office, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = (tmp_path / "so_tay.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 3  # the title page, the contents, then the topics


async def test_handbook_service_and_command_line(
    core: Core, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = await new_program(core)
    staff = await member(core, program, 11)
    leader = await member(core, program, 12)
    async with core.store.transaction():
        await core.store.set_roles(program.id, leader.id, ["leader"])
        await core.store.set_roles(program.id, staff.id, ["staff"])
    for n, d in ((1, date(2026, 3, 2)), (2, date(2025, 12, 29)), (3, date(2026, 12, 28))):
        await archived(core, entry(program.id, n, session_date=d))
    with pytest.raises(Refused) as info:
        await archive.handbook(core, staff, program, "2026")
    assert info.value.reply.template == "refused_role"
    with pytest.raises(Refused) as info:
        await archive.handbook(core, leader, program, "26")
    assert info.value.reply.template == "arg_bad_number"
    result = await archive.handbook(core, leader, program, "")
    assert isinstance(result, FileReply)
    assert result.filename == "so_tay_hoi_dap_2026.docx" and result.caption.context["count"] == 2
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(result.data)).paragraphs)
    assert "Câu hỏi thứ 1" in text and "Câu hỏi thứ 3" in text and "Câu hỏi thứ 2" not in text

    # hoidap handbook --year 2025 FILE [--program N]
    db_path = Path(core.settings.db_path).with_name("a.sqlite3")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOIDAP_DB", str(db_path))
    target = tmp_path / "so_tay_2025.docx"
    code = await asyncio.to_thread(cli_main, ["handbook", "--year", "2025", str(target)])
    assert code == 0
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "Câu hỏi thứ 2" in text and "Câu hỏi thứ 1" not in text
    empty = tmp_path / "none.docx"
    assert await asyncio.to_thread(cli_main, ["handbook", "--year", "2024", str(empty)]) == 1
    assert not empty.exists()
    assert await asyncio.to_thread(cli_main, ["handbook", "--program", "7", str(empty)]) == 2
    assert await asyncio.to_thread(cli_main, ["handbook", "--year", "99", str(empty)]) == 2
