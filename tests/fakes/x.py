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
``POST /2/tweets`` with ``reply``; ``post`` = ``POST /2/tweets`` without it (into
:attr:`posts`, X takes no key); ``find_post`` = the user timeline with
``start_time``/``exclude``; ``followers`` = ``GET /2/users/me`` asking for
``public_metrics``; ``counters`` = ``GET /2/tweets?ids=`` asking for
``public_metrics`` (from :attr:`counters`). :func:`tests.fakes.x_publish.operation_of`
tells them apart.

An edit makes a new post whose ``edit_history_tweet_ids`` chains every version,
oldest first; a lookup of any version returns the newest, as X documents (or,
with :attr:`FakeX.lookup_returns_asked_version`, the version asked for). A
deletion takes the whole chain.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

from smm_tui.core import limits
from smm_tui.core.models import Platform
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply, truncated_json
from tests.fakes.base import BrandPost, FakeNetwork, Fault, Operation, Published
from tests.fakes.x_publish import (
    DUPLICATE,
    TOO_LONG,
    not_found,
    operation_of,
    own_posts,
    post_metrics,
)
from tests.fakes.x_shapes import (
    DEFAULT_FIELDS,
    PROBLEM_401,
    PROBLEM_429,
    PROBLEM_503,
    RATE_LIMIT,
    SNOWFLAKE_EPOCH_MS,
    decode_token,
    encode_token,
    escape,
    fixture_template,
    invalid_request,
    listed_param,
    mention_entities,
    one_param,
)

