"""Telegram: publishing to the brand's channel, its subscriber count and (no) post counters.

The channel is the account's ``channel`` config key: ``"@name"`` or the
channel's numeric id (``-100…``). Posts go out with ``sendMessage`` as plain
text (no ``parse_mode``: nothing in them is read as HTML or Markdown); the
channel's ``message_id`` is the post's external id. The Bot API has no
idempotency key and cannot list a channel's history, nor give a channel post's
views, likes or reposts (``docs/publishing-apis.md`` §1.6, §2, §3): the
subscriber count (``getChatMemberCount``) is all it reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from smm_tui.adapters import http
from smm_tui.adapters.base import PermanentError, PostCounters, PublishedReply, TransientError
from smm_tui.adapters.client import malformed
from smm_tui.adapters.telegram_api import BotApi

__all__ = ["COUNTERS_NOTE", "FOLLOWERS", "POST", "Channel", "ChannelPosts"]

#: The rate bucket of publishing to the channel (a 429 there stops neither reading nor replies).
POST = "post"
#: The rate bucket of reading the channel's subscriber count.
FOLLOWERS = "followers"
#: Why every counter of a Telegram channel post is unknown.
COUNTERS_NOTE = "the Telegram Bot API gives no counters for channel posts"

_NAME = re.compile(r"@([A-Za-z0-9_]{4,})")
_NUMERIC = re.compile(r"-?[0-9]{1,19}")
#: Supergroup and channel ids are -100 followed by the id that t.me/c/ links use.
_LINKABLE_PREFIX = "-100"


@dataclass(frozen=True, slots=True)
class Channel:
    """Where posts go: the ``chat_id`` to send to and the t.me link prefix of its messages.

    ``link`` is empty for a numeric id that is not a channel's (``-100…``): such
    a chat has no t.me links.
    """

    chat_id: int | str
    link: str

    @classmethod
    def parse(cls, value: str | int) -> Channel:
        """The channel named by the config's ``channel`` (``"@name"``, or an id as int or str).

        Raises ValueError for anything else (the config check refuses it first).
        """
        if isinstance(value, str):
            value = value.strip()
            named = _NAME.fullmatch(value)
            if named is not None:
                return cls(value, f"https://t.me/{named.group(1)}/")
            if not _NUMERIC.fullmatch(value):
                raise ValueError(f'channel must be "@name" or a numeric id, not {value[:40]!r}')
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError('channel must be "@name" or a numeric id')
        raw = str(value)
        link = ""
        if raw.startswith(_LINKABLE_PREFIX) and len(raw) > len(_LINKABLE_PREFIX):
            link = f"https://t.me/c/{raw.removeprefix(_LINKABLE_PREFIX)}/"
        return cls(value, link)

    def url(self, message_id: int) -> str:
        """The t.me link of one of the channel's messages ("" when it has none)."""
        return f"{self.link}{message_id}" if self.link else ""


class ChannelPosts:
    """The brand channel of one bot: publishing, its subscribers, its posts' counters."""

    def __init__(self, api: BotApi, ctx: http.CallContext, channel: Channel | None) -> None:
        self._api = api
        self._ctx = ctx
        self._channel = channel

    async def publish(self, text: str) -> PublishedReply:
        """Send ``text`` to the channel as plain text; the post's message id and link.

        A ``message_id`` of 0 means Telegram may have scheduled the message
        instead of sending it: the post may yet appear, so that is a
        :class:`TransientError` (the outbox then cannot look, and says so).
        """
        channel = self._configured()
        payload = {"chat_id": channel.chat_id, "text": text}
        sent = await self._api.call("sendMessage", payload, POST)
        message_id = sent.get("message_id") if isinstance(sent, dict) else None
        if not _is_int(message_id) or message_id < 0:
            raise malformed(self._ctx, "sendMessage result")
        if message_id == 0:
            raise TransientError(
                f"{self._ctx.who}: Telegram answered the channel post with message id 0: "
                "it may have scheduled the post instead of sending it, so it may still appear"
            )
        return PublishedReply(str(message_id), channel.url(message_id))

    async def follower_count(self) -> int:
        """The channel's subscribers (``getChatMemberCount``, which counts administrators too)."""
        channel = self._configured()
        count = await self._api.call("getChatMemberCount", {"chat_id": channel.chat_id}, FOLLOWERS)
        if not _is_int(count) or count < 0:
            raise malformed(self._ctx, "getChatMemberCount result")
        return count

    def counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """Every post's counters unknown, with the reason: the Bot API gives none."""
        return {external_id: PostCounters(note=COUNTERS_NOTE) for external_id in external_ids}

    def _configured(self) -> Channel:
        if self._channel is None:
            raise PermanentError(
                f'{self._ctx.who} has no channel: set channel = "@name" in its [[accounts]] block'
            )
        return self._channel


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
