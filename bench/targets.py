"""The summary table of ``make bench``: the issue's targets, the baselines, the context rows.

``run.py`` reads these to turn the parts' detailed keys into its one table.
"""

from __future__ import annotations

from dataclasses import dataclass

import bench_classify


@dataclass(frozen=True)
class Target:
    """One line of the issue's table: where its figure comes from and what it should be."""

    key: str
    what: str
    source: str  #: the detailed key, with ``{size}`` for ``100k`` (``1k`` when quick)
    direction: str
    goal: float
    unit: str


TARGETS = (
    Target(
        "ingest_per_s",
        "mentions made durable per second, in bursts of 1,000",
        "store.{size}.ingest_per_s",
        ">=",
        5000,
        "/s",
    ),
    Target(
        "ingest_durable_ms_p95",
        "a mention's arrival until on disk, p95",
        "store.{size}.ingest_durable_ms_p95",
        "<=",
        250,
        "ms",
    ),
    Target(
        "action_durable_ms_p95",
        "one status change made durable, p95",
        "store.{size}.action_durable_ms_p95",
        "<=",
        30,
        "ms",
    ),
    Target(
        "cold_start_ms",
        "process start until the feed is painted (pty)",
        "app.{size}.cold_start_ms",
        "<=",
        1000,
        "ms",
    ),
    Target(
        "key_latency_ms_p95",
        "j/k in the feed until its repaint ends, p95",
        "app.{size}.key_latency_ms_p95",
        "<=",
        16,
        "ms",
    ),
    Target(
        "filter_ms_p95",
        "one keystroke of a / query over all, p95",
        "query.{size}.keystroke_ms_p95",
        "<=",
        50,
        "ms",
    ),
    Target(
        "rss_mb",
        "peak resident memory with the feed open",
        "app.{size}.rss_peak_mb",
        "<=",
        200,
        "MB",
    ),
    Target(
        "bytes_per_keypress",
        "bytes to the terminal per cursor move",
        "app.{size}.bytes_per_keypress",
        "<=",
        2048,
        "B",
    ),
    Target(
        "publish_due_lag_ms_p95",
        "a post's time until its send starts, ingesting, p95",
        "publish.{size}.due_lag_ms_p95",
        "<=",
        1000,
        "ms",
    ),
    Target(
        "trend_update_ms_p95",
        "spike watch updated per batch of 1,000 (add + alerts), p95",
        "trends.{size}.trend_update_ms_p95",
        "<=",
        50,
        "ms",
    ),
    Target(
        "incident_group_ms",
        "5,000 candidates grouped into near duplicates",
        "incident.incident_group_ms",
        "<=",
        500,
        "ms",
    ),
)

#: name → (what, detailed key); no target, reported beside the table.
BASELINES = {
    "import_textual_app_ms": (
        "import textual.app, fresh process",
        "baseline.import_textual_app_ms",
    ),
    "orjson_parse_store_ms": (
        "orjson.loads of every store shard",
        "baseline.orjson_parse_store_ms",
    ),
}
#: Context for the cold start: where its time goes. Printed, not summarised.
CONTEXT = (
    ("store.{size}.open_ms", "Store.open of the workspace"),
    ("app.{size}.driver_start_ms", "process start until Textual takes the screen"),
    ("app.{size}.first_start_ms", "first start on a copy (backfill)"),
    ("baseline.import_smm_tui_app_ms", "import smm_tui.app, fresh process"),
    ("baseline.orjson_parse_store_nogc_ms", "the orjson baseline with gc off, as Store.open"),
    ("app.{size}.key_latency_ms_p50", "j/k until its repaint ends, p50"),
    ("app.{size}.key_first_frame_ms_p95", "j/k until its first frame ends, p95"),
    ("app.{size}.frames_per_keypress", "frames painted per cursor move"),
    ("app.{size}.idle_bytes_per_s", "bytes written per second, no input"),
    ("publish.{size}.due_lag_ms_max", "a post's time until its send starts, max"),
    ("publish.{size}.ingest_per_s", "mentions ingested a second meanwhile"),
    ("trends.{size}.trend_update_ms_p50", "spike watch updated per batch of 1,000, p50"),
)
# The classifier's classes, languages and goals are bench_classify's own.
SENTIMENTS = tuple(s.value for s in bench_classify.SENTIMENTS)
INTENTS = tuple(i.value for i in bench_classify.INTENTS)
LANGUAGES = bench_classify.LANGUAGES
PRECISION_GOAL = bench_classify.TARGETS["classify.all.negative_complaint_precision.ru"][1]
HOLDOUT_PRECISION_GOAL = bench_classify.TARGETS["classify.holdout.negative_complaint_precision.ru"][
    1
]
AR_COMPLAINT_RECALL_GOAL = bench_classify.TARGETS["classify.holdout.ar.intent.complaint.recall"][1]
TEXTS_PER_S_GOAL = bench_classify.TARGETS["classify.texts_per_s"][1]
