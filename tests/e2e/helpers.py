"""Steps shared by the end-to-end tests: each one as a user would do it in chat."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core import Core
from bot.render import observe, plain, split_html
from bot.words import BUTTONS
from fakes.fakebotapi import SentMessage
from fakes.fakezalo import FakeZalo
from fakes.harness import Harness, User
from tests.conftest import ADMIN, GROUP, HEAD, LEADER, STAFF

SAMPLES = Path(__file__).resolve().parents[2] / "questions" / "samples"


def texts(messages: list[SentMessage]) -> str:
    return "\n---\n".join(m.plain_text for m in messages)


# -- which template and context a message was rendered from ---------------------------------------


@dataclass(frozen=True)
class Rendering:
    template: str
    context: Mapping[str, Any]
    text: str

    def produced(self, message: SentMessage) -> bool:
        """``message`` (or a chunk of a long message) is this rendering's text."""
        if message.text is None:
            return False
        candidates = [message.text, *message.edits]
        chunks = split_html(self.text)
        return any(c in chunks or c == plain(self.text) for c in candidates)


@dataclass
class Renders:
    """Every message rendered while a test runs (see the ``renders`` fixture)."""

    items: list[Rendering] = field(default_factory=list)

    def __call__(self, template: str, context: Mapping[str, Any], text: str) -> None:
        self.items.append(Rendering(template, context, text))

    def of(self, message: SentMessage) -> list[Rendering]:
        return [r for r in self.items if r.produced(message)]

    def recording(self) -> Iterator[Renders]:
        self.items.clear()
        stop = observe(self)
        try:
            yield self
        finally:
            stop()
            self.items.clear()


RENDERS = Renders()


def contains(actual: Any, expected: Any) -> bool:
    """``actual`` holds ``expected``: mappings key by key (extra keys allowed), recursively;
    sequences item by item, same length; anything else by equality."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            k in actual and contains(actual[k], v) for k, v in expected.items()
        )
    if isinstance(expected, Sequence) and not isinstance(expected, str):
        return (
            isinstance(actual, Sequence)
            and not isinstance(actual, str)
            and len(actual) == len(expected)
            and all(contains(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return bool(actual == expected)


def sent_all(
    messages: Sequence[SentMessage], template: str, chat: int | None = None, **context: Any
) -> list[tuple[SentMessage, Rendering]]:
    """Each message of ``messages`` (to ``chat``) rendered from ``template`` with a context
    containing ``context``, with its rendering."""
    found = []
    for m in messages:
        if chat is not None and m.chat_id != chat:
            continue
        for r in RENDERS.of(m):
            if r.template == template and contains(r.context, context):
                found.append((m, r))
                break
    return found


def sent(
    messages: Sequence[SentMessage], template: str, chat: int | None = None, **context: Any
) -> SentMessage:
    """The one message of ``messages`` (to ``chat``) rendered from ``template`` with a context
    containing ``context``; fails listing what was sent instead."""
    found = sent_all(messages, template, chat, **context)
    assert len(found) == 1, f"{len(found)} × {template} to {chat}; sent: {describe(messages)}"
    return found[0][0]


def context_of(message: SentMessage, template: str | None = None) -> Mapping[str, Any]:
    """The context ``message`` was rendered with (from ``template`` if given)."""
    found = [r for r in RENDERS.of(message) if template is None or r.template == template]
    assert found, f"no rendering of {template or 'any template'} produced {message.plain_text!r}"
    return found[-1].context


def not_sent(messages: Sequence[SentMessage], template: str, chat: int | None = None) -> None:
    found = sent_all(messages, template, chat)
    assert not found, f"{template} was sent to {chat}: {describe(messages)}"


def templates(messages: Sequence[SentMessage], chat: int | None = None) -> list[str]:
    """The templates ``messages`` (to ``chat``) were rendered from, in order (``?`` if none)."""
    names = []
    for m in messages:
        if chat is None or m.chat_id == chat:
            found = RENDERS.of(m)
            names.append(found[-1].template if found else "?")
    return names


def answered(answer: Mapping[str, Any], template: str, **context: Any) -> None:
    """A button press was answered (the short notice) from ``template`` with ``context``."""
    text = str(answer.get("text", ""))
    found = [
        r
        for r in RENDERS.items
        if r.template == template and text and plain(r.text).startswith(text)
    ]
    assert found, f"press answered {text!r}, not from {template}"
    assert any(contains(r.context, context) for r in found), [r.context for r in found]


def describe(messages: Sequence[SentMessage]) -> str:
    return "; ".join(
        f"{m.chat_id}:{(RENDERS.of(m) or [Rendering('?', {}, '')])[-1].template}" for m in messages
    )


async def bind(h: Harness) -> None:
    h.server.add_bot_to_group(ADMIN.id, GROUP)
    out = await h.send(ADMIN, "/lienket", chat_id=GROUP)
    sent(out, "bind_done", GROUP)


async def onboard(
    h: Harness, user: User, name: str, title: str = "Chuyên viên", role_cmd: str | None = None
) -> int:
    """/start → name → title → admin approves (→ roles). Returns the person's number."""
    out = await h.send(user, "/start")
    sent(out, "onboard_ask_name", user.id)
    out = await h.send(user, name)
    ask_title = sent(out, "onboard_ask_title", user.id, name=name)
    _, out = await h.press(user, ask_title, title)
    sent(out, "onboard_submitted", user.id, name=name)
    request = h.last_to(
        ADMIN.id, lambda m: name in m.plain_text and BUTTONS["approve"] in str(m.buttons())
    )
    answer, out = await h.press(ADMIN, request, BUTTONS["approve"])
    answered(answer, "decision_done", name=name, approved=True)
    sent(out, "onboard_decided", user.id, approved=True)
    person = await h.core.store.person_by_tg(user.id)
    assert person is not None
    if role_cmd:
        out = await h.send(ADMIN, f"/vaitro {person.id} {role_cmd}")
        sent(out, "roles_done", ADMIN.id)
    return person.id


