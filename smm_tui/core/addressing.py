"""@-handles in a comment: who it is addressed to, and which handles are our own.

A reply on X or Mastodon starts with the handles it answers (``@bank_x @anna …``),
and customers tag the brand's account anywhere in a comment. Neither says
anything about the comment's tone or intent, so the classifier reads a text
without its leading addressing and without our own handles; a stranger's handle
later in the text (``contact @recovery_pro``) stays, as weak spam evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

__all__ = ["handle_key", "own_keys", "strip_handles", "strip_own_addressing"]

#: ``@name``, ``@name.bsky.social`` or ``@name@instance``; never the middle of an e-mail address.
_HANDLE: Final = r"@\w(?:[\w.-]*\w)?(?:@\w(?:[\w.-]*\w)?)?"
_HANDLE_RE: Final = re.compile(r"(?<![\w@])" + _HANDLE)
_LEADING_RE: Final = re.compile(r"\s*(?:" + _HANDLE + r"[\s,:;]*)+")
_ONE_LEADING_RE: Final = re.compile(r"\s*(" + _HANDLE + r")[\s,:;]*")
_NOT_KEY_RE: Final = re.compile(r"[\W_]+")


def handle_key(handle: str) -> str:
    """What identifies a handle or an account name, whatever the network's spelling.

    ``@bank_x``, ``bank-x``, ``@bank_x@mastodon.social`` and ``@bank-x.bsky.social``
    all give ``bankx``.
    """
    name = handle.lower().lstrip("@").split("@", 1)[0].split(".", 1)[0]
    return _NOT_KEY_RE.sub("", name)


@lru_cache(maxsize=256)
def _keys(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(key for key in map(handle_key, names) if key)


def own_keys(names: Iterable[str]) -> frozenset[str]:
    """The keys of our own accounts' names and handles (empty ones dropped)."""
    return _keys(tuple(names))


def strip_handles(text: str, own: frozenset[str]) -> tuple[str, list[str]]:
    """``text`` without its leading @-addressing and our own handles anywhere.

    Returns the text left and the other handles it still mentions (they are cut
    out of the text too, so their letters are not read as words).
    """
    lead = _LEADING_RE.match(text)
    if lead is not None:
        text = text[lead.end() :]
    if "@" not in text:
        return text, []
    strangers: list[str] = []

    def cut(match: re.Match[str]) -> str:
        handle = match.group()
        if handle_key(handle) not in own:
            strangers.append(handle)
        return " "

    return _HANDLE_RE.sub(cut, text), strangers


def strip_own_addressing(text: str, own: frozenset[str]) -> str:
    """``text`` without the @-handles of our own accounts it starts with (others' stay)."""
    rest = text
    while own and (match := _ONE_LEADING_RE.match(rest)) and handle_key(match[1]) in own:
        rest = rest[match.end() :]
    return rest
