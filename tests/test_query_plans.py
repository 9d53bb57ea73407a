"""Every query an update, a grade press or a scheduled step runs uses an index.

The statements are not copied from the store: they are recorded (``Store.trace``) while users
go through a whole week over HTTP, then each is explained (``EXPLAIN QUERY PLAN``, with the
parameters it ran with) on the migrated database. A full ``SCAN`` of a table fails the test;
``SCAN ... USING INDEX`` / ``USING COVERING INDEX`` (an index read in order) is fine.
"""

from __future__ import annotations

from bot.store.base import Statement
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import drawn_user, setup_program

# Tables read whole on purpose, with why that stays cheap.
ALLOWED_SCANS = {
    # A handful of rows (one per briefing group); the active ones are cached in memory.
    "programs": "one row per program: tiny, and cached by the store",
    "g": "programs under an alias: tiny",
    # Read once when the process starts, then kept in memory (Store.mark_update_seen).
    "seen_updates": "loaded once at start-up, pruned to 10,000 rows",
    # The register of documents (one per bot, tens to a few hundred entries): read whole to
    # list it, export it, and check a change against every replacement chain.
    "documents": "the register: a few hundred rows at most, read whole by /cancu and a change",
}


def full_scans(plan: list[str]) -> list[str]:
    """The plan lines that read a whole table (not an index, not a list of constant rows, not
    the rows of a subquery, which are bounded by the subquery's own plan)."""
    subqueries = {
        line.split()[1] for line in plan if line.startswith(("CO-ROUTINE ", "MATERIALIZE "))
    }
    bad = []
    for line in plan:
        if not line.startswith("SCAN ") or "INDEX" in line or "CONSTANT ROW" in line:
            continue
        table = line.split()[1]
        if table not in ALLOWED_SCANS and table not in subqueries:
            bad.append(line)
    return bad


def test_full_scans_are_found() -> None:
    assert full_scans(["SCAN grades"]) == ["SCAN grades"]
    assert full_scans(["SCAN m USING INDEX members_by_person"]) == []
    assert full_scans(["SEARCH s USING INDEX sessions_state (program_id=?)"]) == []
    assert full_scans(["SCAN 3 CONSTANT ROWS", "SCAN programs"]) == []
    assert full_scans(["CO-ROUTINE m", "SCAN archive_fts VIRTUAL TABLE INDEX 0:M", "SCAN m"]) == []


async def test_hot_queries_use_indexes(harness: Harness) -> None:
    h = harness
    store = h.core.store
    store.trace = []
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))  # publish
    await h.at(vn(2026, 12, 7, 9, 0))  # draw
    drawn = await drawn_user(h)
    await h.send(drawn, "Trả lời của tôi")
    post = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    await h.press(HEAD, post, "Đúng một phần")  # a grade press
    await h.press(HEAD, post, "Đúng")  # a regrade
    await h.send(HEAD, "Cần nêu rõ thời hạn.")
    await h.send(HEAD, "/trangthai", chat_id=GROUP)
    await h.send(STAFF[0], "/cauhoi")
    await h.send(STAFF[1], "/trangthai")
    await h.send(STAFF[2], "/lich")
    await h.send(STAFF[2], "/kiemtra")
    await h.send(LEADER, "/ketluan Thống nhất với ý kiến của đồng chí.", chat_id=GROUP)
    await h.send(drawn, "Em xin gửi thêm căn cứ.")  # kept for the head (bot/services/answers.py)
    await h.at(vn(2026, 12, 8, 9, 0))
    await h.send(STAFF[0], "/lichsu")
    await h.send(STAFF[0], "/timkiem đảng viên")
    await h.send(HEAD, "/cauhoi", chat_id=GROUP)
    await h.send(drawn, "/hoso")
    drawn_person = await store.person_by_tg(drawn.id)
    assert drawn_person is not None
    await h.send(HEAD, f"/hoso #{drawn_person.id} quý 4")
    await h.send(STAFF[1], "/thongke tháng 12")
    await h.send(HEAD, "/thongke", chat_id=GROUP)
    trace: list[Statement] = store.trace
    store.trace = None

    assert any("FROM grades" in s.sql for s in trace)  # the press was recorded
    assert any("FROM sessions s LEFT JOIN questions" in s.sql for s in trace)  # /hoso, /thongke
    assert any("INSERT INTO late_answers" in s.sql for s in trace)  # the follow-up was kept
    explained: dict[str, list[str]] = {}
    for s in trace:
        if s.sql in explained:
            continue
        rows = await store.conn.execute_fetchall("EXPLAIN QUERY PLAN " + s.sql, s.params)
        explained[s.sql] = [str(r[3]) for r in rows]
    assert len(explained) > 40
    problems = {sql: full_scans(plan) for sql, plan in explained.items() if full_scans(plan)}
    assert problems == {}


async def test_the_register_and_what_rests_on_it_use_indexes(harness: Harness) -> None:
    """The register, the citations, the review, the marks and the supplementary conclusion:
    every statement an admin's change, a search, the figures and the handbook run."""
    from tests.e2e.helpers import conclude_week

    h = harness
    store = h.core.store
    await setup_program(h)
    await conclude_week(
        h,
        vn(2026, 12, 7, 9, 0),
        "Theo Quy định số 24-QĐ/TW, phải học lại.",
        "Học lại lớp bồi dưỡng, theo Quy định số 24-QĐ/TW ngày 30/7/2021.",
        comment="Cần dẫn Điều lệ Đảng.",
    )
    store.trace = []
    for text in (
        "/cancu them 24-QĐ/TW | Quy định thi hành Điều lệ Đảng | 30/7/2021 | BCH TW | nguồn",
        "/cancu them 232-QĐ/TW | Quy định thi hành Điều lệ Đảng | 20/01/2025 | BCH TW | nguồn",
        "/cancu thay 24-QĐ/TW | 232-QĐ/TW | 20/01/2025 | nguồn",
        "/cancu",
        "/cancu 24-QĐ/TW",
        "/danhsach",
        "/xemcauhoi 2",
    ):
        await h.send(ADMIN, text)
    await h.send(STAFF[0], "/timkiem bồi dưỡng")
    await h.send(STAFF[0], "/lichsu")
    await h.send(LEADER, "/ketluanbosung 1 Học lại lớp bồi dưỡng, theo Quy định số 232-QĐ/TW.")
    await h.send(LEADER, "/thongke tháng 12")
    await h.send(LEADER, "/sotay 2026")
    await h.at(vn(2026, 12, 11, 8, 0))
    await h.at(vn(2026, 12, 14, 9, 0))
    await h.send(await drawn_user(h), "Theo Quy định 24-QĐ/TW và Điều lệ Đảng.")
    trace: list[Statement] = store.trace
    store.trace = None

    assert any("INSERT INTO citations" in s.sql for s in trace)
    assert any("INSERT INTO supplements" in s.sql for s in trace)
    assert any("document_reviews" in s.sql for s in trace)
    explained: dict[str, list[str]] = {}
    for s in trace:
        if s.sql in explained:
            continue
        rows = await store.conn.execute_fetchall("EXPLAIN QUERY PLAN " + s.sql, s.params)
        explained[s.sql] = [str(r[3]) for r in rows]
    problems = {sql: full_scans(plan) for sql, plan in explained.items() if full_scans(plan)}
    assert problems == {}
