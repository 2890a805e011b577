"""X: when contest entrants' accounts were made (``GET /2/users?ids=…&user.fields=created_at``).

Up to :data:`USERS_BATCH` ids a lookup. A user X cannot show (suspended,
deleted) comes in ``errors[]`` and has no creation date: None. X v2 has no
"does A follow B" call (only whole follower lists, at a price), so membership
is None for everyone: the contest says X cannot tell.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from smm_tui.adapters import x_posts
from smm_tui.adapters.facts import Gathered, bad_field, batches_of, iso_time
from smm_tui.adapters.http import CallContext
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author

__all__ = ["USERS", "USERS_BATCH", "UserDates"]

#: The most ids one ``GET /2/users`` takes.
USERS_BATCH = 100
#: The rate bucket of user lookups.
USERS = "users"
_PATH = "/2/users"

GetJson = Callable[[str, str, Mapping[str, str]], Awaitable[Any]]


class UserDates:
    """User lookups of one X account; ``get_json`` is the adapter's (bucket, path, params) read."""

    def __init__(self, get_json: GetJson, ctx: CallContext, clock: Callable[[], datetime]) -> None:
        self._get_json = get_json
        self._ctx = ctx
        self._clock = clock

    async def facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Each author's ``created_at`` (None where X shows none); membership None."""
        gathered = Gathered()
        for batch in batches_of(authors, USERS_BATCH, x_posts.POST_ID.fullmatch):
            params = {"ids": ",".join(batch), "user.fields": "created_at"}
            body = await self._get_json(USERS, _PATH, params)
            gathered.created(self._created(body), batch, self._clock())
        return gathered.facts(authors, self._clock())

    def _created(self, body: Any) -> dict[str, datetime | None]:
        if not isinstance(body, dict):
            raise bad_field(self._ctx, _PATH, "data")
        users = body.get("data", [])  # absent when X could show none of them
        if not isinstance(users, list) or not all(isinstance(user, dict) for user in users):
            raise bad_field(self._ctx, _PATH, "data")
        found: dict[str, datetime | None] = {}
        for user in users:
            user_id = user.get("id")
            if not isinstance(user_id, str) or not x_posts.POST_ID.fullmatch(user_id):
                raise bad_field(self._ctx, _PATH, "id")
            found[user_id] = iso_time(user.get("created_at"), self._ctx, _PATH, "created_at")
        return found
