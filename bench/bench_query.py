"""Query benchmark: parse + compile, and filtering 100,000 mention records, per query.

Run it as ``.venv/bin/python bench/bench_query.py [--quick] [--runs N] [--size N] [--json PATH]``.

It builds realistic mention records in memory (``Mention.to_record()`` shape:
five networks, every status, sentiment and intent, Russian and English texts,
tags, assignees, SLA due times), then for each representative query times
``parse`` + ``compile`` and one pass of the predicate over every record, as
the feed does on a keystroke. Figures are median and p95 over the runs.

Folded (case-insensitive) text is cached per mention, so the first text search
after start pays to fill the cache: ``text_cache_fill_ms`` is that one-off cost
(the app can pay it while idle with ``warm_text_cache``), ``text_cache_mb`` its
memory. ``feed_open_scope_ms`` is the feed's own predicate (open mentions only,
then the query), as the app runs it.

``keystroke_ms_p95`` is what one keystroke of a ``/`` query costs the feed over all
the records: the feed model (``FeedModel`` over the records, scope "all") is given
each prefix of every text in ``TYPED`` in turn, as the app does once typing pauses;
a prefix that does not parse (``platform:v``) costs its parse, as in the app, which
then shows the error and keeps the list. Per run, the p95 over all those keystrokes;
reported as the median (min to max) over the runs. Exits 0 whatever it finds (1 if
it crashes).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchlib import label, machine, merge_results, percentile, summarise

from smm_tui.core import query as query_api
from smm_tui.core.feed import FeedFilter, FeedModel, FeedScope
from smm_tui.core.models import Author, Intent, Mention, Platform, Sentiment, Status
from smm_tui.core.query import QueryContext, QueryError, parse
from smm_tui.core.repository import Changed, ChangeSet, Collection, Record

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

#: name → text typed one character at a time, re-filtering on every keystroke: plain
#: words in both scripts and a field query (whose prefixes ``platform:v`` do not parse).
TYPED: dict[str, str] = {
    "word": "delivery",
    "cyrillic": "списали",
    "karta": "карта",
    "fields": "platform:vk sentiment:neg",
}

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
            try:
                query = parse(text[:end])
            except QueryError:  # the app shows where it is wrong and keeps the list
                samples.append((time.perf_counter() - started) * 1000)
                continue
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


def text_cache_cost(records: list[dict[str, Any]]) -> tuple[float, float] | None:
    """(ms to fill the folded-text cache from empty, MB it holds); None without one."""
    clear = getattr(query_api, "clear_text_cache", None)
    warm = getattr(query_api, "warm_text_cache", None)
    if clear is None or warm is None:
        return None
    clear()
    started = time.perf_counter()
    warm(records)
    fill_ms = (time.perf_counter() - started) * 1000
    clear()
    tracemalloc.start()
    warm(records)
    size, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return fill_ms, size / 2**20


class MemoryRepository:
    """The records in a dict: what the feed model reads of a repository, nothing it writes."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self._mentions: dict[str, Record] = {record["id"]: record for record in records}

    def records(self, collection: Collection) -> Iterator[Record]:
        return iter(self._mentions.values() if collection is Collection.MENTIONS else ())

    def get(self, collection: Collection, record_id: str) -> Record | None:
        return self._mentions.get(record_id) if collection is Collection.MENTIONS else None

    def load_archive(self) -> None:
        pass

    def open_mentions(self) -> Iterator[Record]:
        return (r for r in self._mentions.values() if r["status"] in ("new", "seen"))

    def count(self, collection: Collection) -> int:
        return len(self._mentions) if collection is Collection.MENTIONS else 0

    def submit(self, changes: ChangeSet) -> Future[Changed]:
        raise NotImplementedError("the benchmark's repository is read-only")

    def commit(self, changes: ChangeSet) -> Changed:
        raise NotImplementedError("the benchmark's repository is read-only")

    def subscribe(self, subscriber: Callable[[Changed], None]) -> None:
        raise NotImplementedError("the benchmark's repository is read-only")

    def refresh(self) -> Future[Changed]:
        raise NotImplementedError("the benchmark's repository is read-only")


