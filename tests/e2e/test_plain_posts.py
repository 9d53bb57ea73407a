"""Group posts speak to the people in the room: the leader presiding the briefing reads the draw
post and /kiemtra in the group in plain Vietnamese; the full values and the steps to recompute the
draw are one private /kiemtra away, and they still recompute (bot/draw.py)."""

from __future__ import annotations

import re

from bot import draw as drawing
from fakes.fakebotapi import SentMessage
from fakes.harness import Harness
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, STAFF, vn
from tests.e2e.helpers import (
    context_of,
    drawn_user,
    not_sent,
    sent,
    sent_all,
    setup_program,
)
from tests.wording import english, for_experts

HEX64 = re.compile(r"[0-9a-f]{64}")


def short(value: str) -> str:
    return f"{value[:12]}…"


async def test_the_draw_is_told_to_the_group_in_plain_words(harness: Harness) -> None:
    h = harness
    ids = await setup_program(h)
    await h.send(ADMIN, f"/vangmat {ids['An']} phep 10/12/2026")
    await h.at(vn(2026, 12, 4, 8, 0))
    session = (await h.core.store.open_sessions(1))[0]
    publish = h.last_to(GROUP, lambda m: "CÁN BỘ TỔ CHỨC TRẢ LỜI" in m.plain_text)
    assert for_experts(publish.text or "") == [], publish.plain_text
    assert f"Mã kiểm tra bốc thăm: {short(session.commitment)}" in publish.plain_text
    assert "/kiemtra trong tin nhắn riêng với bot" in publish.plain_text

    mark = h.server.mark()
    await h.at(vn(2026, 12, 7, 9, 0))
    post = sent(h.server.sent[mark:], "draw_group", GROUP, redraw=False)
    text = post.plain_text
    assert for_experts(post.text or "") == [], text
    first = await drawn_user(h)
    first_name = {"An": "Nguyễn Văn An", "Bình": "Trần Văn Bình", "Chi": "Lê Văn Chi"}
    assert f"Người trả lời: {first_name[first.first_name]}" in text
    # Who was in the lot, and why the others were not.
    assert "Bốc thăm trong số 2 đồng chí: Trần Văn Bình, Lê Văn Chi." in text, text
    assert "Nguyễn Văn An" not in text
    assert "1 đồng chí nghỉ phép hoặc đi công tác" in text
    # How anyone checks it: the code announced with the question, and where to see the steps.
    code = f"mã kiểm tra của nó là {short(session.commitment)}"
    assert f"{code}, trùng với mã đã công bố cùng câu hỏi" in text, text
    assert "gõ /kiemtra trong tin nhắn riêng với bot để xem đầy đủ cách tính" in text
    session = (await h.core.store.open_sessions(1))[0]
    assert session.next_commitment is not None
    assert short(session.next_commitment) in text

    # A redraw says why, instead of whom, and why that person is not in the lot again.
    mark = h.server.mark()
    await h.send(HEAD, "/rutlai đồng chí được bốc vắng họp", chat_id=GROUP)
    redraw = sent(h.server.sent[mark:], "draw_group", GROUP, redraw=True)
    assert for_experts(redraw.text or "") == [], redraw.plain_text
    assert "Lý do bốc lại: đồng chí được bốc vắng họp" in redraw.plain_text
    assert "1 đồng chí đã được bốc trước đó trong phiên này" in redraw.plain_text
    code = f"mã kiểm tra của nó là {short(session.next_commitment)}"
    assert f"{code}, trùng với mã đã công bố cùng kết quả lần bốc trước" in redraw.plain_text
    second = await drawn_user(h)
    assert second != first

    # /kiemtra in the group: one line a draw, in words; the values stay in private.
    out = await h.send(LEADER, "/kiemtra", chat_id=GROUP)
    short_view = sent(out, "verify_group", GROUP)
    not_sent(out, "verify_private")
    said = short_view.plain_text
    assert for_experts(short_view.text or "") == [], said
    assert not HEX64.search(said)
    assert said.count("✅") == 2 and "❌" not in said, said
    assert "Lần bốc đầu: ✅ khớp với mã kiểm tra đã công bố cùng câu hỏi" in said, said
    assert first_name[first.first_name] in said and first_name[second.first_name] in said
    assert "gõ /kiemtra trong tin nhắn riêng với bot" in said

    # /kiemtra in private: the full values and the steps, and they recompute.
    out = await h.send(STAFF[1], "/kiemtra")
    full = sent(out, "verify_private", STAFF[1].id)
    await recomputes(h, full)
    draws = await h.core.store.draws(session.id)
    for d in draws:
        assert d.seed in full.plain_text and d.commitment in full.plain_text
    session = (await h.core.store.open_sessions(1))[0]
    assert session.next_seed is not None and session.next_seed not in full.plain_text


