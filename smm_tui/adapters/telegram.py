"""Telegram: a bot's group, discussion-group and private messages, replies with sendMessage.

Facts are in ``docs/platform-apis.md`` §6 and the Bot API reference
(https://core.telegram.org/bots/api). The method calls, their envelope, errors
and rate budgets are :mod:`smm_tui.adapters.telegram_api`; which messages are
mentions and how they convert is :mod:`smm_tui.adapters.telegram_updates`.

Mentions come from ``getUpdates`` long polling. The cursor is the next
``offset`` (the last ``update_id`` + 1) as a string. Asking with an offset
*confirms* every older update: Telegram forgets them, so a page already
received is never thrown away because a later page failed.

Edits arrive as ``edited_message`` updates, kept until
:meth:`TelegramAdapter.fetch_changes` hands them over; a bot is never told of a
deletion. The Bot API cannot read a chat's history: :meth:`TelegramAdapter.fetch_thread`
answers from the messages this adapter instance has seen, and
:meth:`TelegramAdapter.find_reply` and :meth:`TelegramAdapter.find_post` raise
:class:`Unverifiable`. Publishing to the brand's channel, its subscriber count
and its posts' (absent) counters are :mod:`smm_tui.adapters.telegram_posts`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from smm_tui.adapters.base import (
    Identity,
    MentionChange,
    MentionPage,
    PostCounters,
    PublishedReply,
    RateBudget,
)
from smm_tui.adapters.changes import TELEGRAM_NOTE, ChangeBuffer
from smm_tui.adapters.client import HttpAdapter
from smm_tui.adapters.connection import Connection
from smm_tui.adapters.telegram_api import MENTIONS, REPLY, BotApi
from smm_tui.adapters.telegram_facts import ChannelMembers
from smm_tui.adapters.telegram_posts import Channel, ChannelPosts
from smm_tui.adapters.telegram_updates import (
    ALLOWED_UPDATES,
    UpdateReader,
    edit_of,
    handle,
    is_update,
    offset_after,
    offset_of,
)
from smm_tui.core import network
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Mention, Platform

__all__ = ["DEFAULT_BASE_URL", "TelegramAdapter"]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.telegram.org"
#: getUpdates accepts 1-100 updates a call.
PAGE_LIMIT = 100
#: A safety stop: at 100 a page, this is 5 000 updates in one catch-up.
MAX_PAGES = 50


@dataclass(slots=True)
class _Pending:
    """A first poll's read of the pending updates so far: where it goes on, what it found."""

    offset: int | None = None
    pages: int = 0
    found: dict[str, Mention] = dataclasses.field(default_factory=dict)


