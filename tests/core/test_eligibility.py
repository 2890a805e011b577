"""Eligibility: every rejected comment gets one reason in words, deterministically."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

from smm_tui.core.contest_rules import ContestRules, parse_rules
from smm_tui.core.eligibility import (
    Accepted,
    AuthorFacts,
    Decision,
    EarlierWin,
    Rejected,
    decide,
    tagged_friends,
)
from smm_tui.core.models import Author, Mention, Platform

MSK = timezone(timedelta(hours=3))
OPENS = datetime(2026, 11, 1, 12, tzinfo=MSK)
CLOSES = datetime(2026, 11, 8, 18, tzinfo=MSK)

BASE = """
opens = "2026-11-01T12:00:00+03:00"
closes = "2026-11-08T18:00:00+03:00"
[[posts]]
network = "vk"
post = "-1_5"
"""


def rules(entry: str = "", exclusions: str = "") -> ContestRules:
    return parse_rules(BASE + "[entry]\n" + entry + "\n[exclusions]\n" + exclusions)


def comment(
    n: int,
    text: str = "#кедр",
    *,
    author: str = "u1",
    handle: str = "",
    platform: Platform = Platform.VK,
    at: datetime | None = None,
) -> Mention:
    return Mention(
        platform=platform,
        account="brand",
        external_id=f"c{n}",
        author=Author(id=author, handle=handle or f"h_{author}"),
        text=text,
        created_at=at or OPENS + timedelta(hours=n),
    )


def reasons(decisions: tuple[Decision, ...]) -> list[str | None]:
    return [d.verdict.reason if isinstance(d.verdict, Rejected) else None for d in decisions]


def only(decisions: tuple[Decision, ...]) -> Decision:
    assert len(decisions) == 1
    return decisions[0]


def test_the_entry_window_is_checked_first() -> None:
    found = decide(
        rules(),
        [
            comment(1, at=OPENS - timedelta(seconds=1), author="a"),
            comment(2, at=OPENS, author="b"),
            comment(3, at=CLOSES - timedelta(seconds=1), author="c"),
            comment(4, at=CLOSES, author="d"),
        ],
    )
    assert reasons(found) == [
        "written before entries opened",
        None,
        None,
        "written after entries closed",
    ]


def test_the_keyword_is_matched_folded_and_whole() -> None:
    ruled = rules('keyword = "#кедр"')
    texts = ["Участвую! #Кедр", "#КЕДР и друзья", "#кёдр", "кедр без решётки", "#кедры", "x#кедр"]
    found = decide(ruled, [comment(n, t, author=f"a{n}") for n, t in enumerate(texts)])
    assert reasons(found) == [None, None, None, "no #кедр", "no #кедр", "no #кедр"]
    worded = decide(
        rules('keyword = "Ёлка"'), [comment(1, "моя елка!"), comment(2, "ёлкин", author="b")]
    )
    assert reasons(worded) == [None, "no Ёлка"]


def test_tagged_friends_are_distinct_and_not_the_brand_or_the_author() -> None:
    brand = frozenset({"brand_vk"})
    text = (
        "@olga @Olga @brand_vk @me @ivan.bsky.social @petr@mastodon.social"
        " mail@example.com [id7|Анна]"
    )
    assert tagged_friends(text, author_handle="@me", brand_handles=brand) == 4
    ruled = rules("min_tagged_friends = 2")
    found = decide(
        ruled,
        [
            comment(1, "@olga @OLGA @brand_vk", author="a"),
            comment(2, "@me @olga", author="b", handle="me"),
            comment(3, "no tags", author="c"),
            comment(4, "@olga @ivan", author="d"),
        ],
        brand_handles=["@Brand_VK"],
    )
    assert reasons(found) == [
        "tags 1 friend, 2 needed",
        "tags 1 friend, 2 needed",
        "tags 0 friends, 2 needed",
        None,
    ]


def test_one_entry_per_person_the_earliest_counts() -> None:
    given = [
        comment(3, "#кедр again", author="a"),
        comment(1, "no keyword here", author="a"),
        comment(2, "#кедр", author="b"),
    ]
    ruled = rules('keyword = "#кедр"')
    found = decide(ruled, given)
    assert [d.comment.external_id for d in found] == ["c1", "c2", "c3"]
    assert reasons(found) == ["no #кедр", None, "second entry by the same person"]
    lenient = decide(rules('keyword = "#кедр"\none_per_person = false'), given)
    assert reasons(lenient) == ["no #кедр", None, None]


def test_the_same_person_across_networks_only_when_the_rules_say_so() -> None:
    given = [
        comment(1, author="a"),
        comment(2, author="m1", platform=Platform.MASTODON),
        comment(3, author="a", platform=Platform.MASTODON),
    ]
    linked = {(Platform.VK, "a"): "person-1", (Platform.MASTODON, "m1"): "person-1"}
    assert reasons(decide(rules(), given, same_person=linked)) == [None, None, None]
    across = rules("same_person_across_networks = true")
    found = decide(across, given, same_person=linked)
    assert reasons(found) == [None, "second entry by the same person", None]


def test_exclusions_staff_blocklist_and_recent_winners() -> None:
    ruled = rules(
        'keyword = "#кедр"',
        'staff = ["@Anna"]\nblocklist = ["bot"]\nearlier_winners_within_days = 30',
    )
    wins = [
        EarlierWin(Platform.VK, "w", datetime(2026, 10, 1, 23, tzinfo=MSK) + timedelta(hours=3)),
        EarlierWin(Platform.VK, "w", datetime(2026, 10, 2, 12, 30, tzinfo=MSK)),
        EarlierWin(Platform.VK, "old", OPENS - timedelta(days=31)),
        EarlierWin(Platform.MASTODON, "x", OPENS - timedelta(days=1)),
    ]
    found = decide(
        ruled,
        [
            comment(1, "нет слова", author="s", handle="anna"),
            comment(2, author="b", handle="@BOT"),
            comment(3, author="w"),
            comment(4, author="old"),
            comment(5, author="x"),
        ],
        earlier_wins=wins,
    )
    assert reasons(found) == ["staff", "on the blocklist", "won on 2026-10-02", None, None]


def test_membership_rejects_non_members_and_notes_what_the_network_cannot_tell() -> None:
    checked = datetime(2026, 11, 8, 15, 0, tzinfo=UTC)
    facts = {
        (Platform.VK, "out"): AuthorFacts(is_member=False, created_at=None, checked_at=checked),
        (Platform.VK, "in"): AuthorFacts(is_member=True, created_at=None, checked_at=checked),
        (Platform.X, "x1"): AuthorFacts(is_member=None, created_at=None, checked_at=checked),
        (Platform.VK, "early"): AuthorFacts(
            is_member=False, created_at=None, checked_at=checked - timedelta(days=1)
        ),
    }
    found = decide(
        rules("membership = true"),
        [
            comment(1, author="out"),
            comment(2, author="in"),
            comment(3, author="x1", platform=Platform.X),
            comment(4, author="unasked"),
            comment(5, author="early"),
        ],
        facts=facts,
    )
    assert reasons(found) == [
        "not a member of the community at 18:00",
        None,
        None,
        None,
        "not a member of the community at 18:00 on 2026-11-07",
    ]
    assert found[1].notes == ()
    assert found[2].accepted and found[2].notes == ("membership not checked: X cannot tell",)
    assert found[3].notes == ("membership not checked: not looked up yet",)


def test_account_age_is_measured_at_the_comment_and_skipped_where_unknown() -> None:
    at = OPENS + timedelta(hours=1)
    facts = {
        (Platform.MASTODON, "new"): AuthorFacts(None, at - timedelta(days=3, hours=5), at),
        (Platform.MASTODON, "day"): AuthorFacts(None, at - timedelta(days=1), at),
        (Platform.MASTODON, "fresh"): AuthorFacts(None, at - timedelta(hours=2), at),
        (Platform.MASTODON, "ok"): AuthorFacts(None, at - timedelta(days=30), at),
        (Platform.VK, "vk"): AuthorFacts(True, None, at),
    }
    ruled = rules("min_account_age_days = 30\nmembership = false")
    found = decide(
        ruled,
        [
            comment(1, author=name, platform=Platform.MASTODON, at=at + timedelta(seconds=i))
            for i, name in enumerate(["new", "day", "fresh", "ok"])
        ]
        + [comment(2, author="vk")],
        facts=facts,
    )
    assert reasons(found) == [
        "account created 3 days ago",
        "account created 1 day ago",
        "account created less than a day ago",
        None,
        None,
    ]
    assert found[3].notes == ()
    assert found[4].notes == ("account age not checked: VK gives no creation date",)


def test_the_first_failing_check_is_the_reason_and_the_result_is_deterministic() -> None:
    ruled = rules('keyword = "#кедр"\nmin_tagged_friends = 1', 'blocklist = ["bad"]')
    given = [
        comment(1, "nothing", author="bad", handle="bad"),
        comment(2, "nothing", author="c"),
        comment(3, "#кедр @friend", author="d", at=OPENS + timedelta(hours=2)),
        comment(5, "#кедр", author="e"),
    ]
    found = decide(ruled, given)
    assert reasons(found) == [
        "on the blocklist",
        "no #кедр",
        None,
        "tags 0 friends, 1 needed",
    ]
    assert decide(ruled, list(reversed(given))) == found
    assert isinstance(found[2].verdict, Accepted)


def test_people_a_vk_comment_tags_by_name_count_by_their_ids() -> None:
    # The adapter shows "[id7|Анна] [id8|Анна]" as "Анна Анна", keeping the ids aside.
    two_annas = dataclasses.replace(
        comment(1, "Анна Анна, участвуем!", author="5"), tagged=("id7", "id8", "id5")
    )
    assert decide(rules("min_tagged_friends = 2"), [two_annas])[0].accepted, "not the author"
    one = dataclasses.replace(comment(2, "Анна", author="6"), tagged=("id7", "id7"))
    assert reasons(decide(rules("min_tagged_friends = 2"), [one])) == ["tags 1 friend, 2 needed"]
