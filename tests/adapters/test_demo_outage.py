"""The demo's outage: a burst of near-identical complaints that the spike watch and
near-duplicate grouping catch, on an injected clock (no waiting, no Textual)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from smm_tui.adapters import demo_outage
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.adapters.demo_identities import Seed
from smm_tui.adapters.demo_outage import OUTAGE_AFTER, OUTAGE_ENV, OUTAGE_SPAN, OutageComment
from smm_tui.config.demo import demo_config
from smm_tui.core import near_dupes
from smm_tui.core.models import Mention, Platform
from smm_tui.core.spikes import Kind, SpikeWatch, TrendSettings, term_key
from smm_tui.runtime import trends_from

T0 = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
POLL = timedelta(seconds=30)
CONFIG = demo_config("me")
#: The words every outage complaint uses one or more of, as the watch counts them.
OUTAGE_TERMS = frozenset(
    term_key(word) for word in ("приложение", "работает", "войти", "могу", "app", "down", "log")
)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Demo:
    """The built-in demo's accounts on one clock, and the burst each was planned."""

    clock: Clock
    adapters: dict[str, DemoAdapter]
    planned: dict[tuple[str, datetime], OutageComment]
    cursors: dict[str, str | None]

    def poll(self) -> list[Mention]:
        """What every account delivers now, oldest first."""
        found: list[Mention] = []
        for name, adapter in self.adapters.items():
            page = asyncio.run(adapter.fetch_mentions(self.cursors[name]))
            self.cursors[name] = page.cursor
            found.extend(page.mentions)
        return sorted(found, key=lambda mention: mention.created_at)

    def outage_comment(self, mention: Mention) -> OutageComment | None:
        return self.planned.get((mention.account, mention.created_at))

    def about_outage(self, mention: Mention) -> bool:
        """Whether ``mention`` is one of the burst's complaints about the outage."""
        comment = self.outage_comment(mention)
        return comment is not None and comment.about_outage

    def history(self) -> list[Mention]:
        every = (m for adapter in self.adapters.values() for m in adapter.history_mentions())
        return sorted(every, key=lambda mention: mention.created_at)

    def polls(self, span: timedelta) -> Iterator[list[Mention]]:
        """Each poll's mentions, a poll every 30 s from T0, for ``span``."""
        while self.clock.now <= T0 + span:
            yield self.poll()
            self.clock.now += POLL


def open_demo(monkeypatch: pytest.MonkeyPatch, outage: str | None = None) -> Demo:
    """The demo's five accounts as ``smm-tui demo`` builds them (a working day each)."""
    if outage is None:
        monkeypatch.delenv(OUTAGE_ENV, raising=False)
    else:
        monkeypatch.setenv(OUTAGE_ENV, outage)
    clock = Clock()
    adapters: dict[str, DemoAdapter] = {}
    planned: dict[tuple[str, datetime], OutageComment] = {}
    for index, account in enumerate(CONFIG.accounts):
        platform = Platform(str(account.extra["simulate"]))
        seed = CONFIG.demo.seed + index
        adapters[account.name] = DemoAdapter.working_day(
            account.name,
            simulate=platform,
            seed=seed,
            rate_per_minute=CONFIG.demo.rate_per_minute,
            clock=clock,
        )
        after = demo_outage.outage_after({} if outage is None else {OUTAGE_ENV: outage})
        if after is not None:
            rng = Seed.of(seed, account.name, platform).rng("outage")
            for comment in demo_outage.plan(rng, after):
                planned[account.name, T0 + timedelta(seconds=comment.offset_s)] = comment
    return Demo(clock, adapters, planned, dict.fromkeys(adapters))


