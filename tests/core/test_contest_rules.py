"""Contest rules as a TOML file: parsing, one-line errors, canonical hash and round trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from smm_tui.core.contest_rules import ContestPost, RulesError, parse_rules
from smm_tui.core.models import Platform

FULL = """
opens = "2026-11-01T12:00:00+03:00"
closes = "2026-11-08T18:00:00+03:00"
winners = 2
reserves = 1

[[posts]]
network = "vk"
post = "-123_456"

[[posts]]
network = "telegram"
post = 42

[entry]
keyword = "#Кедр"
min_tagged_friends = 2
membership = true
min_account_age_days = 30

[exclusions]
staff = ["@Anna_SMM", "boris"]
blocklist = ["spam_bot"]
earlier_winners_within_days = 90
"""

# The same rules: keys reordered, other spacing, a TOML datetime, defaults spelt out.
SAME = """
reserves=1
winners=2
closes=2026-11-08T18:00:00+03:00
opens =   "2026-11-01T12:00:00+03:00"
[exclusions]
earlier_winners_within_days=90
blocklist=["spam_bot"]
staff=["boris","anna_smm"]
[entry]
min_account_age_days=30
one_per_person=true
same_person_across_networks=false
membership=true
min_tagged_friends=2
keyword="#Кедр"
[[posts]]
post="-123_456"
network="vk"
[[posts]]
network="telegram"
post="42"
"""

MINIMAL = """
opens = "2026-11-01T12:00:00Z"
closes = "2026-11-02T12:00:00Z"
[[posts]]
network = "mastodon"
post = "109"
"""


def test_a_full_file_parses_with_normalised_handles() -> None:
    rules = parse_rules(FULL)
    msk = timezone(timedelta(hours=3))
    assert rules.posts == (
        ContestPost(Platform.VK, "-123_456"),
        ContestPost(Platform.TELEGRAM, "42"),
    )
    assert rules.opens == datetime(2026, 11, 1, 12, tzinfo=msk)
    assert rules.closes.utcoffset() == timedelta(hours=3)
    assert rules.entry.keyword == "#Кедр" and rules.entry.min_tagged_friends == 2
    assert rules.entry.one_per_person and not rules.entry.same_person_across_networks
    assert rules.entry.membership and rules.entry.min_account_age_days == 30
    assert rules.exclusions.staff == ("anna_smm", "boris")
    assert rules.exclusions.blocklist == ("spam_bot",)
    assert rules.exclusions.earlier_winners_within_days == 90
    assert (rules.winners, rules.reserves) == (2, 1)


def test_defaults_when_only_the_required_keys_are_given() -> None:
    rules = parse_rules(MINIMAL)
    assert rules.opens == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert rules.entry.keyword is None and rules.entry.min_tagged_friends == 0
    assert rules.entry.one_per_person and not rules.entry.membership
    assert rules.entry.min_account_age_days is None
    assert rules.exclusions.staff == () and rules.exclusions.earlier_winners_within_days is None
    assert (rules.winners, rules.reserves) == (1, 0)


def test_equivalent_files_hash_alike_and_a_changed_value_does_not() -> None:
    first, second = parse_rules(FULL), parse_rules(SAME)
    assert first.canonical_json() == second.canonical_json()
    assert first.rules_hash() == second.rules_hash()
    assert len(first.rules_hash()) == 64
    changed = parse_rules(FULL.replace("min_tagged_friends = 2", "min_tagged_friends = 1"))
    assert changed.rules_hash() != first.rules_hash()
    assert (
        parse_rules(FULL.replace("reserves = 1", "reserves = 0")).rules_hash() != first.rules_hash()
    )


def test_canonical_json_is_sorted_compact_utf8() -> None:
    data = parse_rules(FULL).canonical_json()
    text = data.decode("utf-8")
    assert "#Кедр" in text and "\\u" not in text
    assert ": " not in text and ", " not in text
    assert text.startswith('{"closes":"2026-11-08T18:00:00+03:00","entry":{')


@pytest.mark.parametrize("source", [FULL, SAME, MINIMAL])
def test_to_toml_round_trips(source: str) -> None:
    rules = parse_rules(source)
    again = parse_rules(rules.to_toml())
    assert again == rules
    assert again.rules_hash() == rules.rules_hash()


def test_awkward_strings_survive_the_round_trip() -> None:
    rules = parse_rules(MINIMAL.replace('post = "109"', 'post = "a\\"b\\\\c\\tд"'))
    assert rules.posts[0].post == 'a"b\\c\tд'
    assert parse_rules(rules.to_toml()) == rules


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("opens = [", "not valid TOML"),
        (MINIMAL.replace('opens = "2026-11-01T12:00:00Z"', ""), "opens:"),
        (
            MINIMAL.replace("2026-11-01T12:00:00Z", "2026-11-01T12:00:00"),
            "opens: needs a UTC offset",
        ),
        (MINIMAL.replace("2026-11-01T12:00:00Z", "next monday"), "opens: not an ISO 8601"),
        (MINIMAL.replace("2026-11-02T12:00:00Z", "2026-11-01T12:00:00Z"), "closes: must be after"),
        (MINIMAL.replace("[[posts]]", "[[other]]"), "other: unknown key"),
        (MINIMAL.replace('network = "mastodon"', 'network = "myspace"'), "posts[1].network:"),
        (MINIMAL.replace('post = "109"', 'post = ""'), "posts[1].post:"),
        (MINIMAL.replace('post = "109"', 'post = "1"\nurl = "x"'), "posts[1].url: unknown key"),
        ('opens = "2026-11-01T12:00:00Z"\ncloses = "2026-11-02T12:00:00Z"', "posts:"),
        ("winners = 0\n" + MINIMAL, "rules: winners: must be a whole number ≥ 1"),
        (MINIMAL.replace("[[posts]]", "reserves = -1\n[[posts]]"), "reserves:"),
        (MINIMAL + '[entry]\nkeyword = "two words"\n', "entry.keyword:"),
        (MINIMAL + "[entry]\nmin_tagged_friends = -1\n", "entry.min_tagged_friends:"),
        (MINIMAL + "[entry]\nmin_tagged_friends = true\n", "entry.min_tagged_friends:"),
        (MINIMAL + '[entry]\none_per_person = "yes"\n', "entry.one_per_person:"),
        (MINIMAL + "[entry]\nmin_account_age_days = 1.5\n", "entry.min_account_age_days:"),
        (MINIMAL + '[entry]\nkeywords = "x"\n', "entry.keywords: unknown key"),
        (MINIMAL + '[exclusions]\nstaff = "anna"\n', "exclusions.staff:"),
        (MINIMAL + '[exclusions]\nblocklist = ["@"]\n', "exclusions.blocklist: has an empty"),
        (
            MINIMAL + "[exclusions]\nearlier_winners_within_days = -3\n",
            "exclusions.earlier_winners",
        ),
    ],
)
def test_a_bad_file_is_refused_in_one_line_naming_the_key(text: str, key: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules(text)
    message = str(caught.value)
    assert message.startswith("rules: ") and key in message
    assert "\n" not in message
