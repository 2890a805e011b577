"""A campaign's figures, from stored records: each says where it came from.

A figure a network did not give, or that has nothing to be worked out from, is
None (shown as missing), never 0, and its ``source`` says why. Money stays in
its own currency: the cost figures are one set per currency (see
:func:`~smm_tui.core.spend.cost_figures`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from smm_tui.core.campaigns import (
    Campaign,
    attributed,
    campaign_contests,
    campaign_id,
    campaign_posts,
    with_campaign,
)
from smm_tui.core.context import ServiceContext
from smm_tui.core.draw import canonical_entrants
from smm_tui.core.models import Contest, Entry, Mention, Sentiment
from smm_tui.core.posts import Delivery, FollowerReading, Post
from smm_tui.core.report import build, minutes_text, percentile
from smm_tui.core.repository import Collection
from smm_tui.core.spend import CostFigures, SpendRow, cost_figures

__all__ = [
    "CampaignFigures",
    "CampaignRecords",
    "Figure",
    "campaign_figures",
    "figures_for",
    "figures_from",
    "label",
    "read_records",
    "summary",
    "value_text",
]

Value = int | float | Decimal | None

#: The counters a published post has, as :class:`Delivery` names them.
COUNTERS = ("views", "likes", "reposts", "replies")
#: The cost figures, as :class:`CostFigures` names them.
COSTS = (
    "spend",
    "impressions",
    "clicks",
    "cpm",
    "cpc",
    "cost_per_engagement",
    "cost_per_new_follower",
    "cost_per_comment",
)


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure: its value (None: missing), where it came from, and what it is of.

    ``scope`` is "" for the whole campaign, an account's name, or ``account post``
    for one published post; ``currency`` is set on money and the cost figures.
    """

    name: str
    value: Value
    source: str
    scope: str = ""
    currency: str = ""


@dataclass(frozen=True, slots=True)
class CampaignFigures:
    """Every figure of one campaign, in the order a report lists them."""

    campaign: Campaign
    figures: tuple[Figure, ...]

    def figure(self, name: str, scope: str = "", currency: str = "") -> Figure:
        """The figure so named; KeyError if there is none."""
        for figure in self.figures:
            if (figure.name, figure.scope, figure.currency) == (name, scope, currency):
                return figure
        raise KeyError((name, scope, currency))

    def value(self, name: str, scope: str = "", currency: str = "") -> Value:
        """The value of the figure so named (None: missing)."""
        return self.figure(name, scope, currency).value

    def per_currency(self, name: str) -> list[Figure]:
        """The figures so named that are in a currency (``spend``, ``cpc``…), by currency."""
        found = [f for f in self.figures if f.name == name and f.currency and not f.scope]
        return sorted(found, key=lambda f: f.currency)


@dataclass(frozen=True, slots=True)
class CampaignRecords:
    """The stored records a campaign's figures and charts are worked out from (all of them)."""

    posts: tuple[Post, ...]
    deliveries: tuple[Delivery, ...]
    mentions: tuple[Mention, ...]
    readings: tuple[FollowerReading, ...]
    spend: tuple[SpendRow, ...]
    contests: tuple[Contest, ...] = ()
    #: The entries of the contests linked to a campaign (only theirs: there may be many).
    entries: tuple[Entry, ...] = ()


def read_records(ctx: ServiceContext) -> CampaignRecords:
    """Every record a campaign's figures need, read once (the archive too) for any campaigns."""
    repo = ctx.repo
    repo.load_archive()
    linked = {cid for r in repo.records(Collection.CAMPAIGNS) for cid in r.get("contest_ids", ())}
    return CampaignRecords(
        posts=tuple(Post.from_record(r) for r in repo.records(Collection.POSTS)),
        deliveries=tuple(Delivery.from_record(r) for r in repo.records(Collection.DELIVERIES)),
        mentions=tuple(Mention.from_record(r) for r in repo.records(Collection.MENTIONS)),
        readings=tuple(FollowerReading.from_record(r) for r in repo.records(Collection.FOLLOWERS)),
        spend=tuple(SpendRow.from_record(r) for r in repo.records(Collection.SPEND)),
        contests=tuple(Contest.from_record(r) for r in repo.records(Collection.CONTESTS)),
        entries=tuple(
            Entry.from_record(r)
            for r in repo.records(Collection.ENTRIES)
            if r["contest_id"] in linked
        ),
    )


def figures_for(ctx: ServiceContext, campaign: Campaign, zone: tzinfo) -> CampaignFigures:
    """The campaign's figures from what the store holds now."""
    return figures_from(read_records(ctx), campaign, zone, ctx.clock())


