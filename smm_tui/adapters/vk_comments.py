"""Paging through a VK community's wall: the newest posts, a post's comments, one thread.

The catch-up and the thread and contest reads of
:class:`~smm_tui.adapters.vk.VKAdapter` go through :class:`WallReader`. The
requests of one such read share one allowance (:class:`Pages`), so that no
wall, however long, keeps the adapter paging for ever.
"""

from __future__ import annotations

from typing import Any

from smm_tui.adapters import http
from smm_tui.adapters.client import malformed
from smm_tui.adapters.vk_api import MENTIONS, VKApi
from smm_tui.adapters.vk_wall import Authors, Comment, Post

__all__ = [
    "FIELDS",
    "MAX_PAGES",
    "PAGE_COUNT",
    "RECENT_POSTS",
    "THREAD_ITEMS",
    "PageCapReached",
    "Pages",
    "WallReader",
]

#: How many of the newest posts a catch-up reads the comments of. Older posts
#: still deliver new comments through Long Poll; only an outage on them is missed.
RECENT_POSTS = 10
#: ``wall.getComments`` and ``wall.get`` return at most 100 items a call.
PAGE_COUNT = 100
#: ``thread_items_count`` maximum: replies that come inline with a top-level comment.
THREAD_ITEMS = 10
#: A safety stop for every paging loop (long-poll batches, comment pages).
MAX_PAGES = 100
#: The author fields asked for with ``extended=1``.
FIELDS = "screen_name"


class PageCapReached(Exception):
    """A listing needed more than :data:`MAX_PAGES` requests."""


class Pages:
    """A request allowance shared by the listings of one call."""

    def __init__(self, allowance: int = MAX_PAGES) -> None:
        self.left = allowance

    def take(self) -> None:
        """Count one request; raise :class:`PageCapReached` when none are left."""
        if self.left <= 0:
            raise PageCapReached
        self.left -= 1


class WallReader:
    """Reads the posts and comments of one community's wall, remembering their authors."""

    def __init__(self, api: VKApi, ctx: http.CallContext, group: int, authors: Authors) -> None:
        self._api = api
        self._ctx = ctx
        self._group = group
        self._authors = authors

    def parse_comment(self, raw: Any, what: str, post_id: int | None = None) -> Comment:
        """The comment in ``raw``; a shape VK does not document is an error naming ``what``."""
        try:
            return Comment.parse(raw, post_id)
        except (KeyError, TypeError, ValueError):
            raise malformed(self._ctx, what) from None

    async def resolve_authors(self, ids: set[int]) -> None:
        """Look up the names of authors no extended answer described (long-poll events)."""
        users, groups = self._authors.unknown(ids)
        if users:
            params = {"user_ids": ",".join(map(str, users)), "fields": FIELDS}
            body = await self._api.call("users.get", params, MENTIONS)
            self._authors.remember({"profiles": body})
        if groups:
            params = {"group_ids": ",".join(map(str, groups)), "fields": FIELDS}
            body = await self._api.call("groups.getById", params, MENTIONS)
            self._authors.remember(
                {"groups": body.get("groups") if isinstance(body, dict) else body}
            )

    async def recent_posts(self, pages: Pages) -> list[Post]:
        """The :data:`RECENT_POSTS` newest posts on the wall, newest first."""
        posts: list[Post] = []
        while len(posts) < RECENT_POSTS:
            pages.take()
            params = {"owner_id": -self._group, "offset": len(posts), "count": RECENT_POSTS}
            body = await self._api.call("wall.get", params, MENTIONS)
            items, total = self._api.listing(body, "wall.get", "count")
            try:
                posts.extend(Post.parse(item) for item in items)
            except (KeyError, TypeError, ValueError):
                raise malformed(self._ctx, "wall.get post") from None
            if not items or len(posts) >= total:
                break
        return posts[:RECENT_POSTS]

    async def all_comments(self, post_id: int, pages: Pages) -> list[Comment]:
        """Every comment on a post: top-level ones and their threads (fetched when cut short)."""
        comments: list[Comment] = []
        for raw in await self._comment_pages_raw(post_id, None, pages):
            comment = self.parse_comment(raw, "wall.getComments item", post_id)
            comments.append(comment)
            thread = raw.get("thread")
            inline = thread.get("items") if isinstance(thread, dict) else None
            total = thread.get("count") if isinstance(thread, dict) else 0
            inline = inline if isinstance(inline, list) else []
            if isinstance(total, int) and total > len(inline):
                comments.extend(await self._comment_pages(post_id, comment.id, pages))
            else:
                comments.extend(
                    self.parse_comment(item, "comment thread", post_id) for item in inline
                )
        return comments

    async def thread_comments(self, post_id: int, comment_id: int | None) -> list[Comment]:
        """A post's comments, or the thread a comment is in: its head, then the replies."""
        pages = Pages()
        if comment_id is None:
            return await self.all_comments(post_id, pages)
        target = await self._comment(comment_id, post_id)
        head = target if target.head is None else await self._comment(target.head, post_id)
        return [head, *await self._comment_pages(post_id, head.id, pages)]

    async def _comment_pages(self, post_id: int, thread: int, pages: Pages) -> list[Comment]:
        raws = await self._comment_pages_raw(post_id, thread, pages)
        return [self.parse_comment(raw, "wall.getComments item", post_id) for raw in raws]

    async def _comment_pages_raw(
        self, post_id: int, thread: int | None, pages: Pages
    ) -> list[dict[str, Any]]:
        """The items of ``wall.getComments`` for a post (or one thread), all pages, ascending."""
        params: dict[str, object] = {
            "owner_id": -self._group,
            "post_id": post_id,
            "count": PAGE_COUNT,
            "sort": "asc",
            "preview_length": 0,
            "extended": 1,
            "fields": FIELDS,
        }
        if thread is None:
            params["thread_items_count"] = THREAD_ITEMS
        else:
            params["comment_id"] = thread
        items: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            pages.take()
            body = await self._api.call(
                "wall.getComments", {**params, "offset": len(items)}, MENTIONS
            )
            page, total = self._api.listing(body, "wall.getComments", "current_level_count")
            if not all(isinstance(item, dict) for item in page):
                raise malformed(self._ctx, "wall.getComments")
            self._authors.remember(body)
            items.extend(page)
            if not page or len(items) >= total:
                break
        return items

    async def _comment(self, comment_id: int, post_id: int) -> Comment:
        params = {"owner_id": -self._group, "comment_id": comment_id, "extended": 1}
        body = await self._api.call("wall.getComment", {**params, "fields": FIELDS}, MENTIONS)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or len(items) != 1:
            raise malformed(self._ctx, "wall.getComment")
        self._authors.remember(body)
        return self.parse_comment(items[0], "wall.getComment item", post_id)
