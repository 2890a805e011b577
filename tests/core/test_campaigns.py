"""Campaigns: which mentions are theirs, and their figures against a hand-computed example."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from smm_tui.core.campaign_figures import campaign_figures, figures_for
from smm_tui.core.campaigns import (
    Campaign,
    CampaignError,
    CampaignService,
    attributed,
    campaign_posts,
)
from smm_tui.core.context import NotFound
from smm_tui.core.models import Mention, Sentiment
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Delivery, DeliveryState, FollowerReading, Post
from smm_tui.core.spend import SpendImport, SpendRow
from smm_tui.core.workspace import Workspace
from tests.conftest import T0, make_mention
from tests.core.services_kit import run

SALE = Campaign(
    name="Spring Sale",
    starts=date(2026, 11, 20),
    ends=date(2026, 11, 29),
    created_at=T0,
    created_by="alice",
    hashtags=("springsale",),
    keywords=("cashback", "скидка"),
    budget=Decimal("5000"),
    currency="RUB",
    utm="spring-sale",
)


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


POSTS = [
    Post("p1", "Spring!", ("bank-vk", "bank-masto"), "alice", T0, T0, campaign="spring  SALE"),
    Post("p2", "Other", ("bank-vk",), "alice", T0, T0, campaign="Other"),
]
DELIVERIES = [
    Delivery(
        "p1",
        "bank-vk",
        Platform.VK,
        "Spring!",
        state=DeliveryState.PUBLISHED,
        published_at=at(21, 10),
        external_id="post-1",
        likes=10,
        reposts=2,
        replies=3,
        views=1000,
    ),
    Delivery(
        "p1",
        "bank-masto",
        Platform.MASTODON,
        "Spring!",
        state=DeliveryState.PUBLISHED,
        published_at=at(22, 12),
        external_id="m-9",
        likes=5,
        reposts=0,
        replies=1,
        metrics_note="Mastodon gives no views",
    ),
    Delivery(
        "p2",
        "bank-vk",
        Platform.VK,
        "Other",
        state=DeliveryState.PUBLISHED,
        published_at=at(21),
        external_id="post-2",
        likes=99,
        reposts=9,
        replies=9,
        views=9,
    ),
]
READINGS = [
    FollowerReading("bank-vk", Platform.VK, at(13, 12), 900),
    FollowerReading("bank-vk", Platform.VK, at(20), 1000),
    FollowerReading("bank-vk", Platform.VK, at(26, 8), 1150),
    FollowerReading("bank-masto", Platform.MASTODON, at(21), 200),
]


def plain(n: int, text: str, **fields: object) -> Mention:
    """A mention that replies to nothing of the campaign's."""
    return make_mention(n, text=text, root_external_id=None, parent_external_id=None, **fields)


def test_attribution_by_reply_hashtag_keyword_and_period() -> None:
    _mine, published = campaign_posts(SALE, POSTS, DELIVERIES)
    mentions = [
        make_mention(1),  # replies to post-1 on bank-vk
        make_mention(2, account="bank-masto"),  # post-1 on another account: not ours
        make_mention(3, root_external_id="m-9", parent_external_id="c77", account="bank-masto"),
        make_mention(4, created_at=datetime(2026, 12, 5, tzinfo=UTC)),  # a reply, any time
        make_mention(5, root_external_id="post-2", parent_external_id="post-2"),  # another post
        plain(6, "Love the #SpringSale deals"),
        plain(7, "Где моя скидку?"),  # a form of the keyword
        plain(8, "Cashbacks are late"),
        plain(9, "#springsale again", created_at=datetime(2026, 11, 30, tzinfo=UTC)),  # after
        plain(10, "cashback", created_at=datetime(2026, 11, 19, 23, 59, tzinfo=UTC)),  # before
        plain(11, "#springsales is another tag, cash back is two words"),
    ]
    ids = attributed(SALE, mentions, published, UTC)
    assert ids == [mentions[i].id for i in (0, 2, 3, 5, 6, 7)]


def test_the_period_is_whole_days_in_the_teams_zone() -> None:
    zone = ZoneInfo("Europe/Moscow")  # UTC+3: the period starts at 21:00 UTC the day before
    early = plain(1, "#springsale", created_at=datetime(2026, 11, 19, 21, 30, tzinfo=UTC))
    late = plain(2, "#springsale", created_at=datetime(2026, 11, 29, 21, 30, tzinfo=UTC))
    assert attributed(SALE, [early, late], [], zone) == [early.id]


def mentions_of_the_example() -> list[Mention]:
    m = timedelta(minutes=1)
    return [
        make_mention(
            1, sentiment=Sentiment.NEGATIVE, first_response_at=T0 + 11 * m, sla_due_at=T0 + 31 * m
        ),
        plain(
            3,
            "#springsale",
            sentiment=Sentiment.POSITIVE,
            first_response_at=T0 + 33 * m,
            sla_due_at=T0 + 23 * m,
        ),
        plain(4, "скидка?", sentiment=Sentiment.NEUTRAL, sla_due_at=T0 + 64 * m),
        make_mention(6, created_at=datetime(2026, 12, 2, tzinfo=UTC)),
        plain(8, "cashback", first_response_at=T0 + 28 * m),
        plain(9, "nothing to do with it", sentiment=Sentiment.NEGATIVE),
    ]