def test_the_outage_comes_when_planned_and_says_the_same_thing_many_ways(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    demo = open_demo(monkeypatch)
    burst = [m for poll in demo.polls(OUTAGE_AFTER + OUTAGE_SPAN) for m in poll]
    burst = [m for m in burst if demo.outage_comment(m) is not None]
    assert 40 <= len(burst) <= 60, "40 to 60 comments over the five networks"
    networks = {Platform(str(account.extra["simulate"])) for account in CONFIG.accounts}
    assert {m.platform for m in burst} == networks
    times = [m.created_at for m in burst]
    assert min(times) > T0 + OUTAGE_AFTER and max(times) <= T0 + OUTAGE_AFTER + OUTAGE_SPAN
    about = [m for m in burst if demo.about_outage(m)]
    assert 0 < len(burst) - len(about) <= len(burst) // 5, "a few about something else"
    assert len({m.text for m in about}) >= len(about) * 0.8, "worded many ways"


def test_a_spike_alert_at_the_first_check_after_the_outage_begins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo's history as the baseline, then the burst: volume and terms spike at once."""
    demo = open_demo(monkeypatch)
    watch = SpikeWatch(TrendSettings())
    watch.add(demo.history())
    first: datetime | None = None
    raised = []
    for poll in demo.polls(OUTAGE_AFTER + OUTAGE_SPAN):
        burst = [m for m in poll if demo.outage_comment(m) is not None]
        if burst and first is None:
            first = burst[0].created_at
        watch.add(burst)
        raised += watch.alerts(demo.clock.now)
        if first is not None:
            break  # the first check that saw the burst
    assert first is not None and demo.clock.now - first <= POLL
    kinds = {alert.kind for alert in raised}
    assert Kind.VOLUME in kinds
    spiking = {term_key(alert.term) for alert in raised if alert.kind is Kind.TERM}
    assert spiking & OUTAGE_TERMS, spiking


def test_the_outage_spikes_in_the_live_demo_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything the demo streams: the outage's words alert as it begins, and not without it."""

    def outage_words_alerted(outage: str | None) -> set[str]:
        demo = open_demo(monkeypatch, outage)
        watch = SpikeWatch(TrendSettings())
        watch.add(demo.history())
        found: set[str] = set()
        for poll in demo.polls(OUTAGE_AFTER + POLL):
            watch.add(poll)
            found |= {
                term_key(alert.term)
                for alert in watch.alerts(demo.clock.now)
                if alert.kind is Kind.TERM and demo.clock.now > T0 + OUTAGE_AFTER
            }
        return found & OUTAGE_TERMS

    assert outage_words_alerted(None), "the first check after the outage begins alerts"
    assert not outage_words_alerted("off") - {term_key("приложение"), term_key("app")}


def test_near_duplicate_grouping_gathers_each_languages_complaints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One incident per language (Russian and English share no words to compare), with
    nine in ten of its complaints; the comments about something else join neither."""
    demo = open_demo(monkeypatch)
    burst = {
        m.id: m
        for poll in demo.polls(OUTAGE_AFTER + OUTAGE_SPAN)
        for m in poll
        if demo.outage_comment(m) is not None
    }
    groups = [set(found) for found in near_dupes.group({k: m.text for k, m in burst.items()})]
    unrelated = {k for k, m in burst.items() if not demo.about_outage(m)}
    for language in ("ru", "en"):
        complaints = {k for k, m in burst.items() if k not in unrelated and m.language == language}
        biggest = max(groups, key=lambda found: len(found & complaints))
        share = len(biggest & complaints) / len(complaints)
        print(f"{language}: {len(biggest & complaints)} of {len(complaints)} in one group")
        assert share >= 0.9
        assert not biggest & unrelated


def test_the_stream_before_the_outage_and_its_regular_comments_keep_their_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_outage, without = open_demo(monkeypatch), open_demo(monkeypatch, "off")
    span = OUTAGE_AFTER + OUTAGE_SPAN
    seen = [m for poll in with_outage.polls(span) for m in poll]
    plain = [m for poll in without.polls(span) for m in poll]
    before = [m for m in seen if m.created_at < T0 + OUTAGE_AFTER]
    assert before == [m for m in plain if m.created_at < T0 + OUTAGE_AFTER]
    regular = [m for m in seen if with_outage.outage_comment(m) is None]
    assert [(m.account, m.created_at) for m in regular] == [
        (m.account, m.created_at) for m in plain
    ]
    assert with_outage.history() == without.history()


@pytest.mark.parametrize(
    ("value", "after"),
    [
        (None, OUTAGE_AFTER),
        ("0", timedelta(0)),
        ("0.5", timedelta(seconds=30)),
        ("off", None),
        ("Never", None),
        ("soon", OUTAGE_AFTER),
        ("-1", OUTAGE_AFTER),
    ],
)
def test_the_variable_moves_or_stops_the_outage(value: str | None, after: timedelta | None) -> None:
    assert demo_outage.outage_after({} if value is None else {OUTAGE_ENV: value}) == after


def test_at_once_means_in_the_first_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    demo = open_demo(monkeypatch, "0")
    first = min(demo.planned)[1] if demo.planned else None
    assert first is not None and T0 < first <= T0 + timedelta(seconds=10)
    assert not [m for m in demo.poll() if demo.outage_comment(m) is not None], "none at T0"


def live_alerts(demo: Demo, span: timedelta) -> list[tuple[timedelta, Kind, str]]:
    """What the demo's own watch raises: its settings, counting from when it opens."""
    watch = SpikeWatch(trends_from(CONFIG), since=T0)
    raised = []
    for poll in demo.polls(span):
        watch.add([m for m in poll if m.created_at >= T0])
        raised += [
            (demo.clock.now - T0, a.kind, term_key(a.term)) for a in watch.alerts(demo.clock.now)
        ]
    return raised


def test_the_demo_watch_is_quiet_until_the_outage_and_alerts_as_it_begins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`smm-tui demo` counts its live stream from when it opens (its stored fortnight is too
    sparse a sample): nothing alerts without the outage, and its words do at once."""
    span = OUTAGE_AFTER + OUTAGE_SPAN
    assert live_alerts(open_demo(monkeypatch, "off"), span) == []
    raised = live_alerts(open_demo(monkeypatch), span)
    first = min(at for at, kind, _ in raised)
    assert OUTAGE_AFTER < first <= OUTAGE_AFTER + 2 * POLL
    words = {term for at, kind, term in raised if kind is Kind.TERM and at == first}
    assert words & OUTAGE_TERMS, words
