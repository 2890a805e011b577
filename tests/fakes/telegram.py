"""A stateful Telegram Bot API: getUpdates with confirming offsets, sendMessage,
getChatMemberCount and getMe.

The bot sits in the discussion supergroup of the brand's channel and is an
administrator of the channel. A post is the channel post's automatic forward
into that group; a mention is a user's message there replying to a post or to
another message, as the comments under a channel post arrive. sendMessage to
the group is a reply ("reply"); to the channel (``@acme_news`` or its id) it
publishes a post ("post"), which is forwarded into the group as Telegram does.
Shapes follow ``tests/fixtures/api/telegram/``.

The Bot API has no call that reads a thread, lists a channel's posts or gives
a post's counters, so the "thread", "find_post" and "counters" operations do
not exist here: :meth:`FakeTelegram.fail` refuses them. An edit arrives as an
``edited_message`` update; a deletion is never told to a bot.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
import time
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote

from smm_tui.core.models import Platform
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply, truncated_json
from tests.fakes.base import BrandPost, FakeNetwork, Fault, Operation, Published
from tests.recorded import FIXTURES

API = FIXTURES / "api" / "telegram"
_UPDATES: list[dict[str, Any]] = json.loads(
    (API / "list-mentions.json").read_text(encoding="utf-8")
)["result"]
_COMMENT: dict[str, Any] = _UPDATES[1]["message"]
_FORWARD: dict[str, Any] = _COMMENT["reply_to_message"]
#: The channel's discussion supergroup (no username: links are t.me/c/...).
GROUP: dict[str, Any] = _COMMENT["chat"]
CHANNEL: dict[str, Any] = _FORWARD["sender_chat"]
BOT: dict[str, Any] = json.loads((API / "reply-success.json").read_text(encoding="utf-8"))[
    "result"
]["from"]
FIRST_UPDATE_ID = _UPDATES[0]["update_id"]
RETRY_AFTER = 35
#: The operations the Bot API has no call for.
_NO_CALL: frozenset[str] = frozenset({"thread", "find_post", "counters"})
_USERNAME = re.compile(r"[A-Za-z0-9_]{4,32}")


class FakeTelegram(FakeNetwork):
    """Telegram's Bot API for one bot in the discussion group of the brand's channel."""

    platform = Platform.TELEGRAM
    lists_post_comments: ClassVar[bool] = False
    shows_threads: ClassVar[bool] = False
    shows_deletions: ClassVar[bool] = False

    def __init__(self, server: TestServer, token: str = "tok-S3cr3t/+=%value") -> None:
        super().__init__(server, token)
        self._state = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(FIRST_UPDATE_ID)
        self._message_ids = itertools.count(_FORWARD["message_id"])
        self._post_ids = itertools.count(_FORWARD["forward_origin"]["message_id"])
        self._messages: dict[int, dict[str, Any]] = {}
        self._users: dict[str, dict[str, Any]] = {}
        self._default_post: str | None = None
        #: Other chats the bot is a member of (a department's), by id: the sendMessage
        #: parameters each received, in order. Tests add a chat before sending to it.
        self.chats: dict[int, list[dict[str, Any]]] = {}
        prefix = f"/bot{quote(token, safe=':')}/"
        self.paths: dict[str, str] = {
            "mentions": prefix + "getUpdates",
            "reply": prefix + "sendMessage",
            "me": prefix + "getMe",
            "followers": prefix + "getChatMemberCount",
        }
        for verb in ("GET", "POST"):  # the Bot API takes both
            server.route(verb, self.paths["mentions"], self._get_updates)
            server.route(verb, self.paths["reply"], self._send_message)
            server.route(verb, self.paths["followers"], self._member_count)
            server.route(verb, self.paths["me"], json_reply({"ok": True, "result": BOT}))

    # -- FakeNetwork -------------------------------------------------------------

    def keys(self) -> dict[str, object]:
        """The brand's channel, where posts go."""
        return {"channel": f"@{CHANNEL['username']}"}

    def add_post(self, text: str) -> str:
        """A channel post, as its automatic forward into the discussion group."""
        return self._forward(text, next(self._post_ids), int(time.time()))

    def add_mention(self, text: str, *, author: str = "alice", reply_to: str | None = None) -> str:
        """A comment by ``author`` in the discussion group replying to ``reply_to``.

        Without ``reply_to`` it comments on a channel post kept for the purpose.
        """
        if reply_to is None:
            if self._default_post is None:
                self._default_post = self.add_post("Наши новости / Our news")
            reply_to = self._default_post
        target = self._message(reply_to)
        if target is None:
            raise KeyError(f"FakeTelegram holds no message {reply_to!r}")
        comment = copy.deepcopy(_COMMENT)
        comment.update(
            {
                "from": self._user(author),
                "date": int(time.time()),
                "text": text,
                "message_thread_id": target.get("message_thread_id", target["message_id"]),
                "reply_to_message": _embedded(target),
            }
        )
        return self._publish(comment, as_update=True)

    def add_update(self, update: dict[str, Any]) -> int:
        """Any update (a service message, a channel post, a callback); returns its update_id."""
        with self._state:
            update = dict(update, update_id=next(self._update_ids))
            self._updates.append(update)
            return int(update["update_id"])

    def edit_mention(self, external_id: str, text: str) -> str:
        """The author edits the message; an ``edited_message`` update is queued."""
        with self._state:
            message = self._messages[int(external_id.rpartition(":")[2])]
            message.update(text=text, edit_date=int(time.time()))
            edited = {"update_id": next(self._update_ids), "edited_message": copy.deepcopy(message)}
            self._updates.append(edited)
        return external_id

    def delete_mention(self, external_id: str) -> None:
        """The author deletes the message: it is gone, and no update tells the bot."""
        with self._state:
            del self._messages[int(external_id.rpartition(":")[2])]

    def fail(self, operation: Operation, fault: Fault, times: int = 1, *, after: int = 0) -> None:
        """As :meth:`FakeNetwork.fail`; "thread", "find_post" and "counters" have no call."""
        if operation in _NO_CALL:
            raise ValueError(f"FakeTelegram: the Bot API has no {operation} call to fail")
        super().fail(operation, fault, times, after=after)

    def requests(self, operation: Operation) -> list[Request]:
        """Requests received for one operation; sendMessage is a "post" when sent to the channel.

        "thread", "find_post" and "counters" never reach the server.
        """
        if operation in ("post", "reply"):
            sent = [r for r in list(self.server.requests) if r.path == self.paths["reply"]]
            return [r for r in sent if _to_channel(_params(r)) == (operation == "post")]
        path = self.paths.get(operation)
        return [r for r in list(self.server.requests) if r.path == path]

    # -- state -------------------------------------------------------------------

    def _user(self, author: str) -> dict[str, Any]:
        with self._state:
            user = self._users.get(author)
            if user is None:
                user = {"id": 600000100 + len(self._users), "is_bot": False, "first_name": author}
                if _USERNAME.fullmatch(author):
                    user["username"] = author
                user["language_code"] = "ru"
                self._users[author] = user
            return user

    def _message(self, external_id: str) -> dict[str, Any] | None:
        chat, _, message_id = external_id.rpartition(":")
        if chat != str(GROUP["id"]) or not message_id.lstrip("-").isdigit():
            return None
        with self._state:
            return self._messages.get(int(message_id))

    def _forward(self, text: str, post_id: int, date: int) -> str:
        """Channel post ``post_id``'s automatic forward into the discussion group."""
        forward = copy.deepcopy(_FORWARD)
        forward["text"] = text
        forward["forward_origin"]["message_id"] = post_id
        forward["forward_origin"]["date"] = forward["date"] = date
        return self._publish(forward, as_update=True)

    def _publish(self, message: dict[str, Any], *, as_update: bool) -> str:
        with self._state:
            message["message_id"] = next(self._message_ids)
            self._messages[message["message_id"]] = message
            if as_update:
                self._updates.append(
                    {"update_id": next(self._update_ids), "message": copy.deepcopy(message)}
                )
        return f"{GROUP['id']}:{message['message_id']}"

    # -- handlers ----------------------------------------------------------------

    def _faulted(self, fault: Fault) -> Reply:
        common = self.common_fault(fault)
        if common is not None:
            return common
        if fault is Fault.SERVER_ERROR:
            return _error(500, "Internal Server Error")
        if fault is Fault.MALFORMED:
            return truncated_json({"ok": True, "result": [{"update_id": 1, "message": {}}]})
        if fault is Fault.AUTH:
            return _error(401, "Unauthorized")
        if fault is Fault.RATE_LIMIT:
            body = _error_body(429, f"Too Many Requests: retry after {RETRY_AFTER}")
            body["parameters"] = {"retry_after": RETRY_AFTER}
            return json_reply(body, 429)
        return self.stall()

    def _get_updates(self, request: Request) -> Reply:
        fault = self.take_fault("mentions")
        if fault is not None:
            return self._faulted(fault)
        params = _params(request)
        offset = _as_int(params.get("offset"))
        limit = min(max(_as_int(params.get("limit")) or 100, 1), 100, self.page_size)
        with self._state:
            if offset is not None and offset > 0:
                # Asking from an offset confirms every older update: they are gone for good.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset is not None and offset < 0:
                # The last -offset updates; every one before them is forgotten.
                self._updates = self._updates[offset:]
            page = copy.deepcopy(self._updates[:limit])
        return json_reply({"ok": True, "result": page})

    def _send_message(self, request: Request) -> Reply:
        params = _params(request)
        if _to_channel(params):
            return self._post(params)
        if _as_int(params.get("chat_id")) in self.chats:
            return self._to_chat(params)
        fault = self.take_fault("reply")
        if fault is not None and fault is not Fault.COMMIT_THEN_STALL:
            return self._faulted(fault)
        text = params.get("text")
        reply = params.get("reply_parameters")
        reply = json.loads(reply) if isinstance(reply, str) else reply
        target_id = _as_int(reply.get("message_id")) if isinstance(reply, dict) else None
        if _as_int(params.get("chat_id")) != GROUP["id"]:
            return _error(400, "Bad Request: chat not found")
        refused = _refused_text(text)
        if refused is not None:
            return refused
        assert isinstance(text, str)
        with self._state:
            target = self._messages.get(target_id) if target_id is not None else None
        if target_id is not None and target is None:
            return _error(400, "Bad Request: message to be replied not found")
        message = copy.deepcopy(_COMMENT)
        message.update({"from": BOT, "date": int(time.time()), "text": text})
        if target is not None:
            message["reply_to_message"] = _embedded(target)
            message["message_thread_id"] = target.get("message_thread_id", target["message_id"])
        else:
            for key in ("reply_to_message", "message_thread_id"):
                message.pop(key, None)
        external_id = self._publish(message, as_update=False)  # bots never see their own messages
        in_reply_to = f"{GROUP['id']}:{target_id}" if target is not None else ""
        self.published.append(Published(external_id, text, in_reply_to))
        if fault is Fault.COMMIT_THEN_STALL:
            return self.stall()
        return json_reply({"ok": True, "result": message})

    def _post(self, params: dict[str, Any]) -> Reply:
        """sendMessage to the channel: a post, forwarded into the discussion group."""
        fault = self.take_fault("post")
        if fault is not None and fault is not Fault.COMMIT_THEN_STALL:
            return self._faulted(fault)
        text = params.get("text")
        refused = _refused_text(text)
        if refused is not None:
            return refused
        assert isinstance(text, str)
        post_id, date = next(self._post_ids), int(time.time())
        message = {
            "message_id": post_id,
            "sender_chat": copy.deepcopy(CHANNEL),
            "chat": copy.deepcopy(CHANNEL),
            "date": date,
            "text": text,
        }
        self.posts.append(BrandPost(str(post_id), text))  # Telegram takes no idempotency key
        self._forward(text, post_id, date)
        if fault is Fault.COMMIT_THEN_STALL:
            return self.stall()
        return json_reply({"ok": True, "result": message})

    def _to_chat(self, params: dict[str, Any]) -> Reply:
        """sendMessage to one of :attr:`chats`: recorded there, never seen as an update."""
        refused = _refused_text(params.get("text"))
        if refused is not None:
            return refused
        chat_id = _as_int(params.get("chat_id"))
        assert chat_id is not None
        with self._state:
            self.chats[chat_id].append(params)
            message_id = next(self._message_ids)
        chat = {"id": chat_id, "title": "Department", "type": "supergroup"}
        message = {"message_id": message_id, "from": BOT, "chat": chat, "date": int(time.time())}
        return json_reply({"ok": True, "result": {**message, "text": params["text"]}})

    def _member_count(self, request: Request) -> Reply:
        fault = self.take_fault("followers")
        if fault is not None:
            return self._faulted(fault)
        if not _to_channel(_params(request)):
            return _error(400, "Bad Request: chat not found")
        return json_reply({"ok": True, "result": self.followers})


