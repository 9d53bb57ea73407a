"""Documents as a person sees them: LibreOffice turns them into PDF, poppler reads the pages.

``soffice --convert-to pdf`` (LibreOffice) lays the pages out as Word would for these files
(Liberation Serif has the metrics of Times New Roman); ``pdftotext -layout`` gives each page's
text as it stands, ``pdftotext -bbox`` each word with its box, ``pdfimages -list`` the pictures
and their resolution, ``pdftoppm`` a page as an image. Everything is converted in one LibreOffice
run (a private profile, so that it never meets another instance), once per test session.

Where the tools are missing the tests that need them are skipped, saying what to install;
``.ci/run`` installs them.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

INSTALL = (
    "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils"
    " fonts-liberation2"
)
TOOLS = ("pdftotext", "pdfimages", "pdftoppm", "pdfinfo")
CONVERT_SECONDS = 300
MM_PER_PT = 25.4 / 72


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _times_new_roman() -> bool:
    """Times New Roman, or Liberation Serif (its metrics) in its place: the pages are laid out
    as in the office only then."""
    if shutil.which("fc-match") is None:
        return False
    found = subprocess.run(
        ["fc-match", "Times New Roman"], capture_output=True, text=True, timeout=30
    ).stdout
    return "Liberation Serif" in found or "Times New Roman" in found


def missing_tools() -> list[str]:
    missing = [] if soffice() else ["LibreOffice (soffice)"]
    missing += [tool for tool in TOOLS if shutil.which(tool) is None]
    return missing + ([] if _times_new_roman() else ["a Times New Roman font (Liberation Serif)"])


def require_tools() -> None:
    """Skip, saying why and what to install, where the documents cannot be rendered."""
    missing = missing_tools()
    if missing:
        pytest.skip(
            f"documents not checked as rendered: {', '.join(missing)} not installed ({INSTALL})"
        )


def to_pdf(files: Mapping[str, bytes], folder: Path) -> dict[str, Pdf]:
    """Every file of ``files`` (name → bytes, .docx or .xlsx) as a PDF, in one LibreOffice run."""
    office = soffice()
    assert office is not None
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        paths.append(str(path))
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [office, f"-env:UserInstallation={profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(folder), *paths],
        check=True, capture_output=True, timeout=CONVERT_SECONDS,
    )  # fmt: skip
    pdfs = {}
    for name in files:
        pdf = folder / (Path(name).stem + ".pdf")
        assert pdf.exists(), f"LibreOffice made no PDF of {name}"
        pdfs[name] = Pdf(pdf)
    return pdfs


@dataclass(frozen=True)
class Word:
    text: str
    x0: float  # points from the page's left edge
    y0: float  # points from the page's top edge
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    width: float  # points
    height: float
    text: str  # as laid out (pdftotext -layout)
    words: tuple[Word, ...]

    @property
    def lines(self) -> list[str]:
        """The lines of text on the page, stripped, without the blank ones."""
        return [line.strip() for line in self.text.splitlines() if line.strip()]

    def rows(self, tolerance: float = 2.0) -> list[list[Word]]:
        """The words in rows (same baseline within ``tolerance`` points), top to bottom."""
        rows: list[list[Word]] = []
        for word in sorted(self.words, key=lambda w: (w.y1, w.x0)):
            if rows and abs(rows[-1][0].y1 - word.y1) <= tolerance:
                rows[-1].append(word)
            else:
                rows.append([word])
        return [sorted(row, key=lambda w: w.x0) for row in rows]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


class Pdf:
    """A PDF as poppler reads it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _run(self, *args: str) -> str:
        done = subprocess.run(list(args), check=True, capture_output=True, text=True, timeout=120)
        return done.stdout

    @cached_property
    def pages(self) -> list[Page]:
        layout = self._run("pdftotext", "-layout", str(self.path), "-").split("\f")
        boxes = self._run("pdftotext", "-bbox", str(self.path), "-")
        pages = []
        for n, found in enumerate(_PAGE.finditer(boxes), 1):
            words = tuple(
                Word(html.unescape(w[4]), float(w[0]), float(w[1]), float(w[2]), float(w[3]))
                for w in _WORD.findall(found.group(3))
            )
            pages.append(
                Page(n, float(found.group(1)), float(found.group(2)), layout[n - 1], words)
            )
        return pages

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)

    def images(self) -> list[dict[str, Any]]:
        """The pictures on the pages (``pdfimages -list``; not their transparency masks): their
        number, page, width, height, x-ppi and y-ppi."""
        rows = self._run("pdfimages", "-list", str(self.path)).splitlines()[2:]
        found = []
        for row in rows:
            cols = row.split()
            if len(cols) >= 14 and cols[2] == "image":
                found.append(
                    {
                        "page": int(cols[0]),
                        "num": int(cols[1]),
                        "width": int(cols[3]),
                        "height": int(cols[4]),
                        "x_ppi": int(cols[12]),
                        "y_ppi": int(cols[13]),
                    }
                )
        return found

    def extract_images(self, folder: Path) -> list[Path]:
        """The pictures as PNG files (``pdfimages -png``), in page order, without masks."""
        folder.mkdir(parents=True, exist_ok=True)
        self._run("pdfimages", "-png", str(self.path), str(folder / "img"))
        return [folder / f"img-{i['num']:03d}.png" for i in self.images()]

    def picture(self, page: int, dpi: int, folder: Path) -> Path:
        """Page ``page`` as a PNG at ``dpi`` (``pdftoppm``)."""
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"{self.path.stem}-{page}-{dpi}"
        self._run(
            "pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
            "-singlefile", str(self.path), str(stem),
        )  # fmt: skip
        return stem.with_suffix(".png")
