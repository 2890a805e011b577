"""Bluesky (AT Protocol): mentions from notifications, replies as post records.

Facts are in ``docs/platform-apis.md`` §5. Signing in, renewing the session
and reading XRPC errors and rate limits is :mod:`smm_tui.adapters.bluesky_xrpc`;
the shapes of notifications, posts and reply records are
:mod:`smm_tui.adapters.bluesky_records`; facets are
:mod:`smm_tui.adapters.bluesky_facets`.

Mentions and replies come from ``app.bsky.notification.listNotifications``,
which pages backwards only (newest first). The cursor this adapter hands out is
the newest notification seen, ``"<indexedAt>|<uri>"``; a fetch pages back until
it meets that notification or one indexed before it. Replies are
``app.bsky.feed.post`` records made with ``com.atproto.repo.createRecord``; they
carry strong references (uri + cid) to the post answered and to its thread's
root, and facets for links, hashtags and @handles (UTF-8 byte offsets). The
brand's own posts, its follower count and its posts' counters are
:mod:`smm_tui.adapters.bluesky_posts`.

Every call goes to ``base_url`` (the account's PDS or the ``bsky.social``
entryway). The ``app.bsky.*`` reads are AppView endpoints that the PDS proxies.

Posts cannot be edited; :meth:`BlueskyAdapter.fetch_changes` looks each tracked
post up again (``getPostThread``, depth 0) to see whether it was deleted.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from smm_tui.adapters import bluesky_records as records
from smm_tui.adapters import http
from smm_tui.adapters.backfill import Backfill, BacklogPage
from smm_tui.adapters.base import (
    Identity,
    MentionChange,
    MentionPage,
    PostCounters,
    PublishedReply,
    RateBudget,
)
from smm_tui.adapters.bluesky_facets import build_facets, mentioned_handles
from smm_tui.adapters.bluesky_facts import ProfileFacts
from smm_tui.adapters.bluesky_posts import BrandPosts
from smm_tui.adapters.bluesky_records import post_url
from smm_tui.adapters.bluesky_xrpc import (
    READ,
    WRITE,
    Session,
    XrpcClient,
    before_sending,
    error_name,
    retry_time,
)
from smm_tui.adapters.changes import BLUESKY_NOTE, Rotation, compared
from smm_tui.adapters.client import HttpAdapter
from smm_tui.adapters.connection import Connection
from smm_tui.core import network
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Mention, Platform

__all__ = ["DEFAULT_BASE_URL", "BlueskyAdapter", "build_facets", "post_url"]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bsky.social"
PAGE_LIMIT = 50
#: A safety stop: at 50 a page, this is 2 000 notifications in one catch-up.
MAX_PAGES = 40
THREAD_DEPTH = 10
THREAD_PARENT_HEIGHT = 80
#: Contest entries deep in reply chains still count. The lexicon allows 1000, but JSON
#: nested that deep would exhaust Python's recursion limit when decoded.
COMMENTS_DEPTH = 100
#: At most this many ``@handle`` look-ups for one reply's mention facets.
MAX_HANDLE_LOOKUPS = 8
#: How many tracked posts one look for deletions asks about; the rest wait their turn.
CHANGES_PER_LOOK = 40
_THREAD = "app.bsky.feed.getPostThread"
_NOT_FOUND_POST = "app.bsky.feed.defs#notFoundPost"
_REF_CACHE = 5000
_REASONS = ("mention", "reply")


class BlueskyAdapter(HttpAdapter, network=Platform.BLUESKY):
    """One Bluesky account, signed in with its handle and an app password.

    The session's JWTs are secrets like the password: they are redacted from
    every message. The last ``ratelimit-*`` values are kept per bucket (reads,
    writes, sessions); while one is spent, calls to it raise
    :class:`RateLimited` without sending. Bluesky has no idempotency key, so a
    reply whose answer was lost is looked for in the thread (:meth:`find_reply`);
    a post of the brand's own is made under a record key derived from its
    delivery key, and looked for there (:meth:`find_post`).
    The connection's ``backfill`` is how many of the newest mentions the first
    poll reads back.
    """

    # A post's record key is a TID derived from its delivery key, and a PDS will not
    # create a second record under a key that is taken: a repeat cannot publish twice
    # (replies get server-chosen keys, so they are not idempotent).
    idempotent_posts = True
    change_note = BLUESKY_NOTE

    def __init__(self, account: str, connection: Connection, *, handle: str) -> None:
        super().__init__(
            account,
            connection,
            default_base_url=DEFAULT_BASE_URL,
            reset_parser=functools.partial(retry_time, clock=connection.clock),
        )
        self._handle = handle.strip().lstrip("@")
        self._xrpc = XrpcClient(
            self._client,
            self._ctx,
            base=self._base,
            handle=self._handle,
            password=connection.token,
            on_session=self._signed_in,
        )
        self._refs: dict[str, records.Refs] = {}
        self._dids: dict[str, str] = {}
        self._backfill = Backfill(connection.backfill)
        self._posts = BrandPosts(self._xrpc, self._facets, self._clock)
        self._rotation = Rotation()
        self._facts = ProfileFacts(self._xrpc, self._clock)

    def __repr__(self) -> str:
        return (
            f"BlueskyAdapter(account={self.account!r}, handle={self._handle!r}, "
            f"base_url={self._base!r})"
        )

    def rate_budget(self) -> RateBudget | None:
        """The last ``ratelimit-*`` values for reads, or a spent budget of any kind."""
        return self._xrpc.budgets.summary()

    async def verify(self) -> Identity:
        """Sign in and say who we are: the DID, ``@handle`` and display name."""
        session = await self._xrpc.session()
        profile = await self._xrpc.get_json("app.bsky.actor.getProfile", {"actor": session.did})
        if not isinstance(profile, dict):
            raise self._malformed("profile")
        return Identity(session.did, "@" + session.handle, str(profile.get("displayName") or ""))

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Mentions and replies newer than ``cursor``, oldest first, paging back to it.

        Without a cursor, the first poll pages back until it holds the account's
        ``backfill`` newest mentions (see :class:`~smm_tui.adapters.backfill.Backfill`,
        which also says what a rate limit mid-way does). The new cursor names the
        newest notification seen (``"<indexedAt>|<uri>"``).
        """
        mark = records.parse_cursor(cursor) if cursor is not None else None
        if cursor is not None and mark is None:
            logger.warning("%s: ignoring a cursor this adapter did not write", self._ctx.who)
        if mark is None:
            page = await self._backfill.read(self._backlog_page, MAX_PAGES)
            # Nothing there yet: whatever comes later is new, all of it.
            return (
                page
                if page.cursor is not None
                else MentionPage((), records.Mark(records.EPOCH, "").encode())
            )
        fresh = await self._fresh_notifications(mark)
        mentions = self._mentions(reversed(fresh))
        newest = records.mark_of(fresh[0]).encode() if fresh else cursor
        return MentionPage(tuple(mentions), newest)

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """The posts above ``mention`` from the root down, then every reply below it."""
        node = await self._thread(mention.external_id, THREAD_DEPTH, THREAD_PARENT_HEIGHT)
        return (*self._ancestors(node), *self._descendants(node))

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Every reply below one of the account's posts, at any depth, oldest first."""
        node = await self._thread(post_external_id, COMMENTS_DEPTH, 0)
        comments = self._descendants(node)
        return tuple(sorted(comments, key=lambda m: (m.created_at, m.external_id)))

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish ``text`` as a post answering ``mention`` (``idempotency_key`` is unused).

        The look-ups made before the post (session, the post's strong refs,
        handles to DIDs) fail as :class:`NotSent`: the reply itself never left.
        """
        with before_sending("reply"):
            session = await self._xrpc.session()
            refs = await self._reply_refs(mention.external_id)
            facets = await self._facets(text)
        record = records.reply_record(text, refs, facets, mention.language, self._clock())
        body = {"repo": session.did, "collection": records.POST, "record": record}
        response = await self._xrpc.authed(
            "POST", "com.atproto.repo.createRecord", WRITE, json=body
        )
        uri = self._xrpc.created_uri(response)
        return PublishedReply(uri, post_url(self._xrpc.handle, uri))

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        """Publish ``text`` under the record key ``key`` names; a repeat finds the first."""
        return await self._posts.publish(text, key)

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        """The post under ``key``'s record key if it reads as ``text``.

        ``since`` is not needed: the record key names this delivery's post alone.
        """
        return await self._posts.find(text, key)

    async def follower_count(self) -> int:
        """The profile's ``followersCount``."""
        return await self._posts.followers()

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """Likes, reposts and replies by at-uri; Bluesky counts no views."""
        return await self._posts.counters(external_ids)

    async def fetch_changes(self, tracked: Sequence[Mention]) -> tuple[MentionChange, ...]:
        """Deletions of tracked posts, each looked up again (``getPostThread``, depth 0).

        ``NotFound`` (an XRPC error, or a ``notFoundPost``) is a deletion, by
        whom Bluesky does not say; a post hidden by a block tells nothing either
        way and is left be. At most :data:`CHANGES_PER_LOOK` posts a call, those
        looked at longest ago first.
        """
        changes: list[MentionChange] = []
        posts = [m for m in tracked if records.is_at_uri(m.external_id)]
        for mention in self._rotation.due(posts, CHANGES_PER_LOOK):
            node = await self._thread_node(mention.external_id)
            self._rotation.looked(mention)
            if node is not None and not records.is_thread_post(node):
                continue  # blocked, or a shape that says nothing of the post
            text = None if node is None else self._post_mention(node["post"]).text
            change = compared(mention, text)
            if change is not None:
                changes.append(change)
        return tuple(changes)

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Whether each author follows the brand (``getRelationships``, ``followedBy``) and
        their profile's ``createdAt``: :mod:`smm_tui.adapters.bluesky_facts`."""
        return await self._facts.facts(authors)

    async def _thread_node(self, uri: str) -> dict[str, Any] | None:
        """The post's own thread node, or None when Bluesky says it is not found."""
        params = {"uri": uri, "depth": "0", "parentHeight": "0"}
        response = await self._xrpc.authed("GET", _THREAD, READ, checked=False, params=params)
        if response.status_code == 400 and error_name(response) == "NotFound":
            return None
        self._xrpc.check(response, _THREAD, READ)
        body = http.decode_json(response, self._xrpc.ctx)
        node = body.get("thread") if isinstance(body, dict) else None
        if not isinstance(node, dict):
            raise self._malformed("post thread")
        if node.get("notFound") is True or node.get("$type") == _NOT_FOUND_POST:
            return None
        return node

    def _signed_in(self, session: Session) -> None:
        """Know our own handle's DID, for mention facets."""
        self._dids[session.handle.casefold()] = session.did

    # -- notifications ----------------------------------------------------------

    async def _fresh_notifications(self, mark: records.Mark) -> list[dict[str, Any]]:
        """Notifications newer than ``mark``, newest first."""
        fresh: list[dict[str, Any]] = []
        page_cursor: str | None = None
        asked: set[str] = set()
        for _ in range(MAX_PAGES):
            items, page_cursor = await self._notification_page(page_cursor)
            for item in items:
                if mark.reached_by(records.mark_of(item)):
                    return fresh
                fresh.append(item)
            if not items or page_cursor is None or page_cursor in asked:
                return fresh
            asked.add(page_cursor)
        logger.warning("%s: stopped after %d notification pages", self._ctx.who, MAX_PAGES)
        return fresh

    async def _backlog_page(self, cursor: str | None) -> BacklogPage:
        """One page of notifications for the first poll's backfill, from page ``cursor``."""
        items, page_cursor = await self._notification_page(cursor)
        newest = records.mark_of(items[0]).encode() if items else None
        return BacklogPage(self._mentions(items), newest, page_cursor if items else None)

    def _mentions(self, items: Iterable[dict[str, Any]]) -> list[Mention]:
        """The mentions and replies among notifications, in their order, each post once."""
        mentions: list[Mention] = []
        seen: set[str] = set()
        for item in items:
            if item["reason"] not in _REASONS or item["uri"] in seen:
                continue
            seen.add(item["uri"])
            if records.is_post(item.get("record")):
                mentions.append(self._post_mention(item))
        return mentions

    async def _notification_page(
        self, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        params = [("reasons", reason) for reason in _REASONS]
        params.append(("limit", str(PAGE_LIMIT)))
        if cursor is not None:
            params.append(("cursor", cursor))
        body = await self._xrpc.get_json("app.bsky.notification.listNotifications", params)
        items = body.get("notifications") if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(records.is_notification(item) for item in items):
            raise self._malformed("notifications")
        next_cursor = body.get("cursor")
        return items, next_cursor if isinstance(next_cursor, str) and next_cursor else None

    # -- threads ----------------------------------------------------------------

    async def _thread(self, uri: str, depth: int, parent_height: int) -> dict[str, Any]:
        params = {"uri": uri, "depth": str(depth), "parentHeight": str(parent_height)}
        body = await self._xrpc.get_json("app.bsky.feed.getPostThread", params)
        node = body.get("thread") if isinstance(body, dict) else None
        if not isinstance(node, dict):
            raise self._malformed("post thread")
        if not records.is_thread_post(node):
            state = "blocked" if node.get("blocked") else "not found"
            raise network.PermanentError(
                f"{self._ctx.who}: post {state}: {self._xrpc.ctx.clean(uri)}"
            )
        return node

    def _ancestors(self, node: dict[str, Any]) -> list[Mention]:
        chain: list[Mention] = []
        parent: Any = node.get("parent")
        while records.is_thread_post(parent) and len(chain) <= THREAD_PARENT_HEIGHT:
            chain.append(self._post_mention(parent["post"]))
            parent = parent.get("parent")
        return chain[::-1]

    def _descendants(self, node: dict[str, Any]) -> tuple[Mention, ...]:
        """Every reply below ``node``, depth first, siblings oldest first."""
        return tuple(self._walk_replies(node, COMMENTS_DEPTH))

    def _walk_replies(self, node: dict[str, Any], budget: int) -> Iterator[Mention]:
        replies = node.get("replies") or []
        if not isinstance(replies, list) or budget <= 0:
            return
        children = [
            (self._post_mention(r["post"]), r) for r in replies if records.is_thread_post(r)
        ]
        children.sort(key=lambda pair: (pair[0].created_at, pair[0].external_id))
        for mention, child in children:
            yield mention
            yield from self._walk_replies(child, budget - 1)

    # -- replies ----------------------------------------------------------------

    async def _reply_refs(self, uri: str) -> records.Refs:
        refs = self._refs.get(uri)
        if refs is not None:
            return refs
        body = await self._xrpc.get_json("app.bsky.feed.getPosts", {"uris": uri})
        posts = body.get("posts") if isinstance(body, dict) else None
        if not isinstance(posts, list):
            raise self._malformed("posts")
        for post in posts:
            if isinstance(post, dict) and post.get("uri") == uri:
                refs = self._shaped("post", records.refs_of, post)
                self._remember(uri, refs)
                return refs
        raise network.PermanentError(
            f"{self._ctx.who}: post not found (deleted?): {self._xrpc.ctx.clean(uri)}"
        )

    async def _facets(self, text: str) -> list[dict[str, Any]]:
        unknown = [h for h in mentioned_handles(text) if h not in self._dids]
        for handle in unknown[:MAX_HANDLE_LOOKUPS]:
            await self._resolve(handle)
        return build_facets(text, self._dids)

    async def _resolve(self, handle: str) -> None:
        try:
            body = await self._xrpc.get_json(
                "com.atproto.identity.resolveHandle", {"handle": handle}
            )
        except network.PermanentError:
            return  # not a Bluesky handle: it stays plain text
        did = body.get("did") if isinstance(body, dict) else None
        if isinstance(did, str) and did.startswith("did:"):
            self._dids[handle] = did

    # -- conversion -------------------------------------------------------------

    def _post_mention(self, post: Any) -> Mention:
        """A notification or a ``postView`` (same fields: uri, cid, author, record, indexedAt)."""
        return self._shaped("post", self._convert, post)

    def _convert(self, post: dict[str, Any]) -> Mention:
        uri = str(post["uri"])
        if not records.is_at_uri(uri):
            raise ValueError("not an at:// uri")
        record = post.get("record") or {}
        author = post["author"]
        handle = str(author.get("handle") or "")
        did = str(author["did"])
        if handle:
            self._dids[handle.casefold()] = did
        self._remember(uri, records.refs_of(post))
        reply = records.reply_of(record)
        parent, root = records.uri_of(reply.get("parent")), records.uri_of(reply.get("root"))
        langs = record.get("langs")
        return Mention(
            platform=Platform.BLUESKY,
            account=self.account,
            external_id=uri,
            author=Author(
                id=did,
                handle="@" + handle if handle else did,
                display_name=str(author.get("displayName") or ""),
                followers=records.int_or_none(author.get("followersCount")),
            ),
            text=str(record.get("text") or ""),
            created_at=records.created_at(
                record.get("createdAt"), str(post.get("indexedAt") or "")
            ),
            url=post_url(handle or did, uri),
            parent_external_id=parent,
            root_external_id=root or uri,
            language=str(langs[0]) if isinstance(langs, list) and langs else "",
        )

    def _remember(self, uri: str, refs: records.Refs) -> None:
        self._refs.pop(uri, None)
        self._refs[uri] = refs
        if len(self._refs) > _REF_CACHE:
            del self._refs[next(iter(self._refs))]
