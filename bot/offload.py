"""CPU-bound work on files (reading question files, building spreadsheets and the handbook) runs
in worker threads, so the event loop keeps answering everyone else meanwhile.

Only pure functions of bytes and plain values go there: every database read and write stays on the
event loop, in the services' own transactions. A dedicated pool of two threads (the machine's two
cores) bounds how much of the machine file work can take at once and leaves the default executor
free; a third file waits for a free thread. Threads, not processes: measured on a 0.9 MB
spreadsheet that takes openpyxl about 25 s to read, /help answered in 11–24 ms during the read in
a thread (4 ms idle) against 23 s when the read ran on the loop; the interpreter hands the loop
its turn every 5 ms, and a thread needs no pickling of the file or of the results.

Charts and question files are the exception (:func:`in_child`, :func:`in_child_now`):
matplotlib and numpy, once imported, keep about 55 MB in the process for good (``python -m
bench.reports``: 39 MB before the first chart, 95 MB after), more than the bot itself; openpyxl
imports numpy and PIL whenever they are installed (a question file read in the bot's process
raised its peak through a 300-staff cycle from 70 to 98.5 MB, BENCHMARKS.md (c)). Such work
runs in a fresh child process that exits when it is done (started as ``python -c``, not
through multiprocessing, which would import the main module again): about a second more per
chart, a third of one per question file (the imports), and the bot's memory stays where it
was. Its inputs and result are plain values (pickled). A child gets :data:`CHILD_TIMEOUT`
seconds: one that hangs is killed and counts as failed, so it never holds one of the two places
for good (the callers send the figures or the report without the picture; a question file is
refused as unreadable).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import pickle
import subprocess
import sys
import weakref
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
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


# One bound per event loop (a semaphore belongs to the loop it first waits on).
_children: Final[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)
# The package's folder first on the child's path: it imports the same ``bot`` as this process.
_ROOT: Final = str(Path(__file__).resolve().parents[1])
_CHILD: Final = "from bot.offload import _child_main; _child_main()"
# Seconds a child may take from its start to its result (a chart takes about one, most of it
# the import of matplotlib); then it is killed. Read at each call (tests shorten it).
CHILD_TIMEOUT: float = 60.0


class ChildFailed(RuntimeError):
    """The child process of :func:`in_child` failed (its error output is in the message)."""


def _child_env() -> dict[str, str]:
    # The child needs no secret: the bots' tokens and the webhook secret stay in this process.
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_TOKEN", "_SECRET"))}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
    return env


def in_child_now(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """:func:`in_child` for a caller in a file worker thread (:func:`off_loop`), which waits for
    the child there: the same fresh interpreter, the same time limit, the same failure."""
    timeout = CHILD_TIMEOUT
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD],
            input=pickle.dumps((fn, args, kwargs)),
            capture_output=True,
            env=_child_env(),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run kills and reaps it
        raise ChildFailed(f"{fn.__qualname__}: no result after {timeout:g} s; killed") from None
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace")[-2000:]
        raise ChildFailed(f"{fn.__qualname__}: exit {done.returncode}: {tail}")
    result: T = pickle.loads(done.stdout)
    return result


def _child_main() -> None:
    """The child's side: a pickled (function, args, kwargs) on stdin, the pickled result on
    stdout."""
    fn, args, kwargs = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # whatever the function prints does not mix with the result
    out.write(pickle.dumps(fn(*args, **kwargs)))


async def in_child(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in a fresh interpreter that exits afterwards, so whatever it
    imports leaves with it; at most ``FILE_WORKERS`` at once. ``fn`` must be a module-level
    function and its arguments and result plain values (they are pickled); only this process
    writes the pickle the child reads. A child still running after :data:`CHILD_TIMEOUT`
    seconds (or when the caller is cancelled) is killed and reaped: :class:`ChildFailed`."""
    loop = asyncio.get_running_loop()
    bound = _children.setdefault(loop, asyncio.Semaphore(FILE_WORKERS))
    env = _child_env()
    timeout = CHILD_TIMEOUT
    async with bound:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _CHILD,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        try:
            async with asyncio.timeout(timeout):
                out, err = await child.communicate(pickle.dumps((fn, args, kwargs)))
        except TimeoutError:
            raise ChildFailed(f"{fn.__qualname__}: no result after {timeout:g} s; killed") from None
        finally:
            if child.returncode is None:  # timed out or cancelled: the place is freed now
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await child.wait()
    if child.returncode != 0:
        raise ChildFailed(f"{fn.__qualname__}: exit {child.returncode}: {err.decode()[-2000:]}")
    result: T = pickle.loads(out)
    return result
