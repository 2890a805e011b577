"""Publishing benchmark: how late a scheduled post's send starts while mentions pour in.

Run it as ``.venv/bin/python bench/bench_publish.py [--quick] [--json PATH] [--workspace DIR]``
(``bench/run.py`` does, for ``make bench``). See bench/README.md for what each figure means.

Each run opens a fresh copy of the workspace (100,000 mentions; 1,000 when quick),
schedules 40 posts (10 when quick) spread over 20 seconds (3) across five accounts
whose channel answers at once (demo accounts: no network), and runs the real
``PublishingEngine.run`` loop on the real clock, while a thread in the same process
ingests mentions as the store bench does: bursts of 1,000, each mention its own
``submit()``, one burst every 2 seconds. A post's lag is its delivery's
``attempted_at`` (when its send began) minus its ``scheduled_at``. Per run the p95
(and p50, max) of the lags; every figure is the median (min to max) over the runs.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import suppress
from datetime import timedelta
from pathlib import Path
from typing import Any

import benchlib
import store_workspace
from benchlib import (
    TARGET_HEADER,
    label,
    percentile,
    print_rows,
    summarise,
    target_row,
)

from smm_tui.adapters.demo import DemoAdapter
from smm_tui.core.models import Status, utcnow
from smm_tui.core.planning import PostDraft
from smm_tui.core.posts import Delivery, DeliveryState
from smm_tui.core.repository import Changed, ChangeSet, Collection
from smm_tui.core.sources import AccountSource
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store

TARGETS = benchlib.targets(at_most={"due_lag_ms_p95": 1000})
#: Keys in the order the table prints them.
KEYS = (
    "due_lag_ms_p50",
    "due_lag_ms_p95",
    "due_lag_ms_max",
    "ingest_per_s",
    "ingest_durable_ms_p95",
)
#: Mentions a burst, as the store bench hands them over, and seconds between bursts.
BURST, BURST_EVERY = 1000, 2.0
#: Seconds between writing the posts and the first one falling due: the loops start.
LEAD = 2.0
TEXT = "Post {n} of the bench: 5% cashback on travel all April. https://bank.example/spring"


class Ingest(threading.Thread):
    """Mentions arriving in bursts until stopped, each its own submit (as a poller hands them)."""

    def __init__(self, store: Store, seed: int) -> None:
        super().__init__(name="ingest", daemon=True)
        self.store = store
        self.rng = random.Random(seed)
        self.seed = seed
        self.stopping = threading.Event()
        self.latencies: list[float] = []
        self.futures: list[Future[Changed]] = []
        self.started_at = self.ended_at = 0.0

    def run(self) -> None:
        self.started_at = due = time.perf_counter()
        burst = 0
        while not self.stopping.is_set():
            now = store_workspace.END + timedelta(minutes=burst)
            for i in range(BURST):
                record = store_workspace.make_mention(
                    self.rng, f"pub{self.seed}-{burst}-{i}", now + timedelta(seconds=i), Status.NEW
                )
                submitted = time.perf_counter()
                future = self.store.submit(ChangeSet().insert_new(Collection.MENTIONS, record))
                future.add_done_callback(self._timer(submitted))
                self.futures.append(future)
            burst += 1
            due += BURST_EVERY
            self.stopping.wait(max(0.0, due - time.perf_counter()))

    def _timer(self, submitted: float) -> Callable[[Future[Changed]], None]:
        def resolved(_future: Future[Changed]) -> None:
            self.latencies.append((time.perf_counter() - submitted) * 1000)
            self.ended_at = time.perf_counter()

        return resolved

    def finish(self) -> tuple[float, float]:
        """Stop, wait until every mention is durable; (mentions a second, p95 ms to durable)."""
        self.stopping.set()
        self.join()
        for future in self.futures:
            if not future.result().applied:
                raise RuntimeError("an ingested mention was skipped")
        rate = len(self.futures) / (self.ended_at - self.started_at)
        return rate, percentile(self.latencies, 95)


async def publish_run(store: Store, posts: int, spread_s: float, seed: int) -> dict[str, float]:
    """Schedule ``posts`` over ``spread_s`` seconds, run the engine until all are out."""
    sources: dict[str, AccountSource] = {
        f"bank-{network.value}": DemoAdapter(f"bank-{network.value}", simulate=network, backlog=0)
        for network in store_workspace.NETWORKS
    }
    workspace = Workspace(store, actor="bench", sources=sources)
    names = list(sources)
    first = utcnow() + timedelta(seconds=LEAD + posts * 0.05)
    wanted = set()
    for n in range(posts):
        at = first + timedelta(seconds=spread_s * n / posts)
        draft = PostDraft(TEXT.format(n=n + 1), (names[n % len(names)],))
        post = await workspace.planning.create(draft, at)
        wanted |= {d.id for d in workspace.planning.deliveries(post.id)}
    if utcnow() > first - timedelta(seconds=0.5):
        raise RuntimeError("writing the posts took longer than their lead")

    ingest = Ingest(store, seed)
    ingest.start()
    out: set[str] = set()
    all_out = asyncio.Event()

    def settled(delivery: Delivery) -> None:
        if delivery.id in wanted and delivery.state is DeliveryState.PUBLISHED:
            out.add(delivery.id)
            if out == wanted:
                all_out.set()

    engine = asyncio.create_task(workspace.publishing_engine().run(settled, lambda _line: None))
    try:
        await asyncio.wait_for(all_out.wait(), timeout=LEAD + spread_s + 60)
    finally:
        engine.cancel()
        with suppress(asyncio.CancelledError):
            await engine
        rate, ingest_p95 = ingest.finish()
    lags = []
    for delivery in workspace.planning.deliveries():
        assert delivery.scheduled_at is not None and delivery.attempted_at is not None
        lag = (delivery.attempted_at - delivery.scheduled_at).total_seconds() * 1000
        if lag < 0:
            raise RuntimeError(f"{delivery.id} was sent {-lag:.0f} ms before its time")
        lags.append(lag)
    return {
        "due_lag_ms_p50": statistics.median(lags),
        "due_lag_ms_p95": percentile(lags, 95),
        "due_lag_ms_max": max(lags),
        "ingest_per_s": rate,
        "ingest_durable_ms_p95": ingest_p95,
    }


def measure(template: Path | None, size: int, runs: int, posts: int, spread_s: float) -> Any:
    prefix = f"publish.{label(size)}"
    samples: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="smm-bench-publish-") as scratch:
        root = Path(scratch)
        if template is None:
            template, _seconds = store_workspace.cached_workspace(root, size)
        for run in range(runs):
            print(f"publish: run {run + 1}/{runs} at {size:,}…", file=sys.stderr, flush=True)
            work = root / f"run-{run}"
            shutil.copytree(template, work)
            try:
                with Store.open(work) as store:
                    samples.append(asyncio.run(publish_run(store, posts, spread_s, seed=run)))
            finally:
                shutil.rmtree(work)
    results: dict[str, Any] = {
        f"{prefix}.{key}": summarise([sample[key] for sample in samples]) for key in KEYS
    }
    results["publish.meta"] = {
        "runs": runs,
        "size": size,
        "posts_per_run": posts,
        "spread_s": spread_s,
        "ingest_burst": BURST,
        "ingest_burst_every_s": BURST_EVERY,
        "targets": {k: {"direction": d, "value": v} for k, (d, v) in TARGETS.items()},
        **benchlib.machine(),
    }
    return results


def print_table(results: dict[str, Any], size: int) -> None:
    rows: list[tuple[str, ...]] = [TARGET_HEADER]
    for key in KEYS:
        full = f"publish.{label(size)}.{key}"
        rows.append(target_row(full, results[full], TARGETS.get(key)))
    print_rows(rows)


def main() -> int:
    quick = "1,000 mentions, 1 run of 10 posts over 3 s"
    args = benchlib.arguments(__doc__, quick, "size runs workspace json").parse_args()
    size = args.size or (1000 if args.quick else 100_000)
    runs = args.runs or (1 if args.quick else 5)
    posts, spread_s = (10, 3.0) if args.quick else (40, 20.0)
    return benchlib.run_part(
        "publish.",
        lambda: measure(args.workspace, size, runs, posts, spread_s),
        lambda results: print_table(results, size),
        args,
    )


if __name__ == "__main__":
    sys.exit(main())
