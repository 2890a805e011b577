"""What a ticket card on the board says, in the few characters a column has."""

from __future__ import annotations

import re
from collections.abc import Iterable

from smm_tui.core.addressing import handle_key

#: A leading ``@handle`` (``@bank_x``, ``@bank.bsky.social``, ``@bank@mastodon.social``).
_LEADING_HANDLE = re.compile(r"\s*@(\w(?:[\w.-]*\w)?(?:@\w(?:[\w.-]*\w)?)?)[\s,:;]*")


def card_title(title: str, own_accounts: Iterable[str]) -> str:
    """``title`` without the @-addressing of our own accounts it starts with.

    A reply on X or Mastodon starts with the handles it answers (``@bank_x Card
    declined``): on a card, our own handle would take the room of the complaint.
    Other people's handles stay; a title that is nothing but our handles is kept.
    """
    own = {key for key in map(handle_key, own_accounts) if key}
    rest = title
    while own and (match := _LEADING_HANDLE.match(rest)) and handle_key(match[1]) in own:
        rest = rest[match.end() :]
    return rest.strip() or title
