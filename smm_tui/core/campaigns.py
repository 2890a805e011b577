"""Campaigns: a name, a period and a budget, and which posts, links and mentions are theirs.

A campaign's posts are those whose ``campaign`` is its name (case aside), and
those added to it by id (from the Content pane, or by a query). Its mentions
are the replies to those posts, whenever they came, and the mentions that
carry one of its hashtags or keywords during its period. Keywords match
their word forms as a query's words do (Snowball stems, see
:mod:`smm_tui.core.stemming`); a keyword of several words is a phrase, exact.
Contests linked to it (by id) bring theirs too: the comments on a contest's
post during the period. The period is whole days, both inclusive, in the
team's time zone.

Names, hashtags and keywords are typed by people and may be quoted in problems:
show them as plain text, never as markup.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import ClassVar

from smm_tui.core.codec import Recorded, stored
from smm_tui.core.context import NotFound, ServiceContext
from smm_tui.core.models import Contest, Mention
from smm_tui.core.posts import Delivery, DeliveryState, Post
from smm_tui.core.query_ast import fold
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sanitize import one_line
from smm_tui.core.spend import SpendImport, SpendRow, parse_amount
from smm_tui.core.stemming import extra_stems, needle_for

__all__ = [
    "Campaign",
    "CampaignError",
    "CampaignService",
    "ContestLink",
    "attributed",
    "campaign_contests",
    "campaign_id",
    "campaign_posts",
    "find_contest",
    "slug",
]


class CampaignError(ValueError):
    """A campaign that cannot be made as asked (one line, for the user)."""


def campaign_id(name: str) -> str:
    """A campaign's id: its name folded, spaces collapsed (``Spring  Sale`` is ``spring sale``)."""
    return fold(" ".join(name.split()))


def slug(name: str) -> str:
    """The name as a ``utm_campaign`` value: folded, runs of other characters as ``-``."""
    return re.sub(r"[\W_]+", "-", fold(name)).strip("-")


def _budget_to_record(amount: Decimal | None) -> str | None:
    return None if amount is None else format(amount, "f")


def _budget_from_record(value: object) -> Decimal:
    amount = parse_amount(str(value))
    if amount is None:
        raise ValueError(f"budget {value!r} is not an amount")
    return amount


@dataclass(frozen=True, slots=True)
class Campaign(Recorded):
    """A campaign: its period (whole days, inclusive, team's zone), budget and terms."""

    name: str
    starts: date = field(metadata=stored(encode=date.isoformat, decode=date.fromisoformat))
    ends: date = field(metadata=stored(encode=date.isoformat, decode=date.fromisoformat))
    created_at: datetime
    created_by: str
    #: Folded, without the ``#``.
    hashtags: tuple[str, ...] = ()
    #: Folded; a word matches its forms, several words are an exact phrase.
    keywords: tuple[str, ...] = ()
    budget: Decimal | None = field(
        default=None, metadata=stored(encode=_budget_to_record, decode=_budget_from_record)
    )
    #: ISO 4217, with a budget ("" without one).
    currency: str = ""
    #: The ``utm_campaign`` value its links carry.
    utm: str = ""
    #: Posts added to it by id, whatever their own ``campaign`` says.
    post_ids: tuple[str, ...] = ()
    #: The contests linked to it, by id, in the order they were linked.
    contest_ids: tuple[str, ...] = ()

    record_extras: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def id(self) -> str:
        """The folded name (see :func:`campaign_id`)."""
        return campaign_id(self.name)

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """The period as moments: from the first day's midnight to the day after the last's."""
        start = datetime.combine(self.starts, time(), zone)
        end = datetime.combine(self.ends + timedelta(days=1), time(), zone)
        return start, end


@dataclass(frozen=True, slots=True)
class ContestLink:
    """A contest linked to a campaign: both as they are now, and whether the link is new."""

    campaign: Campaign
    contest: Contest
    added: bool


def find_contest(contests: Iterable[Contest], ref: str) -> Contest:
    """The contest whose id is ``ref``, else the one so named (case and spaces aside).

    Raises NotFound when none is, CampaignError when several share the name.
    """
    every = list(contests)
    for contest in every:
        if contest.id == ref.strip():
            return contest
    named = [contest for contest in every if campaign_id(contest.name) == campaign_id(ref)]
    if not named:
        raise NotFound(f"no contest {one_line(ref)!r} (give its id, or its name as listed)")
    if len(named) > 1:
        ids = ", ".join(contest.id for contest in named)
        raise CampaignError(
            f"{len(named)} contests are called {one_line(ref)!r}: give its id ({ids})"
        )
    return named[0]


