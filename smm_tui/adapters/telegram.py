"""Telegram: a bot's group, discussion-group and private messages, replies with sendMessage.

Facts are in ``docs/platform-apis.md`` §6 and the Bot API reference
(https://core.telegram.org/bots/api). Every method is ``<base>/bot<token>/<method>``
and answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
"description", "parameters"?}``; the token is in the URL path, so every message
goes through the call context's redaction and names the method, never the URL.

Mentions come from ``getUpdates`` long polling. The cursor is the next
``offset`` (the last ``update_id`` + 1) as a string. Asking with an offset
*confirms* every older update: Telegram forgets them, so a page already
received is never thrown away because a later page failed. Channel comments
live in the channel's linked discussion supergroup, as replies to the post's
automatic forward there (``is_automatic_forward``).

The Bot API cannot read a chat's history: :meth:`TelegramAdapter.fetch_thread`
answers from the messages this adapter instance has seen, and
:meth:`TelegramAdapter.find_reply` raises :class:`Unverifiable`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.base import (
    AdapterError,
    Identity,
    MentionPage,
    PermanentError,
    PublishedReply,
    RateBudget,
    RateLimited,
    TransientError,
    Unverifiable,
)
from smm_tui.adapters.client import HttpAdapter
from smm_tui.core import limits
from smm_tui.core.models import Author, Mention, Platform, utcnow
from smm_tui.core.network import DEFAULT_BACKFILL

__all__ = ["DEFAULT_BASE_URL", "TelegramAdapter"]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.telegram.org"
#: getUpdates accepts 1-100 updates a call.
PAGE_LIMIT = 100
#: A safety stop: at 100 a page, this is 5 000 updates in one catch-up.
MAX_PAGES = 50
#: How much longer than the long-poll timeout a read may take before giving up (seconds).
POLL_MARGIN = 10
#: How many messages fetch_thread remembers, most recent kept.
CACHE_SIZE = 2000
#: Edits arrive as edited_message; channel posts, reactions and the rest are not asked for.
ALLOWED_UPDATES = ("message", "edited_message")
#: Chats whose messages can be mentions; channels only carry the brand's own posts.
_MENTION_CHATS = ("private", "group", "supergroup")
_MENTIONS = "mentions"
_REPLY = "reply"
_LINKABLE_CHATS = ("supergroup", "channel")
#: Supergroup and channel ids are -100 followed by the id that t.me/c/ links use.
_LINKABLE_PREFIX = "-100"
_USERNAME = re.compile(r"[A-Za-z0-9_]{4,32}")
_CURSOR = re.compile(r"[0-9]{1,19}")
_EXCERPT = 200
_PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError)


@dataclass(slots=True)
class _Pending:
    """A first poll's read of the pending updates so far: where it goes on, what it found."""

    offset: int | None = None
    pages: int = 0
    found: dict[str, Mention] = dataclasses.field(default_factory=dict)


