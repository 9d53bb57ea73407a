"""The register of documents arrives on a database the previous release made: everything already
written is read for its citations when the database is upgraded (questions and their «căn cứ»,
answers, comments, official answers, grassroots questions), and linked once the register holds
the documents."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

from bot.citations import find_citations
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.db import connect, latest_version, migrations
from bot.services import register
from bot.store import Store
from tests.conftest import vn
from tests.test_db_upgrade import build

T0 = "2024-11-04T08:00:00+07:00"
REFS = "Quy định số 24-QĐ/TW ngày 30/7/2021 về thi hành Điều lệ Đảng; Khoản 2 Điều 5 Điều lệ Đảng"
CONCLUSION = "Thực hiện theo Quy định số 24-QĐ/TW ngày 30/7/2021 và Hướng dẫn 01-HD/TW."
ANSWER = "Theo Hướng dẫn số 01-HD/TW, giấy chứng nhận có giá trị trong thời hạn quy định."
COMMENT = "Cần dẫn thêm Điều lệ Đảng."
ASKED = "Chi bộ hỏi: theo QĐ 24 thì đảng viên dự bị có được biểu quyết không?"


def release_before(path: Path) -> None:
    """A database as the release before the register left it, after a year of use: a
    question with its «căn cứ» read into question_refs, a concluded and archived session with
    an answer and a comment, a grassroots question, a question still queued."""
    previous = next(n for n, name, _ in migrations() if name == "refs") - 1
    assert previous == 11  # the release before 0012_refs.sql ends at 0011_document_symbol.sql
    build(path, previous)
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO programs (id, chat_id, title, created_at) VALUES (1, -100, 'Giao ban', ?)",
            (T0,),
        )
        for pid, tg, name in [(1, 11, "Trần Quản Trị"), (2, 12, "Lê An"), (3, 13, "Phạm Lãnh Đạo")]:
            conn.execute(
                "INSERT INTO people (id, tg_user_id, tg_name, full_name, created_at) "
                "VALUES (?,?,?,?,?)",
                (pid, tg, name, name, T0),
            )
        for pid, role in [(1, "admin"), (2, "staff"), (3, "leader")]:
            conn.execute(
                "INSERT INTO members (program_id, person_id, status, joined_at) "
                "VALUES (1, ?, 'active', ?)",
                (pid, T0),
            )
            conn.execute(
                "INSERT INTO member_roles (program_id, person_id, role) VALUES (1, ?, ?)",
                (pid, role),
            )
        for qid, status, text in [
            (1, "used", "Giấy chứng nhận học lớp bồi dưỡng đã quá hạn thì có phải học lại?"),
            (2, "queued", "Đảng viên dự bị có được làm người giới thiệu không, theo căn cứ nào?"),
        ]:
            conn.execute(
                "INSERT INTO questions (id, program_id, text, topic, legal_refs, status, position, "
                "created_at) VALUES (?, 1, ?, 'Đảng viên', ?, ?, ?, ?)",
                (qid, text, REFS, status, qid, T0),
            )
            conn.execute(
                "INSERT INTO question_refs (question_id, seq, document, article) VALUES "
                "(?, 1, 'Quy định số 24-QĐ/TW', NULL)",
                (qid,),
            )
        conn.execute(
            "INSERT INTO sessions (id, program_id, week, nominal_date, session_date, state, "
            "question_id, seed, commitment, drawn_person_id, answer_kind, answer_text, "
            "answered_at, conclusion, concluded_by, concluded_at, created_at) VALUES "
            "(1, 1, '2024-W45', '2024-11-04', '2024-11-04', 'concluded', 1, ?, ?, 2, 'text', ?, "
            "'2024-11-04T09:20:00+07:00', ?, 3, '2024-11-04T10:00:00+07:00', ?)",
            ("ab" * 32, "cd" * 32, ANSWER, CONCLUSION, T0),
        )
        conn.execute(
            "INSERT INTO grades (id, session_id, verdict, comment, head_id, created_at) "
            "VALUES (1, 1, 'partial', ?, 1, ?)",
            (COMMENT, T0),
        )
        conn.execute(
            "INSERT INTO archive (id, program_id, session_id, session_date, topic, question, "
            "conclusion, legal_refs, concluded_at) VALUES (1, 1, 1, '2024-11-04', 'Đảng viên', "
            "'Giấy chứng nhận học lớp bồi dưỡng đã quá hạn thì có phải học lại?', ?, ?, ?)",
            (CONCLUSION, REFS, "2024-11-04T10:00:00+07:00"),
        )
        conn.execute(
            "INSERT INTO askers (program_id, person_id, unit, status, created_at) "
            "VALUES (1, 2, 'Chi bộ Thôn 1', 'active', ?)",
            (T0,),
        )
        conn.execute(
            "INSERT INTO submissions (id, program_id, person_id, unit, text, created_at) "
            "VALUES (1, 1, 2, 'Chi bộ Thôn 1', ?, ?)",
            (ASKED, T0),
        )
        conn.execute("COMMIT")


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


async def test_an_upgrade_reads_every_citation_already_written(tmp_path: Path) -> None:
    path = tmp_path / "hoidap.sqlite3"
    release_before(path)
    conn = await connect(path)
    await conn.close()
    assert rows(path, "PRAGMA user_version") == [(latest_version(),)]
    assert rows(path, "SELECT name FROM sqlite_master WHERE name = 'question_refs'") == []
    cited = rows(
        path,
        "SELECT source, source_id, field, symbol, article, session_id, cited_on, document_id "
        "FROM citations ORDER BY source, source_id, seq",
    )
    assert cited == [
        ("answer", 1, "text", "01-HD/TW", None, 1, "2024-11-04", None),
        ("comment", 1, "text", "Điều lệ Đảng", None, 1, "2024-11-04", None),
        ("official", 1, "refs", "24-QĐ/TW", None, 1, "2024-11-04", None),
        ("official", 1, "refs", "Điều lệ Đảng", "Khoản 2 Điều 5", 1, "2024-11-04", None),
        ("official", 1, "text", "01-HD/TW", None, 1, "2024-11-04", None),
        ("question", 1, "refs", "24-QĐ/TW", None, None, "2024-11-04", None),
        ("question", 1, "refs", "Điều lệ Đảng", "Khoản 2 Điều 5", None, "2024-11-04", None),
        ("question", 2, "refs", "24-QĐ/TW", None, None, "2024-11-04", None),
        ("question", 2, "refs", "Điều lệ Đảng", "Khoản 2 Điều 5", None, "2024-11-04", None),
        ("submission", 1, "text", "24-QĐ", None, None, "2024-11-04", None),
    ]
    # The bank reads the structured «căn cứ» from the citations now.
    store = Store(await connect(path))
    try:
        bq = await store.bank_question(1)
        assert bq is not None and bq.refs == (
            ("Quy định số 24-QĐ/TW", None),
            ("Điều lệ Đảng", "Khoản 2 Điều 5"),
        )
    finally:
        await store.close()


async def test_the_register_links_what_the_upgrade_read_and_lists_it_for_review(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hoidap.sqlite3"
    release_before(path)
    store = Store(await connect(path))
    core = Core(
        store=store, clock=ManualClock(vn(2026, 12, 1, 10, 0)), settings=Settings(db_path=path)
    )
    try:
        wanted = []
        for symbol, issued, title in [
            ("24-QĐ/TW", date(2021, 7, 30), "Quy định thi hành Điều lệ Đảng"),
            ("232-QĐ/TW", date(2025, 1, 20), "Quy định thi hành Điều lệ Đảng"),
        ]:
            (c,) = find_citations(symbol)
            wanted.append(
                register.Wanted(
                    citation=c,
                    status="in_force",
                    source="nguồn thử",
                    kind="Quy định",
                    title=title,
                    issued_on=issued,
                    issued_by="Ban Chấp hành Trung ương",
                    symbol_text=symbol,
                )
            )
        await register.apply(core, None, wanted)
        (old,) = find_citations("24-QĐ/TW")
        applied = await register.apply(
            core,
            None,
            [
                register.Wanted(
                    citation=old,
                    status="replaced",
                    source="nguồn thử",
                    successor="232-QĐ/TW",
                    status_from=date(2025, 1, 20),
                    symbol_text="24-QĐ/TW",
                )
            ],
        )
        assert applied.told == 1
        entry = applied.entries[0]
        linked = rows(
            path,
            f"SELECT source, source_id FROM citations WHERE document_id = {entry.id} "
            "ORDER BY source, source_id",
        )
        assert linked == [
            ("official", 1),
            ("question", 1),
            ("question", 2),
            ("submission", 1),  # «QĐ 24»: the only Quy định 24 in the register
        ]
        assert [a["id"] for a in await store.official_dependents(entry.id)] == [1]
        assert [q["id"] for q in await store.question_dependents(entry.id)] == [2]  # queued
        assert await store.count_to_review(1, date(2026, 12, 1)) == 1
        owed = await store.pending_outbox()
        assert {i.template for i in owed} == {"refs_review"}
        assert sorted(i.chat_id for i in owed) == [11, 13]  # its admin and its leader, once
    finally:
        await store.close()
