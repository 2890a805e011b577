"""Trends benchmark: what updating the spike watch costs per ingested batch of 1,000 mentions.

Run it as ``.venv/bin/python bench/bench_trends.py [--quick] [--size N] [--json PATH]``
(``bench/run.py`` does, for ``make bench``).

A :class:`~smm_tui.core.spikes.SpikeWatch` is first fed ``--size`` stored mentions (100,000;
2,000 when quick) spread evenly over the 8 days it keeps, synthetic and seeded, Russian and
English texts from ``store_workspace``. Then 20 batches of 1,000 new mentions (5 of 100
when quick), each a minute later than the last, are timed one by one: ``add(batch)``
and ``alerts(now)``, what the app does per ingested batch. ``trend_update_ms_p95`` and
``trend_update_ms_p50`` are the p95 and median of those batch times; the mentions are
made before the clock starts.
"""

from __future__ import annotations

import dataclasses
import gc
import random
import sys
import time
from datetime import datetime, timedelta
from typing import Any

import benchlib
import store_workspace
from benchlib import fmt, label, met, percentile, print_rows

from smm_tui.core.models import Mention, Status
from smm_tui.core.spikes import KEEP, SpikeWatch

TARGETS = benchlib.targets(at_most={"trend_update_ms_p95": 50})
BATCH, BATCHES = 1000, 20
QUICK_SIZE, QUICK_BATCH, QUICK_BATCHES = 2000, 100, 5
LANGUAGES = ("ru", "en")


def mentions(
    rng: random.Random, prefix: str, count: int, first: datetime, step: timedelta
) -> list[Mention]:
    """``count`` synthetic RU/EN mentions, the first created at ``first``, then one a ``step``."""
    made = []
    for n in range(count):
        record = store_workspace.make_mention(rng, f"{prefix}{n}", first + n * step, Status.NEW)
        language = rng.choice(LANGUAGES)
        text = store_workspace.make_text(rng, language)
        made.append(dataclasses.replace(Mention.from_record(record), text=text, language=language))
    return made


def measure(size: int, batch: int, batches: int) -> dict[str, Any]:
    rng = random.Random(16)
    # The stored mentions end where the batches begin, so none is past the 8 days kept.
    start = store_workspace.END - KEEP + timedelta(minutes=batches + 1)
    stored = mentions(rng, "stored-", size, start, (store_workspace.END - start) / size)
    # The app freezes what it reads from the store (ShardStore.load): so are the stored
    # mentions here. Else the first full collection of the 100,000 mentions just made,
    # the bench's own set-up, fell in whichever batch came first (about 200 ms) and, p95
    # of 20 batches being their slowest, made the figure.
    gc.collect()
    gc.freeze()
    watch = SpikeWatch()
    started = time.perf_counter()
    watch.add(stored)
    watch.alerts(store_workspace.END)
    fill_ms = (time.perf_counter() - started) * 1000
    # What filling left for the collector is the fill's, not the first batch's; what the
    # batches leave (the watch's own objects) is collected as it falls, in the clock.
    gc.collect()
    times = []
    for n in range(batches):
        now = store_workspace.END + timedelta(minutes=n + 1)
        new = mentions(
            rng, f"batch{n}-", batch, now - timedelta(minutes=1), timedelta(minutes=1) / batch
        )
        started = time.perf_counter()
        watch.add(new)
        watch.alerts(now)
        times.append((time.perf_counter() - started) * 1000)
    key = f"trends.{label(size)}"
    return {
        f"{key}.trend_update_ms_p95": stat(percentile(times, 95)),
        f"{key}.trend_update_ms_p50": stat(percentile(times, 50)),
        "trends.meta": {
            "size": size,
            "batch": batch,
            "batches": batches,
            "fill_ms": round(fill_ms, 1),
            "targets": {k: {"direction": d, "value": v} for k, (d, v) in TARGETS.items()},
            **benchlib.machine(),
        },
    }


def stat(value: float) -> dict[str, float]:
    """One figure in the file's shape: a single measurement is its own median, min and max."""
    return benchlib.summarise([value])


def print_table(results: dict[str, Any]) -> None:
    meta = results["trends.meta"]
    key = f"trends.{label(meta['size'])}"
    rows = [("key", "measured", "target", "ok")]
    for name in ("trend_update_ms_p50", "trend_update_ms_p95"):
        value = results[f"{key}.{name}"]["median"]
        goal = TARGETS.get(name)
        if goal is None:
            rows.append((f"{key}.{name}", fmt(value), "", ""))
        else:
            ok = "yes" if met(value, *goal) else "NO"
            rows.append((f"{key}.{name}", fmt(value), f"{goal[0]} {fmt(goal[1])}", ok))
    print_rows(rows)
    print(
        f"{meta['batches']} batches of {meta['batch']:,} on {meta['size']:,} stored mentions "
        f"(filling the watch took {fmt(meta['fill_ms'])} ms)."
    )


def main() -> int:
    args = benchlib.arguments(__doc__, "2,000 stored, 5 batches of 100", "size json").parse_args()
    if args.quick:
        size, batch, batches = args.size or QUICK_SIZE, QUICK_BATCH, QUICK_BATCHES
    else:
        size, batch, batches = args.size or 100_000, BATCH, BATCHES
    return benchlib.run_part("trends.", lambda: measure(size, batch, batches), print_table, args)


if __name__ == "__main__":
    sys.exit(main())
