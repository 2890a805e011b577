"""The query language's helpers for the app (fields, describe, refines) and its robustness."""

from __future__ import annotations

import random

import pytest

from smm_tui.core.models import Platform, Status
from smm_tui.core.query import (
    ALIASES,
    CHOICES,
    FIELDS,
    MAX_LENGTH,
    CompareTerm,
    DurationTerm,
    FieldTerm,
    Query,
    QueryContext,
    QueryError,
    describe,
    parse,
)
from tests.core.query_kit import CTX, NOW, matching, record

pytestmark = pytest.mark.usefixtures("fresh_text_cache")


# -- helpers for the app --------------------------------------------------------------------------


def test_fields_describe_every_field() -> None:
    assert set(FIELDS) == {
        "platform",
        "account",
        "is",
        "status",
        "sentiment",
        "intent",
        "assignee",
        "tag",
        "lang",
        "author",
        "priority",
        "followers",
        "older",
        "newer",
        "due",
        "has",
    }
    assert all(help_text for help_text in FIELDS.values())
    assert set(ALIASES.values()) <= set(FIELDS)
    assert set(CHOICES) <= set(FIELDS)
    assert CHOICES["status"] == tuple(status.value for status in Status)
    assert "tg" in FIELDS["platform"]
    for name in FIELDS:
        assert name in parse_field_names(name)


def parse_field_names(name: str) -> set[str]:
    """The field names in ``name:<a valid value>``."""
    value = {
        **{field: CHOICES[field][0] for field in CHOICES},
        "priority": "1",
        "followers": "1",
        "older": "1m",
        "newer": "1m",
        "due": "1m",
    }.get(name, "x")
    root = parse(f"{name}:{value}").root
    assert isinstance(root, FieldTerm | CompareTerm | DurationTerm)
    return {root.field}


def test_describe() -> None:
    assert describe(parse("")) == "everything"
    assert describe(
        parse('platform:vk is:open sentiment:neg assignee:me -tag:spam "карта" older:5m')
    ) == (
        "platform vk, open, sentiment negative, assigned to me, not tagged spam, “карта”, "
        "older than 5m"
    )
    assert describe(parse("a b OR c")) == "(“a”, “b”) or “c”"
    assert describe(parse("(a OR b) -(c d)")) == "(“a” or “b”), not (“c”, “d”)"
    assert describe(parse("priority:>=70 due:10m is:breaching has:url")) == (
        "priority ≥ 70, due within 10m, past its response deadline, with a url"
    )
    assert describe(parse("assignee:none from:@x")) == "unassigned, by @x"


def test_validate_checks_assignees_against_known_users() -> None:
    parse("assignee:me,none,Anna").validate(CTX)
    parse("assignee:zed").validate(QueryContext(NOW, me="anna"))  # no users: no check
    with pytest.raises(QueryError) as caught:
        parse("is:open assignee:anna,borris").validate(CTX)
    assert str(caught.value) == "assignee: unknown user 'borris' at 22 (did you mean 'boris'?)"


@pytest.mark.parametrize(
    ("previous", "current", "refines"),
    [
        ("", "карт", True),
        ("карт", "карта", True),
        ("Карт", "такарта", True),
        ("карта", "карт", True),  # one stem: карт
        ("карта", "карта блок", True),
        ("карта блок", "карта", False),
        ("карт", "карты", True),
        ('"карта"', "карта", False),
        ("platform:vk,tg", "platform:vk", True),
        ("platform:vk", "platform:vk,tg", False),
        ("is:open", "is:open tag:spam", True),
        ("-spam", "-spa", True),
        ("-spa", "-spam", False),
        ("older:5m", "older:5m карта", False),
        ("is:breaching", "is:breaching a", False),
        ("a OR b", "(a OR b) c", True),
        ("a OR b", "a", False),
        ("author:iv", "author:iva", False),
        ("timoth", "timothy", True),  # timothy: its stem timothi, or timothy as typed
        ("timothy", "timoth", False),
        ("timothy", "timothi", True),
        ("timothi", "timothy", False),  # "Timothy" holds timothy, not timothi
        ("-timothy", "-timoth", True),
        ("-timothi", "-timothy", True),
        ("-timothy", "-timothi", False),  # "-timothi" lets "Timothy" through
    ],
)
def test_refines(previous: str, current: str, refines: bool) -> None:
    assert parse(current).refines(parse(previous)) is refines


