"""Spike detection on synthetic streams: quiet noise stays quiet, real spikes alert once."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, time, timedelta

import pytest

from smm_tui.core.models import Author, Mention, Platform, Sentiment
from smm_tui.core.spikes import (
    BRAND,
    Alert,
    Kind,
    QuietHours,
    SpikeWatch,
    TrendSettings,
    binomial_tail,
    poisson_tail,
)

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
POLL = timedelta(minutes=5)
#: (account, network) of the synthetic brand.
ACCOUNTS = (("bank-vk", Platform.VK), ("bank-tg", Platform.TELEGRAM))
SCOPES = 5  # the brand, two networks, two accounts
#: Everyday words, drawn with falling weights, so terms recur as in a real stream.
_WORD_TEXT = """
карта перевод приложение кэшбэк вклад кредит отделение поддержка ответ деньги
банкомат ставка заявка офис курс card app transfer support cashback
"""
WORDS = tuple(_WORD_TEXT.split())
_ids = iter(range(10**9))


def mention(
    at: datetime,
    text: str = "вопрос",
    *,
    account: tuple[str, Platform] = ACCOUNTS[0],
    sentiment: Sentiment = Sentiment.NEUTRAL,
) -> Mention:
    name, platform = account
    return Mention(
        platform=platform,
        account=name,
        external_id=str(next(_ids)),
        author=Author(id="u1", handle="someone"),
        text=text,
        created_at=at,
        sentiment=sentiment,
    )


def _poisson(rng: random.Random, mu: float) -> int:
    """Knuth's sampler: fine for the small means of a 5-minute bucket."""
    limit, count, product = math.exp(-mu), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def flat_stream(rng: random.Random, days: int, per_hour: float = 2.0) -> Iterator[Mention]:
    """Each account: Poisson around ``per_hour``, twice as busy at 14:00 as at 02:00.

    A fifth of the mentions are negative; each text is 2-6 everyday words.
    """
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    for step in range(days * 288):
        at = START + step * POLL
        hour = at.hour + at.minute / 60
        rate = per_hour * (1 + math.cos(2 * math.pi * (hour - 14) / 24) / 3)
        for account in ACCOUNTS:
            for _ in range(_poisson(rng, rate / 12)):
                words = rng.choices(WORDS, weights, k=rng.randint(2, 6))
                tone = Sentiment.NEGATIVE if rng.random() < 0.2 else Sentiment.NEUTRAL
                moment = at + timedelta(seconds=rng.uniform(0, 299))
                yield mention(moment, " ".join(words), account=account, sentiment=tone)


def run(watch: SpikeWatch, mentions: Sequence[Mention], until: datetime) -> list[Alert]:
    """Feed the mentions a poll at a time, as ingest would, checking after each poll."""
    ordered = sorted(mentions, key=lambda m: m.created_at)
    raised: list[Alert] = []
    now, next_one = START + POLL, 0
    while now <= until:
        batch_end = next_one
        while batch_end < len(ordered) and ordered[batch_end].created_at < now:
            batch_end += 1
        watch.add(ordered[next_one:batch_end])
        next_one = batch_end
        raised += watch.alerts(now)
        now += POLL
    return raised


def week_of_history(seed: int = 7) -> list[Mention]:
    return list(flat_stream(random.Random(seed), days=7))


# -- the tails ----------------------------------------------------------------------


@pytest.mark.parametrize(("k", "mu"), [(14, 0.5), (6, 0.5), (3, 5.0), (50, 40.0), (30, 40.0)])
def test_poisson_tail_matches_the_plain_sum(k: int, mu: float) -> None:
    exact = 1 - sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k))
    assert poisson_tail(k, mu) == pytest.approx(exact, rel=1e-6, abs=1e-15)


@pytest.mark.parametrize(("k", "n", "p"), [(5, 6, 0.2), (3, 10, 0.5), (8, 10, 0.3), (10, 10, 0.9)])
def test_binomial_tail_matches_the_plain_sum(k: int, n: int, p: float) -> None:
    exact = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))
    assert binomial_tail(k, n, p) == pytest.approx(exact, rel=1e-9)


