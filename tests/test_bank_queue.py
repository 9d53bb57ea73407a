"""The question bank's own logic: duplicates, queue and pin maths, tags, legal references."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.db import connect
from bot.render import plain, render
from bot.services.bank import split_duplicates
from bot.services.bank_admin import QueueItem, choose, move, plan_queue, week_monday
from bot.store import Store
from bot.text import normalize_for_match
from fakes.fakebotapi import parse_html
from questions.importer import (
    ImportRejected,
    export_questions,
    parse_questions,
    template_xlsx,
)
from questions.legal import LegalRef, parse_legal_refs
from questions.model import QuestionDraft, split_tags

# ---------------------------------------------------------------------------------------------
# Duplicates of the bank

BANK = [
    (3, "Đảng viên dự bị có được biểu quyết khi chi bộ xét kết nạp không?"),
    (7, "Chi bộ có 8 đảng viên chính thức thì bầu chi ủy hay bầu bí thư?"),
]


def test_duplicates_ignore_case_spacing_and_punctuation() -> None:
    drafts = [
        QuestionDraft("ĐẢNG VIÊN dự bị có được biểu quyết, khi chi bộ xét kết nạp không", row=2),
        QuestionDraft("Đảng viên dự bị có được làm người giới thiệu quần chúng không?", row=3),
        QuestionDraft("Chi bộ có 8 đảng viên  chính thức thì bầu chi ủy hay bầu bí thư ?", row=4),
    ]
    fresh, duplicates = split_duplicates(drafts, BANK)
    assert fresh == [drafts[1]]
    assert [(d.draft.row, d.existing_id, d.existing_text) for d in duplicates] == [
        (2, 3, BANK[0][1]),
        (4, 7, BANK[1][1]),
    ]


def test_a_duplicate_names_the_oldest_bank_question_and_an_empty_bank_has_none() -> None:
    text = BANK[0][1]
    _, duplicates = split_duplicates([QuestionDraft(text)], [(9, text), (4, text.upper())])
    assert duplicates[0].existing_id == 4
    drafts = [QuestionDraft(text)]
    assert split_duplicates(drafts, []) == (drafts, [])


# ---------------------------------------------------------------------------------------------
# The queue: which question each session takes, moving one


W1, W2, W3, W4 = "2026-W50", "2026-W51", "2026-W52", "2026-W53"


@pytest.mark.parametrize(
    ("queue", "week", "expected"),
    [
        ([], W1, None),
        ([QueueItem(1), QueueItem(2)], W1, 1),
        # A question pinned to this week goes first, wherever it stands in the queue.
        ([QueueItem(1), QueueItem(2, W1)], W1, 2),
        # One pinned to a later week is kept back for it.
        ([QueueItem(1, W2), QueueItem(2)], W1, 2),
        ([QueueItem(1, W2)], W1, None),
        # One whose week has passed (the week was skipped) takes its place in the queue again.
        ([QueueItem(1, W1), QueueItem(2)], W2, 1),
        ([QueueItem(1), QueueItem(2, W1)], W2, 1),
    ],
)
def test_choose(queue: list[QueueItem], week: str, expected: int | None) -> None:
    chosen = choose(queue, week)
    assert (chosen.id if chosen else None) == expected


def test_plan_takes_pins_into_account_week_by_week() -> None:
    queue = [QueueItem(1), QueueItem(2), QueueItem(3, W3), QueueItem(4), QueueItem(5, W1)]
    planned = plan_queue([W1, W2, W3, W4], queue)
    assert [p.id if p else None for p in planned] == [5, 1, 3, 2]
    # Running out: the later sessions have nothing.
    planned = plan_queue([W1, W2, W3], [QueueItem(1, W2)])
    assert [p.id if p else None for p in planned] == [None, 1, None]


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (1, [4, 1, 2, 3, 5]),
        (2, [1, 4, 2, 3, 5]),
        (4, [1, 2, 3, 4, 5]),  # where it already is
        (5, [1, 2, 3, 5, 4]),
        (99, [1, 2, 3, 5, 4]),  # beyond the end: last
        (0, [4, 1, 2, 3, 5]),  # before the start: first
    ],
)
def test_move(position: int, expected: list[int]) -> None:
    assert move([1, 2, 3, 4, 5], 4, position) == expected


@given(
    order=st.lists(st.integers(1, 10_000), min_size=1, max_size=30, unique=True),
    data=st.data(),
)
def test_move_keeps_every_question_once(order: list[int], data: st.DataObject) -> None:
    question = data.draw(st.sampled_from(order))
    position = data.draw(st.integers(1, len(order)))
    moved = move(order, question, position)
    assert sorted(moved) == sorted(order)
    assert moved.index(question) == position - 1
    assert [q for q in moved if q != question] == [q for q in order if q != question]


def test_week_monday() -> None:
    assert week_monday("2026-W50") == date(2026, 12, 7)
    assert week_monday("2027-W01") == date(2027, 1, 4)


# The publish step asks the database (Store.next_question_for); the plan asks choose(). They must
# agree for every queue: random positions, statuses and pins, in a real SQLite database.
_WEEKS = ["2026-W49", "2026-W50", "2026-W51"]
_ROW = st.tuples(
    st.integers(-3, 6),  # position (a skipped week's question is put back at a low number)
    st.sampled_from(["queued", "queued", "queued", "held", "used", "retired"]),
    st.sampled_from([None, None, *_WEEKS]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_ROW, max_size=8), week=st.sampled_from(_WEEKS))
def test_the_store_and_the_plan_choose_the_same_question(
    rows: list[tuple[int, str, str | None]], week: str
) -> None:
    async def check() -> None:
        store = Store(await connect(":memory:"))
        try:
            now = datetime(2026, 12, 1, tzinfo=UTC)
            async with store.transaction():
                pid = await store.create_program(-1, "Thử", "Asia/Ho_Chi_Minh", 0, now)
                for i, (position, status, pinned) in enumerate(rows):
                    qid = await store.add_question(
                        pid, f"Câu hỏi số {i} để thử", "Chung", None, None, None, None, now
                    )
                    await store._exec(
                        "UPDATE questions SET position = ?, status = ?, pinned_week = ? "
                        "WHERE id = ?",
                        (position, status, pinned, qid),
                    )
            queue = [QueueItem(qid, pinned) for qid, pinned in await store.queue_order(pid)]
            expected = choose(queue, week)
            found = await store.next_question_for(pid, week)
            assert (found.id if found else None) == (expected.id if expected else None)
        finally:
            await store.close()

    asyncio.run(check())


# ---------------------------------------------------------------------------------------------
# Tags


def test_split_tags() -> None:
    assert split_tags(" kết nạp,#Tuổi đảng ;  kết   nạp \n Kết nạp, ,") == ("kết nạp", "Tuổi đảng")
    assert split_tags("") == ()


def test_tags_travel_through_every_file_format(tmp_path: Path) -> None:
    drafts = [
        QuestionDraft("Đảng viên dự bị có được biểu quyết không?", tags=("kết nạp", "dự bị")),
        QuestionDraft("Chi bộ có 8 đảng viên thì bầu chi ủy hay bí thư?", "Tổ chức cơ sở đảng"),
    ]
    for name in ("q.xlsx", "q.csv", "q.yaml"):
        path = tmp_path / name
        path.write_bytes(export_questions(name, drafts))
        assert parse_questions(name, path.read_bytes()) == drafts
    document = yaml.safe_load((tmp_path / "q.yaml").read_text(encoding="utf-8"))
    assert document["questions"][0]["Thẻ"] == ["kết nạp", "dự bị"]  # a YAML list
    assert "Thẻ" not in document["questions"][1]


def test_tags_as_text_and_rows_are_kept(tmp_path: Path) -> None:
    csv_text = (
        "Câu hỏi,Thẻ\n"
        'Đảng viên dự bị có được biểu quyết không?,"kết nạp; dự bị"\n'
        "\n"
        "Chi bộ có 8 đảng viên thì bầu chi ủy hay bí thư?,\n"
    )
    drafts = parse_questions("q.csv", csv_text.encode())
    assert [d.tags for d in drafts] == [("kết nạp", "dự bị"), ()]
    assert [d.row for d in drafts] == [2, 4]
    yaml_text = "- Câu hỏi: Đảng viên dự bị có được biểu quyết không?\n  tags: kết nạp, dự bị\n"
    (draft,) = parse_questions("q.yml", yaml_text.encode())
    assert draft.tags == ("kết nạp", "dự bị") and draft.row == 1


def test_a_too_long_tag_rejects_the_file() -> None:
    data = ("Câu hỏi,Thẻ\nĐảng viên dự bị có được biểu quyết không?,ngắn; " + "x" * 41).encode()
    with pytest.raises(ImportRejected) as info:
        parse_questions("q.csv", data)
    (problem,) = info.value.problems
    assert (problem.code, problem.row, problem.field) == ("too_long", 2, "Thẻ")
    assert problem.detail == {"limit": 40, "length": 41}


def test_the_empty_template_keeps_five_columns_and_explains_tags(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "mau.xlsx"
    path.write_bytes(template_xlsx())
    book = load_workbook(path)
    assert [c.value for c in book["Câu hỏi"][1]] == [
        "Câu hỏi",
        "Chủ đề",
        "Đơn vị hỏi",
        "Căn cứ",
        "Gợi ý trả lời",
    ]
    assert "Thẻ" in {row[0] for row in book["Hướng dẫn"].iter_rows(values_only=True)}


# ---------------------------------------------------------------------------------------------
# Legal references: only what is written, in a recognisable form

CHARTER = "Điều lệ Đảng"
QD24 = "Quy định số 24-QĐ/TW"
HD01 = "Hướng dẫn số 01-HD/TW"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, []),
        ("", []),
        (CHARTER, [(CHARTER, None)]),
        # The project's sample references: the Charter in a title is not a reference of its own.
        (
            "Quy định số 24-QĐ/TW ngày 30/7/2021 về thi hành Điều lệ Đảng; Hướng dẫn số 01-HD/TW "
            "ngày 28/9/2021 về một số vấn đề cụ thể thi hành Điều lệ Đảng",
            [(QD24, None), (HD01, None)],
        ),
        (
            "Điều lệ Đảng; Quy định số 24-QĐ/TW ngày 30/7/2021 về thi hành Điều lệ Đảng",
            [(CHARTER, None), (QD24, None)],
        ),
        ("Khoản 2 Điều 5 Quy định số 24-QĐ/TW", [(QD24, "Khoản 2 Điều 5")]),
        ("Quy định 24-QĐ/TW, Điều 5.", [(QD24, "Điều 5")]),
        ("Điều 3, Điều 5 Điều lệ Đảng", [(CHARTER, "Điều 3"), (CHARTER, "Điều 5")]),
        ("điểm a, b khoản 1 điều 8 điều lệ đảng", [(CHARTER, "Điểm a, b khoản 1 Điều 8")]),
        ("khoản 1 và 2 Điều 5 quy định số 24-qđ/tw", [(QD24, "Khoản 1 và 2 Điều 5")]),
        ("Điểm 3.1 Hướng dẫn số 01-HD/TW", [(HD01, "Điểm 3.1")]),
        (
            "Khoản 2 Điều 5 Quy định số 24-QĐ/TW về thi hành Điều lệ Đảng và Điều 3 Điều lệ Đảng",
            [(QD24, "Khoản 2 Điều 5"), (CHARTER, "Điều 3")],
        ),
        (
            "Nghị định số 112/2020/NĐ-CP, Điều 2\nĐiều 2 Nghị định số 112/2020/NĐ-CP",
            [("Nghị định số 112/2020/NĐ-CP", "Điều 2")],  # repeated: once
        ),
        # A law by its name (bot.citations reads it in every text).
        ("Luật Cán bộ, công chức", [("Luật Cán bộ, công chức", None)]),
        # Not recognisable: an article without a document, a document without a number.
        ("Điều 5", []),
        ("Theo các điều kiện nêu trong văn bản hướng dẫn", []),
    ],
)
def test_parse_legal_refs(text: str | None, expected: list[tuple[str, str | None]]) -> None:
    assert parse_legal_refs(text) == [LegalRef(d, a) for d, a in expected]


_FRAGMENTS = st.sampled_from(
    [
        "Điều 5",
        "điều 12",
        "Khoản 2",
        "khoản 1, 3",
        "điểm a",
        "Mục 3.1",
        "Quy định",
        "Hướng dẫn",
        "Nghị quyết",
        "số",
        "24-QĐ/TW",
        "01-hd/tw",
        "22/2023/NĐ-CP",
        "Điều lệ Đảng",
        "về thi hành",
        "ngày 30/7/2021",
        "và",
        ",",
        ";",
        "\n",
        "Luật Cán bộ",
    ]
)


@given(st.one_of(st.text(max_size=200), st.lists(_FRAGMENTS, max_size=14).map(" ".join)))
def test_parse_legal_refs_reads_only_what_is_written(text: str) -> None:
    folded = " ".join(text.casefold().split())
    plain = normalize_for_match(text)
    for ref in parse_legal_refs(text):
        if ref.document == CHARTER:
            assert "điều lệ đảng" in folded
        elif " số " in ref.document:
            kind, number = ref.document.split(" số ", 1)
            # Numbers are written from 01 (officially): «1-HD/TW» reads as «01-HD/TW».
            assert kind.casefold() in folded and number.casefold().lstrip("0") in folded
        else:  # a symbol written alone, or a law by its name: every word of it is in the text
            assert all(w in plain for w in normalize_for_match(ref.document).split())
        for word in (ref.article or "").replace(",", " ").split():
            assert word.casefold() in folded


# ---------------------------------------------------------------------------------------------
# The wording of every refusal renders as valid Telegram HTML, values escaped


@pytest.mark.parametrize(
    ("template", "context", "expected"),
    [
        *(
            (
                "bank_pin_refused",
                {
                    "reason": reason,
                    "number": 5,
                    "date": "2026-12-22",
                    "other": {"id": 9, "text": "<b>Câu</b> & đã ghim"},
                    "holiday": "Tết Nguyên Đán",
                },
                words,
            )
            for reason, words in (
                ("past", "đã qua"),
                ("far", "một năm"),
                ("skipped", "không có phiên hỏi – đáp (Tết Nguyên Đán)"),
                ("published", "đã gửi câu hỏi"),
                ("taken", "«<b>Câu</b> & đã ghim»"),
            )
        ),
        *(
            ("bank_wrong_status", {"action": action, "number": 4, "status": "tạm hoãn"}, words)
            for action, words in (
                ("move", "không đổi thứ tự được"),
                ("pin", "/tieptuc 4"),
                ("hold", "không tạm hoãn được"),
                ("release", "không đưa trở lại hàng đợi được"),
                ("retire", "không loại được"),
                ("tags", "không gắn thẻ được"),
            )
        ),
        *(
            ("bank_usage", {"command": command}, words)
            for command, words in (
                ("xephang", "/xephang <số câu> <vị trí>"),
                ("ghim", "/ghim 12 huy"),
                ("the", "/the 12 xoa"),
                ("xuatcauhoi", "/xuatcauhoi csv"),
                ("tamhoan", "/tamhoan 12"),
            )
        ),
    ],
)
def test_refusals_render(template: str, context: dict[str, object], expected: str) -> None:
    text = render(template, context)
    parse_html(text)
    assert expected in plain(text)
