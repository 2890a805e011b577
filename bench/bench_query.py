"""Query benchmark: parse + compile, and filtering 100,000 mention records, per query.

Run it as ``.venv/bin/python bench/bench_query.py [--runs N] [--size N] [--json PATH]``.

It builds realistic mention records in memory (``Mention.to_record()`` shape:
five networks, every status, sentiment and intent, Russian and English texts,
tags, assignees, SLA due times), then for each representative query times
``parse`` + ``compile`` and one pass of the predicate over every record, as
the feed does on a keystroke. Figures are median and p95 over the runs.

Folded (case-insensitive) text is cached per mention, so the first text search
after start pays to fill the cache: ``text_cache_fill_ms`` is that one-off cost
(the app can pay it while idle with ``warm_text_cache``), ``text_cache_mb`` its
memory. ``feed_open_scope_ms`` is the feed's own predicate (open mentions only,
then the query), as the app runs it. Exits 0 whatever it finds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from smm_tui.core.feed import FeedFilter, FeedScope
from smm_tui.core.models import Author, Intent, Mention, Platform, Sentiment, Status
from smm_tui.core.query import QueryContext, clear_text_cache, parse, warm_text_cache

TARGET_MS = 50.0
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ME = "anna"

#: name → query. The first is the issue's example.
QUERIES: dict[str, str] = {
    "example": 'platform:vk is:open sentiment:neg assignee:me -tag:spam "карта" older:5m',
    "bare_word": "delivery",
    "negated_tag": "-tag:spam",
    "cyrillic_phrase": '"списали деньги"',
    "older": "older:2d",
    "two_words": "карта блок",
    "or_groups": "(platform:vk OR platform:tg) is:open priority:>=70",
    "author": "author:user12",
    "due": "due:10m",
}

#: name → text typed one character at a time, re-filtering on every keystroke.
TYPED: dict[str, str] = {"word": "delivery", "cyrillic": "списали"}

NETWORKS = (Platform.VK, Platform.TELEGRAM, Platform.MASTODON, Platform.BLUESKY, Platform.X)
ACCOUNTS = {
    Platform.VK: "club_bank",
    Platform.TELEGRAM: "bank_support_chat",
    Platform.MASTODON: "@bank@mastodon.social",
    Platform.BLUESKY: "bank.bsky.social",
    Platform.X: "@bank",
}
#: Each language's corpus: a text is a run of consecutive words from it, so most texts are
#: unique (as real mentions are) and phrases such as "списали деньги" occur naturally.
CORPUS_TEXT = {
    "ru": (
        "карта заблокирована после покупки в интернете с карты списали деньги дважды за одну "
        "подписку верните платёж приложение банка вылетает при входе после обновления не могу "
        "перевести деньги по номеру телефона пишет ошибка спасибо за быструю помощь в чате всё "
        "решили за пять минут когда откроется отделение в центре очень неудобно ездить ёлки "
        "опять не приходит смс с кодом подтверждения подскажите какой кешбэк по кредитной карте "
        "в этом месяце доставка карты курьером задерживается уже неделю отличный сервис "
        "менеджер всё объяснил рекомендую оператор не отвечает третий день блокировка счёта "
        "без объяснения причин ипотека одобрена спасибо"
    ),
    "en": (
        "my card was blocked after an online purchase I was charged twice for the same "
        "subscription please refund the banking app crashes on login after the last update "
        "cannot transfer money by phone number it says error thanks for the quick help in "
        "chat solved in five minutes when does the branch in the city centre open again the "
        "SMS with the confirmation code never arrives what is the cashback on the credit card "
        "this month card delivery by courier has been delayed for a week great service the "
        "manager explained everything support has not answered for three days account frozen "
        "without explanation mortgage approved thank you"
    ),
}
CORPUS = {language: text.split() for language, text in CORPUS_TEXT.items()}
GREETINGS = {
    "ru": ("Здравствуйте,", "Добрый день!", "Привет.", "Слушайте,", "@bank", "Банк,"),
    "en": ("Hello,", "Hi!", "Hey", "Dear bank,", "@bank", "Guys,"),
}
SIGN_OFFS = {
    "ru": ("Спасибо", "Помогите!", "Жду ответа.", "!!!", "🙏", "😡", "#банк", "Позор"),
    "en": ("Thanks", "Please help!", "Any update?", "!!!", "🙏", "😡", "#fail", "Shame"),
}
#: Short texts many authors send word for word.
COMMON = ("Спасибо!", "+1", "Помогите", "Карта не работает", "help", "Same here", "👍")
LANGUAGES = ("ru", "ru", "ru", "en", "en")
TAGS = ("card", "refund", "app", "billing", "praise", "delivery", "spam", "sms", "branch")
USERS = ("anna", "boris", "chen", "dina")
STATUSES = (Status.NEW, Status.NEW, Status.SEEN, Status.REPLIED, Status.TICKETED, Status.DONE)
SPAN = timedelta(days=30)


def make_text(rng: random.Random, language: str) -> str:
    """A greeting, 6 to 40 consecutive corpus words, a sign-off; 3% a common short text."""
    if rng.random() < 0.03:
        return rng.choice(COMMON)
    words = CORPUS[language]
    start, length = rng.randrange(len(words)), rng.randint(6, 40)
    picked = [words[(start + i) % len(words)] for i in range(length)]
    return " ".join([rng.choice(GREETINGS[language]), *picked, rng.choice(SIGN_OFFS[language])])


def make_record(rng: random.Random, n: int) -> dict[str, Any]:
    network = rng.choice(NETWORKS)
    language = rng.choice(LANGUAGES)
    created = NOW - SPAN * rng.random()
    status = rng.choice(STATUSES)
    user = rng.randrange(40_000)
    answered = status in (Status.REPLIED, Status.TICKETED) or rng.random() < 0.1
    return Mention(
        platform=network,
        account=ACCOUNTS[network],
        external_id=f"m{n}",
        author=Author(
            id=f"{network.value}:{user}",
            handle=f"@user{user}",
            display_name=f"User {user}" if rng.random() < 0.5 else f"Пользователь {user}",
            followers=rng.randrange(0, 50_000) if rng.random() < 0.9 else None,
        ),
        text=make_text(rng, language),
        created_at=created,
        url=f"https://{network.value}.example/m{n}" if rng.random() < 0.8 else "",
        language=language,
        sentiment=rng.choice(list(Sentiment)),
        status=status,
        assignee=rng.choice((*USERS, None, None)),
        tags=tuple(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2)))),
        first_response_at=created + timedelta(minutes=rng.randint(1, 90)) if answered else None,
        ticket_id=f"T-{n}" if status is Status.TICKETED else None,
        intent=rng.choice(list(Intent)),
        priority=rng.randrange(101),
        sla_due_at=created + timedelta(minutes=10),
    ).to_record()


def make_records(count: int, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [make_record(rng, n) for n in range(count)]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def stats(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "p95": round(percentile(values, 95), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def time_query(text: str, records: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    """Per run: parse + compile (ms) and one filtering pass over every record (ms)."""
    ctx = QueryContext(now=NOW, me=ME)
    compile_ms: list[float] = []
    filter_ms: list[float] = []
    matched = 0
    for _ in range(runs):
        started = time.perf_counter()
        predicate = parse(text).compile(ctx)
        compiled = time.perf_counter()
        matched = len([record for record in records if predicate(record)])
        done = time.perf_counter()
        compile_ms.append((compiled - started) * 1000)
        filter_ms.append((done - compiled) * 1000)
    return {"compile_ms": stats(compile_ms), "filter_ms": stats(filter_ms), "matched": matched}


def time_typing(text: str, records: list[dict[str, Any]], runs: int) -> dict[str, float]:
    """Per keystroke (ms): when the new query refines the last, filter only what it showed."""
    ctx = QueryContext(now=NOW, me=ME)
    samples: list[float] = []
    for _ in range(runs):
        previous, visible = None, records
        for end in range(1, len(text) + 1):
            started = time.perf_counter()
            query = parse(text[:end])
            pool = visible if previous is not None and query.refines(previous) else records
            predicate = query.compile(ctx)
            visible = [record for record in pool if predicate(record)]
            samples.append((time.perf_counter() - started) * 1000)
            previous = query
    return stats(samples)


def time_feed_filter(records: list[dict[str, Any]], runs: int) -> dict[str, float]:
    """The feed's own predicate: the open scope, then a word."""
    ctx = QueryContext(now=NOW, me=ME)
    predicate = FeedFilter.parsed(FeedScope.OPEN, "delivery").predicate(ctx)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        [record for record in records if predicate(record)]
        samples.append((time.perf_counter() - started) * 1000)
    return stats(samples)