def test_refines_is_sound_on_records() -> None:
    rng = random.Random(3)
    words = ("card", "карта", "блок", "spam", "app", "happy", "happiness")
    records = [
        record(
            n,
            text=" ".join(rng.sample(words, 2)),
            tags=tuple(rng.sample(words, 1)),
            platform=rng.choice((Platform.VK, Platform.X)),
        )
        for n in range(60)
    ]
    pieces = ["car", "card", "карт", "-spa", "-spam", "tag:spam", "platform:vk", "platform:vk,x"]
    pieces += ["happ", "happy", "happi", "-happy", "-happi", "-happ"]
    for _ in range(300):
        previous = " ".join(rng.sample(pieces, rng.randint(0, 3)))
        current = " ".join(rng.sample(pieces, rng.randint(0, 3)))
        if parse(current).refines(parse(previous)):
            assert set(matching(current, records)) <= set(matching(previous, records))


# -- robustness -----------------------------------------------------------------------------------

ALPHABET = 'abcxyzАБВёЁ ":-(),\\@<>=!*?.\t\n\x00\x1b\u202e\u200b🙂' + "".join(
    chr(c) for c in range(0x20, 0x7F)
)
TOKENS = [
    *FIELDS,
    *ALIASES,
    "OR",
    "or",
    "(",
    ")",
    "-",
    '"',
    ":",
    ",",
    " ",
    "карта",
    "5m",
    ">=",
    "70",
    "me",
    "vk",
    "open",
    "neg",
    "\\",
    "\x00",
]


def _check(text: str) -> None:
    try:
        query = parse(text)
    except QueryError as error:
        assert 0 <= error.position <= len(text)
        assert error.position < error.end
        assert str(error)
        return
    again = parse(query.text)
    assert again == query and again.text == query.text
    predicate = query.compile(CTX)
    for sample in SAMPLES:
        assert predicate(sample) in (True, False)
    describe(query)
    query.refines(again)


SAMPLES = [
    record(1),
    record(2, status=Status.DONE, tags=("spam",), assignee="anna", language="ru"),
    record(3, text="Карта ёлка", sla_due_at=NOW, priority=80),
]


def test_random_characters_raise_only_query_errors() -> None:
    rng = random.Random(20261126)
    for _ in range(3000):
        _check("".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))))


def test_random_token_soup_raises_only_query_errors() -> None:
    rng = random.Random(4)
    for _ in range(3000):
        pieces = [rng.choice(TOKENS) for _ in range(rng.randint(1, 12))]
        _check("".join(piece + rng.choice(("", "", " ", ":")) for piece in pieces))


def test_hostile_inputs() -> None:
    for text in (
        "(" * MAX_LENGTH,
        ")" * MAX_LENGTH,
        "-" * MAX_LENGTH,
        "-" * (MAX_LENGTH - 1) + "a",
        '"' * MAX_LENGTH,
        "\\" * MAX_LENGTH,
        "a OR " * (MAX_LENGTH // 5),
        "x" * (MAX_LENGTH - 3) + ":ab",
        "tag:" + "," * 4000,
        "older:" + "1s" * 2000,
        "\udcff\ud800",
        "\x00:\x00",
        "is:" + "\u202e" * 10,
    ):
        _check(text)


def test_many_terms_compile_and_match() -> None:
    text = " ".join(f"-w{n}" for n in range(600))
    query = parse(text)
    assert query.matches(record(1), CTX)
    assert isinstance(query, Query)


def test_split_text_separates_words_to_find_and_to_leave_out() -> None:
    words = parse('Card -REFUND platform:vk "ёлка ok" -tag:spam Timothy').split_text()
    # A word whose stem does not begin it is looked for as typed too (a name: Timothy).
    assert words.needles == (("card",), ("елка ok",), ("timothi", "timothy"))
    assert words.absent == (("refund",),)
    assert words.rest == parse("platform:vk -tag:spam")
    only_fields = parse("platform:vk OR card")
    assert only_fields.split_text().rest is only_fields
    assert parse("card").split_text().rest.is_empty
