"""All SQL of the application: one package, one mixin per concern, combined in :class:`Store`."""

from __future__ import annotations

from bot.store.archive import ArchiveQueries
from bot.store.bank_admin import BankAdminQueries
from bot.store.base import StoreBase, buttons_from_json, buttons_to_json
from bot.store.documents import DocumentQueries
from bot.store.grassroots import GrassrootsQueries
from bot.store.invites import InviteQueries
from bot.store.late import LateAnswerQueries
from bot.store.ops import OpsQueries
from bot.store.people import PeopleQueries
from bot.store.plumbing import PlumbingQueries
from bot.store.records import RecordQueries
from bot.store.refs import RefQueries
from bot.store.sessions import SessionQueries
from bot.store.zalo import ZaloQueries


class Store(
    PeopleQueries,
    SessionQueries,
    LateAnswerQueries,
    PlumbingQueries,
    ArchiveQueries,
    BankAdminQueries,
    GrassrootsQueries,
    InviteQueries,
    OpsQueries,
    DocumentQueries,
    RecordQueries,
    RefQueries,
    ZaloQueries,
):
    """The database of record. Services own transactions: ``async with store.transaction():``."""


__all__ = ["Store", "StoreBase", "buttons_from_json", "buttons_to_json"]
