import asyncio
import collections
import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import TypedDict, Unpack

import pytest

from smm_tui.adapters.base import MentionPage, PermanentError, TransientError
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.core.models import Mention, Platform, Sentiment
from smm_tui.core.platforms import PlatformSpec, networks

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HOSTILE_MARKERS = ("\x1b", "\x9b", "\u202e", "[link=", "[@click", "[/]")
URL_PREFIXES = {
    Platform.VK: "https://vk.com/wall-",
    Platform.X: "https://x.com/",
    Platform.MASTODON: "https://",
    Platform.BLUESKY: "https://bsky.app/profile/",
    Platform.TELEGRAM: "https://t.me/",
    Platform.DEMO: "https://demo.example/",
}

#: A user id and a handle as each network writes them. A network added to the registry
#: needs its shapes here, and the demo must be able to play it.
ID_AND_HANDLE_SHAPES = {
    Platform.VK: (r"[1-9]\d{6,8}", r"id[1-9]\d{6,8}|[a-z][a-z0-9_]+"),
    Platform.TELEGRAM: (r"[1-9]\d{8,9}", r"[a-z][a-z0-9_]{4,}"),
    Platform.MASTODON: (r"[1-9]\d{17}", r"[a-z][a-z0-9_]*@[a-z0-9-]+(\.[a-z0-9-]+)+"),
    Platform.BLUESKY: (r"did:plc:[a-z2-7]{24}", r"[a-z][a-z0-9-]*\.bsky\.social"),
    Platform.X: (r"[1-9]\d{9,18}", r"@[a-z0-9_]{1,15}"),
}


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Options(TypedDict, total=False):
    """The DemoAdapter settings a test may change; the rest keep the adapter's defaults."""

    seed: int
    rate_per_minute: float
    backlog: int
    history: int


def make(
    clock: FakeClock,
    simulate: Platform = Platform.VK,
    account: str = "limebank",
    **options: Unpack[Options],
) -> DemoAdapter:
    return DemoAdapter(account, simulate=simulate, clock=clock, start=T0, **options)


def fetch(adapter: DemoAdapter, cursor: str | None) -> MentionPage:
    return asyncio.run(adapter.fetch_mentions(cursor))


def stream(adapter: DemoAdapter, clock: FakeClock, count: int) -> list[Mention]:
    """At least ``count`` mentions, fetched the way the ingest service would; ends caught up."""
    mentions: list[Mention] = []
    cursor = None
    while True:
        page = fetch(adapter, cursor)
        mentions.extend(page.mentions)
        cursor = page.cursor
        if len(mentions) >= count:
            return mentions
        clock.advance(minutes=30)


def numbers(mentions: list[Mention]) -> list[int]:
    return [int(mention.external_id.removeprefix("c")) for mention in mentions]


def content(mention: Mention) -> tuple[object, ...]:
    return (
        mention.external_id,
        mention.text,
        mention.author,
        mention.parent_external_id,
        mention.root_external_id,
        mention.language,
        mention.sentiment,
    )


def is_hostile(mention: Mention) -> bool:
    shown = mention.text + mention.author.display_name + mention.author.handle
    return any(marker in shown for marker in HOSTILE_MARKERS)


def test_two_instances_tell_the_same_story() -> None:
    first, second = FakeClock(), FakeClock()
    one, two = make(first), make(second)
    assert stream(one, first, 300) == stream(two, second, 300)


def test_item_content_depends_only_on_seed_account_network_and_index() -> None:
    slow_clock, fast_clock = FakeClock(), FakeClock(T0 + timedelta(days=3))
    slow = make(slow_clock)
    fast = DemoAdapter(
        "limebank",
        simulate=Platform.VK,
        rate_per_minute=120,
        backlog=5,
        clock=fast_clock,
        start=T0 + timedelta(days=3),
    )
    slow_items = {m.external_id: content(m) for m in stream(slow, slow_clock, 200)}
    fast_items = {m.external_id: content(m) for m in stream(fast, fast_clock, 200)}
    shared = slow_items.keys() & fast_items.keys()
    assert len(shared) >= 200
    assert all(slow_items[key] == fast_items[key] for key in shared)


