"""/hoso and /thongke through the real application: who may ask what, odd arguments, and the
figures in the template context."""

from __future__ import annotations

import pytest

from bot import offload
from bot.documents import charts
from bot.offload import ChildFailed
from bot.services import records
from fakes.fakebotapi import SentMessage
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, OUTSIDER, STAFF, vn
from tests.e2e.helpers import (
    conclude_week,
    context_of,
    drawn_user,
    not_sent,
    sent,
    setup_program,
)
from tests.support import stuck


async def one_week(h: Harness) -> tuple[dict[str, int], int]:
    """The program with one concluded week (graded «Đúng» with a comment); the drawn person's id."""
    ids = await setup_program(h)
    sid = await conclude_week(
        h, vn(2026, 12, 7, 9, 0), "Trả lời của tôi", "Thống nhất.", comment="Cần nêu rõ căn cứ."
    )
    session = await h.core.store.session(sid)
    assert session is not None and session.drawn_person_id is not None
    return ids, session.drawn_person_id


async def test_own_record_and_the_heads_view_of_anyones(harness: Harness) -> None:
    h = harness
    ids, drawn_id = await one_week(h)
    drawn = next(u for u in STAFF if ids[u.first_name] == drawn_id)
    other = next(u for u in STAFF if u is not drawn)

    out = await h.send(drawn, "/hoso")
    ctx = context_of(sent(out, "record_person", drawn.id, own=True, drawn=1))
    assert ctx["period"] == {
        "kind": "year",
        "start": "2026-01-01",
        "end": "2026-12-31",
        "year": 2026,
        "number": 0,
    }
    assert ctx["outcomes"]["in_time"] == 1
    assert ctx["verdicts"] == {"correct": 1, "partial": 0, "wrong": 0, "ungraded": 0}
    (turn,) = ctx["turns"]
    assert turn["date"] == "2026-12-07" and turn["verdict"] == "Đúng"
    assert turn["comment"] == "Cần nêu rõ căn cứ." and turn["concluded_at"]
    assert turn["question"] and "suggested" not in turn
    assert "Cần nêu rõ căn cứ." in out[-1].plain_text

    out = await h.send(other, "/hoso 2026")
    sent(out, "record_person", other.id, own=True, drawn=0, turns=[])

    # A staff member may not read another's record.
    out = await h.send(other, f"/hoso #{drawn_id}")
    sent(out, "record_not_allowed", other.id)
    not_sent(out, "record_person")

    # The head, the leader and an admin may.
    for user in (HEAD, LEADER, ADMIN):
        out = await h.send(user, f"/hoso #{drawn_id} quý 4")
        ctx = context_of(sent(out, "record_person", user.id, own=False, drawn=1))
        assert ctx["person"]["id"] == drawn_id
        assert ctx["period"]["kind"] == "quarter" and ctx["period"]["number"] == 4

    out = await h.send(HEAD, f"/hoso tháng 12/2026 #{drawn_id}")
    sent(out, "record_person", HEAD.id, own=False, drawn=1)
    out = await h.send(HEAD, "/hoso #999")
    sent(out, "record_no_person", HEAD.id, number=999)
    out = await h.send(HEAD, "/hoso quý 5")
    sent(out, "arg_bad_period", HEAD.id, reason="quarter")
    out = await h.send(HEAD, "/hoso #abc")
    sent(out, "arg_bad_number", HEAD.id, what="person")
    # Private only; outsiders are refused.
    out = await h.send(drawn, "/hoso", chat_id=GROUP)
    sent(out, "private_only")
    out = await h.send(OUTSIDER, "/hoso")
    not_sent(out, "record_person")
    not_sent(out, "internal_error")


async def test_figures_in_private_and_who_may_ask_in_the_group(harness: Harness) -> None:
    h = harness
    ids, drawn_id = await one_week(h)

    out = await h.send(STAFF[0], "/thongke")
    ctx = context_of(sent(out, "figures", STAFF[0].id))
    f = ctx["figures"]
    assert f["held"] == 1 and f["moved"] == 0 and f["skipped_total"] == 0
    assert f["verdicts"]["correct"] == 1 and f["on_time_rate"] == 100
    assert f["outcomes"]["in_time"] == 1
    assert len(f["topics"]) == 1 and f["topics"][0]["count"] == 1
    assert ctx["previous"]["held"] == 0
    assert ctx["trend"]["held"] == 1 and ctx["trend"]["on_time_rate"] is None
    part = ctx["participation"]
    assert [p["id"] for p in part["had_turn"]] == [drawn_id]
    assert sorted(p["id"] for p in part["not_yet"]) == sorted(
        ids[u.first_name] for u in STAFF if ids[u.first_name] != drawn_id
    )
    text = sent(out, "figures", STAFF[0].id).plain_text
    assert "tăng 1 so với kỳ trước" in text and "Chưa có lượt (2)" in text

    # The group stays uncluttered: staff are sent to the private chat, heads may ask there.
    out = await h.send(STAFF[1], "/thongke", chat_id=GROUP)
    sent(out, "figures_in_private", GROUP)
    not_sent(out, "figures")
    out = await h.send(HEAD, "/thongke tháng 12", chat_id=GROUP)
    ctx = context_of(sent(out, "figures", GROUP))
    assert ctx["figures"]["period"]["kind"] == "month" and ctx["figures"]["held"] == 1
    assert ctx["previous"]["period"]["number"] == 11

    out = await h.send(STAFF[0], "/thongke quý 1/2026")
    ctx = context_of(sent(out, "figures", STAFF[0].id))
    assert ctx["figures"]["held"] == 0 and ctx["figures"]["on_time_rate"] is None

    for odd, reason in [("tháng 13", "month"), ("1999", "year"), ("hôm qua", "format")]:
        out = await h.send(STAFF[0], f"/thongke {odd}")
        sent(out, "arg_bad_period", STAFF[0].id, reason=reason)
        not_sent(out, "internal_error")

    out = await h.send(OUTSIDER, "/thongke")
    not_sent(out, "figures")
    not_sent(out, "internal_error")


