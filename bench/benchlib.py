"""What the benchmark scripts share: statistics, number formatting, tables and the JSON file.

The scripts run as ``python bench/<name>.py``, so this directory is on ``sys.path``
and they import it as ``benchlib``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (p95 of 100 values is the 95th smallest)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summarise(values: Sequence[float]) -> dict[str, float]:
    """Median, min and max, rounded: the shape of every figure in ``bench-results.json``."""
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def label(n: int) -> str:
    """``100000`` → ``100k``: the size part of a key."""
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def fmt(value: float | None) -> str:
    """Big numbers with separators, small ones with two or three significant decimals."""
    if value is None:
        return "n/a"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def spread(stats: dict[str, Any] | None) -> str:
    """A figure as its median, then its min to max in brackets; ``n/a`` if not measured."""
    if stats is None:
        return "n/a"
    return f"{fmt(stats['median'])} ({fmt(stats['min'])}–{fmt(stats['max'])})"


def met(value: float, direction: str, goal: float) -> bool:
    """Whether ``value`` meets ``goal``: at least it (direction ``>=``) or at most it (``<=``)."""
    return value >= goal if direction == ">=" else value <= goal


def targets(
    at_least: dict[str, float] | None = None, at_most: dict[str, float] | None = None
) -> dict[str, tuple[str, float]]:
    """key → (direction, goal), the shape of a part's ``TARGETS``, from its two kinds of goal."""
    return {
        **{key: (">=", goal) for key, goal in (at_least or {}).items()},
        **{key: ("<=", goal) for key, goal in (at_most or {}).items()},
    }


#: The options the parts share: name → (type, help). ``arguments`` adds those a part names.
OPTIONS: dict[str, tuple[type, str]] = {
    "size": (int, "mentions (default 100,000)"),
    "runs": (int, "runs measured (default 5)"),
    "presses": (int, "j/k presses per run (100)"),
    "workspace": (Path, "the workspace to measure on (one is built without it)"),
    "json": (Path, "merge results into this file"),
}


def arguments(doc: str | None, quick: str, names: str, **helps: str) -> argparse.ArgumentParser:
    """A part's parser: ``--quick`` (``quick`` its help), then the ``OPTIONS`` in ``names``.

    ``names`` is space-separated; ``helps`` gives an option a help of the part's own. Every
    option is None unless given.
    """
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=quick)
    for name in names.split():
        kind, help_text = OPTIONS[name]
        parser.add_argument(f"--{name}", type=kind, default=None, help=helps.get(name, help_text))
    return parser


def save(path: Path | None, results: dict[str, Any], prefix: str) -> None:
    """Merge a part's ``results`` (keys starting ``prefix``) into ``path``, if one is given."""
    if path is not None:
        merge_results(path, results, (prefix,))
        print(f"wrote {path}")


def run_part(
    prefix: str,
    measure: Callable[[], dict[str, Any]],
    table: Callable[[dict[str, Any]], None],
    args: argparse.Namespace,
    failures: tuple[type[Exception], ...] = (Exception,),
) -> int:
    """Measure, print the part's table, save its figures: the exit status (1 if it crashed).

    ``prefix`` (``"app."``) starts the part's keys; its ``meta`` notes ``args.quick``.
    """
    try:
        results = measure()
    except failures as error:  # a missed target is reported; a crash is a failure
        print(f"{prefix.rstrip('.')} benchmark failed: {error!r}", file=sys.stderr)
        return 1
    results[f"{prefix}meta"]["quick"] = args.quick
    table(results)
    save(args.json, results, prefix)
    return 0


#: The header of a part's table of figures against their targets (see :func:`target_row`).
TARGET_HEADER = ("key", "measured: median (min–max)", "target", "ratio", "ok")


def target_row(
    key: str, stats: dict[str, Any], target: tuple[str, float] | None
) -> tuple[str, str, str, str, str]:
    """One row of a part's table: the figure's spread, and how it stands to its target."""
    if target is None:
        return (key, spread(stats), "", "", "")
    direction, goal = target
    ok = "yes" if met(stats["median"], direction, goal) else "NO"
    return (key, spread(stats), f"{direction} {fmt(goal)}", f"{stats['median'] / goal:.2f}", ok)


def print_rows(rows: Sequence[Sequence[str]]) -> None:
    """A plain-text table; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if i == 0:
            print("-+-".join("-" * width for width in widths))


def merge_results(path: Path, results: dict[str, Any], prefixes: Iterable[str]) -> None:
    """Write ``results`` into ``path``, replacing our ``prefixes`` and keeping other keys."""
    owned = tuple(prefixes)
    merged: dict[str, Any] = {}
    if path.exists():
        try:
            merged = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            merged = {}
    merged = {k: v for k, v in merged.items() if not k.startswith(owned)}
    merged.update(results)
    path.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def machine() -> dict[str, str]:
    """Where and when the figures were taken."""
    return {
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
