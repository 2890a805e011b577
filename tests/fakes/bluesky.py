"""A stateful Bluesky PDS, with the AppView reads it proxies: sessions, notifications, threads.

Shapes follow ``tests/fixtures/api/bluesky/``: notifications and post views
are built from ``list-mentions.json``'s first item, sessions from
``create-session-success.json``. The server issues JWT-like access and refresh
tokens, answers an expired access token with HTTP 400 ``ExpiredToken``, rotates
refresh tokens, and checks a reply's strong references (uri + cid) before it
publishes it. A post of the brand's own (a createRecord without a reply) keeps
the record key it came with, and a second create under a taken key is refused
with HTTP 400 ``InvalidRequest`` ("Record already exists"). A deleted post's
thread is HTTP 400 ``NotFound`` (or, as some AppViews answer, a ``notFoundPost``
node); a post hidden by a block is a ``blockedPost`` node.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Callable
from typing import Any

from smm_tui.core.models import Platform
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply, truncated_json
from tests.fakes import bluesky_shapes as xrpc
from tests.fakes.base import BrandPost, FakeNetwork, Fault, Operation, Published
from tests.fakes.bluesky_repo import Repo, created, is_tid
from tests.fakes.bluesky_shapes import (
    BASE_TIME,
    BRAND_DID,
    BRAND_HANDLE,
    POST,
    TEMPLATE,
    Sessions,
    blocked,
    invalid_post,
    iso_stamp,
    not_found,
    notification_of,
    profile_view,
    rate_headers,
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

    Operations by endpoint: ``post`` and ``reply`` are createRecord without and
    with a reply ref, ``find_post`` is getRecord, ``followers`` getProfile (which
    ``verify`` reads too) and ``counters`` getPosts (which a reply reads first).
    """

    platform = Platform.BLUESKY
    shows_edits = False

    def __init__(self, server: TestServer, token: str = "tok-S3cr3t/+=%value") -> None:
        super().__init__(server, token)
        self._ids = itertools.count(1)
        self._state = threading.RLock()
        self._repo = Repo()
        self._posts = self._repo.views
        self._notifications: list[dict[str, Any]] = []
        self._sessions = Sessions()
        self._default_post = ""
        #: Deleted posts whose thread is a notFoundPost node rather than an error.
        self._gone_as_node: set[str] = set()
        self._blocked: set[str] = set()
        routes: dict[tuple[str, str], Callable[[Request], Reply]] = {
            ("POST", xrpc.CREATE_SESSION): self._create_session,
            ("POST", xrpc.REFRESH_SESSION): self._refresh_session,
            ("GET", xrpc.LIST_NOTIFICATIONS): self._list_notifications,
            ("GET", xrpc.GET_POST_THREAD): self._get_post_thread,
            ("GET", xrpc.GET_POSTS): self._get_posts,
            ("POST", xrpc.CREATE_RECORD): self._create_record,
            ("GET", xrpc.GET_RECORD): self._get_record,
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
            brand_above = any(p["author"]["did"] == BRAND_DID for p in self._repo.ancestors(view))
            subject = reply_to if brand_above else None
            self._notifications.append(notification_of(view, subject))
            return str(view["uri"])

    def requests(self, operation: Operation) -> list[Request]:
        """Requests received for one operation (see the class docstring for which is which)."""
        received = list(self.server.requests)
        if operation in ("reply", "post"):
            creates = [r for r in received if r.path == xrpc.CREATE_RECORD]
            return [r for r in creates if _is_reply(r) == (operation == "reply")]
        path = {
            "mentions": xrpc.LIST_NOTIFICATIONS,
            "thread": xrpc.GET_POST_THREAD,
            "find_post": xrpc.GET_RECORD,
            "followers": xrpc.GET_PROFILE,
            "counters": xrpc.GET_POSTS,
        }
        return [r for r in received if r.path == path[operation]]

    def delete_mention(self, external_id: str, *, as_node: bool = False) -> None:
        """The author deletes the post; its notification goes too. Its thread is then
        HTTP 400 ``NotFound``, or with ``as_node`` a ``notFoundPost`` node."""
        with self._state:
            del self._posts[external_id]
            self._notifications = [n for n in self._notifications if n["uri"] != external_id]
            if as_node:
                self._gone_as_node.add(external_id)

    # -- what bluesky tests use --------------------------------------------------

    def block(self, uri: str) -> None:
        """The post's author blocks the brand: its thread is a ``blockedPost`` node."""
        with self._state:
            self._blocked.add(uri)

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
        self,
        text: str,
        author: str,
        *,
        parent: str | None,
        record: dict[str, Any] | None = None,
        rkey: str | None = None,
    ) -> dict[str, Any]:
        return self._repo.add(
            next(self._ids), text, author, parent=parent, record=record, rkey=rkey
        )

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
            if uri in self._gone_as_node:
                return self._ok({"thread": not_found(uri)})
            if uri in self._blocked:
                return self._ok({"thread": blocked(self._posts[uri])})
            if uri not in self._posts:
                return xrpc_error(400, "NotFound", f"Post not found: {uri}")
            return self._ok({"thread": self._repo.thread(uri, depth, height)})

    def _get_posts(self, request: Request) -> Reply:
        return self._denied(request) or self._faulted("counters", lambda: self._posts_of(request))

    def _posts_of(self, request: Request) -> Reply:
        with self._state:
            uris = [u for u in request.query.get("uris", []) if u in self._posts]
            views = [copy.deepcopy(self._posts[u]) for u in uris]
        for view in views:
            counted = self.counters.get(view["uri"])
            if counted is not None:
                view.update(
                    likeCount=counted.likes,
                    repostCount=counted.reposts,
                    replyCount=counted.replies,
                )
        return self._ok({"posts": views})

    def _get_profile(self, request: Request) -> Reply:
        return self._denied(request) or self._faulted("followers", lambda: self._profile(request))

    def _profile(self, request: Request) -> Reply:
        actor = request.query.get("actor", [""])[0]
        if actor not in (BRAND_DID, BRAND_HANDLE):
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        counts = {"followersCount": self.followers, "followsCount": 10, "postsCount": 42}
        return self._ok(dict(profile_view("brand"), **counts))

    def _resolve_handle(self, request: Request) -> Reply:
        handle = request.query.get("handle", [""])[0].casefold()
        with self._state:
            dids = {v["author"]["handle"]: v["author"]["did"] for v in self._posts.values()}
        dids[BRAND_HANDLE] = BRAND_DID
        if handle not in dids:
            return xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
        return self._ok({"did": dids[handle]})

    def _get_record(self, request: Request) -> Reply:
        return self._denied(request) or self._faulted("find_post", lambda: self._record(request))

    def _record(self, request: Request) -> Reply:
        repo, collection, rkey = (
            request.query.get(k, [""])[0] for k in ("repo", "collection", "rkey")
        )
        did = BRAND_DID if repo.casefold() == BRAND_HANDLE else repo
        uri = f"at://{did}/{collection}/{rkey}"
        with self._state:
            view = copy.deepcopy(self._posts.get(uri))
        if view is None:
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return self._ok({"uri": uri, "cid": view["cid"], "value": view["record"]})

    def _create_record(self, request: Request) -> Reply:
        denied = self._denied(request)
        if denied is not None:
            return denied
        try:
            body = json.loads(request.body)
            record = body["record"]
            text = str(record["text"])
            refs = record.get("reply")
        except (ValueError, KeyError, TypeError, AttributeError):
            return xrpc_error(400, "InvalidRequest", "Invalid app.bsky.feed.post record")
        if refs is None:
            return self._create_post(body, record, text)
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
            return self._ok(created(view, next(self._ids)))

    def _create_post(self, body: dict[str, Any], record: dict[str, Any], text: str) -> Reply:
        refused = invalid_post(body, text)
        if refused is not None:
            return refused
        rkey = body.get("rkey")
        if rkey is not None and not is_tid(rkey):
            return xrpc_error(400, "InvalidRequest", "Invalid record key: must be a TID")
        return self._faulted("post", lambda: self._publish_post(record, text, rkey))

    def _publish_post(self, record: dict[str, Any], text: str, rkey: str | None) -> Reply:
        with self._state:
            uri = f"at://{BRAND_DID}/{POST}/{rkey}"
            if rkey is not None and uri in self._posts:
                return xrpc_error(400, "InvalidRequest", f"Record already exists: {uri}")
            view = self._add_post(text, "brand", parent=None, record=record, rkey=rkey)
            self.posts.append(BrandPost(view["uri"], text, rkey or ""))
            return self._ok(created(view, next(self._ids)))


def _is_reply(request: Request) -> bool:
    """Whether a createRecord request makes a reply (one that cannot be read counts as one)."""
    try:
        return "reply" in json.loads(request.body)["record"]
    except (ValueError, KeyError, TypeError):
        return True


FAKE = FakeBluesky