def figures_from(
    records: CampaignRecords, campaign: Campaign, zone: tzinfo, now: datetime
) -> CampaignFigures:
    """The campaign's figures from records read already (see :func:`read_records`)."""
    return campaign_figures(
        campaign,
        posts=records.posts,
        deliveries=records.deliveries,
        mentions=records.mentions,
        readings=records.readings,
        spend=records.spend,
        zone=zone,
        now=now,
        contests=records.contests,
        entries=records.entries,
    )


def campaign_figures(
    campaign: Campaign,
    *,
    posts: Iterable[Post],
    deliveries: Iterable[Delivery],
    mentions: Iterable[Mention],
    readings: Iterable[FollowerReading],
    spend: Iterable[SpendRow],
    zone: tzinfo,
    now: datetime,
    contests: Iterable[Contest] = (),
    entries: Iterable[Entry] = (),
) -> CampaignFigures:
    """The campaign's figures from these records (all of the store's: they are filtered here)."""
    mine, published = campaign_posts(campaign, posts, deliveries)
    linked = campaign_contests(campaign, contests)
    mention_list = list(mentions)
    ids = set(attributed(campaign, mention_list, published, zone, linked))
    its_mentions = [m for m in mention_list if m.id in ids]
    by_account: dict[str, list[FollowerReading]] = {}
    for reading in sorted(readings, key=lambda r: r.at):
        by_account.setdefault(reading.account, []).append(reading)
    accounts = sorted({account for post in mine for account in post.accounts})
    figures = [_budget(campaign)]
    figures.append(
        Figure(
            "posts_published",
            len(published),
            f"deliveries published of the posts of campaign {campaign.name!r}",
        )
    )
    totals = {name: _total(published, name) for name in COUNTERS}
    figures += [_counter_figure(name, totals[name], published) for name in COUNTERS]
    engaged = _engagements(totals)
    figures.append(engaged)
    figures += [_rate(d, by_account.get(d.account, [])) for d in published]
    changes = [_follower_change(campaign, a, by_account.get(a, []), zone, now) for a in accounts]
    figures += [figure for pair in changes for figure in pair]
    figures += _mention_figures(its_mentions, now, with_contests=bool(linked))
    figures += _contest_figures(campaign, linked, entries)
    growth = [pair[0].value for pair in changes]
    spend_rows = [row for row in spend if _is_for(row, campaign)]
    figures.append(_tracked_clicks(campaign, spend_rows))
    figures += _cost_figures(campaign, spend_rows, engaged.value, growth, totals["replies"])
    return CampaignFigures(campaign, tuple(figures))


def _budget(campaign: Campaign) -> Figure:
    if campaign.budget is None:
        return Figure("budget", None, "missing: no budget set")
    return Figure("budget", campaign.budget, "set on the campaign", currency=campaign.currency)


def _total(published: Sequence[Delivery], counter: str) -> int | None:
    """A counter summed over the published posts; None if any lacks it (or there are none)."""
    values: list[int | None] = [getattr(d, counter) for d in published]
    if not values or None in values:
        return None
    return sum(v for v in values if v is not None)


def _counter_figure(name: str, total: int | None, published: Sequence[Delivery]) -> Figure:
    if not published:
        return Figure(name, None, "missing: no published posts")
    lacking = [d for d in published if getattr(d, name) is None]
    if lacking:
        notes = sorted({d.metrics_note or "not read yet" for d in lacking})
        why = "; ".join(notes)
        return Figure(name, None, f"missing: {len(lacking)} of {len(published)} posts ({why})")
    return Figure(name, total, f"sum of the networks' counters of {len(published)} posts")


def _engagements(totals: dict[str, int | None]) -> Figure:
    parts = (totals["likes"], totals["reposts"], totals["replies"])
    if None in parts:
        return Figure("engagements", None, "missing: likes, reposts or replies are missing")
    return Figure("engagements", sum(p for p in parts if p is not None), "likes+reposts+replies")


def _reading_at(readings: Sequence[FollowerReading], moment: datetime) -> FollowerReading | None:
    """The newest reading at or before ``moment`` (``readings`` oldest first)."""
    before = [r for r in readings if r.at <= moment]
    return before[-1] if before else None


