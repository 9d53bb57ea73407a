"""Tests of the verifiable draw and the eligibility pool."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.draw import Candidate, Pool, commitment, draw, eligible_pool, new_seed, verify

SEED_ZERO = "00" * 32
SEED_PATTERN = "0123456789abcdef" * 4


def reference_draw(seed_hex: str, pool: Sequence[int], attempt: int = 0) -> int:
    """Independent implementation, written straight from the published rule."""
    ids = sorted(set(pool))
    n = len(ids)
    counter = 0
    while True:
        msg = (
            bytes.fromhex(seed_hex)
            + b"|"
            + str(attempt).encode()
            + b"|"
            + str(counter).encode()
            + b"|"
            + ",".join(str(i) for i in ids).encode()
        )
        h = int(hashlib.sha256(msg).hexdigest(), 16)
        if h < (2**256 // n) * n:
            return ids[h % n]
        counter += 1


# --------------------------------------------------------------------------- known answers


@pytest.mark.parametrize(
    ("seed", "expected"),
    [
        (SEED_ZERO, "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925"),
        (SEED_PATTERN, "4884fdaafea47c29fea7159d0daddd9c085d6200e1359e85bb81736af6b7c837"),
    ],
)
def test_commitment_known_answers(seed: str, expected: str) -> None:
    assert commitment(seed) == expected
    # Derived independently: SHA-256 of the 32 seed bytes, not of the hex text.
    assert hashlib.sha256(bytes.fromhex(seed)).hexdigest() == expected
    assert hashlib.sha256(seed.encode()).hexdigest() != expected


@pytest.mark.parametrize(
    ("seed", "pool", "attempt", "expected"),
    [
        (SEED_ZERO, [1, 2, 3, 4, 5, 6], 0, 2),
        (SEED_ZERO, [13, 8, 5, 3], 0, 13),
        (SEED_ZERO, [13, 8, 5, 3], 1, 5),
        (SEED_PATTERN, [1, 2, 3, 4, 5, 6], 0, 3),
        (SEED_PATTERN, [13, 8, 5, 3], 0, 3),
        (SEED_PATTERN, [13, 8, 5, 3], 1, 3),
        (SEED_PATTERN, [13, 8, 5, 3], 2, 8),
    ],
)
def test_draw_known_answers(seed: str, pool: list[int], attempt: int, expected: int) -> None:
    assert draw(seed, pool, attempt) == expected
    assert reference_draw(seed, pool, attempt) == expected


def test_known_answer_derived_by_hand() -> None:
    # The whole computation for one vector, spelled out.
    msg = bytes.fromhex(SEED_PATTERN) + b"|1|0|3,5,8,13"
    digest = hashlib.sha256(msg).hexdigest()
    assert digest == "088a6971dc53e859b50932828d256e30991d2986b143f4998ba89b320f1e9bbc"
    h = int(digest, 16)
    assert h < (2**256 // 4) * 4  # accepted at counter 0
    assert h % 4 == 0
    assert [3, 5, 8, 13][h % 4] == 3 == draw(SEED_PATTERN, [13, 8, 5, 3], attempt=1)


def test_rejection_sampling_limit_matters_only_for_non_powers_of_two() -> None:
    # For n a power of two nothing is ever rejected; for n = 3 the limit is below 2**256.
    assert (2**256 // 4) * 4 == 2**256
    assert (2**256 // 3) * 3 < 2**256


# --------------------------------------------------------------------------- properties


def test_new_seed_format_and_freshness() -> None:
    seeds = {new_seed() for _ in range(50)}
    assert len(seeds) == 50
    for seed in seeds:
        assert len(seed) == 64
        assert bytes.fromhex(seed).hex() == seed


def test_reproducible() -> None:
    seed = new_seed()
    pool = [4, 9, 2, 7, 11]
    first = draw(seed, pool)
    assert all(draw(seed, pool) == first for _ in range(20))


def test_pool_order_and_duplicates_irrelevant() -> None:
    rng = random.Random(7)
    for _ in range(200):
        seed = rng.randbytes(32).hex()
        pool = rng.sample(range(1, 1000), rng.randint(1, 12))
        shuffled = pool[:]
        rng.shuffle(shuffled)
        assert draw(seed, pool) == draw(seed, shuffled) == draw(seed, pool + pool[:3])
        assert draw(seed, pool) == draw(seed, tuple(sorted(pool)))


def test_attempt_changes_the_result() -> None:
    seed = SEED_PATTERN
    pool = list(range(1, 21))
    results = [draw(seed, pool, attempt) for attempt in range(10)]
    assert len(set(results)) > 1
    assert results[2] != results[0]
    # Each attempt hashes a different message.
    assert reference_draw(seed, pool, 2) == results[2]


def test_uppercase_seed_accepted_same_result() -> None:
    assert draw(SEED_PATTERN.upper(), [1, 2, 3]) == draw(SEED_PATTERN, [1, 2, 3])
    assert commitment(SEED_PATTERN.upper()) == commitment(SEED_PATTERN)


def test_single_member_pool() -> None:
    assert draw(new_seed(), [42]) == 42


def test_fairness_chi_square() -> None:
    # 60,000 draws, each with its own fresh seed (from a fixed-seed generator so the test
    # is reproducible), on a pool of 6.
    rng = random.Random(20261130)
    pool = [101, 102, 103, 104, 105, 106]
    draws = 60_000
    counts = Counter(draw(rng.randbytes(32).hex(), pool) for _ in range(draws))
    assert set(counts) == set(pool)
    expected = draws / len(pool)
    chi2 = sum((counts[p] - expected) ** 2 / expected for p in pool)
    assert chi2 < 20.52  # 0.999 quantile of chi-square with 5 degrees of freedom


def test_a_round_without_repeats() -> None:
    people = [Candidate(pid) for pid in (11, 12, 13, 14, 15, 16, 17)]
    rng = random.Random(49)
    drawn_this_round: set[int] = set()
    chosen: list[int] = []
    new_rounds: list[int] = []
    day = date(2026, 1, 5)
    for week in range(30):
        pool = eligible_pool(people, day, drawn_this_round)
        if pool.new_round:
            new_rounds.append(week)
            drawn_this_round = set()
        assert set(pool.members).isdisjoint(drawn_this_round)
        person = draw(rng.randbytes(32).hex(), pool.members)
        drawn_this_round.add(person)
        chosen.append(person)
        day += timedelta(weeks=1)

    assert new_rounds == [7, 14, 21, 28]
    for start in range(0, 28, 7):
        assert sorted(chosen[start : start + 7]) == [11, 12, 13, 14, 15, 16, 17]
    assert len(set(chosen[28:])) == 2


# --------------------------------------------------------------------------- eligibility


def test_away_bounds_are_inclusive() -> None:
    cands = [
        Candidate(1),
        Candidate(2, away_from=date(2026, 3, 2), away_until=date(2026, 3, 6)),
        Candidate(3),
    ]
    for day, away in [
        (date(2026, 3, 1), ()),
        (date(2026, 3, 2), (2,)),
        (date(2026, 3, 4), (2,)),
        (date(2026, 3, 6), (2,)),
        (date(2026, 3, 7), ()),
    ]:
        pool = eligible_pool(cands, day, drawn_this_round=())
        assert pool.away == away
        assert pool.members == tuple(p for p in (1, 2, 3) if p not in away)


def test_open_ended_absences_and_several_absences_per_person() -> None:
    cands = [
        Candidate(1, away_from=date(2026, 3, 2)),  # return date unknown
        Candidate(2, away_until=date(2026, 3, 2)),
        Candidate(3, away_from=date(2026, 3, 2), away_until=date(2026, 3, 2)),
        Candidate(3, away_from=date(2026, 3, 9), away_until=date(2026, 3, 10)),
        Candidate(4),
    ]
    assert eligible_pool(cands, date(2026, 3, 1), ()).away == (2,)
    assert eligible_pool(cands, date(2026, 3, 2), ()).away == (1, 2, 3)
    assert eligible_pool(cands, date(2026, 3, 3), ()).away == (1,)
    assert eligible_pool(cands, date(2026, 3, 9), ()).away == (1, 3)
    assert eligible_pool(cands, date(2026, 3, 9), ()).members == (2, 4)


def test_absence_ending_before_start_rejected() -> None:
    with pytest.raises(ValueError):
        Candidate(1, away_from=date(2026, 3, 6), away_until=date(2026, 3, 2))


def test_excused_and_had_turn() -> None:
    cands = [Candidate(p) for p in (5, 1, 4, 2, 3)]
    pool = eligible_pool(cands, date(2026, 3, 2), drawn_this_round={1, 2}, excused={3, 99})
    assert pool == Pool(members=(4, 5), new_round=False, away=(), had_turn=(1, 2), excused=(3,))


def test_each_person_listed_under_one_reason() -> None:
    cands = [
        Candidate(1, away_from=date(2026, 3, 2), away_until=date(2026, 3, 2)),
        Candidate(2),
        Candidate(3),
        Candidate(4),
    ]
    pool = eligible_pool(cands, date(2026, 3, 2), drawn_this_round={1, 2, 3}, excused={1, 3})
    assert pool == Pool(members=(4,), new_round=False, away=(1,), had_turn=(2,), excused=(3,))


def test_new_round_keeps_excused_and_away_out() -> None:
    cands = [
        Candidate(1),
        Candidate(2),
        Candidate(3),
        Candidate(4, away_from=date(2026, 3, 1), away_until=date(2026, 3, 31)),
    ]
    pool = eligible_pool(cands, date(2026, 3, 2), drawn_this_round={1, 2}, excused={3})
    assert pool == Pool(members=(1, 2), new_round=True, away=(4,), had_turn=(), excused=(3,))


def test_no_repeat_off() -> None:
    cands = [Candidate(p) for p in (1, 2, 3)]
    pool = eligible_pool(cands, date(2026, 3, 2), drawn_this_round={1, 2}, no_repeat=False)
    assert pool == Pool(members=(1, 2, 3), new_round=False, away=(), had_turn=(), excused=())


def test_nobody_available_gives_empty_pool_and_draw_refuses() -> None:
    cands = [Candidate(1, away_from=date(2026, 3, 2)), Candidate(2)]
    pool = eligible_pool(cands, date(2026, 3, 2), drawn_this_round=(), excused={2})
    assert pool.members == ()
    assert pool.new_round is False
    with pytest.raises(ValueError):
        draw(new_seed(), pool.members)
    assert eligible_pool([], date(2026, 3, 2), ()).members == ()


# --------------------------------------------------------------------------- errors


def test_empty_pool_raises() -> None:
    with pytest.raises(ValueError):
        draw(SEED_ZERO, [])


@pytest.mark.parametrize(
    "seed",
    [
        "",
        "00" * 31,
        "00" * 33,
        "zz" * 32,
        " " + "00" * 32,
        "00 " * 21 + "0",
        "0x" + "00" * 31,
    ],
)
def test_bad_seed_raises(seed: str) -> None:
    with pytest.raises(ValueError):
        draw(seed, [1, 2])
    with pytest.raises(ValueError):
        commitment(seed)


def test_negative_attempt_raises() -> None:
    with pytest.raises(ValueError):
        draw(SEED_ZERO, [1, 2], attempt=-1)


def test_verify_rejects_wrong_inputs() -> None:
    seed = SEED_PATTERN
    com = commitment(seed)
    pool = [13, 8, 5, 3]
    assert verify(seed, com, pool, 2, 8)
    assert verify(seed, com.upper(), pool, 2, 8)
    assert not verify(seed, com, pool, 2, 3)  # wrong person
    assert not verify(seed, com, pool, 0, 8)  # wrong attempt
    assert not verify(seed, commitment(SEED_ZERO), pool, 2, 8)  # seed does not match commitment
    assert not verify(seed, com, [13, 8, 5], 2, 8)  # different pool
    assert not verify("nothex", com, pool, 2, 8)
    assert not verify(seed, com, [], 0, 8)


# --------------------------------------------------------------------------- hypothesis

seeds = st.binary(min_size=32, max_size=32).map(bytes.hex)
pools = st.lists(st.integers(min_value=-(2**40), max_value=2**40), min_size=1, max_size=40)


@given(seed=seeds, pool=pools, attempt=st.integers(min_value=0, max_value=10_000))
def test_draw_is_member_and_verifiable(seed: str, pool: list[int], attempt: int) -> None:
    chosen = draw(seed, pool, attempt)
    assert chosen in pool
    assert chosen == reference_draw(seed, pool, attempt)
    assert verify(seed, commitment(seed), pool, attempt, chosen)
    others = set(pool) - {chosen}
    if others:
        assert not verify(seed, commitment(seed), pool, attempt, min(others))