class TelegramAdapter(HttpAdapter):
    """One Telegram bot, spoken to with its token; the bot is the brand's account.

    A message is a mention when it is a text message, or a photo or document
    with a caption, in a private chat, group or supergroup (so also a comment in
    a channel's discussion group), unless it speaks for the brand: messages from
    bots (the bot itself included), automatic forwards of the channel's posts,
    messages sent on behalf of the group itself (anonymous admins) or of a
    channel seen auto-forwarding into the group. Service messages, stickers and
    media without a caption are skipped. Skipped updates still move the cursor.

    ``poll_timeout`` is getUpdates' long-poll ``timeout`` (seconds) for the first
    call of each fetch; that call's read timeout and deadline are stretched past it.
    After a 429 the ``retry_after`` it names is honoured: until then, calls of
    the same kind (reading or replying) raise :class:`RateLimited` without
    sending anything. Telegram has no idempotency key for sendMessage.
    ``backfill`` is how many of the newest pending mentions the first poll keeps.
    """

    platform = Platform.TELEGRAM
    reply_limit = limits.REPLY_LIMITS[Platform.TELEGRAM]
    idempotent_replies = False

    def __init__(
        self,
        account: str,
        *,
        base_url: str | None = None,
        token: str,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utcnow,
        deadline: float = http.DEFAULT_DEADLINE,
        token_hint: str = "",
        poll_timeout: int = 20,
        backfill: int = DEFAULT_BACKFILL,
    ) -> None:
        # Real tokens ("123:AbC-d_e") pass unchanged; anything else must not split the path.
        path_token = quote(token, safe=":")
        super().__init__(
            account,
            base_url=base_url or DEFAULT_BASE_URL,
            secrets=(token, path_token),
            client=client,
            clock=clock,
            deadline=deadline,
            token_hint=token_hint,
        )
        self._methods = f"{self._base}/bot{path_token}/"
        self._poll_timeout = max(0, int(poll_timeout))
        self._budgets = http.RateBudgets(self._ctx, main_bucket=_MENTIONS)
        self._seen: OrderedDict[str, Mention] = OrderedDict()
        # Chats (linked channels) whose messages in a group are the brand's own.
        self._brand_chats: set[str] = set()
        if backfill < 0:
            raise ValueError("backfill must be >= 0")
        self._backfill = backfill
        self._pending: _Pending | None = None

    def rate_budget(self) -> RateBudget | None:
        """A spent budget while a 429's ``retry_after`` runs; Telegram reports nothing else."""
        return self._budgets.summary()

    async def verify(self) -> Identity:
        """Who the token belongs to (``getMe``)."""
        me = await self._call("getMe", {}, _MENTIONS)
        if not isinstance(me, dict) or "id" not in me:
            raise self._malformed("getMe result")
        user_id = str(me["id"])
        return Identity(
            user_id, _handle(me.get("username"), user_id), str(me.get("first_name") or "")
        )

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Mentions in the updates from offset ``cursor`` on, oldest first, until none are left.

        Without a cursor, the first poll reads the updates Telegram still holds
        and keeps the ``backfill`` newest mentions (:meth:`_backfill_updates`).
        Only the first call long-polls; the pages after it are asked for at once.
        """
        offset = _offset(cursor)
        if offset is None:
            return await self._backfill_updates()
        found: dict[str, Mention] = {}
        for page in range(MAX_PAGES):
            try:
                updates = await self._updates(offset, long_poll=page == 0)
            except AdapterError as exc:
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
        """
        next_offset = _next_offset(updates, offset)
        if next_offset is not None:
            for update in updates:
                mention = self._readable(update)
                if mention is not None:
                    found[mention.external_id] = mention
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
            after = _next_offset(updates, None)
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

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """What this adapter has seen of the thread: ancestors from the root, then replies.

        The Bot API cannot read history, so this is the message ``mention``
        replies to (it came with the update) and whatever else passed by.
        """
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

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Never possible: the Bot API cannot list a post's comments."""
        raise PermanentError(
            f"{self._ctx.who}: the Bot API cannot list a post's comments; "
            "entries come from the live feed"
        )

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        """Never possible: the Bot API cannot read a chat's history."""
        raise Unverifiable(
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
        result = await self._call("sendMessage", payload, _REPLY)
        try:
            sent = self._convert(result)
        except _PARSE_ERRORS:
            raise self._malformed("sendMessage result") from None
        self._keep(sent)
        return PublishedReply(sent.external_id, sent.url)

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
        result = await self._call("getUpdates", payload, _MENTIONS, poll=poll)
        if not isinstance(result, list) or not all(_is_update(item) for item in result):
            raise self._malformed("getUpdates result")
        return result

    async def _call(self, method: str, payload: dict[str, Any], bucket: str, poll: int = 0) -> Any:
        self._budgets.check(bucket)
        try:
            response = await self._post(method, payload, poll)
            return self._result(response, method)
        except RateLimited as exc:
            self._budgets.exhaust(bucket, exc.retry_at)
            raise

    async def _post(self, method: str, payload: dict[str, Any], poll: int) -> httpx.Response:
        """One POST within the deadline; transport failures become typed errors.

        Not :func:`http.send`: statuses are read here, after Telegram's
        ``description``, and a 403 means the bot was blocked or kicked, not that
        the token was refused.
        """
        ctx = self._ctx
        kwargs: dict[str, Any] = {"json": payload}
        if poll > 0:
            ctx = replace(ctx, deadline=max(ctx.deadline, poll + POLL_MARGIN))
            kwargs["timeout"] = _longer_read(self._client.timeout, poll + POLL_MARGIN)
        return await http.exchange(
            self._client, ctx, "POST", self._methods + method, where=method, **kwargs
        )

    def _result(self, response: httpx.Response, method: str) -> Any:
        """The ``result`` of a Telegram answer, or the typed error it carries."""
        body = _json_or_none(response)
        if isinstance(body, dict) and body.get("ok") is False:
            raise self._api_error(body, response, method)
        if not response.is_success:
            http.raise_for_status(response, self._ctx, method)  # not Telegram's: a proxy's page
        if body is None:
            body = http.decode_json(response, self._ctx)  # raises: not JSON
        if not isinstance(body, dict) or body.get("ok") is not True or "result" not in body:
            raise self._malformed(f"{method} answer")
        return body["result"]

    def _api_error(
        self, body: dict[str, Any], response: httpx.Response, method: str
    ) -> AdapterError:
        code = body.get("error_code")
        if not isinstance(code, int) or isinstance(code, bool):
            code = response.status_code
        detail = self._describe(body.get("description"))
        parameters = body.get("parameters")
        parameters = parameters if isinstance(parameters, dict) else {}
        who = self._ctx.who
        if code == 429:
            return self._rate_limited(parameters.get("retry_after"), response, method)
        # 404 "Not Found" is how Telegram answers a malformed or unknown token.
        if code in (401, 404):
            return http.auth_error(self._ctx, f"error {code}: {detail}")
        if code == 409:
            return PermanentError(
                f"{who}: {method} refused (error 409): another client is polling this bot "
                f"or a webhook is set (deleteWebhook removes it): {detail}"
            )
        if code >= 500:
            return TransientError(f"{who}: {method} failed (error {code}): {detail}")
        migrated = parameters.get("migrate_to_chat_id")
        if isinstance(migrated, int):
            detail += f" (the group is now supergroup {migrated})"
        return PermanentError(f"{who}: {method} refused (error {code}): {detail}")

    def _rate_limited(self, retry_after: Any, response: httpx.Response, method: str) -> RateLimited:
        now = self._clock()
        if isinstance(retry_after, int) and not isinstance(retry_after, bool) and retry_after > 0:
            wait = min(retry_after, http.MAX_WAIT_SECONDS)
            retry_at: datetime | None = now + timedelta(seconds=wait)
        else:
            retry_at = http.parse_retry_after(response.headers.get("Retry-After"), now)
        if retry_at is None or retry_at <= now:
            retry_at = now + http.DEFAULT_RATE_LIMIT_WAIT
        return RateLimited(
            f"{self._ctx.who}: {method} rate limited until {retry_at.isoformat()}", retry_at
        )

    def _describe(self, description: Any) -> str:
        """Telegram's description on one line, redacted and cut short."""
        text = " ".join(self._ctx.clean(str(description or "")).split())
        return text[:_EXCERPT] or "no description"

    def _address(self, external_id: str) -> tuple[int, int]:
        chat, _, message = external_id.rpartition(":")
        try:
            return int(chat), int(message)
        except ValueError:
            raise PermanentError(
                f"{self._ctx.who}: cannot reply to {external_id[:40]!r}: not a Telegram message id"
            ) from None

    # -- conversion -----------------------------------------------------------

    def _readable(self, update: dict[str, Any]) -> Mention | None:
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
        try:
            mention = self._convert(message)
        except _PARSE_ERRORS:
            raise self._malformed("message") from None
        self._keep(mention)
        return mention

    def _counts(self, message: dict[str, Any]) -> bool:
        """Whether ``message`` is a mention (see the class docstring for the rule)."""
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
        """Keep ``message`` for fetch_thread; a message we cannot read is just not kept."""
        on_behalf_of = message.get("sender_chat")
        if message.get("is_automatic_forward") and isinstance(on_behalf_of, dict):
            self._brand_chats.add(str(on_behalf_of.get("id")))
        try:
            mention = self._convert(message)
        except _PARSE_ERRORS:
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
            account=self.account,
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


def _author(message: dict[str, Any]) -> Author:
    """The sender: the chat a message was sent on behalf of, else the user."""
    on_behalf_of = message.get("sender_chat")
    if isinstance(on_behalf_of, dict):
        chat_id = str(_number(on_behalf_of["id"]))
        title = str(on_behalf_of.get("title") or "")
        return Author(chat_id, _handle(on_behalf_of.get("username"), chat_id), title)
    sender = message["from"]
    user_id = str(_number(sender["id"]))
    names = (sender.get("first_name"), sender.get("last_name"))
    display_name = " ".join(str(name) for name in names if name)
    return Author(user_id, _handle(sender.get("username"), user_id), display_name)


def _handle(username: Any, numeric_id: str) -> str:
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


def _is_update(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    update_id = item.get("update_id")
    return isinstance(update_id, int) and not isinstance(update_id, bool)


def _offset(cursor: str | None) -> int | None:
    """The getUpdates offset a cursor stands for; a cursor we never made is ignored."""
    if cursor is None:
        return None
    if not _CURSOR.fullmatch(cursor.strip()):
        logger.warning("telegram: ignoring cursor %r, which is not an update offset", cursor[:40])
        return None
    return int(cursor)


def _next_offset(updates: list[dict[str, Any]], offset: int | None) -> int | None:
    """The offset after ``updates``, or None when they bring nothing past ``offset``.

    update_id is documented as increasing one by one, so ids are compared as
    numbers: that is how the offset itself works.
    """
    if not updates:
        return None
    after = max(int(update["update_id"]) for update in updates) + 1
    return after if offset is None or after > offset else None


def _longer_read(timeout: httpx.Timeout, read: float) -> httpx.Timeout:
    """``timeout`` with a read limit of at least ``read`` (a long poll holds the answer)."""
    longer = None if timeout.read is None else max(timeout.read, read)
    return httpx.Timeout(
        connect=timeout.connect, read=longer, write=timeout.write, pool=timeout.pool
    )


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