def time_keystrokes(records: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    """Every prefix of every ``TYPED`` text through the feed model, scope "all".

    Returns the per-run p50 and p95 (median, min, max over the runs), the pooled
    figures, and the one-off costs of indexing the records and warming the texts.
    """
    ctx = QueryContext(now=NOW, me=ME)
    started = time.perf_counter()
    model = FeedModel(MemoryRepository(records), context=lambda: ctx)
    index_ms = (time.perf_counter() - started) * 1000
    everything = FeedFilter(FeedScope.ALL, parse(""))
    model.set_filter(everything)
    warm = getattr(model, "warm", None)  # the app may do this while idle
    started = time.perf_counter()
    if warm is not None:
        warm()
    warm_ms = (time.perf_counter() - started) * 1000
    per_run: list[list[float]] = []
    for _ in range(runs):
        samples: list[float] = []
        for text in TYPED.values():
            model.set_filter(everything)  # Esc: back to the whole list (not timed)
            for end in range(1, len(text) + 1):
                started = time.perf_counter()
                try:
                    wanted = FeedFilter.parsed(FeedScope.ALL, text[:end])
                except QueryError:
                    pass  # the app shows the error and keeps the list
                else:
                    model.set_filter(wanted)
                samples.append((time.perf_counter() - started) * 1000)
        per_run.append(samples)
    pooled = [ms for samples in per_run for ms in samples]
    return {
        "p95": summarise([percentile(samples, 95) for samples in per_run]),
        "p50": summarise([statistics.median(samples) for samples in per_run]),
        "pooled": {
            "p50": round(statistics.median(pooled), 3),
            "p95": round(percentile(pooled, 95), 3),
            "max": round(max(pooled), 3),
            "n": len(pooled),
        },
        "index_ms": round(index_ms, 3),
        "warm_ms": round(warm_ms, 3) if warm is not None else None,
    }


def fmt(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


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
            f"filter {label(size)} ≤ {TARGET_MS:.0f} ms",
            "yes" if feed["median"] <= TARGET_MS else "NO",
        )
    )
    for name in ("p50", "p95"):
        typed = results[f"{prefix}.keystroke_ms_{name}"]
        met = typed["median"] <= TARGET_MS
        rows.append(
            (
                f"{prefix}.keystroke_ms_{name}",
                f"{fmt(typed['median'])} ({fmt(typed['min'])}–{fmt(typed['max'])})",
                f"keystroke ≤ {TARGET_MS:.0f} ms" if name == "p95" else "",
                ("yes" if met else "NO") if name == "p95" else "",
            )
        )
    model = results[f"{prefix}.feed_model"]
    rows.append((f"{prefix}.feed_model.index_ms", fmt(model["index_ms"]), "(once)", ""))
    rows.append((f"{prefix}.feed_model.warm_ms", fmt(model["warm_ms"]), "(once)", ""))
    cache = results.get(f"{prefix}.text_cache")
    if cache is not None:
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
    print(
        "keystroke_ms_p50/p95: every prefix of the typed texts through FeedModel (scope all); "
        "per-run percentile, median (min–max) over runs"
    )


def run(size: int, runs: int) -> dict[str, Any]:
    print(f"building {size:,} mention records…", file=sys.stderr, flush=True)
    records = make_records(size)
    prefix = f"query.{label(size)}"
    results: dict[str, Any] = {}
    cache = text_cache_cost(records)
    if cache is not None:
        results[f"{prefix}.text_cache"] = {"fill_ms": round(cache[0], 3), "mb": round(cache[1], 3)}
    for name, text in QUERIES.items():
        print(f"timing {name}…", file=sys.stderr, flush=True)
        results[f"{prefix}.{name}"] = {"query": text, **time_query(text, records, runs)}
    for name, text in TYPED.items():
        print(f"typing {text!r}…", file=sys.stderr, flush=True)
        results[f"{prefix}.typing_{name}_keystroke_ms"] = time_typing(text, records, runs)
    results[f"{prefix}.feed_open_scope_ms"] = time_feed_filter(records, runs)
    print("typing through the feed model…", file=sys.stderr, flush=True)
    keystrokes = time_keystrokes(records, runs)
    results[f"{prefix}.keystroke_ms_p95"] = keystrokes["p95"]
    results[f"{prefix}.keystroke_ms_p50"] = keystrokes["p50"]
    results[f"{prefix}.feed_model"] = {
        "index_ms": keystrokes["index_ms"],
        "warm_ms": keystrokes["warm_ms"],
        "keystrokes_pooled": keystrokes["pooled"],
        "typed": TYPED,
    }
    results["query.meta"] = {
        "size": size,
        "runs": runs,
        "target_filter_ms": TARGET_MS,
        **machine(),
    }
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 records, 1 run")
    parser.add_argument("--size", type=int, default=None, help="records (default 100,000)")
    parser.add_argument("--runs", type=int, default=7, help="runs per query (at least 5)")
    parser.add_argument("--json", type=Path, default=None, help="merge results into this file")
    args = parser.parse_args()
    size = args.size or (1000 if args.quick else 100_000)
    runs = 1 if args.quick else max(5, args.runs)
    try:
        results = run(size, runs)
    except Exception as error:  # a missed target is reported; a crash is a failure
        print(f"query benchmark failed: {error!r}", file=sys.stderr)
        return 1
    results["query.meta"]["quick"] = args.quick
    print_table(results, size)
    if args.json is not None:
        merge_results(args.json, results, ("query.",))
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