def _to_channel(params: dict[str, Any]) -> bool:
    """Whether a call's ``chat_id`` is the brand's channel (by @name or by id)."""
    chat_id = params.get("chat_id")
    if isinstance(chat_id, str) and chat_id.startswith("@"):
        return chat_id[1:].casefold() == str(CHANNEL["username"]).casefold()
    return _as_int(chat_id) == int(CHANNEL["id"])


def _refused_text(text: Any) -> Reply | None:
    """Telegram's refusal of a message text, or None when it is fine."""
    if not isinstance(text, str) or not text.strip():
        return _error(400, "Bad Request: message text is empty")
    if len(text) > 4096:
        return _error(400, "Bad Request: message is too long")
    return None


def _embedded(message: dict[str, Any]) -> dict[str, Any]:
    """``message`` as a reply_to_message: Telegram does not nest replies any deeper."""
    shallow = copy.deepcopy(message)
    shallow.pop("reply_to_message", None)
    return shallow


def _params(request: Request) -> dict[str, Any]:
    """The method's parameters: query string, then a JSON or form body."""
    params: dict[str, Any] = {k: v[0] for k, v in request.query.items()}
    if not request.body:
        return params
    if "json" in request.headers.get("content-type", ""):
        body = json.loads(request.body)
        params.update(body if isinstance(body, dict) else {})
    else:
        params.update({k: v[0] for k, v in parse_qs(request.body.decode()).items()})
    return params


def _as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _error_body(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _error(code: int, description: str) -> Reply:
    return json_reply(_error_body(code, description), code)


FAKE = FakeTelegram
