"""Fair, publicly verifiable drawing of lots.

Each session gets a secret random *seed* (32 bytes, written as 64 hex digits).
Before the draw only its *commitment* is published::

    commitment = SHA-256(seed_bytes).hexdigest()      # seed_bytes = bytes.fromhex(seed_hex)

After the draw the seed itself is revealed, so anyone can check that (a) the
seed matches the commitment published in advance and (b) the chosen person
follows from the seed, the attempt number and the pool by the rule below.

Draw rule
---------
Inputs: ``seed_hex``, ``pool`` (person ids, integers), ``attempt`` (0 for the
first draw of a session, 1, 2, ... for each redraw).

1. ``pool = sorted(set(pool))``; ``n = len(pool)`` (an empty pool is an error).
2. For ``counter = 0, 1, 2, ...``:

   * ``msg = seed_bytes + b"|" + str(attempt) + b"|" + str(counter) + b"|"
     + ",".join(str(i) for i in pool)`` -- the text parts in ASCII, integers in
     plain decimal, e.g. ``<32 seed bytes>|0|0|3,5,8,13``;
   * ``h = int.from_bytes(SHA-256(msg), "big")`` (a 256-bit number);
   * ``limit = (2**256 // n) * n``;
   * if ``h < limit``: the chosen person is ``pool[h % n]``; stop.
     Otherwise try the next counter.

Discarding the few values at the top of the range (rejection sampling) makes
every member exactly equally likely.  The chance that counter 0 is rejected is
below ``n / 2**256``, so in practice the first hash decides.

Re-checking in Python (standard library only)::

    import hashlib

    def recheck(seed_hex, pool, attempt=0):
        pool = sorted(set(pool))
        n, counter = len(pool), 0
        while True:
            msg = bytes.fromhex(seed_hex) + f"|{attempt}|{counter}|".encode() \
                + ",".join(str(i) for i in pool).encode()
            h = int.from_bytes(hashlib.sha256(msg).digest(), "big")
            if h < (2**256 // n) * n:
                return pool[h % n]
            counter += 1

Re-checking in bash (``xxd``, ``sha256sum`` and ``bc``; pool sorted
ascending, ``n`` = its size; the rejection step is left out since it
practically never happens)::

    seed=...64 hex digits...; attempt=0; pool=3,5,8,13; n=4
    printf '%s' "$seed" | xxd -r -p | sha256sum               # = the commitment
    h=$( { printf '%s' "$seed" | xxd -r -p; printf '|%s|0|%s' "$attempt" "$pool"; } \
         | sha256sum | cut -d' ' -f1 )
    echo "ibase=16; ${h^^} % $(printf '%X' "$n")" | bc        # index into the pool, from 0

Eligibility (:func:`eligible_pool`) decides who is in the pool on a given day:
people away that day and people excused for the session are left out and,
unless repeats are allowed, so is everyone already drawn in the current round;
once everybody available has had a turn a new round starts.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "Candidate",
    "Pool",
    "commitment",
    "draw",
    "eligible_pool",
    "new_seed",
    "verify",
]

SEED_BYTES = 32
_HEX_SEED = re.compile(r"[0-9a-fA-F]{64}")
_HASH_SPACE = 2**256


def new_seed() -> str:
    """A fresh secret seed: 32 random bytes from :mod:`secrets`, as 64 lowercase hex digits."""
    return secrets.token_hex(SEED_BYTES)


def _seed_bytes(seed_hex: str) -> bytes:
    if not isinstance(seed_hex, str) or _HEX_SEED.fullmatch(seed_hex) is None:
        raise ValueError("seed must be exactly 64 hexadecimal digits (32 bytes)")
    return bytes.fromhex(seed_hex)


def commitment(seed_hex: str) -> str:
    """SHA-256 (lowercase hex) of the seed bytes; published before the draw."""
    return hashlib.sha256(_seed_bytes(seed_hex)).hexdigest()


def _normalize_pool(pool: Iterable[int]) -> list[int]:
    ids = set()
    for person_id in pool:
        if isinstance(person_id, bool) or not isinstance(person_id, int):
            raise TypeError(f"pool members must be integers, got {person_id!r}")
        ids.add(person_id)
    return sorted(ids)


def draw(seed_hex: str, pool: Sequence[int], attempt: int = 0) -> int:
    """Choose one member of ``pool`` from the seed, by the rule in the module docstring.

    The order of ``pool`` and duplicates in it do not matter.  ``attempt`` counts
    redraws within one session (0 = the first draw).

    Raises ``ValueError`` for a malformed seed, an empty pool or a negative attempt.
    """
    seed = _seed_bytes(seed_hex)
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 0:
        raise ValueError("attempt must be a non-negative integer")
    members = _normalize_pool(pool)
    n = len(members)
    if n == 0:
        raise ValueError("cannot draw from an empty pool")
    limit = (_HASH_SPACE // n) * n
    joined = ",".join(str(person_id) for person_id in members).encode("ascii")
    counter = 0
    while True:
        msg = b"|".join((seed, str(attempt).encode("ascii"), str(counter).encode("ascii"), joined))
        h = int.from_bytes(hashlib.sha256(msg).digest(), "big")
        if h < limit:
            return members[h % n]
        counter += 1


def verify(
    seed_hex: str, commitment_hex: str, pool: Sequence[int], attempt: int, chosen: int
) -> bool:
    """True when the seed matches the published commitment and the draw gives ``chosen``.

    Malformed input (bad seed, empty pool, negative attempt, non-integer ids)
    gives ``False`` rather than an exception.
    """
    try:
        if commitment(seed_hex) != commitment_hex.strip().lower():
            return False
        return draw(seed_hex, pool, attempt) == chosen
    except (ValueError, TypeError, AttributeError):
        return False


@dataclass(frozen=True)
class Candidate:
    """A person who can be drawn, with an optional absence (leave, business trip).

    The absence runs from ``away_from`` until ``away_until``, both inclusive.
    With both ``None`` the person is not away.  A missing bound is open-ended:
    only ``away_from`` = away from that day on (return date unknown); only
    ``away_until`` = away up to and including that day.  The same person may
    appear in several candidates (one per absence); they are away on a day if
    any of their absences covers it.
    """

    person_id: int
    away_from: date | None = None
    away_until: date | None = None

    def __post_init__(self) -> None:
        if (
            self.away_from is not None
            and self.away_until is not None
            and self.away_from > self.away_until
        ):
            raise ValueError(
                f"absence of {self.person_id} ends ({self.away_until}) before it starts"
                f" ({self.away_from})"
            )

    def is_away(self, on: date) -> bool:
        """Whether this absence covers the day ``on`` (bounds inclusive)."""
        if self.away_from is None and self.away_until is None:
            return False
        if self.away_from is not None and on < self.away_from:
            return False
        return not (self.away_until is not None and on > self.away_until)


@dataclass(frozen=True)
class Pool:
    """Who can be drawn on a day, and why the others cannot (all tuples sorted ascending)."""

    members: tuple[int, ...]  # what draw() is called with
    new_round: bool  # everyone available had had a turn: a new round starts with this draw
    away: tuple[int, ...]  # excluded because away that day
    had_turn: tuple[int, ...]  # excluded because already drawn in this round
    excused: tuple[int, ...]  # excluded for this session (redraw)


def eligible_pool(
    candidates: Iterable[Candidate],
    on: date,
    drawn_this_round: Collection[int],
    excused: Collection[int] = (),
    no_repeat: bool = True,
) -> Pool:
    """The pool for a draw on ``on``.

    available = candidates not away on ``on``, minus ``excused``.  With
    ``no_repeat`` the people in ``drawn_this_round`` are left out too; if that
    leaves nobody while somebody is available, everyone has had a turn: a new
    round starts (``new_round=True``) and the pool is everyone available
    (the excused still left out).  The caller then restarts its round record.

    Each excluded person is listed under one reason only, in the order
    away, excused, had_turn.  Ids in ``drawn_this_round`` or ``excused`` that
    are not candidates are ignored.  ``members`` may be empty (nobody
    available); :func:`draw` raises ``ValueError`` for it.
    """
    everyone: set[int] = set()
    away: set[int] = set()
    for cand in candidates:
        everyone.add(cand.person_id)
        if cand.is_away(on):
            away.add(cand.person_id)
    present = everyone - away
    excused_here = present & set(excused)
    available = present - excused_here

    new_round = False
    had_turn: set[int] = set()
    members = available
    if no_repeat:
        had_turn = available & set(drawn_this_round)
        members = available - had_turn
        if not members and available:
            new_round = True
            members = available
            had_turn = set()

    return Pool(
        members=tuple(sorted(members)),
        new_round=new_round,
        away=tuple(sorted(away)),
        had_turn=tuple(sorted(had_turn)),
        excused=tuple(sorted(excused_here)),
    )