def _rate(delivery: Delivery, readings: Sequence[FollowerReading]) -> Figure:
    """Engagements per follower at publishing time, for one published post."""
    scope = f"{delivery.account} {delivery.external_id or delivery.post_id}"
    assert delivery.published_at is not None
    counts = (delivery.likes, delivery.reposts, delivery.replies)
    reading = _reading_at(readings, delivery.published_at)
    if None in counts:
        return Figure("engagement_rate", None, "missing: the post's counters are missing", scope)
    if reading is None or reading.followers == 0:
        why = "no follower reading before it was published"
        return Figure("engagement_rate", None, f"missing: {why}", scope)
    engagements = sum(c for c in counts if c is not None)
    read = f"{reading.at:%Y-%m-%d %H:%M} UTC"
    source = f"{engagements} engagements / {reading.followers} followers read {read}"
    return Figure("engagement_rate", engagements / reading.followers, source, scope)


def _follower_change(
    campaign: Campaign,
    account: str,
    readings: Sequence[FollowerReading],
    zone: tzinfo,
    now: datetime,
) -> tuple[Figure, Figure]:
    """The account's follower change over the period, and over as long just before it."""
    start, end = campaign.bounds(zone)
    end = min(end, now)
    length = end - start
    during = _change(readings, start, end, "the period")
    before = _change(readings, start - length, start, "as long before it")
    return (
        Figure("follower_change", during[0], during[1], account),
        Figure("follower_change_before", before[0], before[1], account),
    )


def _change(
    readings: Sequence[FollowerReading], start: datetime, end: datetime, what: str
) -> tuple[int | None, str]:
    first, last = _reading_at(readings, start), _reading_at(readings, end)
    if first is None or last is None:
        return None, f"missing: no follower reading from before {what} began"
    span = f"{first.at:%Y-%m-%d %H:%M} and {last.at:%Y-%m-%d %H:%M} UTC"
    return last.followers - first.followers, f"follower readings at {span}"


def _mention_figures(
    mentions: Sequence[Mention], now: datetime, *, with_contests: bool
) -> list[Figure]:
    source = "mentions replying to its posts, or with its hashtags or keywords in its period"
    if with_contests:
        source = (
            "mentions replying to its posts, or with its hashtags or keywords or on its "
            "contests' posts in its period"
        )
    figures = [Figure("mentions", len(mentions), source)]
    for tone in Sentiment:
        count = sum(1 for m in mentions if m.sentiment is tone)
        figures.append(Figure(f"tone_{tone.value}", count, f"{source}; tone as labelled"))
    rows = [row for row in build(mentions, now=now) if row.grouping == "network"]
    times = [t for row in rows for t in row.times]
    judged = sum(row.judged_answered + row.overdue for row in rows)
    within = sum(row.within_target for row in rows)
    median = percentile(times, 50)
    figures.append(
        Figure(
            "first_response_median_minutes",
            median,
            f"{len(times)} answered mentions" if times else "missing: no answered mention",
        )
    )
    share = within / judged if judged else None
    why = f"{within} of {judged} with a target" if judged else "missing: none with a target"
    figures.append(Figure("within_target_share", share, why))
    return figures


def _contest_figures(
    campaign: Campaign, linked: Sequence[Contest], entries: Iterable[Entry]
) -> list[Figure]:
    """The valid entries of its linked contests (one per author each), and their authors."""
    if not linked:
        why = "missing: no contest linked to it"
        if campaign.contest_ids:
            why = "missing: its linked contests are not in the store"
        return [Figure("contest_entries", None, why), Figure("contest_participants", None, why)]
    by_contest: dict[str, list[Entry]] = {contest.id: [] for contest in linked}
    for entry in entries:
        if entry.contest_id in by_contest:
            by_contest[entry.contest_id].append(entry)
    valid = {cid: canonical_entrants(found) for cid, found in by_contest.items()}
    # An author id is a network's: the same id on two networks is two people.
    platform = {contest.id: contest.platform for contest in linked}
    authors = {(platform[cid], e.author.id) for cid, kept in valid.items() for e in kept}
    names = ", ".join(repr(contest.name) for contest in linked)
    source = f"entries (one per author) of contest{'s' if len(linked) > 1 else ''} {names}"
    return [
        Figure("contest_entries", sum(len(kept) for kept in valid.values()), source),
        Figure("contest_participants", len(authors), f"distinct authors of the {source}"),
    ]


