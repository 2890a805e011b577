"""The query language: parsing, errors with positions and normalised text."""

from __future__ import annotations

import pytest

from smm_tui.core.query import (
    MAX_DEPTH,
    MAX_LENGTH,
    And,
    CompareTerm,
    DurationTerm,
    FieldTerm,
    Not,
    Or,
    QueryError,
    TextTerm,
    fold,
    parse,
)
from tests.core.query_kit import CTX, record

pytestmark = pytest.mark.usefixtures("fresh_text_cache")


# -- parsing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "node"),
    [
        ("platform:vk", FieldTerm("platform", ("vk",))),
        ("platform:tg", FieldTerm("platform", ("telegram",))),
        ("platform:tw", FieldTerm("platform", ("x",))),
        ("platform:twitter", FieldTerm("platform", ("x",))),
        ("platform:bsky", FieldTerm("platform", ("bluesky",))),
        ("platform:masto", FieldTerm("platform", ("mastodon",))),
        ("platform:demo", FieldTerm("platform", ("demo",))),
        ("Platform:VK", FieldTerm("platform", ("vk",))),
        ("platform:vk,tg,vk", FieldTerm("platform", ("vk", "telegram"))),
        ("account:Club_Bank", FieldTerm("account", ("club_bank",))),
        ("is:open", FieldTerm("is", ("open",))),
        ("is:replied-to", FieldTerm("is", ("replied-to",))),
        ("is:new,seen", FieldTerm("is", ("new", "seen"))),
        ("status:ticketed", FieldTerm("status", ("ticketed",))),
        ("sentiment:neg", FieldTerm("sentiment", ("negative",))),
        ("sentiment:neu", FieldTerm("sentiment", ("neutral",))),
        ("sentiment:pos", FieldTerm("sentiment", ("positive",))),
        ("sentiment:unknown", FieldTerm("sentiment", ("unknown",))),
        ("intent:complaint", FieldTerm("intent", ("complaint",))),
        ("assignee:me", FieldTerm("assignee", ("me",))),
        ("assignee:None", FieldTerm("assignee", ("none",))),
        ("assignee:Boris,anna", FieldTerm("assignee", ("boris", "anna"))),
        ("tag:Spam", FieldTerm("tag", ("spam",))),
        ('tag:"needs review"', FieldTerm("tag", ("needs review",))),
        ('tag:"a,b"', FieldTerm("tag", ("a,b",))),
        ("lang:RU", FieldTerm("lang", ("ru",))),
        ("language:ru", FieldTerm("lang", ("ru",))),
        ("author:@User1", FieldTerm("author", ("@user1",))),
        ("from:@user1", FieldTerm("author", ("@user1",))),
        ('author:"Иван Пётр"', FieldTerm("author", ("иван петр",))),
        ("has:url", FieldTerm("has", ("url",))),
        ("has:ticket", FieldTerm("has", ("ticket",))),
        ("priority:50", CompareTerm("priority", "=", 50)),
        ("priority:=50", CompareTerm("priority", "=", 50)),
        ("priority:>=70", CompareTerm("priority", ">=", 70)),
        ("priority:<=70", CompareTerm("priority", "<=", 70)),
        ("priority:<30", CompareTerm("priority", "<", 30)),
        ("followers:>1000", CompareTerm("followers", ">", 1000)),
        ("followers:>=5k", CompareTerm("followers", ">=", 5000)),
        ("older:30s", DurationTerm("older", 30)),
        ("older:5m", DurationTerm("older", 300)),
        ("newer:2h", DurationTerm("newer", 7200)),
        ("newer:3d", DurationTerm("newer", 3 * 86400)),
        ("due:1w", DurationTerm("due", 7 * 86400)),
        ("older:1h30m", DurationTerm("older", 5400)),
        ("older:5M", DurationTerm("older", 300)),
        ("карта", TextTerm("карта")),
        ('"списали деньги"', TextTerm("списали деньги", exact=True)),
        ('"say \\"hi\\""', TextTerm('say "hi"', exact=True)),
        ('"back\\\\slash"', TextTerm("back\\slash", exact=True)),
        ('"not \\escaped"', TextTerm("not \\escaped", exact=True)),
        ('"re: card"', TextTerm("re: card", exact=True)),
        ("12:30", TextTerm("12:30")),
        ("карта:блок", TextTerm("карта:блок")),
        ("e-mail", TextTerm("e-mail")),
        ("or", TextTerm("or")),
        ('"OR"', TextTerm("OR", exact=True)),
    ],
)
def test_parses_each_term(text: str, node: object) -> None:
    assert parse(text).root == node


