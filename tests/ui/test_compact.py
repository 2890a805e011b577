"""Rows and headers reach the terminal in as few style changes as their looks allow."""

from __future__ import annotations

from textual.content import Content

from smm_tui.widgets.render import compact


def test_blanks_join_the_part_after_them_and_one_style_is_one_part() -> None:
    parts: list[str | tuple[str, str]] = [
        (" ", "bold $warning"),
        ("●", "bold $text-accent"),
        " ",
        ("‼-2h", "$text-error"),
        (" · bank-vk · ", "$text-muted"),
        ("2026-12-07 09:00 UTC", "$text-muted"),
        "text",
    ]
    assert compact(parts) == [
        (" ●", "bold $text-accent"),
        (" ‼-2h", "$text-error"),
        (" · bank-vk · 2026-12-07 09:00 UTC", "$text-muted"),
        "text",
    ]


def test_nothing_of_the_text_is_lost_or_moved() -> None:
    parts: list[str | tuple[str, str]] = [("a ", "x"), ("  ", "y"), ("b", "y"), ("   ", "z")]
    joined = compact(parts)
    assert Content.assemble(*joined).plain == Content.assemble(*parts).plain == "a   b   "
    assert joined == [("a ", "x"), ("  b", "y"), "   "]
