"""``replies list``: each saved reply's fields, and what stops any from being used."""

from __future__ import annotations

import io
import json

from smm_tui.commands.replies import list_replies
from smm_tui.core.demo_replies import DEMO_SAVED_REPLIES
from smm_tui.core.saved_replies import SavedReply

REPLIES = (
    DEMO_SAVED_REPLIES[1],
    SavedReply("odd", "Hi {nickname}", "en", ("complaint",)),
    SavedReply("braces", "50% {off", ""),
    SavedReply("line\nbreak", "{agent} here", "ru", ("a\u2028b",)),
)


def test_jsonl_has_one_record_a_reply() -> None:
    out = io.StringIO()
    assert list_replies(REPLIES, "jsonl", out) == 0
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[:3] == [
        {
            "name": "double-debit-fixed",
            "language": "ru",
            "tags": ["complaint", "follow-up"],
            "fields": ["first_name"],
            "problem": None,
        },
        {
            "name": "odd",
            "language": "en",
            "tags": ["complaint"],
            "fields": ["nickname"],
            "problem": "unknown field {nickname} (did you mean {name}?)",
        },
        {
            "name": "braces",
            "language": "",
            "tags": [],
            "fields": [],
            "problem": 'the body has a lone "{" or "}" (write {{ or }} for a brace)',
        },
    ]
    assert records[3]["name"] == "line\nbreak" and len(records) == 4


def test_the_table_is_a_line_a_reply() -> None:
    out = io.StringIO()
    assert list_replies(REPLIES, "table", out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 + len(REPLIES)
    assert lines[0].split() == ["name", "lang", "tags", "fields", "/", "problem"]
    assert lines[1].split() == [
        "double-debit-fixed",
        "ru",
        "complaint,",
        "follow-up",
        "{first_name}",
    ]
    assert lines[2].endswith("unknown field {nickname} (did you mean {name}?)")
    assert "lone" in lines[3]
    assert lines[4].startswith("line break") and lines[4].endswith("{agent}")