BRAND_ID = "1400000000000000001"
BRAND_USERNAME = "acme_support"


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
        #: When the last post was made (ms): test posts start an hour ago, a second apart.
        self._last_ms = int(time.time()) * 1000 - 3_600_000
        #: Send ``repost_count`` (spec 2.167) in ``public_metrics`` instead of ``retweet_count``.
        self.newer_field_names = False
        #: A lookup of an edited post's older id returns that version, not the newest.
        self.lookup_returns_asked_version = False
        #: The newest version of every edited post, by the id of each version.
        self._newest: dict[str, str] = {}
        self._calls = 0
        self._add_user(BRAND_ID, BRAND_USERNAME, "Acme Support", followers=12_000)
        self._default_post = self.add_post("Welcome to Acme support! Ask us anything.")
        self._install()

    # -- FakeNetwork -------------------------------------------------------------

    def keys(self) -> dict[str, object]:
        """The brand's numeric user id (X's own key)."""
        return {"user_id": BRAND_ID}

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

    def edit_mention(self, external_id: str, text: str) -> str:
        """The author edits the post: a new version with a new id, chained to the others."""
        with self._lock:
            old = self._posts[self._newest.get(external_id, external_id)]
            parent = next(
                (r["id"] for r in old.get("referenced_tweets", []) if r["type"] == "replied_to"),
                None,
            )
            new_id = self._add_post(text, old["author_id"], parent)
            chain = [*old["edit_history_tweet_ids"], new_id]
            for version in chain:
                self._posts[version]["edit_history_tweet_ids"] = list(chain)
                self._newest[version] = new_id
            return new_id

    def delete_mention(self, external_id: str) -> None:
        """The author deletes the post: every version of it is gone."""
        with self._lock:
            chain = self._posts[external_id]["edit_history_tweet_ids"]
            for version in chain:
                self._posts.pop(version, None)
                self._newest.pop(version, None)
            self._mention_ids = [i for i in self._mention_ids if i not in chain]

    def requests(self, operation: Operation) -> list[Request]:
        """What the server received for ``operation``."""
        return [r for r in self.server.requests if operation_of(r, BRAND_ID) == operation]

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

    def _next_id(self, *, now: bool = False) -> tuple[str, datetime]:
        """A snowflake id one second after the last (``now``: or now, if later), and its time."""
        millis = self._last_ms + 1000
        if now:  # a post published through the API is made now, as find_post's start_time expects
            millis = max(millis, int(time.time() * 1000))
        self._last_ms = millis
        post_id = str((millis - SNOWFLAKE_EPOCH_MS) << 22)
        return post_id, datetime.fromtimestamp(millis / 1000, UTC)

    def _add_post(
        self, text: str, author_id: str, reply_to: str | None, *, now: bool = False
    ) -> str:
        post_id, created = self._next_id(now=now)
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
            entities={"mentions": mention_entities(text, self._users.values())},
        )
        if reply_to is not None:
            parent = self._posts.get(reply_to)
            post["conversation_id"] = parent["conversation_id"] if parent else reply_to
            post["in_reply_to_user_id"] = parent["author_id"] if parent else BRAND_ID
            post["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        self._posts[post_id] = post
        return post_id

    # -- routes ------------------------------------------------------------------

    @property
    def _mentions_path(self) -> str:
        return f"/2/users/{BRAND_ID}/mentions"

    @property
    def _timeline_path(self) -> str:
        return f"/2/users/{BRAND_ID}/tweets"

    def _install(self) -> None:
        self.server.route("GET", "/2/users/me", self._guarded(self._me))
        self.server.route("GET", self._mentions_path, self._guarded(self._mentions))
        self.server.route("GET", "/2/tweets/search/recent", self._guarded(self._search))
        self.server.route("GET", "/2/tweets", self._guarded(self._lookup))
        self.server.route("GET", self._timeline_path, self._guarded(self._timeline))
        self.server.route("POST", "/2/tweets", self._guarded(self._create))

    def _guarded(self, handler: Callable[[Request], Reply]) -> Callable[[Request], Reply]:
        """``handler`` behind the token check and the fault queue of the request's operation."""

        def guarded(request: Request) -> Reply:
            if request.headers.get("authorization") != f"Bearer {self.token}":
                return self._json(PROBLEM_401, 401)
            operation = operation_of(request, BRAND_ID)
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
            return self._json(PROBLEM_503, 503)
        if fault is Fault.MALFORMED:
            return truncated_json({"data": [{"id": "1", "text": "cut"}], "meta": {}})
        if fault is Fault.RATE_LIMIT:
            return self._json(PROBLEM_429, 429, remaining=0, reset_in=60)
        if fault is Fault.AUTH:
            return self._json(PROBLEM_401, 401)
        if fault is Fault.COMMIT_THEN_STALL:
            with self._lock:
                handler(request)
        return self.stall()

    def _json(
        self, body: Any, status: int = 200, *, remaining: int | None = None, reset_in: int = 900
    ) -> Reply:
        self._calls += 1
        left = remaining if remaining is not None else max(1, RATE_LIMIT - self._calls)
        headers = {
            "x-rate-limit-limit": str(RATE_LIMIT),
            "x-rate-limit-remaining": str(left),
            "x-rate-limit-reset": str(int(time.time()) + reset_in),
        }
        return json_reply(body, status, headers)

    def _problem(self, status: int, title: str, detail: str, kind: str = "about:blank") -> Reply:
        return self._json(
            {"title": title, "detail": detail, "type": kind, "status": status}, status
        )

    def _me(self, request: Request) -> Reply:
        user = self._users[BRAND_ID]
        data = {k: user[k] for k in ("id", "name", "username")}
        if "public_metrics" in listed_param(request, "user.fields"):
            data["public_metrics"] = {**user["public_metrics"], "followers_count": self.followers}
        return self._json({"data": data})

    def _mentions(self, request: Request) -> Reply:
        posts = [self._posts[i] for i in self._mention_ids]
        return self._listing(request, posts, "pagination_token", (5, 100))

    def _timeline(self, request: Request) -> Reply:
        try:
            posts = own_posts(request, self._posts.values(), BRAND_ID)
        except ValueError as exc:
            return self._invalid(str(exc), f"invalid {exc} parameter")
        return self._listing(request, posts, "pagination_token", (5, 100))

    def _search(self, request: Request) -> Reply:
        query = one_param(request, "query") or ""
        if not query.startswith("conversation_id:") or not query[16:].isdigit():
            return self._invalid("query", "The fake understands only conversation_id:<id>")
        root = query[16:]
        posts = [
            p for p in self._posts.values() if p["conversation_id"] == root and p["id"] != root
        ]
        return self._listing(request, posts, "next_token", (10, 100))

    def _lookup(self, request: Request) -> Reply:
        ids = (one_param(request, "ids") or "").split(",")
        if not self.lookup_returns_asked_version:
            ids = list(dict.fromkeys(self._newest.get(i, i) for i in ids))
        found = [self._posts[i] for i in ids if i in self._posts]
        errors = [not_found(i) for i in ids if i not in self._posts]
        body: dict[str, Any] = {}
        if found:
            body.update(self._shaped(request, found))
        if errors:
            body["errors"] = errors
        return self._json(body)

    def _create(self, request: Request) -> Reply:
        if operation_of(request, BRAND_ID) == "post":
            return self._publish(request)
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

    def _publish(self, request: Request) -> Reply:
        """A new post of the brand's (no ``reply``): refused as X refuses, else into ``posts``."""
        try:
            text = json.loads(request.body)["text"]
        except (ValueError, KeyError, TypeError):
            return self._invalid("body", "text is required")
        if not isinstance(text, str) or not text:
            return self._invalid("text", "text must be a non-empty string")
        if limits.x_weighted_length(text) > limits.REPLY_LIMITS[Platform.X]:
            return self._problem(400, "Bad Request", TOO_LONG)
        if any(post.text == text for post in self.posts):
            return self._problem(403, "Forbidden", DUPLICATE)
        post_id = self._add_post(text, BRAND_ID, None, now=True)
        self.posts.append(BrandPost(post_id, text))
        reply = self._json({"data": {"id": post_id, "text": escape(text)}}, 201)
        reply.headers["location"] = f"{self.server.url}/2/tweets/{post_id}"
        return reply

    def _invalid(self, parameter: str, message: str) -> Reply:
        return self._json(invalid_request(parameter, message), 400)

    def _listing(
        self,
        request: Request,
        posts: Iterable[dict[str, Any]],
        token_param: str,
        result_range: tuple[int, int],
    ) -> Reply:
        """Newest first, after ``since_id``, below the page token, at most ``page_size``."""
        try:
            wanted = int(one_param(request, "max_results") or result_range[0])
            since = int(one_param(request, "since_id") or 0)
            until = decode_token(one_param(request, token_param))
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
            meta["next_token"] = encode_token(int(page[-1]["id"]))
        return self._json({**self._shaped(request, page), "meta": meta})

    def _shaped(self, request: Request, posts: list[dict[str, Any]]) -> dict[str, Any]:
        """``data`` (and ``includes.users``) with just the fields the request asked for."""
        fields = set(listed_param(request, "tweet.fields")) | set(DEFAULT_FIELDS)
        data = []
        for post in posts:
            shaped = {k: copy.deepcopy(v) for k, v in post.items() if k in fields}
            shaped["text"] = escape(post["text"])
            if "public_metrics" in fields:
                counters = self.counters.get(post["id"])
                shaped["public_metrics"] = post_metrics(
                    counters, newer_names=self.newer_field_names
                )
            data.append(shaped)
        body: dict[str, Any] = {"data": data}
        if "author_id" in listed_param(request, "expansions"):
            user_fields = set(listed_param(request, "user.fields")) | {"id", "name", "username"}
            authors = dict.fromkeys(str(p["author_id"]) for p in posts)
            users = [{k: v for k, v in self._users[a].items() if k in user_fields} for a in authors]
            body["includes"] = {"users": users}
        return body


FAKE = FakeX
