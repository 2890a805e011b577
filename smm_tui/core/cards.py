"""What a ticket card on the board says, in the few characters a column has."""

from __future__ import annotations

from collections.abc import Iterable

from smm_tui.core.addressing import own_keys, strip_own_addressing


def card_title(title: str, own_accounts: Iterable[str]) -> str:
    """``title`` without the @-addressing of our own accounts it starts with.

    A reply on X or Mastodon starts with the handles it answers (``@bank_x Card
    declined``): on a card, our own handle would take the room of the complaint.
    Other people's handles stay; a title that is nothing but our handles is kept.
    """
    return strip_own_addressing(title, own_keys(own_accounts)).strip() or title
