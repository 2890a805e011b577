"""Baselines for the app's start: what importing Textual and parsing the store cost on their own.

Run it as ``.venv/bin/python bench/bench_baseline.py --workspace DIR [--quick] [--json PATH]``.

Each figure is timed inside a fresh Python process (so nothing is imported or cached
yet), 5 runs, median (min to max):

* ``import_textual_app_ms``: ``import textual.app``;
* ``import_smm_tui_app_ms``: ``import smm_tui.app`` (Textual, the screens and the core);
* ``orjson_parse_store_ms``: ``orjson.loads`` of every ``*.json`` file under the
  workspace (all the store's shards), the files read into memory first and not timed;
  ``store_read_ms`` is that read, ``store_mb`` their size;
* ``orjson_parse_store_nogc_ms``: the same with the garbage collector off, as
  ``Store.open`` loads (a collection pass every few thousand new containers
  otherwise walks the growing heap again and again).

Without ``--workspace`` a workspace is built with ``store_workspace.build_workspace``.
Exits 0 whatever it finds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import store_workspace
from benchlib import arguments, label, machine, print_rows, save, spread, summarise

IMPORT = """
import time
started = time.perf_counter()
import {module}
print((time.perf_counter() - started) * 1000)
"""

PARSE = """
import gc, json, sys, time
from pathlib import Path
started = time.perf_counter()
import orjson
imported = time.perf_counter()
blobs = [p.read_bytes() for p in sorted(Path(sys.argv[1]).rglob("*.json"))]
read = time.perf_counter()
if sys.argv[2] == "nogc":
    gc.disable()
parsed = [orjson.loads(blob) for blob in blobs]
done = time.perf_counter()
if sys.argv[2] == "nogc":
    print(json.dumps({"orjson_parse_store_nogc_ms": (done - read) * 1000}))
else:
    print(json.dumps({
        "orjson_parse_store_ms": (done - read) * 1000,
        "store_read_ms": (read - imported) * 1000,
        "store_mb": sum(map(len, blobs)) / 2**20,
        "files": len(blobs),
    }))
"""


def fresh(code: str, *args: str) -> str:
    """Run ``code`` in a new interpreter; its last line of output."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def measure(workspace: Path, runs: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {}
    for _ in range(runs):  # interleaved, so noise spreads across the figures
        for name, module in (
            ("import_textual_app_ms", "textual.app"),
            ("import_smm_tui_app_ms", "smm_tui.app"),
        ):
            samples.setdefault(name, []).append(float(fresh(IMPORT.format(module=module))))
        for gc_mode in ("gc", "nogc"):
            for key, value in json.loads(fresh(PARSE, str(workspace), gc_mode)).items():
                samples.setdefault(key, []).append(float(value))
    results: dict[str, Any] = {f"baseline.{k}": summarise(v) for k, v in samples.items()}
    return results


def main() -> int:
    quick = "1 run (and 1,000 mentions if built)"
    args = arguments(__doc__, quick, "runs workspace size json").parse_args()
    runs = args.runs or (1 if args.quick else 5)
    with tempfile.TemporaryDirectory(prefix="smm-bench-baseline-") as scratch:
        workspace = args.workspace
        if workspace is None:
            size = args.size or (1000 if args.quick else 100_000)
            workspace = Path(scratch) / f"template-{label(size)}"
            print(f"building a workspace of {size:,} mentions…", file=sys.stderr, flush=True)
            store_workspace.build_workspace(workspace, size)
        results = measure(workspace, runs)
    results["baseline.meta"] = {
        "runs": runs,
        "quick": args.quick,
        "workspace": workspace.name,
        **machine(),
    }
    rows = [("key", "measured: median (min–max)")]
    for key, stats in results.items():
        if key != "baseline.meta":
            rows.append((key, spread(stats)))
    print_rows(rows)
    save(args.json, results, "baseline.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
