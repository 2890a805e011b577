"""The Content pane's filter over deliveries (the language is :mod:`smm_tui.core.term_filter`).

Example::

    status:scheduled,held account:bank-vk campaign:spring platform:vk "free delivery" -promo

A word or a ``"phrase"`` matches the post's text (what goes out on the
account, and its main text). Fields: ``status`` (``draft``, ``scheduled``,
``held``, ``publishing``, ``published``, ``failed``), ``account`` (its name),
``campaign`` and ``platform`` (``vk``, ``tg``…).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from smm_tui.core.calendar import Entry, Status
from smm_tui.core.platforms import PLATFORMS
from smm_tui.core.query_ast import fold
from smm_tui.core.query_fields import SPELLINGS
from smm_tui.core.query_parse import QueryError as QueryError
from smm_tui.core.term_filter import Term, parse_terms

#: Field → its accepted spellings and what each means (None: any value, compared as is).
_VALUES: Mapping[str, Mapping[str, str] | None] = {
    "status": {status.value: status.value for status in Status},
    "account": None,
    "campaign": None,
    # The feed's spellings (``vk``, ``telegram``, ``tg``…), and each network's label.
    "platform": {
        **SPELLINGS["platform"],
        **{entry.label.lower(): p.value for p, entry in PLATFORMS.items()},
    },
}
FIELDS: tuple[str, ...] = tuple(_VALUES)
#: One line for help.
QUERY_HELP = (
    "Filter: status:scheduled,failed,held,draft,published account:NAME campaign:NAME "
    'platform:vk, words or "a phrase" in the text, -term to leave out.'
)


def _matches(term: Term, entry: Entry) -> bool:
    """Whether the entry matches the term (before negation)."""
    if term.field is None:
        text = fold(f"{entry.delivery.text}\n{entry.post.text}")
        return all(value in text for value in term.values)
    return _field_value(entry, term.field) in term.values


def _field_value(entry: Entry, field: str) -> str:
    if field == "status":
        return entry.status.value
    if field == "account":
        return fold(entry.account)
    if field == "campaign":
        return fold(entry.post.campaign)
    return entry.platform.value


@dataclass(frozen=True, slots=True)
class PostQuery:
    """A parsed filter: every term must match (none: everything matches)."""

    terms: tuple[Term, ...] = ()

    def matches(self, entry: Entry) -> bool:
        """Whether a delivery (as the pane places it) passes the filter."""
        return all(_matches(term, entry) != term.negated for term in self.terms)


def parse_post_query(text: str) -> PostQuery:
    """Parse a filter; :class:`QueryError` says what is wrong and where."""
    return PostQuery(parse_terms(text, _VALUES))
