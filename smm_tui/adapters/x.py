"""X (Twitter) API v2: mentions from the user mention timeline, replies as posts.

Facts are in ``docs/platform-apis.md`` §3: mentions come from
``GET /2/users/:id/mentions`` (newest first, ``since_id`` for "only new",
``meta.next_token`` → ``pagination_token`` for older pages); replies go out with
``POST /2/tweets`` and ``reply.in_reply_to_tweet_id``. Every response carries
``x-rate-limit-limit/remaining/reset`` (reset in Unix epoch seconds) per
endpoint, so each endpoint has its own budget here. Auth is an OAuth 2.0
user-context bearer token; OAuth 1.0a request signing is not supported.

Threads come from recent search (``conversation_id:<root>``), which only covers
the last 7 days: older replies are missing, and ancestors are looked up one by
one. Post ids are opaque strings except where a comment says why their numeric
(snowflake) value is used.

Publishing on the account (``POST /2/tweets`` without ``reply``), its follower
count and its posts' ``public_metrics`` are read by :mod:`smm_tui.adapters.x_publish`.
Reading posts (text, authors, times) is :mod:`smm_tui.adapters.x_posts`;
reading error answers and rate-limit headers is :mod:`smm_tui.adapters.x_errors`.

Edits and deletions of tracked mentions are looked up (``GET /2/tweets?ids=``).
An edit is a new post with a new id; ``edit_history_tweet_ids`` chains the
versions, oldest first, and the stored mention keeps the id it came with.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import Any

import httpx

from smm_tui.adapters import http, x_posts, x_publish
from smm_tui.adapters.backfill import Backfill, BacklogPage
from smm_tui.adapters.base import (
    Identity,
    MentionChange,
    MentionPage,
    PostCounters,
    PublishedReply,
    RateBudget,
    id_batches,
)
from smm_tui.adapters.changes import Rotation, compared
from smm_tui.adapters.client import HttpAdapter
from smm_tui.adapters.connection import Connection
from smm_tui.adapters.x_errors import (
    USAGE_CAPPED,
    call_name,
    problem_of,
    raise_for_status,
    reset_time,
)
from smm_tui.adapters.x_facts import UserDates
from smm_tui.adapters.x_posts import Page, plain_text, snowflake_time
from smm_tui.core import network
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Mention, Platform

__all__ = ["API_BASE", "XAdapter", "plain_text", "snowflake_time"]

logger = logging.getLogger(__name__)

#: The real API host (docs.x.com uses api.x.com; api.twitter.com still answers).
API_BASE = "https://api.x.com"
#: The largest page the mention timeline, user timeline and recent search allow.
PAGE_LIMIT = 100
#: A safety stop. X reaches only the 800 most recent mentions (8 full pages), so
#: this only ends a server that keeps handing out new page tokens.
MAX_PAGES = 50
#: How many ancestors of a mention are looked up before giving up on the chain.
MAX_ANCESTORS = 20
_MENTIONS = "mentions"
_TWEETS = "tweets"
_SEARCH = "search"
_LOOKUP = "lookup"
_TIMELINE = "timeline"
_ME = "me"
# These all read posts, so one monthly post-read cap covers them all.
_POST_READS = (_MENTIONS, _SEARCH, _LOOKUP, _TIMELINE)


class XAdapter(HttpAdapter, network=Platform.X):
    """One X account, spoken to with an OAuth 2.0 user-context bearer token.

    Each endpoint's ``x-rate-limit-*`` values are kept in their own bucket;
    while a bucket is spent, calls to it raise :class:`RateLimited` without
    sending anything. X has no idempotency key, so :attr:`idempotent_replies`
    is False and :meth:`find_reply` looks for a reply that may already exist.
    The connection's ``backfill`` is how many of the newest mentions the first
    poll reads back.
    """

    def __init__(self, account: str, connection: Connection, *, user_id: str = "") -> None:
        super().__init__(account, connection, default_base_url=API_BASE, reset_parser=reset_time)
        self._user_id = str(user_id).strip()
        self._auth = {"Authorization": f"Bearer {connection.token}"}
        self._username = ""
        self._budgets = http.RateBudgets(self._ctx, main_bucket=_MENTIONS)
        self._backfill = Backfill(connection.backfill)
        self._rotation = Rotation()
        self._users = UserDates(self._get_json, self._ctx, self._clock)

    def rate_budget(self) -> RateBudget | None:
        """The mention timeline's budget, or any endpoint's budget that is spent now."""
        return self._budgets.summary()

    def budget(self, bucket: str) -> RateBudget | None:
        """The last known budget of one endpoint group.

        Buckets: ``mentions``, ``tweets`` (posting), ``search``, ``lookup``,
        ``timeline`` (the account's own posts), ``me`` and ``users`` (user lookups).
        """
        return self._budgets.get(bucket)

    async def verify(self) -> Identity:
        """Who the token belongs to (``GET /2/users/me``); it must be the configured user.

        With no ``user_id`` configured, the token's user becomes the account's.
        """
        body = await self._get_json(_ME, "/2/users/me", {})
        user = body.get("data") if isinstance(body, dict) else None
        if not isinstance(user, dict) or not isinstance(user.get("id"), str | int):
            raise self._malformed("users/me")
        user_id, username = str(user["id"]), str(user.get("username") or "")
        if self._user_id and user_id != self._user_id:
            raise x_publish.wrong_user(user_id, self._ctx)
        self._user_id = user_id
        self._username = username
        return Identity(user_id, "@" + username, str(user.get("name") or ""))

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Mentions newer than post id ``cursor``, oldest first, paging until caught up.

        Without a cursor, the first poll pages back (``pagination_token``) until it
        holds the account's ``backfill`` newest mentions (see
        :class:`~smm_tui.adapters.backfill.Backfill`, which also says what a rate
        limit mid-way does). The new cursor is the newest post id X reported
        (``meta.newest_id`` of the first page).
        """
        since = _valid_cursor(cursor, self._ctx.who)
        if since is None:
            return await self._backfill.read(self._backlog_page, MAX_PAGES)
        params = x_posts.post_fields(max_results=PAGE_LIMIT)
        params["since_id"] = since
        path = f"/2/users/{await self._user()}/mentions"
        newest: str | None = None
        newest_first: list[Mention] = []
        async for page in self._pages(_MENTIONS, path, params, "pagination_token"):
            newest = newest or page.newest_id
            newest_first.extend(page.mentions)
        return MentionPage(tuple(reversed(x_posts.unique(newest_first))), newest or since)

    async def _backlog_page(self, token: str | None) -> BacklogPage:
        """One page of the mention timeline for the first poll's backfill."""
        params = x_posts.post_fields(max_results=PAGE_LIMIT)
        if token is not None:
            params["pagination_token"] = token
        path = f"/2/users/{await self._user()}/mentions"
        page = self._page(await self._get_json(_MENTIONS, path, params), _MENTIONS)
        return BacklogPage(page.mentions, page.newest_id, page.next_token)

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """Ancestors from the root, oldest first, then the replies below ``mention``.

        Replies come from recent search, which covers the last 7 days only.
        """
        root = mention.root_external_id or mention.external_id
        conversation = await self._conversation(root)
        by_id = {item.external_id: item for item in conversation}
        ancestors = await self._ancestors(mention, by_id)
        below = [
            item
            for item in conversation
            if item.external_id != mention.external_id
            and x_posts.descends_from(item, mention.external_id, by_id)
        ]
        return (*ancestors, *below)

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Every reply in the conversation a post started, oldest first (last 7 days only)."""
        conversation = await self._conversation(post_external_id)
        return tuple(item for item in conversation if item.external_id != post_external_id)

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        """Our reply with ``text`` below ``mention``, looked for in our own timeline.

        The account's timeline shows a new post at once, while recent search
        may lag behind, so this does not go through :meth:`fetch_thread`.
        """
        params = x_posts.post_fields(max_results=PAGE_LIMIT)
        params["since_id"] = x_posts.checked_post_id(mention.external_id, self._ctx.who)
        me = await self._user()
        return await self._first_own(
            params, lambda item: network.is_our_reply(item, mention, text, me)
        )

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish ``text`` as a reply to ``mention``.

        X has no idempotency key, so ``idempotency_key`` is unused.
        """
        target = x_posts.checked_post_id(mention.external_id, self._ctx.who)
        return await self._create({"text": text, "reply": {"in_reply_to_tweet_id": target}})

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        """Publish ``text`` as a new post of the account (``POST /2/tweets``, no ``reply``).

        X has no idempotency key, so ``key`` is unused: after a lost answer
        :meth:`find_post` looks for the post. X's refusals (a duplicate of a
        recent post, a text too long) are :class:`PermanentError` in X's words.
        """
        return await self._create({"text": text})

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        """Our post with ``text`` from ``since`` on, in our own timeline (no replies, no reposts).

        X shortens links to t.co, so :func:`~smm_tui.core.network.is_our_post`
        compares the texts without them; ``key`` is unused (X keeps none).
        """
        me = await self._user()
        return await self._first_own(
            x_publish.timeline_query(since, PAGE_LIMIT),
            lambda item: (
                item.author.id == me
                and item.parent_external_id is None
                and network.is_our_post(item.text, text)
            ),
        )

    async def follower_count(self) -> int:
        """``public_metrics.followers_count`` of the token's user (``GET /2/users/me``)."""
        body = await self._get_json(_ME, "/2/users/me", {"user.fields": "public_metrics"})
        count, username = self._shaped(
            "users/me", x_publish.followers_of, body, self._user_id, self._ctx
        )
        self._username = self._username or username  # for the permalinks of new posts
        return count

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """Likes, reposts, replies and views (``impression_count``) from ``public_metrics``.

        Up to 100 ids a lookup (``GET /2/tweets?ids=``); a post X cannot find (in
        ``errors[]``) or an id that is not an X post id is left out.
        """
        found: dict[str, PostCounters] = {}
        for batch in id_batches(external_ids, x_publish.LOOKUP_LIMIT, x_posts.POST_ID.fullmatch):
            params = {"ids": ",".join(batch), "tweet.fields": "public_metrics"}
            body = await self._get_json(_LOOKUP, "/2/tweets", params)
            found.update(self._shaped("public_metrics", x_publish.counters_of, body, batch))
        return found

    async def fetch_changes(self, tracked: Sequence[Mention]) -> tuple[MentionChange, ...]:
        """Edits and deletions of tracked posts, looked up again (``GET /2/tweets?ids=``).

        A post X cannot find (``resource-not-found`` in ``errors[]``) was deleted.
        A post whose newest version reads otherwise than the stored text was
        edited: the change names that version's id (``new_external_id``) and
        time. Up to :data:`~smm_tui.adapters.x_publish.LOOKUP_LIMIT` posts a
        call, those looked at longest ago first.
        """
        wanted = [m for m in tracked if x_posts.POST_ID.fullmatch(m.external_id)]
        batch = self._rotation.due(wanted, x_publish.LOOKUP_LIMIT)
        if not batch:
            return ()
        current = await self._current_versions([m.external_id for m in batch])
        for mention in batch:
            self._rotation.looked(mention)
        changes: list[MentionChange] = []
        for mention in batch:
            if mention.external_id not in current:
                continue  # X said nothing of it (a protected author, say): no news
            version = current[mention.external_id]
            if version is None:
                change = compared(mention, None)
            elif version.external_id == mention.external_id:
                change = compared(mention, version.text)
            else:
                change = compared(
                    mention,
                    version.text,
                    at=version.created_at,
                    new_external_id=version.external_id,
                )
            if change is not None:
                changes.append(change)
        return tuple(changes)

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """When each author's account was made (``GET /2/users``, 100 a call); X cannot
        tell membership: :mod:`smm_tui.adapters.x_facts`."""
        return await self._users.facts(authors)

    async def _current_versions(self, ids: list[str]) -> dict[str, Mention | None]:
        """The newest version of each post of ``ids`` X shows, None for those it cannot find.

        X returns the newest version when asked for an older one; should it
        return the version asked for, whose history names a newer one, that
        newer one is looked up too.
        """
        found, missing = await self._versions(ids)
        current: dict[str, Mention | None] = dict.fromkeys(missing)
        stale = sorted({newest for old, newest in found.values() if old.external_id != newest})
        newer, gone = await self._versions(stale) if stale else ({}, set())
        for asked, (version, newest) in found.items():
            if newest in gone:
                current[asked] = None  # deleting one version deletes the whole chain
            else:
                current[asked] = newer[newest][0] if newest in newer else version
        return current

    async def _versions(self, ids: list[str]) -> tuple[dict[str, tuple[Mention, str]], set[str]]:
        """One lookup of ``ids``: for each id X answered, the version it returned and the id
        of the newest version in its edit history; and the ids X cannot find."""
        params = x_posts.post_fields()
        params["tweet.fields"] += ",edit_history_tweet_ids"
        params["ids"] = ",".join(ids)
        body = await self._get_json(_LOOKUP, "/2/tweets", params)
        return self._shaped("post lookup", self._read_versions, body, set(ids))

    def _read_versions(
        self, body: Any, asked: set[str]
    ) -> tuple[dict[str, tuple[Mention, str]], set[str]]:
        tweets = x_posts.or_empty(body.get("data"), [])
        includes = x_posts.or_empty(body.get("includes"), {})
        users = x_posts.users_by_id(x_posts.or_empty(includes.get("users"), []))
        if not isinstance(tweets, list) or users is None:
            raise TypeError("post lookup")
        found: dict[str, tuple[Mention, str]] = {}
        for tweet in tweets:
            chain = x_posts.edit_chain(tweet)
            version = self._convert(tweet, users)
            for asked_id in asked.intersection(chain):
                found[asked_id] = (version, chain[-1])
        return found, x_posts.missing_ids(body.get("errors")) & asked

    async def _first_own(
        self, params: Mapping[str, str], matches: Callable[[Mention], bool]
    ) -> PublishedReply | None:
        """The newest post of the account's own timeline (from ``params``) that ``matches``."""
        path = f"/2/users/{await self._user()}/tweets"
        async with aclosing(self._pages(_TIMELINE, path, params, "pagination_token")) as pages:
            async for page in pages:
                for item in page.mentions:
                    if matches(item):
                        return PublishedReply(item.external_id, item.url)
        return None

    async def _create(self, body: dict[str, Any]) -> PublishedReply:
        """``POST /2/tweets`` with ``body``; the new post's id and permalink."""
        response = await self._call(_TWEETS, "POST", "/2/tweets", json=body)
        created = http.decode_json(response, self._ctx)
        data = created.get("data") if isinstance(created, dict) else None
        post_id = str(data.get("id")) if isinstance(data, dict) else ""
        if not x_posts.POST_ID.fullmatch(post_id):  # it goes into URLs and lookups later
            raise self._malformed("POST /2/tweets")
        return PublishedReply(post_id, x_posts.permalink(self._username, post_id))

    # -- requests -------------------------------------------------------------

    async def _call(self, bucket: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self._budgets.check(bucket)
        response = await self._send(method, self._base + path, headers=self._auth, **kwargs)
        self._budgets.note_response(bucket, response, "x-rate-limit-", reset_time(response))
        try:
            raise_for_status(response, self._ctx)
        except network.RateLimited as exc:
            for spent in self._spent_buckets(bucket, response):
                self._budgets.exhaust(spent, exc.retry_at)
            raise
        return response

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Like :func:`http.send`, but hands back non-2xx answers: X explains them in the body."""
        return await http.exchange(
            self._client, self._ctx, method, url, where=call_name(method, url, self._ctx), **kwargs
        )

    def _spent_buckets(self, bucket: str, response: httpx.Response) -> tuple[str, ...]:
        if bucket in _POST_READS and problem_of(response).get("type") == USAGE_CAPPED:
            return _POST_READS
        return (bucket,)

    async def _get_json(self, bucket: str, path: str, params: Mapping[str, str]) -> Any:
        response = await self._call(bucket, "GET", path, params=dict(params))
        return http.decode_json(response, self._ctx)

    async def _pages(
        self,
        bucket: str,
        path: str,
        params: Mapping[str, str],
        token_param: str,
    ) -> AsyncGenerator[Page, None]:
        """Up to ``MAX_PAGES`` pages of a newest-first listing, following ``meta.next_token``."""
        query = dict(params)
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            page = self._page(await self._get_json(bucket, path, query), bucket)
            yield page
            token = page.next_token
            if token is None or token in seen:
                return
            seen.add(token)
            query[token_param] = token
        logger.warning("%s: %s stopped after %d pages", self._ctx.who, bucket, MAX_PAGES)

    async def _conversation(self, root: str) -> list[Mention]:
        """Every post of the conversation ``root`` started, found by recent search, oldest first."""
        params = x_posts.post_fields(max_results=PAGE_LIMIT)
        params["query"] = f"conversation_id:{x_posts.checked_post_id(root, self._ctx.who)}"
        newest_first: list[Mention] = []
        async for page in self._pages(_SEARCH, "/2/tweets/search/recent", params, "next_token"):
            newest_first.extend(page.mentions)
        return list(reversed(x_posts.unique(newest_first)))

    async def _ancestors(self, mention: Mention, known: Mapping[str, Mention]) -> list[Mention]:
        """The posts above ``mention``, root first; older than search reaches: looked up."""
        chain: list[Mention] = []
        seen = {mention.external_id}
        parent = mention.parent_external_id
        while parent is not None and parent not in seen and len(chain) < MAX_ANCESTORS:
            seen.add(parent)
            item = known.get(parent) or await self._lookup(parent)
            if item is None:  # deleted, protected or suspended: the chain stops here
                break
            chain.append(item)
            parent = item.parent_external_id
        return list(reversed(chain))

    async def _lookup(self, post_id: str) -> Mention | None:
        params = x_posts.post_fields()
        params["ids"] = x_posts.checked_post_id(post_id, self._ctx.who)
        body = await self._get_json(_LOOKUP, "/2/tweets", params)
        if isinstance(body, dict) and "data" not in body and isinstance(body.get("errors"), list):
            return None  # X answers 200 with only "errors" for a post it cannot show
        page = self._page(body, _LOOKUP)
        return next((m for m in page.mentions if m.external_id == post_id), None)

    async def _user(self) -> str:
        """The account's numeric user id, asked of X once when the config leaves it out."""
        if not self._user_id:
            await self.verify()
        if not x_posts.POST_ID.fullmatch(self._user_id):
            raise network.PermanentError(
                f"{self._ctx.who}: user_id must be the account's numeric X id"
            )
        return self._user_id

    # -- conversion -----------------------------------------------------------

    def _page(self, body: Any, what: str) -> Page:
        return x_posts.page_of(body, what, self._ctx, self._mention)

    def _mention(self, tweet: Any, users: Mapping[str, dict[str, Any]]) -> Mention:
        return self._shaped("post", self._convert, tweet, users)

    def _convert(self, tweet: dict[str, Any], users: Mapping[str, dict[str, Any]]) -> Mention:
        tweet_id = str(tweet["id"])
        author_id = str(tweet.get("author_id") or "")
        user = users.get(author_id)
        if user is not None and author_id == self._user_id and not self._username:
            self._username = str(user.get("username") or "")
        author = x_posts.author_of(author_id, user)
        parent = x_posts.replied_to(tweet)
        conversation = tweet.get("conversation_id")
        return Mention(
            platform=Platform.X,
            account=self.account,
            external_id=tweet_id,
            author=author,
            text=plain_text(tweet),
            created_at=x_posts.created_at(tweet),
            url=x_posts.permalink(author.handle.removeprefix("@"), tweet_id),
            parent_external_id=parent,
            root_external_id=str(conversation) if conversation else (parent or tweet_id),
            language=x_posts.language_of(tweet.get("lang")),
        )


def _valid_cursor(cursor: str | None, who: str) -> str | None:
    if cursor is None or x_posts.POST_ID.fullmatch(cursor):
        return cursor
    # A cursor we did not write: start over from the latest page (ingest drops repeats).
    logger.warning("%s: ignoring a cursor that is not a post id", who)
    return None
