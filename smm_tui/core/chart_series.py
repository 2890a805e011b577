"""The numbers behind the report's and the campaigns' charts, and their text equivalent.

A chart is labels along the bottom (days, hours or posts) and one or more
series of values over them. A point with nothing to measure is None, never 0:
a day when nobody was answered has no median response time, and a post whose
counters were never read has no engagements. A chart with nothing at all to
show says why in ``missing``, in words; the widgets show those words rather
than a flat line at zero.

The windows are the report's period or a campaign's, counted in the team's
zone: per hour when the window is two days or less, per day otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal

from smm_tui.core.campaigns import Campaign, attributed, campaign_posts
from smm_tui.core.models import Contest, Mention, Sentiment
from smm_tui.core.posts import Delivery, DeliveryState, FollowerReading, Post
from smm_tui.core.report import minutes_text, percentile
from smm_tui.core.sparkline import sparkline

__all__ = [
    "Chart",
    "Series",
    "Window",
    "campaign_charts",
    "engagement_chart",
    "follower_chart",
    "report_charts",
    "response_chart",
    "shape",
    "sparkline_text",
    "table",
    "tone_chart",
    "volume_chart",
    "window",
]

Point = float | None
Per = Literal["hour", "day"]

#: A window this long or shorter is counted per hour.
HOURLY_UP_TO = timedelta(days=2)
#: The engagement chart shows at most this many posts, the newest.
MOST_POSTS = 30
#: The tones the tone chart counts, in the order it stacks them.
TONES = (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)


@dataclass(frozen=True, slots=True)
class Series:
    """One line (or set of bars) of a chart: a value per label, None where there is none."""

    name: str
    values: tuple[Point, ...]

    @property
    def present(self) -> list[float]:
        """The values there are, in order (the gaps left out)."""
        return [value for value in self.values if value is not None]


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart: what it shows, its labels and series; or, in ``missing``, why it is empty."""

    #: Which chart: ``volume``, ``tone``, ``response``, ``followers`` or ``engagement``.
    key: str
    title: str
    #: What a value counts: ``mentions``, ``minutes``, ``followers`` or ``engagements``.
    unit: str
    labels: tuple[str, ...]
    series: tuple[Series, ...] = ()
    #: Why there is nothing to draw ("" when there is).
    missing: str = ""

    @property
    def empty(self) -> bool:
        """Whether there is nothing to draw (``missing`` says why)."""
        return bool(self.missing)


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of time cut into hours or days of the team's zone."""

    start: datetime
    end: datetime
    zone: tzinfo
    per: Per

    def buckets(self) -> list[datetime]:
        """Each hour's or day's start (local), the first the one ``start`` falls in."""
        found: list[datetime] = []
        moment = self.floor(self.start)
        while moment < self.end:
            found.append(moment)
            if self.per == "hour":
                # In UTC: a local clock may skip or repeat an hour.
                moment = self.floor(moment.astimezone(UTC) + timedelta(hours=1))
            else:
                # On the local clock: a day may be 23 or 25 hours long.
                moment = self.floor(moment + timedelta(days=1))
        return found

    def floor(self, moment: datetime) -> datetime:
        """The start of the hour or day ``moment`` falls in, local."""
        local = moment.astimezone(self.zone)
        if self.per == "hour":
            return local.replace(minute=0, second=0, microsecond=0)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    def labels(self) -> tuple[str, ...]:
        """``11-20`` per day, ``11-20 14:00`` per hour."""
        shape = "%m-%d %H:00" if self.per == "hour" else "%m-%d"
        return tuple(moment.strftime(shape) for moment in self.buckets())


def window(start: datetime, end: datetime, zone: tzinfo) -> Window:
    """The window from ``start`` to ``end``: per hour up to two days long, else per day."""
    return Window(start, end, zone, "hour" if end - start <= HOURLY_UP_TO else "day")


def _by_bucket(mentions: Iterable[Mention], where: Window) -> list[list[Mention]]:
    starts = {moment: n for n, moment in enumerate(where.buckets())}
    buckets: list[list[Mention]] = [[] for _ in starts]
    for mention in mentions:
        if where.start <= mention.created_at < where.end:
            index = starts.get(where.floor(mention.created_at))
            if index is not None:
                buckets[index].append(mention)
    return buckets


