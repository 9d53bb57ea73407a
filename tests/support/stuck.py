"""A function that never returns, for a chart child process that hangs (bot.offload.in_child).

Kept in a module of its own that imports nothing heavy, so that the child reaches it at once.
"""

from __future__ import annotations

import time


def forever(*args: object, **kwargs: object) -> bytes:
    """Takes any arguments (a chart function's), then sleeps for an hour."""
    time.sleep(3600)
    return b""
