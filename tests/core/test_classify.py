"""The local classifier: representative cases, robustness, and a gate on the eval set."""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from smm_tui.core import classify as classify_module
from smm_tui.core.classify import MAX_CHARS, Classification, classify
from smm_tui.core.models import Intent, Sentiment

EVAL_SET = Path(__file__).resolve().parents[1] / "data" / "classifier_eval.jsonl"

NEG, NEU, POS = Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE
Q, C, P, S, OT = Intent.QUESTION, Intent.COMPLAINT, Intent.PRAISE, Intent.SPAM, Intent.OTHER

# Written for these tests; none of them is in the eval set.
CASES = [
    # ru
    ("Карту заблокировали прямо на кассе, позор", "ru", NEG, C),
    ("С меня списали дважды за такси", "ru", NEG, C),
    ("Приложение не работает третий день", "ru", NEG, C),
    ("почему опять не работает?!", "ru", NEG, C),
    ("Ну спасибо, вторую неделю жду карту 👏", "ru", NEG, C),
    ("капец, жесть полная", "ru", NEG, C),
    ("Подскажите, как перевести деньги за границу?", "ru", NEU, Q),
    ("Когда будет кешбэк за август?", "ru", NEU, Q),
    ("Спасибо, очень быстро помогли!", "ru", POS, P),
    ("Лучший банк, всем советую 🔥", "ru", POS, P),
    ("не плохо, совсем не плохо", "ru", POS, P),
    ("Заработок 5000 в день без вложений, пиши в лс", "ru", NEU, S),
    ("Открыла вклад на год", "ru", NEU, OT),
    # en
    ("My card got declined twice today, what is going on", "en", NEG, C),
    ("great, another outage, love it", "en", NEG, C),
    ("Thanks for nothing, still no refund", "en", NEG, C),
    ("not working again smh", "en", NEG, C),
    ("How do I order a new card?", "en", NEU, Q),
    ("Where can I see my statement?", "en", NEU, Q),
    ("Thanks, the support team was amazing 🙏", "en", POS, P),
    ("not bad at all, ngl", "en", POS, P),
    ("Free USDT giveaway, claim now at bit.ly/xyz", "en", NEU, S),
    ("Earn $500 a day, DM me", "en", NEU, S),
    ("Opened my account last week", "en", NEU, OT),
    # ar
    ("شكرا على الخدمة", "ar", POS, P),
    ("التطبيق لا يعمل", "ar", NEG, C),
    ("عندي مشكلة في البطاقة", "ar", NEG, C),
    ("احتيال!", "ar", NEG, C),
    ("كيف أفتح حساب؟", "ar", NEU, Q),
    # mixed languages and emoji; no hint
    ("app не грузится", "", NEG, C),
    ("спасибо, great service", "", POS, P),
    ("😡😡😡", "", NEG, C),
    ("❤️🔥", "", POS, P),
]


@pytest.mark.parametrize(("text", "language", "sentiment", "intent"), CASES)
def test_representative_cases(
    text: str, language: str, sentiment: Sentiment, intent: Intent
) -> None:
    result = classify(text, language)
    assert (result.sentiment, result.intent) == (sentiment, intent), result.signals


@pytest.mark.parametrize(
    ("text", "sentiment"),
    [
        ("работает", NEU),
        ("не работает", NEG),
        ("плохо", NEG),
        ("не плохо", POS),
        ("рекомендую", POS),
        ("не рекомендую", NEG),
        ("happy with it", POS),
        ("not happy with it", NEG),
        ("no problems at all", POS),
        ("никаких проблем", POS),
    ],
)
def test_negation_flips_the_word_it_governs(text: str, sentiment: Sentiment) -> None:
    assert classify(text).sentiment is sentiment


def test_sarcasm_turns_thanks_into_a_complaint_and_says_so() -> None:
    plain = classify("спасибо, быстро доставили")
    sarcastic = classify("ну спасибо, третий день жду 👏")
    assert (plain.sentiment, plain.intent) == (POS, P)
    assert (sarcastic.sentiment, sarcastic.intent) == (NEG, C)
    assert any(signal.startswith("sarcasm:") for signal in sarcastic.signals)
    assert classify("Молодцы 👏👏").sentiment is POS  # applause alone is applause


def test_a_fix_outweighs_the_problem_it_mentions() -> None:
    assert classify("разобрались с блокировкой за вечер, респект").sentiment is POS
    assert classify("Big thanks for fixing my issue").sentiment is POS


def test_normalisation_of_case_yo_repeats_and_look_alike_letters() -> None:
    reference = classify("очень плохо")
    for variant in ("ОЧЕНЬ ПЛОХО", "ооочень плооохо", "oчень плoхo"):  # the last has Latin o
        assert classify(variant).sentiment is reference.sentiment, variant
    assert classify("пришёл").sentiment is classify("пришел").sentiment
    assert classify("sooo good").sentiment is POS


