"""Store benchmark: ingest, open, triage actions and memory at 10k and 100k mentions.

Run it as ``.venv/bin/python bench/bench_store.py [--quick] [--output PATH]``
(``bench/run.py`` does, for ``make bench``). See bench/README.md for what each figure means.

It builds synthetic workspaces through the Store API, then measures each run
in a fresh process on a fresh copy of the workspace. Runs are interleaved
across sizes (the run loop is outermost) so that noise spreads evenly. Every
figure is reported as median (min to max) over the runs.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import timedelta
from pathlib import Path
from typing import Any

import benchlib
from benchlib import (
    TARGET_HEADER,
    label,
    percentile,
    print_rows,
    summarise,
    target_row,
)
from store_workspace import END, cached_workspace, make_mention

from smm_tui.core.models import Status
from smm_tui.core.repository import Changed, ChangeSet, Collection
from smm_tui.store.store import Store

#: key → (direction, target). Ratio is measured / target.
TARGETS = benchlib.targets(
    at_least={"ingest_per_s": 5000},
    at_most={
        "ingest_durable_ms_p95": 250,
        "action_durable_ms_p95": 30,
        "archive_durable_ms_p95": 30,
        "open_ms": 1000,
    },
)


#: Keys in the order the table prints them, with their units.
KEYS = (
    "ingest_per_s",
    "ingest_durable_ms_p50",
    "ingest_durable_ms_p95",
    "ingest_commits_per_burst",
    "open_ms",
    "action_durable_ms_p50",
    "action_durable_ms_p95",
    "archive_durable_ms_p50",
    "archive_durable_ms_p95",
    "rss_mb",
    "files",
    "disk_mb",
)


# -- the measuring worker (runs in a fresh process) -----------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _timed_action(store: Store, changes: ChangeSet) -> float:
    started = time.perf_counter()
    changed = store.submit(changes).result()
    elapsed = (time.perf_counter() - started) * 1000
    if not changed.applied:
        raise RuntimeError("a benchmark action was skipped")
    return elapsed


def _burst(store: Store, records: list[dict[str, Any]]) -> tuple[float, list[float], int]:
    """Submit each record on its own; returns (per second, ms to durable each, commits used)."""
    count = len(records)
    submitted_at = [0.0] * count
    resolved_at = [0.0] * count
    remaining = [count]
    lock = threading.Lock()
    all_done = threading.Event()

    def resolved(i: int) -> None:
        resolved_at[i] = time.perf_counter()
        with lock:
            remaining[0] -= 1
            if remaining[0] == 0:
                all_done.set()

    def on_done(i: int) -> Callable[[Future[Changed]], None]:
        return lambda _future: resolved(i)

    commits_before = store.commits
    futures = []
    first = time.perf_counter()
    for i, record in enumerate(records):
        submitted_at[i] = time.perf_counter()
        future = store.submit(ChangeSet().insert_new(Collection.MENTIONS, record))
        future.add_done_callback(on_done(i))
        futures.append(future)
    all_done.wait()
    if not all(future.result().applied for future in futures):
        raise RuntimeError("an ingested mention was skipped")
    latencies = [(r - s) * 1000 for r, s in zip(resolved_at, submitted_at, strict=True)]
    return count / (max(resolved_at) - first), latencies, store.commits - commits_before


def worker(data_dir: Path, seed: int, actions: int, bursts: int, burst_size: int) -> dict[str, Any]:
    rng = random.Random(seed)
    started = time.perf_counter()
    store = Store.open(data_dir)
    open_ms = (time.perf_counter() - started) * 1000
    rss_mb = _rss_mb()
    try:
        queue = [r["id"] for r in store.records(Collection.MENTIONS) if r["status"] == "new"]
        rng.shuffle(queue)
        actions = min(actions, len(queue) // 2)
        if actions < 1:
            raise RuntimeError("the workspace has no new mentions to act on")

        # One user action at a time: mark as seen (stays in the queue file), then
        # mark as done (moves the mention to its daily archive).
        seen = [
            _timed_action(
                store,
                ChangeSet().patch(Collection.MENTIONS, rid, {"status": "seen"}, {"status": "new"}),
            )
            for rid in queue[:actions]
        ]
        archived = [
            _timed_action(
                store,
                ChangeSet().patch(Collection.MENTIONS, rid, {"status": "done"}, {"status": "new"}),
            )
            for rid in queue[actions : 2 * actions]
        ]

        # Bursts of new mentions, one submit() each, as a poller would hand them over.
        rates: list[float] = []
        latencies: list[float] = []
        commits: list[int] = []
        for burst in range(bursts):
            now = END + timedelta(minutes=burst)
            records = [
                make_mention(rng, f"in{seed}-{burst}-{i}", now + timedelta(seconds=i), Status.NEW)
                for i in range(burst_size)
            ]
            rate, burst_latencies, burst_commits = _burst(store, records)
            rates.append(rate)
            latencies.extend(burst_latencies)
            commits.append(burst_commits)
    finally:
        store.close()
    return {
        "open_ms": open_ms,
        "rss_mb": rss_mb,
        "action_durable_ms_p50": statistics.median(seen),
        "action_durable_ms_p95": percentile(seen, 95),
        "archive_durable_ms_p50": statistics.median(archived),
        "archive_durable_ms_p95": percentile(archived, 95),
        "ingest_per_s": statistics.median(rates),
        "ingest_durable_ms_p50": statistics.median(latencies),
        "ingest_durable_ms_p95": percentile(latencies, 95),
        "ingest_commits_per_burst": statistics.median(commits),
    }


# -- the driver -----------------------------------------------------------------------------------


def disk_usage(data_dir: Path) -> tuple[int, int]:
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def run_worker(data_dir: Path, seed: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        str(data_dir),
        "--seed",
        str(seed),
        "--actions",
        str(args.actions),
        "--bursts",
        str(args.bursts),
        "--burst-size",
        str(args.burst_size),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"benchmark worker failed ({result.returncode}):\n{result.stderr}")
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    if not isinstance(outcome, dict):
        raise SystemExit(f"benchmark worker printed no JSON object:\n{result.stdout}")
    return outcome


def print_table(results: dict[str, dict[str, Any]], sizes: list[int]) -> None:
    rows: list[tuple[str, ...]] = [TARGET_HEADER]
    for n in sizes:
        for key in KEYS:
            full = f"store.{label(n)}.{key}"
            rows.append(target_row(full, results[full], TARGETS.get(key)))
    print_rows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 mentions, 1 run (smoke test)")
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument(
        "--workspaces",
        type=Path,
        default=None,
        help="keep the built workspaces here (template-<size>/), reusing any already built",
    )
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--actions", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--bursts", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--burst-size", type=int, default=1000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.actions = args.actions or (10 if args.quick else 50)
    args.bursts = args.bursts or (1 if args.quick else 3)

    if args.worker is not None:
        report = worker(args.worker, args.seed, args.actions, args.bursts, args.burst_size)
        print(json.dumps(report))
        return

    sizes = args.sizes or ([1000] if args.quick else [10_000, 100_000])
    runs = args.runs or (1 if args.quick else 5)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="smm-bench-") as scratch:
        root = Path(scratch)
        templates: dict[int, Path] = {}
        build_s: dict[int, float] = {}
        usage: dict[int, tuple[int, int]] = {}
        for n in sizes:
            templates[n], build_s[n] = cached_workspace(args.workspaces or root, n)
            usage[n] = disk_usage(templates[n])
        samples: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes}
        for run in range(runs):  # outermost, so noise spreads across sizes
            for n in sizes:
                print(f"run {run + 1}/{runs} at {n:,}…", file=sys.stderr, flush=True)
                work = root / f"run-{label(n)}"
                shutil.copytree(templates[n], work)
                try:
                    samples[n].append(run_worker(work, seed=run, args=args))
                finally:
                    shutil.rmtree(work)

    results: dict[str, Any] = {}
    for n in sizes:
        prefix = f"store.{label(n)}"
        for key in KEYS:
            if key == "files":
                results[f"{prefix}.files"] = summarise([usage[n][0]])
            elif key == "disk_mb":
                results[f"{prefix}.disk_mb"] = summarise([usage[n][1] / 2**20])
            else:
                results[f"{prefix}.{key}"] = summarise([s[key] for s in samples[n]])
        results[f"{prefix}.build_s"] = summarise([build_s[n]])
    results["store.meta"] = {
        "runs": runs,
        "sizes": sizes,
        "quick": args.quick,
        "actions_per_run": args.actions,
        "bursts_per_run": args.bursts,
        "burst_size": args.burst_size,
        **benchlib.machine(),
        "targets": {k: {"direction": d, "value": v} for k, (d, v) in TARGETS.items()},
        "total_s": round(time.perf_counter() - started, 1),
    }
    print_table(results, sizes)
    print(f"\n{runs} run(s) per size in {results['store.meta']['total_s']} s; wrote {args.output}")
    benchlib.merge_results(args.output, results, ("store.",))


if __name__ == "__main__":
    main()
