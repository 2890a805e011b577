"""App-wide messages, named for what already happened."""

from __future__ import annotations

from textual.message import Message

from smm_tui.core.models import Mention, Reply
from smm_tui.core.polling import AccountHealth
from smm_tui.core.repository import Changed


class StoreChanged(Message):
    """Changes became durable (ours, or another process's picked up by a refresh)."""

    def __init__(self, changed: Changed) -> None:
        super().__init__()
        self.changed = changed


class AccountHealthChanged(Message):
    """An account was polled; ``health`` says how it went and when it polls next."""

    def __init__(self, health: AccountHealth) -> None:
        super().__init__()
        self.health = health


class ThreadFetched(Message):
    """The thread around a mention arrived from its network."""

    def __init__(self, mention_id: str, thread: tuple[Mention, ...], error: str | None) -> None:
        super().__init__()
        self.mention_id = mention_id
        self.thread = thread
        self.error = error


class ReplySettled(Message, bubble=False):
    """A reply was sent, or failed, and that outcome is durable.

    The outbox worker posts it to the app, which announces it and hands it on to
    every screen (it does not bubble back up from them).
    """

    def __init__(self, reply: Reply) -> None:
        super().__init__()
        self.reply = reply


class DataChanged(Message, bubble=False):
    """Sent by the app to its screens after a durable change; screens re-read what they show.

    ``changed`` always names at least one changed record.
    """

    def __init__(self, changed: Changed) -> None:
        super().__init__()
        self.changed = changed


class ArchiveLoaded(Message, bubble=False):
    """The archive that start-up deferred has been read: counts over everything are whole."""
