"""Classifier benchmark: quality on the labelled eval set, and throughput.

Run it as ``.venv/bin/python bench/bench_classify.py [--json PATH]``.

It classifies every line of ``tests/data/classifier_eval.jsonl`` and prints
precision, recall and support per sentiment and intent class, for the whole set
and for the held-out split (lines never looked at while the lexicons were
tuned), then the same per language (Russian, English, Arabic), then a summary
table set against the targets: the precision of "negative complaint"
(sentiment negative and intent complaint, both predicted) in Russian and in
English, the recall of Arabic complaints, and texts per second on one core.
Figures are reported, not asserted: the exit status is always 0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchlib import machine, met, print_rows, save, targets

from smm_tui.core.classify import MAX_CHARS, classify
from smm_tui.core.classify_words import clear_token_cache
from smm_tui.core.models import Intent, Sentiment

EVAL_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "classifier_eval.jsonl"

#: key → (direction, target).
TARGETS = targets(
    at_least={
        "classify.all.negative_complaint_precision.ru": 0.85,
        "classify.all.negative_complaint_precision.en": 0.85,
        "classify.holdout.negative_complaint_precision.ru": 0.90,
        "classify.holdout.negative_complaint_precision.en": 0.90,
        "classify.holdout.ar.intent.complaint.recall": 0.80,
        "classify.texts_per_s": 20_000,
    }
)

SENTIMENTS = (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)
INTENTS = (Intent.QUESTION, Intent.COMPLAINT, Intent.PRAISE, Intent.SPAM, Intent.OTHER)
SPLITS = ("all", "holdout")
#: Languages with their own per-class figures (``mixed`` lines count only in the totals).
LANGUAGES = ("ru", "en", "ar")


@dataclass(frozen=True)
class Case:
    """One labelled line of the eval set, with what the classifier said."""

    text: str
    language: str
    split: str
    sentiment: str
    intent: str
    got_sentiment: str
    got_intent: str

    @property
    def negative_complaint(self) -> bool:
        return self.sentiment == "negative" and self.intent == "complaint"

    @property
    def got_negative_complaint(self) -> bool:
        return self.got_sentiment == "negative" and self.got_intent == "complaint"


def load_cases(path: Path = EVAL_SET) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        hint = row["language"] if row["language"] in LANGUAGES else ""
        result = classify(row["text"], hint)
        cases.append(
            Case(
                text=row["text"],
                language=row["language"],
                split=row.get("split", "dev"),
                sentiment=row["sentiment"],
                intent=row["intent"],
                got_sentiment=result.sentiment.value,
                got_intent=result.intent.value,
            )
        )
    return cases


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def class_scores(
    cases: Sequence[Case], gold: Callable[[Case], str], got: Callable[[Case], str], label: str
) -> dict[str, Any]:
    """Precision, recall and support of one class."""
    predicted = [case for case in cases if got(case) == label]
    actual = [case for case in cases if gold(case) == label]
    correct = sum(1 for case in predicted if gold(case) == label)
    return {
        "precision": ratio(correct, len(predicted)),
        "recall": ratio(correct, len(actual)),
        "support": len(actual),
        "predicted": len(predicted),
    }


def per_class(cases: Sequence[Case]) -> dict[str, Any]:
    """Precision, recall and support of every sentiment and intent class."""
    results: dict[str, Any] = {}
    for sentiment in SENTIMENTS:
        results[f"sentiment.{sentiment.value}"] = class_scores(
            cases, lambda c: c.sentiment, lambda c: c.got_sentiment, sentiment.value
        )
    for intent in INTENTS:
        results[f"intent.{intent.value}"] = class_scores(
            cases, lambda c: c.intent, lambda c: c.got_intent, intent.value
        )
    return results


def quality(cases: Sequence[Case]) -> dict[str, Any]:
    """All quality figures of one split."""
    results: dict[str, Any] = {"n": len(cases), **per_class(cases)}
    for language in LANGUAGES:
        chosen = [c for c in cases if c.language == language]
        results[f"{language}.n"] = len(chosen)
        for key, scores in per_class(chosen).items():
            results[f"{language}.{key}"] = scores
        results[f"{language}.intent.complaint.recall"] = results[f"{language}.intent.complaint"][
            "recall"
        ]
    results["sentiment_accuracy"] = ratio(
        sum(c.sentiment == c.got_sentiment for c in cases), len(cases)
    )
    results["intent_accuracy"] = ratio(sum(c.intent == c.got_intent for c in cases), len(cases))
    results["both_accuracy"] = ratio(
        sum(c.sentiment == c.got_sentiment and c.intent == c.got_intent for c in cases),
        len(cases),
    )
    for language in (*LANGUAGES, "mixed"):
        predicted = [c for c in cases if c.language == language and c.got_negative_complaint]
        results[f"negative_complaint_precision.{language}"] = ratio(
            sum(c.negative_complaint for c in predicted), len(predicted)
        )
        results[f"negative_complaint_predicted.{language}"] = len(predicted)
    return results


def throughput(
    texts: Sequence[str], seconds: float = 1.0, runs: int = 5, cold: bool = False
) -> list[float]:
    """Texts per second over ``runs`` timed runs of about ``seconds`` each.

    ``cold`` empties the classifier's token cache before every pass over ``texts``,
    so each pass pays for reading every word afresh.
    """
    rates = []
    for _ in range(runs):
        count = 0
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            if cold:
                clear_token_cache()
            for text in texts:
                classify(text)
            count += len(texts)
        rates.append(count / elapsed)
    return rates


def long_text_ms(chars: int = 100_000) -> float:
    text = ("карту заблокировали, приложение не работает!!! thanks for nothing 😡 " * chars)[:chars]
    started = time.perf_counter()
    classify(text)
    return (time.perf_counter() - started) * 1000


def fmt(value: float | None) -> str:
    """Counts and rates with thousands separators; ratios (0 to 1) with three decimals."""
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.3f}" if value <= 1 else f"{value:,.2f}"


def print_table(rows: list[tuple[str, ...]]) -> None:
    """The rows as a table, then a blank line."""
    print_rows(rows)
    print()


CLASS_NAMES = [f"sentiment.{s.value}" for s in SENTIMENTS] + [f"intent.{i.value}" for i in INTENTS]


def class_rows(results: dict[str, Any], language: str = "") -> list[tuple[str, ...]]:
    """Per-class figures of both splits: of every line, or of one language's."""
    rows: list[tuple[str, ...]] = [("key", "precision", "recall", "support", "predicted")]
    infix = f"{language}." if language else ""
    for split in SPLITS:
        for name in CLASS_NAMES:
            stats = results[f"classify.{split}.{infix}{name}"]
            rows.append(
                (
                    f"classify.{split}.{infix}{name}",
                    fmt(stats["precision"]),
                    fmt(stats["recall"]),
                    str(stats["support"]),
                    str(stats["predicted"]),
                )
            )
    return rows


