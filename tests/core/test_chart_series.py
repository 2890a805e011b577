"""The numbers behind the charts, against hand-computed examples; a gap is None, never 0."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from smm_tui.core.campaigns import Campaign
from smm_tui.core.chart_series import (
    Chart,
    Series,
    Window,
    campaign_charts,
    engagement_chart,
    follower_chart,
    response_chart,
    sparkline_text,
    table,
    tone_chart,
    volume_chart,
    window,
)
from smm_tui.core.models import Mention, Sentiment
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Delivery, DeliveryState, FollowerReading, Post
from tests.conftest import T0, make_mention

MINUTE = timedelta(minutes=1)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


#: 20, 21 and 22 November, per day, in UTC.
DAYS = Window(at(20), at(23), UTC, "day")


def test_a_window_is_per_hour_up_to_two_days_and_per_day_beyond() -> None:
    assert window(at(20), at(22), UTC).per == "hour"
    assert window(at(20), at(22, 1), UTC).per == "day"
    assert DAYS.labels() == ("11-20", "11-21", "11-22")
    hours = Window(at(20, 22, 30), at(21, 1), UTC, "hour")
    assert hours.labels() == ("11-20 22:00", "11-20 23:00", "11-21 00:00")


def test_days_are_the_teams_even_when_the_clocks_change() -> None:
    # Moscow is UTC+3: 20 Nov 22:00 UTC is already the 21st there.
    moscow = Window(at(20), at(23), ZoneInfo("Europe/Moscow"), "day")
    assert moscow.labels() == ("11-20", "11-21", "11-22", "11-23")
    chart = volume_chart([make_mention(1, created_at=at(20, 22))], moscow)
    assert chart.series[0].values == (0, 1, 0, 0)
    # Berlin leaves summer time on 25 Oct 2026: that day is 25 hours long, still one day.
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 24, tzinfo=berlin)
    autumn = Window(start, datetime(2026, 10, 27, tzinfo=berlin), berlin, "day")
    assert autumn.labels() == ("10-24", "10-25", "10-26")


def test_volume_counts_each_day_and_says_when_there_is_nothing() -> None:
    mentions = [
        make_mention(1, created_at=at(20, 9)),
        make_mention(2, created_at=at(20, 23, 59)),
        make_mention(3, created_at=at(22, 0)),
        make_mention(4, created_at=at(23, 0)),  # after the window
        make_mention(5, created_at=at(19, 23)),  # before it
    ]
    chart = volume_chart(mentions, DAYS)
    assert chart.series == (Series("mentions", (2, 0, 1)),)
    empty = volume_chart([], DAYS)
    assert empty.empty and empty.series == ()
    assert empty.missing == "No mentions in this period."


def test_tone_splits_each_day_and_leaves_the_unknown_out() -> None:
    mentions = [
        make_mention(1, created_at=at(20, 9), sentiment=Sentiment.NEGATIVE),
        make_mention(2, created_at=at(20, 10), sentiment=Sentiment.NEGATIVE),
        make_mention(3, created_at=at(21, 10), sentiment=Sentiment.POSITIVE),
        make_mention(4, created_at=at(22, 10), sentiment=Sentiment.NEUTRAL),
        make_mention(5, created_at=at(22, 11)),  # no tone yet
    ]
    chart = tone_chart(mentions, DAYS)
    assert [(s.name, s.values) for s in chart.series] == [
        ("negative", (2, 0, 0)),
        ("neutral", (0, 0, 1)),
        ("positive", (0, 1, 0)),
    ]
    untoned = tone_chart([make_mention(5, created_at=at(22, 11))], DAYS)
    assert untoned.missing == "No mention has a tone yet."


def test_response_is_the_median_per_day_with_a_gap_where_nobody_was_answered() -> None:
    def answered(n: int, day: int, minutes: int | None) -> Mention:
        created = at(day, 9, n)
        reply = None if minutes is None else created + minutes * MINUTE
        return make_mention(n, created_at=created, first_response_at=reply)

    mentions = [
        answered(1, 20, 10),
        answered(2, 20, 30),
        answered(3, 20, 20),  # 10, 20, 30: the median is 20
        answered(4, 21, None),  # came, never answered: no median that day
        answered(5, 22, 45),
    ]
    chart = response_chart(mentions, DAYS)
    assert chart.series == (Series("median", (20.0, None, 45.0)),)
    nobody = response_chart([answered(4, 21, None)], DAYS)
    assert nobody.missing == "No mention in this period was answered."
    assert response_chart([], DAYS).missing == "No mentions in this period."


def test_followers_are_the_newest_reading_by_the_end_of_each_day() -> None:
    readings = [
        FollowerReading("bank-vk", Platform.VK, at(19, 12), 900),
        FollowerReading("bank-vk", Platform.VK, at(21, 8), 950),
        FollowerReading("bank-vk", Platform.VK, at(21, 20), 970),
        FollowerReading("bank-masto", Platform.MASTODON, at(22, 6), 200),
        FollowerReading("bank-tg", Platform.TELEGRAM, at(25), 10),  # after the window
    ]
    chart = follower_chart(readings, DAYS)
    assert [(s.name, s.values) for s in chart.series] == [
        ("bank-masto", (None, None, 200.0)),
        ("bank-vk", (900.0, 970.0, 970.0)),
    ]
    only_vk = follower_chart(readings, DAYS, accounts=["bank-vk"])
    assert [s.name for s in only_vk.series] == ["bank-vk"]
    assert follower_chart([], DAYS).missing == "No follower readings in this period."


def published(account: str, when: datetime, *counts: int | None) -> Delivery:
    likes, reposts, replies = counts
    return Delivery(
        "p1",
        account,
        Platform.VK,
        "text",
        state=DeliveryState.PUBLISHED,
        published_at=when,
        likes=likes,
        reposts=reposts,
        replies=replies,
    )


def test_engagement_per_post_adds_likes_reposts_and_replies() -> None:
    deliveries = [
        published("bank-vk", at(21, 10), 10, 2, 3),
        published("bank-masto", at(20, 12), 5, 0, 1),
        published("bank-tg", at(22, 9), None, None, 4),  # counters not all read
        published("bank-vk", at(24), 1, 1, 1),  # after the window
        Delivery("p2", "bank-vk", Platform.VK, "draft"),
    ]
    chart = engagement_chart(deliveries, DAYS)
    assert chart.labels == ("11-20 12:00 bank-masto", "11-21 10:00 bank-vk", "11-22 09:00 bank-tg")
    assert chart.series == (Series("engagements", (6.0, 15.0, None)),)
    unread = engagement_chart([published("bank-tg", at(22), None, None, None)], DAYS)
    assert unread.missing == "The posts' counters have not been read."
    assert engagement_chart([], DAYS).missing == "No posts published in this period."


def test_the_text_equivalent_is_a_table_with_gaps_as_dashes() -> None:
    chart = Chart("response", "First response", "minutes", ("11-20", "11-21"))
    chart = Chart(
        chart.key, chart.title, chart.unit, chart.labels, (Series("median", (4.5, None)),)
    )
    assert table(chart) == [("when", "median"), ("11-20", "4.5m"), ("11-21", "—")]
    missing = Chart("volume", "Mentions", "mentions", ("11-20",), missing="No mentions.")
    assert table(missing) == [("No mentions.",)]


def test_a_sparkline_leaves_gaps_out_and_labels_its_lowest_and_highest() -> None:
    chart = Chart("volume", "Mentions per day", "mentions", ("a", "b", "c", "d"))
    series = Series("mentions", (2.0, None, 9.0, 5.0))
    # 5 is (5 - 2) * 7 / (9 - 2) = 3 steps above the lowest of the eight heights: ▄.
    assert sparkline_text(chart, series, 20) == "2 ▁█▄ 9"
    assert sparkline_text(chart, Series("mentions", (None, None)), 20) == ""


def test_a_campaigns_charts_are_its_own_mentions_posts_and_accounts_over_its_period() -> None:
    sale = Campaign(
        name="Sale",
        starts=date(2026, 11, 20),
        ends=date(2026, 11, 29),
        created_at=T0,
        created_by="alice",
        hashtags=("sale",),
        post_ids=("p1",),
    )
    posts = [Post("p1", "Buy", ("bank-vk",), "alice", T0, T0)]
    deliveries = [published("bank-vk", at(21, 10), 10, 2, 3)]
    mentions = [
        make_mention(1, created_at=at(21, 11), root_external_id=None, parent_external_id=None),
        make_mention(2, created_at=at(22, 11), text="#sale!", root_external_id=None),
    ]
    readings = [
        FollowerReading("bank-vk", Platform.VK, at(20, 1), 100),
        FollowerReading("bank-masto", Platform.MASTODON, at(20, 1), 5),
    ]
    volume, tone, response, followers, engagement = campaign_charts(
        sale,
        posts=posts,
        deliveries=deliveries,
        mentions=mentions,
        readings=readings,
        zone=UTC,
        now=T0,  # 26 Nov 09:00: the days to come are not drawn
    )
    assert volume.labels == ("11-20", "11-21", "11-22", "11-23", "11-24", "11-25", "11-26")
    assert volume.series[0].values == (0, 0, 1, 0, 0, 0, 0)
    assert tone.missing and response.missing
    assert [s.name for s in followers.series] == ["bank-vk"]
    assert engagement.series[0].values == (15.0,)
