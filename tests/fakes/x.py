"""A stateful X API v2 on the test server: mention timeline, recent search, lookups, posting.

The wire format follows ``tests/fixtures/api/x/``: posts are ``{id, text,
edit_history_tweet_ids, author_id, created_at, conversation_id, lang,
public_metrics, entities, in_reply_to_user_id?, referenced_tweets?}`` with
authors in ``includes.users``; only the fields a request asks for in
``tweet.fields`` / ``user.fields`` are sent, as X does. Texts are sent with
``& < >`` escaped as X does. Listings are newest first and paged by an opaque
``next_token``; ``since_id`` is exclusive. Errors are X's Problem JSON.

Operations: ``mentions`` = ``GET /2/users/:id/mentions``; ``thread`` = recent
search, ``GET /2/tweets?ids=`` and ``GET /2/users/:id/tweets`` (where the
adapter looks for a reply it may already have published); ``reply`` =
``POST /2/tweets``.
"""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, ClassVar

import httpx

from smm_tui.adapters.x import XAdapter
from smm_tui.config import AccountConfig
from smm_tui.core import limits
from smm_tui.core.models import Platform, utcnow
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply, truncated_json
from tests.fakes.base import (
    TEST_DEADLINE,
    TEST_TIMEOUT,
    FakeNetwork,
    Fault,
    Operation,
    Published,
)
from tests.recorded import FIXTURES

FIXTURE = FIXTURES / "api" / "x" / "list-mentions.json"
BRAND_ID = "1400000000000000001"
BRAND_USERNAME = "acme_support"
_SNOWFLAKE_EPOCH_MS = 1288834974657
#: Fields every post has whatever was asked (X's defaults).
_DEFAULT_FIELDS = ("id", "text", "edit_history_tweet_ids")
_RATE_LIMIT = 450
_RATE_WINDOW_S = 900
_PROBLEM_401 = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
_PROBLEM_429 = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
_PROBLEM_503 = {
    "title": "Service Unavailable",
    "detail": "Service Unavailable",
    "type": "about:blank",
    "status": 503,
}


