"""DemoAdapter: threads, replies, verify, hostile strings and the working day."""

import asyncio
import collections
import itertools
from datetime import timedelta

import pytest

from smm_tui.adapters.base import PermanentError, TransientError
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.core.models import Platform
from tests.adapters import demo_kit as kit


def test_thread_runs_from_the_brand_post_to_the_parent() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    mentions = kit.stream(adapter, clock, 400)
    by_id = {m.external_id: m for m in mentions}
    nested = next(
        m
        for m in mentions
        if m.parent_external_id in by_id and by_id[m.parent_external_id].parent_external_id in by_id
    )
    thread = asyncio.run(adapter.fetch_thread(nested))
    identity = asyncio.run(adapter.verify())
    assert nested.parent_external_id is not None
    chain_end = [m.external_id for m in thread].index(nested.parent_external_id)
    chain, replies = thread[: chain_end + 1], thread[chain_end + 1 :]
    assert chain[0].external_id == nested.root_external_id
    assert chain[0].external_id in adapter.post_ids
    assert chain[0].author.handle == identity.handle
    assert len(chain) >= 3
    for parent, child in itertools.pairwise(chain):
        assert child.parent_external_id == parent.external_id
        assert child == by_id[child.external_id]
    assert nested not in thread
    assert all(reply.created_at > nested.created_at for reply in replies)


def test_thread_ends_with_the_replies_to_the_mention() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    mentions = kit.stream(adapter, clock, 400)
    children = collections.defaultdict(list)
    for mention in mentions:
        children[mention.parent_external_id].append(mention)
    answered = next(m for m in mentions if children[m.external_id])
    thread = asyncio.run(adapter.fetch_thread(answered))
    for child in children[answered.external_id]:
        assert child in thread
    assert thread[-1].created_at >= thread[0].created_at


def test_contest_post_collects_entries_some_from_the_same_author() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    mentions = kit.stream(adapter, clock, 600)
    comments = asyncio.run(adapter.fetch_post_comments(adapter.contest_post_id))
    assert adapter.contest_post_id == "post-contest"
    assert adapter.contest_post_id in adapter.post_ids
    assert 3 <= len(adapter.post_ids) <= 5
    assert [m.created_at for m in comments] == sorted(m.created_at for m in comments)
    assert all(
        m.parent_external_id == m.root_external_id == adapter.contest_post_id for m in comments
    )
    on_contest = [m for m in mentions if m.root_external_id == adapter.contest_post_id]
    assert list(comments) == on_contest
    entries_per_author = collections.Counter(m.author.id for m in comments)
    assert any(times >= 2 for times in entries_per_author.values())
    assert len(entries_per_author) > len(comments) / 2  # most people enter once


def test_post_comments_of_a_regular_post_include_nested_replies() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    mentions = kit.stream(adapter, clock, 300)
    post_id = adapter.post_ids[-2]
    comments = asyncio.run(adapter.fetch_post_comments(post_id))
    assert list(comments) == [m for m in mentions if m.root_external_id == post_id]
    assert any(m.parent_external_id != post_id for m in comments)


def test_unknown_post_is_a_permanent_error() -> None:
    with pytest.raises(PermanentError):
        asyncio.run(kit.make(kit.FakeClock()).fetch_post_comments("post-404"))


def test_post_reply_is_idempotent_and_shows_in_the_thread() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    mention = kit.fetch(adapter, None).mentions[5]
    clock.advance(seconds=30)
    first = asyncio.run(adapter.post_reply(mention, "Здравствуйте! Напишите нам в личку.", "k1"))
    again = asyncio.run(adapter.post_reply(mention, "Здравствуйте! Напишите нам в личку.", "k1"))
    assert again == first
    assert first.url.startswith(kit.URL_PREFIXES[Platform.VK])
    thread = asyncio.run(adapter.fetch_thread(mention))
    ours = [m for m in thread if m.external_id == first.external_id]
    assert len(ours) == 1
    reply = ours[0]
    identity = asyncio.run(adapter.verify())
    assert reply.author.id == identity.user_id
    assert reply.parent_external_id == mention.external_id
    assert reply.root_external_id == mention.root_external_id
    assert reply.created_at == clock.now
    assert reply.url == first.url

    other = asyncio.run(adapter.post_reply(mention, "И ещё: проверьте СМС.", "k2"))
    assert other.external_id != first.external_id
    thread = asyncio.run(adapter.fetch_thread(mention))
    assert sum(m.author.id == identity.user_id for m in thread) >= 2


def test_replies_are_not_delivered_as_mentions() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    page = kit.fetch(adapter, None)
    asyncio.run(adapter.post_reply(page.mentions[0], "Thanks!", "k"))
    identity = asyncio.run(adapter.verify())
    clock.advance(minutes=5)
    later = kit.fetch(adapter, page.cursor).mentions
    assert all(m.author.id != identity.user_id for m in later)


