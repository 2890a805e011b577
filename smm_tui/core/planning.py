"""The content plan: writing posts, checking them, scheduling and unscheduling them.

A post is checked before anything is stored: every account must exist, the
text must not be empty, and each account's text (its network's version, links
tagged) must fit that network's limit as the network counts it. The first
problem is raised as a :class:`PostProblem`, one line that names the account,
the network and the count. Sending is :mod:`smm_tui.core.publisher`'s.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from smm_tui.core.audit import new_id
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import to_iso
from smm_tui.core.platforms import spec
from smm_tui.core.posts import Delivery, DeliveryState, Post
from smm_tui.core.repository import Changed, ChangeSet, Collection
from smm_tui.core.sources import AccountSource
from smm_tui.core.utm import tag_links
from smm_tui.core.when import zone_named

#: How far in the past a time given for a new schedule may be (clock slack).
PAST_SLACK = timedelta(seconds=1)


class PostProblem(ValueError):
    """A post that cannot be stored or sent as it is; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class PublishingSettings:
    """``[publishing]``: UTM tagging, the late limit and how often counts are read."""

    utm: bool = False
    own_domains: tuple[str, ...] = ()
    #: A post due longer ago than this when smm-tui starts waits for a person.
    late_limit: timedelta = timedelta(hours=6)
    #: How often each account's follower count is read.
    growth_every: timedelta = timedelta(hours=1)
    #: The team's time zone (``[sla] timezone``): where typed times are read.
    timezone: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        """:attr:`timezone` as a zone (UTC if the name has become unknown)."""
        return zone_named(self.timezone)


@dataclass(frozen=True, slots=True)
class PostDraft:
    """What a person wrote, before it is a stored post."""

    text: str
    accounts: tuple[str, ...]
    versions: Mapping[str, str] = field(default_factory=dict)
    campaign: str = ""

    @classmethod
    def of(cls, post: Post) -> PostDraft:
        """What ``post`` says, as a draft to check, copy or plan."""
        return cls(post.text, post.accounts, post.versions, post.campaign)


