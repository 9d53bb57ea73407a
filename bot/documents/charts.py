"""Charts as PNG images: the verdicts of a period month by month, the participation of a round.

Pure functions of plain data to PNG bytes, for ``/thongke`` and the reports. matplotlib is
imported inside the functions (start-up never loads it). The bot calls them in a short-lived
child process (:func:`bot.offload.in_child`), so matplotlib's memory never stays in the bot;
they are also safe in a thread: only the object-oriented API with an Agg canvas per figure (no
pyplot, no global figure manager), and one lock serialising the drawing, since the settings
(``rc_context``) and the font cache of matplotlib are shared by the whole process.

The font is DejaVu Sans, which ships with matplotlib and has every Vietnamese letter. The file
carries no date and no software version: the same data gives the same bytes.

Offices print in black and white: each verdict is a grey of its own and a hatching of its own
(:data:`STYLES`), with black edges, and each stack shows its count; nothing depends on colour.
A chart for a report is drawn without its title (the report prints it as the caption) and at
print resolution (:data:`PRINT_DPI`); ``/thongke``'s picture keeps its title, at screen size.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from bot.periods import Period
from bot.records import (
    MONTH_VERDICTS,
    MonthVerdicts,
    Participation,
    SessionRecord,
    verdicts_per_month,
)
from bot.words import CHART_WORDS, OUTCOME_LABELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI: Final = 120
# A chart in a report: drawn as wide as it is printed, so that its text has its own size on
# paper, and sharp at that size.
PRINT_DPI: Final = 300
PRINT_WIDTH_CM: Final = 15
MAX_LABELLED_MONTHS: Final = 24  # beyond: every n-th month named, no totals over the bars
FONT: Final = "DejaVu Sans"
EDGE: Final = "#000000"


@dataclass(frozen=True)
class Style:
    """How a stack is filled: a grey (its own lightness) and a hatching (its own pattern)."""

    grey: str
    hatch: str | None


# Told apart in black and white: from the darkest (correct) to the lightest, each hatched
# differently; the count inside a stack is black on a white patch, readable on any of them.
STYLES: Final = {
    "correct": Style("#404040", None),
    "partial": Style("#a6a6a6", "///"),
    "wrong": Style("#ffffff", "xxx"),
    "ungraded": Style("#e6e6e6", "..."),
    "unanswered": Style("#737373", "\\\\\\"),
    "had_turn": Style("#404040", None),
    "not_yet": Style("#ffffff", "///"),
}
# rcParams keys are typed as literals; a plain mapping of them.
_RC: Final[dict[Any, Any]] = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_LOCK: Final = threading.Lock()
# A count inside a stack sits on a small white patch so that it stays readable on the hatching.
_LABEL_BOX: Final[dict[str, Any]] = {"boxstyle": "square,pad=0.2", "fc": "white", "ec": "none"}


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def config_dir() -> None:
    """Give matplotlib a folder it can write for its font cache, when its default one cannot be.

    A service whose home is read-only (the systemd unit's ``ProtectHome``, the Docker image's
    user) would otherwise make matplotlib create a new temporary folder, with a warning in the
    log, in every chart's child process. Then a private folder in the temp folder serves (the
    unit's ``PrivateTmp``), kept from one chart to the next; one not ours, or writable by
    others, is not used. ``MPLCONFIGDIR`` set by the operator wins."""
    if "MPLCONFIGDIR" in os.environ:
        return
    home = Path.home()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "matplotlib"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "matplotlib"
    if _writable(config) and _writable(cache):
        return
    folder = Path(tempfile.gettempdir()) / f"hoidap-matplotlib-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = folder.lstat()
    except OSError:
        return
    if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022:
        os.environ["MPLCONFIGDIR"] = str(folder)


def verdict_label(verdict: str) -> str:
    return OUTCOME_LABELS[verdict]


def month_labels(per_month: Sequence[MonthVerdicts]) -> list[str]:
    """«T1» … «T12» within one year; «12/2026» when the months span two years."""
    one_year = len({m.year for m in per_month}) <= 1
    key = "month" if one_year else "month_year"
    return [CHART_WORDS[key].format(month=m.month, year=m.year) for m in per_month]


def _figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas (no pyplot, no backend chosen for the process)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure, dpi: int) -> bytes:
    out = io.BytesIO()
    # No "Software" entry (the matplotlib version); PNG gets no date from Agg.
    fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()


def _fill(key: str) -> dict[str, Any]:
    style = STYLES[key]
    return {"color": style.grey, "hatch": style.hatch, "edgecolor": EDGE, "linewidth": 0.6}


def _size(width: float, height: float, printed: bool) -> tuple[float, float, int]:
    """Inches and dots per inch of a picture: on screen as designed, in print at its printed
    width (the same proportions)."""
    if not printed:
        return width, height, DPI
    inches = PRINT_WIDTH_CM / 2.54
    return inches, height * inches / width, PRINT_DPI


def verdicts_by_month(
    records: Sequence[SessionRecord], period: Period, title: str | None, printed: bool = False
) -> bytes:
    """Stacked bars, one per month of ``period``: the held sessions by their latest verdict
    (counted by :func:`bot.records.verdicts_per_month`). ``title`` None: no title drawn;
    ``printed``: for a report (:data:`PRINT_WIDTH_CM` wide, :data:`PRINT_DPI`)."""
    return verdicts_chart(verdicts_per_month(records, period), title, printed)


def verdicts_chart(
    per_month: Sequence[MonthVerdicts], title: str | None, printed: bool = False
) -> bytes:
    config_dir()
    from matplotlib import rc_context
    from matplotlib.ticker import MaxNLocator

    with _LOCK, rc_context(_RC):
        width, height, dpi = _size(8, 4.2, printed)
        fig = _figure(width, height)
        ax = fig.add_subplot()
        xs = list(range(len(per_month)))
        bottom = [0] * len(per_month)
        dense = len(per_month) > MAX_LABELLED_MONTHS
        for verdict in MONTH_VERDICTS:
            heights = [m.counts[verdict] for m in per_month]
            bars = ax.bar(
                xs, heights, 0.7, bottom=bottom, label=verdict_label(verdict), **_fill(verdict)
            )
            if not dense:  # each stack's count inside it
                ax.bar_label(
                    bars,
                    labels=[str(h) if h else "" for h in heights],
                    label_type="center",
                    fontsize=9,
                    bbox=_LABEL_BOX,
                )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        for x, total in zip(xs, bottom, strict=True):
            if total and not dense:
                ax.annotate(
                    str(total),
                    (x, total),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                )
        # Up to two years every month is named; a longer range names every n-th month.
        step = -(-len(per_month) // MAX_LABELLED_MONTHS)
        labels = month_labels(per_month)
        slanted = step > 1 or len(xs) > 12
        ax.set_xticks(
            xs[::step],
            labels[::step],
            rotation=45 if slanted else 0,
            ha="right" if slanted else "center",
            rotation_mode="anchor",
        )
        ax.set_ylim(0, max(1, *bottom) * 1.15)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(CHART_WORDS["sessions"])
        if title:
            ax.set_title(title, fontweight="bold")
        # Below the axes and their labels, whatever their height (constrained layout).
        # In print (narrower) the legend takes two rows.
        columns = 3 if printed else len(MONTH_VERDICTS)
        fig.legend(loc="outside lower center", ncol=columns, frameon=False, fontsize=9)
        return _png(fig, dpi)


def participation(p: Participation, title: str | None, printed: bool = False) -> bytes:
    """Two horizontal bars: how many staff have had a turn in the round, how many not yet
    (counts only; no names, no ranking)."""
    config_dir()
    from matplotlib import rc_context
    from matplotlib.ticker import MaxNLocator

    counts = {"had_turn": len(p.had_turn), "not_yet": len(p.not_yet)}
    with _LOCK, rc_context(_RC):
        width, height, dpi = _size(7, 2.4, printed)
        fig = _figure(width, height)
        ax = fig.add_subplot()
        keys = list(counts)
        ys = list(range(len(keys)))
        bars = ax.barh(
            ys,
            [counts[k] for k in keys],
            0.6,
            color=[STYLES[k].grey for k in keys],
            hatch=None,
            edgecolor=EDGE,
            linewidth=0.6,
        )
        for bar, key in zip(bars, keys, strict=True):
            bar.set_hatch(STYLES[key].hatch)
        ax.bar_label(bars, labels=[str(counts[k]) for k in keys], padding=3)
        ax.set_yticks(ys, [CHART_WORDS[k] for k in keys])
        ax.invert_yaxis()
        ax.set_xlim(0, max(1, *counts.values()) * 1.15)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(CHART_WORDS["people"])
        if title:
            ax.set_title(title, fontweight="bold")
        return _png(fig, dpi)
