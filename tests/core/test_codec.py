"""The field-driven record codec: store shape, forgiving reads, fixed-width times, round trips."""

from __future__ import annotations

import dataclasses
import enum
import itertools
import json
import typing
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_tui.core import codec, models
from smm_tui.core.codec import Recorded, decode_record, encode_record, stored, to_iso
from smm_tui.core.models import (
    AuditEvent,
    Author,
    BeaconDraw,
    Contest,
    ContestCommitment,
    ContestState,
    Draft,
    DrawResult,
    Entry,
    FrozenEntry,
    Intent,
    Mention,
    MentionRevision,
    Platform,
    Reply,
    ReplyState,
    Sentiment,
    Status,
    Ticket,
    TicketColumn,
)

WHEN = datetime(2025, 3, 3, 9, 30, 15, 123456, tzinfo=UTC)
ISO_WIDTH = len("2025-03-03T09:30:15.123456Z")

# Reproducible and unhurried: the machine running the suite may be busy.
PROPERTY = settings(max_examples=100, deadline=None, derandomize=True, database=None)

ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=3)), timezone(-timedelta(hours=5, minutes=30))]
)
MOMENTS = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=ZONES
)
TEXTS = st.text(max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXTS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
    max_leaves=8,
)


def strategy_for(tp: Any) -> st.SearchStrategy[Any]:
    """Values of a model field's type: aware times, nested models with every field drawn."""
    if tp is datetime:
        return MOMENTS
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return every_field(tp)
    if typing.get_origin(tp) is tuple:
        return st.lists(strategy_for(typing.get_args(tp)[0]), max_size=3).map(tuple)
    if typing.get_origin(tp) is dict:
        return st.dictionaries(TEXTS, JSON_VALUES, max_size=3)
    args = typing.get_args(tp)
    if type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return st.none() | strategy_for(inner)
    return st.from_type(tp)


def every_field(cls: type) -> st.SearchStrategy[Any]:
    """Instances of a dataclass with every field drawn, not only the required ones."""
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: strategy_for(hints[f.name]) for f in dataclasses.fields(cls)})


MODELS = (
    Author,
    Mention,
    MentionRevision,
    Reply,
    Draft,
    Ticket,
    DrawResult,
    ContestCommitment,
    FrozenEntry,
    BeaconDraw,
    Contest,
    Entry,
    FrozenEntry,
    AuditEvent,
)


