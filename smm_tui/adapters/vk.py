"""VK: comments on a community's wall through Bots Long Poll, replies with ``wall.createComment``.

Facts are in ``docs/platform-apis.md`` §2. The method calls, VK's in-body
errors and the rate buckets are in :mod:`smm_tui.adapters.vk_api`; paging
through posts and comments is :mod:`smm_tui.adapters.vk_comments`; the parsed
comments, posts, authors and the cursor are :mod:`smm_tui.adapters.vk_wall`;
publishing, the member count and post counters are :mod:`smm_tui.adapters.vk_posts`.

New comments arrive as ``wall_reply_new`` events from the Bots Long Poll server
(``groups.getLongPollServer`` gives ``server``, ``key`` and ``ts``). On start-up
(keeping the account's ``backfill`` newest comments) and whenever the server
says events were lost (``failed`` 1 or 3) the adapter catches up by reading the
comments of the most recent posts
(:data:`~smm_tui.adapters.vk_comments.RECENT_POSTS`) with ``wall.get`` and
``wall.getComments``.

External ids: a post is ``"<post_id>"`` and a comment is ``"<post_id>_<comment_id>"``
(the wall is always the community's own, ``owner_id = -group_id``). A comment's
root is its post; its parent is the comment it answers (``reply_to_comment``,
else the head of its thread) or the post itself.

VK documents post and comment ids as integers given out in increasing order on
one wall; the adapter compares them as numbers only to order comments and to
remember the newest comment seen per post (catch-up dedupe).

Edits, deletions and restores of comments arrive on the same long poll
(``wall_reply_edit``, ``wall_reply_delete``, ``wall_reply_restore``): they are
kept while mentions are fetched and handed over by
:meth:`VKAdapter.fetch_changes`. What a catch-up reads instead of lost events
carries none of them.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from smm_tui.adapters.base import (
    Identity,
    MentionChange,
    MentionPage,
    PostCounters,
    PublishedReply,
    RateBudget,
)
from smm_tui.adapters.changes import ChangeBuffer
from smm_tui.adapters.client import SHAPE_ERRORS, HttpAdapter
from smm_tui.adapters.connection import Connection
from smm_tui.adapters.vk_api import MENTIONS, REPLY, LongPollServer, VKApi
from smm_tui.adapters.vk_comments import (
    MAX_PAGES,
    PageCapReached,
    Pages,
    WallReader,
)
from smm_tui.adapters.vk_facts import MemberCheck
from smm_tui.adapters.vk_posts import PostDesk
from smm_tui.adapters.vk_wall import (
    Authors,
    Comment,
    Cursor,
    Post,
    as_int,
    from_unix,
    plain_text,
    tagged_ids,
)
from smm_tui.core import network
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Mention, Platform, RevisionKind

__all__ = ["DEFAULT_BASE_URL", "VKAdapter", "plain_text"]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.vk.com"
#: Once a batch came back, the next check only drains what is queued.
_DRAIN_WAIT = 1
_MAX_SESSION_RENEWALS = 3
_EXTERNAL_ID = re.compile(r"(\d{1,19})(?:_(\d{1,19}))?")
#: The long-poll events that change a comment, and what each one means.
_CHANGE_EVENTS = {
    "wall_reply_edit": RevisionKind.EDITED,
    "wall_reply_delete": RevisionKind.DELETED,
    "wall_reply_restore": RevisionKind.RESTORED,
}


class VKAdapter(HttpAdapter, network=Platform.VK):
    """One VK community, spoken to with a community access token (and an admin's user
    token, when the account names one, for what VK keeps from communities).

    Reads are one rate bucket and ``wall.createComment`` another (see
    :class:`~smm_tui.adapters.vk_api.VKApi`); while a bucket is spent, calls
    raise :class:`RateLimited` without sending anything.

    VK documents ``guid`` on ``wall.createComment`` as a key "to avoid repeated
    comments"; it is sent, but without a documented guarantee the outbox still
    checks the thread (``idempotent_replies`` is False). The connection's
    ``backfill`` is how many of the newest comments the first poll keeps.
    """

    def __init__(self, account: str, connection: Connection, *, group_id: int) -> None:
        if group_id <= 0:
            raise ValueError(f"vk account {account!r}: group_id must be a positive number")
        super().__init__(
            account, connection, default_base_url=DEFAULT_BASE_URL, secrets=(connection.user_token,)
        )
        self._group = group_id
        self._api = VKApi(self._client, self._ctx, self._base, connection.token)
        self._posts = PostDesk(self._api, self._ctx, group_id, connection.user_token)
        self._wait = max(0, min(connection.long_poll_seconds, 90))
        self._session: LongPollServer | None = None
        self._authors = Authors()
        self._wall = WallReader(self._api, self._ctx, group_id, self._authors)
        self._backfill = connection.backfill
        self._changes = ChangeBuffer()
        self._members = MemberCheck(self._api, self._ctx, group_id, self._clock)

    def __repr__(self) -> str:
        return (
            f"VKAdapter(account={self.account!r}, group_id={self._group}, base_url={self._base!r})"
        )

    def rate_budget(self) -> RateBudget | None:
        """A spent budget while VK's rate limit holds, else None (VK sends no budget headers)."""
        return self._api.budgets.spent() or self._posts.spent_budget()

    async def identity(self) -> Identity:
        """The community this account speaks as; its id comes from the config, no request."""
        author = self._authors.get(-self._group)
        return Identity(author.id, author.handle, author.display_name)

    async def verify(self) -> Identity:
        """The community the token speaks for (``groups.getById``)."""
        body = await self._api.call("groups.getById", {"group_id": self._group}, MENTIONS)
        groups = body.get("groups") if isinstance(body, dict) else body
        if not isinstance(groups, list) or not groups:
            raise self._malformed("groups.getById")
        self._authors.remember({"groups": groups[:1]})
        author = self._authors.get(-self._group)
        return Identity(author.id, author.handle, author.display_name)

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """New comments on the community's wall since ``cursor``, oldest first.

        Without a usable cursor, a long-poll session starts and the first poll
        reads back through the wall (:meth:`_backfill_wall`). The community's own
        comments are left out.
        """
        state = Cursor.load(cursor)
        found: dict[str, Mention] = {}
        if state is None:
            state = Cursor(await self._open_session())
            await self._backfill_wall(state, found)
        else:
            await self._poll(state, found)
        mentions = sorted(found.values(), key=lambda m: m.created_at)
        return MentionPage(tuple(mentions), state.dump())

    async def fetch_changes(self, tracked: Sequence[Mention]) -> tuple[MentionChange, ...]:
        """The edits, deletions and restores of ``tracked`` comments that long poll brought
        since the last look (events are drained by :meth:`fetch_mentions`), oldest first.

        A deletion is by ``author`` when its ``deleter_id`` is the comment's author,
        by ``moderator`` when it is the community, else by the deleter's id.
        """
        authors = {mention.external_id: mention.author.id for mention in tracked}
        return tuple(
            self._attributed(change, authors[change.external_id])
            for change in self._changes.take(tracked)
        )

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """The post, the head of the comment's thread, then the thread's replies, oldest first.

        Our own replies are included, so :meth:`find_reply` can see them.
        """
        post_id, comment_id = self._parse_external_id(mention.external_id)
        root = await self._post(post_id)
        try:
            comments = await self._wall.thread_comments(post_id, comment_id)
        except PageCapReached:
            raise network.PermanentError(
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
            raise network.PermanentError(
                f"{self._ctx.who}: {post_external_id!r} is a comment, not a post"
            )
        try:
            comments = await self._wall.all_comments(post_id, Pages())
        except PageCapReached:
            raise network.PermanentError(
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
        body = await self._api.call("wall.createComment", params, REPLY)
        try:
            new_id = as_int(body["comment_id"])
        except (KeyError, TypeError, ValueError):
            raise self._malformed("wall.createComment") from None
        return PublishedReply(f"{post_id}_{new_id}", self._url(post_id, new_id))

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        """Publish ``text`` on the community's wall (``wall.post``, ``guid`` = ``key``)."""
        return await self._posts.publish(text, key)

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        """Our post with ``text`` since ``since`` on the wall (VK keeps no ``guid`` to match)."""
        return await self._posts.find(text, since)

    async def follower_count(self) -> int:
        """The community's members (``groups.getById``, ``members_count``)."""
        return await self._posts.followers()

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """Likes, reposts, comments and views (``wall.getById``, a user token's only)."""
        return await self._posts.counters(external_ids)

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Membership of the community (``groups.isMember``, 500 a call); VK gives no
        creation date (:mod:`smm_tui.adapters.vk_facts`)."""
        return await self._members.facts(authors)

    # -- long poll ------------------------------------------------------------

    async def _open_session(self) -> str:
        """Start a long-poll session; returns the server's current ``ts``."""
        self._session, ts = await self._api.long_poll_server(self._group)
        return ts

    async def _poll(self, state: Cursor, found: dict[str, Mention]) -> None:
        """Drain the long-poll queue from ``state.ts``, renewing the session as VK asks."""
        wait = self._wait
        renewals = 0
        caught_up = False
        for _ in range(MAX_PAGES):
            if self._session is None:
                renewals += 1
                if renewals > _MAX_SESSION_RENEWALS:
                    raise network.TransientError(
                        f"{self._ctx.who}: the long-poll key keeps expiring"
                    )
                await self._open_session()
            answer = await self._api.check(self._session_now(), state.ts, wait)
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

    def _session_now(self) -> LongPollServer:
        assert self._session is not None
        return self._session

    def _events(self, answer: dict[str, Any]) -> tuple[str, int, list[Comment]]:
        """The new ``ts``, how many events came, and the comments of the ``wall_reply_new``
        events on our wall; the changes to comments there go to ``self._changes``."""
        ts = answer.get("ts")
        updates = answer.get("updates")
        if isinstance(ts, bool) or not isinstance(ts, int | str) or not isinstance(updates, list):
            raise self._malformed("long poll")
        comments: list[Comment] = []
        for update in updates:
            raw = update.get("object") if isinstance(update, dict) else None
            if not isinstance(raw, dict) or not self._on_our_wall(raw):
                continue
            kind = update.get("type")
            if kind == "wall_reply_new":
                comments.append(self._wall.parse_comment(raw, "long poll event"))
            elif kind in _CHANGE_EVENTS:
                self._keep_change(_CHANGE_EVENTS[kind], raw, update.get("event_id"))
        return str(ts), len(updates), comments

    def _on_our_wall(self, raw: dict[str, Any]) -> bool:
        """Whether an event's comment is on the community's wall (deletions name ``owner_id``)."""
        owner = raw.get("post_owner_id", raw.get("owner_id", -self._group))
        return bool(owner == -self._group)

    def _keep_change(self, kind: RevisionKind, raw: dict[str, Any], event_id: Any) -> None:
        """Keep the change an event brings; one that cannot be read is skipped, with a warning.

        A deletion names no text; its deleter (``deleter_id``, in VK's schema
        ``user_id``) waits in ``by`` until :meth:`_attributed` knows the author.
        """
        try:
            if kind is RevisionKind.DELETED:
                deleter = raw.get("deleter_id", raw.get("user_id"))
                by = str(as_int(deleter)) if deleter is not None else ""
                external_id = f"{as_int(raw['post_id'])}_{as_int(raw['id'])}"
                change = MentionChange(external_id, kind, by=by)
            else:
                comment = Comment.parse(raw)
                text = plain_text(comment.text)
                by = "author" if kind is RevisionKind.EDITED else ""
                change = MentionChange(f"{comment.post_id}_{comment.id}", kind, text=text, by=by)
        except SHAPE_ERRORS:
            logger.warning("%s: skipped a %s event that could not be read", self._ctx.who, kind)
            return
        self._changes.add(event_id if isinstance(event_id, str) else None, change)

    def _attributed(self, change: MentionChange, author_id: str) -> MentionChange:
        """``change`` with a deleter's id said as ``author`` or ``moderator`` where it is one."""
        if change.kind is not RevisionKind.DELETED or not change.by:
            return change
        if change.by == author_id:
            return dataclasses.replace(change, by="author")
        if change.by == str(-self._group):
            return dataclasses.replace(change, by="moderator")
        return change

    async def _deliver(
        self, comments: list[Comment], state: Cursor, found: dict[str, Mention]
    ) -> None:
        """Add the comments not seen yet (and not ours) to ``found``."""
        fresh = [c for c in comments if state.is_new(c) and not c.deleted and not self._ours(c)]
        await self._wall.resolve_authors({c.from_id for c in fresh})
        for comment in fresh:
            mention = self._mention(comment)
            found.setdefault(mention.external_id, mention)
        state.saw(comments)

    # -- catch-up -------------------------------------------------------------

    async def _backfill_wall(self, state: Cursor, found: dict[str, Mention]) -> None:
        """The first poll: the ``backfill`` newest comments on the newest posts, into ``found``.

        Every comment read is marked seen in ``state``, so a later catch-up
        delivers none of the older ones either. A failure mid-way (a rate limit:
        errors 6, 9 and 29) is raised and nothing is returned, so no cursor is
        stored: once the spent budget allows (nothing is sent before), the next
        poll starts the backfill over with a new session, and the ingest stores
        each comment once.
        """
        read: dict[str, Mention] = {}
        await self._catch_up(state, read)
        ordered = sorted(read.values(), key=lambda m: (m.created_at, m.external_id))
        for mention in ordered[max(len(ordered) - self._backfill, 0) :]:
            found[mention.external_id] = mention

    async def _catch_up(self, state: Cursor, found: dict[str, Mention]) -> None:
        """Read the comments of the newest posts; deliver those newer than the cursor knows."""
        pages = Pages()
        try:
            for post in await self._wall.recent_posts(pages):
                if post.comments == 0:
                    continue
                await self._deliver(await self._wall.all_comments(post.id, pages), state, found)
        except PageCapReached:
            logger.warning(
                "%s: catch-up stopped after %d requests; older comments may be missing",
                self._ctx.who,
                MAX_PAGES,
            )

    # -- posts and authors ----------------------------------------------------

    async def _post(self, post_id: int) -> Mention | None:
        """The post as the root of its threads; None if VK no longer shows it (or not to us)."""
        body = await self._posts.root_post(post_id)
        items = body.get("items") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise self._malformed("wall.getById")
        if isinstance(body, dict):
            self._authors.remember(body)
        if not items:
            return None
        try:
            post = Post.parse(items[0])
            created_at = from_unix(post.date)
        except (KeyError, TypeError, ValueError):
            raise self._malformed("wall.getById post") from None
        await self._wall.resolve_authors({post.from_id})
        return Mention(
            platform=Platform.VK,
            account=self.account,
            external_id=str(post.id),
            author=self._authors.get(post.from_id),
            text=plain_text(post.text),
            created_at=created_at,
            url=self._posts.url(post.id),
            parent_external_id=None,
            root_external_id=str(post.id),
        )

    # -- conversion -----------------------------------------------------------

    def _convert_sorted(self, comments: Iterable[Comment]) -> tuple[Mention, ...]:
        ordered = sorted({c.id: c for c in comments}.values(), key=lambda c: (c.date, c.id))
        return tuple(self._mention(c) for c in ordered)

    def _mention(self, comment: Comment) -> Mention:
        try:
            return self._convert(comment)
        except (TypeError, ValueError):
            raise self._malformed("comment") from None

    def _convert(self, comment: Comment) -> Mention:
        post = str(comment.post_id)
        parent = comment.reply_to or comment.head
        return Mention(
            platform=Platform.VK,
            account=self.account,
            external_id=f"{post}_{comment.id}",
            author=self._authors.get(comment.from_id),
            text=plain_text(comment.text),
            tagged=tagged_ids(comment.text),
            created_at=from_unix(comment.date),
            url=self._url(comment.post_id, comment.id),
            parent_external_id=f"{post}_{parent}" if parent else post,
            root_external_id=post,
        )

    def _ours(self, comment: Comment) -> bool:
        return comment.from_id == -self._group

    def _url(self, post_id: int, comment_id: int) -> str:
        return f"https://vk.com/wall-{self._group}_{post_id}?reply={comment_id}"

    def _parse_external_id(self, external_id: str) -> tuple[int, int | None]:
        match = _EXTERNAL_ID.fullmatch(external_id)
        if match is None:
            raise network.PermanentError(
                f"{self._ctx.who}: {external_id!r} is not a VK post or comment id"
            )
        post, comment = match.groups()
        return int(post), int(comment) if comment is not None else None
