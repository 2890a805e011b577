"""Index rows answer a query's questions as the record would, reading it only when needed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from smm_tui.core.feed_index import MentionIndex, age_key
from smm_tui.core.indexed import (
    INDEXED_FIELDS,
    PRESENCE_FIELDS,
    IndexedRow,
    facts_of,
    followers_of,
    narrow,
    priority_of,
)
from smm_tui.core.models import Author
from smm_tui.core.query import QueryContext, fold, parse, searchable_text
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store.store import Store
from tests.conftest import T0, make_mention


def row_of(record: dict[str, Any], loads: list[str]) -> IndexedRow:
    def load(mention_id: str) -> dict[str, Any]:
        loads.append(mention_id)
        return record

    def tags_of(mention_id: str) -> tuple[str, ...]:
        assert mention_id == record["id"]
        return tuple(fold(tag) for tag in record.get("tags") or ())

    haystack = narrow(searchable_text(record, cached=False))
    numbers = (priority_of(record), followers_of(record))
    return IndexedRow(age_key(record), facts_of(record), numbers, haystack, load, tags_of)


def test_a_row_answers_its_fields_without_reading_the_record() -> None:
    record = make_mention(
        4, assignee="anna", tags=("VIP", "Refund"), priority=70, url="https://x.example/4"
    ).to_record()
    record["first_response_at"] = "2025-03-03T10:00:00+00:00"
    record["ticket_id"] = "T-4"
    loads: list[str] = []
    row = row_of(record, loads)
    assert row["tags"] == ("vip", "refund")
    for name in INDEXED_FIELDS:
        if name in PRESENCE_FIELDS:
            assert row[name] is True
        else:
            assert row[name] == record[name], name
    assert (row["id"], row["created_at"]) == (record["id"], record["created_at"])
    assert row["priority"] == 70
    assert loads == []


def test_absent_values_are_none_and_other_fields_read_the_record_once() -> None:
    record = make_mention(5, url=None).to_record()
    record["first_response_at"] = record["ticket_id"] = None
    loads: list[str] = []
    row = row_of(record, loads)
    for name in PRESENCE_FIELDS:
        assert row[name] is None, name
    assert row["tags"] == ()
    assert row["author"] == record["author"] and row["text"] == record["text"]
    assert row.get("no such field") is None
    assert loads == [record["id"]]


def test_narrowing_keeps_substring_answers() -> None:
    text = fold("Карта 🙂 blocked 𝔽raud 👍🏽 ok")
    for needle in ("🙂", "🙂 b", "𝔽", "👍🏽", "🏽 ok", "карта", "blocked 𝔽raud"):
        assert (narrow(needle) in narrow(text)) is (fold(needle) in text), needle
    assert narrow("plain") == "plain" and len(narrow("🙂")) == 2


def test_a_priority_the_column_cannot_hold_is_read_from_the_record() -> None:
    for stored, shown, reads in ((None, None, 0), (0, 0, 0), (10**6, 10**6, 1), (-5, -5, 1)):
        record = make_mention(6).to_record()
        record["priority"] = stored
        loads: list[str] = []
        assert row_of(record, loads)["priority"] == shown
        assert len(loads) == reads, stored


def test_followers_come_from_the_column_and_the_rest_of_the_author_from_the_record() -> None:
    record = make_mention(7).to_record()
    record["author"] = {**record["author"], "followers": 12_000}
    loads: list[str] = []
    row = row_of(record, loads)
    assert row["author"].get("followers") == 12_000 and loads == []
    assert row["author"]["handle"] == record["author"]["handle"] and len(loads) == 1
    for stored, reads in ((None, 0), (2**70, 1), ("many", 1)):
        record["author"] = {**record["author"], "followers": stored}
        loads = []
        assert row_of(record, loads)["author"].get("followers") == stored
        assert len(loads) == reads, stored


@pytest.mark.parametrize("needle", ["\udc80", "\ud83d", "\ud83d\udc80"])
def test_a_lone_surrogate_never_matches_half_of_an_emoji(store: Store, needle: str) -> None:
    store.commit(
        ChangeSet().insert_new(
            Collection.MENTIONS, make_mention(1, text="dead \U0001f480 card").to_record()
        )
    )
    for query in (needle, f"card {needle}", f"-{needle}", f"{needle} OR fraud"):
        assert index_finds(store, query) == scan_finds(store, query), query


@pytest.mark.parametrize("query", ["author:@user1", "author:user", "author:lines", "two"])
def test_a_line_break_in_a_name_does_not_hide_the_handle(store: Store, query: str) -> None:
    author = Author(id="u1", handle="user1", display_name="Two\nLines")  # not sanitized
    record = make_mention(1, author=author).to_record()
    store.commit(ChangeSet().insert_new(Collection.MENTIONS, record))
    assert index_finds(store, query) == scan_finds(store, query)


def test_a_worker_plans_while_holding_the_index_so_no_change_lands_between(
    store: Store,
) -> None:
    store.commit(ChangeSet().insert_new(Collection.MENTIONS, make_mention(1).to_record()))
    index = MentionIndex(store)
    index.ensure()
    plan, held = index._facets.plan, []  # the hand-over is the point: look inside

    def planning(query: Any) -> Any:
        free = index._lock.acquire(blocking=False)
        if free:
            index._lock.release()
        held.append(not free)
        return plan(query)

    index._facets.plan = planning  # type: ignore[method-assign]
    index.matching(parse("status:new is:replied-to"), CTX, from_worker=True)
    assert held == [True]


CTX = QueryContext(T0 + timedelta(hours=5), "anna")


def index_finds(store: Store, query: str) -> list[Any]:
    return MentionIndex(store).matching(parse(query), CTX)


def scan_finds(store: Store, query: str) -> list[Any]:
    matches = parse(query).compile(CTX)
    return sorted(age_key(r) for r in store.records(Collection.MENTIONS) if matches(r))
