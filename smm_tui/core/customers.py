"""The customer view: everything one author said to the brand, and what we did about it.

An author is the same person on one network when the network's author id
matches. Across networks there is no shared id, so a mention elsewhere counts
only when both the handle's user part and the display name match: strict, so
that two different people are not merged on a common first name.
"""

from __future__ import annotations

from dataclasses import dataclass

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Author, Mention, Platform, Reply, Ticket
from smm_tui.core.repository import Collection, Record


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    """An author's mentions (newest first), our replies to them, and their tickets."""

    author: Author
    platform: Platform
    mentions: tuple[Mention, ...]
    replies: tuple[Reply, ...]
    tickets: tuple[Ticket, ...]

    def possible(self, mention: Mention) -> bool:
        """Whether ``mention`` matched by handle and name only (another network): maybe them."""
        return mention.platform is not self.platform or mention.author.id != self.author.id

    @property
    def networks(self) -> tuple[Platform, ...]:
        """The networks the author wrote on, in order of first appearance."""
        return tuple(dict.fromkeys(m.platform for m in self.mentions))


def handle_user(handle: str) -> str:
    """``@anna@fediverse.example`` → ``anna``; ``anna.bsky.social`` → ``anna``."""
    bare = handle.strip().lstrip("@").casefold()
    return bare.split("@", 1)[0].split(".", 1)[0]


class CustomerService:
    """Finds one author's history across the store."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def history(self, mention_id: str) -> CustomerHistory:
        """The history of the author of ``mention_id``; raises NotFound."""
        anchor = self.ctx.mention(mention_id)
        same = _matcher(anchor)
        mentions = sorted(
            (Mention.from_record(r) for r in self.ctx.repo.records(Collection.MENTIONS) if same(r)),
            key=lambda m: m.created_at,
            reverse=True,
        )
        return self._around(anchor.author, anchor.platform, mentions)

    def refreshed(self, history: CustomerHistory) -> CustomerHistory:
        """The same mentions as they are now, with their replies and tickets re-read.

        Cheap enough to run on every change while the view is open: it reads the
        history's own mentions by id, not every mention in the store.
        """
        mentions = []
        for old in history.mentions:
            record = self.ctx.repo.get(Collection.MENTIONS, old.id)
            mentions.append(old if record is None else Mention.from_record(record))
        return self._around(history.author, history.platform, mentions)

    def _around(
        self, author: Author, platform: Platform, mentions: list[Mention]
    ) -> CustomerHistory:
        """A history of these mentions, with our replies to them and their tickets."""
        ids = {m.id for m in mentions}
        replies = sorted(
            (
                Reply.from_record(r)
                for r in self.ctx.repo.records(Collection.REPLIES)
                if r.get("mention_id") in ids
            ),
            key=lambda r: r.created_at,
            reverse=True,
        )
        tickets = sorted(
            (
                Ticket.from_record(r)
                for r in self.ctx.repo.records(Collection.TICKETS)
                if ids.intersection(r.get("mention_ids") or ())
            ),
            key=lambda t: t.created_at,
            reverse=True,
        )
        return CustomerHistory(author, platform, tuple(mentions), tuple(replies), tuple(tickets))


def _matcher(anchor: Mention) -> _Same:
    return _Same(
        anchor.platform.value,
        anchor.author.id,
        handle_user(anchor.author.handle),
        anchor.author.display_name.strip().casefold(),
    )


@dataclass(frozen=True, slots=True)
class _Same:
    platform: str
    author_id: str
    user: str
    name: str

    def __call__(self, record: Record) -> bool:
        author = record["author"]
        if record["platform"] == self.platform:
            return bool(author["id"] == self.author_id)
        if not self.user or not self.name:
            return False
        return (
            handle_user(str(author["handle"])) == self.user
            and str(author["display_name"]).strip().casefold() == self.name
        )
