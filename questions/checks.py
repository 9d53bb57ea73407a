"""What a question file is refused for from its bytes alone, before any reader starts.

The standard library's ``zipfile`` only: the bot's process checks a file here before it starts
a reader for it (``questions/reading.py``), and ``questions.importer`` uses the same checks, so
a file is judged the same in both places.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath
from typing import Final

from questions.model import LIMITS, ImportProblem, ImportRejected, display_filename

SUFFIXES: Final = frozenset({".xlsx", ".csv", ".yaml", ".yml"})
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
# Compression ratios are only judged for members this large: tiny XML parts may compress well.
_RATIO_FLOOR: Final = 1024 * 1024


def looks_utf16(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = data[:4000]
    half = max(len(sample) // 2, 1)
    even_zeros = sample[0::2].count(0)
    odd_zeros = sample[1::2].count(0)
    return len(sample) >= 4 and max(even_zeros, odd_zeros) > 0.3 * half


def content_kind(data: bytes) -> str:
    """What the bytes are: "xlsx", "zip", "ole", "text" or "binary"."""
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except Exception:
            return "binary"  # a damaged archive: the .xlsx reader says so
        return "xlsx" if "xl/workbook.xml" in names else "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    head = data[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 64 and looks_utf16(head)):
        return "text"
    controls = sum(1 for b in head if b < 32 and b not in b"\t\r\n")
    return "text" if controls * 20 < len(head) else "binary"


def wrong_content(ext: str, data: bytes) -> ImportProblem | None:
    """A file whose content is plainly of another kind than its extension says."""
    actual = content_kind(data)
    wrong = actual == "text" if ext == ".xlsx" else actual in ("xlsx", "zip", "ole")
    if wrong:
        return ImportProblem("wrong_content", detail={"extension": ext, "actual": actual})
    return None


def zip_problem(data: bytes) -> ImportProblem | None:
    """An archive that would expand too much (or is no archive), before openpyxl opens it.

    zipfile never yields more than a member's declared size, so bounding the declared sizes
    bounds the memory openpyxl can be made to use.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception:
        return ImportProblem("corrupt_xlsx")
    limit = LIMITS.max_unzipped_bytes
    if sum(info.file_size for info in infos) > limit:
        return ImportProblem("too_large", detail={"limit": limit})
    for info in infos:
        if info.file_size > _RATIO_FLOOR and info.file_size > LIMITS.max_zip_ratio * max(
            info.compress_size, 1
        ):
            detail: dict[str, str | int] = {"limit": limit, "ratio": LIMITS.max_zip_ratio}
            return ImportProblem("too_large", detail=detail)
    return None


def precheck(filename: str, data: bytes) -> ImportRejected | None:
    """What is refused before any reader starts: the type, the size, an empty file, content of
    another kind, a spreadsheet that is encrypted or would expand too much."""
    name = display_filename(filename)
    ext = PurePath(name).suffix.lower()
    problem: ImportProblem | None = None
    if ext not in SUFFIXES:
        problem = ImportProblem("unsupported_type", detail={"extension": ext})
    elif len(data) > LIMITS.max_file_bytes:
        problem = ImportProblem(
            "too_large", detail={"limit": LIMITS.max_file_bytes, "size": len(data)}
        )
    elif not data.strip(b" \t\r\n"):
        problem = ImportProblem("empty_file")
    else:
        problem = wrong_content(ext, data)
        if problem is None and ext == ".xlsx":
            if data.startswith(OLE_MAGIC):  # a password-protected .xlsx or a legacy .xls
                problem = ImportProblem("encrypted_xlsx")
            else:
                problem = zip_problem(data)
    return ImportRejected(name, [problem]) if problem is not None else None
