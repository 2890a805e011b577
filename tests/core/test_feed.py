"""The feed model's incremental updates agree with a full re-scan."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from smm_tui.core.feed import FeedFilter, FeedModel, FeedScope
from smm_tui.core.feed_index import PAUSE_EVERY, MentionIndex, age_key, pause_while_busy
from smm_tui.core.models import OPEN_VALUES, Intent, Platform, Sentiment, Status
from smm_tui.core.query import QueryContext, QueryError, parse
from smm_tui.core.repository import ChangeSet, Collection, Record, Repository
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import T0, make_mention


def test_incremental_apply_matches_rebuild(store: Store) -> None:
    rng = random.Random(5)
    model = FeedModel(store)
    model.set_filter(FeedFilter.parsed(FeedScope.OPEN, "card"))
    statuses = list(Status)
    for step in range(60):
        changes = ChangeSet()
        for n in rng.sample(range(40), 5):
            mention = make_mention(n, text="card" if n % 3 else "other")
            changes.insert_new(Collection.MENTIONS, mention.to_record())
            if step % 2:
                changes.patch(
                    Collection.MENTIONS, mention.id, {"status": rng.choice(statuses).value}
                )
        if step % 7 == 0:
            changes.delete(Collection.MENTIONS, make_mention(rng.randrange(40)).id)
        model.apply(store.commit(changes))
        fresh = FeedModel(store)
        fresh.set_filter(model.filter)
        assert list(model.ids) == list(fresh.ids)
        assert model.unread == fresh.unread
    for row, mention_id in enumerate(model.ids):
        assert model.index_of(mention_id) == row
    assert model.ids[-1] == list(model.ids)[-1]


def test_typing_on_narrows_what_is_shown_to_the_same_result_as_a_rescan(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        workspace = Workspace(store, actor="anna", sources={})
        texts = ["карта не работает", "картошка", "карп", "кредит", "карта заблокирована"]
        store.commit(
            workspace.ingest.changes_for([make_mention(i, text=t) for i, t in enumerate(texts)])
        )
        feed = workspace.feed_model()
        feed.rebuild()
        for typed in ("к", "ка", "кар", "карт", "карта"):
            feed.set_filter(FeedFilter.parsed(FeedScope.OPEN, typed))
            narrowed = list(feed.ids)
            feed.rebuild()
            assert narrowed == list(feed.ids), typed
        # A word is its stem, and "карт" begins "картошка" too (see core/stemming.py).
        assert len(feed.ids) == 3
        feed.set_filter(FeedFilter.parsed(FeedScope.OPEN, '"карта"'))
        assert len(feed.ids) == 2


def test_retesting_the_open_queue_matches_a_full_rebuild(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        workspace = Workspace(store, actor="anna", sources={})
        mentions = [make_mention(i) for i in range(8)]
        store.commit(workspace.ingest.changes_for(mentions))
        store.commit(workspace.triage.status_changes([mentions[0].id], Status.DONE))
        feed = workspace.feed_model()
        feed.rebuild()  # the app keeps the model current through apply()
        feed.set_filter(FeedFilter.parsed(FeedScope.OPEN, "older:1m"))
        feed.retest()
        retested = list(feed.ids)
        feed.rebuild()
        assert retested == list(feed.ids) and len(retested) == 7


# -- the index (texts, facets) answers exactly what a scan of every record would -------------------

WORDS = ("card", "карта", "Блок", "refund", "ёлка", "spam", "delivery", "fraud", "🙂", "𝔽raud")
QUERIES = (
    "",
    "card",
    "ca",
    "карт",
    "блок карта",
    "елка",
    "-card",
    "card -refund",
    '"card fraud"',
    "platform:vk",
    "platform:vk,tg",
    "-platform:x",
    "sentiment:neg",
    "platform:vk sentiment:neg",
    "is:open",
    "is:new,done",
    "-is:open",
    "status:replied",
    "tag:vip",
    "-tag:spam",
    "tag:VIP,spam platform:mastodon",
    "intent:complaint card",
    "card OR refund",
    "platform:vk OR sentiment:pos",
    "-(platform:vk sentiment:neg)",
    "is:open -tag:spam карта",
    "is:spam",
    "is:assigned platform:vk",
    "user3",
    "author:@user2 -card",
    "priority:>=50 platform:bsky",
    "older:2h card",
    # Terms the index answers from its rows, or by reading the record (author, replies...).
    "assignee:anna",
    "assignee:none card",
    "assignee:me OR tag:vip",
    "author:user",
    "author:user3 OR 🙂",
    "🙂 OR delivery",
    "-(🙂 OR ёлка)",
    "𝔽raud OR author:@user1",
    "has:url",
    "is:replied-to -card",
    "followers:>10",
    "followers:<100 OR 🙂",
    "-followers:>=5000 card",
    "lang:ru OR account:bank-vk",
    "🙂",
    "card 🙂",
    "-🙂 𝔽",
    "(card OR 🙂) priority:<50",
    "newer:1h OR tag:vip",
    "due:1h",
    "is:breaching OR fraud",
)


def random_record_changes(rng: random.Random, n: int) -> ChangeSet:
    changes = ChangeSet()
    for k in rng.sample(range(n), 12):
        record = make_mention(
            k,
            text=" ".join(rng.sample(WORDS, rng.randint(1, 4))),
            created_at=T0 + timedelta(minutes=rng.randrange(600)),
            platform=rng.choice(list(Platform)),
            sentiment=rng.choice(list(Sentiment)),
            intent=rng.choice(list(Intent)),
            status=rng.choice(list(Status)),
            tags=tuple(rng.sample(("vip", "spam", "Refund", "VIP"), rng.randint(0, 2))),
            assignee=rng.choice((None, "anna")),
            priority=rng.randrange(100),
        ).to_record()
        record["author"] = {**record["author"], "followers": rng.choice((None, 3, 5000))}
        changes.insert_new(Collection.MENTIONS, record)
        if rng.random() < 0.3:
            changes.put(Collection.MENTIONS, record)
    if rng.random() < 0.3:
        changes.delete(Collection.MENTIONS, make_mention(rng.randrange(n)).id)
    return changes


def scanned(store: Store, query: str, ctx: QueryContext) -> list[str]:
    """Every mention the query matches, newest first, by testing each record."""
    matches = FeedFilter.parsed(FeedScope.ALL, query).predicate(ctx)
    found = [r for r in store.records(Collection.MENTIONS) if matches(r)]
    return [r["id"] for r in sorted(found, key=age_key, reverse=True)]


def test_searching_everything_agrees_with_a_scan_through_changes(store: Store) -> None:
    rng = random.Random(11)
    ctx = QueryContext(T0 + timedelta(hours=12), "anna")
    model = FeedModel(store, lambda: ctx)
    model.warm()
    for step in range(8):
        model.apply(store.commit(random_record_changes(rng, 150)))
        for query in rng.sample(QUERIES, 12) if step else QUERIES:
            wanted = FeedFilter.parsed(FeedScope.ALL, query)
            model.set_filter(wanted)
            expected = scanned(store, query, ctx)
            assert list(model.ids) == expected, query
            assert model.count(wanted) == len(expected), query
            for row, mention_id in enumerate(expected[:5]):
                assert model.index_of(mention_id) == row, query


def test_typing_over_everything_narrows_to_what_a_scan_finds(store: Store) -> None:
    rng = random.Random(3)
    ctx = QueryContext(T0, "anna")
    store.commit(random_record_changes(rng, 200))
    model = FeedModel(store, lambda: ctx)
    for typed in ("is:open -tag:spam карта", "platform:vk card fraud", "-card refund"):
        model.set_filter(FeedFilter.parsed(FeedScope.ALL, ""))
        for end in range(1, len(typed) + 1):
            try:
                wanted = FeedFilter.parsed(FeedScope.ALL, typed[:end])
            except QueryError:
                continue
            model.set_filter(wanted)
            assert list(model.ids) == scanned(store, typed[:end], ctx), typed[:end]
        # A change between keystrokes makes the remembered matches stale.
        model.apply(store.commit(random_record_changes(rng, 200)))
        model.set_filter(FeedFilter.parsed(FeedScope.ALL, typed + "x"))
        assert list(model.ids) == scanned(store, typed + "x", ctx)


def test_tracked_view_counts_follow_every_change(store: Store) -> None:
    rng = random.Random(7)
    ctx = QueryContext(T0 + timedelta(hours=3), "anna")
    model = FeedModel(store, lambda: ctx)
    views = [
        FeedFilter.parsed(FeedScope.OPEN, q)
        for q in ("", "assignee:none", "sentiment:neg", "card -refund", "older:1h")
    ] + [FeedFilter.parsed(FeedScope.ALL, ""), FeedFilter.parsed(FeedScope.ALL, "fraud")]
    model.track(views)
    for _ in range(10):
        model.apply(store.commit(random_record_changes(rng, 120)))
        counts = model.tracked_counts()
        assert counts[-1] is None  # a query over everything is counted in a worker
        assert counts[:-1] == [model.count(view) for view in views[:-1]]
        assert counts[0] == sum(
            1 for r in store.records(Collection.MENTIONS) if r["status"] in OPEN_VALUES
        )


class ChangesWhileRead:
    """A store whose full read is overtaken by changes, as when the UI applies some
    while a worker builds the index."""

    def __init__(self, store: Store, change: Callable[[], None]) -> None:
        self.store = store
        self.change = change

    def records(self, collection: Collection) -> Iterator[Record]:
        snapshot = list(self.store.records(collection))
        self.change()
        return iter(snapshot)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_changes_made_while_the_index_is_built_are_not_lost(store: Store) -> None:
    rng = random.Random(5)
    ctx = QueryContext(T0 + timedelta(hours=12), "anna")
    store.commit(random_record_changes(rng, 60))
    index: MentionIndex

    def change() -> None:
        changed = store.commit(random_record_changes(rng, 60))
        for mention_id in changed.of(Collection.MENTIONS):
            index.put(mention_id, store.get(Collection.MENTIONS, mention_id))

    index = MentionIndex(cast(Repository, ChangesWhileRead(store, change)))
    for query in ("", "is:open", "card", "-tag:spam platform:vk"):
        found = [key[-1] for key in reversed(index.matching(parse(query), ctx))]
        assert found == scanned(store, query, ctx), query


def test_the_open_queue_opens_without_reading_the_archive(store: Store) -> None:
    store.commit(random_record_changes(random.Random(2), 80))

    class NoArchive:
        def __getattr__(self, name: str) -> Any:
            if name == "records":
                raise AssertionError("the whole store was read")
            return getattr(store, name)

    model = FeedModel(cast(Repository, NoArchive()))
    everything = store.records(Collection.MENTIONS)
    assert set(model.ids) == {r["id"] for r in everything if r["status"] in OPEN_VALUES}


def test_pause_while_busy_waits_until_the_keys_are_quiet() -> None:
    now, last_key, slept = [10.0], [9.9], []
    needed = threading.Event()
    key_during_wait = [True]

    def wait(event: threading.Event, seconds: float) -> None:
        assert event is needed
        slept.append(round(seconds, 6))
        now[0] += seconds
        if key_during_wait[0]:
            key_during_wait[0] = False
            last_key[0] = now[0]  # a key pressed meanwhile: wait again

    pause = pause_while_busy(lambda: last_key[0], quiet=0.3, clock=lambda: now[0], wait=wait)
    pause(needed)
    assert slept == [0.2, 0.3]
    slept.clear()
    pause(needed)  # quiet already: no wait
    assert slept == []
    last_key[0] = now[0]  # the user is typing, but a caller needs the index now
    needed.set()
    pause(needed)
    assert slept == []


def test_a_build_ahead_of_need_pauses_until_a_caller_needs_it(store: Store) -> None:
    changes = ChangeSet()
    for n in range(3 * PAUSE_EVERY):
        changes.put(Collection.MENTIONS, make_mention(n, text=f"mention {n}").to_record())
    store.commit(changes)
    index = MentionIndex(store)
    paused = threading.Event()
    release = threading.Event()
    calls = 0

    def pause(_needed: threading.Event) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            paused.set()
            assert release.wait(30)

    warming = threading.Thread(target=index.warm, kwargs={"pause": pause})
    warming.start()
    assert paused.wait(30)
    needing = threading.Thread(target=index.ensure)  # a query needs the index now
    needing.start()
    while not index._needed.is_set():  # the hand-over is the point: wait for it
        time.sleep(0.001)
    release.set()
    warming.join(30)
    needing.join(30)
    assert calls == 2  # no pause after the index was needed
    ctx = QueryContext(now=T0, me="anna")
    assert [k[-1] for k in reversed(index.matching(parse(""), ctx))] == scanned(store, "", ctx)