# -- quiet streams ------------------------------------------------------------------


def test_a_flat_noisy_week_raises_no_alert() -> None:
    watch = SpikeWatch()
    history = week_of_history()

    assert run(watch, history, START + timedelta(days=7)) == []
    assert len(history) > 600  # about 2 an hour on each of two accounts


def test_the_false_alert_rate_over_a_simulated_month_is_below_one_a_week_per_scope() -> None:
    days = 30
    watch = SpikeWatch()

    raised = run(watch, list(flat_stream(random.Random(2026), days)), START + timedelta(days=days))

    weeks = (days - 1) / 7  # the first day is the warm-up
    rate = len(raised) / weeks / SCOPES
    print(f"false alerts: {len(raised)} in {weeks:.1f} weeks, {rate:.3f} a week per scope")
    assert rate <= 1.0
    assert all(alert.kind is not Kind.NEGATIVE for alert in raised) or rate < 0.5


# -- spikes -------------------------------------------------------------------------


def test_fourteen_in_ten_minutes_against_two_an_hour_alerts_at_the_next_check() -> None:
    watch = SpikeWatch()
    spike_start = START + timedelta(days=7, hours=3)
    burst = [mention(spike_start + timedelta(seconds=40 * i), "где деньги") for i in range(14)]
    assert run(watch, week_of_history(), spike_start) == []

    watch.add(burst)
    alerts = watch.alerts(spike_start + timedelta(minutes=10))

    volume = [a for a in alerts if a.kind is Kind.VOLUME]
    assert [a.scope for a in volume] == [("account", "bank-vk")]  # the brand's spike is this one
    assert volume[0].observed >= 14
    assert volume[0].expected < 1.0
    assert volume[0].p_value < 1e-10


def test_a_spike_raises_one_alert_per_episode_and_again_after_it_ends() -> None:
    watch = SpikeWatch()
    at = START + timedelta(days=7, hours=3)
    run(watch, week_of_history(), at)

    def burst(start: datetime) -> list[Mention]:
        return [mention(start + timedelta(seconds=20 * i), "ой") for i in range(14)]

    watch.add(burst(at))
    first = watch.alerts(at + timedelta(minutes=5))
    watch.add(burst(at + timedelta(minutes=5)))  # still going
    during = watch.alerts(at + timedelta(minutes=10))
    later = [watch.alerts(at + timedelta(minutes=15 + 5 * i)) for i in range(6)]
    watch.add(burst(at + timedelta(minutes=60)))
    again = watch.alerts(at + timedelta(minutes=65))

    assert [a.kind for a in first] == [Kind.VOLUME]
    assert during == []
    assert later == [[]] * 6
    assert [a.kind for a in again] == [Kind.VOLUME]


def test_the_negative_share_alerts_when_it_jumps_even_at_ordinary_volume() -> None:
    watch = SpikeWatch(TrendSettings(min_ratio=100.0))  # volume alone cannot alert here
    at = START + timedelta(days=7, hours=14)
    run(watch, week_of_history(), at)
    angry = [
        mention(at + timedelta(minutes=i), "ужас", sentiment=Sentiment.NEGATIVE) for i in range(6)
    ]

    watch.add(angry)
    alerts = watch.alerts(at + timedelta(minutes=7))

    negative = [a for a in alerts if a.kind is Kind.NEGATIVE]
    assert [a.scope for a in negative] == [("account", "bank-vk")]
    assert negative[0].observed == 6
    assert negative[0].total >= 6
    assert negative[0].expected < negative[0].observed / 2