async def setup_program(h: Harness) -> dict[str, int]:
    """A bound group, the sample questions, three staff, a head and a leader."""
    await bind(h)
    out = await h.upload(ADMIN, "cau_hoi_mau.xlsx", (SAMPLES / "cau_hoi_mau.xlsx").read_bytes())
    assert context_of(sent(out, "bank_import_done", ADMIN.id))["count"] > 0
    ids = {}
    for i, user in enumerate(STAFF):
        ids[user.first_name] = await onboard(h, user, f"{user.last_name} Văn {user.first_name}")
        assert i >= 0
    ids["head"] = await onboard(h, HEAD, "Lê Thị Hằng", "Chuyên viên chính", "truongphong")
    ids["leader"] = await onboard(h, LEADER, "Phạm Quang Minh", "Chuyên viên chính", "lanhdao")
    return ids


async def conclude_week(
    h: Harness,
    draw_at: datetime,
    answer: str,
    conclusion: str,
    verdict: str = "Đúng",
    comment: str | None = None,
    program_id: int = 1,
) -> int:
    """One whole session as users do it: the question goes out (default schedule: three days
    before, 08:00), the lot is drawn at ``draw_at``, the drawn staff member answers privately, the
    head grades (and comments, or skips), the leader concludes with /ketluan in the group.
    Returns the session id."""
    await h.at((draw_at - timedelta(days=3)).replace(hour=8, minute=0))
    await h.at(draw_at)
    store = h.core.store
    session = next(s for s in await store.open_sessions(program_id) if s.state == "drawn")
    person = await store.person(session.drawn_person_id or 0)
    assert person is not None
    drawn = next(u for u in STAFF if u.id == person.tg_user_id)
    mark = h.server.mark()
    out = await h.send(drawn, answer)
    sent(out, "answer_received", drawn.id)
    post = sent(h.server.sent[mark:], "answer_group", kind="text")
    pressed, _ = await h.press(HEAD, post, verdict)
    answered(pressed, "grade_recorded", verdict=verdict)
    await h.send(HEAD, comment if comment else "/boqua")
    out = await h.send(LEADER, f"/ketluan {conclusion}", chat_id=GROUP)
    sent(out, "concluded_group", conclusion=conclusion)
    final = await store.session(session.id)
    assert final is not None and final.state == "concluded"
    return session.id


async def drawn_user(h: Harness, program_id: int = 1) -> User:
    """The staff member the open session of the program waits for."""
    session = (await h.core.store.open_sessions(program_id))[0]
    person = await h.core.store.person(session.drawn_person_id or 0)
    assert person is not None
    return next(u for u in STAFF if u.id == person.tg_user_id)


# -- many people at once, straight into the store ---------------------------------------------


def staff(count: int, base: int = 60_000) -> list[User]:
    return [User(base + i, f"Cán bộ {i:02d}", "Nguyễn") for i in range(count)]


async def seed(core: Core, program_id: int, people: list[User], questions: int = 5) -> None:
    """Active staff and queued questions, straight into the store."""
    store, now = core.store, core.now()
    async with store.transaction():
        for u in people:
            name = f"{u.first_name} {u.last_name}"
            person = await store.upsert_person(u.id, None, name, False, now)
            await store.set_person_profile(person.id, name, "Chuyên viên")
            await store.upsert_member(program_id, person.id, "active", now)
            await store.set_roles(program_id, person.id, ["staff"])
        for i in range(questions):
            await store.add_question(
                program_id,
                f"Câu hỏi thử số {i + 1}: hồ sơ đề nghị kết nạp đảng viên gồm những gì?",
                "Công tác đảng viên",
                None,
                None,
                None,
                None,
                now,
            )


async def zalo_staff(core: Core, zalo: FakeZalo, program_id: int, count: int) -> list[str]:
    """People on Zalo only, active staff of the program, who wrote to the bot before."""
    store, now = core.store, core.now()
    ids = []
    async with store.transaction():
        for n in range(count):
            zid = f"z-{n:02d}"
            account = await store.add_zalo_account(zid, f"Cán bộ Zalo {n:02d}", now, zid)
            await store.set_person_profile(account.person_id, f"Trần Zalo {n:02d}", "Chuyên viên")
            await store.upsert_member(program_id, account.person_id, "active", now)
            await store.set_roles(program_id, account.person_id, ["staff"])
            zalo.known.add(zid)
            ids.append(zid)
    return ids