def test_other_seed_account_or_network_tells_another_story() -> None:
    base = [m.text for m in fetch(make(FakeClock()), None).mentions]
    other_seed = DemoAdapter("limebank", simulate=Platform.VK, seed=8, clock=FakeClock(), start=T0)
    assert [m.text for m in fetch(other_seed, None).mentions] != base
    assert [m.text for m in fetch(make(FakeClock(), account="other"), None).mentions] != base
    by_x = fetch(make(FakeClock(), Platform.X), None).mentions
    assert [m.author.handle for m in by_x] != [
        m.author.handle for m in fetch(make(FakeClock()), None).mentions
    ]


def test_first_fetch_delivers_the_backlog_from_the_last_three_hours() -> None:
    clock = FakeClock()
    page = fetch(make(clock), None)
    assert len(page.mentions) == 30
    assert page.cursor == "30"
    times = [mention.created_at for mention in page.mentions]
    assert times == sorted(times)
    assert all(T0 - timedelta(hours=3) <= moment < T0 for moment in times)
    assert times[0] < T0 - timedelta(hours=2)


def test_live_items_arrive_with_the_clock() -> None:
    clock = FakeClock()
    adapter = make(clock)
    backlog = fetch(adapter, None)
    caught_up = fetch(adapter, backlog.cursor)
    assert caught_up == MentionPage((), backlog.cursor)

    clock.advance(minutes=10)
    live = fetch(adapter, backlog.cursor)
    assert 60 <= len(live.mentions) <= 200  # 12 a minute on average
    assert all(T0 < m.created_at <= clock.now for m in live.mentions)
    assert all(m.created_at.tzinfo is UTC for m in live.mentions)
    assert numbers(list(live.mentions))[0] == numbers(list(backlog.mentions))[-1] + 1
    assert fetch(adapter, live.cursor) == MentionPage((), live.cursor)


def test_paging_has_no_gaps_and_no_duplicates() -> None:
    clock = FakeClock()
    adapter = make(clock)
    delivered: list[Mention] = []
    cursor = None
    for step in (0, 0.2, 3, 0.01, 7, 12, 0, 1, 30, 2):
        clock.advance(minutes=step)
        page = fetch(adapter, cursor)
        delivered.extend(page.mentions)
        cursor = page.cursor
    ids = numbers(delivered)
    assert ids == list(range(1001, 1001 + len(delivered)))
    assert cursor == str(len(delivered))
    assert all(m.created_at <= clock.now for m in delivered)


def test_no_cursor_and_nothing_arrived_keeps_the_cursor_empty() -> None:
    clock = FakeClock()
    adapter = make(clock, backlog=0)
    assert fetch(adapter, None) == MentionPage((), None)


def test_a_bad_cursor_is_a_permanent_error() -> None:
    with pytest.raises(PermanentError):
        fetch(make(FakeClock()), "not-a-number")


def test_a_restarted_adapter_continues_after_the_stored_cursor() -> None:
    clock = FakeClock()
    first_run = stream(make(clock), clock, 500)
    cursor = str(len(first_run))
    restarted = DemoAdapter("limebank", simulate=Platform.VK, clock=clock)  # start = now
    assert fetch(restarted, cursor).mentions == ()
    clock.advance(minutes=5)
    page = fetch(restarted, cursor)
    assert page.mentions
    assert numbers(list(page.mentions))[0] == len(first_run) + 1001
    assert all(m.created_at <= clock.now for m in page.mentions)


@pytest.mark.parametrize("platform", list(Platform))
def test_mentions_look_like_the_simulated_network(platform: Platform) -> None:
    clock = FakeClock()
    adapter = make(clock, platform)
    mentions = stream(adapter, clock, 100)
    assert adapter.platform is platform
    assert all(m.platform is platform and m.account == "limebank" for m in mentions)
    assert len({m.external_id for m in mentions}) == len(mentions)
    assert all(m.url.startswith(URL_PREFIXES[platform]) for m in mentions)
    assert len({m.url for m in mentions}) == len(mentions)


