"""Threads: the conversation around a mention, fetched from its network for display.

Screens ask this service instead of calling an adapter: a network failure or a
missing adapter comes back as one line of text, never as an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from smm_tui.core.context import NotFound, ServiceContext
from smm_tui.core.ingest import sanitize_mention
from smm_tui.core.models import Mention
from smm_tui.core.network import AdapterError
from smm_tui.core.sanitize import one_line
from smm_tui.core.sources import AccountSource


@dataclass(frozen=True, slots=True)
class ThreadResult:
    """A mention's thread (sanitised, as its network ordered it), or why there is none.

    ``error`` is one line safe to display; ``thread`` is empty when it is set.
    """

    thread: tuple[Mention, ...] = ()
    error: str | None = None


class ThreadService:
    """Fetches the thread around a mention through its account's adapter."""

    def __init__(self, ctx: ServiceContext, sources: Mapping[str, AccountSource]) -> None:
        self.ctx = ctx
        self.sources = sources

    async def fetch(self, mention_id: str) -> ThreadResult:
        """The thread around a stored mention; failures come back as ``error`` text."""
        try:
            mention = self.ctx.mention(mention_id)
        except NotFound as exc:
            return ThreadResult(error=one_line(str(exc)))
        source = self.sources.get(mention.account)
        if source is None:
            return ThreadResult(error=one_line(f"no adapter for account {mention.account}"))
        try:
            thread = await source.fetch_thread(mention)
        except AdapterError as exc:
            return ThreadResult(error=one_line(str(exc) or type(exc).__name__))
        return ThreadResult(thread=tuple(sanitize_mention(item) for item in thread))
