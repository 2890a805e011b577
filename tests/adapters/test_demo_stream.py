"""DemoAdapter: the story, paging, simulated networks and variety."""

import asyncio
import collections
import re
from datetime import UTC, timedelta

import pytest

from smm_tui.adapters.base import MentionPage, PermanentError
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.core.models import Mention, Platform, Sentiment
from smm_tui.core.platforms import PlatformSpec, networks
from tests.adapters import demo_kit as kit


def test_two_instances_tell_the_same_story() -> None:
    first, second = kit.FakeClock(), kit.FakeClock()
    one, two = kit.make(first), kit.make(second)
    assert kit.stream(one, first, 300) == kit.stream(two, second, 300)


def test_item_content_depends_only_on_seed_account_network_and_index() -> None:
    slow_clock, fast_clock = kit.FakeClock(), kit.FakeClock(kit.T0 + timedelta(days=3))
    slow = kit.make(slow_clock)
    fast = DemoAdapter(
        "limebank",
        simulate=Platform.VK,
        rate_per_minute=120,
        backlog=5,
        clock=fast_clock,
        start=kit.T0 + timedelta(days=3),
    )
    slow_items = {m.external_id: kit.content(m) for m in kit.stream(slow, slow_clock, 200)}
    fast_items = {m.external_id: kit.content(m) for m in kit.stream(fast, fast_clock, 200)}
    shared = slow_items.keys() & fast_items.keys()
    assert len(shared) >= 200
    assert all(slow_items[key] == fast_items[key] for key in shared)


def test_other_seed_account_or_network_tells_another_story() -> None:
    base = [m.text for m in kit.fetch(kit.make(kit.FakeClock()), None).mentions]
    other_seed = DemoAdapter(
        "limebank", simulate=Platform.VK, seed=8, clock=kit.FakeClock(), start=kit.T0
    )
    assert [m.text for m in kit.fetch(other_seed, None).mentions] != base
    assert [
        m.text for m in kit.fetch(kit.make(kit.FakeClock(), account="other"), None).mentions
    ] != base
    by_x = kit.fetch(kit.make(kit.FakeClock(), Platform.X), None).mentions
    assert [m.author.handle for m in by_x] != [
        m.author.handle for m in kit.fetch(kit.make(kit.FakeClock()), None).mentions
    ]


def test_first_fetch_delivers_the_backlog_from_the_last_three_hours() -> None:
    clock = kit.FakeClock()
    page = kit.fetch(kit.make(clock), None)
    assert len(page.mentions) == 30
    assert page.cursor == "30"
    times = [mention.created_at for mention in page.mentions]
    assert times == sorted(times)
    assert all(kit.T0 - timedelta(hours=3) <= moment < kit.T0 for moment in times)
    assert times[0] < kit.T0 - timedelta(hours=2)


def test_live_items_arrive_with_the_clock() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    backlog = kit.fetch(adapter, None)
    caught_up = kit.fetch(adapter, backlog.cursor)
    assert caught_up == MentionPage((), backlog.cursor)

    clock.advance(minutes=10)
    live = kit.fetch(adapter, backlog.cursor)
    assert 60 <= len(live.mentions) <= 200  # 12 a minute on average
    assert all(kit.T0 < m.created_at <= clock.now for m in live.mentions)
    assert all(m.created_at.tzinfo is UTC for m in live.mentions)
    assert kit.numbers(list(live.mentions))[0] == kit.numbers(list(backlog.mentions))[-1] + 1
    assert kit.fetch(adapter, live.cursor) == MentionPage((), live.cursor)


def test_paging_has_no_gaps_and_no_duplicates() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    delivered: list[Mention] = []
    cursor = None
    for step in (0, 0.2, 3, 0.01, 7, 12, 0, 1, 30, 2):
        clock.advance(minutes=step)
        page = kit.fetch(adapter, cursor)
        delivered.extend(page.mentions)
        cursor = page.cursor
    ids = kit.numbers(delivered)
    assert ids == list(range(1001, 1001 + len(delivered)))
    assert cursor == str(len(delivered))
    assert all(m.created_at <= clock.now for m in delivered)


def test_no_cursor_and_nothing_arrived_keeps_the_cursor_empty() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock, backlog=0)
    assert kit.fetch(adapter, None) == MentionPage((), None)


def test_a_bad_cursor_is_a_permanent_error() -> None:
    with pytest.raises(PermanentError):
        kit.fetch(kit.make(kit.FakeClock()), "not-a-number")