def test_a_terms_russian_forms_count_together_and_ignored_terms_never_alert() -> None:
    at = START + timedelta(days=7, hours=14)
    forms = ["карта", "карту", "картой", "карты", "карте", "карту"]
    texts = [f"{form} заблокировали #сбой" for form in forms]
    history = week_of_history()
    noticing, ignoring = SpikeWatch(), SpikeWatch(TrendSettings(ignored=("Карта", "#СБОЙ")))
    accounts = [ACCOUNTS[i % 2] for i in range(6)]  # spread, so only the brand sees them all
    burst = [
        mention(at + timedelta(minutes=i), text, account=account)
        for i, (text, account) in enumerate(zip(texts, accounts, strict=True))
    ]

    for watch in (noticing, ignoring):
        run(watch, history, at)
        watch.add(burst)
    noticed = noticing.alerts(at + timedelta(minutes=7))
    ignored = ignoring.alerts(at + timedelta(minutes=7))

    terms = {(a.term, a.scope, a.observed) for a in noticed if a.kind is Kind.TERM}
    assert ("карта", BRAND, 6) in terms  # six forms, one term, named by its commonest form
    assert ("#сбой", BRAND, 6) in terms
    assert ("заблокировали", BRAND, 6) in terms
    assert [a for a in ignored if a.term in {"карта", "#сбой"}] == []
    assert any(a.term == "заблокировали" for a in ignored)


def test_quiet_hours_raise_nothing_but_keep_counting() -> None:
    settings = TrendSettings(quiet=(QuietHours.parse("22:00-08:00"),))
    watch = SpikeWatch(settings)
    night = START + timedelta(days=7, hours=23)
    run(watch, week_of_history(), night)
    burst = [mention(night + timedelta(seconds=30 * i), "ой") for i in range(14)]

    watch.add(burst)
    at_night = watch.alerts(night + timedelta(minutes=10))
    morning = START + timedelta(days=8, hours=8)
    watch.add(
        [mention(morning - timedelta(minutes=8) + timedelta(seconds=20 * i)) for i in range(14)]
    )
    at_eight = watch.alerts(morning)

    assert at_night == []
    assert Kind.VOLUME in [a.kind for a in at_eight]
    assert QuietHours(time(1), time(3)).covers(time(2))
    assert not QuietHours(time(1), time(3)).covers(time(3))


def test_no_alert_before_the_warm_up_and_a_mention_counts_once() -> None:
    watch = SpikeWatch()
    burst = [mention(START + timedelta(seconds=20 * i)) for i in range(14)]

    watch.add(burst + burst)
    early = watch.alerts(START + timedelta(minutes=10))

    assert early == []
    late = SpikeWatch(since=START - timedelta(days=2))
    late.add(burst + burst)
    (alert,) = [a for a in late.alerts(START + timedelta(minutes=10)) if a.kind is Kind.VOLUME]
    assert alert.observed == 14


def test_the_sliding_baseline_equals_a_fresh_count_with_late_mentions() -> None:
    """The baseline kept as it slides holds what summing its buckets afresh gives."""
    rng = random.Random(5)
    words = ["карта", "карту", "app", "down", "#сбой", "перевод", "money", "card"]
    start = datetime(2026, 3, 1, tzinfo=UTC)
    watch = SpikeWatch(since=start)
    moment = start
    for _ in range(9 * 24 * 6):  # nine days of checks, one every 10 minutes
        moment += timedelta(minutes=10)
        late = moment - timedelta(days=rng.choice((0, 0, 0, 2, 5)), minutes=rng.randrange(60))
        texts = (" ".join(rng.sample(words, 3)) for _ in range(rng.randrange(4)))
        sentiments = (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.UNKNOWN)
        watch.add(mention(late, text, sentiment=rng.choice(sentiments)) for text in texts)
        watch.alerts(moment)
    for scope, buckets in watch._scopes.items():
        kept = watch._baselines[scope]
        fresh = [buckets[b] for b in kept.buckets if b in buckets]
        assert sum(kept.volume) == sum(b.volume for b in fresh)
        assert (kept.toned, kept.negative) == (
            sum(b.toned for b in fresh),
            sum(b.negative for b in fresh),
        )
        for key in {key for b in fresh for key in b.terms}:
            assert kept.term_by_hour(key)[1] == sum(b.terms[key] for b in fresh), key