def test_the_issue_example() -> None:
    query = parse('platform:vk is:open sentiment:neg assignee:me -tag:spam "карта" older:5m')
    assert query.root == And(
        (
            FieldTerm("platform", ("vk",)),
            FieldTerm("is", ("open",)),
            FieldTerm("sentiment", ("negative",)),
            FieldTerm("assignee", ("me",)),
            Not(FieldTerm("tag", ("spam",))),
            TextTerm("карта", exact=True),
            DurationTerm("older", 300),
        )
    )
    assert query.text == (
        'platform:vk is:open sentiment:negative assignee:me -tag:spam "карта" older:5m'
    )


def test_empty_and_blank_queries_match_everything() -> None:
    for text in ("", "   ", "\t\n"):
        query = parse(text)
        assert query.is_empty
        assert query.text == ""
        assert query.matches(record(), CTX)
    assert not parse("a").is_empty


def test_negation() -> None:
    assert parse("-tag:spam").root == Not(FieldTerm("tag", ("spam",)))
    assert parse("-карта").root == Not(TextTerm("карта"))
    assert parse('-"two words"').root == Not(TextTerm("two words", exact=True))
    assert parse("--a").root == TextTerm("a")
    assert parse("---a").root == Not(TextTerm("a"))
    assert parse("-(a b)").root == Not(And((TextTerm("a"), TextTerm("b"))))
    assert parse("tag:-odd").root == FieldTerm("tag", ("-odd",))


def test_or_binds_looser_than_and() -> None:
    a, b, c, d = (TextTerm(x) for x in "abcd")
    assert parse("a b OR c d").root == Or((And((a, b)), And((c, d))))
    assert parse("a OR b OR c").root == Or((a, b, c))
    assert parse("(a OR b) c").root == And((Or((a, b)), c))
    assert parse("a OR (b OR c)").root == Or((a, b, c))
    assert parse("((a))").root == a
    assert parse("(a b) c").root == And((a, b, c))
    assert parse("-(a OR b)").root == Not(Or((a, b)))


def test_parentheses_may_nest_up_to_the_limit() -> None:
    deep = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert parse(deep).root == TextTerm("a")
    with pytest.raises(QueryError, match="too deeply nested"):
        parse("(" + deep + ")")