def test_a_restarted_adapter_continues_after_the_stored_cursor() -> None:
    clock = kit.FakeClock()
    first_run = kit.stream(kit.make(clock), clock, 500)
    cursor = str(len(first_run))
    restarted = DemoAdapter("limebank", simulate=Platform.VK, clock=clock)  # start = now
    assert kit.fetch(restarted, cursor).mentions == ()
    clock.advance(minutes=5)
    page = kit.fetch(restarted, cursor)
    assert page.mentions
    assert kit.numbers(list(page.mentions))[0] == len(first_run) + 1001
    assert all(m.created_at <= clock.now for m in page.mentions)


@pytest.mark.parametrize("platform", list(Platform))
def test_mentions_look_like_the_simulated_network(platform: Platform) -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock, platform)
    mentions = kit.stream(adapter, clock, 100)
    assert adapter.platform is platform
    assert all(m.platform is platform and m.account == "limebank" for m in mentions)
    assert len({m.external_id for m in mentions}) == len(mentions)
    assert all(m.url.startswith(kit.URL_PREFIXES[platform]) for m in mentions)
    assert len({m.url for m in mentions}) == len(mentions)


@pytest.mark.parametrize("network", networks(), ids=lambda network: network.platform.value)
def test_every_registered_network_can_be_simulated(network: PlatformSpec) -> None:
    assert network.platform in kit.ID_AND_HANDLE_SHAPES, f"what do {network.name}'s ids look like?"
    id_shape, handle_shape = kit.ID_AND_HANDLE_SHAPES[network.platform]
    clock = kit.FakeClock()
    adapter = kit.make(clock, network.platform)
    mentions = kit.stream(adapter, clock, 200)
    assert all(m.platform is network.platform for m in mentions)
    # A hostile handle (a bidi override) is meant to look wrong.
    authors = {m.author for m in mentions if "\u202e" not in m.author.handle}
    assert len(authors) >= 20
    assert [a.id for a in authors if not re.fullmatch(id_shape, a.id)] == []
    assert [a.handle for a in authors if not re.fullmatch(handle_shape, a.handle)] == []

    assert adapter.reply_limit == network.reply_limit
    longest = "x" * network.reply_limit
    assert asyncio.run(adapter.post_reply(mentions[0], longest, "longest")).external_id
    with pytest.raises(PermanentError):
        asyncio.run(adapter.post_reply(mentions[0], longest + "x", "too long"))


def test_vk_handles_mix_numeric_ids_and_screen_names() -> None:
    clock = kit.FakeClock()
    handles = {m.author.handle for m in kit.stream(kit.make(clock), clock, 300)}
    assert any(h.startswith("id") and h[2:].isdigit() for h in handles)
    assert any(not h[2:].isdigit() for h in handles)


def test_first_500_items_have_every_language_and_kind() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    first = kit.stream(adapter, clock, 500)[:500]
    languages = collections.Counter(m.language for m in first)
    assert set(languages) == {"ru", "en", "ar"}
    assert languages["ru"] > languages["en"] > languages["ar"] >= 40
    contest = [m for m in first if m.root_external_id == adapter.contest_post_id]
    others = [m for m in first if m.root_external_id != adapter.contest_post_id]
    complaints = [m for m in others if m.sentiment is Sentiment.NEGATIVE]
    praise = [m for m in others if m.sentiment is Sentiment.POSITIVE]
    spam = [m for m in others if m.sentiment is Sentiment.NEUTRAL]
    questions = [m for m in others if m.sentiment is Sentiment.UNKNOWN and m.text.endswith("?")]
    assert all(len(kind) >= 10 for kind in (contest, complaints, praise, spam, questions))
    assert all(m.sentiment is Sentiment.UNKNOWN for m in contest)
    assert sum("://" in m.text for m in spam) >= len(spam) * 0.8
    assert any("#розыгрыш" in m.text or "#giveaway" in m.text for m in contest)


def test_texts_are_varied() -> None:
    clock = kit.FakeClock()
    texts = {m.text for m in kit.stream(kit.make(clock), clock, 400)}
    assert len(texts) >= 150


def test_some_authors_keep_coming_back() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    counts = collections.Counter(m.author.id for m in kit.stream(adapter, clock, 300)[:300])
    regulars = [author for author, times in counts.items() if times >= 5]
    assert len(regulars) >= 5
    assert counts.most_common(1)[0][1] >= 10
    assert sum(1 for times in counts.values() if times == 1) >= 10  # and a long tail
