"""The documents answers rest on, read on Zalo: a leader on Zalo gets the review that a register
imported on the server causes, gives the supplementary conclusion by number under the full
record, and the Zalo members get the group's post once each — all in plain text, with no
instruction that only makes sense on Telegram. Through the real application, its Zalo adapter
and the fake Zalo Bot API."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.words import BUTTONS
from fakes.harness import Harness
from hoidap.cli import main as cli_main
from questions.register import register_csv
from questions.samples.register_data import STARTER
from tests.conftest import ADMIN, GROUP, LEADER
from tests.e2e.helpers import sent
from tests.e2e.test_zalo import (  # noqa: F401  (zh: the harness with a fake Zalo)
    AN,
    BINH,
    HANG,
    last,
    number_of,
    zh,
)
from tests.e2e.test_zalo_week import zalo_week
from tests.test_zalo_wording import TELEGRAM_ONLY

OLD = (
    "Giấy chứng nhận đã quá thời hạn thì quần chúng phải học lại lớp bồi dưỡng nhận thức về "
    "Đảng, theo Quy định số 24-QĐ/TW ngày 30/7/2021."
)
NEW = (
    "Giấy chứng nhận đã quá thời hạn thì quần chúng phải học lại lớp bồi dưỡng; thời hạn thực "
    "hiện theo Quy định số 294-QĐ/TW ngày 26/5/2025 về thi hành Điều lệ Đảng."
)


async def _concluded_on_zalo(h: Harness) -> tuple[dict[str, int], str]:
    """A week whose drawn Zalo member answers citing 24-QĐ/TW, graded by number by the head on
    Zalo (who is a leader and an admin too), concluded by the leader in the group."""
    ids, drawn, _sid = await zalo_week(h)
    out = await h.send(ADMIN, f"/vaitro {ids[HANG]} truongphong lanhdao quantri")
    sent(out, "roles_done", ADMIN.id)
    await h.zalo_send(drawn, OLD)
    prompt = next(t for t in reversed(h.zalo_to(HANG)) if "Đúng một phần" in t)
    await h.zalo_send(HANG, number_of(prompt, "Đúng"))
    await h.zalo_send(HANG, "/boqua")
    out = await h.send(LEADER, f"/ketluan {OLD}", chat_id=GROUP)
    sent(out, "concluded_group")
    return ids, drawn


async def test_on_zalo_the_review_comes_and_the_supplement_is_given_by_number(
    zh: Harness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    h = zh
    assert h.zalo is not None
    await _concluded_on_zalo(h)
    mark = len(h.zalo.sent)

    # The register imported on the server while the bot runs: the leader on Zalo is told.
    monkeypatch.setenv("HOIDAP_DB", str(h.db_path))
    path = tmp_path / "so_van_ban.csv"
    path.write_bytes(register_csv(STARTER))
    assert await asyncio.to_thread(cli_main, ["refs", "import", str(path)]) == 0
    await h.outside_changes()  # what the bot does every few seconds
    await h.settle()
    review = [m["text"] for m in h.zalo.sent[mark:] if m["chat_id"] == HANG]
    assert len(review) == 1, review  # one message per event per person
    assert "Rà soát căn cứ" in review[0]
    assert "1 câu trả lời chính thức dẫn Quy định số 24-QĐ/TW" in review[0]
    assert "<b>" not in review[0] and "<code>" not in review[0]  # plain text on Zalo

    # The full record, by number, marks the answer and offers the supplement as a number.
    out = await h.zalo_send(HANG, "/lichsu")
    history = last(out)
    assert "căn cứ đã được thay thế" in history
    out = await h.zalo_send(HANG, number_of(history, BUTTONS["archive_view"].format(number=1)))
    record = last(out)
    assert "Căn cứ đã được thay thế: Quy định số 24-QĐ/TW" in record
    out = await h.zalo_send(HANG, number_of(record, BUTTONS["supplement"]))
    assert "Mời đồng chí gửi nội dung kết luận bổ sung" in last(out)
    before = len(h.zalo.sent)
    out = await h.zalo_send(HANG, NEW)
    assert "Đã ghi kết luận bổ sung" in "\n".join(str(m["text"]) for m in out)
    await h.settle()
    # The group's post reaches each Zalo member once (the leader who wrote it too, as a
    # Telegram leader sees it in the group).
    for account in (AN, BINH, HANG):
        posts = [
            m["text"]
            for m in h.zalo.sent[before:]
            if m["chat_id"] == account and "KẾT LUẬN BỔ SUNG" in str(m["text"])
        ]
        assert len(posts) == 1, (account, posts)
        assert NEW in posts[0]

    # The register's file asked for on Zalo: the caption says where to send it back (Telegram or
    # the server), never on Zalo.
    out = await h.zalo_send(HANG, "/cancu xuat")
    said = "\n".join(str(m["text"]) for m in out)
    assert "Sổ văn bản căn cứ: 5 văn bản" in said and "gửi lại cho bot trên Telegram" in said

    # Nothing the leader read on Zalo asks to press a button or send a file on Zalo.
    for text in h.zalo_to(HANG):
        assert not TELEGRAM_ONLY.findall(text), text


async def test_on_zalo_the_register_and_a_document_read_as_plain_text(
    zh: Harness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    h = zh
    ids, _drawn, _sid = await zalo_week(h)
    await h.send(ADMIN, f"/vaitro {ids[HANG]} truongphong lanhdao quantri")
    monkeypatch.setenv("HOIDAP_DB", str(h.db_path))
    path = tmp_path / "so_van_ban.csv"
    path.write_bytes(register_csv(STARTER))
    assert await asyncio.to_thread(cli_main, ["refs", "import", str(path)]) == 0
    await h.outside_changes()
    out = await h.zalo_send(HANG, "/cancu")
    listing = last(out)
    assert "Sổ văn bản căn cứ (5 văn bản)" in listing
    assert "⚠️ Quy định số 232-QĐ/TW" in listing and "/cancu 294-QĐ/TW" in listing
    out = await h.zalo_send(HANG, "/cancu 232-QĐ/TW")
    entry = last(out)
    assert "đã được thay thế bởi Quy định số 294-QĐ/TW từ 01/07/2025" in entry
    # A supplement asked for on Zalo without its number says how, in Zalo's words.
    out = await h.zalo_send(HANG, "/ketluanbosung")
    usage = last(out)
    assert "gửi số ứng với «✍️ Kết luận bổ sung»" in usage
    for text in h.zalo_to(HANG):
        assert not TELEGRAM_ONLY.findall(text), text
