"""What every network's answer about contest entrants shares: the errors and the gaps.

Each network's :meth:`author_facts` (``<network>_facts.py``) asks in batches as
its API allows; these helpers read the fields those answers have in common
and fill in the authors a network said nothing about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from smm_tui.adapters.base import PermanentError, id_batches
from smm_tui.adapters.http import CallContext
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, from_iso

__all__ = ["Gathered", "bad_field", "batches_of", "iso_time"]


def bad_field(ctx: CallContext, method: str, field: str) -> PermanentError:
    """The error for an answer to ``method`` whose ``field`` is missing or unusable.

    The field is named so that someone can report it; its value is not shown
    (it came from the network and may say anything).
    """
    return PermanentError(f"{ctx.who}: {method} answered without a usable {field!r}")


def batches_of(
    authors: Iterable[Author], size: int, valid: Callable[[str], object]
) -> list[list[str]]:
    """The ``valid`` author ids, each once and in order, in batches of ``size``."""
    return id_batches((author.id for author in authors), size, valid)


def iso_time(value: Any, ctx: CallContext, method: str, field: str) -> datetime | None:
    """``value`` read as an ISO 8601 time; None when absent; :func:`bad_field` when not a time."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_field(ctx, method, field)
    try:
        return from_iso(value)
    except ValueError:
        raise bad_field(ctx, method, field) from None


class Gathered:
    """What the network said so far, per author id, with when it said it."""

    def __init__(self) -> None:
        self._members: dict[str, tuple[bool | None, datetime]] = {}
        self._created: dict[str, tuple[datetime | None, datetime]] = {}

    def members(self, found: Mapping[str, bool | None], asked: Iterable[str], at: datetime) -> None:
        """The membership of each id of ``asked`` (None where ``found`` has no word of it)."""
        for author_id in asked:
            self._members[author_id] = (found.get(author_id), at)

    def created(
        self, found: Mapping[str, datetime | None], asked: Iterable[str], at: datetime
    ) -> None:
        """The creation date of each id of ``asked`` (None where ``found`` has none)."""
        for author_id in asked:
            self._created[author_id] = (found.get(author_id), at)

    def facts(self, authors: Sequence[Author], now: datetime) -> dict[str, AuthorFacts]:
        """Every author's facts; ``checked_at`` is the latest answer about them (else ``now``)."""
        result: dict[str, AuthorFacts] = {}
        for author in authors:
            member, member_at = self._members.get(author.id, (None, None))
            created, created_at = self._created.get(author.id, (None, None))
            times = [t for t in (member_at, created_at) if t is not None]
            result[author.id] = AuthorFacts(member, created, max(times) if times else now)
        return result