class CampaignService:
    """Creates campaigns and keeps the spend imported for them."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def get(self, name: str) -> Campaign:
        """The campaign called ``name`` (case aside); raises NotFound."""
        record = self.ctx.repo.get(Collection.CAMPAIGNS, campaign_id(name))
        if record is None:
            raise NotFound(f"no campaign {one_line(name)!r}")
        return Campaign.from_record(record)

    def all(self) -> list[Campaign]:
        """Every campaign, earliest period first."""
        found = [Campaign.from_record(r) for r in self.ctx.repo.records(Collection.CAMPAIGNS)]
        return sorted(found, key=lambda c: (c.starts, c.ends, c.id))

    async def create(
        self,
        name: str,
        starts: date,
        ends: date,
        *,
        hashtags: Iterable[str] = (),
        keywords: Iterable[str] = (),
        budget: tuple[Decimal, str] | None = None,
    ) -> Campaign:
        """Record a new campaign; CampaignError if the name is empty or taken, or the
        period ends before it starts."""
        plain = " ".join(name.split())
        if not plain:
            raise CampaignError("the campaign's name is empty")
        if ends < starts:
            raise CampaignError(f"the campaign ends ({ends}) before it starts ({starts})")
        if self.ctx.repo.get(Collection.CAMPAIGNS, campaign_id(plain)) is not None:
            raise CampaignError(f"a campaign {plain!r} already exists")
        campaign = Campaign(
            name=plain,
            starts=starts,
            ends=ends,
            created_at=self.ctx.clock(),
            created_by=self.ctx.actor,
            hashtags=_terms(fold(tag).lstrip("#") for tag in hashtags),
            keywords=_terms(fold(" ".join(word.split())) for word in keywords),
            budget=budget[0] if budget else None,
            currency=budget[1] if budget else "",
            utm=slug(plain),
        )
        changes = ChangeSet().insert_new(Collection.CAMPAIGNS, campaign.to_record())
        self.ctx.audit(changes, "campaign", campaign.id, "create", name=plain)
        await self.ctx.commit(changes)
        return self.get(plain)

    async def add_posts(self, name: str, post_ids: Iterable[str]) -> tuple[Campaign, int]:
        """Add posts to the campaign called ``name`` by id; the campaign and how many were new.

        Raises NotFound for no such campaign, CampaignError if it changed meanwhile. A
        post added already is not added twice.
        """
        campaign = self.get(name)
        added = tuple(pid for pid in dict.fromkeys(post_ids) if pid not in campaign.post_ids)
        if not added:
            return campaign, 0
        record = self.ctx.repo.get(Collection.CAMPAIGNS, campaign.id) or {}
        changes = ChangeSet().patch(
            Collection.CAMPAIGNS,
            campaign.id,
            {"post_ids": [*campaign.post_ids, *added]},
            # Two people adding at once: the second patch must not drop the first's posts.
            expect={"rev": record.get("rev")},
        )
        self.ctx.audit(changes, "campaign", campaign.id, "add posts", posts=len(added))
        await self.ctx.commit(changes)
        now = self.get(name)
        if not set(added) <= set(now.post_ids):
            raise CampaignError(f"campaign {now.name!r} changed meanwhile: add the posts again")
        return now, len(added)

    def contest(self, ref: str) -> Contest:
        """The contest whose id or name is ``ref`` (see :func:`find_contest`)."""
        return find_contest(
            (Contest.from_record(r) for r in self.ctx.repo.records(Collection.CONTESTS)), ref
        )

    async def link_contest(self, name: str, contest: str) -> ContestLink:
        """Link a contest (its id, or its name) to the campaign called ``name``.

        Raises NotFound for no such campaign or contest, CampaignError if several
        contests have that name or the campaign changed meanwhile. A contest linked
        already is left as it is (``added`` is False).
        """
        campaign = self.get(name)
        found = self.contest(contest)
        if found.id in campaign.contest_ids:
            return ContestLink(campaign, found, added=False)
        record = self.ctx.repo.get(Collection.CAMPAIGNS, campaign.id) or {}
        changes = ChangeSet().patch(
            Collection.CAMPAIGNS,
            campaign.id,
            {"contest_ids": [*campaign.contest_ids, found.id]},
            # Two people linking at once: the second patch must not drop the first's contest.
            expect={"rev": record.get("rev")},
        )
        self.ctx.audit(changes, "campaign", campaign.id, "link contest", contest=found.id)
        await self.ctx.commit(changes)
        now = self.get(name)
        if found.id not in now.contest_ids:
            raise CampaignError(f"campaign {now.name!r} changed meanwhile: link the contest again")
        return ContestLink(now, found, added=True)

    def spend(self, campaign: Campaign) -> list[SpendRow]:
        """The spend rows imported for ``campaign`` (its name, case aside), oldest first."""
        rows = [SpendRow.from_record(r) for r in self.ctx.repo.records(Collection.SPEND)]
        mine = [row for row in rows if campaign_id(row.campaign) == campaign.id]
        return sorted(mine, key=lambda row: (row.day, row.network.value, row.currency))

    async def import_spend(self, imported: SpendImport) -> int:
        """Keep a spend file's good rows (a row read again replaces itself); how many."""
        if not imported.rows:
            return 0
        changes = ChangeSet()
        for row in imported.rows:
            changes.put(Collection.SPEND, row.to_record())
        self.ctx.audit(changes, "spend", "import", "import", rows=len(imported.rows))
        await self.ctx.commit(changes)
        return len(imported.rows)


