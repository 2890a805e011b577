"""The query language matching records, and its folded-text cache."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from smm_tui.core import query_text
from smm_tui.core.models import Author, Intent, Platform, Sentiment, Status
from smm_tui.core.query import (
    QueryContext,
    parse,
    warm_text_cache,
)
from tests.core.query_kit import CTX, NOW, matching, record

pytestmark = pytest.mark.usefixtures("fresh_text_cache")


# -- matching -------------------------------------------------------------------------------------


def test_matches_fields() -> None:
    records = [
        record(1, platform=Platform.VK, sentiment=Sentiment.NEGATIVE, intent=Intent.COMPLAINT),
        record(2, platform=Platform.TELEGRAM, account="Bank_Chat", status=Status.SEEN),
        record(3, platform=Platform.X, status=Status.DONE, assignee="Anna", tags=("Spam",)),
        record(4, status=Status.REPLIED, assignee="boris", tags=("refund", "billing")),
        record(5, status=Status.TICKETED, ticket_id="T-1", language="ru", url="https://x/5"),
    ]
    assert matching("platform:vk", records) == [0, 3, 4]
    assert matching("platform:tg,x", records) == [1, 2]
    assert matching("platform:vk OR platform:tg", records) == [0, 1, 3, 4]
    assert matching("account:bank_chat", records) == [1]
    assert matching("is:open", records) == [0, 1, 4]  # ticketed, unanswered: still open
    assert matching("is:new", records) == [0]
    assert matching("is:done", records) == [2]
    assert matching("status:replied", records) == [3]
    assert matching("is:ticketed", records) == [4]
    assert matching("sentiment:neg", records) == [0]
    assert matching("sentiment:unknown", records) == [1, 2, 3, 4]
    assert matching("intent:complaint", records) == [0]
    assert matching("assignee:me", records) == [2]
    assert matching("assignee:BORIS", records) == [3]
    assert matching("assignee:none", records) == [0, 1, 4]
    assert matching("assignee:me,none", records) == [0, 1, 2, 4]
    assert matching("is:assigned", records) == [2, 3]
    assert matching("is:unassigned", records) == [0, 1, 4]
    assert matching("tag:spam", records) == [2]
    assert matching("-tag:spam", records) == [0, 1, 3, 4]
    assert matching("tag:billing,nothing", records) == [3]
    assert matching("is:spam", records) == [2]
    assert matching("lang:RU", records) == [4]
    assert matching("has:ticket", records) == [4]
    assert matching("has:url", records) == [4]
    assert matching("-has:url", records) == [0, 1, 2, 3]


def test_is_spam_also_means_the_spam_intent() -> None:
    records = [record(1, intent=Intent.SPAM), record(2), record(3, tags=("SPAM",))]
    assert matching("is:spam", records) == [0, 2]


def test_assignee_me_follows_the_context() -> None:
    records = [record(1, assignee="anna"), record(2, assignee="boris")]
    assert matching("assignee:me", records, QueryContext(NOW, me="Boris")) == [1]
    assert matching("assignee:me", records, QueryContext(NOW, me="")) == []


def test_matches_text_handle_and_display_name() -> None:
    records = [
        record(1, text="Карта заблокирована!"),
        record(2, text="my CARD is fine"),
        record(3, text="ёлки, опять"),
        record(4, text="nothing", author=Author("a", "@Karta_Fan", "Пётр Картов")),
        record(5, text='he said "hi" (twice)'),
    ]
    # A word matches by its stem ("карт"), which "Картов" begins with too.
    assert matching("карта", records) == [0, 3]
    assert matching("КАРТА", records) == [0, 3]
    assert matching('"карта"', records) == [0]
    assert matching("карт", records) == [0, 3]
    assert matching("card", records) == [1]
    assert matching("елки", records) == [2]
    assert matching("Ёлки", records) == [2]
    assert matching("karta_fan", records) == [3]
    assert matching("петр", records) == [3]
    assert matching("my card", records) == [1]
    assert matching('"my card"', records) == [1]
    assert matching('"card my"', records) == []
    assert matching("card fine", records) == [1]
    assert matching('"said \\"hi\\" (twice)"', records) == [4]
    assert matching("-card -карт", records) == [2, 4]
    assert matching("card OR елки", records) == [1, 2]


def test_matches_authors() -> None:
    records = [
        record(1, author=Author("1", "@Ivan", "Иван Петров", followers=10)),
        record(2, author=Author("2", "ivanova", "Мария", followers=5000)),
        record(3, author=Author("3", "@bob", "Bob Ivanov", followers=None)),
    ]
    assert matching("author:@ivan", records) == [0]
    assert matching("author:@IVANOVA", records) == [1]
    assert matching("from:ivan", records) == [0, 1, 2]
    assert matching('author:"иван петров"', records) == [0]
    assert matching("author:мари", records) == [1]
    assert matching("followers:>=5k", records) == [1]
    assert matching("followers:<100", records) == [0]
    assert matching("-followers:<100", records) == [1, 2]


def test_matches_priority() -> None:
    records = [record(n, priority=p) for n, p in enumerate((0, 29, 30, 50, 70, 100))]
    assert matching("priority:50", records) == [3]
    assert matching("priority:>=70", records) == [4, 5]
    assert matching("priority:>70", records) == [5]
    assert matching("priority:<30", records) == [0, 1]
    assert matching("priority:<=30", records) == [0, 1, 2]


def test_time_terms_use_the_injected_now() -> None:
    # Created at T0 + n minutes; NOW is T0 + 120 minutes.
    records = [record(n) for n in (0, 60, 115, 116, 120)]
    assert matching("older:5m", records) == [0, 1, 2]
    assert matching("newer:5m", records) == [2, 3, 4]
    assert matching("older:1h", records) == [0, 1]
    assert matching("older:1h -older:2h", records) == [1]
    assert matching("newer:1w", records) == [0, 1, 2, 3, 4]
    later = QueryContext(now=NOW + timedelta(minutes=1), me="anna")
    assert matching("older:5m", records, later) == [0, 1, 2, 3]


def test_due_and_breaching() -> None:
    records = [
        record(1, sla_due_at=NOW - timedelta(minutes=5)),  # overdue
        record(2, sla_due_at=NOW + timedelta(minutes=5)),  # due soon
        record(3, sla_due_at=NOW + timedelta(minutes=30)),  # due later
        record(4, sla_due_at=None),
        record(5, sla_due_at=NOW - timedelta(minutes=5), status=Status.DONE),
        record(6, sla_due_at=NOW - timedelta(minutes=5), first_response_at=NOW),
        record(7, sla_due_at=NOW, status=Status.SEEN),  # due right now
    ]
    assert matching("is:breaching", records) == [0, 6]
    assert matching("due:10m", records) == [0, 1, 6]
    assert matching("due:1h", records) == [0, 1, 2, 6]
    assert matching("due:0s", records) == [0, 6]
    assert matching("is:replied-to", records) == [5]


def test_naive_now_is_taken_as_utc() -> None:
    naive = QueryContext(now=NOW.replace(tzinfo=None), me="anna")
    records = [record(n) for n in (0, 60, 115, 116, 120)]
    assert matching("older:5m", records, naive) == matching("older:5m", records)


def test_extreme_durations_do_not_overflow() -> None:
    early = QueryContext(now=datetime(1, 1, 2, tzinfo=NOW.tzinfo), me="")
    late = QueryContext(now=datetime(9999, 12, 30, tzinfo=NOW.tzinfo), me="")
    records = [record(1, sla_due_at=NOW)]
    assert matching("older:3650d", records, early) == []
    assert matching("newer:3650d", records, early) == [0]
    assert matching("due:3650d", records, late) == [0]


def test_the_issue_example_matches() -> None:
    def candidate(n: int, **overrides: Any) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "platform": Platform.VK,
            "sentiment": Sentiment.NEGATIVE,
            "assignee": "anna",
            "text": "Карта не работает",
        }
        return record(n, **{**fields, **overrides})

    records = [
        candidate(1),
        candidate(2, tags=("spam",)),
        candidate(3, platform=Platform.X),
        candidate(4, status=Status.DONE),
        candidate(5, sentiment=Sentiment.POSITIVE),
        candidate(6, assignee="boris"),
        candidate(7, text="всё хорошо"),
        candidate(118),  # only 2 minutes old
        candidate(8, status=Status.SEEN, tags=("refund",)),
    ]
    text = 'platform:vk is:open sentiment:neg assignee:me -tag:spam "карта" older:5m'
    assert matching(text, records) == [0, 8]


def test_compiled_predicate_filters_a_list() -> None:
    records = [record(n, text="card" if n % 2 else "other") for n in range(10)]
    predicate = parse("card").compile(CTX)
    assert [r["external_id"] for r in filter(predicate, records)] == [
        "c1",
        "c3",
        "c5",
        "c7",
        "c9",
    ]


def test_records_missing_optional_fields() -> None:
    sparse = record(1)
    for key in ("intent", "priority", "sla_due_at", "ticket_id", "tags", "language", "url"):
        del sparse[key]
    del sparse["author"]["display_name"]
    for text in ("intent:spam", "priority:<1", "due:1h", "has:ticket", "tag:x", "lang:ru", "a"):
        parse(text).compile(CTX)(sparse)
    assert parse("priority:0").matches(sparse, CTX)


# -- the folded-text cache ------------------------------------------------------------------------


def test_cache_follows_edits_and_shared_texts() -> None:
    first = record(1, text="Card blocked", author=Author("1", "@alice", "Alice"))
    same_text = record(2, text="Card blocked", author=Author("2", "@bob", "Bob"))
    predicate = parse("alice").compile(CTX)
    for _ in range(3):
        assert [predicate(first), predicate(same_text)] == [True, False]
    assert parse("bob").matches(same_text, CTX)

    renamed = {**first, "author": {**first["author"], "display_name": "Someone"}}
    edited = {**first, "text": "Card fine"}
    assert parse("alice").matches(renamed, CTX)  # still the handle
    assert not parse("someone").matches(first, CTX)
    assert parse("someone").matches(renamed, CTX)
    assert not parse("blocked").matches(edited, CTX)

    warm_text_cache([first, same_text, edited])
    assert parse("fine").matches(edited, CTX)


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query_text, "TEXT_CACHE_LIMIT", 10)
    records = [record(n, text=f"text {n}") for n in range(50)]
    predicate = parse("text").compile(CTX)
    assert all(predicate(r) for r in records)
    assert query_text.text_cache_size() <= 10
