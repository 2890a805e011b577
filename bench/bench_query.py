"""Query benchmark: parse + compile, and filtering 100,000 mention records, per query.

Run it as ``.venv/bin/python bench/bench_query.py [--quick] [--runs N] [--size N] [--json PATH]``.

It builds realistic mention records in memory (``query_records.py``), then for each
representative query times
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

import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import datetime
from typing import Any

import benchlib
from benchlib import fmt, label, percentile, print_rows, summarise
from query_records import NOW, make_records

from smm_tui.core import query as query_api
from smm_tui.core.feed import FeedFilter, FeedModel, FeedScope
from smm_tui.core.models import to_iso
from smm_tui.core.query import QueryContext, QueryError, parse
from smm_tui.core.repository import Changed, ChangeSet, Collection, Record

TARGET_MS = 50.0
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

    def mentions_created(self, since: datetime, until: datetime) -> Iterator[Record]:
        low, high = to_iso(since), to_iso(until)
        return (r for r in self._mentions.values() if low <= r["created_at"] <= high)

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
    print_rows(rows)
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
        **benchlib.machine(),
    }
    return results


def main() -> int:
    per_query = "runs per query (default 7, at least 5)"
    args = benchlib.arguments(
        __doc__, "1,000 records, 1 run", "size runs json", runs=per_query
    ).parse_args()
    size = args.size or (1000 if args.quick else 100_000)
    runs = 1 if args.quick else max(5, args.runs or 7)
    return benchlib.run_part(
        "query.", lambda: run(size, runs), lambda r: print_table(r, size), args
    )


if __name__ == "__main__":
    sys.exit(main())