def text_cache_cost(records: list[dict[str, Any]]) -> tuple[float, float]:
    """(ms to fill the folded-text cache from empty, MB it holds)."""
    clear_text_cache()
    started = time.perf_counter()
    warm_text_cache(records)
    fill_ms = (time.perf_counter() - started) * 1000
    clear_text_cache()
    tracemalloc.start()
    warm_text_cache(records)
    size, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return fill_ms, size / 2**20


def fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def print_table(results: dict[str, Any], size: int) -> None:
    prefix = f"query.{label(size)}"
    target = f"filter {label(size)} ≤ {TARGET_MS:.0f} ms"
    rows = [("key", "measured: median (p95) ms", "target", "ok")]
    for name in QUERIES:
        timed = results[f"{prefix}.{name}"]
        filtered, compiled = timed["filter_ms"], timed["compile_ms"]
        ok = "yes" if filtered["median"] <= TARGET_MS else "NO"
        rows.append(
            (
                f"{prefix}.{name}.filter_ms",
                f"{fmt(filtered['median'])} ({fmt(filtered['p95'])})",
                target,
                ok,
            )
        )
        rows.append(
            (
                f"{prefix}.{name}.compile_ms",
                f"{fmt(compiled['median'])} ({fmt(compiled['p95'])})",
                "",
                "",
            )
        )
    for name in TYPED:
        typing = results[f"{prefix}.typing_{name}_keystroke_ms"]
        ok = "yes" if typing["median"] <= TARGET_MS else "NO"
        rows.append(
            (
                f"{prefix}.typing_{name}_keystroke_ms",
                f"{fmt(typing['median'])} ({fmt(typing['p95'])})",
                f"keystroke ≤ {TARGET_MS:.0f} ms",
                ok,
            )
        )
    feed = results[f"{prefix}.feed_open_scope_ms"]
    rows.append(
        (
            f"{prefix}.feed_open_scope_ms",
            f"{fmt(feed['median'])} ({fmt(feed['p95'])})",
            f"filter 100k ≤ {TARGET_MS:.0f} ms",
            "yes" if feed["median"] <= TARGET_MS else "NO",
        )
    )
    cache = results[f"{prefix}.text_cache"]
    rows.append((f"{prefix}.text_cache_fill_ms", fmt(cache["fill_ms"]), "(once)", ""))
    rows.append((f"{prefix}.text_cache_mb", fmt(cache["mb"]), "", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if i == 0:
            print("-+-".join("-" * width for width in widths))
    print()
    for name, text in QUERIES.items():
        print(f"{name:16} {results[f'{prefix}.{name}']['matched']:>7,} matched  {text}")
    for name, text in TYPED.items():
        print(f"typing_{name:9} {text!r} typed a character at a time (narrowing with refines)")


def write_results(path: Path, results: dict[str, Any]) -> None:
    """Merge our keys into ``path``, keeping keys other benchmarks wrote there."""
    merged: dict[str, Any] = {}
    if path.exists():
        try:
            merged = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            merged = {}
    merged = {k: v for k, v in merged.items() if not k.startswith("query.")}
    merged.update(results)
    path.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def run(size: int, runs: int) -> dict[str, Any]:
    print(f"building {size:,} mention records…", file=sys.stderr, flush=True)
    records = make_records(size)
    prefix = f"query.{label(size)}"
    results: dict[str, Any] = {}
    fill_ms, cache_mb = text_cache_cost(records)
    results[f"{prefix}.text_cache"] = {"fill_ms": round(fill_ms, 3), "mb": round(cache_mb, 3)}
    for name, text in QUERIES.items():
        print(f"timing {name}…", file=sys.stderr, flush=True)
        results[f"{prefix}.{name}"] = {"query": text, **time_query(text, records, runs)}
    for name, text in TYPED.items():
        print(f"typing {text!r}…", file=sys.stderr, flush=True)
        results[f"{prefix}.typing_{name}_keystroke_ms"] = time_typing(text, records, runs)
    results[f"{prefix}.feed_open_scope_ms"] = time_feed_filter(records, runs)
    results["query.meta"] = {
        "size": size,
        "runs": runs,
        "target_filter_ms": TARGET_MS,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="records (default 100,000)")
    parser.add_argument("--runs", type=int, default=7, help="runs per query (at least 5)")
    parser.add_argument("--json", type=Path, default=None, help="merge results into this file")
    args = parser.parse_args()
    runs = max(5, args.runs)
    try:
        results = run(args.size, runs)
        print_table(results, args.size)
        if args.json is not None:
            write_results(args.json, results)
            print(f"\nwrote {args.json}")
    except Exception as error:  # a benchmark reports; it never fails the build
        print(f"benchmark failed: {error!r}", file=sys.stderr)


if __name__ == "__main__":
    main()