def _terms(folded: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for term in folded if term))


# -- what belongs to a campaign -------------------------------------------------------


def campaign_posts(
    campaign: Campaign, posts: Iterable[Post], deliveries: Iterable[Delivery]
) -> tuple[list[Post], list[Delivery]]:
    """The campaign's posts (their ``campaign`` is its name, or it holds their id) and their
    published deliveries."""
    added = set(campaign.post_ids)
    mine = [
        post
        for post in posts
        if post.id in added or (post.campaign and campaign_id(post.campaign) == campaign.id)
    ]
    ids = {post.id for post in mine}
    published = [
        d
        for d in deliveries
        if d.post_id in ids and d.state is DeliveryState.PUBLISHED and d.published_at is not None
    ]
    return mine, published


def campaign_contests(campaign: Campaign, contests: Iterable[Contest]) -> list[Contest]:
    """The contests linked to the campaign, in the order they were linked."""
    by_id = {contest.id: contest for contest in contests}
    return [by_id[cid] for cid in campaign.contest_ids if cid in by_id]


def attributed(
    campaign: Campaign,
    mentions: Iterable[Mention],
    published: Iterable[Delivery],
    zone: tzinfo,
    contests: Iterable[Contest] = (),
) -> list[str]:
    """The ids of the mentions that belong to ``campaign``, in the order given.

    ``published`` are the campaign's published deliveries (see :func:`campaign_posts`):
    a mention on the same account replying to one of them (its parent or its thread's
    root) belongs, whenever it came; one carrying a hashtag or keyword, or commenting
    on the post of a contest linked to it (of ``contests``), belongs when it came
    during the period.
    """
    replied_to = {(d.account, d.external_id) for d in published if d.external_id}
    entered = {(c.account, c.post_external_id) for c in campaign_contests(campaign, contests)}
    start, end = campaign.bounds(zone)

    def belongs(mention: Mention) -> bool:
        thread = {mention.parent_external_id, mention.root_external_id} - {None}
        if any((mention.account, ext) in replied_to for ext in thread):
            return True
        if not start <= mention.created_at < end:
            return False
        in_contest = any((mention.account, ext) in entered for ext in thread)
        return in_contest or carries_terms(campaign, mention.text)

    return [mention.id for mention in mentions if belongs(mention)]


def carries_terms(campaign: Campaign, text: str) -> bool:
    """Whether ``text`` carries one of the campaign's hashtags or keywords."""
    folded = fold(text)
    tags = {match.group(1) for match in _HASHTAG.finditer(folded)}
    if any(tag in tags for tag in campaign.hashtags):
        return True
    words = f" {' '.join(_WORD.findall(folded))} {extra_stems(folded)} "
    return any(_has_keyword(keyword, words) for keyword in campaign.keywords)


_HASHTAG = re.compile(r"#(\w+)")
_WORD = re.compile(r"\w+")


def _has_keyword(keyword: str, words: str) -> bool:
    """A one-word keyword: a word beginning with its stem; a phrase: those words in order."""
    parts = _WORD.findall(keyword)
    if not parts:
        return False
    if len(parts) > 1:
        return f" {' '.join(parts)} " in words
    return f" {needle_for(parts[0])}" in words


def with_campaign(row: SpendRow, campaign: Campaign) -> SpendRow:
    """``row`` under the campaign's own spelling of its name."""
    return dataclasses.replace(row, campaign=campaign.name)