def escape(text: str) -> str:
    """Text as X sends it: ``&``, ``<`` and ``>`` as entities, nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fixture_template() -> dict[str, Any]:
    """The first documented post, the shape every fake post copies."""
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    template: dict[str, Any] = data["data"][0]
    return template


class FakeX(FakeNetwork):
    """X API v2 for one brand account (user ``BRAND_ID``, ``@acme_support``)."""

    platform = Platform.X
    faults: ClassVar[frozenset[Fault]] = frozenset(Fault) - {Fault.RATE_LIMIT_IN_BODY}

    def __init__(self, server: TestServer, token: str = "tok-S3cr3t/+=%value") -> None:
        super().__init__(server, token)
        self.user_id = BRAND_ID
        self._template = fixture_template()
        self._users: dict[str, dict[str, Any]] = {}
        self._posts: dict[str, dict[str, Any]] = {}
        self._mention_ids: list[str] = []
        self._base_ms = int(time.time()) * 1000 - 3_600_000
        self._sequence = 0
        self._calls = 0
        self._add_user(BRAND_ID, BRAND_USERNAME, "Acme Support", followers=12_000)
        self._default_post = self.add_post("Welcome to Acme support! Ask us anything.")
        self._install()

    # -- FakeNetwork -------------------------------------------------------------

    def account(self, name: str = "brand") -> AccountConfig:
        """The ``[[accounts]]`` block for this fake."""
        return AccountConfig(
            name=name,
            platform=Platform.X,
            base_url=self.server.url,
            token_env=self.token_env,
            extra=MappingProxyType({"user_id": BRAND_ID}),
        )

    def adapter(
        self,
        *,
        name: str = "brand",
        clock: Callable[[], datetime] = utcnow,
        timeout: httpx.Timeout = TEST_TIMEOUT,
        deadline: float = TEST_DEADLINE,
    ) -> XAdapter:
        """An XAdapter pointed at this fake."""
        return XAdapter(
            name,
            base_url=self.server.url,
            token=self.token,
            user_id=BRAND_ID,
            client=self.client(timeout),
            clock=clock,
            deadline=deadline,
            token_hint=self.token_env,
        )

    def add_post(self, text: str) -> str:
        """A post by the brand that starts its own conversation."""
        with self._lock:
            return self._add_post(text, BRAND_ID, None)

    def add_mention(self, text: str, *, author: str = "alice", reply_to: str | None = None) -> str:
        """A reply by ``author`` to ``reply_to`` (or the brand's welcome post) in mentions."""
        with self._lock:
            user_id = self._user_for(author)
            post_id = self._add_post(text, user_id, reply_to or self._default_post)
            self._mention_ids.append(post_id)
            return post_id

    def requests(self, operation: Operation) -> list[Request]:
        """What the server received for ``operation``."""
        routes = {
            "mentions": [("GET", self._mentions_path)],
            "thread": [
                ("GET", "/2/tweets/search/recent"),
                ("GET", "/2/tweets"),
                ("GET", self._timeline_path),
            ],
            "reply": [("POST", "/2/tweets")],
        }[operation]
        wanted = set(routes)
        return [r for r in self.server.requests if (r.method, r.path) in wanted]

    # -- state -------------------------------------------------------------------

    def post(self, post_id: str) -> dict[str, Any]:
        """The stored post (all fields, raw text)."""
        with self._lock:
            return copy.deepcopy(self._posts[post_id])

    def _add_user(self, user_id: str, username: str, name: str, followers: int) -> None:
        self._users[user_id] = {
            "id": user_id,
            "name": name,
            "username": username,
            "public_metrics": {
                "followers_count": followers,
                "following_count": 10,
                "tweet_count": 100,
                "listed_count": 0,
            },
        }

    def _user_for(self, author: str) -> str:
        username = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in author)
        username = username[:15] or "user"
        for user in self._users.values():
            if user["username"] == username:
                return str(user["id"])
        user_id = str(1_500_000_000_000_000_000 + len(self._users))
        self._add_user(user_id, username, author, followers=len(self._users) * 7)
        return user_id

    def _next_id(self) -> tuple[str, datetime]:
        """A snowflake id one second after the last, and its time."""
        self._sequence += 1
        millis = self._base_ms + self._sequence * 1000
        post_id = str((millis - _SNOWFLAKE_EPOCH_MS) << 22)
        return post_id, datetime.fromtimestamp(millis / 1000, UTC)

    def _add_post(self, text: str, author_id: str, reply_to: str | None) -> str:
        post_id, created = self._next_id()
        post = copy.deepcopy(self._template)
        post.update(
            id=post_id,
            edit_history_tweet_ids=[post_id],
            text=text,
            author_id=author_id,
            created_at=created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            conversation_id=post_id,
            lang="en",
            public_metrics={
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": 0,
                "quote_count": 0,
            },
            entities={"mentions": self._mention_entities(text)},
        )
        if reply_to is not None:
            parent = self._posts.get(reply_to)
            post["conversation_id"] = parent["conversation_id"] if parent else reply_to
            post["in_reply_to_user_id"] = parent["author_id"] if parent else BRAND_ID
            post["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        self._posts[post_id] = post
        return post_id

    def _mention_entities(self, text: str) -> list[dict[str, Any]]:
        found = []
        for user in self._users.values():
            handle = "@" + str(user["username"])
            start = text.find(handle)
            if start >= 0:
                found.append(
                    {
                        "start": start,
                        "end": start + len(handle),
                        "username": user["username"],
                        "id": user["id"],
                    }
                )
        return found

    # -- routes ------------------------------------------------------------------

    @property
    def _mentions_path(self) -> str:
        return f"/2/users/{BRAND_ID}/mentions"

    @property
    def _timeline_path(self) -> str:
        return f"/2/users/{BRAND_ID}/tweets"

    def _install(self) -> None:
        self.server.route("GET", "/2/users/me", self._guarded(None, self._me))
        self.server.route("GET", self._mentions_path, self._guarded("mentions", self._mentions))
        self.server.route("GET", "/2/tweets/search/recent", self._guarded("thread", self._search))
        self.server.route("GET", "/2/tweets", self._guarded("thread", self._lookup))
        self.server.route("GET", self._timeline_path, self._guarded("thread", self._timeline))
        self.server.route("POST", "/2/tweets", self._guarded("reply", self._create))

    def _guarded(
        self, operation: Operation | None, handler: Callable[[Request], Reply]
    ) -> Callable[[Request], Reply]:
        """``handler`` behind the token check and the fault queue of ``operation``."""

        def guarded(request: Request) -> Reply:
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return self._json(_PROBLEM_401, 401)
            fault = self.take_fault(operation) if operation is not None else None
            if fault is None:
                with self._lock:
                    return handler(request)
            return self._fault(fault, request, handler)

        return guarded

    def _fault(self, fault: Fault, request: Request, handler: Callable[[Request], Reply]) -> Reply:
        common = self.common_fault(fault)
        if common is not None:
            return common
        if fault is Fault.SERVER_ERROR:
            return self._json(_PROBLEM_503, 503)
        if fault is Fault.MALFORMED:
            return truncated_json({"data": [{"id": "1", "text": "cut"}], "meta": {}})
        if fault is Fault.RATE_LIMIT:
            return self._json(_PROBLEM_429, 429, remaining=0, reset_in=60)
        if fault is Fault.AUTH:
            return self._json(_PROBLEM_401, 401)
        if fault is Fault.COMMIT_THEN_STALL:
            with self._lock:
                handler(request)
        return self.stall()

    def _json(
        self, body: Any, status: int = 200, *, remaining: int | None = None, reset_in: int = 900
    ) -> Reply:
        self._calls += 1
        left = remaining if remaining is not None else max(1, _RATE_LIMIT - self._calls)
        headers = {
            "x-rate-limit-limit": str(_RATE_LIMIT),
            "x-rate-limit-remaining": str(left),
            "x-rate-limit-reset": str(int(time.time()) + reset_in),
        }
        return json_reply(body, status, headers)

    def _problem(self, status: int, title: str, detail: str, kind: str = "about:blank") -> Reply:
        return self._json(
            {"title": title, "detail": detail, "type": kind, "status": status}, status
        )

    def _me(self, _request: Request) -> Reply:
        user = self._users[BRAND_ID]
        return self._json({"data": {k: user[k] for k in ("id", "name", "username")}})

    def _mentions(self, request: Request) -> Reply:
        posts = [self._posts[i] for i in self._mention_ids]
        return self._listing(request, posts, "pagination_token", (5, 100))

    def _timeline(self, request: Request) -> Reply:
        posts = [p for p in self._posts.values() if p["author_id"] == BRAND_ID]
        return self._listing(request, posts, "pagination_token", (5, 100))

    def _search(self, request: Request) -> Reply:
        query = _one(request, "query") or ""
        if not query.startswith("conversation_id:") or not query[16:].isdigit():
            return self._invalid("query", "The fake understands only conversation_id:<id>")
        root = query[16:]
        posts = [
            p for p in self._posts.values() if p["conversation_id"] == root and p["id"] != root
        ]
        return self._listing(request, posts, "next_token", (10, 100))

    def _lookup(self, request: Request) -> Reply:
        ids = (_one(request, "ids") or "").split(",")
        found = [self._posts[i] for i in ids if i in self._posts]
        errors = [
            {
                "value": i,
                "detail": f"Could not find tweet with ids: [{i}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": i,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
            for i in ids
            if i not in self._posts
        ]
        body: dict[str, Any] = {}
        if found:
            body.update(self._shaped(request, found))
        if errors:
            body["errors"] = errors
        return self._json(body)

    def _create(self, request: Request) -> Reply:
        try:
            body = json.loads(request.body)
            text = body["text"]
            parent = body["reply"]["in_reply_to_tweet_id"]
        except (ValueError, KeyError, TypeError):
            return self._invalid("body", "text and reply.in_reply_to_tweet_id are required")
        if not isinstance(text, str) or not text or not isinstance(parent, str):
            return self._invalid("text", "text must be a non-empty string")
        if parent not in self._posts:
            return self._problem(
                403,
                "Forbidden",
                "You attempted to reply to a Tweet that is deleted or not visible to you.",
            )
        if limits.x_weighted_length(text) > limits.REPLY_LIMITS[Platform.X]:
            return self._problem(403, "Forbidden", "Your Tweet text is too long.")
        post_id = self._add_post(text, BRAND_ID, parent)
        self.published.append(Published(post_id, text, parent))
        reply = self._json({"data": {"id": post_id, "text": escape(text)}}, 201)
        reply.headers["location"] = f"{self.server.url}/2/tweets/{post_id}"
        return reply

    def _invalid(self, parameter: str, message: str) -> Reply:
        body = {
            "errors": [{"parameters": {parameter: []}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        }
        return self._json(body, 400)

    def _listing(
        self,
        request: Request,
        posts: Iterable[dict[str, Any]],
        token_param: str,
        result_range: tuple[int, int],
    ) -> Reply:
        """Newest first, after ``since_id``, below the page token, at most ``page_size``."""
        try:
            wanted = int(_one(request, "max_results") or result_range[0])
            since = int(_one(request, "since_id") or 0)
            until = _decode_token(_one(request, token_param))
        except ValueError:
            return self._invalid(token_param, "invalid paging parameter")
        if not result_range[0] <= wanted <= result_range[1]:
            return self._invalid("max_results", f"max_results must be in {result_range}")
        # Snowflakes are time-ordered numbers: X documents since_id as "greater than".
        matching = sorted(
            (p for p in posts if since < int(p["id"]) < until),
            key=lambda p: int(p["id"]),
            reverse=True,
        )
        page = matching[: min(wanted, self.page_size)]
        if not page:
            return self._json({"meta": {"result_count": 0}})
        meta: dict[str, Any] = {
            "result_count": len(page),
            "newest_id": page[0]["id"],
            "oldest_id": page[-1]["id"],
        }
        if len(matching) > len(page):
            meta["next_token"] = _encode_token(int(page[-1]["id"]))
        return self._json({**self._shaped(request, page), "meta": meta})

    def _shaped(self, request: Request, posts: list[dict[str, Any]]) -> dict[str, Any]:
        """``data`` (and ``includes.users``) with just the fields the request asked for."""
        fields = set(_listed(request, "tweet.fields")) | set(_DEFAULT_FIELDS)
        data = []
        for post in posts:
            shaped = {k: copy.deepcopy(v) for k, v in post.items() if k in fields}
            shaped["text"] = escape(post["text"])
            data.append(shaped)
        body: dict[str, Any] = {"data": data}
        if "author_id" in _listed(request, "expansions"):
            user_fields = set(_listed(request, "user.fields")) | {"id", "name", "username"}
            authors = dict.fromkeys(str(p["author_id"]) for p in posts)
            users = [{k: v for k, v in self._users[a].items() if k in user_fields} for a in authors]
            body["includes"] = {"users": users}
        return body


def _one(request: Request, name: str) -> str | None:
    values = request.query.get(name)
    return values[0] if values else None


def _listed(request: Request, name: str) -> list[str]:
    return [part for part in (_one(request, name) or "").split(",") if part]


def _encode_token(below: int) -> str:
    return base64.b32encode(f"until:{below}".encode()).decode().rstrip("=").lower()


def _decode_token(token: str | None) -> int:
    if token is None:
        return 1 << 64
    padded = token.upper() + "=" * (-len(token) % 8)
    try:
        text = base64.b32decode(padded).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValueError("bad token") from None
    if not text.startswith("until:"):
        raise ValueError("bad token")
    return int(text.removeprefix("until:"))


FAKE = FakeX
