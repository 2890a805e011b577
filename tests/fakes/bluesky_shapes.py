"""The shapes the fake Bluesky PDS deals in: its endpoints, profiles, record keys and errors.

Used by :class:`tests.fakes.bluesky.FakeBluesky`; shapes follow
``tests/fixtures/api/bluesky/``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from smm_tui.core.limits import grapheme_count
from tests.adapters.httpserver import Reply, json_reply
from tests.recorded import FIXTURES

API = FIXTURES / "api" / "bluesky"
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
REFRESH_SESSION = "/xrpc/com.atproto.server.refreshSession"
LIST_NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
GET_POST_THREAD = "/xrpc/app.bsky.feed.getPostThread"
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
GET_RECORD = "/xrpc/com.atproto.repo.getRecord"
GET_PROFILE = "/xrpc/app.bsky.actor.getProfile"
RESOLVE_HANDLE = "/xrpc/com.atproto.identity.resolveHandle"
BRAND_HANDLE = "brand.bsky.social"
BRAND_DID = "did:plc:z72i7hdynmk6r22z27h6tvur"
POST = "app.bsky.feed.post"
BASE_TIME = datetime(2025, 1, 1, 10, 0, tzinfo=UTC)
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TEMPLATE: dict[str, Any] = json.loads((API / "list-mentions.json").read_text(encoding="utf-8"))[
    "notifications"
][0]
SESSION: dict[str, Any] = json.loads(
    (API / "create-session-success.json").read_text(encoding="utf-8")
)


RATE_LIMIT = 3000
RATE_WINDOW_S = 300


def rate_headers(now: datetime, requests: int) -> dict[str, str]:
    """The ``ratelimit-*`` headers of an answer, ``requests`` into the current window."""
    return {
        "ratelimit-limit": str(RATE_LIMIT),
        "ratelimit-remaining": str(RATE_LIMIT - 1 - requests % RATE_LIMIT),
        "ratelimit-reset": str(int(now.timestamp()) + RATE_WINDOW_S),
        "ratelimit-policy": f"{RATE_LIMIT};w={RATE_WINDOW_S}",
    }


def xrpc_error(status: int, error: str, message: str, **headers: str) -> Reply:
    """An XRPC error answer: ``{"error": <name>, "message": <text>}``."""
    return json_reply({"error": error, "message": message}, status, headers)


def profile_view(name: str) -> dict[str, Any]:
    """A ``profileView`` like the fixture's, for ``name`` (``brand`` is the brand account)."""
    profile: dict[str, Any] = copy.deepcopy(TEMPLATE["author"])
    if name == "brand":
        did, handle = BRAND_DID, BRAND_HANDLE
    else:
        digest = hashlib.sha256(name.encode()).digest()
        did = "did:plc:" + base64.b32encode(digest).decode()[:24].lower()
        handle = f"{name}.bsky.social"
    profile.update(did=did, handle=handle, displayName=name.title())
    return profile


def replied_uri(view: dict[str, Any]) -> str | None:
    """The uri of the post a post view answers, if it is a reply."""
    reply = view["record"].get("reply")
    return str(reply["parent"]["uri"]) if isinstance(reply, dict) else None


def not_found(uri: str) -> dict[str, Any]:
    """The thread node of a post the server does not hold."""
    return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}


def blocked(view: dict[str, Any]) -> dict[str, Any]:
    """The thread node of a post hidden by a block between its author and the viewer."""
    author = {"did": view["author"]["did"], "viewer": {"blockedBy": True}}
    return {
        "$type": "app.bsky.feed.defs#blockedPost",
        "uri": view["uri"],
        "blocked": True,
        "author": author,
    }


def tid(n: int) -> str:
    """A record key shaped like a TID: 13 sortable base32 characters."""
    value = 0x3_0000_0000_0000 + n
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value % 32])
        value //= 32
    return "".join(reversed(chars))


def cid(*parts: str) -> str:
    """A content id shaped like a real one, derived from ``parts``."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().rstrip("=").lower()


def iso_stamp(moment: datetime) -> str:
    """``moment`` as the AT Protocol writes datetimes (UTC, milliseconds, ``Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def notification_of(view: dict[str, Any], subject: str | None) -> dict[str, Any]:
    """The notification of a new post: a ``reply`` to the brand's ``subject``, else a mention."""
    notification: dict[str, Any] = copy.deepcopy(TEMPLATE)
    notification.update(
        uri=view["uri"],
        cid=view["cid"],
        author=copy.deepcopy(view["author"]),
        reason="mention" if subject is None else "reply",
        record=copy.deepcopy(view["record"]),
        isRead=False,
        indexedAt=view["indexedAt"],
    )
    if subject is not None:
        notification["reasonSubject"] = subject
    return notification


def invalid_post(body: dict[str, Any], text: str) -> Reply | None:
    """The refusal of a createRecord call outside the brand's posts or over 300 graphemes."""
    if body.get("repo") != BRAND_DID or body.get("collection") != POST:
        return xrpc_error(400, "InvalidRequest", "Invalid repo or collection")
    if grapheme_count(text) > 300:
        message = "Invalid app.bsky.feed.post record: Record/text must not be longer than"
        return xrpc_error(400, "InvalidRequest", f"{message} 300 graphemes")
    return None


class Sessions:
    """The PDS's session book: the JWTs it issued and which of them still work."""

    def __init__(self) -> None:
        #: Every token issued, in order.
        self.jwts: list[str] = []
        #: The app password was revoked: the next sign-in fails (then it works again).
        self.revoked = False
        self._access: set[str] = set()
        self._expired: set[str] = set()
        self._refresh: set[str] = set()

    def issue(self, n: int) -> dict[str, Any]:
        """A new session (number ``n``): its access and refresh tokens work from now on."""
        access = f"eyJhbGciOiJFUzI1NiJ9.access-{n}-Zm9vYmFy.c2lnbmF0dXJl"
        refresh = f"eyJhbGciOiJFUzI1NiJ9.refresh-{n}-YmF6cXV4.c2lnbmF0dXJl"
        self._access.add(access)
        self._refresh.add(refresh)
        self.jwts += [access, refresh]
        return dict(
            SESSION, accessJwt=access, refreshJwt=refresh, handle=BRAND_HANDLE, did=BRAND_DID
        )

    def expire_access(self) -> None:
        """Every access token issued so far has expired; refresh tokens still work."""
        self._expired |= self._access
        self._access.clear()

    def expire_all(self) -> None:
        """Every token issued so far is dead, refresh tokens included."""
        self.expire_access()
        self._refresh.clear()

    def revoke(self) -> None:
        """The app password was revoked: its sessions die and signing in fails once."""
        self.revoked = True
        self.expire_all()

    def denied(self, token: str) -> Reply | None:
        """The answer to a call with access token ``token`` if it is not good, else None."""
        if token in self._access:
            return None
        if token in self._expired:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return xrpc_error(401, "AuthenticationRequired", "Authentication Required")

    def take_refresh(self, token: str) -> bool:
        """Whether ``token`` is a live refresh token; it is used up (tokens rotate)."""
        if token not in self._refresh:
            return False
        self._refresh.discard(token)
        return True
