"""Saved views: named queries shown as sections of the feed, each with a live count.

They come from ``[views]`` in the config (name = query); without it the
defaults below apply. A view lists the open queue, most urgent first, except
one whose query is ``*``: that lists everything, newest first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from smm_tui.core.feed import FeedFilter, FeedScope
from smm_tui.core.query import Query, QueryError, parse
from smm_tui.core.sanitize import one_line

#: The query of a view that lists everything (open or not).
EVERYTHING = "*"

DEFAULT_VIEWS: tuple[tuple[str, str], ...] = (
    ("Queue", ""),
    ("Unassigned", "assignee:none"),
    ("Breaching", "is:breaching"),
    ("Negative", "sentiment:neg"),
    ("Mine", "assignee:me"),
    ("All", EVERYTHING),
)


@dataclass(frozen=True, slots=True)
class View:
    """A named query over the open queue, or over everything."""

    name: str
    query: Query
    scope: FeedScope = FeedScope.OPEN

    @property
    def filter(self) -> FeedFilter:
        """The feed filter that shows this view."""
        return FeedFilter(self.scope, self.query)

    def refined(self, typed: str) -> FeedFilter:
        """This view narrowed by what was typed after ``/``; raises QueryError.

        Error positions refer to ``typed``.
        """
        extra = parse(typed)
        if extra.is_empty:
            return self.filter
        if self.query.is_empty:
            return FeedFilter(self.scope, extra)
        return FeedFilter(self.scope, parse(f"({self.query.text}) ({extra.text})"))


class ViewError(ValueError):
    """A view's query is wrong; the message names the view and where."""


def build_views(queries: Mapping[str, str] | None = None) -> tuple[View, ...]:
    """Views from ``name → query`` (the defaults when None); raises ViewError."""
    pairs = DEFAULT_VIEWS if queries is None else tuple(queries.items())
    views: list[View] = []
    for name, text in pairs:
        if text.strip() == EVERYTHING:
            views.append(View(name, parse(""), FeedScope.ALL))
            continue
        try:
            views.append(View(name, parse(text)))
        except QueryError as exc:
            raise ViewError(f"view {name!r}: {exc}") from None
    return tuple(views)


#: What an empty list says when nothing was typed after ``/``.
NOTHING_YET = "No mentions here yet."


def empty_text(typed: str) -> str:
    """What an empty feed says: that nothing matches the query typed, if one was.

    The query is shown as literal text, on one line, made safe (the caller must
    still render it as text, never as markup).
    """
    if not typed.strip():
        return NOTHING_YET
    return f"nothing matches {one_line(typed.strip())}"
