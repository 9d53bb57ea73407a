"""CPU-bound work on files (reading question files, building spreadsheets and the handbook) runs
in worker threads, so the event loop keeps answering everyone else meanwhile.

Only pure functions of bytes and plain values go there: every database read and write stays on the
event loop, in the services' own transactions. A dedicated pool of two threads (the machine's two
cores) bounds how much of the machine file work can take at once and leaves the default executor
free; a third file waits for a free thread. Threads, not processes: measured on a 0.9 MB
spreadsheet that takes openpyxl about 25 s to read, /help answered in 11–24 ms during the read in
a thread (4 ms idle) against 23 s when the read ran on the loop; the interpreter hands the loop
its turn every 5 ms, and a thread needs no pickling of the file or of the results.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final, ParamSpec, TypeVar

from bot.models import Reply

P = ParamSpec("P")
T = TypeVar("T")

FILE_WORKERS: Final = 2
_pool: Final = ThreadPoolExecutor(max_workers=FILE_WORKERS, thread_name_prefix="hoidap-files")

# How a service tells the person, before a long step, that it is under way ("Đang đọc tệp…").
Progress = Callable[[Reply], Awaitable[None]]


async def off_loop(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in a file worker thread; the caller awaits its result."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool, functools.partial(fn, *args, **kwargs))
