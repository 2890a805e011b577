"""The live alert watch: warmed from the store, fed what arrives, each alert stored once."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import timedelta

import pytest

from smm_tui import headless
from smm_tui.core.alert_watch import AlertWatch
from smm_tui.core.alerts import AlertBook, SpikeAlert, alert_line, what_text
from smm_tui.core.context import ServiceContext
from smm_tui.core.query import QueryContext, parse
from smm_tui.core.repository import Collection
from smm_tui.core.spikes import Kind, TrendSettings
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.core.spike_kit import SPIKE_AT, flat_history, spike, store_all


def watch_over(store: Store, clock: FakeClock) -> AlertWatch:
    ctx = ServiceContext(store, "alice", clock)
    return AlertWatch(ctx, TrendSettings(), AlertBook(ctx))


def test_a_spike_is_stored_once_with_the_mentions_it_opens(store: Store) -> None:
    clock = FakeClock(SPIKE_AT - timedelta(minutes=11))
    store_all(store, flat_history())
    watch = watch_over(store, clock)
    assert watch.warm() > 300
    assert watch.check() == []

    burst = spike()
    watch.arrived(store_all(store, burst))
    clock.now = SPIKE_AT
    raised = watch.check()

    terms = [a for a in raised if a.kind is Kind.TERM and a.term == "приложение"]
    assert len(terms) == 1, [alert_line(a) for a in raised]
    alert = terms[0]
    assert alert.scope == ("account", "bank-vk") and alert.observed == 14
    assert alert.expected < 1
    burst_ids = {m.id for m in burst}
    assert len(alert.examples) == 5 and set(alert.examples) <= burst_ids
    assert alert.since == burst[0].created_at
    # The query finds exactly the burst among everything stored.
    matches = parse(alert.feed_query(clock.now)).compile(QueryContext(clock.now, "alice"))
    found = {r["id"] for r in store.records(Collection.MENTIONS) if matches(r)}
    assert found == burst_ids
    assert {a.id for a in AlertBook(ServiceContext(store, "bob", clock)).all()} == {
        a.id for a in raised
    }
    # Checked again in the same episode, nothing more is raised.
    clock.advance(60)
    assert watch.check() == []


def test_the_strip_line_says_what_spiked_where() -> None:
    alert = SpikeAlert(
        id="a",
        at=SPIKE_AT,
        kind=Kind.TERM,
        scope=("network", "vk"),
        observed=14,
        expected=0.4,
        window=timedelta(minutes=15),
        since=SPIKE_AT - timedelta(minutes=9, seconds=30),
        term="приложение\x1b[2J",
    )
    assert alert_line(alert) == "▲ spike: 'приложение␛[2J' ×14 in 10 min, VK"
    volume = SpikeAlert.from_record(
        {**alert.to_record(), "kind": "volume", "scope": ["account", "bank-vk"], "term": ""}
    )
    assert alert_line(volume) == "▲ volume: 14 mentions in 10 min (≈0.4 expected), bank-vk"
    negative = SpikeAlert.from_record(
        {**alert.to_record(), "kind": "negative", "scope": ["brand"], "total": 20, "term": ""}
    )
    assert alert_line(negative) == (
        "▲ negative: 14 of 20 mentions in 10 min (≈0.4 expected), all networks"
    )
    assert what_text(negative) == "14 of 20 vs ≈0.4"
    assert SpikeAlert.from_record(alert.to_record()) == alert


def test_what_arrives_before_the_warm_up_is_counted_after_it(store: Store) -> None:
    clock = FakeClock(SPIKE_AT)
    store_all(store, flat_history())
    watch = watch_over(store, clock)
    burst = spike(start=200_000)
    watch.arrived(store_all(store, burst))
    assert watch.check() == [], "no check before the warm-up"
    watch.warm()
    assert any(a.kind is Kind.TERM for a in watch.check())


def test_two_watches_on_one_store_store_each_alert_once(store: Store) -> None:
    clock = FakeClock(SPIKE_AT - timedelta(minutes=11))
    store_all(store, flat_history())
    first, second = watch_over(store, clock), watch_over(store, clock)
    first.warm()
    second.warm()
    changed = store_all(store, spike())
    first.arrived(changed)
    second.arrived(changed)
    clock.now = SPIKE_AT
    stored = first.check()
    assert stored
    assert second.check() == []
    # A poller that takes over mid-episode, a few minutes on, raises none again.
    third = watch_over(store, clock)
    clock.advance(7 * 60)
    third.warm()
    assert third.check() == []
    assert sorted(r["id"] for r in store.records(Collection.ALERTS)) == sorted(a.id for a in stored)


def test_a_flat_stream_raises_nothing(store: Store) -> None:
    clock = FakeClock(SPIKE_AT)
    store_all(store, flat_history(seed=11))
    watch = watch_over(store, clock)
    watch.warm()
    for _ in range(12):
        clock.advance(5 * 60)
        assert watch.check() == []
    assert list(store.records(Collection.ALERTS)) == []


def test_an_alert_leaves_the_strip_when_dismissed_or_an_hour_old(store: Store) -> None:
    clock = FakeClock(SPIKE_AT - timedelta(minutes=11))
    store_all(store, flat_history())
    watch = watch_over(store, clock)
    watch.warm()
    watch.arrived(store_all(store, spike()))
    clock.now = SPIKE_AT
    raised = watch.check()
    book = AlertBook(ServiceContext(store, "bob", clock))
    shown = book.on_strip()
    assert {a.id for a in shown} == {a.id for a in raised}
    assert shown[0].kind is Kind.TERM, "of alerts raised together, a term says most"

    clock.advance(59 * 60)
    assert book.on_strip()
    clock.advance(60)
    assert book.on_strip() == [], "an hour old"

    clock.now = SPIKE_AT + timedelta(minutes=1)
    for alert in raised:
        dismissed = asyncio.run(book.dismiss(alert.id))
        assert dismissed.dismissed_by == "bob" and dismissed.dismissed_at == clock.now
    assert book.on_strip() == [], "dismissed"
    assert len(book.all()) == len(raised), "a dismissed alert stays in the list"


async def test_the_headless_poller_raises_alerts_too(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`smm-tui poll` runs the same watch as the app's poller and says each alert in a line."""
    monkeypatch.setattr(headless, "CHECK_EVERY", 0.01)
    store_all(store, [*flat_history(), *spike()])
    workspace = Workspace(store, actor="alice", sources={}, clock=FakeClock(SPIKE_AT))
    out = io.StringIO()
    watching = asyncio.ensure_future(headless.watch_spikes(workspace, out))
    try:
        deadline = time.monotonic() + 10
        while "alert " not in out.getvalue():  # waits on the line, checking every 10 ms
            assert time.monotonic() < deadline, "no alert line"
            await asyncio.sleep(0.01)
    finally:
        watching.cancel()
    assert "spike: 'приложение' ×14 in 10 min, bank-vk" in out.getvalue()
