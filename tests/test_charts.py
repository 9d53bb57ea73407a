"""The charts (bot/documents/charts.py): PNG files, small, the same bytes for the same data,
every Vietnamese letter drawn, and the verdicts counted month by month as the record counts them.
"""

from __future__ import annotations

import os
import stat
import struct
import tempfile
import warnings
import zlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bench.sample_year import SampleYear
from bot.documents import charts
from bot.models import SessionState
from bot.periods import Period, month_period, quarter_period, year_period
from bot.records import (
    MONTH_VERDICTS,
    MonthVerdicts,
    Participation,
    SessionRecord,
    verdicts_per_month,
)
from bot.words import CHART_WORDS, VERDICT_LABELS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VIETNAMESE_TITLE = "Kết quả đánh giá – ạ ế ỗ ư ơ đ Ậ Ữ"


def _record(
    sid: int,
    nominal: date,
    *,
    held: date | None = None,
    state: SessionState = SessionState.CONCLUDED,
    verdict: str | None = None,
    answered: bool = True,
    drawn: int | None = 1,
) -> SessionRecord:
    day = held or nominal
    at = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    return SessionRecord(
        id=sid,
        week=f"{nominal.isocalendar().year}-W{nominal.isocalendar().week:02d}",
        nominal_date=nominal,
        session_date=None if state == SessionState.SKIPPED else day,
        holiday=None,
        state=state,
        skip_reason="holiday" if state == SessionState.SKIPPED else None,
        round_no=1,
        drawn_person_id=None if state == SessionState.SKIPPED else drawn,
        draw_attempt=0,
        question="?",
        topic="T",
        answer_kind="text" if answered else None,
        answered_at=at if answered else None,
        deadline_at=at,
        verdict=verdict,
        comment=None,
        grades=1 if verdict else 0,
        concluded_at=at if state == SessionState.CONCLUDED else None,
    )


# A hand-built quarter (Q1 2027): the expected counts are read off this list.
FIXTURE = [
    _record(1, date(2027, 1, 4), verdict="correct"),
    _record(2, date(2027, 1, 11), verdict="partial"),
    _record(3, date(2027, 1, 18), verdict="correct"),
    _record(4, date(2027, 1, 25), answered=False),  # the window closed: unanswered
    # Nominal Monday 22/02, moved to 02/03: counts in March.
    _record(5, date(2027, 2, 22), held=date(2027, 3, 2), verdict="wrong"),
    _record(6, date(2027, 2, 1), state=SessionState.SKIPPED),  # not held
    _record(7, date(2027, 2, 8), state=SessionState.ANSWERED),  # answered, not graded
    _record(8, date(2027, 3, 8), state=SessionState.SCHEDULED, answered=False, drawn=None),
    _record(9, date(2026, 12, 28), verdict="correct"),  # before the quarter
    _record(10, date(2027, 4, 5), verdict="wrong"),  # after it
]


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == PNG_SIGNATURE
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert zlib.crc32(kind + body) == crc
        chunks.append((kind, body))
        at += 12 + length
    return chunks


def _size(data: bytes) -> tuple[int, int]:
    kind, body = _png_chunks(data)[0]
    assert kind == b"IHDR"
    width, height = struct.unpack(">II", body[:8])
    return width, height


def test_verdicts_per_month_of_a_hand_built_quarter() -> None:
    got = verdicts_per_month(FIXTURE, quarter_period(2027, 1))
    zero = dict.fromkeys(MONTH_VERDICTS, 0)
    assert [(m.year, m.month, m.counts) for m in got] == [
        (2027, 1, zero | {"correct": 2, "partial": 1, "unanswered": 1}),
        (2027, 2, zero | {"ungraded": 1}),
        (2027, 3, zero | {"wrong": 1}),
    ]
    assert [m.total for m in got] == [4, 1, 1]
    # A month alone; a month with nothing held is still there, with zeros.
    (february,) = verdicts_per_month(FIXTURE, month_period(2027, 2))
    assert february.counts == zero | {"ungraded": 1}
    assert [m.total for m in verdicts_per_month([], year_period(2027))] == [0] * 12


def test_month_labels_name_the_year_only_across_years() -> None:
    q = verdicts_per_month(FIXTURE, quarter_period(2027, 1))
    assert charts.month_labels(q) == ["T1", "T2", "T3"]
    span = verdicts_per_month(FIXTURE, Period("range", date(2026, 12, 1), date(2027, 1, 31), 2026))
    assert charts.month_labels(span) == ["12/2026", "1/2027"]


def test_the_verdicts_chart_is_a_small_png_with_the_same_bytes_each_time() -> None:
    png = charts.verdicts_by_month(FIXTURE, year_period(2027), VIETNAMESE_TITLE)
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) < 100_000
    assert _size(png) == (960, 504)  # 8 x 4.2 inches at 120 dpi
    assert png == charts.verdicts_by_month(FIXTURE, year_period(2027), VIETNAMESE_TITLE)
    # No date and no software version in the file.
    text = b"".join(body for kind, body in _png_chunks(png) if kind in (b"tEXt", b"iTXt"))
    assert b"Software" not in text and b"atplotlib" not in text and b"2027" not in text
    assert not [k for k, _ in _png_chunks(png) if k == b"tIME"]
    # Different data, a different picture.
    assert png != charts.verdicts_by_month(FIXTURE[:2], year_period(2027), VIETNAMESE_TITLE)


