"""A stateful Mastodon instance: notifications, statuses, contexts and idempotent posting.

The brand (account ``900``) posts replies and statuses of its own through
``POST /api/v1/statuses``; a repeated ``Idempotency-Key`` gets the status it
already made. Its own statuses are listed at ``/api/v1/accounts/900/statuses``,
its follower count is in ``verify_credentials``, and a status lookup carries
the counters set in :attr:`FakeNetwork.counters`. A status edited by its author
gets new ``content`` and an ``edited_at``; a deleted one answers 404 (as
Mastodon does for a status it no longer shows) and its notification is gone.
"""

from __future__ import annotations

import copy
import html
import itertools
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from smm_tui.core.models import Platform
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    json_reply,
    server_error,
    truncated_json,
)
from tests.fakes.base import BrandPost, Counters, FakeNetwork, Fault, Operation, Published
from tests.recorded import FIXTURES

NOTIFICATIONS = "/api/v1/notifications"
STATUSES = "/api/v1/statuses"
VERIFY = "/api/v1/accounts/verify_credentials"
BRAND_ID = "900"
BRAND_STATUSES = f"/api/v1/accounts/{BRAND_ID}/statuses"
_TEMPLATE: dict[str, Any] = json.loads(
    (FIXTURES / "api" / "mastodon" / "list-mentions.json").read_text(encoding="utf-8")
)[0]