@pytest.mark.parametrize("network", networks(), ids=lambda network: network.platform.value)
def test_every_registered_network_can_be_simulated(network: PlatformSpec) -> None:
    assert network.platform in ID_AND_HANDLE_SHAPES, f"what do {network.name}'s ids look like?"
    id_shape, handle_shape = ID_AND_HANDLE_SHAPES[network.platform]
    clock = FakeClock()
    adapter = make(clock, network.platform)
    mentions = stream(adapter, clock, 200)
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
    clock = FakeClock()
    handles = {m.author.handle for m in stream(make(clock), clock, 300)}
    assert any(h.startswith("id") and h[2:].isdigit() for h in handles)
    assert any(not h[2:].isdigit() for h in handles)


def test_first_500_items_have_every_language_and_kind() -> None:
    clock = FakeClock()
    adapter = make(clock)
    first = stream(adapter, clock, 500)[:500]
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
    clock = FakeClock()
    texts = {m.text for m in stream(make(clock), clock, 400)}
    assert len(texts) >= 150


def test_some_authors_keep_coming_back() -> None:
    clock = FakeClock()
    adapter = make(clock)
    counts = collections.Counter(m.author.id for m in stream(adapter, clock, 300)[:300])
    regulars = [author for author, times in counts.items() if times >= 5]
    assert len(regulars) >= 5
    assert counts.most_common(1)[0][1] >= 10
    assert sum(1 for times in counts.values() if times == 1) >= 10  # and a long tail


def test_thread_runs_from_the_brand_post_to_the_parent() -> None:
    clock = FakeClock()
    adapter = make(clock)
    mentions = stream(adapter, clock, 400)
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
    clock = FakeClock()
    adapter = make(clock)
    mentions = stream(adapter, clock, 400)
    children = collections.defaultdict(list)
    for mention in mentions:
        children[mention.parent_external_id].append(mention)
    answered = next(m for m in mentions if children[m.external_id])
    thread = asyncio.run(adapter.fetch_thread(answered))
    for child in children[answered.external_id]:
        assert child in thread
    assert thread[-1].created_at >= thread[0].created_at


def test_contest_post_collects_entries_some_from_the_same_author() -> None:
    clock = FakeClock()
    adapter = make(clock)
    mentions = stream(adapter, clock, 600)
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
    clock = FakeClock()
    adapter = make(clock)
    mentions = stream(adapter, clock, 300)
    post_id = adapter.post_ids[-2]
    comments = asyncio.run(adapter.fetch_post_comments(post_id))
    assert list(comments) == [m for m in mentions if m.root_external_id == post_id]
    assert any(m.parent_external_id != post_id for m in comments)


def test_unknown_post_is_a_permanent_error() -> None:
    with pytest.raises(PermanentError):
        asyncio.run(make(FakeClock()).fetch_post_comments("post-404"))


def test_post_reply_is_idempotent_and_shows_in_the_thread() -> None:
    clock = FakeClock()
    adapter = make(clock)
    mention = fetch(adapter, None).mentions[5]
    clock.advance(seconds=30)
    first = asyncio.run(adapter.post_reply(mention, "Здравствуйте! Напишите нам в личку.", "k1"))
    again = asyncio.run(adapter.post_reply(mention, "Здравствуйте! Напишите нам в личку.", "k1"))
    assert again == first
    assert first.url.startswith(URL_PREFIXES[Platform.VK])
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
    clock = FakeClock()
    adapter = make(clock)
    page = fetch(adapter, None)
    asyncio.run(adapter.post_reply(page.mentions[0], "Thanks!", "k"))
    identity = asyncio.run(adapter.verify())
    clock.advance(minutes=5)
    later = fetch(adapter, page.cursor).mentions
    assert all(m.author.id != identity.user_id for m in later)


