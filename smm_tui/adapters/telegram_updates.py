"""Telegram updates as mentions: which messages count, how they convert, what was seen.

A message is a mention when it is a text message, or a photo or document with
a caption, in a private chat, group or supergroup (so also a comment in a
channel's discussion group), unless it speaks for the brand: messages from bots
(the bot itself included), automatic forwards of the channel's posts, messages
sent on behalf of the group itself (anonymous admins) or of a channel seen
auto-forwarding into the group. Service messages, stickers and media without a
caption are skipped. Channel comments live in the channel's linked discussion
supergroup, as replies to the post's automatic forward there
(``is_automatic_forward``).

The Bot API cannot read a chat's history, so :class:`UpdateReader` remembers
the messages that passed by (:data:`CACHE_SIZE` of them) to answer for threads.
An ``edited_message`` is also read as an edit (:func:`edit_of`), for the
adapter to hand over when the message is tracked.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from smm_tui.adapters import http
from smm_tui.adapters.client import SHAPE_ERRORS, malformed
from smm_tui.core.models import Author, Mention, Platform, RevisionKind
from smm_tui.core.network import MentionChange

__all__ = [
    "ALLOWED_UPDATES",
    "CACHE_SIZE",
    "PARSE_ERRORS",
    "UpdateReader",
    "edit_of",
    "handle",
    "is_update",
    "offset_after",
    "offset_of",
]

logger = logging.getLogger(__name__)

#: How many messages the reader remembers for threads, most recent kept.
CACHE_SIZE = 2000
#: Edits arrive as edited_message; channel posts, reactions and the rest are not asked for.
ALLOWED_UPDATES = ("message", "edited_message")
#: What a message of an unexpected shape raises while it is converted.
PARSE_ERRORS = (*SHAPE_ERRORS, OSError)
#: Chats whose messages can be mentions; channels only carry the brand's own posts.
_MENTION_CHATS = ("private", "group", "supergroup")
_LINKABLE_CHATS = ("supergroup", "channel")
#: Supergroup and channel ids are -100 followed by the id that t.me/c/ links use.
_LINKABLE_PREFIX = "-100"
_USERNAME = re.compile(r"[A-Za-z0-9_]{4,32}")
_CURSOR = re.compile(r"[0-9]{1,19}")


class UpdateReader:
    """One bot's updates turned into mentions, with the messages seen kept for threads."""

    def __init__(self, account: str, ctx: http.CallContext) -> None:
        self._account = account
        self._ctx = ctx
        self._seen: OrderedDict[str, Mention] = OrderedDict()
        # Chats (linked channels) whose messages in a group are the brand's own.
        self._brand_chats: set[str] = set()

    def readable(self, update: dict[str, Any]) -> Mention | None:
        """The mention in ``update``; None, with a warning, for an update that cannot be read.

        Asking for the next page confirms this one to Telegram, which then forgets
        it: one unreadable update must neither lose its page nor block the account.
        """
        try:
            return self._take(update)
        except Exception:
            update_id = update.get("update_id") if isinstance(update, dict) else None
            logger.warning(
                "%s: skipped update %r, which could not be read",
                self._ctx.who,
                update_id,
                exc_info=True,
            )
            return None

    def thread(self, mention: Mention) -> tuple[Mention, ...]:
        """What was seen of ``mention``'s thread: ancestors from the root, then replies."""
        ancestors: list[Mention] = []
        visited = {mention.external_id}
        parent_id = mention.parent_external_id
        while parent_id is not None and parent_id not in visited:
            parent = self._seen.get(parent_id)
            if parent is None:
                break
            ancestors.append(parent)
            visited.add(parent_id)
            parent_id = parent.parent_external_id
        replies = [m for m in self._seen.values() if m.parent_external_id == mention.external_id]
        return (*reversed(ancestors), *replies)

    def sent(self, message: Any) -> Mention:
        """Our own message (sendMessage's result) as a mention, remembered for threads."""
        return self._kept(message, "sendMessage result")

    def _take(self, update: dict[str, Any]) -> Mention | None:
        """The mention in ``update``, if it holds one; every message seen is remembered."""
        message = next(
            (update[kind] for kind in ALLOWED_UPDATES if isinstance(update.get(kind), dict)), None
        )
        if message is None:
            return None
        parent = message.get("reply_to_message")
        if isinstance(parent, dict):
            self._remember(parent, replace_known=False)
        if not self._counts(message):
            self._remember(message)
            return None
        return self._kept(message, "message")

    def _kept(self, message: Any, what: str) -> Mention:
        """``message`` converted and remembered; a malformed ``what`` if it cannot be read."""
        try:
            mention = self._convert(message)
        except PARSE_ERRORS:
            raise malformed(self._ctx, what) from None
        self._keep(mention)
        return mention

    def _counts(self, message: dict[str, Any]) -> bool:
        """Whether ``message`` is a mention (see the module docstring for the rule)."""
        chat = message.get("chat")
        if not isinstance(chat, dict) or chat.get("type") not in _MENTION_CHATS:
            return False
        if not _text(message) or message.get("is_automatic_forward"):
            return False
        on_behalf_of = message.get("sender_chat")
        if isinstance(on_behalf_of, dict):
            speaker = str(on_behalf_of.get("id"))
            return speaker != str(chat.get("id")) and speaker not in self._brand_chats
        sender = message.get("from")
        return isinstance(sender, dict) and sender.get("is_bot") is not True

    def _remember(self, message: dict[str, Any], *, replace_known: bool = True) -> None:
        """Keep ``message`` for threads; a message we cannot read is just not kept."""
        on_behalf_of = message.get("sender_chat")
        if message.get("is_automatic_forward") and isinstance(on_behalf_of, dict):
            self._brand_chats.add(str(on_behalf_of.get("id")))
        try:
            mention = self._convert(message)
        except PARSE_ERRORS:
            return
        # An embedded reply_to_message lacks its own parent: keep the full copy if we have one.
        if replace_known or mention.external_id not in self._seen:
            self._keep(mention)

    def _keep(self, mention: Mention) -> None:
        self._seen[mention.external_id] = mention
        self._seen.move_to_end(mention.external_id)
        while len(self._seen) > CACHE_SIZE:
            self._seen.popitem(last=False)

    def _convert(self, message: dict[str, Any]) -> Mention:
        chat = message["chat"]
        chat_id = _number(chat["id"])
        message_id = _number(message["message_id"])
        external_id = f"{chat_id}:{message_id}"
        parent = message.get("reply_to_message")
        parent_id = None
        # In a forum, a plain message "replies" to the topic's creation: that is no parent.
        if isinstance(parent, dict) and "forum_topic_created" not in parent:
            parent_id = f"{chat_id}:{_number(parent['message_id'])}"
        thread = message.get("message_thread_id")
        root_id = f"{chat_id}:{_number(thread)}" if thread is not None else parent_id
        sender = message.get("from")
        language = sender.get("language_code") if isinstance(sender, dict) else None
        return Mention(
            platform=Platform.TELEGRAM,
            account=self._account,
            external_id=external_id,
            author=_author(message),
            text=_text(message),
            created_at=datetime.fromtimestamp(_number(message["date"]), tz=UTC),
            url=_url(chat, chat_id, message_id),
            parent_external_id=parent_id,
            root_external_id=root_id or external_id,
            # The sender's app language: the closest Telegram comes to a message language.
            language=language if isinstance(language, str) else "",
        )


