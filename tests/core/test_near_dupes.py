"""Near-duplicate grouping of complaints for incidents (issue 16): quality on a labelled set."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from smm_tui.core.near_dupes import (
    DEFAULT_THRESHOLD,
    features,
    fold_words,
    group,
    jaccard,
    similar_to,
)

#: Invented RU/EN complaints labelled by incident (see the file's first line).
LABELLED = Path(__file__).resolve().parents[1] / "data" / "near_dupes.jsonl"


def labelled() -> list[dict[str, str]]:
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {pair for found in groups for pair in itertools.combinations(sorted(found), 2)}


def test_labelled_set_precision_and_recall() -> None:
    rows = labelled()
    texts = {row["id"]: row["text"] for row in rows}
    incident = {row["id"]: row["group"] for row in rows}
    assert len(rows) >= 220
    assert {row["lang"] for row in rows} == {"ru", "en"}
    same = itertools.combinations(sorted(texts), 2)
    truth = {(a, b) for a, b in same if incident[a] == incident[b] != ""}
    found = pairs(group(texts))
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    print(
        f"\nnear_dupes: {len(rows)} texts, threshold {DEFAULT_THRESHOLD}: "
        f"pairwise precision {precision:.3f}, recall {recall:.3f} "
        f"({len(found & truth)} of {len(found)} found pairs right, {len(truth)} true pairs)"
    )
    assert precision >= 0.95
    assert recall >= 0.85


def test_grouping_is_exact_all_pairs_single_linkage() -> None:
    texts = {row["id"]: row["text"] for row in labelled()}
    ids = list(texts)
    sets = {key: features(text) for key, text in texts.items()}
    # The plain way: every pair compared, groups grown until nothing more joins.
    joined = {key: {key} for key in ids}
    for a, b in itertools.combinations(ids, 2):
        if jaccard(sets[a], sets[b]) >= DEFAULT_THRESHOLD and joined[a] is not joined[b]:
            merged = joined[a] | joined[b]
            for key in merged:
                joined[key] = merged
    expected = {frozenset(found) for found in joined.values() if len(found) > 1}
    assert {frozenset(found) for found in group(texts)} == expected


def test_word_forms_fold_together() -> None:
    assert fold_words("карта")[0] == fold_words("карту")[0] == fold_words("картой")[0]
    assert fold_words("Картой")[0] == fold_words("КАРТЫ")[0]
    assert fold_words("charged")[0] == fold_words("charging")[0] == fold_words("charge")[0]
    assert fold_words("Ёлка") == fold_words("елка")


def test_ids_links_handles_emoji_and_punctuation_do_not_count() -> None:
    plain = fold_words("списали дважды за заказ")
    assert fold_words("@bank_help Списали ДВАЖДЫ за заказ №558123!!! 😡") == plain
    assert fold_words("списали дважды, карта *4821") == fold_words("списали дважды, карта *0912")
    assert fold_words("списали дважды https://t.co/abc123 www.bank.ru/x bit.ly/q") == fold_words(
        "списали дважды"
    )
    assert fold_words("😡😡😡 !!! 123 *4411 #99812") == []


def test_only_numbers_differ_means_one_group() -> None:
    texts = {"a": "Charged twice, order #88123", "b": "charged twice! order 99812 card *5521"}
    assert group(texts) == [["a", "b"]]


def test_hard_negatives_stay_apart() -> None:
    texts = {
        "blocked": "My card was blocked at the checkout",
        "twice": "My card was charged twice at the checkout",
        "down": "приложение не работает",
        "praise": "приложение работает отлично",
    }
    assert group(texts) == []


def test_singletons_left_out_and_order_kept() -> None:
    texts = {
        "x": "не приходит смс с кодом",
        "a": "Не работает приложение с утра",
        "y": "Не приходит смс с кодом!!",
        "b": "приложение не работает с утра 😡",
        "lone": "Лучший банк, всем советую",
        "empty": "",
        "emoji": "😡",
    }
    assert group(texts) == [["x", "y"], ["a", "b"]]


def test_similar_to_gathers_the_seeds_group_without_the_seeds() -> None:
    texts = {
        "seed": "Не проходит оплата картой",
        "other": "Карту заблокировали",
        "one": "оплата картой не проходит в магазине",
        "two": "не проходит оплата картой на кассе *1234",
    }
    assert similar_to(["seed"], texts) == ["one", "two"]
    assert similar_to(["unknown"], texts) == []
    assert similar_to(["other"], texts) == []


def test_hostile_texts_are_plain_data() -> None:
    texts = {
        "markup": "[bold red]не работает приложение[/] [link=https://evil]x[/link]",
        "same": "не работает приложение",
        "controls": "\x1b[31mне работает\x00 приложение\u202e",
        "huge": "приложение " * 100_000,
    }
    found = group(texts)
    assert found == [["markup", "same", "controls"]]
    assert "[" not in " ".join(fold_words(texts["markup"]))