async def recomputes(h: Harness, full: SentMessage) -> None:
    """Every draw in the private view recomputes, by bot/draw.py, from the values it shows, to the
    person it names; and the view speaks Vietnamese (the recipe's notation is allowed there)."""
    assert english(full.text or "") == [], full.plain_text
    for term in ("mã bí mật", "cam kết", "số hiệu", "Cách tự tính lại"):
        assert term in full.plain_text, term
    blocks = full.plain_text.split("Mã bí mật: ")[1:]
    assert blocks, full.plain_text
    for attempt, block in enumerate(blocks):
        seed = re.match(r"([0-9a-f]{64})", block)
        commitment = re.search(r"Cam kết \(mã kiểm tra\): ([0-9a-f]{64})", block)
        joined = re.search(r"Chuỗi ghép sau mã bí mật: \|(\d+)\|0\|([\d,]+)", block)
        chosen = re.search(r"Người được chọn: (.+?) \(số hiệu (\d+)\)", block)
        assert seed and commitment and joined and chosen, block
        assert drawing.commitment(seed.group(1)) == commitment.group(1)
        assert int(joined.group(1)) == attempt
        pool = [int(n) for n in joined.group(2).split(",")]
        number = drawing.draw(seed.group(1), pool, attempt)
        assert number == int(chosen.group(2))
        person = await h.core.store.person(number)
        assert person is not None and person.display_name == chosen.group(1)
        for n in pool:  # each number in the lot is named
            member = await h.core.store.person(n)
            assert member is not None and f"số hiệu {n} – {member.display_name}" in block


async def test_everything_the_group_reads_in_a_week_is_plain_vietnamese(harness: Harness) -> None:
    """The whole week in the group, with the commands people type there: no programmers' word or
    notation outside <code>."""
    h = harness
    await setup_program(h)
    await h.at(vn(2026, 12, 4, 8, 0))
    for who, command in ((STAFF[0], "/cauhoi"), (STAFF[1], "/trangthai"), (LEADER, "/lich")):
        await h.send(who, command, chat_id=GROUP)
    await h.at(vn(2026, 12, 7, 9, 0))
    await h.send(HEAD, "/rutlai đồng chí được bốc đi họp đột xuất", chat_id=GROUP)
    drawn = await drawn_user(h)
    post = h.last_to(GROUP, lambda m: "KẾT QUẢ BỐC THĂM" in m.plain_text)
    await h.send(drawn, "Em xin trả lời: cần hai đảng viên chính thức giới thiệu.")
    answer = h.last_to(GROUP, lambda m: "Câu trả lời của đồng chí" in m.plain_text)
    await h.press(HEAD, answer, "Đúng một phần")
    await h.send(HEAD, "Cần nêu rõ căn cứ.")
    await h.send(LEADER, "/ketluan Thực hiện theo Điều lệ Đảng.", chat_id=GROUP)
    for who, command in ((STAFF[2], "/kiemtra"), (LEADER, "/trangthai"), (STAFF[0], "/help")):
        await h.send(who, command, chat_id=GROUP)
    group = h.server.messages_to(GROUP)
    assert post in group and len(group) > 10
    found = {m.plain_text[:60]: for_experts(m.text or "") for m in group}
    assert {start: words for start, words in found.items() if words} == {}
    assert sent_all(group, "verify_group") and sent_all(group, "draw_group")


async def test_kiemtra_in_private_before_and_after_the_first_draw(harness: Harness) -> None:
    h = harness
    await setup_program(h)
    out = await h.send(STAFF[0], "/kiemtra")
    sent(out, "verify_none", STAFF[0].id)
    await h.at(vn(2026, 12, 4, 8, 0))
    await h.at(vn(2026, 12, 7, 9, 0))
    out = await h.send(STAFF[0], "/kiemtra")
    full = sent(out, "verify_private", STAFF[0].id)
    (check,) = context_of(full)["checks"]
    assert check["commitment_ok"] and check["ok"]
    await recomputes(h, full)
