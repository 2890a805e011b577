"""The shapes the fake VK server deals in: its community, comments, posts, events and errors.

Used by :class:`tests.fakes.vk.FakeVK`; shapes follow ``tests/fixtures/api/vk/``.
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass
from typing import Any

from tests.adapters.httpserver import Reply, Request, json_reply
from tests.fakes.base import Operation

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
ERRORS = {
    5: "User authorization failed: invalid access_token (4).",
    15: "Access denied",
    27: "Group authorization failed: method is unavailable with group auth.",
    6: "Too many requests per second",
    9: "Flood control",
    10: "Internal server error",
    29: "Rate limit reached",
    100: "One of the parameters specified was missing or invalid",
}


#: The methods the fake answers.
METHODS = (
    "groups.getById",
    "groups.getLongPollServer",
    "users.get",
    "wall.createComment",
    "wall.get",
    "wall.getById",
    "wall.getComment",
    "wall.getComments",
    "wall.post",
)


class VKError(Exception):
    """An API error the fake answers with."""

    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


@dataclass
class Comment:
    """A comment on the community's wall, as the fake keeps it."""

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
class Post:
    """A post on the community's wall."""

    id: int
    text: str
    date: int


def operation_of(method: str, params: dict[str, str]) -> Operation:
    """The operation (for faults and :meth:`FakeVK.requests`) a method call belongs to."""
    if method == "wall.createComment":
        return "reply"
    if method == "wall.post":
        return "post"
    if method == "wall.get" and params.get("filter") == "owner":
        return "find_post"
    if method == "groups.getById" and "members_count" in params.get("fields", "").split(","):
        return "followers"
    if method == "wall.getById":
        return "thread" if params.get("extended") == "1" else "counters"
    if method == "wall.getComment":
        return "thread"
    if method == "wall.getComments" and "comment_id" in params:
        return "thread"
    return "mentions"


def params_of(request: Request) -> dict[str, str]:
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


def int_param(params: dict[str, str], name: str) -> int:
    """Parameter ``name`` as a number; VK's error 100 if it is not one."""
    value = params.get(name, "")
    if not value.lstrip("-").isdigit():
        raise VKError(100, f"{name} is invalid")
    return int(value)


def page_of(items: list[Any], params: dict[str, str], cap: int) -> list[Any]:
    """The page of ``items`` that ``offset`` and ``count`` ask for, at most ``cap`` long."""
    offset = int(params.get("offset") or 0)
    count = min(int(params.get("count") or 20), cap)
    return items[offset : offset + count]


def profile_of(user_id: int, first: str, last: str, screen_name: str) -> dict[str, Any]:
    """A user's profile as extended answers carry it."""
    return {
        "id": user_id,
        "first_name": first,
        "last_name": last,
        "screen_name": screen_name,
        "photo_100": "https://vk.com/images/camera_100.png",
        "can_access_closed": True,
        "is_closed": False,
    }


def event(comment: Comment) -> dict[str, Any]:
    """The ``wall_reply_new`` long-poll event of a new comment."""
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


def change_event(kind: str, comment: Comment, number: int, **deleted: int) -> dict[str, Any]:
    """The long-poll event of a change to ``comment`` (the ``number``-th change):
    ``wall_reply_edit`` and ``wall_reply_restore`` carry the whole comment;
    ``wall_reply_delete`` only its ids and who deleted it (``deleted``: ``deleter_id``
    or ``user_id``)."""
    if kind == "wall_reply_delete":
        obj: dict[str, Any] = {
            "owner_id": -GROUP_ID,
            "id": comment.id,
            "post_id": comment.post_id,
            **deleted,
        }
    else:
        obj = {**comment.to_json(), "post_owner_id": -GROUP_ID}
    return {
        "type": kind,
        "event_id": f"{number:08x}{comment.id:032x}",
        "v": "5.199",
        "object": obj,
        "group_id": GROUP_ID,
    }


def error_reply(code: int, method: str, params: dict[str, str], detail: str = "") -> Reply:
    """VK's error envelope for ``code``, inside HTTP 200."""
    message = ERRORS.get(code, "Access denied")
    if detail:
        message = f"{message}: {detail}"
    shown = {"method": method, "oauth": "1", **{k: v for k, v in params.items() if k == "v"}}
    request_params = [{"key": key, "value": value} for key, value in shown.items()]
    error = {"error_code": code, "error_msg": message, "request_params": request_params}
    return json_reply({"error": error})
