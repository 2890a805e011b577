"""VK: comments on a community's wall through Bots Long Poll, replies with ``wall.createComment``.

Facts are in ``docs/platform-apis.md`` §2. Every API method is a POST to
``/method/<name>`` with ``v=5.199`` in the form body and the community token in
an ``Authorization: Bearer`` header, so the token never appears in a URL. VK
answers errors inside HTTP 200 as ``{"error": {"error_code", "error_msg"}}``.

New comments arrive as ``wall_reply_new`` events from the Bots Long Poll server
(``groups.getLongPollServer`` gives ``server``, ``key`` and ``ts``). On start-up
and whenever the server says events were lost (``failed`` 1 or 3) the adapter
catches up by reading the comments of the :data:`RECENT_POSTS` most recent
posts with ``wall.get`` and ``wall.getComments``.

External ids: a post is ``"<post_id>"`` and a comment is ``"<post_id>_<comment_id>"``
(the wall is always the community's own, ``owner_id = -group_id``). A comment's
root is its post; its parent is the comment it answers (``reply_to_comment``,
else the head of its thread) or the post itself.

VK documents post and comment ids as integers given out in increasing order on
one wall; the adapter compares them as numbers only to order comments and to
remember the newest comment seen per post (catch-up dedupe).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.base import (
    Adapter,
    AdapterError,
    Identity,
    MentionPage,
    PermanentError,
    PublishedReply,
    RateBudget,
    RateLimited,
    TransientError,
)
from smm_tui.core import limits
from smm_tui.core.models import Author, Mention, Platform, utcnow

__all__ = ["DEFAULT_BASE_URL", "VKAdapter", "plain_text"]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.vk.com"
API_VERSION = "5.199"
#: How many of the newest posts a catch-up reads the comments of. Older posts
#: still deliver new comments through Long Poll; only an outage on them is missed.
RECENT_POSTS = 10
#: ``wall.getComments`` and ``wall.get`` return at most 100 items a call.
PAGE_COUNT = 100
#: ``thread_items_count`` maximum: replies that come inline with a top-level comment.
THREAD_ITEMS = 10
#: A safety stop for every paging loop (long-poll batches, comment pages).
MAX_PAGES = 100
#: How many posts' newest comment ids the cursor keeps.
SEEN_POSTS = 50
#: VK asks for ``multipart/form-data`` when a request carries more than 2 KB.
MULTIPART_ABOVE = 2048
#: Error 6 (too many requests per second): the window is a second.
PER_SECOND_WAIT = timedelta(seconds=1)
#: Error 9 (flood control): VK says no more; a minute is the usual advice.
FLOOD_WAIT = timedelta(seconds=60)
#: Error 29 (a method's quota): quotas are per day and VK does not say when they
#: refill, so we try again hourly rather than lose a whole day.
QUOTA_WAIT = timedelta(hours=1)

_MENTIONS = "mentions"
_REPLY = "reply"
#: Once a batch came back, the next check only drains what is queued.
_DRAIN_WAIT = 1
_MAX_SESSION_RENEWALS = 3
_AUTHOR_CACHE = 10_000
_MESSAGE_EXCERPT = 160
_FIELDS = "screen_name"
_EXTERNAL_ID = re.compile(r"(\d{1,19})(?:_(\d{1,19}))?")
# [id1|Name], [club1|Name], [public1|Name], [event1|Name]; board replies add ":bp-1_2".
_MARKUP = re.compile(r"\[(?:id|club|public|event)\d+(?::bp-?\d+_\d+)?\|([^\[\]|]*)\]")


def plain_text(text: str) -> str:
    """VK text with mention markup (``[id1|Name]``, ``[club1|Name]``) turned into the name."""
    return _MARKUP.sub(r"\1", text)


@dataclass(frozen=True, slots=True)
class _Comment:
    """The parts of a ``wall_wall_comment`` the adapter uses."""

    post_id: int
    id: int
    from_id: int
    date: int
    text: str
    reply_to: int | None
    head: int | None
    deleted: bool

    @classmethod
    def parse(cls, raw: Any, post_id: int | None = None) -> _Comment:
        if not isinstance(raw, dict):
            raise TypeError("comment")
        post = raw.get("post_id", post_id)
        stack = raw.get("parents_stack") or []
        if not isinstance(stack, list):
            raise TypeError("parents_stack")
        reply_to = raw.get("reply_to_comment")
        deleted = bool(raw.get("deleted"))
        return cls(
            post_id=_as_int(post),
            id=_as_int(raw["id"]),
            from_id=_as_int(raw.get("from_id", 0) if deleted else raw["from_id"]),
            date=_as_int(raw.get("date", 0) if deleted else raw["date"]),
            text=str(raw.get("text") or ""),
            reply_to=_as_int(reply_to) if reply_to else None,
            head=_as_int(stack[0]) if stack else None,
            deleted=deleted,
        )


@dataclass(frozen=True, slots=True)
class _Post:
    id: int
    from_id: int
    date: int
    text: str
    comments: int | None

    @classmethod
    def parse(cls, raw: Any) -> _Post:
        if not isinstance(raw, dict):
            raise TypeError("post")
        comments = raw.get("comments")
        count = comments.get("count") if isinstance(comments, dict) else None
        return cls(
            id=_as_int(raw["id"]),
            from_id=_as_int(raw.get("from_id", raw.get("owner_id"))),
            date=_as_int(raw["date"]),
            text=str(raw.get("text") or ""),
            comments=_as_int(count) if count is not None else None,
        )


@dataclass(frozen=True, slots=True)
class _Session:
    """A Bots Long Poll session: the server to ask and its secret key."""

    server: str
    key: str


@dataclass(slots=True)
class _Cursor:
    """What ``fetch_mentions`` hands back: the long-poll ``ts`` and, per post, the newest
    comment id delivered (so a catch-up does not deliver them again).

    The session key is not part of it: the cursor is stored on disk, and a key
    from a past run is useless anyway. A new one is asked for, keeping ``ts``.
    """

    ts: str
    seen: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(cls, text: str | None) -> _Cursor | None:
        """The cursor in ``text``; None when there is none or it cannot be read."""
        if not text:
            return None
        try:
            data = json.loads(text)
            ts = data["ts"]
            if not isinstance(ts, str) or not ts:
                return None
            seen = {int(post): int(comment) for post, comment in data.get("seen", {}).items()}
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return cls(ts, seen)

    def dump(self) -> str:
        """The cursor as a string; only the :data:`SEEN_POSTS` newest posts are kept."""
        newest = sorted(self.seen, reverse=True)[:SEEN_POSTS]
        seen = {str(post): self.seen[post] for post in sorted(newest)}
        return json.dumps({"ts": self.ts, "seen": seen}, separators=(",", ":"))

    def is_new(self, comment: _Comment) -> bool:
        return comment.id > self.seen.get(comment.post_id, 0)

    def saw(self, comments: Iterable[_Comment]) -> None:
        for comment in comments:
            if comment.id > self.seen.get(comment.post_id, 0):
                self.seen[comment.post_id] = comment.id


class _PageCapReached(Exception):
    """A listing needed more than :data:`MAX_PAGES` requests."""


class _Pages:
    """A request allowance shared by the listings of one call."""

    def __init__(self, allowance: int = MAX_PAGES) -> None:
        self.left = allowance

    def take(self) -> None:
        if self.left <= 0:
            raise _PageCapReached
        self.left -= 1


class VKAdapter(Adapter):
    """One VK community, spoken to with a community access token.

    Reads are one rate bucket and ``wall.createComment`` another: error 6 (per
    second) spends both for a second, error 9 (flood control) spends the reply
    bucket for a minute and error 29 (a method's daily quota) spends the bucket
    of the call for an hour. While a bucket is spent, calls raise
    :class:`RateLimited` without sending anything.

    VK documents ``guid`` on ``wall.createComment`` as a key "to avoid repeated
    comments"; it is sent, but without a documented guarantee the outbox still
    checks the thread (``idempotent_replies`` is False).
    """

    platform = Platform.VK
    reply_limit = limits.REPLY_LIMITS[Platform.VK]
    idempotent_replies = False

    def __init__(
        self,
        account: str,
        *,
        base_url: str | None = None,
        token: str,
        group_id: int,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utcnow,
        deadline: float = http.DEFAULT_DEADLINE,
        token_hint: str = "",
        longpoll_wait: int = 20,
    ) -> None:
        super().__init__(account)
        if group_id <= 0:
            raise ValueError(f"vk account {account!r}: group_id must be a positive number")
        self._base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._group = group_id
        self._ctx = http.CallContext(
            network="vk",
            account=account,
            secrets=(token,),
            deadline=deadline,
            clock=clock,
            token_hint=token_hint,
        )
        self._auth = {"Authorization": f"Bearer {token}"}
        self._client = client if client is not None else http.make_client()
        self._owns_client = client is None
        self._clock = clock
        self._wait = max(0, min(longpoll_wait, 90))
        self._session: _Session | None = None
        self._authors: dict[int, Author] = {}
        self._budgets = http.RateBudgets(self._ctx, main_bucket=_MENTIONS)

    def __repr__(self) -> str:
        return (
            f"VKAdapter(account={self.account!r}, group_id={self._group}, base_url={self._base!r})"
        )

    def rate_budget(self) -> RateBudget | None:
        """A spent budget while VK's rate limit holds, else None (VK sends no budget headers)."""
        budget = self._budgets.summary()
        return budget if budget is not None and budget.spent(self._clock()) else None

    def reply_length(self, text: str) -> int:
        """The length of ``text`` as VK counts it (characters)."""
        return limits.reply_length(self.platform, text)

    async def identity(self) -> Identity:
        """The community this account speaks as; its id comes from the config, no request."""
        author = self._authors.get(-self._group) or _placeholder(-self._group)
        return Identity(author.id, author.handle, author.display_name)

    async def verify(self) -> Identity:
        """The community the token speaks for (``groups.getById``)."""
        body = await self._method("groups.getById", {"group_id": self._group}, _MENTIONS)
        groups = body.get("groups") if isinstance(body, dict) else body
        if not isinstance(groups, list) or not groups:
            raise self._malformed("groups.getById")
        self._remember({"groups": groups[:1]})
        author = self._authors.get(-self._group) or _placeholder(-self._group)
        return Identity(author.id, author.handle, author.display_name)

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """New comments on the community's wall since ``cursor``, oldest first.

        Without a usable cursor, the comments of the :data:`RECENT_POSTS` newest
        posts are returned and a long-poll session starts. The community's own
        comments are left out.
        """
        state = _Cursor.load(cursor)
        found: dict[str, Mention] = {}
        if state is None:
            state = _Cursor(await self._open_session())
            await self._catch_up(state, found)
        else:
            await self._poll(state, found)
        mentions = sorted(found.values(), key=lambda m: m.created_at)
        return MentionPage(tuple(mentions), state.dump())

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """The post, the head of the comment's thread, then the thread's replies, oldest first.

        Our own replies are included, so :meth:`find_reply` can see them.
        """
        post_id, comment_id = self._parse_external_id(mention.external_id)
        root = await self._post(post_id)
        try:
            comments = await self._thread_comments(post_id, comment_id)
        except _PageCapReached:
            raise PermanentError(
                f"{self._ctx.who}: the thread of {mention.external_id!r} is longer than "
                f"{MAX_PAGES} pages"
            ) from None
        thread = self._convert_sorted(c for c in comments if not c.deleted)
        return (root, *thread) if root is not None else thread

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Every comment on one of the community's posts, thread replies included, oldest first.

        The community's own comments are left out: it cannot enter its own contest.
        """
        post_id, comment_id = self._parse_external_id(post_external_id)
        if comment_id is not None:
            raise PermanentError(f"{self._ctx.who}: {post_external_id!r} is a comment, not a post")
        try:
            comments = await self._all_comments(post_id, _Pages())
        except _PageCapReached:
            raise PermanentError(
                f"{self._ctx.who}: post {post_id} has more comments than "
                f"{MAX_PAGES} pages; not all could be read"
            ) from None
        return self._convert_sorted(c for c in comments if not c.deleted and not self._ours(c))

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish ``text`` as the community, below the post or comment ``mention`` is."""
        post_id, comment_id = self._parse_external_id(mention.external_id)
        params: dict[str, object] = {
            "owner_id": -self._group,
            "post_id": post_id,
            "from_group": self._group,
            "message": text,
            "guid": idempotency_key,
        }
        if comment_id is not None:
            params["reply_to_comment"] = comment_id
        body = await self._method("wall.createComment", params, _REPLY)
        try:
            new_id = _as_int(body["comment_id"])
        except (KeyError, TypeError, ValueError):
            raise self._malformed("wall.createComment") from None
        return PublishedReply(f"{post_id}_{new_id}", self._url(post_id, new_id))

    async def aclose(self) -> None:
        """Close the client if this adapter made it."""
        if self._owns_client:
            await self._client.aclose()

    # -- long poll ------------------------------------------------------------

    async def _open_session(self) -> str:
        """Start a long-poll session; returns the server's current ``ts``."""
        body = await self._method("groups.getLongPollServer", {"group_id": self._group}, _MENTIONS)
        try:
            server, key, ts = str(body["server"]), str(body["key"]), body["ts"]
            if not server or not key or isinstance(ts, bool) or not isinstance(ts, int | str):
                raise ValueError("session")
        except (KeyError, TypeError, ValueError):
            raise self._malformed("groups.getLongPollServer") from None
        if "://" not in server:
            server = "https://" + server
        self._session = _Session(server, key)
        return str(ts)

    async def _poll(self, state: _Cursor, found: dict[str, Mention]) -> None:
        """Drain the long-poll queue from ``state.ts``, renewing the session as VK asks."""
        wait = self._wait
        renewals = 0
        caught_up = False
        for _ in range(MAX_PAGES):
            if self._session is None:
                renewals += 1
                if renewals > _MAX_SESSION_RENEWALS:
                    raise TransientError(f"{self._ctx.who}: the long-poll key keeps expiring")
                await self._open_session()
            answer = await self._check(self._session_now(), state.ts, wait)
            failed = answer.get("failed")
            if failed is None:
                ts, updates, comments = self._events(answer)
                await self._deliver(comments, state, found)
                repeated, state.ts = ts == state.ts, ts
                if not updates or repeated:
                    return
                wait = min(_DRAIN_WAIT, self._wait)
                continue
            logger.debug("%s: long poll answered failed=%r", self._ctx.who, failed)
            if failed == 2:
                self._session = None  # key expired: a new key, the same ts
                continue
            new_ts = answer.get("ts")
            if failed == 1 and isinstance(new_ts, int | str) and not isinstance(new_ts, bool):
                state.ts = str(new_ts)  # some events are gone: take the new ts, catch up
            else:
                renewals += 1  # information lost: a new key and ts, catch up
                state.ts = await self._open_session()
            if not caught_up:
                caught_up = True
                await self._catch_up(state, found)
        logger.warning("%s: long poll still had events after %d checks", self._ctx.who, MAX_PAGES)

    def _session_now(self) -> _Session:
        assert self._session is not None
        return self._session

    async def _check(self, session: _Session, ts: str, wait: int) -> dict[str, Any]:
        """One ``a_check``: the server URL came from VK; it gets the key, never the token."""
        self._budgets.check(_MENTIONS)
        ctx = dataclasses.replace(
            self._ctx,
            secrets=(*self._ctx.secrets, session.key),
            deadline=self._ctx.deadline + wait,
        )
        base = self._client.timeout
        timeout = httpx.Timeout(
            connect=base.connect,
            read=None if base.read is None else base.read + wait,
            write=base.write,
            pool=base.pool,
        )
        params = {"act": "a_check", "key": session.key, "ts": ts, "wait": str(wait)}
        try:
            response = await http.send(
                self._client, ctx, "GET", session.server, params=params, timeout=timeout
            )
        except RateLimited as exc:
            self._budgets.exhaust(_MENTIONS, exc.retry_at)
            raise
        body = http.decode_json(response, ctx)
        if not isinstance(body, dict):
            raise self._malformed("long poll")
        return body

    def _events(self, answer: dict[str, Any]) -> tuple[str, int, list[_Comment]]:
        """The new ``ts``, how many events came, and the comments of the ``wall_reply_new``
        events on our wall."""
        ts = answer.get("ts")
        updates = answer.get("updates")
        if isinstance(ts, bool) or not isinstance(ts, int | str) or not isinstance(updates, list):
            raise self._malformed("long poll")
        comments: list[_Comment] = []
        for update in updates:
            if not isinstance(update, dict) or update.get("type") != "wall_reply_new":
                continue
            raw = update.get("object")
            if isinstance(raw, dict) and raw.get("post_owner_id", -self._group) == -self._group:
                comments.append(self._parse_comment(raw, "long poll event"))
        return str(ts), len(updates), comments

    async def _deliver(
        self, comments: list[_Comment], state: _Cursor, found: dict[str, Mention]
    ) -> None:
        """Add the comments not seen yet (and not ours) to ``found``."""
        fresh = [c for c in comments if state.is_new(c) and not c.deleted and not self._ours(c)]
        await self._resolve_authors({c.from_id for c in fresh})
        for comment in fresh:
            mention = self._mention(comment)
            found.setdefault(mention.external_id, mention)
        state.saw(comments)

    # -- catch-up -------------------------------------------------------------

    async def _catch_up(self, state: _Cursor, found: dict[str, Mention]) -> None:
        """Read the comments of the newest posts; deliver those newer than the cursor knows."""
        pages = _Pages()
        try:
            for post in await self._recent_posts(pages):
                if post.comments == 0:
                    continue
                await self._deliver(await self._all_comments(post.id, pages), state, found)
        except _PageCapReached:
            logger.warning(
                "%s: catch-up stopped after %d requests; older comments may be missing",
                self._ctx.who,
                MAX_PAGES,
            )

    async def _recent_posts(self, pages: _Pages) -> list[_Post]:
        posts: list[_Post] = []
        while len(posts) < RECENT_POSTS:
            pages.take()
            params = {"owner_id": -self._group, "offset": len(posts), "count": RECENT_POSTS}
            body = await self._method("wall.get", params, _MENTIONS)
            items, total = self._listing(body, "wall.get", "count")
            try:
                posts.extend(_Post.parse(item) for item in items)
            except (KeyError, TypeError, ValueError):
                raise self._malformed("wall.get post") from None
            if not items or len(posts) >= total:
                break
        return posts[:RECENT_POSTS]

    # -- comments -------------------------------------------------------------

    async def _all_comments(self, post_id: int, pages: _Pages) -> list[_Comment]:
        """Every comment on a post: top-level ones and their threads (fetched when cut short)."""
        comments: list[_Comment] = []
        for raw in await self._comment_pages_raw(post_id, None, pages):
            comment = self._parse_comment(raw, "wall.getComments item", post_id)
            comments.append(comment)
            thread = raw.get("thread")
            inline = thread.get("items") if isinstance(thread, dict) else None
            total = thread.get("count") if isinstance(thread, dict) else 0
            inline = inline if isinstance(inline, list) else []
            if isinstance(total, int) and total > len(inline):
                comments.extend(await self._comment_pages(post_id, comment.id, pages))
            else:
                comments.extend(
                    self._parse_comment(item, "comment thread", post_id) for item in inline
                )
        return comments

    async def _comment_pages(self, post_id: int, thread: int, pages: _Pages) -> list[_Comment]:
        raws = await self._comment_pages_raw(post_id, thread, pages)
        return [self._parse_comment(raw, "wall.getComments item", post_id) for raw in raws]

    async def _comment_pages_raw(
        self, post_id: int, thread: int | None, pages: _Pages
    ) -> list[dict[str, Any]]:
        """The items of ``wall.getComments`` for a post (or one thread), all pages, ascending."""
        params: dict[str, object] = {
            "owner_id": -self._group,
            "post_id": post_id,
            "count": PAGE_COUNT,
            "sort": "asc",
            "preview_length": 0,
            "extended": 1,
            "fields": _FIELDS,
        }
        if thread is None:
            params["thread_items_count"] = THREAD_ITEMS
        else:
            params["comment_id"] = thread
        items: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            pages.take()
            body = await self._method(
                "wall.getComments", {**params, "offset": len(items)}, _MENTIONS
            )
            page, total = self._listing(body, "wall.getComments", "current_level_count")
            if not all(isinstance(item, dict) for item in page):
                raise self._malformed("wall.getComments")
            self._remember(body)
            items.extend(page)
            if not page or len(items) >= total:
                break
        return items

    async def _thread_comments(self, post_id: int, comment_id: int | None) -> list[_Comment]:
        """A post's comments, or the thread a comment is in: its head, then the replies."""
        pages = _Pages()
        if comment_id is None:
            return await self._all_comments(post_id, pages)
        target = await self._comment(comment_id, post_id)
        head = target if target.head is None else await self._comment(target.head, post_id)
        return [head, *await self._comment_pages(post_id, head.id, pages)]

    async def _comment(self, comment_id: int, post_id: int) -> _Comment:
        params = {"owner_id": -self._group, "comment_id": comment_id, "extended": 1}
        body = await self._method("wall.getComment", {**params, "fields": _FIELDS}, _MENTIONS)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or len(items) != 1:
            raise self._malformed("wall.getComment")
        self._remember(body)
        return self._parse_comment(items[0], "wall.getComment item", post_id)

    async def _post(self, post_id: int) -> Mention | None:
        """The post as the root of its threads; None if VK no longer shows it."""
        params = {"posts": f"-{self._group}_{post_id}", "extended": 1, "fields": _FIELDS}
        body = await self._method("wall.getById", params, _MENTIONS)
        items = body.get("items") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise self._malformed("wall.getById")
        if isinstance(body, dict):
            self._remember(body)
        if not items:
            return None
        try:
            post = _Post.parse(items[0])
            created_at = _from_unix(post.date)
        except (KeyError, TypeError, ValueError):
            raise self._malformed("wall.getById post") from None
        await self._resolve_authors({post.from_id})
        return Mention(
            platform=Platform.VK,
            account=self.account,
            external_id=str(post.id),
            author=self._authors.get(post.from_id) or _placeholder(post.from_id),
            text=plain_text(post.text),
            created_at=created_at,
            url=f"https://vk.com/wall-{self._group}_{post.id}",
            parent_external_id=None,
            root_external_id=str(post.id),
        )

    # -- authors --------------------------------------------------------------

    def _remember(self, body: Any) -> None:
        """Keep the authors an ``extended=1`` answer describes (``profiles`` and ``groups``)."""
        if not isinstance(body, dict):
            return
        if len(self._authors) > _AUTHOR_CACHE:
            self._authors.clear()
        for profile in _dicts(body.get("profiles")):
            if isinstance(profile.get("id"), int):
                self._authors[profile["id"]] = _user_author(profile)
        for group in _dicts(body.get("groups")):
            if isinstance(group.get("id"), int):
                self._authors[-group["id"]] = _group_author(group)

    async def _resolve_authors(self, ids: set[int]) -> None:
        """Look up the names of authors no extended answer described (long-poll events)."""
        users = sorted(i for i in ids if i > 0 and i not in self._authors)
        groups = sorted(-i for i in ids if i < 0 and i not in self._authors)
        if users:
            params = {"user_ids": ",".join(map(str, users)), "fields": _FIELDS}
            body = await self._method("users.get", params, _MENTIONS)
            self._remember({"profiles": body})
        if groups:
            params = {"group_ids": ",".join(map(str, groups)), "fields": _FIELDS}
            body = await self._method("groups.getById", params, _MENTIONS)
            self._remember({"groups": body.get("groups") if isinstance(body, dict) else body})

    # -- requests -------------------------------------------------------------

    async def _method(self, name: str, params: Mapping[str, object], bucket: str) -> Any:
        """Call one API method; an error in the body becomes the typed error it means."""
        self._budgets.check(bucket)
        form = {key: str(value) for key, value in params.items()}
        form["v"] = API_VERSION
        try:
            response = await http.send(
                self._client,
                self._ctx,
                "POST",
                f"{self._base}/method/{name}",
                headers=self._auth,
                **_body(form),
            )
        except RateLimited as exc:
            self._budgets.exhaust(bucket, exc.retry_at)
            raise
        body = http.decode_json(response, self._ctx)
        if not isinstance(body, dict):
            raise self._malformed(name)
        if "error" in body:
            raise self._api_error(name, bucket, body["error"])
        if "response" not in body:
            raise self._malformed(name)
        return body["response"]

    def _api_error(self, method: str, bucket: str, error: Any) -> AdapterError:
        if not isinstance(error, dict):
            return self._malformed(f"{method} error")
        code = error.get("error_code")
        text = " ".join(self._ctx.clean(str(error.get("error_msg") or "")).split())
        detail = f"error {code}: {text[:_MESSAGE_EXCERPT]}" if text else f"error {code}"
        if code == 5:
            return http.auth_error(self._ctx, "error 5")
        if code in (6, 9, 29):
            return self._rate_limited(method, bucket, code, detail)
        if code in (1, 10):
            return TransientError(f"{self._ctx.who}: {method} failed at VK ({detail})")
        return PermanentError(f"{self._ctx.who}: {method} refused ({detail})")

    def _rate_limited(self, method: str, bucket: str, code: int, detail: str) -> RateLimited:
        now = self._clock()
        if code == 6:
            until = now + PER_SECOND_WAIT
            spent = {_MENTIONS, _REPLY}
        elif code == 9:
            until = now + FLOOD_WAIT
            spent = {bucket, _REPLY}
        else:
            until = now + QUOTA_WAIT
            spent = {bucket}
        for name in spent:
            self._budgets.exhaust(name, until)
        message = f"{self._ctx.who}: {method} rate limited ({detail}) until {until.isoformat()}"
        return RateLimited(message, until)

    def _listing(self, body: Any, method: str, total_key: str) -> tuple[list[Any], int]:
        """``items`` and the total to page up to (``total_key``, else ``count``)."""
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise self._malformed(method)
        total = body.get(total_key, body.get("count"))
        if isinstance(total, bool) or not isinstance(total, int):
            raise self._malformed(method)
        return body["items"], total

    # -- conversion -----------------------------------------------------------

    def _parse_comment(self, raw: Any, what: str, post_id: int | None = None) -> _Comment:
        try:
            return _Comment.parse(raw, post_id)
        except (KeyError, TypeError, ValueError):
            raise self._malformed(what) from None

    def _convert_sorted(self, comments: Iterable[_Comment]) -> tuple[Mention, ...]:
        ordered = sorted({c.id: c for c in comments}.values(), key=lambda c: (c.date, c.id))
        return tuple(self._mention(c) for c in ordered)

    def _mention(self, comment: _Comment) -> Mention:
        try:
            return self._convert(comment)
        except (TypeError, ValueError):
            raise self._malformed("comment") from None

    def _convert(self, comment: _Comment) -> Mention:
        post = str(comment.post_id)
        parent = comment.reply_to or comment.head
        return Mention(
            platform=Platform.VK,
            account=self.account,
            external_id=f"{post}_{comment.id}",
            author=self._authors.get(comment.from_id) or _placeholder(comment.from_id),
            text=plain_text(comment.text),
            created_at=_from_unix(comment.date),
            url=self._url(comment.post_id, comment.id),
            parent_external_id=f"{post}_{parent}" if parent else post,
            root_external_id=post,
        )

    def _ours(self, comment: _Comment) -> bool:
        return comment.from_id == -self._group

    def _url(self, post_id: int, comment_id: int) -> str:
        return f"https://vk.com/wall-{self._group}_{post_id}?reply={comment_id}"

    def _parse_external_id(self, external_id: str) -> tuple[int, int | None]:
        match = _EXTERNAL_ID.fullmatch(external_id)
        if match is None:
            raise PermanentError(f"{self._ctx.who}: {external_id!r} is not a VK post or comment id")
        post, comment = match.groups()
        return int(post), int(comment) if comment is not None else None

    def _malformed(self, what: str) -> TransientError:
        return TransientError(f"{self._ctx.who}: unexpected {what} shape")


def _as_int(value: Any) -> int:
    """A VK id or number: an int, or a string of digits (``ts`` comes as a string)."""
    if isinstance(value, bool):
        raise TypeError("boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value):
        return int(value)
    raise TypeError("not a number")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _user_author(profile: dict[str, Any]) -> Author:
    user_id = int(profile["id"])
    name = f"{profile.get('first_name') or ''} {profile.get('last_name') or ''}".strip()
    return Author(str(user_id), str(profile.get("screen_name") or f"id{user_id}"), name)


def _group_author(group: dict[str, Any]) -> Author:
    group_id = int(group["id"])
    handle = str(group.get("screen_name") or f"club{group_id}")
    return Author(str(-group_id), handle, str(group.get("name") or ""))


def _placeholder(from_id: int) -> Author:
    """An author VK told us nothing about (a deleted account): the id is all we know."""
    handle = f"id{from_id}" if from_id >= 0 else f"club{-from_id}"
    return Author(str(from_id), handle, "")


def _from_unix(seconds: int) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise TypeError("date") from None


def _body(form: dict[str, str]) -> dict[str, Any]:
    """The request body: a form, or ``multipart/form-data`` above 2 KB as VK asks."""
    if len(urlencode(form)) <= MULTIPART_ABOVE:
        return {"data": form}
    return {"files": [(key, (None, value)) for key, value in form.items()]}
