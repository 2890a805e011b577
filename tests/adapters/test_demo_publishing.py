"""The demo account publishes as the publishing contract promises, with no network.

Posts get ids and links in the simulated network's form and are found again
(except on Telegram, which cannot list a channel's posts and says so). Follower
counts and counters follow from the seed and the clock alone: the same in a
later session, growing with time, views None where the network gives none.
"""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest

from smm_tui.adapters.base import PermanentError, Unverifiable
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.core.models import Platform
from smm_tui.core.platforms import spec
from tests.adapters.demo_kit import POST_SHAPES, T0, FakeClock, make

TEXT = "Весна пришла: кешбэк 5% на путешествия весь апрель. https://bank.example/spring"
NETWORKS = tuple(POST_SHAPES)


@pytest.fixture(params=[network.value for network in NETWORKS])
def network(request: pytest.FixtureRequest) -> Platform:
    return Platform(request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def adapter(clock: FakeClock, network: Platform) -> DemoAdapter:
    return make(clock, network, account=f"bank-{network.value}")


async def test_a_post_gets_an_id_and_a_link_in_the_networks_form(
    adapter: DemoAdapter, network: Platform
) -> None:
    published = await adapter.publish_post(TEXT, "p1:bank")

    url_shape, id_shape = POST_SHAPES[network]
    link = re.fullmatch(url_shape, published.url)
    assert link is not None, published.url
    assert re.fullmatch(id_shape, published.external_id), published.external_id
    assert published.external_id.endswith(link.group(1))


async def test_each_post_is_its_own_and_a_repeated_key_publishes_once(
    adapter: DemoAdapter, clock: FakeClock
) -> None:
    first = await adapter.publish_post(TEXT, "p1:bank")
    again = await adapter.publish_post(TEXT, "p1:bank")
    second = await adapter.publish_post(TEXT, "p2:bank")
    clock.advance(minutes=1)
    third = await adapter.publish_post("Another post", "p3:bank")

    assert again == first
    assert len({first.external_id, second.external_id, third.external_id}) == 3
    assert len({first.url, second.url, third.url}) == 3


async def test_find_post_finds_what_it_published(
    adapter: DemoAdapter, clock: FakeClock, network: Platform
) -> None:
    published = await adapter.publish_post(TEXT, "p1:bank")
    before = T0 - timedelta(minutes=5)
    clock.advance(minutes=30)

    if not spec(network).capabilities.history:
        with pytest.raises(Unverifiable):
            await adapter.find_post(TEXT, "p1:bank", before)
        return
    assert await adapter.find_post(TEXT, "p1:bank", before) == published
    assert await adapter.find_post(TEXT, "lost:bank", before) == published  # by its text
    assert await adapter.find_post("Something else", "lost:bank", before) is None
    assert await adapter.find_post(TEXT, "p1:bank", T0 + timedelta(minutes=1)) is None


@pytest.mark.parametrize("text", ["", "   \n"])
async def test_an_empty_post_is_refused(adapter: DemoAdapter, text: str) -> None:
    with pytest.raises(PermanentError):
        await adapter.publish_post(text, "p1:bank")


async def test_a_post_over_the_networks_limit_is_refused(adapter: DemoAdapter) -> None:
    with pytest.raises(PermanentError):
        await adapter.publish_post("a" * (adapter.reply_limit + 1), "p1:bank")


async def test_the_follower_count_grows_with_the_clock(
    adapter: DemoAdapter, clock: FakeClock
) -> None:
    daily = []
    for _ in range(31):
        daily.append(await adapter.follower_count())
        clock.advance(days=1)

    assert all(later > earlier for earlier, later in itertools.pairwise(daily))
    gained = daily[-1] - daily[0]
    assert 0.005 * daily[0] < gained < 0.3 * daily[0]


async def test_the_follower_count_is_the_seeds_and_the_clocks(
    adapter: DemoAdapter, clock: FakeClock, network: Platform
) -> None:
    count = await adapter.follower_count()
    later_session = DemoAdapter(adapter.account, simulate=network, clock=clock)
    other_seed = make(clock, network, account=adapter.account, seed=8)

    assert await later_session.follower_count() == count
    assert await adapter.with_clock(clock).follower_count() == count
    assert await other_seed.follower_count() != count


async def test_follower_counts_differ_per_network(clock: FakeClock) -> None:
    counts = [await make(clock, network, account="bank").follower_count() for network in NETWORKS]

    assert len(set(counts)) == len(counts)
    mastodon, vk = (counts[NETWORKS.index(n)] for n in (Platform.MASTODON, Platform.VK))
    assert mastodon < vk


async def test_counters_grow_with_the_posts_age(
    adapter: DemoAdapter, clock: FakeClock, network: Platform
) -> None:
    published = await adapter.publish_post(TEXT, "p1:bank")
    readings = []
    for hours in (1, 23, 24 * 6):  # at 1 hour, 24 hours and 7 days
        clock.advance(hours=hours)
        readings.append(
            (await adapter.post_counters([published.external_id]))[published.external_id]
        )

    for field in ("likes", "reposts", "replies", "views"):
        values = [getattr(counters, field) for counters in readings]
        if field == "views" and not spec(network).capabilities.views:
            assert values == [None, None, None]
            continue
        assert all(isinstance(value, int) for value in values), (field, values)
        assert values == sorted(values), (field, values)
    assert readings[0].likes is not None and readings[2].likes is not None
    assert readings[2].likes > readings[0].likes > 0


@pytest.mark.parametrize("network", [Platform.TELEGRAM, Platform.MASTODON, Platform.BLUESKY])
async def test_views_are_none_with_a_reason_where_the_network_gives_none(
    adapter: DemoAdapter, clock: FakeClock
) -> None:
    published = await adapter.publish_post(TEXT, "p1:bank")
    clock.advance(hours=2)

    counters = (await adapter.post_counters([published.external_id]))[published.external_id]

    assert counters.views is None
    assert counters.note


@pytest.mark.parametrize("network", [Platform.VK, Platform.X])
async def test_views_are_given_where_the_network_gives_them(
    adapter: DemoAdapter, clock: FakeClock
) -> None:
    published = await adapter.publish_post(TEXT, "p1:bank")
    clock.advance(hours=2)

    counters = (await adapter.post_counters([published.external_id]))[published.external_id]

    assert counters.views is not None and counters.likes is not None
    assert counters.views > counters.likes


async def test_a_later_session_reads_the_same_counters(
    adapter: DemoAdapter, clock: FakeClock, network: Platform
) -> None:
    published = await adapter.publish_post(TEXT, "p1:bank")
    clock.advance(hours=30)
    later_session = DemoAdapter(adapter.account, simulate=network, clock=clock)

    ids = [published.external_id]
    assert await later_session.post_counters(ids) == await adapter.post_counters(ids)


async def test_a_post_that_is_not_the_accounts_has_no_counters(
    adapter: DemoAdapter, clock: FakeClock, network: Platform
) -> None:
    clock.advance(hours=-1)
    future = await adapter.publish_post(TEXT, "p1:bank")
    clock.advance(hours=-1)  # before the post went out

    foreign = "at://did:plc:aaaaaaaaaaaaaaaaaaaaaaaa/app.bsky.feed.post/3ljcuotqg22pk"
    wanted = [future.external_id, "not-an-id", foreign]
    assert await adapter.post_counters(wanted) == {}
