"""Synthetic mention streams for the spike alert and trends tests: a flat week, then a burst."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import timedelta

from smm_tui.core.models import Author, Mention, Platform, Sentiment
from smm_tui.core.repository import Changed, ChangeSet, Collection, Repository
from tests.conftest import T0

WORDS = [
    "карта",
    "перевод",
    "кэшбэк",
    "вклад",
    "кредит",
    "отделение",
    "банкомат",
    "лимит",
    "выписка",
    "курс",
]
#: The spike ends here: a week and a day of flat history before it.
SPIKE_AT = T0 + timedelta(days=8)
SPIKE_TEXT = "приложение не работает"


def mention(n: int, at_minutes: float, text: str, **fields: object) -> Mention:
    values: dict[str, object] = {
        "platform": Platform.VK,
        "account": "bank-vk",
        "external_id": f"c{n}",
        "author": Author(id=f"u{n}", handle=f"user{n}", display_name=f"User {n}"),
        "text": text,
        "created_at": T0 + timedelta(minutes=at_minutes),
        "sentiment": Sentiment.NEUTRAL,
    }
    values.update(fields)
    return Mention(**values)  # type: ignore[arg-type]


def flat_history(days: int = 8, seed: int = 7) -> list[Mention]:
    """About 2 mentions an hour of everyday words, for ``days`` before the spike."""
    rng = random.Random(seed)
    found, minute, n = [], 0.0, 0
    while minute < days * 24 * 60 - 20:
        minute += rng.expovariate(1 / 30)
        n += 1
        text = " ".join(rng.sample(WORDS, 3))
        found.append(mention(n, minute, text))
    return found


def spike(count: int = 14, start: int = 100_000) -> list[Mention]:
    """``count`` complaints over the 10 minutes before :data:`SPIKE_AT`."""
    first = (SPIKE_AT - T0).total_seconds() / 60 - 10
    return [
        mention(start + i, first + i * 10 / count, SPIKE_TEXT, sentiment=Sentiment.NEGATIVE)
        for i in range(count)
    ]


def store_all(store: Repository, mentions: Iterable[Mention]) -> Changed:
    changes = ChangeSet()
    for item in mentions:
        changes.insert_new(Collection.MENTIONS, item.to_record())
    return store.commit(changes)