class TelegramAdapter(HttpAdapter, network=Platform.TELEGRAM):
    """One Telegram bot, spoken to with its token; the bot is the brand's account.

    Which messages are mentions is :mod:`smm_tui.adapters.telegram_updates`'
    rule; skipped updates still move the cursor. The connection's
    ``long_poll_seconds`` is getUpdates' long-poll ``timeout`` for the first call
    of each fetch; that call's read timeout and deadline are stretched past it.
    Rate limits are honoured per kind of call (:class:`BotApi`). Telegram has
    no idempotency key for sendMessage. The connection's ``backfill`` is how
    many of the newest pending mentions the first poll keeps. ``channel`` is
    the account's ``channel`` key (``"@name"`` or a numeric id), where posts
    go; without it, publishing and the follower count say to set it.
    """

    change_note = TELEGRAM_NOTE

    def __init__(
        self, account: str, connection: Connection, *, channel: str | int | None = None
    ) -> None:
        try:  # before the client is made: a bad channel must not leave one open
            parsed = Channel.parse(channel) if channel is not None else None
        except ValueError as exc:
            raise ValueError(f"telegram account {account!r}: {exc}") from None
        # Real tokens ("123:AbC-d_e") pass unchanged; anything else must not split the path.
        path_token = quote(connection.token, safe=":")
        super().__init__(
            account, connection, default_base_url=DEFAULT_BASE_URL, secrets=(path_token,)
        )
        self._api = BotApi(self._client, self._ctx, f"{self._base}/bot{path_token}/")
        self._poll_timeout = max(0, int(connection.long_poll_seconds))
        self._reader = UpdateReader(account, self._ctx)
        self._backfill = connection.backfill
        self._pending: _Pending | None = None
        self._channel = ChannelPosts(self._api, self._ctx, parsed)
        self._edits = ChangeBuffer()
        self._members = ChannelMembers(self._api, self._ctx, parsed, self._clock)

    def rate_budget(self) -> RateBudget | None:
        """A spent budget while a 429's ``retry_after`` runs; Telegram reports nothing else."""
        return self._api.rate_budget()

    async def verify(self) -> Identity:
        """Who the token belongs to (``getMe``)."""
        me = await self._api.call("getMe", {}, MENTIONS)
        if not isinstance(me, dict) or "id" not in me:
            raise self._malformed("getMe result")
        user_id = str(me["id"])
        return Identity(
            user_id, handle(me.get("username"), user_id), str(me.get("first_name") or "")
        )

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Mentions in the updates from offset ``cursor`` on, oldest first, until none are left.

        Without a cursor, the first poll reads the updates Telegram still holds
        and keeps the ``backfill`` newest mentions (:meth:`_backfill_updates`).
        Only the first call long-polls; the pages after it are asked for at once.
        """
        offset = offset_of(cursor)
        if offset is None:
            return await self._backfill_updates()
        found: dict[str, Mention] = {}
        for page in range(MAX_PAGES):
            try:
                updates = await self._updates(offset, long_poll=page == 0)
            except network.AdapterError as exc:
                if page == 0:
                    raise
                # Asking for this page confirmed the earlier ones: Telegram has forgotten them.
                logger.info("%s; keeping the %d updates already received", exc, len(found))
                break
            next_offset = self._keep_page(updates, offset, found)
            if next_offset is None:
                break
            offset = next_offset
        return MentionPage(tuple(found.values()), str(offset))

    def _keep_page(
        self, updates: list[dict[str, Any]], offset: int | None, found: dict[str, Mention]
    ) -> int | None:
        """Keep a page's mentions in ``found``; the offset after it, or None if it was empty.

        An edit replaces the text in place: the dict is keyed by the mention's id.
        It is kept as a change too, for :meth:`fetch_changes`.
        """
        next_offset = offset_after(updates, offset)
        if next_offset is not None:
            for update in updates:
                mention = self._reader.readable(update)
                if mention is not None:
                    found[mention.external_id] = mention
                edit = edit_of(update)
                if edit is not None:
                    self._edits.add(update["update_id"], edit)
        return next_offset

    async def _backfill_updates(self) -> MentionPage:
        """The first poll: the ``backfill`` newest mentions among the pending updates.

        Telegram hands pending updates oldest first and forgets each page once the
        next is asked for, so all of them are read (up to :data:`MAX_PAGES`) and
        the newest mentions kept. A failure mid-way (a rate limit, say) is raised
        with what was read kept here: the next first poll goes on from where it
        stopped, sending nothing before then (the spent budget refuses). The
        pages read are held in memory only: if the process ends before the
        backfill completes, Telegram has already forgotten them. ``backfill = 0``
        asks for the last update alone (``offset=-1``), which confirms the rest.
        With nothing pending the cursor is ``"0"``: everything that comes is new.
        """
        if self._backfill == 0:
            updates = await self._updates(-1, long_poll=False)
            after = offset_after(updates, None)
            return MentionPage((), str(after if after is not None else 0))
        pending = self._pending or _Pending()
        self._pending = pending
        while pending.pages < MAX_PAGES:
            updates = await self._updates(pending.offset, long_poll=pending.pages == 0)
            pending.pages += 1
            next_offset = self._keep_page(updates, pending.offset, pending.found)
            if next_offset is None:
                break
            pending.offset = next_offset
        else:
            logger.warning("%s: backfill stopped after %d pages", self._ctx.who, MAX_PAGES)
        self._pending = None
        newest = list(pending.found.values())[-self._backfill :]
        return MentionPage(tuple(newest), str(pending.offset or 0))

    async def fetch_changes(self, tracked: Sequence[Mention]) -> tuple[MentionChange, ...]:
        """The edits of ``tracked`` messages among the updates read since the last look.

        Edits come with the updates :meth:`fetch_mentions` reads; Telegram never
        tells a bot of a deletion (:attr:`change_note`).
        """
        return self._edits.take(tracked)

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """What this adapter has seen of the thread: ancestors from the root, then replies.

        The Bot API cannot read history, so this is the message ``mention``
        replies to (it came with the update) and whatever else passed by.
        """
        return self._reader.thread(mention)

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Never possible: the Bot API cannot list a post's comments."""
        raise network.PermanentError(
            f"{self._ctx.who}: the Bot API cannot list a post's comments; "
            "entries come from the live feed"
        )

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        """Never possible: the Bot API cannot read a chat's history."""
        raise network.Unverifiable(
            f"{self._ctx.who}: the Bot API cannot read a chat's history, "
            "so a reply that may have been sent cannot be looked for"
        )

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Send ``text`` as plain text (no parse_mode) in reply to ``mention``'s message.

        Without ``allow_sending_without_reply``: if the message was deleted,
        Telegram refuses rather than posting a stray message in the group.
        """
        chat_id, message_id = self._address(mention.external_id)
        payload = {"chat_id": chat_id, "text": text, "reply_parameters": {"message_id": message_id}}
        sent = self._reader.sent(await self._api.call("sendMessage", payload, REPLY))
        return PublishedReply(sent.external_id, sent.url)

    # -- the brand's channel ----------------------------------------------------

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        """Send ``text`` to the account's channel as plain text (``key``: Telegram has no use)."""
        return await self._channel.publish(text)

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        """Never possible: the Bot API cannot list a channel's posts."""
        raise network.Unverifiable(
            f"{self._ctx.who}: the Bot API cannot list a channel's posts, "
            "so a post that may have been sent cannot be looked for"
        )

    async def follower_count(self) -> int:
        """The channel's subscribers (``getChatMemberCount``)."""
        return await self._channel.follower_count()

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """All unknown, with a note: the Bot API gives no counters for channel posts."""
        return self._channel.counters(external_ids)

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Whether each author is subscribed to the channel (``getChatMember``, one at a
        time); Telegram gives no creation date: :mod:`smm_tui.adapters.telegram_facts`."""
        return await self._members.facts(authors)

    # -- requests -------------------------------------------------------------

    async def _updates(self, offset: int | None, *, long_poll: bool) -> list[dict[str, Any]]:
        poll = self._poll_timeout if long_poll else 0
        payload: dict[str, Any] = {
            "limit": PAGE_LIMIT,
            "timeout": poll,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        if offset is not None:
            payload["offset"] = offset
        result = await self._api.call("getUpdates", payload, MENTIONS, poll=poll)
        if not isinstance(result, list) or not all(is_update(item) for item in result):
            raise self._malformed("getUpdates result")
        return result

    def _address(self, external_id: str) -> tuple[int, int]:
        chat, _, message = external_id.rpartition(":")
        try:
            return int(chat), int(message)
        except ValueError:
            raise network.PermanentError(
                f"{self._ctx.who}: cannot reply to {external_id[:40]!r}: not a Telegram message id"
            ) from None