def test_every_stored_model_is_round_tripped_below() -> None:
    recorded = {
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, Recorded) and value is not Recorded
    }
    assert recorded == set(MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_round_trip(model: type[Recorded]) -> None:
    @PROPERTY
    @given(every_field(model))
    def check(instance: Recorded) -> None:
        record = instance.to_record()
        assert model.from_record(record) == instance
        # The record is JSON-able as it is, and survives a trip through JSON.
        assert model.from_record(json.loads(json.dumps(record))) == instance

    check()


# --- timestamps ---------------------------------------------------------------------


def test_times_are_fixed_width_utc_with_microseconds() -> None:
    assert to_iso(WHEN) == "2025-03-03T09:30:15.123456Z"
    assert to_iso(WHEN.replace(microsecond=0)) == "2025-03-03T09:30:15.000000Z"
    moscow = timezone(timedelta(hours=3))
    assert to_iso(datetime(2025, 1, 1, 3, 0, tzinfo=moscow)) == "2025-01-01T00:00:00.000000Z"
    assert to_iso(datetime(9, 1, 1, tzinfo=UTC)) == "0009-01-01T00:00:00.000000Z"


@PROPERTY
@given(st.lists(MOMENTS, min_size=2, max_size=8))
def test_time_strings_sort_as_the_times_do(moments: list[datetime]) -> None:
    # Each time also without its microseconds, the form that once lost its fraction.
    moments = moments + [moment.replace(microsecond=0) for moment in moments]
    texts = {moment: to_iso(moment) for moment in moments}
    assert {len(text or "") for text in texts.values()} == {ISO_WIDTH}
    assert all((text or "").endswith("Z") for text in texts.values())
    by_text = sorted(moments, key=lambda moment: texts[moment] or "")
    assert by_text == sorted(moments)
    for earlier, later in itertools.pairwise(by_text):
        assert (texts[earlier] == texts[later]) == (earlier == later)


# --- the store's shape ------------------------------------------------------------------


def full_mention() -> Mention:
    return Mention(
        platform=Platform.TELEGRAM,
        account="bank-tg",
        external_id="chat:1",
        author=Author(id="u1", handle="@user1", display_name="User 1", followers=42),
        text="My card is blocked",
        created_at=WHEN,
        url="https://t.me/c/1/1",
        parent_external_id="chat:0",
        language="en",
        sentiment=Sentiment.NEGATIVE,
        status=Status.REPLIED,
        tags=("cards", "urgent"),
        first_response_at=WHEN + timedelta(hours=1),
        intent=Intent.COMPLAINT,
        priority=70,
        rules=("vip",),
        rev=3,
    )


def test_mention_record_is_the_stores_shape() -> None:
    mention = full_mention()
    record = mention.to_record()
    assert record == {
        "id": mention.id,
        "platform": "telegram",
        "account": "bank-tg",
        "external_id": "chat:1",
        "author": {"id": "u1", "handle": "@user1", "display_name": "User 1", "followers": 42},
        "text": "My card is blocked",
        "created_at": "2025-03-03T09:30:15.123456Z",
        "url": "https://t.me/c/1/1",
        "parent_external_id": "chat:0",
        "root_external_id": None,
        "language": "en",
        "sentiment": "negative",
        "status": "replied",
        "assignee": None,
        "tags": ["cards", "urgent"],
        "first_response_at": "2025-03-03T10:30:15.123456Z",
        "ticket_id": None,
        "intent": "complaint",
        "priority": 70,
        "sla_due_at": None,
        "overridden": [],
        "rules": ["vip"],
        "history": [],
        "deleted_at": None,
        "tagged": [],
        "rev": 3,
    }
    assert next(iter(record)) == "id"


def test_derived_ids_are_written_and_ignored_when_read() -> None:
    draft = Draft(mention_id="m1", text="hello", updated_at=WHEN)
    assert draft.to_record() == {
        "id": "m1",
        "mention_id": "m1",
        "text": "hello",
        "updated_at": "2025-03-03T09:30:15.123456Z",
    }
    author = Author(id="u1", handle="@a")
    entry = Entry(contest_id="c1", author=author, mention_id="m1", text="me", created_at=WHEN)
    assert entry.to_record()["id"] == "c1:u1"
    assert Entry.from_record({**entry.to_record(), "id": "something else"}) == entry


def test_contest_nests_its_draw() -> None:
    draw = DrawResult("sha256", "seed", "commit", 3, ("c:1",), WHEN, "anna")
    contest = Contest("c", "Giveaway", Platform.VK, "bank-vk", "post", WHEN, draw=draw)
    record = contest.to_record()
    assert record["draw"]["winner_entry_ids"] == ["c:1"]
    assert record["state"] == "open"
    assert Contest.from_record(record) == contest


# --- forgiving reads ------------------------------------------------------------------------


def test_an_old_mention_record_takes_the_defaults() -> None:
    old = {
        "platform": "vk",
        "account": "bank-vk",
        "external_id": 7,
        "author": {"id": 9, "handle": "ivan"},
        "text": "hi",
        "created_at": "2025-03-03T09:00:00",
        "sentiment": "",
        "status": None,
        "tags": None,
        "priority": None,
        "unknown_future_field": {"kept": "out"},
    }
    mention = Mention.from_record(old)
    assert mention.external_id == "7" and mention.author == Author(id="9", handle="ivan")
    assert mention.created_at == datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # naive taken as UTC
    assert (mention.sentiment, mention.status, mention.intent) == (
        Sentiment.UNKNOWN,
        Status.NEW,
        Intent.UNKNOWN,
    )
    assert (mention.tags, mention.priority, mention.rev, mention.url) == ((), 0, 0, "")
    assert mention.first_response_at is None and mention.assignee is None
    assert mention.id == models.mention_id("vk", "bank-vk", "7")


def test_stored_zeros_and_empty_optional_texts_are_kept() -> None:
    record = Contest("c", "n", Platform.X, "a", "p", WHEN, winners_wanted=0).to_record()
    assert Contest.from_record(record).winners_wanted == 0
    reply = Reply("r", "m", Platform.X, "a", "t", "anna", WHEN, url="", uncertain=True)
    assert Reply.from_record(reply.to_record()) == reply
    assert Reply.from_record({**reply.to_record(), "uncertain": None}).uncertain is False


def test_other_defaults_when_missing() -> None:
    times = {"created_at": "2025-03-03T09:00:00Z", "updated_at": "2025-03-03T09:00:00+03:00"}
    ticket_fields = {"id": "t", "mention_id": "m", "title": "x", "column": "waiting"}
    ticket = Ticket.from_record({**ticket_fields, **times})
    assert ticket.mention_ids == ("m",)
    assert ticket.updated_at == datetime(2025, 3, 3, 6, 0, tzinfo=UTC)
    assert (ticket.column, ticket.department, ticket.note) == (TicketColumn.WAITING, "", "")
    contest = {"id": "c", "name": "n", "platform": "x", "account": "a", "post_external_id": "p"}
    read = Contest.from_record({**contest, "created_at": "2025-03-03T09:00:00Z", "state": "open"})
    assert (read.winners_wanted, read.state, read.draw) == (1, ContestState.OPEN, None)
    event = {"id": "e", "at": "2025-03-03T09:00:00Z", "actor": "a", "entity": "m"}
    assert AuditEvent.from_record({**event, "entity_id": "1", "action": "seen"}).detail == {}


def test_a_reply_without_its_state_is_refused_not_requeued() -> None:
    record = Reply("r", "m", Platform.X, "a", "t", "anna", WHEN, ReplyState.SENT).to_record()
    del record["state"]
    with pytest.raises(KeyError, match="state"):
        Reply.from_record(record)


@pytest.mark.parametrize("missing", ["platform", "account", "author", "created_at"])
def test_a_mention_without_a_required_field_is_refused(missing: str) -> None:
    record = full_mention().to_record()
    del record[missing]
    with pytest.raises(KeyError, match=missing):
        Mention.from_record(record)


def test_bad_values_are_refused() -> None:
    record = full_mention().to_record()
    with pytest.raises(ValueError, match="myspace"):
        Mention.from_record({**record, "platform": "myspace"})
    with pytest.raises(ValueError, match="yesterday"):
        Mention.from_record({**record, "created_at": "yesterday"})


# --- the codec on its own -----------------------------------------------------------------


class Colour(enum.Enum):
    RED = 1
    BLUE = 2


def _cents(amount: float) -> int:
    return round(amount * 100)


def _amount(cents: int) -> float:
    return cents / 100


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int = 0


@dataclasses.dataclass(frozen=True)
class Sample:
    name: str = dataclasses.field(metadata=stored(key="title"))
    colours: frozenset[Colour] = frozenset()
    times: tuple[datetime, ...] = ()
    points: tuple[Point, ...] = ()
    favourite: Colour | None = None
    by_day: Mapping[str, datetime] = dataclasses.field(default_factory=dict)
    price: float = dataclasses.field(default=0.0, metadata=stored(encode=_cents, decode=_amount))
    rank: int = dataclasses.field(default=5, metadata=stored(required=True))
    maybe_times: tuple[datetime | None, ...] = ()
    note: str = dataclasses.field(default="", kw_only=True)


def test_a_plain_dataclass_with_every_kind_of_field() -> None:
    sample = Sample(
        "s",
        frozenset({Colour.BLUE, Colour.RED}),
        (WHEN,),
        (Point(1, 2), Point(3)),
        Colour.BLUE,
        {"monday": WHEN},
        12.5,
        0,
        (None, WHEN),
        note="n",
    )
    record = encode_record(sample)
    assert record == {
        "title": "s",
        "colours": [1, 2],
        "times": ["2025-03-03T09:30:15.123456Z"],
        "points": [{"x": 1, "y": 2}, {"x": 3, "y": 0}],
        "favourite": 2,
        "by_day": {"monday": "2025-03-03T09:30:15.123456Z"},
        "price": 1250,
        "rank": 0,
        "maybe_times": [None, "2025-03-03T09:30:15.123456Z"],
        "note": "n",
    }
    assert decode_record(Sample, json.loads(json.dumps(record))) == sample
    assert decode_record(Sample, {"title": 5, "rank": "7"}) == Sample("5", rank=7)
    with pytest.raises(KeyError, match="rank"):
        decode_record(Sample, {"title": "s"})


@dataclasses.dataclass(frozen=True)
class Loose:
    count: int | None
    parent: Point | None = None


def test_a_required_optional_field_may_be_null_but_not_missing() -> None:
    assert decode_record(Loose, {"count": None}) == Loose(None)
    assert decode_record(Loose, {"count": "3", "parent": {"x": 1}}) == Loose(3, Point(1))
    assert decode_record(Loose, {"count": 1, "parent": {}}) == Loose(1)
    with pytest.raises(KeyError, match="count"):
        decode_record(Loose, {})


@pytest.mark.parametrize("field_type", [tuple[int, str], int | str, complex], ids=str)
def test_types_without_a_record_form_are_refused_when_planned(field_type: Any) -> None:
    odd = dataclasses.make_dataclass("Odd", [("value", field_type)])
    with pytest.raises(TypeError, match="record form"):
        codec.encoder_for(odd)


def test_a_non_dataclass_is_refused() -> None:
    with pytest.raises(TypeError, match="not a dataclass"):
        codec.decoder_for(Colour)


@dataclasses.dataclass(frozen=True)
class Counted:
    label: str
    at: datetime


def test_the_plan_is_made_once_per_class(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = typing.get_type_hints

    def counting(obj: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        calls.append(obj)
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(typing, "get_type_hints", counting)
    items = [Counted(str(n), WHEN + timedelta(seconds=n)) for n in range(50)]
    back = [decode_record(Counted, encode_record(item)) for item in items]
    assert back == items
    assert calls == [Counted]
    assert codec.encoder_for(Counted) is codec.encoder_for(Counted)
