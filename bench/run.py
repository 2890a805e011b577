"""``make bench``: every benchmark, then the performance table against its targets.

Run it as ``.venv/bin/python bench/run.py [--quick] [--output PATH]``.

It builds the 10k and 100k workspaces once (``store_workspace.build_workspace``), runs
each part in its own process (store, query, classify, app, baseline, publish, trends,
incident), each merging its figures into the JSON file, then prints one table: the
issue's figures set against their targets, the baselines and the classifier's
quality; and writes that
summary into the same file under ``targets.*``, ``baselines.*``, ``classifier.*``
and ``summary.meta`` (see bench/README.md).

A missed target never fails: the exit status is 1 only when a part crashed or
left a figure of the table out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import store_workspace
from benchlib import fmt, label, machine, merge_results, met, print_rows, spread
from targets import (
    AR_COMPLAINT_RECALL_GOAL,
    BASELINES,
    CONTEXT,
    HOLDOUT_PRECISION_GOAL,
    INTENTS,
    LANGUAGES,
    PRECISION_GOAL,
    SENTIMENTS,
    TARGETS,
    TEXTS_PER_S_GOAL,
)

HERE = Path(__file__).resolve().parent
SUMMARY_PREFIXES = ("targets.", "baselines.", "classifier.", "summary.")
#: What the parts write: cleared before they run, so a part that fails leaves no stale figures.
PART_PREFIXES = (
    "store.",
    "query.",
    "classify.",
    "app.",
    "baseline.",
    "publish.",
    "trends.",
    "incident.",
)


def parts(quick: bool, output: Path, workspaces: Path, size: int) -> dict[str, list[str]]:
    """Each part's command line."""
    py, out, store = sys.executable, str(output), str(store_workspace.template(workspaces, size))
    flag = ["--quick"] if quick else []
    return {
        "store": [
            py,
            str(HERE / "bench_store.py"),
            "--output",
            out,
            "--workspaces",
            str(workspaces),
            *flag,
        ],
        "query": [py, str(HERE / "bench_query.py"), "--json", out, *flag],
        "classify": [
            py,
            str(HERE / "bench_classify.py"),
            "--json",
            out,
            *(["--seconds", "0.1", "--runs", "1"] if quick else []),
        ],
        "app": [py, str(HERE / "bench_app.py"), "--json", out, "--workspace", store, *flag],
        "baseline": [
            py,
            str(HERE / "bench_baseline.py"),
            "--json",
            out,
            "--workspace",
            store,
            *flag,
        ],
        "publish": [
            py,
            str(HERE / "bench_publish.py"),
            "--json",
            out,
            "--workspace",
            store,
            *flag,
        ],
        "trends": [
            py,
            str(HERE / "bench_trends.py"),
            "--json",
            out,
            "--size",
            str(size),
            *flag,
        ],
        "incident": [py, str(HERE / "bench_incident.py"), "--json", out, *flag],
    }


