"""A stateful fake of VK's API and Bots Long Poll server for one community.

Methods answer at ``/method/<name>`` (GET or POST, form or multipart body) in
VK's envelopes, ``{"response": ...}`` or ``{"error": {"error_code", "error_msg",
"request_params"}}`` inside HTTP 200; the long-poll server is ``/longpoll`` on
the same :class:`TestServer`. Shapes follow ``tests/fixtures/api/vk/``.

Operations, for :meth:`FakeVK.fail` and :meth:`FakeVK.requests`:

- ``mentions``: the long-poll check, ``groups.getLongPollServer``, ``wall.get``,
  ``wall.getComments`` of a whole post, ``users.get`` and ``groups.getById``;
- ``thread``: ``wall.getById``, ``wall.getComment`` and ``wall.getComments`` of one thread;
- ``reply``: ``wall.createComment``;
- ``post``: ``wall.post``; ``find_post``: ``wall.get`` with ``filter=owner``;
- ``followers``: ``groups.getById`` asking for ``members_count``;
- ``counters``: ``wall.getById`` without ``extended`` (a user token's only).

The brand's own posts, publishing and counters, with the community token or an
admin's user token, are :mod:`tests.fakes.vk_posts`.

Faults the VK way: AUTH is error 5, RATE_LIMIT_IN_BODY is error 6 (error 9,
flood control, for replies and posts) and RATE_LIMIT is error 29: VK sends no HTTP 429,
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

import itertools
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

import httpx

from smm_tui.adapters import registry
from smm_tui.adapters.base import Adapter
from smm_tui.core.models import Platform, utcnow
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    html_error_page,
    json_reply,
    truncated_json,
)
from tests.fakes.base import TEST_DEADLINE, TEST_TIMEOUT, FakeNetwork, Fault, Operation, Published
from tests.fakes.vk_posts import PostMethods
from tests.fakes.vk_wall import (
    GROUP,
    GROUP_ID,
    METHODS,
    Comment,
    Post,
    VKError,
    change_event,
    error_reply,
    event,
    int_param,
    operation_of,
    page_of,
    params_of,
    profile_of,
)

LONGPOLL_PATH = "/longpoll"
#: Long-poll ``ts`` values start here, so that no valid ``ts`` is 0.
TS_BASE = 1000
#: Dates start at 2025-01-01 08:42:03 UTC (the fixture's first comment); a minute apart.
DATE_BASE = 1735720923
THREAD_ITEMS_MAX = 10

_IN_BODY = frozenset({Fault.AUTH, Fault.RATE_LIMIT, Fault.RATE_LIMIT_IN_BODY})


class FakeVK(PostMethods, FakeNetwork):
    """One VK community: its wall (posts, comments, threads), its users and its event queue."""

    platform: ClassVar[Platform] = Platform.VK
    faults: ClassVar[frozenset[Fault]] = frozenset(Fault)

    def __init__(
        self,
        server: TestServer,
        token: str = "tok-S3cr3t/+=%value",
        *,
        user_token: str = "vk-user-S3cr3t/+=%u",
    ) -> None:
        super().__init__(server, token)
        #: An admin's user token, which VK accepts where it refuses the community's.
        self.user_token = user_token
        self.user_only: set[str] = set()
        self._as_user = False
        self.group_id = GROUP_ID
        self._state = threading.RLock()
        self._posts: dict[int, Post] = {}
        self._comments: dict[int, Comment] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._history_floor = 0
        self._keys = itertools.count(1)
        self._key = ""
        self._lose_information = False
        self._post_ids = itertools.count(1287)
        self._comment_ids = itertools.count(1301)
        self._change_numbers = itertools.count(1)
        self._removed: dict[int, Comment] = {}
        self._user_ids = itertools.count(512345678)
        self._minutes = itertools.count()
        for name in METHODS:
            for verb in ("GET", "POST"):
                server.route(verb, f"/method/{name}", self._method_handler(name))
        server.route("GET", LONGPOLL_PATH, self._check)
        self.brand_post = self.add_post("Новый сезон: расскажите, что вам нравится ☕️")

    # -- what tests use ----------------------------------------------------------

    def keys(self) -> dict[str, object]:
        """The community's id (VK's own key)."""
        return {"group_id": self.group_id}

    def adapter(
        self,
        *,
        name: str = "brand",
        clock: Callable[[], datetime] = utcnow,
        timeout: httpx.Timeout = TEST_TIMEOUT,
        deadline: float = TEST_DEADLINE,
        user_token: bool = False,
    ) -> Adapter:
        """As :meth:`FakeNetwork.adapter`; ``user_token``: with :attr:`user_token` as well."""
        if not user_token:
            return super().adapter(name=name, clock=clock, timeout=timeout, deadline=deadline)
        self.clock = clock
        connection = self.connection(clock=clock, timeout=timeout, deadline=deadline)
        return registry.build(self.account(name), replace(connection, user_token=self.user_token))

    def add_post(self, text: str) -> str:
        """A post on the community's wall; returns its id (``"<post_id>"``)."""
        with self._state:
            post = Post(next(self._post_ids), text, self._date())
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
            self._users[user_id] = profile_of(user_id, first_name, last_name, screen_name)
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

    def edit_mention(self, external_id: str, text: str) -> str:
        """The author edits a comment; a ``wall_reply_edit`` event is queued."""
        with self._state:
            comment = self._comments[int(external_id.split("_")[1])]
            comment.text = text
            self._queue_change("wall_reply_edit", comment)
            return external_id

    def delete_mention(
        self, external_id: str, *, deleter: int | None = None, field: str = "deleter_id"
    ) -> None:
        """A comment is deleted by ``deleter`` (its author by default; ``-group_id`` for the
        community) and a ``wall_reply_delete`` event naming them in ``field`` is queued
        (``deleter_id`` as VK sends it, ``user_id`` as its schema has it; "": not named)."""
        with self._state:
            comment = self._comments.pop(int(external_id.split("_")[1]))
            self._removed[comment.id] = comment
            who = comment.from_id if deleter is None else deleter
            self._queue_change("wall_reply_delete", comment, **({field: who} if field else {}))

    def queue_event(self, event: dict[str, Any]) -> None:
        """Any long-poll event, as it is (one of another community, or of a shape VK never sent)."""
        with self._state:
            self._events.append(event)

    def restore_mention(self, external_id: str) -> None:
        """A deleted comment comes back; a ``wall_reply_restore`` event is queued."""
        with self._state:
            comment = self._removed.pop(int(external_id.split("_")[1]))
            self._comments[comment.id] = comment
            self._queue_change("wall_reply_restore", comment)

    # -- state -------------------------------------------------------------------

    def _queue_change(self, kind: str, comment: Comment, **deleted: int) -> None:
        self._events.append(change_event(kind, comment, next(self._change_numbers), **deleted))

    def _date(self) -> int:
        return DATE_BASE + 60 * next(self._minutes)

    def _user(self, name: str) -> dict[str, Any]:
        for profile in self._users.values():
            if profile["screen_name"] == name:
                return profile
        user_id = next(self._user_ids)
        self._users[user_id] = profile_of(user_id, name.capitalize(), "", name)
        return self._users[user_id]

    def _new_comment(self, reply_to: str, from_id: int, text: str) -> Comment:
        post_text, _, comment_text = reply_to.partition("_")
        post = self._posts[int(post_text)]
        comment = Comment(next(self._comment_ids), post.id, from_id, text, self._date())
        if comment_text:
            parent = self._comments[int(comment_text)]
            comment.reply_to_comment = parent.id
            comment.reply_to_user = parent.from_id if parent.from_id > 0 else None
            comment.head = parent.head if parent.head is not None else parent.id
        self._comments[comment.id] = comment
        self._events.append(event(comment))
        return comment

    # -- routing -----------------------------------------------------------------

    def _operation_of(self, request: Request) -> Operation | None:
        if request.path == LONGPOLL_PATH:
            return "mentions"
        if not request.path.startswith("/method/"):
            return None
        return operation_of(request.path.removeprefix("/method/"), params_of(request))

    def _peek_fault(self, operation: Operation) -> Fault | None:
        with self._lock:
            pending = self._faults.get(operation)
            return pending[0] if pending else None

    def _method_handler(self, name: str) -> Callable[[Request], Reply]:
        def handler(request: Request) -> Reply:
            params = params_of(request)
            operation = operation_of(name, params)
            fault = self.take_fault(operation)
            if fault is not None and fault is not Fault.COMMIT_THEN_STALL:
                return self._method_fault(fault, operation, name, params)
            auth = request.headers.get("authorization")
            try:
                if auth not in (f"Bearer {self.token}", f"Bearer {self.user_token}"):
                    raise VKError(5)
                with self._state:
                    self._as_user = auth == f"Bearer {self.user_token}"
                    response = getattr(self, "_" + name.replace(".", "_"))(params)
            except VKError as exc:
                return error_reply(exc.code, name, params, exc.detail)
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
            Fault.RATE_LIMIT_IN_BODY: 9 if operation in ("reply", "post") else 6,
        }
        return error_reply(codes[fault], name, params)

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

    def _users_get(self, params: dict[str, str]) -> list[dict[str, Any]]:
        ids = [int(i) for i in params.get("user_ids", "").split(",") if i.strip().isdigit()]
        return [self._users[i] for i in ids if i in self._users]

    def _wall_getComment(self, params: dict[str, str]) -> dict[str, Any]:
        self._own_wall(params)
        comment = self._comments.get(int_param(params, "comment_id"))
        if comment is None:
            raise VKError(100, "comment_id is invalid")
        return self._extended({"items": [comment.to_json()]}, [comment])

    def _wall_getComments(self, params: dict[str, str]) -> dict[str, Any]:
        self._own_wall(params)
        post_id = int_param(params, "post_id")
        if post_id not in self._posts:
            raise VKError(100, "post_id is invalid")
        on_post = [c for c in self._comments.values() if c.post_id == post_id]
        if "comment_id" in params:
            head = int_param(params, "comment_id")
            if head not in self._comments:
                raise VKError(100, "comment_id is invalid")
            level = [c for c in on_post if c.head == head]
        else:
            level = [c for c in on_post if c.head is None]
        level.sort(key=lambda c: c.id, reverse=params.get("sort") == "desc")
        page = page_of(level, params, self.page_size)
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
        post_id = int_param(params, "post_id")
        message = params.get("message", "")
        if post_id not in self._posts or not message:
            raise VKError(100, "post_id or message is invalid")
        reply_to = str(post_id)
        if "reply_to_comment" in params:
            parent = self._comments.get(int_param(params, "reply_to_comment"))
            if parent is None or parent.post_id != post_id:
                raise VKError(100, "reply_to_comment is invalid")
            reply_to = f"{post_id}_{parent.id}"
        comment = self._new_comment(reply_to, -self.group_id, message)
        self.published.append(Published(f"{post_id}_{comment.id}", message, reply_to))
        stack = [comment.head] if comment.head is not None else []
        return {"comment_id": comment.id, "parents_stack": stack}

    # -- shapes ------------------------------------------------------------------

    def _extended(self, body: dict[str, Any], comments: list[Comment]) -> dict[str, Any]:
        authors = {c.from_id for c in comments}
        profiles = [self._users[i] for i in sorted(authors) if i in self._users]
        groups = [GROUP] if -self.group_id in authors else []
        return {**body, "profiles": profiles, "groups": groups}


FAKE = FakeVK
