"""The catalogue of words and the register of the templates (as a Vietnamese office reads them)."""

from __future__ import annotations

import ast
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from bot.render import fmt_date, fmt_datetime, fmt_hex, fmt_week, observe, render, weekday_vi
from bot.words import BUTTONS, ROLE_LABELS

ROOT = Path(__file__).resolve().parents[1]
VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.IGNORECASE
)


def _templates() -> dict[str, str]:
    folder = resources.files("bot").joinpath("templates")
    return {e.name: e.read_text(encoding="utf-8") for e in folder.iterdir()}


def _lines(pattern: str, flags: int = 0) -> list[str]:
    found = []
    for name, text in sorted(_templates().items()):
        for n, line in enumerate(text.splitlines(), 1):
            if re.search(pattern, line, flags):
                found.append(f"{name}:{n}: {line.strip()[:120]}")
    return found


# -- dates and weeks --------------------------------------------------------------------------


def test_weekdays_are_lower_case_mid_sentence_and_capital_where_asked() -> None:
    assert fmt_date("2026-12-07") == "thứ Hai, 07/12/2026"
    assert fmt_date("2026-12-13") == "chủ nhật, 13/12/2026"
    assert fmt_date("2026-12-07", capital=True) == "Thứ Hai, 07/12/2026"
    assert fmt_date("2026-12-13", capital=True) == "Chủ nhật, 13/12/2026"
    assert weekday_vi(0) == "thứ Hai" and weekday_vi(6, capital=True) == "Chủ nhật"
    assert fmt_datetime("2026-12-07T09:00:00+07:00") == "09:00 thứ Hai, 07/12/2026"


def test_templates_choose_the_capital_with_a_filter_argument() -> None:
    entry = {"number": 1, "date": "2026-12-07", "topic": "T", "question_short": "?"}
    entry |= {"answerer": None}
    history = render(
        "history_list",
        {"program": {"title": "P"}, "entries": [entry], "total": 1, "pages": 1, "page": 1},
    )
    assert "1. Thứ Hai, 07/12/2026" in history, history
    session = {"session_date": "2026-12-07", "deadline_at": "2026-12-07T10:00:00+07:00"}
    text = render("conclude_ask", {"session": session, "program": {"title": "P"}})
    assert "phiên thứ Hai, 07/12/2026" in text, text


def test_an_iso_week_reads_as_week_and_year() -> None:
    assert fmt_week("2026-W50") == "tuần 50/2026"
    assert fmt_week("2027-W01") == "tuần 1/2027"
    with pytest.raises(ValueError):
        fmt_week("50")


def test_no_template_shows_an_iso_week_unfiltered() -> None:
    assert _lines(r"\.week\s*}}") == []
    assert _lines(r"\.week\b(?!\|week_vi)[^}]*}}") == []


def test_long_hex_values_are_shortened_to_twelve_digits() -> None:
    value = "0123456789abcdef" * 4
    assert fmt_hex(value) == "0123456789ab…"
    assert fmt_hex("abc") == "abc"


# -- the register -----------------------------------------------------------------------------


def test_instructions_say_de_nghi_dong_chi() -> None:
    assert _lines(r"\bhãy\b|vui lòng", re.IGNORECASE) == []
    # «Xin» only greets or apologises.
    assert _lines(r"\bXin\b(?! chào| lỗi)", re.IGNORECASE) == []


def test_the_person_is_quan_tri_vien() -> None:
    assert _lines(r"quản trị(?! viên)", re.IGNORECASE) == []
    assert ROLE_LABELS["admin"] == "quản trị viên"


def test_titles_of_office_holders_are_capitalised_everywhere() -> None:
    assert _lines(r"trưởng phòng|lãnh đạo Ban") == []
    assert ROLE_LABELS["head"] == "Trưởng phòng" and ROLE_LABELS["leader"] == "Lãnh đạo Ban"


def test_no_playful_emoji_in_posts() -> None:
    assert _lines("🎲|🎯|👋") == []


def test_roster_has_no_blank_line_between_people() -> None:
    members = [
        {"id": i, "name": f"Người {i}", "title": "Chuyên viên", "roles": ["chuyên viên"]}
        | {"status": "active", "away_kind": None, "away_until": None, "away_from": None}
        for i in (1, 2, 3)
    ]
    text = render(
        "roster",
        {"program": {"title": "P"}, "members": members, "inactive": 0, "today": "2026-12-01"},
    )
    lines = text.splitlines()
    people = [i for i, line in enumerate(lines) if line.startswith("#")]
    assert people == [people[0], people[0] + 1, people[0] + 2], text