def run_parts(commands: dict[str, list[str]], timeout: float) -> dict[str, dict[str, Any]]:
    """Run each part, its output passed through; how each went."""
    report: dict[str, dict[str, Any]] = {}
    for name, argv in commands.items():
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        status: int | str
        try:
            status = subprocess.run(argv, check=False, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            status = "timeout"
        report[name] = {"status": status, "seconds": round(time.perf_counter() - started, 1)}
        if status != 0:
            print(f"!! the {name} benchmark failed ({status})", file=sys.stderr, flush=True)
    return report


def summary(results: dict[str, Any], size: str, runs: int) -> dict[str, Any]:
    """The ``targets.*``, ``baselines.*`` and ``classifier.*`` keys, from the detailed ones."""
    out: dict[str, Any] = {}
    for target in TARGETS:
        source = target.source.format(size=size)
        stats = results.get(source)
        if stats is None:
            continue
        out[f"targets.{target.key}"] = {
            "median": stats["median"],
            "min": stats["min"],
            "max": stats["max"],
            "target": target.goal,
            "direction": target.direction,
            "ratio": round(stats["median"] / target.goal, 3),
            "ok": met(stats["median"], target.direction, target.goal),
            "unit": target.unit,
            "source": source,
            "size": size,
            "runs": runs,
        }
    for name, (_what, source) in BASELINES.items():
        if source in results:
            out[f"baselines.{name}"] = {**results[source], "source": source}
    for language in ("ru", "en"):
        value = results.get(f"classify.all.negative_complaint_precision.{language}")
        if f"classify.all.negative_complaint_predicted.{language}" not in results:
            continue
        held_out = results.get(f"classify.holdout.negative_complaint_precision.{language}")
        out[f"classifier.negative_complaint_precision_{language}"] = {
            "value": value,
            "holdout": held_out,
            "predicted": results[f"classify.all.negative_complaint_predicted.{language}"],
            "target": PRECISION_GOAL,
            "holdout_target": HOLDOUT_PRECISION_GOAL,
            "direction": ">=",
            "ok": value is not None
            and value >= PRECISION_GOAL
            and held_out is not None
            and held_out >= HOLDOUT_PRECISION_GOAL,
            "source": f"classify.all.negative_complaint_precision.{language}",
        }
    recall = results.get("classify.holdout.ar.intent.complaint.recall")
    if "classify.holdout.ar.intent.complaint" in results:
        out["classifier.complaint_recall_ar"] = {
            "value": recall,
            "all": results.get("classify.all.ar.intent.complaint.recall"),
            "support": results["classify.holdout.ar.intent.complaint"]["support"],
            "target": AR_COMPLAINT_RECALL_GOAL,
            "direction": ">=",
            "ok": recall is not None and recall >= AR_COMPLAINT_RECALL_GOAL,
            "source": "classify.holdout.ar.intent.complaint.recall",
        }
    for prefix in ("", *(f"{language}." for language in LANGUAGES)):
        out.update(class_summary(results, prefix))
    if "classify.texts_per_s" in results:
        rate = results["classify.texts_per_s"]
        out["classifier.texts_per_s"] = {
            "value": rate,
            "target": TEXTS_PER_S_GOAL,
            "direction": ">=",
            "ok": rate >= TEXTS_PER_S_GOAL,
            "source": "classify.texts_per_s",
        }
    return out


def class_summary(results: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``classifier.<prefix><kind>.<class>``: precision and recall, all lines and held-out.

    ``prefix`` is "" for every line, or a language and a dot ("ar.") for its lines.
    """
    out: dict[str, Any] = {}
    for kind, names in (("sentiment", SENTIMENTS), ("intent", INTENTS)):
        for name in names:
            source = f"classify.all.{prefix}{kind}.{name}"
            scores = results.get(source)
            if scores is None:
                continue
            held = results.get(f"classify.holdout.{prefix}{kind}.{name}", {})
            out[f"classifier.{prefix}{kind}.{name}"] = {
                "precision": scores["precision"],
                "recall": scores["recall"],
                "support": scores["support"],
                "holdout_precision": held.get("precision"),
                "holdout_recall": held.get("recall"),
                "source": source,
            }
    return out


def share(value: float | None) -> str:
    """A precision or recall."""
    return "n/a" if value is None else f"{value:.3f}"


def verdict(entry: dict[str, Any]) -> str:
    return "ok" if entry["ok"] else "MISSED"


def target_rows(done: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for target in TARGETS:
        entry = done.get(f"targets.{target.key}")
        goal = f"{target.direction} {fmt(target.goal)} {target.unit}"
        if entry is None:
            rows.append((target.key, target.what, "n/a (not measured)", goal, "", "n/a"))
        else:
            ratio = f"{entry['ratio']:.2f}"
            rows.append((target.key, target.what, spread(entry), goal, ratio, verdict(entry)))
    return rows


def context_rows(results: dict[str, Any], done: dict[str, Any], size: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for name, (what, _source) in BASELINES.items():
        rows.append((f"baseline: {name}", what, spread(done.get(f"baselines.{name}")), "", "", ""))
    for pattern, what in CONTEXT:
        key = pattern.format(size=size)
        if key in results:
            rows.append((f"context: {key}", what, spread(results[key]), "", "", ""))
    return rows


def classifier_rows(done: dict[str, Any]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for language in ("ru", "en"):
        key = f"classifier.negative_complaint_precision_{language}"
        entry = done.get(key)
        if entry is None:
            rows.append((key, "", "n/a", "", "", "n/a"))
            continue
        what = f"'negative complaint' precision, {language.upper()}, of {entry['predicted']}"
        measured = f"{share(entry['value'])} (held-out {share(entry['holdout'])})"
        ratio = "" if entry["value"] is None else f"{entry['value'] / PRECISION_GOAL:.2f}"
        goal = f">= {PRECISION_GOAL} (held-out {HOLDOUT_PRECISION_GOAL})"
        rows.append((key, what, measured, goal, ratio, verdict(entry)))
    recall = done.get("classifier.complaint_recall_ar")
    if recall is not None:
        what = f"Arabic complaint recall, held-out, of {recall['support']}"
        measured = f"{share(recall['value'])} (all {share(recall['all'])})"
        ratio = "" if recall["value"] is None else f"{recall['value'] / recall['target']:.2f}"
        goal = f">= {AR_COMPLAINT_RECALL_GOAL}"
        rows.append(
            ("classifier.complaint_recall_ar", what, measured, goal, ratio, verdict(recall))
        )
    for prefix in ("", *(f"{language}." for language in LANGUAGES)):
        rows += class_table_rows(done, prefix)
    rate = done.get("classifier.texts_per_s")
    if rate is not None:
        goal, ratio = f">= {fmt(TEXTS_PER_S_GOAL)}", f"{rate['value'] / TEXTS_PER_S_GOAL:.2f}"
        what = "texts classified a second, one core"
        rows.append(
            ("classifier.texts_per_s", what, fmt(rate["value"]), goal, ratio, verdict(rate))
        )
    return rows


def class_table_rows(done: dict[str, Any], prefix: str) -> list[tuple[str, ...]]:
    """One row a class: precision and recall, all lines and held-out (P/R)."""
    rows: list[tuple[str, ...]] = []
    for kind, names in (("sentiment", SENTIMENTS), ("intent", INTENTS)):
        for name in names:
            entry = done.get(f"classifier.{prefix}{kind}.{name}")
            if entry is None:
                continue
            measured = (
                f"P {share(entry['precision'])} R {share(entry['recall'])} "
                f"(held-out {share(entry['holdout_precision'])}/{share(entry['holdout_recall'])})"
            )
            language = f"{prefix[:-1].upper()}, " if prefix else ""
            what = f"precision, recall; {language}{entry['support']} labelled"
            rows.append((f"classifier.{prefix}{kind}.{name}", what, measured, "", "", ""))
    return rows


def table(results: dict[str, Any], done: dict[str, Any], size: str) -> list[tuple[str, ...]]:
    blank = ("", "", "", "", "", "")
    return [
        ("key", "what", "measured: median (min–max)", "target", "ratio", ""),
        *target_rows(done),
        blank,
        *context_rows(results, done, size),
        blank,
        *classifier_rows(done),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 mentions, 1 run of each part")
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    parser.add_argument("--timeout", type=float, default=None, help="seconds per part")
    args = parser.parse_args()
    started = time.perf_counter()
    size = 1000 if args.quick else 100_000
    sizes = [size] if args.quick else [10_000, size]
    runs = 1 if args.quick else 5
    output = args.output.resolve()
    merge_results(output, {}, PART_PREFIXES + SUMMARY_PREFIXES)  # other tools' keys stay
    with tempfile.TemporaryDirectory(prefix="smm-bench-") as scratch:
        workspaces = Path(scratch)
        for n in sizes:
            store_workspace.cached_workspace(workspaces, n)
        report = run_parts(
            parts(args.quick, output, workspaces, size),
            args.timeout or (120 if args.quick else 900),
        )
    try:
        results: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        results = {}
    done = summary(results, label(size), runs)
    missing = [t.key for t in TARGETS if f"targets.{t.key}" not in done]
    wall = round(time.perf_counter() - started, 1)
    done["summary.meta"] = {
        "quick": args.quick,
        "size": label(size),
        "runs": runs,
        "wall_s": wall,
        "parts": report,
        "missing": missing,
        **machine(),
    }
    merge_results(output, done, SUMMARY_PREFIXES)
    print(f"\n== performance: {label(size)} mentions, median (min–max) of {runs} run(s) ==")
    print_rows(table(results, done, label(size)))
    missed = [
        t.key for t in TARGETS if f"targets.{t.key}" in done and not done[f"targets.{t.key}"]["ok"]
    ]
    print(
        f"\n{len(TARGETS) - len(missed) - len(missing)} of {len(TARGETS)} targets met"
        + (f"; missed: {', '.join(missed)}" if missed else "")
        + (f"; not measured: {', '.join(missing)}" if missing else "")
        + f". {wall} s in all; wrote {args.output}"
    )
    failed = [name for name, part in report.items() if part["status"] != 0]
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
