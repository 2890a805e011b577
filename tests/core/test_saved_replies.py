"""Saved replies: the fields a body names, filling them for a mention, and the picker's order."""

from __future__ import annotations

import pytest

from smm_tui.core.demo_replies import DEMO_SAVED_REPLIES
from smm_tui.core.models import Author, Intent, Platform, Ticket
from smm_tui.core.saved_replies import (
    FIELDS,
    Filled,
    SavedReply,
    SavedReplyBook,
    fields_in,
    fill,
    problem_in,
    ranked,
    same_language,
    values_for,
)
from tests.conftest import T0, make_mention

DOUBLE_DEBIT = (
    "{first_name}, мы вернули двойное списание. Проверьте, пожалуйста, что деньги на карте."
)


def ticket(department: str = "Payments") -> Ticket:
    return Ticket(
        id="0123456789abcdef",
        mention_id="m",
        title="double debit",
        created_at=T0,
        updated_at=T0,
        department=department,
        ref="T-2026-0042",
    )


def reply(body: str, name: str = "r", language: str = "", tags: tuple[str, ...] = ()) -> SavedReply:
    return SavedReply(name, body, language, tags)


# --- fields ----------------------------------------------------------------------------


def test_fields_are_listed_once_in_order() -> None:
    body = "{first_name}, {ticket} is with {department}. {first_name}! {{not_a_field}}"
    assert fields_in(body) == ("first_name", "ticket", "department")
    assert fields_in("no fields at all") == ()
    assert set(FIELDS) == {"name", "first_name", "handle", "ticket", "agent", "department"} | {
        "contest",
        "winners",
        "commitment",
        "round",
    }, "the last four word a contest's announcement"


@pytest.mark.parametrize("body", ["a lone { brace", "a lone } brace", "{first_name"])
def test_a_body_that_does_not_parse_is_a_problem(body: str) -> None:
    with pytest.raises(ValueError, match="lone"):
        fields_in(body)
    assert problem_in(body) is not None and "lone" in (problem_in(body) or "")
    filled = fill(reply(body), {"first_name": "Анна"})
    assert filled.text is None and filled.problem == problem_in(body)


def test_values_come_from_the_mention_and_its_ticket() -> None:
    mention = make_mention(
        1,
        platform=Platform.X,
        author=Author(id="9", handle="anna_k", display_name="  Анна   Петрова "),
    )
    assert values_for(mention, ticket=ticket(), agent="boris") == {
        "name": "Анна Петрова",
        "first_name": "Анна",
        "handle": "@anna_k",
        "ticket": "T-2026-0042",
        "department": "Payments",
        "agent": "boris",
    }


def test_fields_with_no_value_are_left_out_not_guessed() -> None:
    nameless = make_mention(1, author=Author(id="9", handle="id123", display_name=""))
    values = values_for(nameless, ticket=None, agent="")
    # No display name: no first name either (the handle is not a name to greet).
    assert values == {"handle": "id123"}
    no_department = values_for(nameless, ticket=ticket(department=""), agent="boris")
    assert "department" not in no_department and no_department["ticket"] == "T-2026-0042"


@pytest.mark.parametrize(
    ("platform", "stored", "written"),
    [
        (Platform.VK, "id123", "id123"),  # VK writes no @
        (Platform.TELEGRAM, "@anna", "@anna"),
        (Platform.TELEGRAM, "anna_k", "@anna_k"),
        (Platform.TELEGRAM, "id5551234", None),  # no username: nothing to write
        (Platform.MASTODON, "anna@mastodon.social", "@anna@mastodon.social"),
        (Platform.BLUESKY, "anna.bsky.social", "@anna.bsky.social"),
        (Platform.X, "@anna", "@anna"),
    ],
)
def test_a_handle_is_written_as_its_network_writes_it(
    platform: Platform, stored: str, written: str | None
) -> None:
    mention = make_mention(1, platform=platform, author=Author(id="1", handle=stored))
    assert values_for(mention, ticket=None, agent="a").get("handle") == written


# --- filling ---------------------------------------------------------------------------


def test_the_issues_reply_is_filled_with_the_first_name() -> None:
    filled = fill(reply(DOUBLE_DEBIT), {"first_name": "Олег", "name": "Олег Иванов"})
    assert filled == Filled(
        "Олег, мы вернули двойное списание. Проверьте, пожалуйста, что деньги на карте."
    )


