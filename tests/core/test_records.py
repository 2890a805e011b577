"""Export/import records: JSON Lines round trips, CSV safety, line-numbered errors."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from smm_tui.core.models import Author, Mention, Platform, Sentiment, Status
from smm_tui.core.records import (
    EXPORT_FIELDS,
    ImportLineError,
    csv_safe,
    mention_from_export,
    mention_to_export,
    read_jsonl,
    write_csv,
    write_jsonl,
)

WHEN = datetime(2025, 3, 3, 9, 30, 15, 123456, tzinfo=UTC)

HOSTILE_TEXTS = [
    "[bold red]not markup[/] [link=https://evil.example]click[/link] \\[escaped]",
    "\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07 bell\x07",
    "line one\nline two\r\nline three\rtab\there",
    "مرحبا، بطاقتي لا تعمل منذ أمس",
    "card blocked 😡🔥👍🏽 👨‍👩‍👧 family",
    "separators\u2028inside\u2029and\x85NEL",
    '"quotes", commas; semicolons\\backslash',
    '=HYPERLINK("https://evil.example","x")',
    "",
]


def make_mention(n: int = 1, **changes: object) -> Mention:
    """A fully populated mention."""
    base = Mention(
        platform=Platform.TELEGRAM,
        account="bank-tg",
        external_id=f"chat:{n}",
        author=Author(id=f"u{n}", handle=f"@user{n}", display_name=f"User {n}", followers=42),
        text=f"My card {n} is blocked",
        created_at=WHEN + timedelta(minutes=n),
        url=f"https://t.me/c/1/{n}",
        parent_external_id="chat:0",
        root_external_id="chat:0",
        language="en",
        sentiment=Sentiment.NEGATIVE,
        status=Status.REPLIED,
        assignee="anna",
        tags=("cards", "urgent"),
        first_response_at=WHEN + timedelta(hours=1),
    )
    # id="" re-derives the id from the (possibly changed) natural key.
    return dataclasses.replace(base, id="", **changes)  # type: ignore[arg-type]


def roundtrip(mentions: Iterable[Mention]) -> list[Mention | ImportLineError]:
    out = io.StringIO()
    write_jsonl(mentions, out)
    return list(read_jsonl(io.StringIO(out.getvalue())))


def record(**changes: object) -> dict[str, object]:
    """A valid export record with some fields changed (None removes a field)."""
    rec = mention_to_export(make_mention())
    for key, value in changes.items():
        if value is None:
            rec.pop(key, None)
        else:
            rec[key] = value
    return rec


def import_error(line: str, line_number: int = 1) -> str:
    """The message of the single error that ``line`` produces."""
    lines = ["\n"] * (line_number - 1) + [line]
    (result,) = list(read_jsonl(lines))
    assert isinstance(result, ImportLineError)
    assert result.line_number == line_number
    message = str(result)
    assert "\n" not in message
    return message


# --- export ---------------------------------------------------------------------


def test_export_record_shape() -> None:
    rec = mention_to_export(make_mention())
    assert tuple(rec) == EXPORT_FIELDS
    assert rec["platform"] == "telegram"
    assert rec["author_id"] == "u1"
    assert rec["author_handle"] == "@user1"
    assert rec["author_name"] == "User 1"
    assert rec["author_followers"] == 42
    assert rec["created_at"] == "2025-03-03T09:31:15.123456Z"  # UTC, with Z
    assert rec["first_response_at"] == "2025-03-03T10:30:15.123456Z"
    assert rec["tags"] == ["cards", "urgent"]
    assert rec["sentiment"] == "negative"
    assert rec["status"] == "replied"
    assert "rev" not in rec and "ticket_id" not in rec


def test_export_time_is_utc_even_for_other_zones() -> None:
    moscow = timezone(timedelta(hours=3))
    rec = mention_to_export(make_mention(created_at=datetime(2025, 1, 1, 3, 0, tzinfo=moscow)))
    created = rec["created_at"]
    assert isinstance(created, str)
    assert created.startswith("2025-01-01T00:00:00")
    assert created.endswith("Z")


def test_jsonl_is_one_line_per_mention_even_with_hostile_text() -> None:
    out = io.StringIO()
    count = write_jsonl([make_mention(i, text=t) for i, t in enumerate(HOSTILE_TEXTS)], out)
    assert count == len(HOSTILE_TEXTS)
    text = out.getvalue()
    # splitlines() also splits on U+2028, U+2029, NEL, \x1c-\x1e, \v, \f.
    assert len(text.splitlines()) == len(HOSTILE_TEXTS)
    assert "\x1b" not in text
    assert "مرحبا" in text and "😡" in text  # readable, not \u-escaped


def test_write_jsonl_returns_zero_for_nothing() -> None:
    out = io.StringIO()
    assert write_jsonl([], out) == 0
    assert out.getvalue() == ""


def test_csv_rows_and_header() -> None:
    out = io.StringIO(newline="")
    mentions = [make_mention(1), make_mention(2, tags=(), assignee=None, first_response_at=None)]
    assert write_csv(mentions, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert rows[0]["tags"] == "cards;urgent"
    assert rows[0]["author_followers"] == "42"
    assert rows[1]["tags"] == ""
    assert rows[1]["assignee"] == ""
    assert rows[1]["first_response_at"] == ""


def test_csv_keeps_multiline_text_in_one_cell() -> None:
    out = io.StringIO(newline="")
    write_csv([make_mention(text='a\nb, "c"')], out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert row["text"] == 'a\nb, "c"'


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("https://evil.example")'],
)
def test_csv_defuses_formulas(text: str) -> None:
    assert csv_safe(text) == "'" + text
    out = io.StringIO(newline="")
    write_csv([make_mention(text=text, author=Author(id="=x", handle="@attacker"))], out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert row["text"] == "'" + text
    assert row["author_id"] == "'=x"
    assert row["author_handle"] == "'@attacker"


@pytest.mark.parametrize("text", ["hello", "", " =1", "1-1", "'already"])
def test_csv_leaves_ordinary_cells_alone(text: str) -> None:
    assert csv_safe(text) == text


def test_csv_tags_joined_then_defused() -> None:
    out = io.StringIO(newline="")
    write_csv([make_mention(tags=("=cmd", "ok"))], out)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert row["tags"] == "'=cmd;ok"


def test_lone_surrogate_does_not_break_a_utf8_export() -> None:
    mention = make_mention(text="broken \ud83d emoji")
    out = io.StringIO()
    write_jsonl([mention], out)
    out.getvalue().encode("utf-8")  # would raise on a raw surrogate
    (back,) = read_jsonl(io.StringIO(out.getvalue()))
    assert back == mention
    csv_out = io.StringIO(newline="")
    write_csv([mention], csv_out)
    assert "broken \ufffd emoji" in csv_out.getvalue()


# --- round trip -------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_round_trip_hostile_text(text: str) -> None:
    mention = make_mention(text=text, author=Author(id=text or "x", handle="@h", display_name=text))
    assert roundtrip([mention]) == [mention]


def test_round_trip_minimal_mention() -> None:
    mention = Mention(
        platform=Platform.X,
        account="bank-x",
        external_id="1",
        author=Author(id="9", handle="someone"),
        text="hi",
        created_at=WHEN,
    )
    assert roundtrip([mention]) == [mention]


def test_round_trip_every_platform_status_and_sentiment() -> None:
    mentions = [
        make_mention(i, platform=platform, status=status, sentiment=sentiment)
        for i, (platform, status, sentiment) in enumerate(
            zip(list(Platform), [*Status, Status.NEW], list(Sentiment) * 2, strict=False)
        )
    ]
    assert roundtrip(mentions) == mentions


def test_rev_and_ticket_id_are_not_exported() -> None:
    mention = make_mention(rev=7, ticket_id="t-1")
    (back,) = roundtrip([mention])
    assert back == dataclasses.replace(mention, rev=0, ticket_id=None)


def test_optional_fields_default() -> None:
    minimal = {
        "platform": "vk",
        "account": "bank-vk",
        "external_id": 123,
        "author_handle": "ivan",
        "text": "",
        "created_at": "2025-03-03T09:00:00",
    }
    mention = mention_from_export(minimal, 1)
    assert mention.external_id == "123"
    assert mention.author == Author(id="ivan", handle="ivan")
    assert mention.created_at == datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # naive taken as UTC
    assert (mention.status, mention.sentiment, mention.tags) == (
        Status.NEW,
        Sentiment.UNKNOWN,
        (),
    )
    assert mention.url == "" and mention.assignee is None


def test_offset_times_are_normalised_to_utc() -> None:
    mention = mention_from_export(record(created_at="2025-03-03T12:00:00+03:00"), 1)
    assert mention.created_at == datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    assert mention.created_at.utcoffset() == timedelta(0)


# --- import errors ------------------------------------------------------------------


def test_not_json() -> None:
    assert import_error("{oops", 3).startswith("line 3: not valid JSON (")
    assert import_error("nope", 3) == "line 3: not valid JSON (Expecting value at column 1)"


def test_not_an_object() -> None:
    assert import_error("[1, 2]", 2) == "line 2: expected a JSON object, got an array"
    assert import_error('"text"') == "line 1: expected a JSON object, got a string"
    assert import_error("null") == "line 1: expected a JSON object, got null"


def test_huge_integer_is_a_line_error() -> None:
    assert import_error('{"a": ' + "9" * 5000 + "}").startswith("line 1: not valid JSON (")


@pytest.mark.parametrize(
    "field", ["platform", "account", "external_id", "author_handle", "text", "created_at"]
)
def test_missing_required_field(field: str) -> None:
    line = json.dumps(record(**{field: None}))
    assert import_error(line, 4) == f"line 4: missing field '{field}'"


def test_null_required_field_counts_as_missing() -> None:
    rec = record()
    rec["platform"] = None
    assert import_error(json.dumps(rec), 4) == "line 4: missing field 'platform'"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"created_at": "yesterday"},
            "line 7: field 'created_at' is not an ISO 8601 time: \"yesterday\"",
        ),
        (
            {"created_at": 1700000000},
            "line 7: field 'created_at' is not an ISO 8601 time: 1700000000",
        ),
        (
            {"first_response_at": "soon"},
            "line 7: field 'first_response_at' is not an ISO 8601 time: \"soon\"",
        ),
        (
            {"platform": "myspace"},
            "line 7: field 'platform' must be one of vk, telegram, mastodon, bluesky, x, demo, "
            'got "myspace"',
        ),
        ({"status": "closed"}, "line 7: field 'status' must be one of new, seen, replied"),
        ({"sentiment": 1}, "line 7: field 'sentiment' must be one of negative"),
        ({"account": ""}, "line 7: field 'account' must be a non-empty string, got \"\""),
        ({"text": 5}, "line 7: field 'text' must be a string, got 5"),
        ({"external_id": True}, "line 7: field 'external_id' must be a non-empty string, got true"),
        ({"author_followers": -1}, "line 7: field 'author_followers' must be a whole number ≥ 0"),
        (
            {"author_followers": "many"},
            "line 7: field 'author_followers' must be a whole number ≥ 0",
        ),
        ({"tags": "a;b"}, "line 7: field 'tags' must be a list of non-empty strings, got \"a;b\""),
        ({"tags": ["a", 1]}, "line 7: field 'tags' must be a list of non-empty strings"),
        ({"assignee": {"name": "x"}}, "line 7: field 'assignee' must be a string, got {"),
        ({"statu": "done"}, "line 7: unknown field \"statu\" (did you mean 'status'?)"),
        ({"zzz": 1}, 'line 7: unknown field "zzz"'),
    ],
)
def test_bad_field(changes: dict[str, object], expected: str) -> None:
    assert import_error(json.dumps(record(**changes)), 7).startswith(expected)


def test_id_must_match_natural_key() -> None:
    rec = record(id="0000000000000000")
    message = import_error(json.dumps(rec), 5)
    assert message.startswith("line 5: field 'id' is \"0000000000000000\" but platform")
    assert make_mention().id in message


def test_id_may_be_absent() -> None:
    (mention,) = read_jsonl([json.dumps(record(id=None))])
    assert mention == make_mention()


def test_out_of_range_time_is_a_line_error() -> None:
    message = import_error(json.dumps(record(created_at="0001-01-01T00:00:00+01:00")))
    assert "field 'created_at' is not an ISO 8601 time" in message


def test_hostile_values_in_messages_stay_on_one_line() -> None:
    message = import_error(json.dumps(record(created_at="x\ny\u2028z\x1b[31m" + "w" * 200)))
    assert "\u2028" not in message and "\x1b" not in message
    assert len(message) < 200


def test_good_lines_are_kept_around_bad_ones() -> None:
    good = [make_mention(i) for i in range(1, 4)]
    lines = [
        json.dumps(mention_to_export(good[0])) + "\n",
        "\n",  # blank lines are skipped but counted
        "not json\n",
        json.dumps(mention_to_export(good[1])) + "\n",
        json.dumps(record(created_at="yesterday")) + "\n",
        "   \n",
        json.dumps(mention_to_export(good[2])) + "\n",
    ]
    results = list(read_jsonl(lines))
    mentions = [r for r in results if isinstance(r, Mention)]
    errors = [r for r in results if isinstance(r, ImportLineError)]
    assert mentions == good
    assert [e.line_number for e in errors] == [3, 5]
    assert str(errors[0]) == "line 3: not valid JSON (Expecting value at column 1)"
    assert str(errors[1]).startswith("line 5: field 'created_at' is not an ISO 8601 time")


def test_import_error_is_a_value_error() -> None:
    error = ImportLineError(9, "boom")
    assert isinstance(error, ValueError)
    assert (error.line_number, error.detail, str(error)) == (9, "boom", "line 9: boom")


def test_bom_and_crlf_are_tolerated() -> None:
    mention = make_mention()
    line = json.dumps(mention_to_export(mention))
    assert list(read_jsonl(["\ufeff" + line + "\r\n", line + "\r\n"])) == [mention, mention]


def test_file_written_and_read_back_from_disk(tmp_path: Path) -> None:
    mentions = [make_mention(i, text=t) for i, t in enumerate(HOSTILE_TEXTS)]
    path = tmp_path / "export.jsonl"
    with path.open("w", encoding="utf-8") as out:
        write_jsonl(mentions, out)
    with path.open(encoding="utf-8") as lines:
        assert list(read_jsonl(lines)) == mentions
    # and when the whole file is split by str.splitlines()
    assert list(read_jsonl(path.read_text(encoding="utf-8").splitlines())) == mentions
