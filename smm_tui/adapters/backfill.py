"""An account's first poll: reading back through the network's newest-first pages.

Mastodon, Bluesky and X list mentions newest first, a page at a time, each page
naming the next older one. On a first poll (no cursor) their adapters hand
:meth:`Backfill.read` a function that reads one page; it pages back until it
holds the ``backfill`` newest mentions, the network has no older page, or the
adapter's safety stop on pages is reached. What it returns is what later polls
expect: those mentions oldest first, with the cursor of the newest item.

A failure in the middle (a rate limit above all) loses nothing and sends nothing
more: the pages already read stay in the :class:`Backfill` (in memory), the
error goes on, and the next first poll resumes at the page that failed. Until
the backfill completes no cursor is handed out, so if the process ends instead
the next one starts the backfill over, and the ingest's de-duplication stores
each mention once. A :class:`RateLimited` raised mid-way carries the mentions
read since the last one (:attr:`RateLimited.read`): being the newest, they are
all among those the backfill will return, so they may be stored at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

from smm_tui.core.models import Mention
from smm_tui.core.network import MentionPage, RateLimited

__all__ = ["Backfill", "BacklogPage", "PageReader"]


@dataclass(frozen=True, slots=True)
class BacklogPage:
    """One page of a newest-first listing, as an adapter read it."""

    #: The page's mentions, newest first (items that are not mentions left out).
    mentions: Sequence[Mention]
    #: The cursor that stands for this page's newest item (None when it is empty).
    cursor: str | None
    #: Where the next older page starts; None when this is the last (or was empty).
    older: str | None


#: Reads the page that ``older`` names (the newest page for None).
PageReader = Callable[[str | None], Awaitable[BacklogPage]]


@dataclass(slots=True)
class _Backlog:
    """What one backfill has read so far, and where it goes on."""

    limit: int | None
    cursor: str | None = None
    resume: str | None = None
    pages: int = 0
    carried: int = 0
    newest_first: list[Mention] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    asked: set[str] = field(default_factory=set)

    @property
    def full(self) -> bool:
        return self.limit is not None and len(self.newest_first) >= self.limit

    def take(self, page: BacklogPage) -> None:
        if self.pages == 0:
            self.cursor = page.cursor
        self.pages += 1
        self._keep(page.mentions)

    def _keep(self, mentions: Iterable[Mention]) -> None:
        for mention in mentions:
            if self.full:
                return
            if mention.external_id not in self.ids:
                self.ids.add(mention.external_id)
                self.newest_first.append(mention)

    def uncarried(self) -> tuple[Mention, ...]:
        """The mentions read since the last call, oldest first."""
        fresh = self.newest_first[self.carried :]
        self.carried = len(self.newest_first)
        return tuple(reversed(fresh))


class Backfill:
    """One adapter's first-poll backfill: how many mentions it keeps, and one in progress.

    ``limit`` is the account's ``backfill`` setting. After a first poll that found
    nothing at all (so no cursor to hand out), everything that arrives later is
    newer than that poll: the next first poll keeps every mention it reads.
    """

    def __init__(self, limit: int) -> None:
        if limit < 0:
            raise ValueError("backfill must be >= 0")
        self.limit: int | None = limit
        self._backlog: _Backlog | None = None

    async def read(self, read_page: PageReader, max_pages: int) -> MentionPage:
        """Page back until the backlog is read; the newest ``limit`` mentions, oldest first.

        At least one page is read, so ``limit = 0`` still learns the cursor.
        Raises what ``read_page`` raises, keeping the pages read for the next call.
        """
        backlog = self._backlog or _Backlog(self.limit)
        self._backlog = backlog
        while backlog.pages < max_pages and (backlog.pages == 0 or not backlog.full):
            try:
                page = await read_page(backlog.resume)
            except RateLimited as exc:
                raise RateLimited(str(exc), exc.retry_at, read=backlog.uncarried()) from None
            backlog.take(page)
            if page.older is None or page.older in backlog.asked:
                break
            backlog.asked.add(page.older)
            backlog.resume = page.older
        self._backlog = None
        if backlog.cursor is None:
            self.limit = None
        return MentionPage(tuple(reversed(backlog.newest_first)), backlog.cursor)
