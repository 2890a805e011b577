"""The local classifier: representative cases, robustness, and a gate on the eval set."""

from __future__ import annotations

import dataclasses
import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from smm_tui.core.classify import MAX_CHARS, Classification, classify, classify_mention
from smm_tui.core.classify_words import clear_token_cache
from smm_tui.core.models import Author, Intent, Mention, Platform, Sentiment

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
    clear_token_cache()
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


# -- what the demo misread (issue 12) ---------------------------------------------------------

DEMO_CASES = [
    # the brand's own handle is no spam signal: with "free" and a sum it used to tip into spam
    ("@bank_x is express card delivery free or is it $9.99 like the website says?", "en", NEU, Q),
    # money and "free" without a spam marker: a complaint about a fee, not spam
    ("@bank_x Why a $320.74 fee for a cash withdrawal when my plan says it's free?", "en", NEG, C),
    # a question about availability with "couldn't find" is a question
    (
        "@bank_mastodon@mastodon.social Do you deliver cards to Manchester? "
        "Couldn't find it on the website.",
        "en",
        NEU,
        Q,
    ),
    # "cashback not credited" is a complaint, not "other"
    ("لم يُضف الكاش باك عن الشهر الماضي رغم استيفاء الشروط.", "ar", NEG, C),
]


@pytest.mark.parametrize(("text", "language", "sentiment", "intent"), [*CASES, *DEMO_CASES])
def test_representative_cases_and_what_the_demo_misread(
    text: str, language: str, sentiment: Sentiment, intent: Intent
) -> None:
    result = classify(text, language)
    assert (result.sentiment, result.intent) == (sentiment, intent), result.signals


def labels(result: Classification) -> tuple[Sentiment, Intent]:
    return result.sentiment, result.intent


def mention(text: str, account: str = "bank-x", language: str = "en") -> Mention:
    created = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    return Mention(
        Platform.X, account, "1", Author("7", "@someone"), text, created, language=language
    )


OWN_HANDLE_TEXTS = [
    "My friend's referral code got me $50 cashback, thanks {handle}!",
    "{handle} Is card delivery free? The site says $4.99",
    "Card blocked at the checkout again, {handle} what is going on",
    "Спасибо {handle}, карту привезли вовремя 👍",
    "{handle} لم يصل المبلغ حتى الآن",
]


@pytest.mark.parametrize("template", OWN_HANDLE_TEXTS)
@pytest.mark.parametrize(
    ("account", "handle"),
    [
        ("bank-x", "@bank_x"),
        ("bank-mastodon", "@bank_mastodon@mastodon.social"),
        ("bank-bsky", "@bank-bsky.bsky.social"),
    ],
)
def test_our_own_handle_is_evidence_of_nothing(template: str, account: str, handle: str) -> None:
    without = classify(" ".join(template.format(handle="").split()))
    for text in (template.format(handle=handle), template.format(handle=handle.upper())):
        assert labels(classify(text, own=(account,))) == labels(without), text
        assert labels(classify_mention(mention(text, account))) == labels(without), text
        assert not any(
            handle.lower() in signal for signal in classify(text, own=(account,)).signals
        )


def test_leading_addressing_is_not_read_but_a_strangers_handle_in_the_text_is() -> None:
    # A reply's leading handles (ours or a customer's) say nothing about the reply.
    assert labels(classify("@anna_k @bank_x thanks, sorted!")) == labels(
        classify("thanks, sorted!")
    )
    spam = classify("Got my money back thanks to @recovery_pro, message them on Telegram")
    assert spam.intent is S
    assert any("handle" in signal for signal in spam.signals)


@pytest.mark.parametrize(
    ("text", "language", "intent"),
    [
        # money and "free" alone are no spam …
        ("Is card delivery free? The site says $4.99 for express", "en", Q),
        ("Got $50 free cashback on my first purchase, love it", "en", P),
        ("Why a $12.00 fee when my plan says it's free?", "en", C),
        ("Тариф же бесплатный, почему списали 99 ₽?", "ru", C),
        ("هل التوصيل مجاني أو فيه رسوم ٢٠ ريال؟", "ar", Q),
        # … but beside a real spam marker (crypto, "DM me", a link) they are
        ("Free $50 in USDT for everyone, DM me", "en", S),
        ("Get $500 free every week with crypto signals, link in bio", "en", S),
        ("Бесплатно 1000 ₽ на карту каждому, пиши в лс", "ru", S),
        ("اربح ٥٠٠ دولار مجانا، راسلني", "ar", S),
    ],
)
def test_money_and_free_are_spam_only_beside_real_spam_markers(
    text: str, language: str, intent: Intent
) -> None:
    result = classify(text, language)
    assert result.intent is intent, result.signals


