"""Rising terms over stored mentions, and the alerts a replay of them raises."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from smm_tui.core.models import Mention
from smm_tui.core.spikes import BRAND, Kind, QuietHours, TrendSettings, poisson_tail
from smm_tui.core.trends import WINDOWS, alerts_over, rising_terms
from tests.conftest import make_mention

NOW = datetime(2026, 3, 9, 15, 2, tzinfo=UTC)
HOUR, DAY = WINDOWS["1h"], WINDOWS["1d"]
SETTINGS = TrendSettings()
#: Everyday words, drawn with falling weights, so terms recur as in a real stream.
WORDS = [
    "карта",
    "перевод",
    "приложение",
    "кэшбэк",
    "вклад",
    "кредит",
    "отделение",
    "поддержка",
    "ответ",
    "деньги",
]
BURST = (
    "Приложение не работает",
    "приложение опять не работает!",
    "приложения не работают с утра",
    "в приложении ничего не работает",
    "Приложение не работает, верните старое",
    "приложение не работает #сбой",
    "ПРИЛОЖЕНИЕ НЕ РАБОТАЕТ",
)
_numbers = iter(range(10**9))


def at(moment: datetime, text: str) -> Mention:
    n = next(_numbers)
    return make_mention(n, external_id=f"t{n}", text=text, created_at=moment)


def flat(days: int = 8, per_hour: int = 2, seed: int = 7) -> list[Mention]:
    """``per_hour`` mentions an hour of 2-4 everyday words, for ``days`` before NOW."""
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    stream = []
    for hour in range(days * 24):
        for slot in range(per_hour):
            moment = NOW - timedelta(hours=hour, minutes=slot * 60 // per_hour + 1)
            stream.append(at(moment, " ".join(rng.choices(WORDS, weights, k=rng.randint(2, 4)))))
    return stream


def burst(start: datetime, step: timedelta) -> list[Mention]:
    return [at(start + i * step, text) for i, text in enumerate(BURST)]


def test_a_flat_stream_lists_nothing() -> None:
    stream = flat()
    assert rising_terms(stream, NOW, window=HOUR, settings=SETTINGS) == []
    assert rising_terms(stream, NOW, window=DAY, settings=SETTINGS) == []


def test_no_mentions_or_no_history_lists_nothing() -> None:
    assert rising_terms([], NOW, window=HOUR, settings=SETTINGS) == []
    only_now = burst(NOW - timedelta(minutes=30), timedelta(minutes=1))
    assert rising_terms(only_now, NOW, window=HOUR, settings=SETTINGS) == []


def test_a_burst_rises_in_the_hour_with_its_newest_examples() -> None:
    spike = burst(NOW - timedelta(minutes=40), timedelta(minutes=5))
    found = rising_terms(flat() + spike, NOW, window=HOUR, settings=SETTINGS)
    by_term = {t.term: t for t in found}
    assert set(by_term) == {"приложение", "работает"}
    work = by_term["работает"]
    assert work.count == 7  # "работают" counts with "работает"
    assert work.examples == tuple(m.id for m in reversed(spike))[:5]
    assert len(work.history) == 7 * 24 + 1 and work.history[-1] == 7
    assert sum(work.history[:-1]) == 0 and work.baseline == pytest.approx(0.5 / (7 * 24))
    assert work.score == pytest.approx(-math.log10(poisson_tail(7, work.baseline)))
    app = by_term["приложение"]
    # An everyday word: the flat stream uses it in the window too, and it has a baseline.
    assert app.count >= 7 and app.baseline > work.baseline
    assert [t.score for t in found] == sorted((t.score for t in found), reverse=True)


def test_ignored_terms_in_any_form_are_not_listed() -> None:
    stream = flat() + burst(NOW - timedelta(minutes=40), timedelta(minutes=5))
    settings = TrendSettings(ignored=("работают",))
    assert [t.term for t in rising_terms(stream, NOW, window=HOUR, settings=settings)] == [
        "приложение"
    ]


def test_a_burst_spread_over_hours_rises_only_in_the_day() -> None:
    spread = burst(NOW - timedelta(hours=20), timedelta(hours=3))
    stream = flat() + spread
    assert rising_terms(stream, NOW, window=HOUR, settings=SETTINGS) == []
    found = rising_terms(stream, NOW, window=DAY, settings=SETTINGS)
    assert "работает" in {t.term for t in found}
    work = next(t for t in found if t.term == "работает")
    assert work.count == 7 and len(work.history) == 8


def test_a_hashtag_rises_as_typed() -> None:
    tagged = [at(NOW - timedelta(minutes=i + 1), "#Сбой опять") for i in range(6)]
    found = rising_terms(flat() + tagged, NOW, window=HOUR, settings=SETTINGS)
    assert [t.term for t in found] == ["#сбой"]


def test_min_count_keeps_a_handful_off_the_list() -> None:
    stream = flat() + burst(NOW - timedelta(minutes=40), timedelta(minutes=5))
    assert rising_terms(stream, NOW, window=HOUR, settings=TrendSettings(min_count=10)) == []


def test_the_replay_raises_a_spike_once_and_a_flat_week_nothing() -> None:
    stream = flat(per_hour=1)
    assert alerts_over(stream, NOW, SETTINGS) == []
    spike = [at(NOW - timedelta(hours=2, minutes=i), "всё сломалось") for i in range(12)]
    alerts = alerts_over(stream + spike, NOW, SETTINGS)
    kinds = {(a.kind, a.scope, a.term) for a in alerts}
    assert (Kind.VOLUME, ("account", "bank-vk"), "") in kinds
    assert all(NOW - timedelta(hours=3) < a.at < NOW - timedelta(hours=1) for a in alerts)
    (volume,) = [a for a in alerts if a.kind is Kind.VOLUME]
    assert volume.observed >= SETTINGS.min_count
    assert not any(a.scope == BRAND for a in alerts)  # the account explains it


def test_the_replay_keeps_quiet_hours() -> None:
    spike = [at(NOW - timedelta(hours=2, minutes=i), "всё сломалось") for i in range(12)]
    quiet = TrendSettings(quiet=(QuietHours.parse("12:00-14:00"),))
    assert alerts_over(flat(per_hour=1) + spike, NOW, quiet) == []


def test_since_says_the_history_is_older_than_the_mentions_given() -> None:
    only_now = burst(NOW - timedelta(minutes=30), timedelta(minutes=1))
    found = rising_terms(
        only_now, NOW, window=HOUR, settings=SETTINGS, since=NOW - timedelta(days=30)
    )
    assert {t.term for t in found} == {"приложение", "работает"}