def test_the_conclusion_post_labels_the_answer() -> None:
    ctx: dict[str, Any] = {
        "session": {"session_date": "2026-12-07"},
        "question": {"topic": "T", "source_unit": None, "text": "Câu hỏi?", "legal_refs": None},
        "person": {"name": "Nguyễn Văn An", "title": None},
        "answer_kind": "text",
        "answer_text": "Nội dung trả lời",
        "verdict": None,
        "leader": {"name": "Phạm Quang Minh"},
        "conclusion": "Kết luận",
        "program": {"title": "P"},
    }
    text = render("concluded_group", ctx)
    assert "<b>Trả lời:</b>\n<blockquote expandable>Nội dung trả lời</blockquote>" in text, text
    ctx["answer_kind"] = "in_person"
    assert "<b>Trả lời:</b> trực tiếp tại cuộc họp." in render("concluded_group", ctx)


# -- words live in the catalogue, not in service code ---------------------------------------------

# Log wording, text folding and the sort order of names, not words shown to users.
_ALLOWED = {"đ", "lịch tự động", "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"}


def _vietnamese_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and VIETNAMESE.search(node.value)
        and node.value not in _ALLOWED
    ]


# Files whose Vietnamese is not the bot's chat: the catalogue itself and operator messages of
# start-up (config, db). The command line, the composition root and the demo's narration live
# in hoidap/, the fake servers in fakes/, neither read here.
_NOT_CHAT = {"words.py", "config.py", "db.py"}


def test_services_and_handlers_spell_no_vietnamese_words() -> None:
    files = [
        *(p for p in (ROOT / "bot").rglob("*.py") if p.name not in _NOT_CHAT),
        *(ROOT / "handlers").glob("*.py"),
        ROOT / "scheduler.py",
    ]
    assert [line for f in files for line in _vietnamese_literals(f)] == []


def test_button_labels_come_from_the_catalogue() -> None:
    assert BUTTONS["open_invite"] == "Mở liên kết mời"
    assert BUTTONS["bank_top"] == "⏫ Lên đầu hàng đợi"
    assert BUTTONS["review"].format(id=7) == "Xét #7"


# -- the observation hook ---------------------------------------------------------------------


def test_render_tells_observers_what_it_rendered() -> None:
    seen: list[tuple[str, dict[str, Any], str]] = []
    stop = observe(lambda t, c, text: seen.append((t, dict(c), text)))
    try:
        text = render("answer_received", {"program": {"title": "P"}})
    finally:
        stop()
    assert seen == [("answer_received", {"program": {"title": "P"}}, text)]
    render("answer_received", {"program": {"title": "P"}})
    assert len(seen) == 1  # stopped: told nothing more


def test_the_e2e_context_match_is_strict_where_it_speaks() -> None:
    from tests.e2e.helpers import contains

    ctx = {"session": {"week": "2026-W50", "id": 3}, "pool": [{"id": 1}, {"id": 2}], "n": 0}
    assert contains(ctx, {"session": {"week": "2026-W50"}})
    assert contains(ctx, {"pool": [{"id": 1}, {"id": 2}], "n": 0})
    assert not contains(ctx, {"session": {"week": "2026-W51"}})
    assert not contains(ctx, {"pool": [{"id": 1}]})  # a list is matched whole
    assert not contains(ctx, {"missing": None})


def test_the_archived_record_labels_the_answer_the_same_way() -> None:
    entry = {
        "date": "2026-12-07",
        "topic": "T",
        "source_unit": None,
        "question": "Câu hỏi?",
        "answerer": {"name": "Nguyễn Văn An", "title": None},
        "answer_kind": "text",
        "answer_text": "Nội dung trả lời",
        "verdict": None,
        "leader_name": "Phạm Quang Minh",
        "conclusion": "Kết luận",
        "legal_refs": None,
    }
    text = render("archive_record", {"entry": entry})
    assert "<b>Trả lời:</b>\n<blockquote expandable>Nội dung trả lời</blockquote>" in text, text
    assert "phiên thứ Hai, 07/12/2026" in text