@pytest.mark.parametrize(
    ("text", "language", "sentiment", "intent"),
    [
        # a negation in a question asks; it does not blame
        ("Do you deliver cards to Leeds? Couldn't find it on the website.", "en", NEU, Q),
        ("Hi, my new card hasn't arrived yet, how long does delivery usually take?", "en", NEU, Q),
        ("Доставят ли карту в Подольск? На сайте не нашла", "ru", NEU, Q),
        ("وين أحصل رقم الآيبان؟ ما لقيته", "ar", NEU, Q),
        ("Если я заблокирую карту, автоплатежи отключатся?", "ru", NEU, Q),
        # complaints phrased as questions stay complaints, as the labelled set has them
        ("Why was I charged twice?!", "en", NEG, C),
        ("почему опять не работает?!", "ru", NEG, C),
        ("Когда уже починят приложение? Неделю не работает", "ru", NEG, C),
        ("لماذا لا يعمل التطبيق مرة أخرى؟!", "ar", NEG, C),
    ],
)
def test_a_question_with_a_negation_stays_a_question(
    text: str, language: str, sentiment: Sentiment, intent: Intent
) -> None:
    result = classify(text, language)
    assert (result.sentiment, result.intent) == (sentiment, intent), result.signals


@pytest.mark.parametrize(
    "text",
    [
        "طلبت بطاقة جديدة قبل أسبوعين ولم تصلني حتى الآن",
        "حسابي مقفل بدون سبب وما أقدر أدفع الإيجار",
        "تم خصم مبلغ من حسابي بدون علمي",
        "المندوب ما جاء والبطاقة ما وصلت",
        "الحوالة معلقة من يومين ولا أحد يرد",
    ],
)
def test_arabic_complaints(text: str) -> None:
    result = classify(text, "ar")
    assert (result.sentiment, result.intent) == (NEG, C), result.signals


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
    assert languages["ar"] >= 70 and languages["mixed"] >= 20
    assert sum(r["language"] == "ar" and r["intent"] == "complaint" for r in rows) >= 30
    assert {row["sentiment"] for row in rows} == {"negative", "neutral", "positive"}
    assert {row["intent"] for row in rows} == {"question", "complaint", "praise", "spam", "other"}
    holdout = sum(row["split"] == "holdout" for row in rows)
    assert 0.25 <= holdout / len(rows) <= 0.35
    # The split is by position, so lines added at the end keep it: every 3rd, 6th, 9th of ten.
    for i, row in enumerate(rows):
        assert row["split"] == ("holdout" if i % 10 in (3, 6, 9) else "dev"), (i, row["text"])


def accuracy(rows: list[dict[str, Any]], field: str) -> float:
    hits = 0
    for row in rows:
        hint = row["language"] if row["language"] in ("ru", "en", "ar") else ""
        hits += getattr(classify(row["text"], hint), field).value == row[field]
    return hits / len(rows)


def complaint_recall(rows: list[dict[str, Any]], language: str) -> float:
    complaints = [r for r in rows if r["language"] == language and r["intent"] == "complaint"]
    found = sum(classify(r["text"], language).intent is C for r in complaints)
    return found / len(complaints)


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


# Measured when these gates were set (441 lines): all 0.966 / 0.952; holdout 0.917 / 0.886;
# negative-complaint precision ru 0.945, en 0.982. The gates sit a little below, so a
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


# Issue 12's targets, on the held-out third. Measured when set: negative-complaint
# precision ru 0.952 (20 of 21), en 0.929 (13 of 14); Arabic complaint recall 0.900 (9 of 10).
def test_held_out_targets() -> None:
    holdout = [row for row in eval_rows() if row["split"] == "holdout"]
    clear_token_cache()  # the same answer from a cold cache
    assert negative_complaint_precision(holdout, "ru") >= 0.90
    assert negative_complaint_precision(holdout, "en") >= 0.90
    assert complaint_recall(holdout, "ar") >= 0.80