def test_a_missing_value_is_refused_in_words() -> None:
    filled = fill(reply(DOUBLE_DEBIT), {"handle": "id123"})
    assert filled.text is None
    assert filled.problem == "no {first_name}: the customer has no display name"
    no_ticket = fill(reply("Ваш номер {ticket}, отдел {department}"), {})
    assert no_ticket.problem == "no {ticket}: the mention has no ticket"
    no_department = fill(reply("Отдел {department}"), {"ticket": "T-1"})
    assert no_department.problem == "no {department}: the ticket has no department"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("Hi {nickname}", "unknown field {nickname} (did you mean {name}?)"),
        ("Hi {colour}", "unknown field {colour}"),
        ("Hi {frist_name}", "unknown field {frist_name} (did you mean {first_name}?)"),
        ("Hi {name.__class__}", "unknown field {name.__class__}"),
        ("Hi {0} and {}", "unknown field {0}"),
        ("Hi {name!r}", "field {name} takes no format ('!r')"),
        ("Hi {name:>20}", "field {name} takes no format (':>20')"),
    ],
)
def test_an_unknown_field_is_refused_even_with_every_value(body: str, problem: str) -> None:
    values = dict.fromkeys(FIELDS, "x")
    assert fill(reply(body), values) == Filled(None, problem)
    assert problem_in(body) == problem


def test_braces_escape_and_no_field_is_ever_left_in_the_text() -> None:
    filled = fill(reply("{{first_name}} is written {{so}}, {first_name}"), {"first_name": "Ann"})
    assert filled.text == "{first_name} is written {so}, Ann"
    # A value holding braces is data, not a field to fill again.
    tricky = fill(reply("Hi {name}"), {"name": "{agent}"})
    assert tricky.text == "Hi {agent}"
    assert problem_in("{{ fine }}") is None


def test_every_demo_reply_fills_for_a_customer_with_a_name_and_a_ticket() -> None:
    mention = make_mention(1, author=Author(id="1", handle="anna", display_name="Anna K"))
    values = values_for(mention, ticket=ticket(), agent="boris")
    names = [r.name for r in DEMO_SAVED_REPLIES]
    assert len(names) == len(set(names)) and 8 <= len(names) <= 12
    assert {r.language for r in DEMO_SAVED_REPLIES} == {"ru", "en", "ar"}
    for saved in DEMO_SAVED_REPLIES:
        filled = fill(saved, values)
        assert filled.problem is None and filled.text and "{" not in filled.text, saved.name
    issue = next(r for r in DEMO_SAVED_REPLIES if r.name == "double-debit-fixed")
    assert issue.body == DOUBLE_DEBIT and issue.language == "ru"


# --- order -----------------------------------------------------------------------------


def test_language_first_then_intent_then_the_rest_in_written_order() -> None:
    replies = [
        reply("", "en-praise", "en", ("praise",)),
        reply("", "ru-plain", "ru"),
        reply("", "en-complaint", "en", ("complaint",)),
        reply("", "no-language-complaint", "", ("Complaint",)),
        reply("", "ru-complaint", "ru", ("complaint", "follow-up")),
        reply("", "ar-plain", "ar"),
    ]
    names = [r.name for r in ranked(replies, language="ru-RU", intent=Intent.COMPLAINT)]
    assert names == [
        "ru-complaint",
        "ru-plain",
        "en-complaint",
        "no-language-complaint",
        "en-praise",
        "ar-plain",
    ]
    unknown = [r.name for r in ranked(replies, language="", intent=Intent.UNKNOWN)]
    assert unknown == [r.name for r in replies]


def test_languages_match_on_their_primary_tag() -> None:
    assert same_language("ru", "ru-RU") and same_language("EN_gb", "en")
    assert (
        not same_language("", "") and not same_language("ru", "") and not same_language("en", "et")
    )


def test_the_book_replaces_its_replies_whole() -> None:
    book = SavedReplyBook(DEMO_SAVED_REPLIES[:2])
    assert book.named("double-debit-fixed") is DEMO_SAVED_REPLIES[1]
    assert not book.replace(DEMO_SAVED_REPLIES[:2])
    assert book.replace(DEMO_SAVED_REPLIES[2:3]) and book.all() == DEMO_SAVED_REPLIES[2:3]
    assert book.named("double-debit-fixed") is None
