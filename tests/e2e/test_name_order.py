"""Lists of people are in Vietnamese name order: given name, middle names, surname."""

from __future__ import annotations

from fakes.harness import Harness, User
from tests.conftest import ADMIN
from tests.e2e.helpers import bind, onboard, texts

PEOPLE = {
    User(5001, "Ư", "Lê"): "Lê Ư",
    User(5002, "Bảo", "Âu"): "Âu Văn Bảo",
    User(5003, "Ánh", "Trần"): "Trần Ánh",
    User(5004, "An", "Nguyễn"): "Nguyễn Văn An",
    User(5005, "An", "Đỗ"): "Đỗ Thị An",
}
EXPECTED = ["Đỗ Thị An", "Nguyễn Văn An", "Trần Ánh", "Âu Văn Bảo", "Lê Ư"]


async def test_the_roster_lists_people_in_vietnamese_name_order(harness: Harness) -> None:
    h = harness
    await bind(h)
    for user, name in PEOPLE.items():  # joined in another order than the list shows
        await onboard(h, user, name)
    out = await h.send(ADMIN, "/nhansu")
    listing = texts(out)
    positions = [listing.index(name) for name in EXPECTED]
    assert positions == sorted(positions), listing
    members = await h.core.store.members(1, "active")
    named = [m.person.display_name for m in members if m.person.display_name in EXPECTED]
    assert named == EXPECTED
