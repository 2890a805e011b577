"""Bluesky: whether contest entrants follow the brand, and when their accounts were made.

``app.bsky.graph.getRelationships`` (``actor`` = the brand's DID, up to
:data:`RELATIONSHIPS_BATCH` ``others``) answers one ``relationship`` per
DID; ``followedBy`` (the at-uri of the entrant's follow record) is there when
the entrant follows the brand. An actor Bluesky cannot find comes back as a
``notFoundActor``: no facts. ``app.bsky.actor.getProfiles`` (up to
:data:`PROFILES_BATCH` ``actors``) gives ``createdAt``, which older profiles
lack: None then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from smm_tui.adapters.bluesky_xrpc import XrpcClient
from smm_tui.adapters.facts import Gathered, bad_field, batches_of, iso_time
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author

__all__ = ["PROFILES_BATCH", "RELATIONSHIPS_BATCH", "ProfileFacts"]

#: The most ``others`` one ``getRelationships`` call takes.
RELATIONSHIPS_BATCH = 30
#: The most ``actors`` one ``getProfiles`` call takes.
PROFILES_BATCH = 25
RELATIONSHIPS = "app.bsky.graph.getRelationships"
PROFILES = "app.bsky.actor.getProfiles"
_NOT_FOUND = "app.bsky.graph.defs#notFoundActor"


class ProfileFacts:
    """Relationships to the brand and profiles of other accounts, for one Bluesky account."""

    def __init__(self, xrpc: XrpcClient, clock: Callable[[], datetime]) -> None:
        self._xrpc = xrpc
        self._clock = clock

    async def facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Each author's ``followedBy`` and ``createdAt`` (None where Bluesky shows none)."""
        gathered = Gathered()
        brand = (await self._xrpc.session()).did
        for batch in batches_of(authors, RELATIONSHIPS_BATCH, _is_did):
            params = [("actor", brand), *(("others", did) for did in batch)]
            body = await self._xrpc.get_json(RELATIONSHIPS, params)
            gathered.members(self._followers(body), batch, self._clock())
        for batch in batches_of(authors, PROFILES_BATCH, _is_did):
            body = await self._xrpc.get_json(PROFILES, [("actors", did) for did in batch])
            gathered.created(self._created(body), batch, self._clock())
        return gathered.facts(authors, self._clock())

    def _followers(self, body: Any) -> dict[str, bool | None]:
        found: dict[str, bool | None] = {}
        for item in self._items(body, "relationships", RELATIONSHIPS):
            if item.get("$type") == _NOT_FOUND or item.get("notFound") is True:
                continue
            followed_by = item.get("followedBy")
            if followed_by is not None and not isinstance(followed_by, str):
                raise bad_field(self._xrpc.ctx, RELATIONSHIPS, "followedBy")
            found[self._did(item, RELATIONSHIPS)] = followed_by is not None
        return found

    def _created(self, body: Any) -> dict[str, datetime | None]:
        ctx = self._xrpc.ctx
        return {
            self._did(profile, PROFILES): iso_time(
                profile.get("createdAt"), ctx, PROFILES, "createdAt"
            )
            for profile in self._items(body, "profiles", PROFILES)
        }

    def _items(self, body: Any, key: str, method: str) -> list[dict[str, Any]]:
        items = body.get(key) if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise bad_field(self._xrpc.ctx, method, key)
        return items

    def _did(self, item: dict[str, Any], method: str) -> str:
        did = item.get("did")
        if not isinstance(did, str) or not _is_did(did):
            raise bad_field(self._xrpc.ctx, method, "did")
        return did


def _is_did(value: str) -> bool:
    return value.startswith("did:") and len(value) <= 2048 and value.isprintable()