def edit_of(update: dict[str, Any]) -> MentionChange | None:
    """The edit an ``edited_message`` update brings (by its author: no one else can edit
    a message), or None for any other update or one that cannot be read."""
    message = update.get("edited_message")
    if not isinstance(message, dict):
        return None
    try:
        external_id = f"{_number(message['chat']['id'])}:{_number(message['message_id'])}"
        edited = message.get("edit_date")
        at = datetime.fromtimestamp(_number(edited), tz=UTC) if edited is not None else None
    except PARSE_ERRORS:
        return None
    return MentionChange(external_id, RevisionKind.EDITED, text=_text(message), at=at, by="author")


def _author(message: dict[str, Any]) -> Author:
    """The sender: the chat a message was sent on behalf of, else the user."""
    on_behalf_of = message.get("sender_chat")
    if isinstance(on_behalf_of, dict):
        chat_id = str(_number(on_behalf_of["id"]))
        title = str(on_behalf_of.get("title") or "")
        return Author(chat_id, handle(on_behalf_of.get("username"), chat_id), title)
    sender = message["from"]
    user_id = str(_number(sender["id"]))
    names = (sender.get("first_name"), sender.get("last_name"))
    display_name = " ".join(str(name) for name in names if name)
    return Author(user_id, handle(sender.get("username"), user_id), display_name)


def handle(username: Any, numeric_id: str) -> str:
    """``@username``, or ``id<number>`` for a user or chat without one."""
    return f"@{username}" if isinstance(username, str) and username else f"id{numeric_id}"


def _text(message: dict[str, Any]) -> str:
    """The text of a message, or a photo's or document's caption; plain text, stored raw."""
    for field in ("text", "caption"):
        value = message.get(field)
        if isinstance(value, str) and value:
            return value
    return ""


def _url(chat: dict[str, Any], chat_id: int, message_id: int) -> str:
    """The t.me link of a message; private chats and basic groups have none."""
    if chat.get("type") not in _LINKABLE_CHATS:
        return ""
    username = chat.get("username")
    if isinstance(username, str) and _USERNAME.fullmatch(username):
        return f"https://t.me/{username}/{message_id}"
    raw = str(chat_id)
    if raw.startswith(_LINKABLE_PREFIX):
        return f"https://t.me/c/{raw.removeprefix(_LINKABLE_PREFIX)}/{message_id}"
    return ""


def _number(value: Any) -> int:
    """A numeric Bot API id or date; anything else is a ValueError."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not an integer")
    return value


def is_update(item: Any) -> bool:
    """Whether ``item`` is shaped as an update (a dict with an integer ``update_id``)."""
    if not isinstance(item, dict):
        return False
    update_id = item.get("update_id")
    return isinstance(update_id, int) and not isinstance(update_id, bool)


def offset_of(cursor: str | None) -> int | None:
    """The getUpdates offset a cursor stands for; a cursor we never made is ignored."""
    if cursor is None:
        return None
    if not _CURSOR.fullmatch(cursor.strip()):
        logger.warning("telegram: ignoring cursor %r, which is not an update offset", cursor[:40])
        return None
    return int(cursor)


def offset_after(updates: list[dict[str, Any]], offset: int | None) -> int | None:
    """The offset after ``updates``, or None when they bring nothing past ``offset``.

    update_id is documented as increasing one by one, so ids are compared as
    numbers: that is how the offset itself works.
    """
    if not updates:
        return None
    after = max(int(update["update_id"]) for update in updates) + 1
    return after if offset is None or after > offset else None