def test_the_participation_chart_is_a_small_png() -> None:
    people = tuple((i, f"Cán bộ {i}") for i in range(1, 501))
    png = charts.participation(Participation(3, people[:320], people[320:]), VIETNAMESE_TITLE)
    assert png.startswith(PNG_SIGNATURE) and len(png) < 100_000
    assert _size(png) == (840, 288)
    empty = charts.participation(Participation(1, (), ()), VIETNAMESE_TITLE)
    assert empty.startswith(PNG_SIGNATURE) and empty != png


def _missing_glyphs(draw: object) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert callable(draw)
        draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_vietnamese_letters_are_drawn_with_no_missing_glyph() -> None:
    per_month = [MonthVerdicts(2027, 1, dict.fromkeys(MONTH_VERDICTS, 1))]
    p = Participation(1, ((1, "A"),), ((2, "B"),))
    assert _missing_glyphs(lambda: charts.verdicts_chart(per_month, VIETNAMESE_TITLE)) == []
    assert _missing_glyphs(lambda: charts.participation(p, VIETNAMESE_TITLE)) == []
    # The check sees a letter the font lacks.
    assert _missing_glyphs(lambda: charts.participation(p, "漢")) != []


def test_the_font_has_every_letter_of_the_chart_words() -> None:
    from matplotlib import font_manager, ft2font

    path = font_manager.findfont(
        font_manager.FontProperties(family=charts.FONT), fallback_to_default=False
    )
    font = ft2font.FT2Font(path)
    words = [*CHART_WORDS.values(), *VERDICT_LABELS.values(), VIETNAMESE_TITLE]
    letters = {c for w in words for c in w if not c.isspace() and c not in "{}"}
    assert [c for c in sorted(letters) if font.get_char_index(ord(c)) == 0] == []


@pytest.mark.parametrize(
    "period",
    [
        month_period(2027, 1),
        year_period(2027),
        Period("range", date(2017, 1, 1), date(2026, 12, 31), 2017),  # ten years, 120 months
    ],
)
def test_any_period_draws_even_without_a_session(period: Period) -> None:
    for rows in ([], FIXTURE):
        png = charts.verdicts_by_month(rows, period, VIETNAMESE_TITLE)
        assert png.startswith(PNG_SIGNATURE) and len(png) < 100_000


def test_the_readme_samples_are_drawn_the_same_each_time(
    sample_year: SampleYear, tmp_path: Path
) -> None:
    import asyncio

    from bench.sample_pictures import charts as sample_charts
    from bench.sample_year import build

    first = asyncio.run(sample_charts(sample_year))
    # The year lived again (its draws seeded): the same pictures, byte for byte.
    again = asyncio.run(build(tmp_path / "again.sqlite3"))
    assert first == asyncio.run(sample_charts(again))
    assert all(png.startswith(PNG_SIGNATURE) and len(png) < 100_000 for png in first)


def test_matplotlib_gets_a_private_cache_folder_when_home_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    # A writable home: matplotlib's own folders serve.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    charts.config_dir()
    assert "MPLCONFIGDIR" not in os.environ
    # A home that cannot hold folders (a file here; ProtectHome in the service).
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("HOME", str(tmp_path / "file"))
    charts.config_dir()
    folder = tmp_path / "tmp" / f"hoidap-matplotlib-{os.getuid()}"
    assert os.environ["MPLCONFIGDIR"] == str(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # A folder writable by others is not used; the operator's setting wins.
    monkeypatch.delenv("MPLCONFIGDIR")
    folder.chmod(0o777)
    charts.config_dir()
    assert "MPLCONFIGDIR" not in os.environ
    monkeypatch.setenv("MPLCONFIGDIR", "/elsewhere")
    charts.config_dir()
    assert os.environ["MPLCONFIGDIR"] == "/elsewhere"


def _stacks(png: bytes, count: int) -> list[tuple[float, float]]:
    """The grey of each of ``count`` bars standing side by side in a chart picture, as a printer
    in black and white renders it: (mean, spread) of the pixels inside the bar."""
    import io

    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(io.BytesIO(png)).convert("L")).astype(float)
    height, width = grey.shape
    band = grey[round(height * 0.35) : round(height * 0.45)]  # above the counts in the bars
    inked = (band < 250).mean(axis=0) > 0.05
    runs, start = [], None
    for x, on in enumerate([*inked, False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            if x - start > width * 0.03:  # a bar, not an axis line
                runs.append((start, x))
            start = None
    assert len(runs) == count, runs
    found = []
    for a, b in runs:
        inside = band[:, a + (b - a) // 5 : b - (b - a) // 5]
        found.append((float(inside.mean()), float(inside.std())))
    return found


def test_each_verdict_prints_apart_in_black_and_white() -> None:
    # One month per kind of stack, each alone in its bar: their greys compared two by two.
    per_month = [
        MonthVerdicts(2027, n, {v: 5 if v == verdict else 0 for v in MONTH_VERDICTS})
        for n, verdict in enumerate(MONTH_VERDICTS, 1)
    ]
    for draw in (
        lambda: charts.verdicts_chart(per_month, ""),  # as /thongke shows it
        lambda: charts.verdicts_chart(per_month, "", printed=True),  # as a report prints it
    ):
        png = draw()
        stacks = dict(zip(MONTH_VERDICTS, _stacks(png, len(MONTH_VERDICTS)), strict=True))
        for a in MONTH_VERDICTS:
            for b in MONTH_VERDICTS:
                if a < b:
                    (m1, s1), (m2, s2) = stacks[a], stacks[b]
                    apart = ((m1 - m2) ** 2 + (s1 - s2) ** 2) ** 0.5
                    assert apart > 20, (a, b, stacks[a], stacks[b])