def test_language_hint_is_optional() -> None:
    for text, language, _sentiment, _intent in CASES:
        assert classify(text) == classify(text, language), text


def test_it_is_deterministic_even_with_a_cold_cache() -> None:
    first = [classify(text) for text, *_ in CASES]
    classify_module._read_token.cache_clear()
    assert [classify(text) for text, *_ in CASES] == first


def test_result_is_frozen() -> None:
    result = classify("спасибо")
    assert isinstance(result, Classification)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.sentiment = NEG  # type: ignore[misc]


def test_signals_are_short_single_lines() -> None:
    texts = [text for text, *_ in CASES] + [
        "Карту\nзаблокировали\r\n" + "очень " * 50 + "плохо!!! https://evil.example/" + "x" * 200,
        "«" + "хорошая доставка " * 10 + "» 🤡",
    ]
    for text in texts:
        result = classify(text)
        if result.intent is not OT:
            assert result.signals, text
        assert len(result.signals) <= 8
        for signal in result.signals:
            assert "\n" not in signal and "\r" not in signal
            assert len(signal) <= 60, signal


def test_signals_name_the_evidence() -> None:
    signals = classify("списали дважды, приложение не работает?").signals
    assert "complaint: «не работает»" in signals
    assert "complaint: «дважды»" in signals
    assert "question: ends with ?" in signals


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x1b[2J\x07", "\u202e\u200b", "\ud800"])
def test_empty_or_invisible_text_is_neutral_other(text: str) -> None:
    assert classify(text) == Classification(NEU, OT, ())


def test_control_characters_do_not_hide_words() -> None:
    assert classify("не\x00работает").sentiment is NEG
    assert classify("мошен\u200bники").sentiment is NEG  # a zero-width space inside a word
    assert classify("\x07мошенники\x7f\x9b").sentiment is NEG


@pytest.mark.parametrize(
    "text",
    [
        "карту заблокировали, не работает!!! " * 3000,
        "1 " * 50_000,
        "a1" * 50_000,
        "a-" * 50_000,
        "«" * 100_000,
        "😡" * 100_000,
        "не " * 40_000,
    ],
)
def test_long_hostile_texts_finish_quickly(text: str) -> None:
    started = time.perf_counter()
    result = classify(text)
    assert time.perf_counter() - started < 0.25
    assert len(result.signals) <= 8


def test_only_the_first_max_chars_are_read() -> None:
    assert classify("x " * MAX_CHARS + "мошенники").sentiment is NEU


# -- the eval set -----------------------------------------------------------------------------


def eval_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]


def test_eval_set_shape() -> None:
    rows = eval_rows()
    assert len(rows) >= 300
    assert len({row["text"] for row in rows}) == len(rows)
    languages = Counter(row["language"] for row in rows)
    assert set(languages) == {"ru", "en", "ar", "mixed"}
    assert 0.40 <= languages["ru"] / len(rows) <= 0.50
    assert 0.35 <= languages["en"] / len(rows) <= 0.45
    assert languages["ar"] >= 20 and languages["mixed"] >= 20
    assert {row["sentiment"] for row in rows} == {"negative", "neutral", "positive"}
    assert {row["intent"] for row in rows} == {"question", "complaint", "praise", "spam", "other"}
    holdout = sum(row["split"] == "holdout" for row in rows)
    assert 0.25 <= holdout / len(rows) <= 0.35


def accuracy(rows: list[dict[str, Any]], field: str) -> float:
    hits = 0
    for row in rows:
        hint = row["language"] if row["language"] in ("ru", "en", "ar") else ""
        hits += getattr(classify(row["text"], hint), field).value == row[field]
    return hits / len(rows)


def negative_complaint_precision(rows: list[dict[str, Any]], language: str) -> float:
    predicted = correct = 0
    for row in rows:
        if row["language"] != language:
            continue
        result = classify(row["text"], language)
        if result.sentiment is NEG and result.intent is C:
            predicted += 1
            correct += row["sentiment"] == "negative" and row["intent"] == "complaint"
    return correct / predicted


# Measured when these gates were set: all 0.970 / 0.957; holdout 0.929 / 0.888;
# negative-complaint precision ru 0.937, en 0.979. The gates sit a little below, so a
# lexicon change that makes things worse fails here instead of rotting quietly.
def test_eval_set_regression_gate() -> None:
    rows = eval_rows()
    holdout = [row for row in rows if row["split"] == "holdout"]
    assert accuracy(rows, "sentiment") >= 0.95
    assert accuracy(rows, "intent") >= 0.94
    assert accuracy(holdout, "sentiment") >= 0.90
    assert accuracy(holdout, "intent") >= 0.86
    assert negative_complaint_precision(rows, "ru") >= 0.90
    assert negative_complaint_precision(rows, "en") >= 0.90