class PlanningService:
    """Creates, edits, schedules and deletes posts and their deliveries."""

    def __init__(
        self,
        ctx: ServiceContext,
        sources: Mapping[str, AccountSource],
        settings: PublishingSettings | None = None,
    ) -> None:
        self.ctx = ctx
        self.sources = sources
        self.settings = settings or PublishingSettings()

    # -- reading --------------------------------------------------------------------

    def post(self, post_id: str) -> Post:
        """The current post; raises NotFound."""
        return self.ctx.load(Post, Collection.POSTS, post_id, "post")

    def posts(self) -> list[Post]:
        """Every post, by time (drafts last, by when they were written)."""
        found = [Post.from_record(r) for r in self.ctx.repo.records(Collection.POSTS)]
        return sorted(found, key=_plan_order)

    def delivery(self, record_id: str) -> Delivery:
        """The current delivery; raises NotFound."""
        return self.ctx.load(Delivery, Collection.DELIVERIES, record_id, "delivery")

    def deliveries(self, post_id: str | None = None) -> list[Delivery]:
        """Every delivery (of one post), in the order of the plan."""
        found = [
            Delivery.from_record(r)
            for r in self.ctx.repo.records(Collection.DELIVERIES)
            if post_id is None or r["post_id"] == post_id
        ]
        return sorted(found, key=lambda d: (to_iso(d.scheduled_at) or "~", d.post_id, d.account))

    # -- checking -------------------------------------------------------------------

    def texts(self, draft: PostDraft, post_id: str) -> dict[str, str]:
        """What each account of ``draft`` would send: its network's version, links tagged."""
        return {account: self._text(draft, post_id, account) for account in draft.accounts}

    def lengths(self, draft: PostDraft, post_id: str = "") -> list[tuple[str, int, int]]:
        """For each known account: (account, length as its network counts, its limit)."""
        return self._measure(self.texts(draft, post_id))

    def _measure(self, texts: Mapping[str, str]) -> list[tuple[str, int, int]]:
        return [
            (account, source.reply_length(text), source.reply_limit)
            for account, text in texts.items()
            if (source := self.sources.get(account)) is not None
        ]

    def check(self, draft: PostDraft, at: datetime | None = None, post_id: str = "") -> None:
        """Raise :class:`PostProblem` for the first thing that stops ``draft`` being sent."""
        if not draft.accounts:
            raise PostProblem("no account chosen: name at least one")
        unknown = [name for name in draft.accounts if name not in self.sources]
        if unknown:
            known = ", ".join(self.sources) or "none configured"
            raise PostProblem(f"unknown account {unknown[0]!r} (accounts: {known})")
        texts = self.texts(draft, post_id)
        for account, text in texts.items():
            if not text.strip():
                raise PostProblem(f"the text for {account} is empty")
        for account, length, limit in self._measure(texts):
            if length > limit:
                name = spec(self.sources[account].platform).name
                raise PostProblem(
                    f"too long for {name} ({account}): {length} characters, the limit is {limit}"
                )
        if at is not None and at < self.ctx.clock() - PAST_SLACK:
            raise PostProblem(f"{to_iso(at)} is in the past: give a time to come")

    # -- changing -------------------------------------------------------------------

    async def create(self, draft: PostDraft, at: datetime | None = None) -> Post:
        """Store a new post, scheduled for ``at`` (None: a draft); checked first."""
        post_id = self.ctx.make_id()
        self.check(draft, at, post_id)
        now = self.ctx.clock()
        post = Post(
            id=post_id,
            text=draft.text,
            accounts=draft.accounts,
            author=self.ctx.actor,
            created_at=now,
            updated_at=now,
            versions=dict(draft.versions),
            campaign=draft.campaign,
            scheduled_at=at,
        )
        changes = ChangeSet().put(Collection.POSTS, post.to_record())
        for delivery in self._deliveries(post):
            changes.put(Collection.DELIVERIES, delivery.to_record())
        self.ctx.audit(changes, "post", post.id, "schedule" if at else "draft")
        await self.ctx.commit(changes)
        return self.post(post.id)

    async def edit(self, post_id: str, draft: PostDraft) -> Post:
        """Replace a post's text, accounts, versions and campaign (while none is on its way)."""
        post = self._editable(post_id)
        self.check(draft, None, post_id)
        changed = dataclasses.replace(
            post,
            text=draft.text,
            accounts=draft.accounts,
            versions=dict(draft.versions),
            campaign=draft.campaign,
            updated_at=self.ctx.clock(),
        )
        return await self._replan(post, changed, "edit")

    async def schedule(self, post_id: str, at: datetime) -> Post:
        """Schedule (or move) a post's unpublished deliveries to ``at``."""
        post = self._editable(post_id)
        draft = PostDraft.of(post)
        self.check(draft, at, post_id)
        changed = dataclasses.replace(post, scheduled_at=at, updated_at=self.ctx.clock())
        return await self._replan(post, changed, "schedule", scheduled_at=to_iso(at))

    async def unschedule(self, post_id: str) -> Post:
        """Take a post back to a draft on every account it has not gone out on."""
        post = self._editable(post_id)
        changed = dataclasses.replace(post, scheduled_at=None, updated_at=self.ctx.clock())
        return await self._replan(post, changed, "unschedule")

    async def delete(self, post_id: str) -> Changed:
        """Forget a draft or scheduled post (one published anywhere stays, as the record of it)."""
        post = self._editable(post_id)
        published = [d for d in self.deliveries(post_id) if d.state is DeliveryState.PUBLISHED]
        if published:
            raise PostProblem(
                f"the post is published on {published[0].account}: it stays as the record of it"
            )
        changes = ChangeSet().delete(Collection.POSTS, post.id, expect={"rev": post.rev})
        for delivery in self.deliveries(post.id):
            changes.delete(Collection.DELIVERIES, delivery.id, expect={"rev": delivery.rev})
        self.ctx.audit(changes, "post", post.id, "delete")
        return await self.ctx.commit(changes)

    async def duplicate(self, post_id: str) -> Post:
        """A new draft with the same text, versions, accounts and campaign."""
        post = self.post(post_id)
        return await self.create(PostDraft.of(post))

    async def release(self, delivery_ids: Iterable[str]) -> Changed:
        """Let held (late) deliveries go out now: a person confirmed them."""
        changes = ChangeSet()
        for record_id in delivery_ids:
            delivery = self.delivery(record_id)
            if delivery.held:
                changes.patch(Collection.DELIVERIES, record_id, {"held": False})
                self.ctx.audit(changes, "delivery", record_id, "confirm late")
        return await self.ctx.commit(changes) if changes else Changed(ids={})

    # -- internals ------------------------------------------------------------------

    def _editable(self, post_id: str) -> Post:
        post = self.post(post_id)
        busy = [d for d in self.deliveries(post_id) if d.state is DeliveryState.PUBLISHING]
        if busy:
            raise PostProblem(f"the post is being published on {busy[0].account}: wait for it")
        if all(d.state is DeliveryState.PUBLISHED for d in self.deliveries(post_id)):
            raise PostProblem("the post is published everywhere: duplicate it to post again")
        return post

    async def _replan(self, before: Post, after: Post, action: str, **detail: object) -> Post:
        """Store ``after`` and bring its unpublished deliveries in line with it."""
        changes = ChangeSet().put(Collection.POSTS, after.to_record())
        current = {d.account: d for d in self.deliveries(before.id)}
        wanted = {d.account: d for d in self._deliveries(after)}
        for account, old in current.items():
            if old.state is DeliveryState.PUBLISHED:
                continue
            new = wanted.get(account)
            if new is None and account in after.accounts:
                # Its account left the config: it keeps its text and follows the schedule.
                new = dataclasses.replace(old, state=_state(after), scheduled_at=after.scheduled_at)
            if new is None:
                changes.delete(Collection.DELIVERIES, old.id, expect={"rev": old.rev})
            else:
                fields: dict[str, object] = {"text": new.text, "state": new.state.value}
                fields |= {"scheduled_at": to_iso(new.scheduled_at), "held": False, "error": None}
                changes.patch(Collection.DELIVERIES, old.id, fields, expect={"rev": old.rev})
        for account, new in wanted.items():
            if account not in current:
                changes.put(Collection.DELIVERIES, new.to_record())
        self.ctx.audit(changes, "post", after.id, action, **detail)
        changed = await self.ctx.commit(changes)
        if len(changed.skipped):
            raise PostProblem("the post changed meanwhile (another smm-tui?): look again")
        return self.post(after.id)

    def _deliveries(self, post: Post) -> Sequence[Delivery]:
        draft = PostDraft.of(post)
        state = _state(post)
        return [
            Delivery(
                post_id=post.id,
                account=account,
                platform=self.sources[account].platform,
                text=self._text(draft, post.id, account),
                state=state,
                scheduled_at=post.scheduled_at,
            )
            for account in post.accounts
            if account in self.sources
        ]

    def _text(self, draft: PostDraft, post_id: str, account: str) -> str:
        source = self.sources.get(account)
        if source is None:
            return draft.text
        platform = source.platform
        text = draft.versions.get(platform.value) or draft.text
        if not self.settings.utm:
            return text
        return tag_links(
            text,
            source=platform.value,
            campaign=draft.campaign,
            # Before it is stored a post has no id yet: count with one of the same length.
            content=post_id or "0" * len(new_id()),
            own_domains=self.settings.own_domains,
        )


def _plan_order(post: Post) -> tuple[str, str]:
    return (to_iso(post.scheduled_at) or "~" + (to_iso(post.created_at) or ""), post.id)


def _state(post: Post) -> DeliveryState:
    """What a post's unpublished deliveries are: scheduled when it has a time."""
    return DeliveryState.SCHEDULED if post.scheduled_at else DeliveryState.DRAFT
