"""Counted words read as English, and an edited tag list becomes adds and removes."""

from __future__ import annotations

from smm_tui.core.wording import plural, shared_tags, shown_tags, tag_edit, tag_words


def test_plural_forms() -> None:
    assert plural(1, "mention") == "1 mention"
    assert plural(12, "mention") == "12 mentions"
    assert plural(0, "entry") == "0 entries"
    assert plural(1, "entry") == "1 entry"
    assert plural(2, "reply") == "2 replies"
    assert plural(3, "day") == "3 days"
    assert plural(2, "ticket") == "2 tickets"
    assert plural(2, "box") == "2 boxes"
    assert plural(2, "account") == "2 accounts"
    assert plural(2, "person", "people") == "2 people"


def test_tag_edit_removes_what_was_deleted_from_the_shown_tags() -> None:
    assert tag_edit(["vip", "refund"], "vip urgent") == (["urgent"], ["refund"])
    assert tag_edit(["vip"], "VIP") == ([], [])
    assert tag_edit([], "refund -spam") == (["refund"], ["spam"])
    assert tag_edit(["vip"], "") == ([], ["vip"])
    assert tag_edit(["vip"], "-vip") == ([], ["vip"])


def test_shared_tags_are_those_every_mention_has() -> None:
    assert shared_tags([("vip", "refund"), ("Refund", "x")]) == ["refund"]
    assert shared_tags([("vip",)]) == ["vip"]
    assert shared_tags([]) == []


def test_a_tag_with_a_space_is_shown_quoted_and_kept_whole() -> None:
    shown = ["new customer", "vip"]
    assert shown_tags(shown) == '"new customer" vip'
    assert tag_edit(shown, shown_tags(shown)) == ([], [])
    assert tag_edit(shown, '"new customer" vip urgent') == (["urgent"], [])
    assert tag_edit(shown, "vip") == ([], ["new customer"])
    assert tag_edit([], '-"new customer" "late  card"') == (["late card"], ["new customer"])
    assert tag_words('a "b c" -"d e" "unclosed tail') == ["a", "b c", "-d e", "unclosed tail"]
    assert tag_words('"" -"  "') == []
