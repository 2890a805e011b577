"""One publishing contract, five networks: posts, lost answers, follower counts and counters.

Each adapter publishes on its fake's brand page through the network's own
endpoint. A post whose answer was lost (the server committed it, then stalled)
is found again by :meth:`Adapter.find_post`, except on Telegram, whose Bot API
cannot list a channel's posts and says so. A counter a network cannot give is
None with a note in words, never 0.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from smm_tui.adapters.base import Adapter, RateLimited, TransientError, Unverifiable
from smm_tui.core.platforms import spec
from tests.adapters import checks
from tests.fakes.base import Counters, FakeNetwork, Fault

TEXT = "Spring offer: 3% cashback on every card until May. Details: https://bank.example/spring"
KEY = "d8f3a1c2e4b5:brand"


def can_list_posts(fake: FakeNetwork) -> bool:
    return spec(fake.platform).capabilities.history


async def test_a_post_is_published_once_with_its_id_and_url(
    fake: FakeNetwork, adapter: Adapter
) -> None:
    published = await adapter.publish_post(TEXT, KEY)

    assert [post.text for post in fake.posts] == [TEXT]
    assert published.external_id == fake.posts[0].external_id
    assert published.url.startswith("https://")


async def test_a_post_committed_before_a_stall_is_found_again(
    fake: FakeNetwork, adapter: Adapter, real_clock: checks.MovableClock
) -> None:
    since = real_clock() - timedelta(minutes=1)
    fake.fail("post", Fault.COMMIT_THEN_STALL)

    with pytest.raises(TransientError):
        await adapter.publish_post(TEXT, KEY)

    assert len(fake.posts) == 1
    if not can_list_posts(fake):
        with pytest.raises(Unverifiable):
            await adapter.find_post(TEXT, KEY, since)
        return
    found = await adapter.find_post(TEXT, KEY, since)
    assert found is not None and found.external_id == fake.posts[0].external_id


async def test_a_post_that_never_went_out_is_not_found(
    fake: FakeNetwork, adapter: Adapter, real_clock: checks.MovableClock
) -> None:
    if not can_list_posts(fake):
        pytest.skip(f"{fake.platform.value} cannot list the account's posts")
    await adapter.publish_post("An older post about something else", "older:brand")

    assert await adapter.find_post(TEXT, KEY, real_clock() - timedelta(minutes=1)) is None


async def test_a_rate_limit_at_publish_time_publishes_nothing(
    fake: FakeNetwork, adapter: Adapter
) -> None:
    fault = Fault.RATE_LIMIT if Fault.RATE_LIMIT in fake.faults else Fault.RATE_LIMIT_IN_BODY
    fake.fail("post", fault)

    with pytest.raises(RateLimited):
        await adapter.publish_post(TEXT, KEY)

    assert fake.posts == []


async def test_the_follower_count_is_the_networks(fake: FakeNetwork, adapter: Adapter) -> None:
    fake.followers = 12_345

    assert await adapter.follower_count() == 12_345


async def test_counters_are_the_networks_own_and_missing_ones_say_why(
    fake: FakeNetwork, adapter: Adapter
) -> None:
    published = await adapter.publish_post(TEXT, KEY)
    fake.counters[published.external_id] = Counters(likes=7, reposts=2, replies=3, views=410)

    counters = (await adapter.post_counters([published.external_id]))[published.external_id]

    got = (counters.likes, counters.reposts, counters.replies, counters.views)
    assert all(value in (None, wanted) for value, wanted in zip(got, (7, 2, 3, 410), strict=True))
    if None in got:
        assert counters.note, "a missing counter must say why"
    if not spec(fake.platform).capabilities.views:
        assert counters.views is None
