"""What the demo's networks say about contest entrants: membership and account age.

Every answer follows from the network and the author's id alone (a hash of
them), so a demo contest rejects the same people on every run: about one in
eight is not a member of the brand's community and about one in ten has an
account made a few days ago; the rest are members with accounts years old.
As on the real networks (their capabilities in :mod:`smm_tui.core.platforms`), X
cannot tell membership (None) and VK and Telegram give no creation date (None).
Creation dates fall on a UTC midnight, counted back from the day of the check, so
an account "three days old" stays that age all day long.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Platform
from smm_tui.core.platforms import spec

__all__ = ["facts_of"]

#: Out of 1000 buckets: below this, not a member.
_NOT_MEMBER = 125
#: Out of 1000 buckets: below this, an account made a few days ago.
_YOUNG = 100
#: How many days old a young account may be (at least one).
_YOUNG_DAYS = 6
#: How old an established account is: at least this many days, and up to this many more.
_OLD_DAYS = 200
_OLD_SPREAD = 3000


def facts_of(
    platform: Platform, authors: Sequence[Author], now: datetime
) -> dict[str, AuthorFacts]:
    """The facts of each author as ``platform`` tells them, checked at ``now``."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    can = spec(platform).capabilities
    return {
        author.id: AuthorFacts(
            is_member=_member(platform, author.id) if can.membership else None,
            created_at=midnight - timedelta(days=_age_days(platform, author.id))
            if can.account_dates
            else None,
            checked_at=now,
        )
        for author in authors
    }


def _member(platform: Platform, author_id: str) -> bool:
    return _draw(platform, author_id, "member") % 1000 >= _NOT_MEMBER


def _age_days(platform: Platform, author_id: str) -> int:
    draw = _draw(platform, author_id, "age")
    if draw % 1000 < _YOUNG:
        return 1 + (draw // 1000) % _YOUNG_DAYS
    return _OLD_DAYS + (draw // 1000) % _OLD_SPREAD


def _draw(platform: Platform, author_id: str, what: str) -> int:
    """A number fixed by the network, the author and what it is drawn for."""
    digest = hashlib.sha256(f"{platform.value}\x1f{author_id}\x1f{what}".encode()).digest()
    return int.from_bytes(digest[:8], "big")