def _tracked_clicks(campaign: Campaign, rows: Sequence[SpendRow]) -> Figure:
    """Clicks on the campaign's tracked links: only a spend export counts them.

    The networks' post counters have no link clicks, let alone per ``utm_campaign``;
    a spend row's ``clicks`` are the clicks its ads bought. A total needs every row's.
    """
    tag = f"utm_campaign={campaign.utm}" if campaign.utm else "no utm_campaign"
    if not rows:
        why = "networks do not report link clicks per UTM; the spend export does, none imported"
        return Figure("tracked_link_clicks", None, f"missing: {why} ({tag})")
    lacking = sum(1 for row in rows if row.clicks is None)
    if lacking:
        why = f"{lacking} of {len(rows)} spend rows have no clicks"
        return Figure("tracked_link_clicks", None, f"missing: {why} ({tag})")
    total = sum(row.clicks or 0 for row in rows)
    return Figure("tracked_link_clicks", total, f"clicks column of {len(rows)} spend rows ({tag})")


def _cost_figures(
    campaign: Campaign,
    spend: Iterable[SpendRow],
    engagements: Value,
    growth: Sequence[Value],
    comments: int | None,
) -> list[Figure]:
    rows = [with_campaign(row, campaign) for row in spend if _is_for(row, campaign)]
    if not rows:
        return [Figure("spend", None, "missing: no spend imported for it")]
    name = campaign.name
    followed = None if not growth or None in growth else sum(int(g or 0) for g in growth)
    by_currency = cost_figures(
        rows,
        engagements={name: int(engagements)} if engagements is not None else {},
        new_followers={name: followed} if followed is not None else {},
        comments={name: comments} if comments is not None else {},
    )
    figures = []
    for code, costs in by_currency.items():
        count = sum(1 for row in rows if row.currency == code)
        figures += [_cost(costs, column, count) for column in COSTS]
    return figures


def _is_for(row: SpendRow, campaign: Campaign) -> bool:
    return campaign_id(row.campaign) == campaign.id


def _cost(costs: CostFigures, column: str, rows: int) -> Figure:
    value = getattr(costs, column)
    source = f"spend import, {rows} rows in {costs.currency}"
    if value is None:
        source = f"missing: nothing to work it out from ({source})"
    return Figure(column, value, source, currency=costs.currency)


# -- as people read them ----------------------------------------------------------------

#: Each figure's name as a person reads it.
LABELS = {
    "budget": "Budget",
    "posts_published": "Posts published",
    "views": "Views (reach)",
    "likes": "Likes",
    "reposts": "Reposts",
    "replies": "Replies",
    "engagements": "Engagements",
    "engagement_rate": "Engagement rate",
    "follower_change": "Follower change",
    "follower_change_before": "… as long before",
    "mentions": "Mentions",
    "tone_negative": "Tone: negative",
    "tone_neutral": "Tone: neutral",
    "tone_positive": "Tone: positive",
    "tone_unknown": "Tone: not known",
    "first_response_median_minutes": "First response, median",
    "within_target_share": "Answered within target",
    "contest_entries": "Contest entries",
    "contest_participants": "Contest participants",
    "tracked_link_clicks": "Clicks on tracked links",
    "spend": "Spend",
    "impressions": "Impressions",
    "clicks": "Clicks (ads)",
    "cpm": "CPM",
    "cpc": "CPC",
    "cost_per_engagement": "Cost per engagement",
    "cost_per_new_follower": "Cost per new follower",
    "cost_per_comment": "Cost per comment",
}
#: What a missing figure shows: a word, never 0.
MISSING = "missing"
_MONEY = frozenset({"budget", "spend", *COSTS[3:]})
_SHARES = frozenset({"engagement_rate", "within_target_share"})


def label(figure: Figure) -> str:
    """The figure's name as a person reads it, with what it is of (an account, a post)."""
    name = LABELS.get(figure.name, figure.name)
    return f"{name} · {figure.scope}" if figure.scope else name


def value_text(figure: Figure) -> str:
    """The value as shown: money to the cent with its currency, shares as percentages,
    minutes as ``4.5m``, a missing figure as ``missing``."""
    value = figure.value
    if value is None:
        return MISSING
    if figure.name in _MONEY:
        return f"{Decimal(value):,.2f} {figure.currency}".strip()
    if figure.name in _SHARES:
        return f"{float(value):.2%}" if figure.name == "engagement_rate" else f"{value:.0%}"
    if figure.name == "first_response_median_minutes":
        return minutes_text(float(value))
    if isinstance(value, int) and figure.name.startswith("follower_change"):
        return f"{value:+,}"
    return f"{value:,}"


def summary(figures: CampaignFigures) -> str:
    """One line for a list: posts, mentions and the spend in each currency."""
    posts, mentions = figures.value("posts_published"), figures.value("mentions")
    spent = [value_text(f) for f in figures.per_currency("spend")]
    money = "spend " + ", ".join(spent) if spent else "no spend imported"
    return f"{posts} posts published · {mentions} mentions · {money}"