def _no_mentions(buckets: Sequence[Sequence[Mention]]) -> bool:
    return not any(buckets)


def volume_chart(mentions: Iterable[Mention], where: Window) -> Chart:
    """Mentions that came per hour or day."""
    buckets = _by_bucket(mentions, where)
    title = f"Mentions per {where.per}"
    if _no_mentions(buckets):
        return Chart("volume", title, "mentions", where.labels(), missing=NO_MENTIONS)
    counts = tuple(float(len(bucket)) for bucket in buckets)
    return Chart("volume", title, "mentions", where.labels(), (Series("mentions", counts),))


NO_MENTIONS = "No mentions in this period."


def tone_chart(mentions: Iterable[Mention], where: Window) -> Chart:
    """Negative, neutral and positive mentions per hour or day (those without a tone aside)."""
    buckets = _by_bucket(mentions, where)
    title = f"Tone per {where.per}"
    labels = where.labels()
    if _no_mentions(buckets):
        return Chart("tone", title, "mentions", labels, missing=NO_MENTIONS)
    if not any(m.sentiment in TONES for bucket in buckets for m in bucket):
        return Chart("tone", title, "mentions", labels, missing="No mention has a tone yet.")
    series = tuple(
        Series(tone.value, tuple(float(sum(m.sentiment is tone for m in b)) for b in buckets))
        for tone in TONES
    )
    return Chart("tone", title, "mentions", labels, series)


def response_chart(mentions: Iterable[Mention], where: Window) -> Chart:
    """The median first-response time of the mentions that came each hour or day, answered."""
    buckets = _by_bucket(mentions, where)
    title = f"First response, median minutes per {where.per}"
    medians = tuple(percentile(_waits(bucket), 50) for bucket in buckets)
    if all(median is None for median in medians):
        why = NO_MENTIONS if _no_mentions(buckets) else "No mention in this period was answered."
        return Chart("response", title, "minutes", where.labels(), missing=why)
    return Chart("response", title, "minutes", where.labels(), (Series("median", medians),))


def _waits(mentions: Iterable[Mention]) -> list[float]:
    return [
        max((m.first_response_at - m.created_at) / timedelta(minutes=1), 0.0)
        for m in mentions
        if m.first_response_at is not None
    ]


def follower_chart(
    readings: Iterable[FollowerReading], where: Window, accounts: Iterable[str] | None = None
) -> Chart:
    """Each account's followers at the end of each hour or day: its newest reading by then.

    ``accounts`` limits it to those accounts. Before an account's first reading
    there is nothing to show.
    """
    wanted = None if accounts is None else set(accounts)
    by_account: dict[str, list[FollowerReading]] = {}
    for reading in sorted(readings, key=lambda r: r.at):
        if wanted is None or reading.account in wanted:
            by_account.setdefault(reading.account, []).append(reading)
    step = timedelta(hours=1) if where.per == "hour" else timedelta(days=1)
    ends = [min(moment + step, where.end) for moment in where.buckets()]
    series = []
    for account, its in sorted(by_account.items()):
        values = tuple(_followers_by(its, end) for end in ends)
        if any(value is not None for value in values):
            series.append(Series(account, values))
    title = f"Followers, end of each {where.per}"
    if not series:
        why = "No follower readings in this period."
        return Chart("followers", title, "followers", where.labels(), missing=why)
    return Chart("followers", title, "followers", where.labels(), tuple(series))


def _followers_by(readings: Sequence[FollowerReading], moment: datetime) -> Point:
    before = [r for r in readings if r.at <= moment]
    return float(before[-1].followers) if before else None


