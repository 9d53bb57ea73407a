"""The README's pictures, made from the sample year (``python -m bench.sample_year [OUT_DIR]``).

The two charts as ``/thongke`` draws them (the verdicts of 2026 month by month, the round's
participation), and page 1 of the report of quý II/2026 and of the handbook of 2026 as printed:
LibreOffice converts the files to PDF, ``pdftoppm`` makes the page a picture of 16 greys. Where
LibreOffice or poppler is missing, only the charts are made (and it says so).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

from bench.sample_year import HANDBOOK, SampleYear, documents
from bot.periods import year_period
from bot.services import records

PAGE_DPI = 60  # small enough for a README, large enough to read the heading block
PAGES = {"report_q2.docx": "report-page1.png", HANDBOOK: "handbook-page1.png"}


async def charts(year: SampleYear) -> tuple[bytes, bytes]:
    """The two charts of the year as ``/thongke`` draws them."""
    core, program = await year.open()
    try:
        verdicts = await records.verdicts_chart(core, program, year_period(2026))
        return verdicts.data, await records.participation_chart(core, program)
    finally:
        await core.store.close()


def pictures(year: SampleYear, out: Path, work: Path) -> list[Path]:
    """The pictures of ``year`` in ``out`` (``work``: a scratch folder); their paths."""
    out.mkdir(parents=True, exist_ok=True)
    made = [out / "chart-verdicts.png", out / "chart-participation.png"]
    for path, png in zip(made, asyncio.run(charts(year)), strict=True):
        path.write_bytes(png)
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None or shutil.which("pdftoppm") is None:
        print("LibreOffice or pdftoppm is not installed: no page pictures", file=sys.stderr)
        return made
    files = asyncio.run(documents(year))
    sources = []
    for name in PAGES:
        source = work / name
        source.write_bytes(files[name])
        sources.append(str(source))
    subprocess.run(
        [office, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "pdf", "--outdir", str(work), *sources],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    for name, picture in PAGES.items():
        stem = work / Path(picture).stem
        pdf = work / (Path(name).stem + ".pdf")
        subprocess.run(
            ["pdftoppm", "-png", "-gray", "-r", str(PAGE_DPI), "-f", "1", "-l", "1",
             "-singlefile", str(pdf), str(stem)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        target = out / picture
        # 16 greys: small for a README, the text as sharp as the page picture.
        Image.open(stem.with_suffix(".png")).convert("L").quantize(colors=16).save(
            target, optimize=True
        )
        made.append(target)
    return made