SPEND = [
    SpendRow(date(2026, 11, 21), Platform.VK, "SPRING SALE", Decimal("1000"), "RUB", 10000, 100),
    SpendRow(date(2026, 11, 22), Platform.VK, "spring sale", Decimal("500"), "RUB", 5000, 50),
    SpendRow(date(2026, 11, 22), Platform.X, "Spring Sale", Decimal("20"), "USD", None, 5),
    SpendRow(date(2026, 11, 22), Platform.VK, "Other", Decimal("999"), "RUB", 1, 1),
]


def example() -> dict[tuple[str, str, str], object]:
    figures = campaign_figures(
        SALE,
        posts=POSTS,
        deliveries=DELIVERIES,
        mentions=mentions_of_the_example(),
        readings=READINGS,
        spend=SPEND,
        zone=UTC,
        now=T0,  # 26 Nov 09:00: the period so far is 6 days 9 hours
    )
    return {(f.name, f.scope, f.currency): f.value for f in figures.figures}


def test_figures_match_the_hand_computed_example() -> None:
    got = example()
    assert got[("budget", "", "RUB")] == Decimal("5000")
    assert got[("posts_published", "", "")] == 2
    assert (got[("likes", "", "")], got[("reposts", "", "")], got[("replies", "", "")]) == (
        15,
        2,
        4,
    )
    assert got[("engagements", "", "")] == 21
    # 15 engagements / 1000 followers read 20 Nov; 6 / 200 read 21 Nov.
    assert got[("engagement_rate", "bank-vk post-1", "")] == pytest.approx(0.015)
    assert got[("engagement_rate", "bank-masto m-9", "")] == pytest.approx(0.03)
    # 1000 at the start, 1150 by now; 900 at 13 Nov 15:00 (as long before), 1000 at the start.
    assert got[("follower_change", "bank-vk", "")] == 150
    assert got[("follower_change_before", "bank-vk", "")] == 100
    assert got[("mentions", "", "")] == 5
    tones = [got[(f"tone_{t}", "", "")] for t in ("negative", "neutral", "positive", "unknown")]
    assert tones == [1, 1, 1, 2]
    # Answered after 10, 30 and 20 minutes; of two with a target, one was within it.
    assert got[("first_response_median_minutes", "", "")] == 20
    assert got[("within_target_share", "", "")] == 0.5
    assert got[("spend", "", "RUB")] == Decimal("1500")
    assert got[("cpm", "", "RUB")] == Decimal("100")
    assert got[("cpc", "", "RUB")] == Decimal("10")
    assert got[("spend", "", "USD")] == Decimal("20")
    assert got[("cpc", "", "USD")] == Decimal("4")


def test_a_missing_figure_is_none_never_zero() -> None:
    got = example()
    assert got[("views", "", "")] is None  # Mastodon gives none for its post
    assert got[("follower_change", "bank-masto", "")] is None  # no reading before the start
    assert got[("follower_change_before", "bank-masto", "")] is None
    assert got[("cpm", "", "USD")] is None  # a row without impressions
    # Spent in two currencies: the engagements cannot be split between them.
    assert got[("cost_per_engagement", "", "RUB")] is None
    assert got[("cost_per_engagement", "", "USD")] is None
    bare = campaign_figures(
        SALE, posts=[], deliveries=[], mentions=[], readings=[], spend=[], zone=UTC, now=T0
    )
    assert bare.value("likes") is None and bare.figure("likes").source.startswith("missing")
    assert bare.value("first_response_median_minutes") is None
    assert bare.value("within_target_share") is None
    assert bare.value("spend") is None
    assert bare.value("posts_published") == 0 and bare.value("mentions") == 0


def test_every_figure_says_where_it_came_from() -> None:
    figures = campaign_figures(
        SALE,
        posts=POSTS,
        deliveries=DELIVERIES,
        mentions=mentions_of_the_example(),
        readings=READINGS,
        spend=SPEND,
        zone=UTC,
        now=T0,
    )
    assert all(f.source for f in figures.figures)
    assert "Mastodon gives no views" in figures.figure("views").source


def test_the_service_creates_finds_and_keeps_spend(workspace: Workspace) -> None:
    service = CampaignService(workspace.ctx)
    made = run(
        service.create(
            " Весна  2026 ",
            date(2026, 11, 20),
            date(2026, 11, 29),
            hashtags=["#Весна", "весна"],
            keywords=["Кэшбэк"],
            budget=(Decimal("100.50"), "RUB"),
        )
    )
    assert (made.name, made.hashtags, made.keywords, made.utm) == (
        "Весна 2026",
        ("весна",),
        ("кэшбэк",),
        "весна-2026",
    )
    assert service.get("ВЕСНА 2026") == made and service.all() == [made]
    assert made.budget == Decimal("100.50")
    with pytest.raises(CampaignError, match="already exists"):
        run(service.create("весна 2026", date(2026, 11, 20), date(2026, 11, 20)))
    with pytest.raises(CampaignError, match="before it starts"):
        run(service.create("Later", date(2026, 11, 20), date(2026, 11, 19)))
    with pytest.raises(NotFound):
        service.get("nothing")
    assert run(service.import_spend(SpendImport((SPEND[0], SPEND[3]), ()))) == 2
    sale = run(service.create("Spring Sale", date(2026, 11, 20), date(2026, 11, 29)))
    assert service.spend(sale) == [SPEND[0]]
    assert figures_for(workspace.ctx, sale, UTC).value("spend", currency="RUB") == Decimal("1000")