def test_fail_next_replies_fails_then_recovers() -> None:
    clock = FakeClock()
    adapter = make(clock)
    mention = fetch(adapter, None).mentions[0]
    adapter.fail_next_replies = 2
    for _ in range(2):
        with pytest.raises(TransientError):
            asyncio.run(adapter.post_reply(mention, "Мы разбираемся.", "key"))
    assert adapter.fail_next_replies == 0
    published = asyncio.run(adapter.post_reply(mention, "Мы разбираемся.", "key"))
    thread = asyncio.run(adapter.fetch_thread(mention))
    assert [m.external_id for m in thread].count(published.external_id) == 1


def test_post_reply_refuses_what_the_network_would() -> None:
    clock = FakeClock()
    adapter = make(clock, Platform.X)
    mention = fetch(adapter, None).mentions[0]
    with pytest.raises(PermanentError):
        asyncio.run(adapter.post_reply(mention, "x" * 281, "long"))
    with pytest.raises(PermanentError):
        asyncio.run(adapter.post_reply(mention, "   ", "blank"))
    foreign = make(FakeClock(), Platform.X, account="someone-else")
    with pytest.raises(PermanentError):
        asyncio.run(foreign.post_reply(mention, "hi", "foreign"))
    url_reply = "Details: https://bank.example/" + "a" * 400
    assert asyncio.run(adapter.post_reply(mention, url_reply, "url")).external_id


def test_reply_limit_and_length_follow_the_simulated_network() -> None:
    clock = FakeClock()
    x = make(clock, Platform.X)
    assert x.reply_limit == 280
    assert x.reply_length("https://bank.example/" + "a" * 100) == 23
    bluesky = make(clock, Platform.BLUESKY)
    assert bluesky.reply_limit == 300
    assert bluesky.reply_length("\U0001f1f7\U0001f1fa") == 1
    assert make(clock, Platform.VK).reply_length("Привет") == 6
    assert make(clock, Platform.DEMO).reply_limit == 1000


def test_verify_names_the_brand_account() -> None:
    identity = asyncio.run(make(FakeClock(), Platform.X).verify())
    assert identity.handle == "@limebank"
    assert identity.display_name == "Limebank"
    assert identity.user_id.isdigit()
    vk = asyncio.run(make(FakeClock()).verify())
    assert vk.user_id.startswith("-")


def test_hostile_strings_are_rare_but_present() -> None:
    clock = FakeClock()
    mentions = stream(make(clock, seed=1), clock, 2000)[:2000]
    hostile = [m for m in mentions if is_hostile(m)]
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


def working_day(clock: FakeClock) -> DemoAdapter:
    return DemoAdapter.working_day("limebank", simulate=Platform.VK, clock=clock)


def test_a_working_day_keeps_a_fortnight_behind_and_a_short_backlog() -> None:
    clock = FakeClock()
    adapter = working_day(clock)
    history = adapter.history_mentions()
    assert len(history) == 100
    times = [m.created_at for m in history]
    assert times == sorted(times)
    assert T0 - timedelta(days=14) <= times[0] < T0 - timedelta(days=12)
    backlog = fetch(adapter, None).mentions
    assert len(backlog) == 5
    assert all(T0 - timedelta(minutes=12) <= m.created_at < T0 for m in backlog)
    assert times[-1] < backlog[0].created_at, "the history is never fetched as new"
    assert numbers(list(backlog))[0] == numbers(list(history))[-1] + 1


def test_history_comments_answer_posts_that_were_already_up() -> None:
    clock = FakeClock()
    adapter = working_day(clock)
    history = adapter.history_mentions()
    for mention in history:
        post = asyncio.run(adapter.fetch_thread(mention))[0]
        assert post.external_id == mention.root_external_id
        assert post.created_at < mention.created_at
    entries = [m for m in history if m.root_external_id == adapter.contest_post_id]
    assert entries, "the giveaway drew entries since it was posted"
