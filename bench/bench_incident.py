"""Incident benchmark: how long grouping 5,000 candidate complaints into near duplicates takes.

Run it as ``.venv/bin/python bench/bench_incident.py [--quick] [--runs N] [--json PATH]``.

The candidates are synthetic, Russian and English (a fixed seed): half are paraphrases of
twenty incidents, with filler words, order numbers, card masks, handles and links around
a core wording; the rest are complaints, questions and praise drawn from a shared
vocabulary, so they share many words with the incidents and with each other, the costly
case for the pairwise checks. Each run groups them all with
:func:`smm_tui.core.near_dupes.group`, its stem cache emptied first (the first grouping of
a session, the slowest). ``incident_group_ms`` is the median of the runs.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

import benchlib
from benchlib import fmt, met, print_rows, spread, summarise

from smm_tui.core.near_dupes import DEFAULT_THRESHOLD, clear_stem_cache, group

TARGETS = benchlib.targets(at_most={"incident_group_ms": 500})
CANDIDATES = 5_000
INCIDENTS = (
    "приложение не работает не могу войти",
    "не проходит оплата картой в магазине",
    "списали деньги дважды за одну покупку",
    "заблокировали карту без объяснения причин",
    "не приходит смс с кодом подтверждения",
    "не начислили кешбэк за прошлый месяц",
    "перевод по номеру телефона завис",
    "банкомат не выдает наличные но списал",
    "не работает оплата по qr коду",
    "поддержка не отвечает в чате",
    "the app is down and I can't log in",
    "card payment is not going through at checkout",
    "I was charged twice for the same purchase",
    "my card was blocked for no reason",
    "the sms code never arrives",
    "my transfer has been pending for days",
    "cashback for last month is missing",
    "the website shows an error on login",
    "apple pay stopped working with my card",
    "the chat support does not answer",
)
FILLER = (
    "опять",
    "срочно",
    "что за дела",
    "уже час",
    "с утра",
    "у всех так",
    "again",
    "seriously",
    "since this morning",
    "please fix",
    "😡",
    "!!!",
)
VOCABULARY = [
    "карта",
    "карту",
    "картой",
    "приложение",
    "оплата",
    "деньги",
    "перевод",
    "счет",
    "вклад",
    "кредит",
    "кешбэк",
    "банкомат",
    "отделение",
    "поддержка",
    "смс",
    "код",
    "лимит",
    "комиссия",
    "тариф",
    "выписка",
    "курс",
    "доллар",
    "ипотека",
    "страховка",
    "работает",
    "быстро",
    "медленно",
    "спасибо",
    "отлично",
    "плохо",
    "долго",
    "вчера",
    "сегодня",
    "почему",
    "как",
    "где",
    "когда",
    "card",
    "app",
    "payment",
    "money",
    "transfer",
    "account",
    "deposit",
    "loan",
    "cashback",
    "atm",
    "branch",
    "support",
    "code",
    "limit",
    "fee",
    "rate",
    "statement",
    "mortgage",
    "insurance",
    "works",
    "fast",
    "slow",
    "thanks",
    "great",
    "bad",
    "long",
    "today",
    "why",
    "how",
    "where",
    "when",
    "new",
    "old",
    "update",
    "design",
    "login",
    "password",
    "limit",
    "refund",
    "order",
    "delivery",
]


def candidates(count: int, seed: int = 16) -> dict[str, str]:
    """``count`` synthetic candidates, id → text: half incident paraphrases, half others."""
    rng = random.Random(seed)
    texts = {}
    for n in range(count):
        if n % 2 == 0:
            words = rng.choice(INCIDENTS).split()
            if len(words) > 4 and rng.random() < 0.5:
                del words[rng.randrange(len(words))]
            extras = [
                rng.choice(FILLER),
                f"#{rng.randrange(10**5, 10**7)}",
                f"*{rng.randrange(1000, 10_000)}",
                rng.choice(("@bank_help", "https://t.co/x1", "")),
            ]
            text = " ".join(rng.sample(extras, k=rng.randint(1, 3)) + words)
        else:
            text = " ".join(rng.choices(VOCABULARY, k=rng.randint(4, 14)))
        texts[f"m{n}"] = text
    return texts


def measure(count: int, runs: int) -> dict[str, Any]:
    texts = candidates(count)
    times, groups = [], 0
    for _ in range(runs):
        clear_stem_cache()
        started = time.perf_counter()
        found = group(texts)
        times.append((time.perf_counter() - started) * 1000)
        groups = len(found)
    return {
        "incident.incident_group_ms": summarise(times),
        "incident.meta": {
            "candidates": count,
            "runs": runs,
            "groups": groups,
            "threshold": DEFAULT_THRESHOLD,
            "targets": {k: {"direction": d, "value": v} for k, (d, v) in TARGETS.items()},
            **benchlib.machine(),
        },
    }


def print_table(results: dict[str, Any]) -> None:
    meta = results["incident.meta"]
    rows = [("key", "measured: median (min–max)", "target", "ok")]
    for key, (direction, goal) in TARGETS.items():
        stats = results[f"incident.{key}"]
        ok = "yes" if met(stats["median"], direction, goal) else "NO"
        rows.append((f"incident.{key}", spread(stats), f"{direction} {fmt(goal)}", ok))
    print_rows(rows)
    print(
        f"{meta['candidates']:,} candidates into {meta['groups']} groups, "
        f"median of {meta['runs']} runs (stem cache emptied before each)."
    )


def main() -> int:
    args = benchlib.arguments(__doc__, "1 run", "runs json").parse_args()
    runs = args.runs or (1 if args.quick else 5)
    return benchlib.run_part("incident.", lambda: measure(CANDIDATES, runs), print_table, args)


if __name__ == "__main__":
    sys.exit(main())
