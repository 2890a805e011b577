"""A stateful fake of VK's API and Bots Long Poll server for one community.

Methods answer at ``/method/<name>`` (GET or POST, form or multipart body) in
VK's envelopes, ``{"response": ...}`` or ``{"error": {"error_code", "error_msg",
"request_params"}}`` inside HTTP 200; the long-poll server is ``/longpoll`` on
the same :class:`TestServer`. Shapes follow ``tests/fixtures/api/vk/``.

Operations, for :meth:`FakeVK.fail` and :meth:`FakeVK.requests`:

- ``mentions``: the long-poll check, ``groups.getLongPollServer``, ``wall.get``,
  ``wall.getComments`` of a whole post, ``users.get`` and ``groups.getById``;
- ``thread``: ``wall.getById``, ``wall.getComment`` and ``wall.getComments`` of one thread;
- ``reply``: ``wall.createComment``.

Faults the VK way: AUTH is error 5, RATE_LIMIT_IN_BODY is error 6 (error 9,
flood control, for replies) and RATE_LIMIT is error 29: VK sends no HTTP 429,
so the status-code kind is also played in the body, as the per-method quota.
SERVER_ERROR is error 10 from a method and an HTML 502 from the long-poll
server, which has no error envelope. For the same reason an in-body fault due
on a long-poll check first expires the session key (``{"failed": 2}``), and the
``groups.getLongPollServer`` call that follows answers with the error — what a
revoked token looks like there. The faults every network meets alike (a bare
429, HTML pages, a slow body, a reset; :meth:`FakeNetwork.common_fault`) come
the same from methods and from the long-poll server.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import httpx

from smm_tui.adapters.vk import VKAdapter
from smm_tui.config import AccountConfig
from smm_tui.core.models import Platform, utcnow
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    html_error_page,
    json_reply,
    truncated_json,
)
from tests.fakes.base import (
    TEST_DEADLINE,
    TEST_TIMEOUT,
    FakeNetwork,
    Fault,
    Operation,
    Published,
)

#: The community of the fixtures (``list-mentions.json``).
GROUP_ID = 218375169
GROUP = {
    "id": GROUP_ID,
    "name": "Кофейня «Зерно»",
    "screen_name": "zerno_coffee",
    "is_closed": 0,
    "type": "page",
    "photo_100": "https://sun1-13.userapi.com/impg/c000/zerno_100.jpg",
}
LONGPOLL_PATH = "/longpoll"
METHODS = (
    "groups.getById",
    "groups.getLongPollServer",
    "users.get",
    "wall.createComment",
    "wall.get",
    "wall.getById",
    "wall.getComment",
    "wall.getComments",
)
#: Long-poll ``ts`` values start here, so that no valid ``ts`` is 0.
TS_BASE = 1000
#: Dates start at 2025-01-01 08:42:03 UTC (the fixture's first comment); a minute apart.
DATE_BASE = 1735720923
THREAD_ITEMS_MAX = 10

_IN_BODY = frozenset({Fault.AUTH, Fault.RATE_LIMIT, Fault.RATE_LIMIT_IN_BODY})
_ERRORS = {
    5: "User authorization failed: invalid access_token (4).",
    6: "Too many requests per second",
    9: "Flood control",
    10: "Internal server error",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid",
}


class VKError(Exception):
    """An API error the fake answers with."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass
class _Comment:
    id: int
    post_id: int
    from_id: int
    text: str
    date: int
    reply_to_comment: int | None = None
    reply_to_user: int | None = None
    head: int | None = None

    def to_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": self.id,
            "from_id": self.from_id,
            "post_id": self.post_id,
            "owner_id": -GROUP_ID,
            "parents_stack": [self.head] if self.head is not None else [],
            "date": self.date,
            "text": self.text,
            "likes": {"count": 0, "user_likes": 0, "can_like": 1, "can_publish": 1},
        }
        if self.reply_to_comment is not None:
            item["reply_to_comment"] = self.reply_to_comment
        if self.reply_to_user is not None:
            item["reply_to_user"] = self.reply_to_user
        return item