class FakeMastodon(FakeNetwork):
    """A Mastodon instance holding the brand account ``@brand`` and its mentions."""

    platform = Platform.MASTODON

    def __init__(self, server: TestServer, token: str = "tok-S3cr3t/+=%value") -> None:
        super().__init__(server, token)
        self._ids = itertools.count(1)
        self._notifications: list[dict[str, Any]] = []
        self._statuses: dict[str, dict[str, Any]] = {}
        self._by_key: dict[str, dict[str, Any]] = {}
        self._default_post = ""
        server.route("GET", VERIFY, self._verify)
        server.route("GET", NOTIFICATIONS, self._list_notifications)
        server.route("POST", STATUSES, self._post_status)
        server.route("GET", BRAND_STATUSES, self._list_brand_statuses)

    # -- FakeNetwork -------------------------------------------------------------

    def add_post(self, text: str) -> str:
        """A public status by the brand."""
        status = self._add_status(text, author="brand", account_id=BRAND_ID, parent=None)
        return str(status["id"])

    def add_mention(self, text: str, *, author: str = "alice", reply_to: str | None = None) -> str:
        """A status by ``author`` mentioning the brand, plus its notification."""
        if reply_to is None:
            reply_to = self._default_post or self.add_post("Our news")
            self._default_post = reply_to
        status = self._add_status(
            f"@brand {text}",
            author=author,
            account_id=f"1{len(author)}{author[:1]!s}",
            parent=reply_to,
        )
        notification = copy.deepcopy(_TEMPLATE)
        notification["id"] = f"n{next(self._ids):06d}"
        notification["account"] = status["account"]
        notification["status"] = status
        self._notifications.append(notification)
        return str(status["id"])

    def edit_mention(self, external_id: str, text: str) -> str:
        """The author edits the status: new content (still mentioning the brand), ``edited_at``."""
        status = self._statuses[external_id]
        status.update(content="<p>" + _as_html(f"@brand {text}") + "</p>", edited_at=_now())
        return external_id

    def delete_mention(self, external_id: str) -> None:
        """The author deletes the status; it and its notification are gone."""
        del self._statuses[external_id]
        self._notifications = [n for n in self._notifications if n["status"]["id"] != external_id]

    def requests(self, operation: Operation) -> list[Request]:
        """Requests received for one operation."""
        with_path: dict[str, Callable[[Request], bool]] = {
            "mentions": lambda r: r.path == NOTIFICATIONS,
            "thread": lambda r: r.path.endswith("/context"),
            "reply": lambda r: _is_post(r) and bool(_parent(r)),
            "post": lambda r: _is_post(r) and not _parent(r),
            "find_post": lambda r: r.path == BRAND_STATUSES,
            "followers": lambda r: r.path == VERIFY,
            "counters": lambda r: (
                r.method == "GET"
                and r.path.startswith(STATUSES + "/")
                and not r.path.endswith("/context")
            ),
        }
        return [r for r in list(self.server.requests) if with_path[operation](r)]

    # -- state -------------------------------------------------------------------

    def _add_status(
        self, text: str, *, author: str, account_id: str, parent: str | None
    ) -> dict[str, Any]:
        status: dict[str, Any] = copy.deepcopy(_TEMPLATE["status"])
        status_id = f"s{next(self._ids):06d}"
        status.update(
            id=status_id,
            created_at=_now(),
            in_reply_to_id=parent,
            content="<p>" + _as_html(text) + "</p>",
            url=f"https://mastodon.example/@{author}/{status_id}",
            uri=f"https://mastodon.example/users/{author}/statuses/{status_id}",
            visibility="public",
        )
        status["account"] = dict(
            _TEMPLATE["account"], id=account_id, username=author, acct=author, display_name=author
        )
        self._statuses[status_id] = status
        self.server.route("GET", f"{STATUSES}/{status_id}", self._status_handler(status_id))
        self.server.route(
            "GET", f"{STATUSES}/{status_id}/context", self._context_handler(status_id)
        )
        return status

    def _ancestors(self, status_id: str) -> list[dict[str, Any]]:
        chain: list[dict[str, Any]] = []
        parent = self._statuses[status_id].get("in_reply_to_id")
        while parent is not None and parent in self._statuses:
            chain.insert(0, self._statuses[parent])
            parent = self._statuses[parent].get("in_reply_to_id")
        return chain

    def _descendants(self, status_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for status in list(self._statuses.values()):
            if status.get("in_reply_to_id") == status_id:
                found.append(status)
                found.extend(self._descendants(status["id"]))
        return found

    # -- handlers ----------------------------------------------------------------

    def _shown(self, status: dict[str, Any]) -> dict[str, Any]:
        """``status`` as a lookup or listing shows it: with the counters tests set (or zeros)."""
        counters = self.counters.get(status["id"], Counters())
        return dict(
            status,
            favourites_count=counters.likes,
            reblogs_count=counters.reposts,
            replies_count=counters.replies,
        )

    def _faulted(self, operation: Operation) -> Reply | None:
        fault = self.take_fault(operation)
        return None if fault is None else self._fault_reply(fault)

    def _fault_reply(self, fault: Fault) -> Reply:
        common = self.common_fault(fault)
        if common is not None:
            return common
        if fault is Fault.SERVER_ERROR:
            return server_error(503)
        if fault is Fault.MALFORMED:
            return truncated_json({"error": "x" * 64})
        if fault is Fault.AUTH:
            return json_reply({"error": "The access token is invalid"}, 401)
        if fault is Fault.RATE_LIMIT:
            reset = datetime.now(UTC) + timedelta(minutes=5)
            headers = {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            }
            return json_reply({"error": "Too many requests"}, 429, headers)
        return self.stall()

    def _verify(self, request: Request) -> Reply:
        faulted = self._faulted("followers")
        if faulted is not None:
            return faulted
        account = dict(_TEMPLATE["account"], id=BRAND_ID, username="brand", acct="brand")
        account["followers_count"] = self.followers
        return json_reply(account)

    def _list_notifications(self, request: Request) -> Reply:
        faulted = self._faulted("mentions")
        if faulted is not None:
            return faulted
        limit = min(int(request.query.get("limit", ["40"])[0]), self.page_size)
        items = list(self._notifications)  # oldest first
        min_id = request.query.get("min_id", [None])[0]
        max_id = request.query.get("max_id", [None])[0]
        if min_id is not None:
            newer = [n for n in items if n["id"] > min_id]
            page = newer[:limit]
        else:
            older = [n for n in items if max_id is None or n["id"] < max_id]
            page = older[-limit:]
        page = list(reversed(page))  # newest first, as Mastodon answers
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "290"}
        if page:
            base = self.server.url + NOTIFICATIONS
            headers["Link"] = (
                f'<{base}?max_id={page[-1]["id"]}>; rel="next", '
                f'<{base}?min_id={page[0]["id"]}>; rel="prev"'
            )
        return json_reply(page, headers=headers)

    def _status_handler(self, status_id: str) -> Callable[[Request], Reply]:
        def handler(_request: Request) -> Reply:
            faulted = self._faulted("counters")
            if faulted is not None:
                return faulted
            status = self._statuses.get(status_id)
            if status is None:
                return json_reply({"error": "Record not found"}, 404)
            return json_reply(self._shown(status))

        return handler

    def _list_brand_statuses(self, request: Request) -> Reply:
        """The brand's statuses, newest first, paged back by ``max_id`` (``Link: next``)."""
        faulted = self._faulted("find_post")
        if faulted is not None:
            return faulted
        limit = min(int(request.query.get("limit", ["20"])[0]), self.page_size)
        max_id = request.query.get("max_id", [None])[0]
        no_replies = request.query.get("exclude_replies", ["false"])[0] == "true"
        mine = [
            status
            for status in reversed(list(self._statuses.values()))
            if status["account"]["id"] == BRAND_ID
            and not (no_replies and status.get("in_reply_to_id"))
            and (max_id is None or status["id"] < max_id)
        ]
        page = [self._shown(status) for status in mine[:limit]]
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "290"}
        if page:
            base = self.server.url + BRAND_STATUSES
            headers["Link"] = f'<{base}?max_id={page[-1]["id"]}>; rel="next"'
        return json_reply(page, headers=headers)

    def _context_handler(self, status_id: str) -> Callable[[Request], Reply]:
        def handler(_request: Request) -> Reply:
            faulted = self._faulted("thread")
            if faulted is not None:
                return faulted
            if status_id not in self._statuses:
                return json_reply({"error": "Record not found"}, 404)
            return json_reply(
                {
                    "ancestors": self._ancestors(status_id),
                    "descendants": self._descendants(status_id),
                }
            )

        return handler

    def _post_status(self, request: Request) -> Reply:
        """A reply (with ``in_reply_to_id``) or a brand post; a known key gets its status again."""
        key = request.headers.get("idempotency-key", "")
        parent = _parent(request)
        fault = self.take_fault("reply" if parent else "post")
        if fault is not None and fault is not Fault.COMMIT_THEN_STALL:
            return self._fault_reply(fault)
        status = self._by_key.get(key) if key else None
        if status is None:
            text = request.form()["status"][0]
            status = self._add_status(text, author="brand", account_id=BRAND_ID, parent=parent)
            if key:
                self._by_key[key] = status
            if parent:
                self.published.append(Published(status["id"], text, parent))
            else:
                self.posts.append(BrandPost(status["id"], text, key))
        if fault is Fault.COMMIT_THEN_STALL:
            return self.stall()
        return json_reply(status)


def _is_post(request: Request) -> bool:
    return request.method == "POST" and request.path == STATUSES


def _parent(request: Request) -> str | None:
    """The status a POST answers (``in_reply_to_id``), None for a post of the brand's own."""
    return request.form().get("in_reply_to_id", [None])[0] or None


_URL = re.compile(r"https?://\S+")


def _as_html(text: str) -> str:
    """Status HTML as Mastodon renders it: links shortened to 30 visible characters."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        parts.append(html.escape(text[position : match.start()]))
        parts.append(_link(match.group()))
        position = match.end()
    parts.append(html.escape(text[position:]))
    return "".join(parts)


def _link(url: str) -> str:
    scheme, _, rest = url.partition("://")
    visible, hidden = rest[:30], rest[30:]
    shown_class = "ellipsis" if hidden else ""
    return (
        f'<a href="{html.escape(url)}" rel="nofollow noopener" target="_blank">'
        f'<span class="invisible">{scheme}://</span>'
        f'<span class="{shown_class}">{html.escape(visible)}</span>'
        f'<span class="invisible">{html.escape(hidden)}</span></a>'
    )


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


FAKE = FakeMastodon