def engagement_chart(deliveries: Iterable[Delivery], where: Window) -> Chart:
    """Likes, reposts and replies of each post published in the window (the newest 30)."""
    published = sorted(
        (
            d
            for d in deliveries
            if d.state is DeliveryState.PUBLISHED
            and d.published_at is not None
            and where.start <= d.published_at < where.end
        ),
        key=lambda d: (d.published_at, d.account),
    )[-MOST_POSTS:]
    title = "Engagements per post"
    labels = tuple(_post_label(d, where.zone) for d in published)
    if not published:
        why = "No posts published in this period."
        return Chart("engagement", title, "engagements", labels, missing=why)
    values = tuple(_engagements(d) for d in published)
    if all(value is None for value in values):
        why = "The posts' counters have not been read."
        return Chart("engagement", title, "engagements", labels, missing=why)
    return Chart("engagement", title, "engagements", labels, (Series("engagements", values),))


def _post_label(delivery: Delivery, zone: tzinfo) -> str:
    assert delivery.published_at is not None
    return f"{delivery.published_at.astimezone(zone):%m-%d %H:%M} {delivery.account}"


def _engagements(delivery: Delivery) -> Point:
    counts = (delivery.likes, delivery.reposts, delivery.replies)
    if None in counts:
        return None
    return float(sum(count for count in counts if count is not None))


def report_charts(
    mentions: Sequence[Mention],
    deliveries: Sequence[Delivery],
    readings: Sequence[FollowerReading],
    where: Window,
) -> tuple[Chart, ...]:
    """The five charts over ``where``: volume, tone, response time, followers, engagement."""
    return (
        volume_chart(mentions, where),
        tone_chart(mentions, where),
        response_chart(mentions, where),
        follower_chart(readings, where),
        engagement_chart(deliveries, where),
    )


def campaign_charts(
    campaign: Campaign,
    *,
    posts: Iterable[Post],
    deliveries: Iterable[Delivery],
    mentions: Iterable[Mention],
    readings: Iterable[FollowerReading],
    zone: tzinfo,
    now: datetime,
    contests: Iterable[Contest] = (),
) -> tuple[Chart, ...]:
    """The five charts over the campaign's period (up to now), of its mentions, posts and
    accounts (all of the store's records: they are filtered here)."""
    mine, published = campaign_posts(campaign, posts, deliveries)
    mention_list = list(mentions)
    ids = set(attributed(campaign, mention_list, published, zone, contests))
    its_mentions = [m for m in mention_list if m.id in ids]
    start, end = campaign.bounds(zone)
    # Up to now: a campaign still running has no figures for its days to come.
    shown_end = end if end <= now else max(now, start + timedelta(hours=1))
    where = Window(start, shown_end, zone, "hour" if end - start <= HOURLY_UP_TO else "day")
    accounts = {account for post in mine for account in post.accounts}
    return (
        volume_chart(its_mentions, where),
        tone_chart(its_mentions, where),
        response_chart(its_mentions, where),
        follower_chart(readings, where, accounts),
        engagement_chart(published, where),
    )


# -- the text equivalent ------------------------------------------------------------------


def value_text(chart: Chart, value: Point) -> str:
    """A value as the chart's table shows it: minutes as ``4.5m``, counts whole, None ``—``."""
    if value is None:
        return "—"
    if chart.unit == "minutes":
        return minutes_text(value)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def table(chart: Chart) -> list[tuple[str, ...]]:
    """The chart as rows of text: a heading row, then a row per label with each series' value.

    An empty chart is one row: its ``missing`` words.
    """
    if chart.empty:
        return [(chart.missing,)]
    heading = ("post" if chart.key == "engagement" else "when", *(s.name for s in chart.series))
    rows = [
        (label, *(value_text(chart, s.values[n]) for s in chart.series))
        for n, label in enumerate(chart.labels)
    ]
    return [heading, *rows]


def sparkline_text(chart: Chart, series: Series, width: int) -> str:
    """``low ▁▃█ high`` in about ``width`` cells: the series' values there are, gaps left out.

    Empty when the series has no values at all.
    """
    present = series.present
    if not present:
        return ""
    low, high = value_text(chart, min(present)), value_text(chart, max(present))
    room = max(width - len(low) - len(high) - 2, 1)
    bars = sparkline([round(value) for value in present], room)
    return f"{low} {bars} {high}"


def shape(chart: Chart) -> str:
    """``bar`` for one count per hour, day or post; ``line`` for medians, follower counts
    and the tones (three sets of bars in one place would hide each other)."""
    return "line" if chart.key in ("response", "followers", "tone") else "bar"