@dataclass
class _Post:
    id: int
    text: str
    date: int


class FakeVK(FakeNetwork):
    """One VK community: its wall (posts, comments, threads), its users and its event queue."""

    platform: ClassVar[Platform] = Platform.VK
    faults: ClassVar[frozenset[Fault]] = frozenset(Fault)

    def __init__(self, server: TestServer, token: str = "tok-S3cr3t/+=%value") -> None:
        super().__init__(server, token)
        self.group_id = GROUP_ID
        self._state = threading.RLock()
        self._posts: dict[int, _Post] = {}
        self._comments: dict[int, _Comment] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._history_floor = 0
        self._keys = itertools.count(1)
        self._key = ""
        self._lose_information = False
        self._post_ids = itertools.count(1287)
        self._comment_ids = itertools.count(1301)
        self._user_ids = itertools.count(512345678)
        self._minutes = itertools.count()
        for name in METHODS:
            for verb in ("GET", "POST"):
                server.route(verb, f"/method/{name}", self._method_handler(name))
        server.route("GET", LONGPOLL_PATH, self._check)
        self.brand_post = self.add_post("Новый сезон: расскажите, что вам нравится ☕️")

    # -- what tests use ----------------------------------------------------------

    def account(self, name: str = "brand") -> AccountConfig:
        """The ``[[accounts]]`` block of the community on this fake."""
        return AccountConfig(
            name=name,
            platform=Platform.VK,
            base_url=self.server.url,
            token_env=self.token_env,
            extra=MappingProxyType({"group_id": self.group_id}),
        )

    def adapter(
        self,
        *,
        name: str = "brand",
        clock: Callable[[], datetime] = utcnow,
        timeout: httpx.Timeout = TEST_TIMEOUT,
        deadline: float = TEST_DEADLINE,
    ) -> VKAdapter:
        """A VKAdapter on this fake. ``longpoll_wait=0``: the fake never holds a check open,
        so the check's read timeout stays the client's (and stalls end as quickly)."""
        return VKAdapter(
            name,
            base_url=self.server.url,
            token=self.token,
            group_id=self.group_id,
            client=self.client(timeout),
            clock=clock,
            deadline=deadline,
            token_hint=self.token_env,
            longpoll_wait=0,
        )

    def add_post(self, text: str) -> str:
        """A post on the community's wall; returns its id (``"<post_id>"``)."""
        with self._state:
            post = _Post(next(self._post_ids), text, self._date())
            self._posts[post.id] = post
            return str(post.id)

    def add_mention(self, text: str, *, author: str = "alice", reply_to: str | None = None) -> str:
        """A comment by user ``author`` on a post (the brand post by default) or in the
        thread of a comment (``reply_to = "<post>_<comment>"``); a ``wall_reply_new``
        event is queued. Returns ``"<post_id>_<comment_id>"``."""
        with self._state:
            user = self._user(author)
            comment = self._new_comment(reply_to or self.brand_post, user["id"], text)
            return f"{comment.post_id}_{comment.id}"

    def requests(self, operation: Operation) -> list[Request]:
        """The requests the server received for ``operation``."""
        with self.server._changed:
            recorded = list(self.server.requests)
        return [r for r in recorded if self._operation_of(r) == operation]

    def expire_key(self) -> None:
        """The long-poll key expires: the next check answers ``{"failed": 2}``."""
        with self._state:
            self._key = ""

    def lose_history(self) -> None:
        """Events so far drop out of the queue: an older ``ts`` gets ``{"failed": 1, "ts"}``."""
        with self._state:
            self._history_floor = len(self._events)

    def lose_information(self) -> None:
        """The next check answers ``{"failed": 3}``: a new key and ts are needed."""
        with self._state:
            self._lose_information = True

    def add_user(self, first_name: str, last_name: str, screen_name: str) -> int:
        """A user with a full profile; returns the id (for comments with hostile names)."""
        with self._state:
            user_id = next(self._user_ids)
            self._users[user_id] = _profile(user_id, first_name, last_name, screen_name)
            return user_id

    def add_comment_by(self, user_id: int, text: str, reply_to: str | None = None) -> str:
        """Like :meth:`add_mention` for a user made with :meth:`add_user`."""
        with self._state:
            comment = self._new_comment(reply_to or self.brand_post, user_id, text)
            return f"{comment.post_id}_{comment.id}"

    def delete_comment(self, external_id: str) -> None:
        """Remove a comment, as a moderator does (threads below it stay)."""
        with self._state:
            del self._comments[int(external_id.split("_")[1])]

    # -- state -------------------------------------------------------------------

    def _date(self) -> int:
        return DATE_BASE + 60 * next(self._minutes)

    def _user(self, name: str) -> dict[str, Any]:
        for profile in self._users.values():
            if profile["screen_name"] == name:
                return profile
        user_id = next(self._user_ids)
        self._users[user_id] = _profile(user_id, name.capitalize(), "", name)
        return self._users[user_id]

    def _new_comment(self, reply_to: str, from_id: int, text: str) -> _Comment:
        post_text, _, comment_text = reply_to.partition("_")
        post = self._posts[int(post_text)]
        comment = _Comment(next(self._comment_ids), post.id, from_id, text, self._date())
        if comment_text:
            parent = self._comments[int(comment_text)]
            comment.reply_to_comment = parent.id
            comment.reply_to_user = parent.from_id if parent.from_id > 0 else None
            comment.head = parent.head if parent.head is not None else parent.id
        self._comments[comment.id] = comment
        self._events.append(_event(comment))
        return comment

    # -- routing -----------------------------------------------------------------

    def _operation_of(self, request: Request) -> Operation | None:
        if request.path == LONGPOLL_PATH:
            return "mentions"
        if not request.path.startswith("/method/"):
            return None
        return _operation(request.path.removeprefix("/method/"), _params(request))

    def _peek_fault(self, operation: Operation) -> Fault | None:
        with self._lock:
            pending = self._faults.get(operation)
            return pending[0] if pending else None

    def _method_handler(self, name: str) -> Callable[[Request], Reply]:
        def handler(request: Request) -> Reply:
            params = _params(request)
            operation = _operation(name, params)
            fault = self.take_fault(operation)
            if fault is not None and fault is not Fault.COMMIT_THEN_STALL:
                return self._method_fault(fault, operation, name, params)
            try:
                if request.headers.get("authorization") != f"Bearer {self.token}":
                    raise VKError(5)
                with self._state:
                    response = getattr(self, "_" + name.replace(".", "_"))(params)
            except VKError as exc:
                return _error_reply(exc.code, name, params, exc.detail)
            if fault is Fault.COMMIT_THEN_STALL:
                return self.stall()
            return json_reply({"response": response})

        return handler

    def _method_fault(
        self, fault: Fault, operation: Operation, name: str, params: dict[str, str]
    ) -> Reply:
        common = self.common_fault(fault)
        if common is not None:
            return common
        if fault is Fault.STALL:
            return self.stall()
        if fault is Fault.MALFORMED:
            return truncated_json({"response": {"count": 1, "items": [{"id": 1}]}})
        codes = {
            Fault.AUTH: 5,
            Fault.SERVER_ERROR: 10,
            Fault.RATE_LIMIT: 29,
            Fault.RATE_LIMIT_IN_BODY: 9 if operation == "reply" else 6,
        }
        return _error_reply(codes[fault], name, params)

    def _check(self, request: Request) -> Reply:
        if self._peek_fault("mentions") in _IN_BODY:
            self.expire_key()
            return json_reply({"failed": 2})
        fault = self.take_fault("mentions")
        common = self.common_fault(fault) if fault is not None else None
        if common is not None:
            return common
        if fault is Fault.SERVER_ERROR:
            return html_error_page(502)
        if fault is Fault.MALFORMED:
            return truncated_json({"ts": "1", "updates": []})
        if fault is not None:
            return self.stall()
        query = {name: values[-1] for name, values in request.query.items()}
        with self._state:
            return json_reply(self._answer_check(query))

    def _answer_check(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("act") != "a_check" or not self._key or query.get("key") != self._key:
            return {"failed": 2}
        if self._lose_information:
            self._lose_information = False
            return {"failed": 3}
        newest = TS_BASE + len(self._events)
        try:
            index = int(query.get("ts", "")) - TS_BASE
        except ValueError:
            return {"failed": 1, "ts": str(newest)}
        if not self._history_floor <= index <= len(self._events):
            return {"failed": 1, "ts": str(newest)}
        batch = self._events[index : index + self.page_size]
        return {"ts": str(TS_BASE + index + len(batch)), "updates": batch}

    # -- methods (called with the state lock held) -------------------------------

    def _groups_getLongPollServer(self, params: dict[str, str]) -> dict[str, Any]:
        if params.get("group_id") != str(self.group_id):
            raise VKError(100, "group_id is invalid")
        self._key = f"lp{next(self._keys)}-5a3c9e0b7d"
        server = self.server.url + LONGPOLL_PATH
        return {"key": self._key, "server": server, "ts": str(TS_BASE + len(self._events))}

    def _groups_getById(self, params: dict[str, str]) -> dict[str, Any]:
        wanted = params.get("group_id") or params.get("group_ids") or ""
        groups = [GROUP] if str(self.group_id) in wanted.split(",") else []
        return {"groups": groups, "profiles": []}

    def _users_get(self, params: dict[str, str]) -> list[dict[str, Any]]:
        ids = [int(i) for i in params.get("user_ids", "").split(",") if i.strip().isdigit()]
        return [self._users[i] for i in ids if i in self._users]

    def _wall_get(self, params: dict[str, str]) -> dict[str, Any]:
        self._own_wall(params)
        posts = sorted(self._posts.values(), key=lambda p: p.id, reverse=True)
        page = _page(posts, params, self.page_size)
        return {"count": len(posts), "items": [self._post_json(p) for p in page]}

    def _wall_getById(self, params: dict[str, str]) -> dict[str, Any]:
        items = []
        for ref in params.get("posts", "").split(","):
            owner, _, post_id = ref.partition("_")
            if owner == f"-{self.group_id}" and post_id.isdigit():
                post = self._posts.get(int(post_id))
                items += [self._post_json(post)] if post else []
        return {"items": items, "profiles": [], "groups": [GROUP]}

    def _wall_getComment(self, params: dict[str, str]) -> dict[str, Any]:
        self._own_wall(params)
        comment = self._comments.get(_int(params, "comment_id"))
        if comment is None:
            raise VKError(100, "comment_id is invalid")
        return self._extended({"items": [comment.to_json()]}, [comment])

    def _wall_getComments(self, params: dict[str, str]) -> dict[str, Any]:
        self._own_wall(params)
        post_id = _int(params, "post_id")
        if post_id not in self._posts:
            raise VKError(100, "post_id is invalid")
        on_post = [c for c in self._comments.values() if c.post_id == post_id]
        if "comment_id" in params:
            head = _int(params, "comment_id")
            if head not in self._comments:
                raise VKError(100, "comment_id is invalid")
            level = [c for c in on_post if c.head == head]
        else:
            level = [c for c in on_post if c.head is None]
        level.sort(key=lambda c: c.id, reverse=params.get("sort") == "desc")
        page = _page(level, params, self.page_size)
        inline = min(int(params.get("thread_items_count") or 0), THREAD_ITEMS_MAX, self.page_size)
        items, shown = [], list(page)
        for comment in page:
            item = comment.to_json()
            if comment.head is None:
                replies = [c for c in on_post if c.head == comment.id]
                item["thread"] = {
                    "count": len(replies),
                    "items": [c.to_json() for c in replies[:inline]],
                    "can_post": True,
                    "show_reply_button": True,
                    "groups_can_post": True,
                }
                shown += replies[:inline]
            items.append(item)
        body = {
            "count": len(on_post) if "comment_id" not in params else len(level),
            "current_level_count": len(level),
            "can_post": True,
            "show_reply_button": True,
            "groups_can_post": True,
            "items": items,
        }
        return self._extended(body, shown) if params.get("extended") == "1" else body

    def _wall_createComment(self, params: dict[str, str]) -> dict[str, Any]:
        self._own_wall(params)
        if params.get("from_group") != str(self.group_id):
            raise VKError(100, "from_group is invalid")
        post_id = _int(params, "post_id")
        message = params.get("message", "")
        if post_id not in self._posts or not message:
            raise VKError(100, "post_id or message is invalid")
        reply_to = str(post_id)
        if "reply_to_comment" in params:
            parent = self._comments.get(_int(params, "reply_to_comment"))
            if parent is None or parent.post_id != post_id:
                raise VKError(100, "reply_to_comment is invalid")
            reply_to = f"{post_id}_{parent.id}"
        comment = self._new_comment(reply_to, -self.group_id, message)
        self.published.append(Published(f"{post_id}_{comment.id}", message, reply_to))
        stack = [comment.head] if comment.head is not None else []
        return {"comment_id": comment.id, "parents_stack": stack}

    # -- shapes ------------------------------------------------------------------

    def _own_wall(self, params: dict[str, str]) -> None:
        if params.get("owner_id") != f"-{self.group_id}":
            raise VKError(15 if params.get("owner_id") else 100, "owner_id")

    def _post_json(self, post: _Post) -> dict[str, Any]:
        comments = sum(1 for c in self._comments.values() if c.post_id == post.id)
        return {
            "id": post.id,
            "owner_id": -self.group_id,
            "from_id": -self.group_id,
            "date": post.date,
            "post_type": "post",
            "text": post.text,
            "comments": {"count": comments, "can_post": 1, "groups_can_post": True},
            "likes": {"count": 0, "user_likes": 0, "can_like": 1, "can_publish": 1},
        }

    def _extended(self, body: dict[str, Any], comments: list[_Comment]) -> dict[str, Any]:
        authors = {c.from_id for c in comments}
        profiles = [self._users[i] for i in sorted(authors) if i in self._users]
        groups = [GROUP] if -self.group_id in authors else []
        return {**body, "profiles": profiles, "groups": groups}


FAKE = FakeVK


def _operation(method: str, params: dict[str, str]) -> Operation:
    if method == "wall.createComment":
        return "reply"
    if method in ("wall.getById", "wall.getComment"):
        return "thread"
    if method == "wall.getComments" and "comment_id" in params:
        return "thread"
    return "mentions"


def _params(request: Request) -> dict[str, str]:
    """Query, form and multipart parameters of a method call (the last value of each)."""
    params = {name: values[-1] for name, values in request.query.items()}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                params[name] = payload.decode()
    elif request.body:
        params.update({name: values[-1] for name, values in request.form().items()})
    return params


def _int(params: dict[str, str], name: str) -> int:
    value = params.get(name, "")
    if not value.lstrip("-").isdigit():
        raise VKError(100, f"{name} is invalid")
    return int(value)


def _page(items: list[Any], params: dict[str, str], cap: int) -> list[Any]:
    offset = int(params.get("offset") or 0)
    count = min(int(params.get("count") or 20), cap)
    return items[offset : offset + count]


def _profile(user_id: int, first: str, last: str, screen_name: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "first_name": first,
        "last_name": last,
        "screen_name": screen_name,
        "photo_100": "https://vk.com/images/camera_100.png",
        "can_access_closed": True,
        "is_closed": False,
    }


def _event(comment: _Comment) -> dict[str, Any]:
    return {
        "type": "wall_reply_new",
        "event_id": f"{comment.id:040x}",
        "v": "5.199",
        "object": {
            **comment.to_json(),
            "thread": {"count": 0},
            "post_owner_id": -GROUP_ID,
        },
        "group_id": GROUP_ID,
    }


def _error_reply(code: int, method: str, params: dict[str, str], detail: str = "") -> Reply:
    message = _ERRORS.get(code, "Access denied")
    if detail:
        message = f"{message}: {detail}"
    shown = {"method": method, "oauth": "1", **{k: v for k, v in params.items() if k == "v"}}
    request_params = [{"key": key, "value": value} for key, value in shown.items()]
    error = {"error_code": code, "error_msg": message, "request_params": request_params}
    return json_reply({"error": error})