def _photos(messages: list[SentMessage]) -> list[SentMessage]:
    return [m for m in messages if m.kind == "photo"]


async def test_figures_in_private_come_with_the_verdicts_chart(harness: Harness) -> None:
    h = harness
    await one_week(h)

    out = await h.send(STAFF[0], "/thongke")
    figures = sent(out, "figures", STAFF[0].id)
    (photo,) = _photos(out)
    # The text first, then the picture with its caption; «sending a photo…» meanwhile.
    assert out.index(figures) < out.index(photo)
    assert (STAFF[0].id, "upload_photo") in h.server.chat_actions
    ctx = context_of(sent(out, "figures_chart_caption", STAFF[0].id))
    assert ctx["period"]["kind"] == "year" and ctx["period"]["year"] == 2026
    assert "năm 2026" in photo.plain_text
    png = h.server.file_bytes(photo.file_id or "")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 100_000

    # The quarter of the graded week has the chart; a month of it too.
    out = await h.send(STAFF[1], "/thongke quý 4")
    assert len(_photos(out)) == 1
    sent(out, "figures_chart_caption", STAFF[1].id, period={"kind": "quarter", "number": 4})


async def test_no_chart_without_a_graded_session_nor_in_the_group(harness: Harness) -> None:
    h = harness
    await one_week(h)
    # A period with no graded session: the figures alone.
    out = await h.send(STAFF[0], "/thongke quý 1/2026")
    sent(out, "figures", STAFF[0].id)
    assert _photos(out) == []
    not_sent(out, "figures_chart_caption")
    # The group stays uncluttered: a head asking there gets the text only.
    out = await h.send(HEAD, "/thongke", chat_id=GROUP)
    sent(out, "figures", GROUP)
    assert _photos(out) == []
    # A refusal draws nothing either.
    out = await h.send(STAFF[0], "/thongke tháng 13")
    assert _photos(out) == []
    not_sent(out, "internal_error")
    assert [a for a in h.server.chat_actions if a[1] == "upload_photo"] == []


async def test_a_week_held_but_not_yet_graded_has_no_chart(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    draw_at = vn(2026, 12, 7, 9, 0)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(draw_at)
    drawn = await drawn_user(h)
    sent(await h.send(drawn, "Trả lời của tôi"), "answer_received", drawn.id)
    out = await h.send(STAFF[0], "/thongke")
    f = context_of(sent(out, "figures", STAFF[0].id))["figures"]
    assert f["held"] == 1 and f["verdicts"]["ungraded"] == 1
    assert _photos(out) == []


async def test_a_chart_that_cannot_be_drawn_leaves_the_figures_alone(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await one_week(h)

    async def broken(*args: object, **kwargs: object) -> bytes:
        raise ChildFailed("verdicts_by_month: exit 1: MemoryError")

    monkeypatch.setattr(records, "in_child", broken)
    out = await h.send(STAFF[0], "/thongke")
    sent(out, "figures", STAFF[0].id)
    assert _photos(out) == []
    not_sent(out, "internal_error")


async def test_a_chart_child_that_hangs_is_killed_and_the_figures_stand_alone(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await one_week(h)
    drawing = charts.verdicts_by_month
    monkeypatch.setattr(charts, "verdicts_by_month", stuck.forever)  # drawn in the real child
    monkeypatch.setattr(offload, "CHILD_TIMEOUT", 0.5)
    for staff in STAFF[:3]:  # more hung charts than there are places for children
        out = await h.send(staff, "/thongke")
        sent(out, "figures", staff.id)
        assert _photos(out) == []
        not_sent(out, "internal_error")
    # The places were given back: the next chart is drawn.
    monkeypatch.setattr(charts, "verdicts_by_month", drawing)
    monkeypatch.setattr(offload, "CHILD_TIMEOUT", 60.0)
    out = await h.send(STAFF[0], "/thongke")
    assert len(_photos(out)) == 1
