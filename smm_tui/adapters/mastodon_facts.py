"""Mastodon: whether contest entrants follow the brand, and when their accounts were made.

Membership is ``GET /api/v1/accounts/relationships?id[]=…``: ``followed_by``
is true when the entrant follows the brand. Creation dates come from
``GET /api/v1/accounts?id[]=…`` (Mastodon 4.3 and later); a server that answers
that with a 404 is asked ``GET /api/v1/accounts/:id`` one account at a time
from then on. Mastodon rounds ``created_at`` to midnight (UTC) since 3.4, so an
account's age is known to the day only. An account the server does not show
(suspended, gone) has no facts: None.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.facts import Gathered, bad_field, batches_of, iso_time
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author

__all__ = ["BATCH", "AccountFacts"]

logger = logging.getLogger(__name__)

#: Ids asked about in one call; Mastodon's own web app asks for up to 40 at a time.
BATCH = 40
RELATIONSHIPS = "/api/v1/accounts/relationships"
ACCOUNTS = "/api/v1/accounts"
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Rails answers an unknown route in HTML unless JSON is asked for: this keeps an old
# server's 404 readable as "no such endpoint" rather than "a proxy's page".
_JSON = {"Accept": "application/json"}


class Call(Protocol):
    """The adapter's request on the account's budget (``MastodonAdapter._call``)."""

    def __call__(
        self, method: str, path: str, *, absent_ok: bool = False, **kwargs: Any
    ) -> Awaitable[httpx.Response]: ...


class AccountFacts:
    """Relationships and account lookups for one Mastodon account."""

    def __init__(self, call: Call, ctx: http.CallContext, clock: Callable[[], datetime]) -> None:
        self._call = call
        self._ctx = ctx
        self._clock = clock
        #: False once the server said it has no batch account lookup (before 4.3).
        self._batch_lookup = True

    async def facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Each author's ``followed_by`` and ``created_at`` (None where the server shows none)."""
        gathered = Gathered()
        for batch in batches_of(authors, BATCH, _ID.fullmatch):
            gathered.members(await self._relationships(batch), batch, self._clock())
            gathered.created(await self._created(batch), batch, self._clock())
        return gathered.facts(authors, self._clock())

    async def _relationships(self, ids: list[str]) -> dict[str, bool | None]:
        response = await self._call("GET", RELATIONSHIPS, params=_id_params(ids))
        body = http.decode_json(response, self._ctx)
        found: dict[str, bool | None] = {}
        for item in self._listed(body, RELATIONSHIPS):
            followed_by = item.get("followed_by")
            if not isinstance(followed_by, bool):
                raise bad_field(self._ctx, RELATIONSHIPS, "followed_by")
            found[self._id_of(item, RELATIONSHIPS)] = followed_by
        return found

    async def _created(self, ids: list[str]) -> dict[str, datetime | None]:
        if self._batch_lookup:
            response = await self._call(
                "GET", ACCOUNTS, absent_ok=True, params=_id_params(ids), headers=_JSON
            )
            if response.status_code != 404:
                accounts = self._listed(http.decode_json(response, self._ctx), ACCOUNTS)
                return dict(self._created_at(account, ACCOUNTS) for account in accounts)
            logger.info("%s: no batch account lookup (before 4.3): one by one", self._ctx.who)
            self._batch_lookup = False
        found: dict[str, datetime | None] = {}
        for account_id in ids:
            path = f"{ACCOUNTS}/{account_id}"
            response = await self._call("GET", path, absent_ok=True)
            if response.status_code != 404:
                account = http.decode_json(response, self._ctx)
                if not isinstance(account, dict):
                    raise bad_field(self._ctx, ACCOUNTS + "/:id", "account")
                found.update([self._created_at(account, ACCOUNTS + "/:id")])
        return found

    def _created_at(self, account: dict[str, Any], where: str) -> tuple[str, datetime | None]:
        created = iso_time(account.get("created_at"), self._ctx, where, "created_at")
        if created is None:
            raise bad_field(self._ctx, where, "created_at")
        return self._id_of(account, where), created

    def _listed(self, body: Any, where: str) -> list[dict[str, Any]]:
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            raise bad_field(self._ctx, where, "list")
        return body

    def _id_of(self, item: dict[str, Any], where: str) -> str:
        value = item.get("id")
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise bad_field(self._ctx, where, "id")
        return str(value)


def _id_params(ids: list[str]) -> list[tuple[str, str]]:
    return [("id[]", account_id) for account_id in ids]
