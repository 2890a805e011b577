"""A stateful Bluesky PDS, with the AppView reads it proxies: sessions, notifications, threads.

Shapes follow ``tests/fixtures/api/bluesky/``: notifications and post views
are built from ``list-mentions.json``'s first item, sessions from
``create-session-success.json``. The server issues JWT-like access and refresh
tokens, answers an expired access token with HTTP 400 ``ExpiredToken``, rotates
refresh tokens, and checks a reply's strong references (uri + cid) before it
publishes it.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from smm_tui.core.models import Platform
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply, truncated_json
from tests.fakes import bluesky_shapes as xrpc
from tests.fakes.base import FakeNetwork, Fault, Operation, Published
from tests.fakes.bluesky_shapes import (
    BASE_TIME,
    BRAND_DID,
    BRAND_HANDLE,
    POST,
    TEMPLATE,
    Sessions,
    cid,
    invalid_post,
    iso_stamp,
    not_found,
    notification_of,
    profile_view,
    rate_headers,
    replied_uri,
    tid,
    xrpc_error,
)


class FakeBluesky(FakeNetwork):
    """A PDS holding the brand account ``brand.bsky.social``, its posts and notifications.

    Faults answer the Bluesky way: 500 ``InternalServerError``, a truncated body,
    429 ``RateLimitExceeded`` with ``ratelimit-*`` headers (reset 60 s after
    :attr:`clock`), a stall, or for ``AUTH`` a revoked app password: the call
    answers 400 ``ExpiredToken``, the refresh is refused and so is the next
    createSession (after which the password works again). Tests may also
    :meth:`expire_access` (a refresh fixes it), :meth:`expire_sessions` (signing
    in again fixes it) and read :attr:`jwts` (every token issued).
    """

    platform = Platform.BLUESKY

    def __init__(self, server: TestServer, token: str = "tok-S3cr3t/+=%value") -> None:
        super().__init__(server, token)
        self._ids = itertools.count(1)
        self._state = threading.RLock()
        self._posts: dict[str, dict[str, Any]] = {}
        self._notifications: list[dict[str, Any]] = []
        self._sessions = Sessions()
        self._default_post = ""
        routes: dict[tuple[str, str], Callable[[Request], Reply]] = {
            ("POST", xrpc.CREATE_SESSION): self._create_session,
            ("POST", xrpc.REFRESH_SESSION): self._refresh_session,
            ("GET", xrpc.LIST_NOTIFICATIONS): self._list_notifications,
            ("GET", xrpc.GET_POST_THREAD): self._get_post_thread,
            ("GET", xrpc.GET_POSTS): self._get_posts,
            ("POST", xrpc.CREATE_RECORD): self._create_record,
            ("GET", xrpc.GET_PROFILE): self._get_profile,
            ("GET", xrpc.RESOLVE_HANDLE): self._resolve_handle,
        }
        for (method, path), handler in routes.items():
            server.route(method, path, handler)

    # -- FakeNetwork -------------------------------------------------------------

    def keys(self) -> dict[str, object]:
        """The brand's handle (Bluesky's own key)."""
        return {"handle": BRAND_HANDLE}

    def add_post(self, text: str) -> str:
        """A top-level post by the brand."""
        with self._state:
            return str(self._add_post(text, "brand", parent=None)["uri"])

    def add_mention(self, text: str, *, author: str = "alice", reply_to: str | None = None) -> str:
        """A post by ``author`` answering ``reply_to`` (or a brand post), and its notification.

        The reason is ``reply`` when the brand wrote a post above it in the
        thread, else ``mention``. The text is kept exactly as given.
        """
        with self._state:
            if reply_to is None:
                self._default_post = self._default_post or self.add_post("Our news")
                reply_to = self._default_post
            view = self._add_post(text, author, parent=reply_to)
            brand_above = any(p["author"]["did"] == BRAND_DID for p in self._ancestors(view))
            subject = reply_to if brand_above else None
            self._notifications.append(notification_of(view, subject))
            return str(view["uri"])

    def requests(self, operation: Operation) -> list[Request]:
        """Requests received for one operation."""
        path = {
            "mentions": xrpc.LIST_NOTIFICATIONS,
            "thread": xrpc.GET_POST_THREAD,
            "reply": xrpc.CREATE_RECORD,
        }
        return [r for r in list(self.server.requests) if r.path == path[operation]]

    # -- what bluesky tests use --------------------------------------------------

    @property
    def jwts(self) -> list[str]:
        """Every token issued, in order (access, refresh, access, ...)."""
        return self._sessions.jwts

    def expire_access(self) -> None:
        """Every access token issued so far has expired; refresh tokens still work."""
        with self._state:
            self._sessions.expire_access()

    def expire_sessions(self) -> None:
        """Every token issued so far is dead, refresh tokens included; signing in still works."""
        with self._state:
            self._sessions.expire_all()

    def session_requests(self) -> list[Request]:
        """createSession and refreshSession requests, in order."""
        paths = (xrpc.CREATE_SESSION, xrpc.REFRESH_SESSION)
        return [r for r in list(self.server.requests) if r.path in paths]

    def post(self, uri: str) -> dict[str, Any]:
        """The post view of ``uri`` (KeyError if there is none)."""
        with self._state:
            return copy.deepcopy(self._posts[uri])

    # -- state -------------------------------------------------------------------

    def _add_post(
        self, text: str, author: str, *, parent: str | None, record: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        n = next(self._ids)
        profile = profile_view(author)
        uri = f"at://{profile['did']}/app.bsky.feed.post/{tid(n)}"
        created = iso_stamp(BASE_TIME + timedelta(seconds=n))
        if record is None:
            record = {"$type": POST, "text": text, "createdAt": created, "langs": ["en"]}
            if parent is not None:
                record["reply"] = self._reply_refs(parent)
        view = {
            "uri": uri,
            "cid": cid(uri, text),
            "author": profile,
            "record": record,
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 0,
            "quoteCount": 0,
            "indexedAt": iso_stamp(BASE_TIME + timedelta(seconds=n, milliseconds=400)),
            "viewer": {},
            "labels": [],
        }
        self._posts[uri] = view
        if parent in self._posts:
            self._posts[parent]["replyCount"] += 1
        return view

    def _reply_refs(self, parent_uri: str) -> dict[str, Any]:
        parent = self._posts[parent_uri]
        parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
        root = parent["record"].get("reply", {}).get("root", parent_ref)
        return {"root": dict(root), "parent": parent_ref}

    def _ancestors(self, view: dict[str, Any]) -> list[dict[str, Any]]:
        chain: list[dict[str, Any]] = []
        parent = replied_uri(view)
        while parent is not None and parent in self._posts:
            chain.append(self._posts[parent])
            parent = replied_uri(self._posts[parent])
        return chain

    # -- protocol ----------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return rate_headers(self.clock(), len(self.server.requests))

    def _ok(self, body: Any) -> Reply:
        return json_reply(body, headers=self._headers())

    def _denied(self, request: Request) -> Reply | None:
        """The answer to a request whose access token is not good, or None."""
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._state:
            return self._sessions.denied(token)

    def _faulted(self, operation: Operation, answer: Callable[[], Reply]) -> Reply:
        """``answer()``, unless a fault is pending for ``operation``: then the fault's answer."""
        fault = self.take_fault(operation)
        if fault is None:
            return answer()
        if fault is Fault.COMMIT_THEN_STALL:
            answer()  # the work is done (a reply is published), the answer never leaves
            return self.stall()
        common = self.common_fault(fault)
        if common is not None:
            return common
        if fault is Fault.SERVER_ERROR:
            return xrpc_error(500, "InternalServerError", "Internal Server Error")
        if fault is Fault.MALFORMED:
            return truncated_json({"notifications": [copy.deepcopy(TEMPLATE)]})
        if fault is Fault.RATE_LIMIT:
            headers = dict(self._headers(), **{"ratelimit-remaining": "0"})
            headers["ratelimit-reset"] = str(int(self.clock().timestamp()) + 60)
            return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", **headers)
        if fault is Fault.AUTH:
            with self._state:
                self._sessions.revoke()
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return self.stall()

    # -- handlers ----------------------------------------------------------------

    def _create_session(self, request: Request) -> Reply:
        try:
            body = json.loads(request.body)
            identifier, password = str(body["identifier"]), str(body["password"])
        except (ValueError, KeyError, TypeError):
            return xrpc_error(400, "InvalidRequest", "Input must have the property identifier")
        with self._state:
            known = identifier.lstrip("@").casefold() in (BRAND_HANDLE, BRAND_DID)
            if self._sessions.revoked or not known or password != self.token:
                self._sessions.revoked = False
                return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
            return self._ok(self._sessions.issue(next(self._ids)))

    def _refresh_session(self, request: Request) -> Reply:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._state:
            if not self._sessions.take_refresh(token):
                return xrpc_error(400, "ExpiredToken", "Token has been revoked")
            session = self._sessions.issue(next(self._ids))
        return self._ok({k: session[k] for k in ("accessJwt", "refreshJwt", "handle", "did")})

    def _list_notifications(self, request: Request) -> Reply:
        return self._denied(request) or self._faulted(
            "mentions", lambda: self._notification_page(request)
        )

    def _notification_page(self, request: Request) -> Reply:
        try:
            limit = int(request.query.get("limit", ["50"])[0])
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            return xrpc_error(400, "InvalidRequest", "limit must be between 1 and 100")
        reasons = set(request.query.get("reasons", []))
        cursor = request.query.get("cursor", [None])[0]
        with self._state:
            items = [
                n for n in reversed(self._notifications) if not reasons or n["reason"] in reasons
            ]
        if cursor is not None:
            items = [n for n in items if n["indexedAt"] < cursor]
        page = items[: min(limit, self.page_size)]
        body: dict[str, Any] = {"notifications": page, "priority": False}
        if len(page) == min(limit, self.page_size):
            body["cursor"] = page[-1]["indexedAt"]
        body["seenAt"] = iso_stamp(BASE_TIME)
        return self._ok(body)

    def _get_post_thread(self, request: Request) -> Reply:
        return self._denied(request) or self._faulted("thread", lambda: self._thread(request))

    def _thread(self, request: Request) -> Reply:
        uri = request.query.get("uri", [""])[0]
        depth = int(request.query.get("depth", ["6"])[0])
        height = int(request.query.get("parentHeight", ["80"])[0])
        with self._state:
            if uri not in self._posts:
                return xrpc_error(400, "NotFound", f"Post not found: {uri}")
            node = self._thread_node(uri, depth)
            parent_node, uri_above = node, replied_uri(self._posts[uri])
            for _ in range(height):
                if uri_above is None:
                    break
                if uri_above not in self._posts:
                    parent_node["parent"] = not_found(uri_above)
                    break
                above = {
                    "$type": "app.bsky.feed.defs#threadViewPost",
                    "post": copy.deepcopy(self._posts[uri_above]),
                }
                parent_node["parent"] = above
                parent_node, uri_above = above, replied_uri(self._posts[uri_above])
        return self._ok({"thread": node})

    def _thread_node(self, uri: str, depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": copy.deepcopy(self._posts[uri]),
        }
        if depth > 0:
            children = [v["uri"] for v in self._posts.values() if replied_uri(v) == uri]
            # Newest first: the AppView ranks replies, it does not sort them by time.
            node["replies"] = [self._thread_node(child, depth - 1) for child in reversed(children)]
        return node

    def _get_posts(self, request: Request) -> Reply:
        denied = self._denied(request)
        if denied is not None:
            return denied
        with self._state:
            uris = request.query.get("uris", [])
            return self._ok(
                {"posts": [copy.deepcopy(self._posts[u]) for u in uris if u in self._posts]}
            )

    def _get_profile(self, request: Request) -> Reply:
        denied = self._denied(request)
        if denied is not None:
            return denied
        actor = request.query.get("actor", [""])[0]
        if actor not in (BRAND_DID, BRAND_HANDLE):
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        profile = dict(profile_view("brand"), followersCount=1200, followsCount=10, postsCount=42)
        return self._ok(profile)

    def _resolve_handle(self, request: Request) -> Reply:
        handle = request.query.get("handle", [""])[0].casefold()
        with self._state:
            dids = {v["author"]["handle"]: v["author"]["did"] for v in self._posts.values()}
        dids[BRAND_HANDLE] = BRAND_DID
        if handle not in dids:
            return xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
        return self._ok({"did": dids[handle]})

    def _create_record(self, request: Request) -> Reply:
        denied = self._denied(request)
        if denied is not None:
            return denied
        try:
            body = json.loads(request.body)
            record = body["record"]
            refs = record["reply"]
            text = str(record["text"])
        except (ValueError, KeyError, TypeError):
            return xrpc_error(400, "InvalidRequest", "Invalid app.bsky.feed.post record")
        invalid = self._invalid(body, refs, text)
        if invalid is not None:
            return invalid
        return self._faulted("reply", lambda: self._publish(record, text, refs))

    def _invalid(self, body: dict[str, Any], refs: Any, text: str) -> Reply | None:
        refused = invalid_post(body, text)
        if refused is not None:
            return refused
        if not isinstance(refs, dict) or not all(
            self._is_strong_ref(refs.get(key)) for key in ("root", "parent")
        ):
            return xrpc_error(400, "InvalidRequest", "Invalid reply reference")
        return None

    def _is_strong_ref(self, ref: Any) -> bool:
        """Whether ``ref`` is ``{uri, cid}`` of a post this server holds, cid matching."""
        if not isinstance(ref, dict):
            return False
        with self._state:
            post = self._posts.get(str(ref.get("uri")))
            return post is not None and post["cid"] == ref.get("cid")

    def _publish(self, record: dict[str, Any], text: str, refs: dict[str, Any]) -> Reply:
        with self._state:
            parent = refs["parent"]["uri"]
            view = self._add_post(text, "brand", parent=parent, record=record)
            self.published.append(Published(view["uri"], text, parent))
        answer = {
            "uri": view["uri"],
            "cid": view["cid"],
            "commit": {"cid": cid("commit", view["uri"]), "rev": tid(next(self._ids))},
            "validationStatus": "valid",
        }
        return self._ok(answer)


FAKE = FakeBluesky