def test_fail_next_replies_fails_then_recovers() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock)
    mention = kit.fetch(adapter, None).mentions[0]
    adapter.fail_next_replies = 2
    for _ in range(2):
        with pytest.raises(TransientError):
            asyncio.run(adapter.post_reply(mention, "Мы разбираемся.", "key"))
    assert adapter.fail_next_replies == 0
    published = asyncio.run(adapter.post_reply(mention, "Мы разбираемся.", "key"))
    thread = asyncio.run(adapter.fetch_thread(mention))
    assert [m.external_id for m in thread].count(published.external_id) == 1


def test_post_reply_refuses_what_the_network_would() -> None:
    clock = kit.FakeClock()
    adapter = kit.make(clock, Platform.X)
    mention = kit.fetch(adapter, None).mentions[0]
    with pytest.raises(PermanentError):
        asyncio.run(adapter.post_reply(mention, "x" * 281, "long"))
    with pytest.raises(PermanentError):
        asyncio.run(adapter.post_reply(mention, "   ", "blank"))
    foreign = kit.make(kit.FakeClock(), Platform.X, account="someone-else")
    with pytest.raises(PermanentError):
        asyncio.run(foreign.post_reply(mention, "hi", "foreign"))
    url_reply = "Details: https://bank.example/" + "a" * 400
    assert asyncio.run(adapter.post_reply(mention, url_reply, "url")).external_id


def test_reply_limit_and_length_follow_the_simulated_network() -> None:
    clock = kit.FakeClock()
    x = kit.make(clock, Platform.X)
    assert x.reply_limit == 280
    assert x.reply_length("https://bank.example/" + "a" * 100) == 23
    bluesky = kit.make(clock, Platform.BLUESKY)
    assert bluesky.reply_limit == 300
    assert bluesky.reply_length("\U0001f1f7\U0001f1fa") == 1
    assert kit.make(clock, Platform.VK).reply_length("Привет") == 6
    assert kit.make(clock, Platform.DEMO).reply_limit == 1000


def test_verify_names_the_brand_account() -> None:
    identity = asyncio.run(kit.make(kit.FakeClock(), Platform.X).verify())
    assert identity.handle == "@limebank"
    assert identity.display_name == "Limebank"
    assert identity.user_id.isdigit()
    vk = asyncio.run(kit.make(kit.FakeClock()).verify())
    assert vk.user_id.startswith("-")


def test_hostile_strings_are_rare_but_present() -> None:
    clock = kit.FakeClock()
    mentions = kit.stream(kit.make(clock, seed=1), clock, 2000)[:2000]
    hostile = [m for m in mentions if kit.is_hostile(m)]
    assert 10 <= len(hostile) <= 80  # about 2 %
    shown = "".join(m.text + m.author.display_name + m.author.handle for m in hostile)
    for marker in ("\x1b[2J", "\x9b", "\u202e", "[link=https://evil.example]", "[@click="):
        assert marker in shown


def test_invalid_options_are_refused() -> None:
    with pytest.raises(ValueError):
        DemoAdapter("a", simulate=Platform.VK, rate_per_minute=0)
    with pytest.raises(ValueError):
        DemoAdapter("a", simulate=Platform.VK, backlog=-1)
    with pytest.raises(ValueError):
        DemoAdapter("a", simulate=Platform.VK, history=-1)


def working_day(clock: kit.FakeClock) -> DemoAdapter:
    return DemoAdapter.working_day("limebank", simulate=Platform.VK, clock=clock)


def test_a_working_day_keeps_a_fortnight_behind_and_a_short_backlog() -> None:
    clock = kit.FakeClock()
    adapter = working_day(clock)
    history = adapter.history_mentions()
    assert len(history) == 100
    times = [m.created_at for m in history]
    assert times == sorted(times)
    assert kit.T0 - timedelta(days=14) <= times[0] < kit.T0 - timedelta(days=12)
    backlog = kit.fetch(adapter, None).mentions
    assert len(backlog) == 5
    assert all(kit.T0 - timedelta(minutes=12) <= m.created_at < kit.T0 for m in backlog)
    assert times[-1] < backlog[0].created_at, "the history is never fetched as new"
    assert kit.numbers(list(backlog))[0] == kit.numbers(list(history))[-1] + 1


def test_history_comments_answer_posts_that_were_already_up() -> None:
    clock = kit.FakeClock()
    adapter = working_day(clock)
    history = adapter.history_mentions()
    for mention in history:
        post = asyncio.run(adapter.fetch_thread(mention))[0]
        assert post.external_id == mention.root_external_id
        assert post.created_at < mention.created_at
    entries = [m for m in history if m.root_external_id == adapter.contest_post_id]
    assert entries, "the giveaway drew entries since it was posted"
