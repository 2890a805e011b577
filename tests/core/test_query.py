"""The query language: parsing, errors with positions, normalised text, and matching records."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest

from smm_tui.core import query_text
from smm_tui.core.models import Author, Intent, Platform, Sentiment, Status
from smm_tui.core.query import (
    ALIASES,
    CHOICES,
    FIELDS,
    MAX_DEPTH,
    MAX_LENGTH,
    And,
    CompareTerm,
    DurationTerm,
    FieldTerm,
    Not,
    Or,
    Query,
    QueryContext,
    QueryError,
    TextTerm,
    clear_text_cache,
    describe,
    fold,
    parse,
    warm_text_cache,
)
from tests.conftest import T0, make_mention

NOW = T0 + timedelta(hours=2)
CTX = QueryContext(now=NOW, me="anna", users=("anna", "boris"))


def record(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A stored mention record (``to_record()`` shape), created ``n`` minutes after T0."""
    return make_mention(n, **overrides).to_record()


def matching(text: str, records: list[dict[str, Any]], ctx: QueryContext = CTX) -> list[int]:
    """Indexes of the records the query matches, checked both ways it can be evaluated."""
    query = parse(text)
    predicate = query.compile(ctx)
    found = [i for i, r in enumerate(records) if predicate(r)]
    assert found == [i for i, r in enumerate(records) if query.matches(r, ctx)]
    return found


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_text_cache()


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
