"""A seeded, live mention stream that pretends to be one account on a real network.

Nothing here touches a network: :class:`DemoAdapter` answers the adapter
contract from a :class:`~smm_tui.adapters.demo_stream.Stream`, whose people
(:mod:`~smm_tui.adapters.demo_identities`) write in the simulated network's
style and whose reply limit is that network's in :mod:`smm_tui.core.platforms`.
The first fetch delivers a backlog of comments from the last three hours, then
new ones keep arriving, as on a busy brand page. The account publishes too
(:mod:`~smm_tui.adapters.demo_posts`): ids and links in the network's form, and
follower counts and post counters that grow with the clock.

:meth:`DemoAdapter.working_day` shapes the stream as a team's day: two weeks of
comments the team already handled (:meth:`DemoAdapter.history_mentions`, never
fetched), and a backlog of only the last few minutes.

Tracked complaints are now and then edited into thanks or deleted
(:mod:`~smm_tui.adapters.demo_changes`), as customers do once helped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypedDict, Unpack

from smm_tui.adapters import demo_facts, demo_outage
from smm_tui.adapters.base import (
    Adapter,
    Identity,
    MentionChange,
    MentionPage,
    PermanentError,
    PostCounters,
    PublishedReply,
    TransientError,
)
from smm_tui.adapters.demo_changes import Revisions
from smm_tui.adapters.demo_corpus import Kind
from smm_tui.adapters.demo_identities import Network, Seed
from smm_tui.adapters.demo_posts import PostDesk
from smm_tui.adapters.demo_stream import (
    BACKLOG_WINDOW,
    CONTEST_POST_ID,
    WORKING_DAY_BACKLOG,
    WORKING_DAY_BACKLOG_WINDOW,
    WORKING_DAY_HISTORY,
    Stream,
    comment_number,
)
from smm_tui.adapters.demo_timeline import HISTORY_SPAN, Timeline
from smm_tui.core import limits
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Mention, Platform, utcnow
from smm_tui.core.platforms import spec

__all__ = ["CONTEST_POST_ID", "HISTORY_SPAN", "DemoAdapter"]

# Our replies get ids of their own, far above the comments' numbers.
_FIRST_OWN_REPLY = 500_000


class Pace(TypedDict, total=False):
    """How a demo account's stream is seeded and how fast it runs (defaults: ``DemoAdapter``'s)."""

    seed: int
    rate_per_minute: float
    clock: Callable[[], datetime]


class DemoAdapter(Adapter):
    """A realistic, seeded, live mention stream for one account on a simulated network.

    Mentions carry ``simulate`` as their platform, so the UI shows a real
    network, and a reply may be as long as that network allows. ``fail_next_replies``
    makes the next that many :meth:`post_reply` calls raise :class:`TransientError`,
    for trying out failed replies. It is polled as often as the demo's registry
    entry says, whatever network it plays, so the demo feels live.

    ``history`` comments come before the backlog, spread over :data:`HISTORY_SPAN`:
    they are never fetched as new (see :meth:`history_mentions`). The backlog is
    ``backlog`` comments over the ``backlog_window`` before ``start``. ``outage_after``
    (None for none) is when an outage's burst of complaints begins after ``start``
    (:mod:`~smm_tui.adapters.demo_outage`).
    """

    poll_interval: float | None = spec(Platform.DEMO).poll_interval

    def __init__(
        self,
        account: str,
        *,
        simulate: Platform,
        seed: int = 7,
        rate_per_minute: float = 12.0,
        backlog: int = 30,
        clock: Callable[[], datetime] = utcnow,
        start: datetime | None = None,
        history: int = 0,
        backlog_window: timedelta = BACKLOG_WINDOW,
        outage_after: timedelta | None = None,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        if backlog < 0 or history < 0:
            raise ValueError("backlog and history must not be negative")
        super().__init__(account)
        self.platform = simulate
        self.reply_limit = spec(simulate).reply_limit
        self.idempotent_posts = spec(simulate).capabilities.idempotency_keys
        self.fail_next_replies = 0
        self._seed = seed
        self._clock = clock
        self._history = history
        seeds = Seed.of(seed, account, simulate)
        burst = () if outage_after is None else demo_outage.plan(seeds.rng("outage"), outage_after)
        self._timeline = Timeline(
            seeds,
            history=history,
            backlog=backlog,
            backlog_window=backlog_window,
            rate_per_minute=rate_per_minute,
            start=_as_utc(start if start is not None else clock()),
            outage=[comment.offset_s for comment in burst],
        )
        network = Network(simulate, account, seeds.rng("network"))
        self._stream = Stream(seeds, network, self._timeline, burst)
        self._desk = PostDesk(seeds, self._stream.brand, simulate, clock)
        self._published: dict[str, PublishedReply] = {}
        self._own_replies: dict[str, Mention] = {}
        self._revisions = Revisions(seeds, simulate, clock)
        self.change_note = self._revisions.note

    @classmethod
    def working_day(
        cls,
        account: str,
        *,
        simulate: Platform,
        **pace: Unpack[Pace],
    ) -> DemoAdapter:
        """An account in the middle of a team's working day.

        A fortnight of comments lies behind it (:meth:`history_mentions`, for a
        workspace to record as handled) and only the last minutes are a backlog. Some
        minutes in, the app goes down (:mod:`~smm_tui.adapters.demo_outage`; its
        variable moves or stops that).
        """
        return cls(
            account,
            simulate=simulate,
            history=WORKING_DAY_HISTORY,
            backlog=WORKING_DAY_BACKLOG,
            backlog_window=WORKING_DAY_BACKLOG_WINDOW,
            outage_after=demo_outage.outage_after(os.environ),
            **pace,
        )

    def with_clock(self, clock: Callable[[], datetime]) -> DemoAdapter:
        """The same account (same seed, posts and numbers) as seen at ``clock``'s time.

        The demo's week of posts is played through one of these, so what it
        publishes carries the times it was published at.
        """
        return DemoAdapter(
            self.account, simulate=self.platform, seed=self._seed, backlog=0, clock=clock
        )

    def history_mentions(self) -> tuple[Mention, ...]:
        """The comments written before the backlog, oldest first: never fetched as new."""
        return tuple(self._stream.mention(number) for number in range(1, self._history + 1))

    @property
    def contest_post_id(self) -> str:
        """The external id of the account's giveaway post."""
        return CONTEST_POST_ID

    @property
    def post_ids(self) -> tuple[str, ...]:
        """The account's post ids: regular posts oldest first, then the contest post."""
        return tuple(self._stream.posts)

    def reply_length(self, text: str) -> int:
        """The length of ``text`` as the simulated network counts it."""
        return limits.reply_length(self.platform, text)

    async def verify(self) -> Identity:
        """Who the account is on the simulated network."""
        brand = self._stream.brand
        return Identity(brand.id, brand.handle, brand.display_name)

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Every comment after ``cursor`` that has arrived by now, oldest first.

        With no cursor the backlog comes first. The cursor is the stream index
        of the last comment delivered; a caught-up fetch returns it unchanged.
        """
        now = self._clock()
        last = self._history if cursor is None else _parse_cursor(cursor)
        self._timeline.rebase_if_ahead(last, now)
        numbers = self._arrived(last + 1, now)
        if not numbers:
            return MentionPage((), cursor)
        mentions = tuple(self._stream.mention(number) for number in numbers)
        return MentionPage(mentions, str(numbers[-1]))

    async def fetch_changes(self, tracked: Sequence[Mention]) -> tuple[MentionChange, ...]:
        """Now and then a tracked complaint, after a few looks, is edited into thanks or
        deleted by its author; the same on every run with the same seed."""
        return self._revisions.look(tracked, self._is_complaint)

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """The brand post down to ``mention``'s parent, then replies to ``mention`` (ours too)."""
        self._check_ours(mention)
        ancestors = self._ancestors(mention.parent_external_id)
        return (*ancestors, *self._descendants(mention.external_id, self._clock()))

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Every comment under one of the account's posts, nested replies too, oldest first."""
        if self._stream.post(post_external_id) is None:
            raise PermanentError(f"no such post: {post_external_id!r}")
        return tuple(
            self._stream.mention(number)
            for number in self._arrived(1, self._clock())
            if self._stream.item(number).root == post_external_id
        )

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Record ``text`` as the brand's reply to ``mention``; a repeated key publishes once."""
        if self.fail_next_replies > 0:
            self.fail_next_replies -= 1
            raise TransientError("demo: simulated network failure")
        published = self._published.get(idempotency_key)
        if published is not None:
            return published
        self._check_reply(mention, text)
        number = _FIRST_OWN_REPLY + len(self._own_replies) + 1
        reply = self._own_reply(mention, text, number)
        published = PublishedReply(reply.external_id, reply.url)
        self._own_replies[reply.external_id] = reply
        self._published[idempotency_key] = published
        return published

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        """Publish ``text`` on the account's page now; a repeated ``key`` publishes once."""
        self._check_text(text)
        return self._desk.publish(text, key)

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        """Our post with ``text`` (or ``key``) since ``since``; Unverifiable where the
        simulated network cannot list the account's posts (Telegram)."""
        return self._desk.find(text, key, since)

    async def follower_count(self) -> int:
        """The account's followers now, from its seed and the clock."""
        return self._desk.followers(self._clock())

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """The counters of the account's posts, grown with their age (views only where the
        simulated network gives them)."""
        return self._desk.counters(external_ids)

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Membership and account age as the simulated network tells them, the same for an
        author on every run (:mod:`~smm_tui.adapters.demo_facts`)."""
        return demo_facts.facts_of(self.platform, authors, self._clock())

    # -- the stream as the network shows it -----------------------------------

    def _arrived(self, first: int, now: datetime) -> list[int]:
        """The stream's items from ``first`` on that were written by ``now``."""
        numbers: list[int] = []
        number = first
        while self._timeline.time_of(number) <= now:
            numbers.append(number)
            number += 1
        return numbers

    def _is_complaint(self, external_id: str) -> bool:
        number = comment_number(external_id)
        return number is not None and self._stream.item(number).kind is Kind.COMPLAINT

    def _own_reply(self, mention: Mention, text: str, number: int) -> Mention:
        root = mention.root_external_id or mention.external_id
        stream = self._stream
        post = stream.post(root) or stream.posts[CONTEST_POST_ID]
        return Mention(
            platform=self.platform,
            account=self.account,
            external_id=f"r{number - _FIRST_OWN_REPLY}",
            author=stream.brand,
            text=text,
            created_at=self._clock(),
            url=stream.url(post, number, stream.brand.handle),
            parent_external_id=mention.external_id,
            root_external_id=root,
        )

    def _lookup(self, external_id: str) -> Mention | None:
        post = self._stream.post(external_id)
        if post is not None:
            return self._stream.post_mention(post)
        if external_id in self._own_replies:
            return self._own_replies[external_id]
        number = comment_number(external_id)
        return None if number is None else self._stream.mention(number)

    def _ancestors(self, parent_id: str | None) -> list[Mention]:
        chain: list[Mention] = []
        while parent_id is not None:
            parent = self._lookup(parent_id)
            if parent is None:
                break
            chain.append(parent)
            parent_id = parent.parent_external_id
        chain.reverse()
        return chain

    def _descendants(self, external_id: str, now: datetime) -> list[Mention]:
        """Every reply below ``external_id`` that exists by ``now``, oldest first."""
        thread = {external_id}
        below = self._stream.replies_below(external_id, thread, now)
        found = [self._stream.mention(number) for number in below]
        for reply in self._own_replies.values():
            if reply.parent_external_id in thread and reply.created_at <= now:
                thread.add(reply.external_id)
                found.append(reply)
        return sorted(found, key=lambda mention: mention.created_at)

    def _check_ours(self, mention: Mention) -> None:
        if mention.account != self.account or mention.platform != self.platform:
            raise PermanentError("that mention belongs to another account")

    def _check_text(self, text: str) -> None:
        if not text.strip():
            raise PermanentError("a post or reply needs some text")
        if self.reply_length(text) > self.reply_limit:
            raise PermanentError(f"text is longer than {self.reply_limit}")

    def _check_reply(self, mention: Mention, text: str) -> None:
        self._check_ours(mention)
        self._check_text(text)
        target = mention.external_id
        number = comment_number(target)
        arrived = number is not None and self._timeline.time_of(number) <= self._clock()
        known = target in self._own_replies or self._stream.post(target) is not None
        if not arrived and not known:
            raise PermanentError(f"no such comment: {target!r}")


def _parse_cursor(cursor: str) -> int:
    if not cursor.isdigit():
        raise PermanentError(f"not a demo cursor: {cursor!r}")
    return int(cursor)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
