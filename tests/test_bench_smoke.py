"""``bench/bench_store.py --quick`` runs end to end and writes its JSON keys."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_store.py"

KEYS: tuple[str, ...] = runpy.run_path(str(BENCH))["KEYS"]


def test_quick_bench_writes_results(tmp_path: Path) -> None:
    output = tmp_path / "bench-results.json"
    output.write_text(json.dumps({"ui.1k.frame_ms": {"median": 1.0}}))  # another bench's keys
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "store.1k.ingest_per_s" in result.stdout  # the table

    results = json.loads(output.read_text())
    assert results["ui.1k.frame_ms"] == {"median": 1.0}
    for key in KEYS:
        stats = results[f"store.1k.{key}"]
        assert set(stats) == {"median", "min", "max"}, key
        assert stats["min"] <= stats["median"] <= stats["max"], key
        assert stats["median"] > 0, key
    assert results["store.meta"]["quick"] is True
    assert results["store.meta"]["runs"] == 1
