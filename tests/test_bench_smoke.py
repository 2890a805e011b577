"""``bench/run.py --quick`` runs every benchmark end to end and writes the table's keys.

The quick mode is the whole bench on 1,000 mentions with one run of each part,
including the app started in a pseudo-terminal, so no part can rot unnoticed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "run.py"

#: The issue's table: ``targets.<key>`` in bench-results.json.
TABLE = (
    "ingest_per_s",
    "ingest_durable_ms_p95",
    "action_durable_ms_p95",
    "cold_start_ms",
    "key_latency_ms_p95",
    "filter_ms_p95",
    "rss_mb",
    "bytes_per_keypress",
    "publish_due_lag_ms_p95",
    "trend_update_ms_p95",
    "incident_group_ms",
)
BASELINES = ("import_textual_app_ms", "orjson_parse_store_ms")
#: Detailed keys other tools already read; they must keep working.
STORE_KEYS = (
    "ingest_per_s",
    "ingest_durable_ms_p50",
    "ingest_durable_ms_p95",
    "action_durable_ms_p95",
    "archive_durable_ms_p95",
    "open_ms",
    "rss_mb",
)
CLASSES = (
    "sentiment.negative",
    "sentiment.neutral",
    "sentiment.positive",
    "intent.question",
    "intent.complaint",
    "intent.praise",
    "intent.spam",
    "intent.other",
)


def test_quick_bench_writes_every_figure(tmp_path: Path) -> None:
    output = tmp_path / "bench-results.json"
    stale = {"median": 1.0, "min": 1.0, "max": 1.0}
    # Another tool's key stays; a figure left by an earlier run of a part does not.
    output.write_text(json.dumps({"ui.1k.frame_ms": {"median": 1.0}, "app.100k.rss_mb": stale}))
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    table = result.stdout[result.stdout.index("== performance") :]
    for key in TABLE:
        assert f"\n{key} " in table, key

    results = json.loads(output.read_text())
    assert results["ui.1k.frame_ms"] == {"median": 1.0}
    assert "app.100k.rss_mb" not in results
    for key in TABLE:
        entry = results[f"targets.{key}"]
        assert entry["min"] <= entry["median"] <= entry["max"], key
        assert entry["median"] > 0, key
        assert entry["target"] > 0, key
        assert entry["direction"] in (">=", "<="), key
        assert isinstance(entry["ok"], bool), key
        assert entry["size"] == "1k", key
        assert entry["source"] in results, key  # the detailed figure it summarises
    for key in BASELINES:
        assert results[f"baselines.{key}"]["median"] > 0, key
    for language in ("ru", "en"):
        entry = results[f"classifier.negative_complaint_precision_{language}"]
        assert 0 <= entry["value"] <= 1
        assert isinstance(entry["ok"], bool)
    for name in CLASSES:
        scores = results[f"classifier.{name}"]
        assert {"precision", "recall", "support"} <= set(scores), name

    for key in STORE_KEYS:
        stats = results[f"store.1k.{key}"]
        assert set(stats) == {"median", "min", "max"}, key
        assert stats["min"] <= stats["median"] <= stats["max"], key
    assert results["store.meta"]["quick"] is True
    assert results["app.1k.cold_start_ms"]["median"] > results["app.1k.driver_start_ms"]["median"]
    assert results["app.meta"]["sync_output"] is True  # repaints were timed by their end marker
    assert "query.1k.typing_word_keystroke_ms" in results
    assert results["classify.all.negative_complaint_precision.ru"] is not None
    meta = results["summary.meta"]
    assert meta["quick"] is True
    assert meta["runs"] == 1
    assert meta["missing"] == []
    assert all(part["status"] == 0 for part in meta["parts"].values())