def summary_rows(results: dict[str, Any]) -> list[tuple[str, ...]]:
    keys = (
        [
            f"classify.{split}.{name}"
            for split in SPLITS
            for name in (
                "n",
                "sentiment_accuracy",
                "intent_accuracy",
                "both_accuracy",
                "negative_complaint_precision.ru",
                "negative_complaint_precision.en",
                "negative_complaint_precision.ar",
                "negative_complaint_precision.mixed",
            )
        ]
        + [
            f"classify.{split}.{language}.intent.complaint.recall"
            for split in SPLITS
            for language in LANGUAGES
        ]
        + [
            "classify.texts_per_s",
            "classify.texts_per_s_min",
            "classify.texts_per_s_cold",
            "classify.long_100k_ms",
        ]
    )
    rows: list[tuple[str, ...]] = [("key", "measured", "target", "ok")]
    for key in keys:
        value = results[key]
        target, ok = "", ""
        if key in TARGETS:
            direction, goal = TARGETS[key]
            target = f"{direction} {fmt(goal)}"
            ok = "n/a" if value is None else "yes" if met(value, direction, goal) else "NO"
        shown = fmt(value)
        if ".negative_complaint_precision." in key:
            predicted = results[key.replace("_precision.", "_predicted.")]
            shown = f"{shown} (of {predicted} predicted)"
        rows.append((key, shown, target, ok))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one timed run")
    parser.add_argument("--runs", type=int, default=5, help="timed runs for throughput")
    args = parser.parse_args()

    cases = load_cases()
    results: dict[str, Any] = {}
    for split in SPLITS:
        chosen = cases if split == "all" else [c for c in cases if c.split == split]
        for key, value in quality(chosen).items():
            results[f"classify.{split}.{key}"] = value
    texts = [c.text for c in cases]
    rates = throughput(texts, args.seconds, args.runs)
    results["classify.texts_per_s"] = round(statistics.median(rates))
    results["classify.texts_per_s_min"] = round(min(rates))
    cold = throughput(texts, args.seconds, args.runs, cold=True)
    results["classify.texts_per_s_cold"] = round(statistics.median(cold))
    results["classify.long_100k_ms"] = round(long_text_ms(), 2)
    results["classify.meta"] = {
        "eval_set": str(EVAL_SET.relative_to(EVAL_SET.parents[2])),
        "lines": len(cases),
        "by_language": {
            language: sum(c.language == language for c in cases)
            for language in (*LANGUAGES, "mixed")
        },
        "throughput_runs": args.runs,
        **machine(),
        "targets": {k: {"direction": d, "value": v} for k, (d, v) in TARGETS.items()},
    }

    print_table(class_rows(results))
    for language in LANGUAGES:
        print_table(class_rows(results, language))
    print_table(summary_rows(results))
    print(
        f"{len(cases)} texts. Throughput: median of {args.runs} runs over the eval texts on one "
        "core (texts_per_s_min: the slowest run; texts_per_s_cold: token cache emptied before "
        "every pass). long_100k_ms: one 100,000-character text (only the first "
        f"{MAX_CHARS:,} are read)."
    )
    save(args.json, results, "classify.")


if __name__ == "__main__":
    main()
