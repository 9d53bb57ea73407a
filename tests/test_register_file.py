"""The register of documents as a file, and from the command line: the starter file and its
sources, the question bank's import rules (all or nothing, every problem named, hostile files),
export and re-import, ``hoidap refs scan|import|export|template``."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl import Workbook

from bot import db
from bot.clock import ManualClock
from bot.config import Settings
from bot.core import Core
from bot.models import RegisterEntry
from bot.refs import cited
from bot.render import plain, render
from bot.services import register
from bot.store import Store
from hoidap.cli import main as cli_main
from questions.importer import ImportRejected
from questions.register import COLUMNS, MAX_ROWS, parse_register, register_csv, register_xlsx
from questions.samples.data import SAMPLE_QUESTIONS
from questions.samples.register_data import STARTER
from tests.citations_corpus import SPELLINGS
from tests.conftest import vn
from tests.files import inline, raw_xlsx

SAMPLES = Path(__file__).resolve().parents[1] / "questions" / "samples"
HEADER = [c.header for c in COLUMNS]
ERROR_CELL = '<c t="e"><f>1/0</f><v>#DIV/0!</v></c>'
TODAY = date(2026, 12, 1)
ROW = ["232-QĐ/TW", "Quy định", "Quy định về thi hành Điều lệ Đảng", "20/01/2025"]
ROW += ["Ban Chấp hành Trung ương", "Còn hiệu lực", "", "", "nguồn thử"]


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[Core]:
    path = tmp_path / "hoidap.sqlite3"
    store = Store(await db.connect(path))
    try:
        yield Core(
            store=store, clock=ManualClock(vn(2026, 12, 1, 10)), settings=Settings(db_path=path)
        )
    finally:
        await store.close()


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    return register_csv(rows) if header == HEADER else _raw_csv([header, *rows])


def _raw_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


# -- the starter file -----------------------------------------------------------------------------


def test_the_starter_files_hold_the_starter_entries_each_with_its_source() -> None:
    for name in ("so_van_ban_can_cu.xlsx", "so_van_ban_can_cu.csv"):
        drafts = parse_register(name, (SAMPLES / name).read_bytes())
        assert [d.symbol for d in drafts] == [row[0] for row in STARTER]
        for d in drafts:
            # A source names where the status was published: a site, with the date of its news.
            assert len(d.source) > 80 and "." in d.source, d.symbol


async def test_the_starter_file_imports_and_the_samples_cite_only_documents_in_force(
    core: Core,
) -> None:
    reply = await register.import_file(
        core, None, "so_van_ban_can_cu.xlsx", (SAMPLES / "so_van_ban_can_cu.xlsx").read_bytes()
    )
    assert reply.template == "refs_import_done", reply.context
    assert (reply.context["added"], reply.context["updated"]) == (len(STARTER), 0)
    by_symbol = {e.symbol: e for e in await core.store.register()}
    assert by_symbol["24-QĐ/TW"].status == "replaced"
    assert by_symbol["24-QĐ/TW"].successor_id == by_symbol["232-QĐ/TW"].id
    assert by_symbol["232-QĐ/TW"].successor_id == by_symbol["294-QĐ/TW"].id
    assert by_symbol["294-QĐ/TW"].status == "in_force"
    # Every document the sample bank cites is in the register and holds today.
    for q in SAMPLE_QUESTIONS:
        for c in cited(q.text, q.legal_refs):
            (candidate,) = await core.store.register_candidates(c.doc_key)
            entry = by_symbol[next(e.symbol for e in by_symbol.values() if e.id == candidate.id)]
            assert entry.status == "in_force", (q.text[:40], entry.symbol)
            assert entry.status_from is None or entry.status_from <= TODAY


def test_the_corpus_of_spellings_reads_the_starter_documents() -> None:
    """The corpus holds the symbols of every numbered document of the starter file."""
    lines = {line.split("\t")[0] for _, found in SPELLINGS for line in found}
    assert {row[0] for row in STARTER} <= lines


# -- import: all or nothing, every problem named ------------------------------------------------


async def test_a_file_with_one_bad_row_stores_nothing_and_names_every_problem(core: Core) -> None:
    rows = [
        ROW,
        [
            "24-QĐ/TW",
            "Quy định",
            "Quy định về thi hành Điều lệ Đảng",
            "31/02/2021",
            "Ban Chấp hành Trung ương",
            "Được thay thế",
            "232-QĐ/TW",
            "",
            "nguồn",
        ],
        ["Quy dinh so XYZ", "", "Tên", "01/01/2020", "Cơ quan", "không rõ", "", "", "nguồn"],
        ["294-QĐ/TW", "", "", "26/05/2025", "Ban Chấp hành Trung ương", "", "", "", ""],
    ]
    reply = await register.import_file(core, None, "so.csv", _csv(rows))
    assert reply.template == "refs_import_rejected"
    found = {(p["row"], p["code"]) for p in reply.context["problems"]}
    assert found == {
        (3, "bad_date"),
        (4, "bad_symbol"),
        (4, "bad_status"),
        (5, "empty_text"),
    }
    assert await core.store.register() == []
    text = plain(render(reply.template, reply.context))
    assert "sổ văn bản giữ nguyên" in text and "Dòng 3, cột «Ngày ban hành»" in text


@pytest.mark.parametrize(
    ("rows", "code"),
    [
        # A loop: 232 replaced by 294, 294 replaced by 232.
        (
            [
                [
                    "232-QĐ/TW",
                    "",
                    "Quy định",
                    "20/01/2025",
                    "BCH TW",
                    "Được thay thế",
                    "294-QĐ/TW",
                    "",
                    "nguồn",
                ],
                [
                    "294-QĐ/TW",
                    "",
                    "Quy định",
                    "26/05/2025",
                    "BCH TW",
                    "Được thay thế",
                    "232-QĐ/TW",
                    "",
                    "nguồn",
                ],
            ],
            "loop",
        ),
        # Dated before the document itself.
        (
            [
                [
                    "232-QĐ/TW",
                    "",
                    "Quy định",
                    "20/01/2025",
                    "BCH TW",
                    "Hết hiệu lực",
                    "",
                    "01/01/2020",
                    "nguồn",
                ],
            ],
            "before_document",
        ),
        # A replacement nowhere to be found.
        (
            [
                [
                    "24-QĐ/TW",
                    "",
                    "Quy định",
                    "30/07/2021",
                    "BCH TW",
                    "Được thay thế",
                    "999-QĐ/TW",
                    "",
                    "nguồn",
                ],
            ],
            "unknown_successor",
        ),
        # Replaced without saying by what.
        (
            [["24-QĐ/TW", "", "Quy định", "30/07/2021", "BCH TW", "Được thay thế", "", "", "n"]],
            "needs_successor",
        ),
        # The same document twice.
        ([ROW, ROW], "duplicate_in_file"),
    ],
)
async def test_register_rules_refuse_the_file(core: Core, rows: list[list[str]], code: str) -> None:
    reply = await register.import_file(core, None, "so.csv", _csv(rows))
    assert reply.template == "refs_import_rejected", reply.context
    assert code in {p["code"] for p in reply.context["problems"]}
    assert await core.store.register() == []
    text = plain(render(reply.template, reply.context))
    assert "giá trị không hợp lệ" not in text  # every problem has its own sentence


async def test_a_loop_across_the_register_and_the_file_is_refused(core: Core) -> None:
    first = [
        ["24-QĐ/TW", "", "Quy định", "30/07/2021", "BCH TW", "", "", "", "nguồn"],
        ["232-QĐ/TW", "", "Quy định", "30/07/2021", "BCH TW", "", "", "", "nguồn"],
    ]
    assert (await register.import_file(core, None, "a.csv", _csv(first))).template == (
        "refs_import_done"
    )
    chain = [
        ["24-QĐ/TW", "", "Quy định", "30/07/2021", "BCH TW", "Được thay thế", "232-QĐ/TW", "", "n"]
    ]
    assert (await register.import_file(core, None, "b.csv", _csv(chain))).template == (
        "refs_import_done"
    )
    before = await core.store.register()
    back = [
        ["232-QĐ/TW", "", "Quy định", "30/07/2021", "BCH TW", "Được thay thế", "24-QĐ/TW", "", "n"]
    ]
    reply = await register.import_file(core, None, "c.csv", _csv(back))
    assert reply.template == "refs_import_rejected"
    assert [p["code"] for p in reply.context["problems"]] == ["loop"]
    assert "thay thế vòng tròn" in plain(render(reply.template, reply.context))
    assert await core.store.register() == before


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * (60 * 1024 * 1024))
    return buffer.getvalue()


HOSTILE: list[tuple[str, bytes, str]] = [
    ("so.txt", b"abc", "unsupported_type"),
    ("so.csv", b"", "empty_file"),
    ("so.xlsx", _raw_csv([HEADER, ROW]), "wrong_content"),
    ("so.csv", _xlsx([list(HEADER), list(ROW)]), "wrong_content"),
    ("so.csv", "\n".join(",".join(r) for r in [HEADER, ROW]).encode("utf-16"), "bad_encoding"),
    ("so.csv", b"Ky hieu,Trich yeu\n232-QD/TW,Quy \xf0\xe3nh", "bad_encoding"),
    ("so.csv", b'Ky hieu,"Trich yeu\n232-QD/TW,"x', "bad_csv"),
    ("so.xlsx", b"PK\x03\x04not a zip at all", "corrupt_xlsx"),
    ("so.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "encrypted_xlsx"),
    ("so.xlsx", _bomb(), "too_large"),
    ("so.csv", b"x" * (2 * 1024 * 1024 + 1), "too_large"),
    ("so.csv", _raw_csv([HEADER]), "no_rows"),
    ("so.csv", _raw_csv([HEADER, *([ROW] * (MAX_ROWS + 1))]), "too_many_rows"),
    ("so.csv", _raw_csv([HEADER[1:], ROW[1:]]), "missing_column"),
    ("so.csv", _raw_csv([[*HEADER, "Cột lạ"], [*ROW, "x"]]), "unknown_column"),
    ("so.csv", _raw_csv([[*HEADER, HEADER[0]], [*ROW, "x"]]), "duplicate_column"),
    ("so.csv", _raw_csv([HEADER, [*ROW[:2], "Tên\x07", *ROW[3:]]]), "control_chars"),
    ("so.csv", _raw_csv([HEADER, [*ROW[:2], "x" * 501, *ROW[3:]]]), "too_long"),
    ("so.csv", _raw_csv([HEADER, [*ROW, *["x"] * 120]]), "too_many_columns"),
    (
        "so.xlsx",
        raw_xlsx([[inline(h) for h in HEADER], [*(inline(v) for v in ROW[:3]), ERROR_CELL]]),
        "cell_error",
    ),
    ("so.xlsx", raw_xlsx([[inline(h) for h in HEADER]], with_sheet=False), "corrupt_xlsx"),
]


@pytest.mark.parametrize(
    ("name", "data", "code"), HOSTILE, ids=[h[2] + ":" + h[0] for h in HOSTILE]
)
async def test_hostile_files_are_refused_with_their_reason(
    core: Core, name: str, data: bytes, code: str
) -> None:
    with pytest.raises(ImportRejected) as refused:
        parse_register(name, data)
    assert code in {p.code for p in refused.value.problems}
    reply = await register.import_file(core, None, name, data)
    assert reply.template == "refs_import_rejected"
    text = plain(render(reply.template, reply.context))
    assert text.startswith("❌ Không nạp tệp") and "giá trị không hợp lệ" not in text
    assert await core.store.register() == []


def _state(e: RegisterEntry) -> tuple[object, ...]:
    return (e.symbol, e.status, e.successor_id, e.status_from)


async def test_export_then_import_gives_back_the_same_register(core: Core, tmp_path: Path) -> None:
    await register.import_file(core, None, "so.csv", register_csv(STARTER))
    before = [
        (e.symbol, e.status, e.successor_id, e.status_from) for e in await core.store.register()
    ]
    file = await register.export(core, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(file.data))
    assert book.sheetnames == ["Sổ văn bản", "Hướng dẫn"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == len(STARTER) + 1
    # Importing the export changes nothing (every entry known, updated to itself).
    reply = await register.import_file(core, None, "so.xlsx", file.data)
    assert reply.template == "refs_import_done" and reply.context["added"] == 0
    assert [
        (e.symbol, e.status, e.successor_id, e.status_from) for e in await core.store.register()
    ] == before
    assert register_xlsx([])  # the template: the columns and the guide, no rows


# -- the command line -----------------------------------------------------------------------------


def _run(monkeypatch: pytest.MonkeyPatch, db_path: Path, *args: str) -> int:
    monkeypatch.setenv("HOIDAP_DB", str(db_path))
    return cli_main(["refs", *args])


def test_refs_scan_prints_one_line_per_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = tmp_path / "van_ban.txt"
    text.write_text(
        "Theo Quy định số 24-QĐ/TW ngày 30/7/2021, QĐ 24 và Luật Cán bộ, công chức; "
        "gọi 0912-345-678.",
        encoding="utf-8",
    )
    assert cli_main(["refs", "scan", str(text)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "24-QĐ/TW\tQuy định\tngày 30/07/2021",  # «QĐ 24» beside it is the same document
        "Luật Cán bộ, công chức",
    ]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("tổ 24, số 5".encode())))
    assert cli_main(["refs", "scan", "-"]) == 0
    assert capsys.readouterr().out == ""  # nothing cited: nothing printed
    (tmp_path / "latin.txt").write_bytes("Quy định".encode("utf-16"))
    assert cli_main(["refs", "scan", str(tmp_path / "latin.txt")]) == 2
    assert "không phải văn bản UTF-8" in capsys.readouterr().err
    assert cli_main(["refs", "scan", str(tmp_path / "none.txt")]) == 2


def test_refs_import_export_template_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "hoidap.sqlite3"
    starter = SAMPLES / "so_van_ban_can_cu.csv"
    assert _run(monkeypatch, path, "import", str(starter)) == 0
    assert (
        "Đã nạp sổ văn bản từ tệp so_van_ban_can_cu.csv: thêm 5 văn bản" in capsys.readouterr().out
    )
    bad = tmp_path / "hong.csv"
    bad.write_bytes(_raw_csv([HEADER, [*ROW[:3], "không rõ", *ROW[4:]]]))
    assert _run(monkeypatch, path, "import", str(bad)) == 1
    assert "sổ văn bản giữ nguyên" in capsys.readouterr().out
    out = tmp_path / "xuat.csv"
    assert _run(monkeypatch, path, "export", str(out)) == 0
    assert "Đã xuất 5 văn bản" in capsys.readouterr().out
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert _run(monkeypatch, path, "export", str(out)) == 2  # never overwritten
    assert "đã có" in capsys.readouterr().err
    assert _run(monkeypatch, path, "export", str(tmp_path / "x.pdf")) == 2
    template = tmp_path / "mau.xlsx"
    assert _run(monkeypatch, path, "template", str(template)) == 0
    # The template reads back as a register with no rows.
    with pytest.raises(ImportRejected) as empty:
        parse_register("mau.xlsx", template.read_bytes())
    assert [p.code for p in empty.value.problems] == ["no_rows"]
