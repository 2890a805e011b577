"""Plain query words match word forms in Russian and English; phrases stay exact (issue 12, 6)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from smm_tui.core.feed import FeedFilter, FeedModel, FeedScope
from smm_tui.core.feed_index import MentionIndex
from smm_tui.core.models import Author
from smm_tui.core.query import QueryContext, TextTerm, parse
from smm_tui.core.query_text import needles
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.stemming import extra_stems, needle_for
from smm_tui.core.views import NOTHING_YET, empty_text
from smm_tui.store.store import Store
from tests.conftest import make_mention

CTX = QueryContext(datetime(2026, 11, 26, 12, tzinfo=UTC), "anna")
TEXTS = [
    "Где моя карта?",
    "Карту заблокировали вчера",
    "Оплата картой не проходит",
    "Нет моих карт в приложении",
    "The card was declined",
    "Two cards, both blocked",
    "Please reply",
    "Still no replies from you",
    "Кредит одобрили",
]


def matching(query: str) -> list[int]:
    records: list[dict[str, Any]] = [
        make_mention(n, text=text).to_record() for n, text in enumerate(TEXTS)
    ]
    predicate = parse(query).compile(CTX)
    return [n for n, record in enumerate(records) if predicate(record)]


def test_a_russian_word_finds_its_forms() -> None:
    assert matching("карта") == [0, 1, 2, 3]
    assert matching("карту") == matching("карт") == [0, 1, 2, 3]
    assert matching("заблокировал") == [1]


def test_an_english_word_finds_its_forms_even_when_the_stem_is_not_a_prefix() -> None:
    assert matching("cards") == matching("card") == [4, 5]
    assert matching("reply") == matching("replies") == [6, 7]
    assert matching("blocking") == [5]


def test_a_quoted_phrase_stays_exact() -> None:
    assert matching('"карта"') == [0]
    assert matching('"reply"') == [6]
    assert matching('"карту заблокировали"') == [1]


def test_words_in_other_scripts_or_with_signs_are_searched_as_typed() -> None:
    assert needle_for("12:30") == "12:30"
    assert needle_for("e-mail") == "e-mail"
    assert needle_for("بطاقة") == "بطاقة"
    assert needle_for("карта") == "карт"
    assert extra_stems("please reply, trading") == "repli trade"
    assert extra_stems("карта card") == ""


def test_the_feed_index_finds_word_forms_over_everything(store: Store) -> None:
    changes = ChangeSet()
    for n, text in enumerate(TEXTS):
        changes.insert_new(Collection.MENTIONS, make_mention(n, text=text).to_record())
    store.commit(changes)
    feed = FeedModel(store, lambda: CTX)
    for typed in ("к", "ка", "кар", "карт", "карта"):
        feed.set_filter(FeedFilter.parsed(FeedScope.ALL, typed))
    assert len(feed.ids) == 4
    feed.set_filter(FeedFilter.parsed(FeedScope.ALL, "replies"))
    assert len(feed.ids) == 2
    feed.set_filter(FeedFilter.parsed(FeedScope.ALL, '"карта"'))
    assert len(feed.ids) == 1


def test_an_empty_result_says_what_matched_nothing() -> None:
    assert empty_text("") == NOTHING_YET
    assert empty_text("  карта ") == "nothing matches карта"
    assert empty_text("[b]x[/b]\x1b[31m") == "nothing matches [b]x[/b]␛[31m"


#: Customers found by a word in their handle or name (the texts never say it).
CUSTOMERS = [
    ("@tsmith", "Timothy Smith"),
    ("@jenny_k", ""),
    ("@jennyk", "J. K."),  # run together: no word of it stems to "jenni"
    ("@hc_2024", "Happy Customer"),
    ("@ivanova_a", "Анна Иванова"),
    ("@other", "Someone Else"),
]


def customer_records() -> list[dict[str, Any]]:
    return [
        make_mention(n, author=Author(f"a{n}", handle, name), text=f"Карты нет, {n}").to_record()
        for n, (handle, name) in enumerate(CUSTOMERS)
    ] + [make_mention(9, text="Где моя карта?").to_record()]


def customers_matching(query: str) -> list[int]:
    predicate = parse(query).compile(CTX)
    return [n for n, record in enumerate(customer_records()) if predicate(record)]


def test_a_word_finds_a_customer_by_handle_or_name_as_before_word_forms() -> None:
    assert customers_matching("timothy") == [0]
    assert customers_matching("Timothy smith") == [0]
    assert customers_matching("jenny") == [1, 2]
    assert customers_matching("happy") == [3]
    assert customers_matching("иванова") == customers_matching("иванову") == [4]
    assert customers_matching("-timothy -happy") == [1, 2, 4, 5, 6]
    assert customers_matching("happy OR timothy") == [0, 3]
    assert customers_matching("(jenny OR happy) -jenny_k") == [2, 3]
    # author:/from: look for the field's value as typed, in handle and name only.
    assert customers_matching("author:timothy") == [0]
    assert customers_matching("from:jenny") == [1, 2]
    assert customers_matching("author:@jenny_k") == [1]
    assert customers_matching("карта") == customers_matching("карту") == [0, 1, 2, 3, 4, 5, 6]
    assert customers_matching('"карта"') == [6]


def test_the_feed_index_finds_a_customer_by_handle_or_name(store: Store) -> None:
    changes = ChangeSet()
    for record in customer_records():
        changes.insert_new(Collection.MENTIONS, record)
    store.commit(changes)
    feed = FeedModel(store, lambda: CTX)

    def shown(query: str) -> int:
        feed.set_filter(FeedFilter.parsed(FeedScope.ALL, query))
        return len(feed.ids)

    assert [shown("timothy"[:end]) for end in range(1, 8)] == [3, 1, 1, 1, 1, 1, 1]
    assert [shown("jenny"[:end]) for end in range(1, 6)] == [2, 2, 2, 2, 2]
    assert shown("happy") == 1
    assert shown("иванова") == 1
    assert shown("-timothy") == 6
    assert shown("-happy -jenny") == 4
    assert shown("timothy OR happy") == 2
    assert shown("jenny -jenny_k") == 1
    assert shown("карта") == 7
    assert shown("карту") == 7


def test_the_index_tests_words_of_one_needle_and_of_two_as_the_predicate_does(
    store: Store,
) -> None:
    # A word is one needle ("карта": its stem begins it) or two ("timothy" → "timothi",
    # and as typed); the index's word tests handle both, wanted and unwanted.
    assert len(needles(TextTerm("карта"))) == 1
    assert len(needles(TextTerm("timothy"))) == 2
    records = customer_records() + [
        make_mention(20 + n, text=text).to_record() for n, text in enumerate(TEXTS)
    ]
    changes = ChangeSet()
    for record in records:
        changes.insert_new(Collection.MENTIONS, record)
    store.commit(changes)
    index = MentionIndex(store)
    for typed in (
        "карта",
        "timothy",
        "-карта",
        "-timothy",
        "карта -timothy",
        "timothy -replies",
        "-timothy -карта",
        "jenny -timothy",
        "cards -blocking",
        '"карта" -jenny',
    ):
        query = parse(typed)
        predicate = query.compile(CTX)
        expected = sorted(record["id"] for record in records if predicate(record))
        assert expected, typed
        for from_worker in (False, True):
            found = index.matching(query, CTX, from_worker=from_worker)
            assert sorted(key[-1] for key in found) == expected, typed