def test_cyrillic_and_yo() -> None:
    assert parse("Ёлки").root == TextTerm("Ёлки")
    assert fold("Ёлки ПАЛКИ") == "елки палки"
    assert parse("tag:Ёлка").root == FieldTerm("tag", ("елка",))


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("platfrom:vk", "unknown field 'platfrom' at 0 (did you mean 'platform'?)"),
        ("is:open asignee:me", "unknown field 'asignee' at 8 (did you mean 'assignee'?)"),
        ("x:1", "unknown field 'x' at 0 (quote it to search the text: \"x:…\")"),
        (
            "sentiment:neg older:5x",
            "older: expects a duration like 5m, 2h, 3d at 20",
        ),
        ("newer:5 m", "newer: expects a duration like 5m, 2h, 3d at 6"),
        ("due:-5m", "due: expects a duration like 5m, 2h, 3d at 4"),
        ("older:99999999d", "older: duration too long at 6 (at most 3650d)"),
        ('platform:vk "карта', "unclosed quote at 12"),
        ('tag:"spam', "unclosed quote at 4"),
        ('"a \\"', "unclosed quote at 0"),
        ('a ""', "empty quotes at 2"),
        ("a OR", "OR needs a term on each side at 2"),
        ("OR a", "OR needs a term on each side at 0"),
        ("a OR OR b", "OR needs a term on each side at 2"),
        ("(a OR) b", "OR needs a term on each side at 3"),
        ("a (b", "unclosed '(' at 2 (add a ')')"),
        ("a) b", "unmatched ')' at 1 (delete it or add a '(' before)"),
        ("a ()", "empty parentheses at 2"),
        ("- a", "'-' must be followed by a term at 0 (write -tag:spam)"),
        ("is:open -", "'-' must be followed by a term at 8 (write -tag:spam)"),
        ("-OR a", "'-' must be followed by a term at 0 (write -tag:spam)"),
        ("(a -)", "'-' must be followed by a term at 3 (write -tag:spam)"),
        ("tag:", "tag: expects a value at 4 (e.g. tag:refund)"),
        ('tag:""', "tag: expects a value at 4 (e.g. tag:refund)"),
        ("from:", "from: expects a value at 5 (e.g. author:@handle)"),
        ("has:", "has: expects a value at 4 (one of: url, ticket)"),
        ("priority:>x", "priority: expects a number like 50, >=70 or <30 at 9"),
        ("followers:lots", "followers: expects a number like 1000, >1000 or <=5k at 10"),
        ("platform:vk,,tg", "platform: empty item in a list at 12"),
        ("lang:ru, a", "lang: empty item in a list at 8"),
        ("has:link", "has: unknown value 'link' at 4 (one of: url, ticket)"),
        (
            "STATUS:closed",
            "status: unknown value 'closed' at 7"
            " (one of: new, seen, replied, ticketed, follow-up, done)",
        ),
    ],
)
def test_errors_say_where(text: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse(text)
    assert str(caught.value) == message


def test_unknown_values_list_the_allowed_ones() -> None:
    with pytest.raises(QueryError) as caught:
        parse("platform:vk,twiter")
    error = caught.value
    assert (error.position, error.end) == (12, 18)
    assert error.message == "platform: unknown value 'twiter'"
    assert error.hint == (
        "did you mean 'twitter'? one of: vk, telegram (tg), mastodon (masto), "
        "bluesky (bsky), x (tw, twitter), demo"
    )
    with pytest.raises(QueryError, match=r"did you mean 'negative'\? one of: negative \(neg\)"):
        parse("sentiment:negatve")
    with pytest.raises(QueryError, match=r"at 3 \(did you mean 'open'\?"):
        parse("is:opne")
    with pytest.raises(QueryError, match=r"did you mean 'complaint'\?"):
        parse("intent:complain")


def test_query_error_is_a_value_error_with_a_span() -> None:
    with pytest.raises(ValueError) as caught:
        parse("platfrom:vk")
    error = caught.value
    assert isinstance(error, QueryError)
    assert (error.message, error.position, error.end) == ("unknown field 'platfrom'", 0, 8)
    assert error.hint == "did you mean 'platform'?"


def test_error_messages_quote_user_text_safely() -> None:
    with pytest.raises(QueryError) as caught:
        parse("platform:\x1b[31mred")
    assert "\x1b" not in str(caught.value)
    assert "␛" in str(caught.value)
    with pytest.raises(QueryError) as caught:
        parse("is:" + "x" * 500)
    assert len(str(caught.value)) < 300


def test_limits() -> None:
    assert parse("a" * MAX_LENGTH).root == TextTerm("a" * MAX_LENGTH)
    with pytest.raises(QueryError, match=f"query too long at {MAX_LENGTH}"):
        parse("a" * (MAX_LENGTH + 1))
    with pytest.raises(QueryError, match="too deeply nested"):
        parse("(" * 2000)
    with pytest.raises(QueryError, match="expects a number"):
        parse("priority:" + "9" * 4000)


# -- normalised text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("platform:tg", "platform:telegram"),
        ("Platform:VK,tw", "platform:vk,x"),
        ("from:@Ivan", "author:@ivan"),
        ("language:RU", "lang:ru"),
        ("sentiment:neg", "sentiment:negative"),
        ('"карта"', '"карта"'),  # a phrase stays exact: no word forms
        ('"two  words"', '"two  words"'),
        ('"re: card"', '"re: card"'),
        ('"-minus"', '"-minus"'),
        ('"OR"', '"OR"'),
        ('"(x)"', '"(x)"'),
        ('"say \\"hi\\""', '"say \\"hi\\""'),
        ('tag:"a,b"', 'tag:"a,b"'),
        ("priority:=50", "priority:50"),
        ("followers:>=5k", "followers:>=5000"),
        ("older:90m", "older:1h30m"),
        ("newer:7d", "newer:1w"),
        ("older:0m", "older:0s"),
        ("--a", "a"),
        ("(a b) c", "a b c"),
        ("((a OR b)) c", "(a OR b) c"),
        ("a  b   OR c", "a b OR c"),
        ("-(a OR b)", "-(a OR b)"),
        ("-(a b)", "-(a b)"),
    ],
)
def test_normalised_text(text: str, normalised: str) -> None:
    query = parse(text)
    assert query.text == normalised
    assert str(query) == normalised


ROUND_TRIPS = [
    'platform:vk is:open sentiment:neg assignee:me -tag:spam "карта" older:5m',
    "a b OR c d OR -(e OR f) g",
    '"quote \\" and \\\\ backslash" author:"Иван Петров" tag:"x y"',
    "priority:>=70 followers:<5k newer:1d2h3m4s due:10m has:url,ticket",
    "is:breaching OR (is:new,seen -is:assigned) lang:ru,en account:@bank@mastodon.social",
    "12:30 карта:блок e-mail ё Ё \x00nul",
]


@pytest.mark.parametrize("text", ROUND_TRIPS)
def test_text_round_trips(text: str) -> None:
    query = parse(text)
    again = parse(query.text)
    assert again == query
    assert again.text == query.text
