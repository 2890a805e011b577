"""Mastodon: mentions from the notifications API, replies as statuses.

Facts are in ``docs/platform-apis.md`` §4: mentions come from
``GET /api/v1/notifications?types[]=mention``, paged by ``min_id`` and the
``Link`` header (back by ``max_id`` on an account's first poll); replies and
the brand's own posts go out with ``POST /api/v1/statuses`` carrying an
``Idempotency-Key``; ``X-RateLimit-Reset`` is an ISO-8601 time. Ids are opaque
strings and are never compared as numbers: order comes from the API's paging.
What the publishing calls read from the answers is in
:mod:`smm_tui.adapters.mastodon_posts`.

Mastodon pushes no word of edits or deletions to a client that polls, so
:meth:`MastodonAdapter.fetch_changes` looks each tracked status up again
(``GET /api/v1/statuses/:id``, :data:`CHANGES_PER_LOOK` at most a call, in turns).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from smm_tui.adapters import http
from smm_tui.adapters import mastodon_posts as posts
from smm_tui.adapters.backfill import Backfill, BacklogPage
from smm_tui.adapters.base import (
    Identity,
    MentionChange,
    MentionPage,
    PostCounters,
    PublishedReply,
    RateBudget,
)
from smm_tui.adapters.changes import Rotation, compared
from smm_tui.adapters.client import HttpAdapter
from smm_tui.adapters.connection import Connection
from smm_tui.adapters.mastodon_facts import AccountFacts
from smm_tui.adapters.mastodon_html import html_to_text
from smm_tui.core import network
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Mention, Platform, from_iso

__all__ = ["MastodonAdapter", "html_to_text", "parse_link_header"]

logger = logging.getLogger(__name__)

PAGE_LIMIT = 40
#: A safety stop: at 40 a page, this is 4 000 mentions in one catch-up.
MAX_PAGES = 100
#: How far back (in pages of 40 statuses) a lost post is looked for.
FIND_PAGES = 3
#: How many tracked statuses one look for changes asks about; the rest wait their turn.
CHANGES_PER_LOOK = 40
STATUSES = "/api/v1/statuses"
VERIFY = "/api/v1/accounts/verify_credentials"
_PRIVATE_VISIBILITIES = ("direct", "private")
_BUCKET = "account"
_LINK_PART = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";,]+)"?')


class MastodonAdapter(HttpAdapter, network=Platform.MASTODON):
    """One Mastodon account on one instance, spoken to with a user token.

    The last ``X-RateLimit-*`` values seen are kept (:meth:`rate_budget`);
    while the budget is spent, calls raise :class:`RateLimited` without sending
    anything. Mastodon honours ``Idempotency-Key`` (for up to an hour), so a reply
    or a post whose answer was lost may be sent again with the same key. The
    connection's ``backfill`` is how many of the newest mentions the first poll
    reads back.
    """

    def __init__(self, account: str, connection: Connection) -> None:
        super().__init__(account, connection, reset_parser=_reset_time)
        self._auth = {"Authorization": f"Bearer {connection.token}"}
        self._visibility: dict[str, str] = {}
        # Mastodon's limits are per account across endpoints: one bucket.
        self._budgets = http.RateBudgets(self._ctx)
        self._limit_known = False
        self._backfill = Backfill(connection.backfill)
        self._rotation = Rotation()
        self._facts = AccountFacts(self._call, self._ctx, self._clock)

    def rate_budget(self) -> RateBudget | None:
        """The last ``X-RateLimit-*`` values Mastodon sent."""
        return self._budgets.get(_BUCKET)

    async def verify(self) -> Identity:
        """Who the token belongs to (``verify_credentials``); learns the instance's limit."""
        account = await self._get_json(VERIFY)
        await self._learn_reply_limit()
        if not isinstance(account, dict):
            raise self._malformed("verify_credentials")
        return Identity(
            str(account.get("id", "")),
            "@" + str(account.get("acct", "")),
            str(account.get("display_name") or ""),
        )

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Mentions newer than notification ``cursor``, oldest first, following newer pages.

        Without a cursor, the first poll reads back through older pages (``max_id``,
        the ``Link`` header's ``next``) until it holds the account's ``backfill``
        newest mentions (see :class:`~smm_tui.adapters.backfill.Backfill`, which
        also says what a rate limit mid-way does). The first call also learns the
        instance's own reply limit.
        """
        await self._learn_reply_limit()
        if cursor is None:
            return await self._backfill.read(self._backlog_page, MAX_PAGES)
        pages: list[list[dict[str, Any]]] = []
        min_id = cursor
        for _ in range(MAX_PAGES):
            items, links = await self._notification_page(("min_id", min_id))
            if not items:
                break
            pages.append(items)
            # A short page does not prove we caught up (servers may cap the limit
            # lower than we ask): only an empty page or a missing link does.
            prev_min_id = _query_value(links["prev"], "min_id") if "prev" in links else None
            if prev_min_id in (None, min_id):
                break
            min_id = prev_min_id
        newest = str(pages[-1][0]["id"]) if pages else cursor
        mentions = [mention for page in pages for mention in self._mentions(reversed(page))]
        return MentionPage(tuple(mentions), newest)

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """Ancestors from the root, oldest first, then the replies below ``mention``."""
        ancestors, descendants = await self._context(mention.external_id)
        return (*ancestors, *descendants)

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Every reply below one of the account's statuses, oldest first."""
        _, descendants = await self._context(post_external_id)
        return descendants

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish ``text`` as a reply, addressed to the author, as visible as the original."""
        visibility = await self._reply_visibility(mention.external_id)
        form = {
            "status": _addressed(text, mention.author.handle),
            "in_reply_to_id": mention.external_id,
            "visibility": visibility,
        }
        if mention.language:
            form["language"] = mention.language
        return await self._post_status(form, idempotency_key)

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        """Publish ``text`` as a public status of the account, with ``key`` as its
        ``Idempotency-Key``: Mastodon answers a repeat within the hour with the same status.

        We never use Mastodon's own ``scheduled_at``: smm-tui schedules every network itself.
        """
        return await self._post_status({"status": text, "visibility": "public"}, key)

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        """Our status reading as ``text``, created at or after ``since``, if any.

        Mastodon keeps no trace of the key on a status, so the account's own
        statuses (no replies, no boosts) are read newest first, a few pages back
        at most, and compared as plain text, links and handles aside.
        """
        me = await self.identity()
        if not me.user_id or _segment(me.user_id) != me.user_id:
            self._identity = None  # ask again next time
            raise self._malformed("verify_credentials")
        path = f"/api/v1/accounts/{me.user_id}/statuses"
        query = [("exclude_replies", "true"), ("exclude_reblogs", "true")]
        query.append(("limit", str(PAGE_LIMIT)))
        max_id: str | None = None
        for _ in range(FIND_PAGES):
            paging = [] if max_id is None else [("max_id", max_id)]
            response = await self._call("GET", path, params=query + paging)
            statuses = http.decode_json(response, self._ctx)
            found, older = self._shaped(
                "account statuses", posts.look_in_page, statuses, text, since
            )
            links = parse_link_header(response.headers.get("Link", ""))
            max_id = _query_value(links["next"], "max_id") if "next" in links else None
            if found is not None or not older or max_id is None:
                return found
        return None

    async def follower_count(self) -> int:
        """``followers_count`` from ``verify_credentials``, asked afresh each time."""
        account = await self._get_json(VERIFY)
        return self._shaped("verify_credentials", posts.followers, account)

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """Favourites, boosts and ``replies_count`` of each status (views: None, with a note).

        One ``GET /api/v1/statuses/:id`` each: every version and fork has it, and its
        404 says plainly that a status is gone (the batch ``?id[]=`` call is 4.3+ only,
        takes 20 ids, and silently drops ids it does not show). A status the server
        does not show (404) is left out of the result.
        """
        result: dict[str, PostCounters] = {}
        for external_id in dict.fromkeys(external_ids):
            if _segment(external_id) != external_id:
                continue  # not a Mastodon id: no status has it
            response = await self._call("GET", f"{STATUSES}/{external_id}", absent_ok=True)
            if response.status_code == 404:
                continue
            status = http.decode_json(response, self._ctx)
            result[external_id] = self._shaped("status", posts.counters, status)
        return result

    async def fetch_changes(self, tracked: Sequence[Mention]) -> tuple[MentionChange, ...]:
        """Edits and deletions of tracked statuses, each looked up again (``GET /statuses/:id``).

        A 404 is a deletion (Mastodon does not say by whom); a status whose text,
        read as for mentions, differs from the stored one is an edit at its
        ``edited_at``. At most :data:`CHANGES_PER_LOOK` statuses a call, those
        looked at longest ago first; a rate limit ends the look (the rest wait).
        """
        changes: list[MentionChange] = []
        askable = [m for m in tracked if _segment(m.external_id) == m.external_id]
        for mention in self._rotation.due(askable, CHANGES_PER_LOOK):
            path = f"{STATUSES}/{mention.external_id}"
            response = await self._call("GET", path, absent_ok=True)
            self._rotation.looked(mention)
            if response.status_code == 404:
                change = compared(mention, None)
            else:
                text, edited_at = self._shaped(
                    "status", posts.current_text, http.decode_json(response, self._ctx)
                )
                change = compared(mention, text, at=edited_at)
            if change is not None:
                changes.append(change)
        return tuple(changes)

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Whether each author follows the brand (``relationships``, ``followed_by``) and
        when their account was made (to the day): :mod:`smm_tui.adapters.mastodon_facts`."""
        return await self._facts.facts(authors)

    # -- requests -------------------------------------------------------------

    async def _post_status(self, form: dict[str, str], key: str) -> PublishedReply:
        headers = {"Idempotency-Key": key}
        response = await self._call("POST", STATUSES, data=form, headers=headers)
        status = http.decode_json(response, self._ctx)
        return self._shaped("POST /api/v1/statuses", posts.published, status)

    async def _call(
        self, method: str, path: str, *, absent_ok: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send one request on the account's budget; ``absent_ok``: the API's 404 is an answer."""
        self._budgets.check(_BUCKET)
        headers = {**self._auth, **kwargs.pop("headers", {})}
        url = self._base + path
        try:
            response = await http.send(
                self._client, self._ctx, method, url, absent_ok=absent_ok, headers=headers, **kwargs
            )
        except network.RateLimited as exc:
            self._budgets.exhaust(_BUCKET, exc.retry_at)
            raise
        self._budgets.note_response(_BUCKET, response, "X-RateLimit-", _reset_time(response))
        return response

    async def _get_json(self, path: str, params: Any = None) -> Any:
        response = await self._call("GET", path, params=params)
        return http.decode_json(response, self._ctx)

    async def _learn_reply_limit(self) -> None:
        """Take the instance's ``max_characters`` as :attr:`reply_limit` (500 if it says none)."""
        if self._limit_known:
            return
        try:
            instance = await self._get_json("/api/v2/instance")
        except network.PermanentError as exc:
            # Older servers and forks lack v2; the default limit is the documented one.
            logger.info("%s: instance limits unknown (%s)", self._ctx.who, exc)
            self._limit_known = True
            return
        except network.TransientError as exc:
            logger.info("%s: instance limits unknown for now (%s)", self._ctx.who, exc)
            return
        self._limit_known = True
        statuses = _dig(instance, "configuration", "statuses")
        limit = statuses.get("max_characters") if isinstance(statuses, dict) else None
        if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
            self.reply_limit = limit

    async def _notification_page(
        self, paging: tuple[str, str] | None
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """One page of mention notifications, newest first, and its ``Link`` URLs by rel."""
        params: list[tuple[str, str]] = [("types[]", "mention"), ("limit", str(PAGE_LIMIT))]
        if paging is not None:
            params.append(paging)
        response = await self._call("GET", "/api/v1/notifications", params=params)
        body = http.decode_json(response, self._ctx)
        if not isinstance(body, list) or not all(_is_notification(item) for item in body):
            raise self._malformed("notifications")
        return body, parse_link_header(response.headers.get("Link", ""))

    async def _backlog_page(self, max_id: str | None) -> BacklogPage:
        """The page of notifications older than ``max_id`` (the newest without one)."""
        items, links = await self._notification_page(None if max_id is None else ("max_id", max_id))
        older = _query_value(links["next"], "max_id") if items and "next" in links else None
        return BacklogPage(self._mentions(items), str(items[0]["id"]) if items else None, older)

    def _mentions(self, items: Iterable[dict[str, Any]]) -> list[Mention]:
        """The mentions among notifications, in their order."""
        return [
            self._mention(item["status"])
            for item in items
            if item.get("type") == "mention" and isinstance(item.get("status"), dict)
        ]

    async def _context(self, status_id: str) -> tuple[tuple[Mention, ...], tuple[Mention, ...]]:
        body = await self._get_json(f"{STATUSES}/{_segment(status_id)}/context")
        if not isinstance(body, dict):
            raise self._malformed("status context")
        ancestors = body.get("ancestors") or []
        descendants = body.get("descendants") or []
        if not isinstance(ancestors, list) or not isinstance(descendants, list):
            raise self._malformed("status context")
        return (
            tuple(self._mention(status) for status in ancestors),
            tuple(self._mention(status) for status in descendants),
        )

    async def _reply_visibility(self, status_id: str) -> str:
        original = self._visibility.get(status_id)
        if original is None:
            status = await self._get_json(f"{STATUSES}/{_segment(status_id)}")
            if not isinstance(status, dict):
                raise self._malformed("status")
            original = str(status.get("visibility") or "public")
        return original if original in (*_PRIVATE_VISIBILITIES, "unlisted") else "public"

    # -- conversion -----------------------------------------------------------

    def _mention(self, status: Any) -> Mention:
        return self._shaped("status", self._convert, status)

    def _convert(self, status: dict[str, Any]) -> Mention:
        status_id = str(status["id"])
        self._visibility[status_id] = str(status.get("visibility") or "public")
        account = status["account"]
        parent = status.get("in_reply_to_id")
        parent_id = str(parent) if parent is not None else None
        created_at = from_iso(str(status["created_at"]))
        assert created_at is not None
        return Mention(
            platform=Platform.MASTODON,
            account=self.account,
            external_id=status_id,
            author=_author(account),
            text=html_to_text(str(status.get("content") or "")),
            created_at=created_at,
            url=str(status.get("url") or status.get("uri") or ""),
            parent_external_id=parent_id,
            root_external_id=parent_id if parent_id is not None else status_id,
            language=str(status.get("language") or ""),
        )


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _author(account: dict[str, Any]) -> Author:
    followers = account.get("followers_count")
    return Author(
        id=str(account["id"]),
        handle="@" + str(account["acct"]),
        display_name=str(account.get("display_name") or ""),
        followers=int(followers) if isinstance(followers, int) else None,
    )


def _is_notification(item: Any) -> bool:
    return isinstance(item, dict) and "id" in item


def _addressed(text: str, handle: str) -> str:
    """``text`` starting with ``@acct`` unless it already mentions the author."""
    mention = "@" + handle.lstrip("@")
    pattern = re.compile(re.escape(mention) + r"(?![\w@.-])", re.IGNORECASE)
    if mention == "@" or pattern.search(text):
        return text
    return f"{mention} {text}"


def _segment(external_id: str) -> str:
    """An id made safe to put in a URL path (ids are opaque, not trusted)."""
    return re.sub(r"[^A-Za-z0-9_-]", "", external_id) or "_"


def _reset_time(response: httpx.Response) -> datetime | None:
    """``X-RateLimit-Reset`` (ISO-8601) as an aware UTC time, or None."""
    value = response.headers.get("X-RateLimit-Reset")
    if not value:
        return None
    try:
        return from_iso(value.strip())
    except ValueError:
        return None


def parse_link_header(value: str) -> dict[str, str]:
    """The URLs of a ``Link`` header by ``rel`` (``next``, ``prev``)."""
    return {rel.strip(): url for url, rel in _LINK_PART.findall(value)}


def _query_value(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None
