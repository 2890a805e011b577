"""What the benchmark scripts share: statistics, number formatting, tables and the JSON file.

The scripts run as ``python bench/<name>.py``, so this directory is on ``sys.path``
and they import it as ``benchlib``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
from collections.abc import Iterable, Sequence
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
