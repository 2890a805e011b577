"""App-wide messages, named for what already happened."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from smm_tui.core.handoffs import Handoff
from smm_tui.core.models import Mention, Reply
from smm_tui.core.polling import AccountHealth
from smm_tui.core.posts import Delivery
from smm_tui.core.repository import Changed


@dataclass
class StoreChanged(Message):
    """Changes became durable (ours, or another process's picked up by a refresh)."""

    changed: Changed


@dataclass
class AccountHealthChanged(Message):
    """An account was polled; ``health`` says how it went and when it polls next."""

    health: AccountHealth


@dataclass
class ThreadFetched(Message):
    """The thread around a mention arrived from its network."""

    mention_id: str
    thread: tuple[Mention, ...]
    error: str | None


@dataclass
class ReplySettled(Message, bubble=False):
    """A reply was sent, or failed, and that outcome is durable.

    The outbox worker posts it to the app, which announces it and hands it on to
    every screen (it does not bubble back up from them).
    """

    reply: Reply


@dataclass
class DeliverySettled(Message, bubble=False):
    """A post was published on an account, or failed there, and that outcome is durable.

    The publishing worker (or a retry) posts it to the app, which announces a
    failure and hands it on to every screen, as with :class:`ReplySettled`.
    """

    delivery: Delivery


@dataclass
class HandoffSettled(Message, bubble=False):
    """A ticket's handoff to its department was delivered, or failed, durably."""

    handoff: Handoff


@dataclass
class DataChanged(Message, bubble=False):
    """Sent by the app to its screens after a durable change; screens re-read what they show.

    ``changed`` always names at least one changed record.
    """

    changed: Changed


class ArchiveLoaded(Message, bubble=False):
    """The archive that start-up deferred has been read: counts over everything are whole."""
