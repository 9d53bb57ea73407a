"""Promises that hold under misuse and faults (README «Bot hứa gì»): one test per class of break."""

from __future__ import annotations

import hashlib
import re

from bot.testing.harness import Harness
from tests.conftest import GROUP, HEAD, STAFF, vn
from tests.e2e.helpers import setup_program, texts


def _hex_after(text: str, label: str) -> str:
    m = re.search(re.escape(label) + r"[^\n]*\n?\s*([0-9a-f]{64})", text)
    assert m, f"no 64-hex value after {label!r} in:\n{text}"
    return m.group(1)


# -- redraws are committed before they are made ---------------------------------------------------


async def test_every_draw_uses_a_seed_committed_before_it(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    publish = h.last_to(GROUP, lambda m: "Cam kết bốc thăm" in m.plain_text)
    first_commitment = _hex_after(publish.plain_text, "Cam kết bốc thăm")
    await h.at(vn(2026, 12, 7, 9, 0))
    first_post = h.last_to(GROUP, lambda m: "KẾT QUẢ BỐC THĂM" in m.plain_text).plain_text
    first_seed = _hex_after(first_post, "Mã bí mật của lần bốc này")
    assert hashlib.sha256(bytes.fromhex(first_seed)).hexdigest() == first_commitment
    # The first post commits to the redraw's seed without revealing it: knowing the first seed
    # and the pool, nobody can tell whom a redraw would pick.
    redraw_commitment = _hex_after(first_post, "Cam kết cho lần bốc lại")
    assert redraw_commitment != first_commitment
    assert hashlib.sha256(bytes.fromhex(first_seed)).hexdigest() != redraw_commitment

    out = await h.send(HEAD, "/rutlai đồng chí được bốc vắng họp", chat_id=GROUP)
    redraw_post = next(m for m in out if "bốc lại lần 1" in m.plain_text).plain_text
    redraw_seed = _hex_after(redraw_post, "Mã bí mật của lần bốc này")
    assert redraw_seed != first_seed
    assert hashlib.sha256(bytes.fromhex(redraw_seed)).hexdigest() == redraw_commitment
    # A redraw of the redraw is committed in its turn.
    assert _hex_after(redraw_post, "Cam kết cho lần bốc lại") not in (
        first_commitment,
        redraw_commitment,
    )
    # Anyone re-checks both draws, each against the commitment announced before it.
    out = await h.send(STAFF[0], "/kiemtra", chat_id=GROUP)
    report = texts(out)
    assert report.count("khớp với cam kết") == 2 and "KHÔNG khớp" not in report
    assert report.count("tính lại ra đúng kết quả") == 2
    assert first_seed in report and redraw_seed in report
    session = (await h.core.store.open_sessions(1))[0]
    assert session.next_seed is not None and session.next_seed not in report
    draws = await h.core.store.draws(session.id)
    assert [d.seed for d in draws] == [first_seed, redraw_seed]
