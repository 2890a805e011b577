"""Saved replies: named answers with fields, filled from the mention and its ticket.

A body is plain text with fields in braces, ``{first_name}``; ``{{`` and ``}}``
are literal braces. Filling never runs :meth:`str.format` (a body is config
text, and ``{name.__class__}`` must stay an unknown field, not an attribute
lookup): each field is looked up in the values, and a field that is unknown
or has no value is a problem said in words, never text with a ``{field}`` left in.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from smm_tui.core.models import Intent, Mention, Platform, Ticket

#: The fields a body may hold, in the order help lists them.
FIELDS: tuple[str, ...] = (
    "name",
    "first_name",
    "handle",
    "ticket",
    "agent",
    "department",
    # A contest's announcement (saved replies tagged ``contest-winners``):
    "contest",
    "winners",
    "commitment",
    "round",
)

#: Networks whose people are addressed as ``@handle``.
_AT_NETWORKS = frozenset({Platform.TELEGRAM, Platform.MASTODON, Platform.BLUESKY, Platform.X})
#: A Telegram author without a username is stored as ``id<number>``: not a handle to write.
_NUMERIC_ID = re.compile(r"id\d+")
_LONE_BRACE = 'a lone "{" or "}" (write {{ or }} for a brace)'
#: Why a field has no value, by field (``department`` depends on whether there is a ticket).
_NO_VALUE = {
    "name": "the customer has no display name",
    "first_name": "the customer has no display name",
    "handle": "the customer has no handle",
    "ticket": "the mention has no ticket",
    "agent": "no agent is signed in",
    "contest": "this is no contest announcement",
    "winners": "this is no contest announcement",
    "commitment": "this is no announcement of a beacon draw",
    "round": "this is no announcement of a beacon draw",
}


@dataclass(frozen=True, slots=True)
class SavedReply:
    """One saved reply: a name, its language (``ru``, ``en``, ``ar``…), tags and a body.

    The body may hold fields: ``{name}``, ``{first_name}``, ``{handle}``,
    ``{ticket}``, ``{agent}``, ``{department}``.
    """

    name: str
    body: str
    language: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Filled:
    """A saved reply filled in: its ``text``, or the ``problem`` that stops it (one is None)."""

    text: str | None
    problem: str | None = None


class SavedReplyBook:
    """The saved replies in use now; replaced whole when their file changes (hot reload)."""

    def __init__(self, replies: Sequence[SavedReply] = ()) -> None:
        self._replies = tuple(replies)

    def all(self) -> tuple[SavedReply, ...]:
        """Every saved reply, in the order they were written."""
        return self._replies

    def replace(self, replies: Sequence[SavedReply]) -> bool:
        """Use ``replies`` from now on; True when they differ from the ones in use."""
        new = tuple(replies)
        changed = new != self._replies
        self._replies = new
        return changed

    def named(self, name: str) -> SavedReply | None:
        """The saved reply called ``name``, if any."""
        return next((reply for reply in self._replies if reply.name == name), None)


# --- fields ----------------------------------------------------------------------------


def fields_in(body: str) -> tuple[str, ...]:
    """The fields ``body`` names, each once, in the order they first appear.

    Raises ValueError, saying what is wrong, for a body that does not parse
    (a lone ``{`` or ``}``).
    """
    return tuple(dict.fromkeys(field for _, field, _ in _parts(body) if field is not None))


def problem_in(body: str) -> str | None:
    """What stops ``body`` being filled for anyone (bad braces, an unknown field), or None."""
    try:
        parts = _parts(body)
    except ValueError as exc:
        return str(exc)
    for _, field, spec in parts:
        if field is not None:
            problem = _field_problem(field, spec)
            if problem is not None:
                return problem
    return None


def values_for(mention: Mention, *, ticket: Ticket | None, agent: str) -> dict[str, str]:
    """The fields' values for a reply to ``mention``; a field with no value is left out."""
    name = " ".join(mention.author.display_name.split())
    found = {
        "name": name,
        "first_name": name.split(" ", 1)[0],
        "handle": _handle(mention),
        "ticket": ticket.label if ticket is not None else "",
        "department": ticket.department.strip() if ticket is not None else "",
        "agent": agent.strip(),
    }
    return {field: value for field, value in found.items() if value}


def fill(reply: SavedReply, values: Mapping[str, str]) -> Filled:
    """``reply``'s body with its fields filled from ``values``, or the first problem."""
    try:
        parts = _parts(reply.body)
    except ValueError as exc:
        return Filled(None, str(exc))
    pieces: list[str] = []
    for literal, field, spec in parts:
        pieces.append(literal)
        if field is None:
            continue
        problem = _field_problem(field, spec)
        if problem is None and field not in values:
            problem = f"no {{{field}}}: {_why_no_value(field, values)}"
        if problem is not None:
            return Filled(None, problem)
        pieces.append(values[field])
    return Filled("".join(pieces))


def _parts(body: str) -> list[tuple[str, str | None, str]]:
    """``(literal, field, conversion and format spec)`` per piece; ValueError on bad braces."""
    try:
        parsed = list(string.Formatter().parse(body))
    except ValueError:
        raise ValueError(f"the body has {_LONE_BRACE}") from None
    return [
        (literal, field, (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else ""))
        for literal, field, spec, conversion in parsed
    ]


def _field_problem(field: str, spec: str) -> str | None:
    """Why ``{field}`` can never be filled, or None."""
    if field not in FIELDS:
        close = difflib.get_close_matches(field, FIELDS, n=1)
        hint = f" (did you mean {{{close[0]}}}?)" if close else ""
        return f"unknown field {{{field}}}{hint}"
    if spec:
        return f"field {{{field}}} takes no format ({spec!r})"
    return None


def _why_no_value(field: str, values: Mapping[str, str]) -> str:
    if field == "department":
        return "the ticket has no department" if "ticket" in values else _NO_VALUE["ticket"]
    return _NO_VALUE[field]


def _handle(mention: Mention) -> str:
    """The author's handle as people write it on their network (``@anna`` where ``@`` is used)."""
    handle = mention.author.handle.strip()
    if not handle or mention.platform not in _AT_NETWORKS or handle.startswith("@"):
        return handle
    if mention.platform is Platform.TELEGRAM and _NUMERIC_ID.fullmatch(handle):
        return ""
    return "@" + handle


# --- order -----------------------------------------------------------------------------


def same_language(reply_language: str, language: str) -> bool:
    """Whether a reply written in ``reply_language`` suits ``language`` (``ru`` suits ``ru-RU``)."""

    def primary(tag: str) -> str:
        return tag.strip().replace("_", "-").split("-", 1)[0].casefold()

    return bool(primary(reply_language)) and primary(reply_language) == primary(language)


def ranked(
    replies: Sequence[SavedReply], *, language: str, intent: Intent | str
) -> list[SavedReply]:
    """``replies`` in the customer's language first, then those tagged with the mention's
    intent (``complaint``, ``question``, ``praise``…), then the rest, each in written order."""
    wanted = "" if intent == Intent.UNKNOWN else str(intent).casefold()

    def tagged(reply: SavedReply) -> bool:
        return bool(wanted) and any(tag.casefold() == wanted for tag in reply.tags)

    return sorted(replies, key=lambda r: (not same_language(r.language, language), not tagged(r)))
