"""A VK community's own posts: publishing, finding one again, members and post counters.

:class:`~smm_tui.adapters.vk.VKAdapter` hands ``publish_post``, ``find_post``,
``follower_count`` and ``post_counters`` to :class:`PostDesk`. Two tokens may be
at hand: the community token every call starts with, and an admin's user token
(the variable the account's ``user_token_env`` names) for what VK keeps from
communities:

- ``wall.post`` is documented as user-only, yet works with a community token
  that has the ``wall`` right; when VK refuses the community token (error 27,
  "method is unavailable with group auth", or an access refusal) the call was
  not executed, so it is made again with the user token.
- ``wall.getById``, which carries the counters, needs a user (or service) token.
- ``wall.get`` lists the wall with whichever token there is, the user's first.

A post's external id is ``"<post_id>"``, as everywhere in the adapter.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from smm_tui.adapters import http
from smm_tui.adapters.base import (
    PermanentError,
    PostCounters,
    PublishedReply,
    RateBudget,
    Unverifiable,
    noted_counters,
)
from smm_tui.adapters.client import malformed
from smm_tui.adapters.vk_api import MENTIONS, PUBLISH, Refused, VKApi
from smm_tui.adapters.vk_comments import FIELDS, PAGE_COUNT
from smm_tui.adapters.vk_wall import Post, as_int
from smm_tui.core.network import is_our_post

__all__ = [
    "COUNTERS_BATCH",
    "FIND_PAGES",
    "NO_COUNTERS",
    "READ_REFUSALS",
    "USER_TOKEN_HINT",
    "PostDesk",
]

logger = logging.getLogger(__name__)

#: What an auth error on the user token tells the user to set.
USER_TOKEN_HINT = "the variable user_token_env names (an admin's user token)"
#: Refusals that mean the token may not do this at all (nothing was executed):
#: 7 no permission, 15 access denied, 27 group auth, 214 adding posts denied.
POST_REFUSALS = frozenset({7, 15, 27, 214})
READ_REFUSALS = frozenset({7, 15, 27})
#: ``wall.getById`` takes at most 100 posts a call.
COUNTERS_BATCH = 100
#: How many pages of the wall ``find_post`` reads back at most.
FIND_PAGES = 10
NO_COUNTERS = (
    "VK gives post counters only to a user or service token: set user_token_env "
    "to a variable holding a community admin's user token."
)
NOT_A_USER_TOKEN = (
    "VK gives post counters only to a user or service token, and refused the one "
    "user_token_env names: set it to a community admin's user token."
)
_POST_ID = re.compile(r"\d{1,19}")
#: Our counter names, the fields of a ``wall_wallpost`` that hold them, and their word in notes.
_COUNTERS = (
    ("likes", "likes", "like"),
    ("reposts", "reposts", "repost"),
    ("replies", "comments", "comment"),
    ("views", "views", "view"),
)


class PostDesk:
    """The community's own posts, spoken to with the community token and, if set, a user's."""

    def __init__(self, api: VKApi, ctx: http.CallContext, group: int, user_token: str) -> None:
        """``api`` speaks with the community token; ``user_token`` ("" for none) is the admin's."""
        self._ctx = ctx
        self._api = api
        self._group = group
        self._user: VKApi | None = None
        if user_token:
            self._user = api.with_token(user_token, token_hint=USER_TOKEN_HINT)
        #: Who ``wall.post`` goes out as: the community, until VK refuses it that.
        self._poster = api

    @property
    def reader(self) -> VKApi:
        """The API for reads VK keeps from communities: the user token's if there is one."""
        return self._user or self._api

    def spent_budget(self) -> RateBudget | None:
        """The user token's budget while one of its buckets is spent, else None."""
        return self._user.budgets.spent() if self._user is not None else None

    def url(self, post_id: int) -> str:
        """The post's address on vk.com."""
        return f"https://vk.com/wall-{self._group}_{post_id}"

    async def root_post(self, post_id: int) -> Any:
        """``wall.getById`` of one post, authors included, with the user token if there is one.

        An empty listing when VK will not show it to the token (error 27, as it
        answers a community token): a thread then goes without its post.
        """
        params = {"posts": f"-{self._group}_{post_id}", "extended": 1, "fields": FIELDS}
        try:
            return await self.reader.call("wall.getById", params, MENTIONS)
        except Refused as exc:
            if exc.code not in READ_REFUSALS:
                raise
            logger.info("%s: VK will not show post %d (error %s)", self._ctx.who, post_id, exc.code)
            return {"items": []}

    async def publish(self, text: str, key: str) -> PublishedReply:
        """``wall.post`` as the community, ``key`` as its ``guid``; the user token if VK asks."""
        params = {"owner_id": -self._group, "from_group": 1, "message": text, "guid": key}
        poster = self._poster
        try:
            body = await poster.call("wall.post", params, PUBLISH)
        except Refused as exc:
            if poster is self._user or exc.code not in POST_REFUSALS:
                raise
            if self._user is None:
                raise PermanentError(
                    f"{self._ctx.who}: VK refused wall.post to the community token "
                    f"(error {exc.code}): set user_token_env to name a variable holding "
                    "a community admin's user token (with the wall right)"
                ) from None
            logger.info(
                "%s: wall.post refused to the community token (error %s); "
                "posting with the user token",
                self._ctx.who,
                exc.code,
            )
            self._poster = self._user
            body = await self._user.call("wall.post", params, PUBLISH)
        try:
            post_id = as_int(body["post_id"])
        except (KeyError, TypeError, ValueError):
            raise malformed(self._ctx, "wall.post") from None
        return PublishedReply(str(post_id), self.url(post_id))

    async def find(self, text: str, since: datetime) -> PublishedReply | None:
        """The first post of the community's own reading as ``text`` made at or after ``since``.

        Reads back through ``wall.get`` (``filter=owner``, newest first) until the
        posts are older than ``since``; a pinned post may be older and is skipped
        over. VK refusing the listing makes it :class:`Unverifiable`.
        """
        api = self.reader
        start = since.timestamp()
        found: list[Post] = []
        offset = 0
        for _ in range(FIND_PAGES):
            params = {
                "owner_id": -self._group,
                "filter": "owner",
                "offset": offset,
                "count": PAGE_COUNT,
            }
            try:
                body = await api.call("wall.get", params, MENTIONS)
            except Refused as exc:
                if exc.code not in READ_REFUSALS:
                    raise
                raise self._unverifiable(exc.code) from None
            items, total = api.listing(body, "wall.get", "count")
            older = True
            for raw in items:
                post = self._parse(raw, "wall.get post")
                if post.date >= start:
                    older = older and bool(raw.get("is_pinned"))
                    if post.from_id == -self._group and is_our_post(post.text, text):
                        found.append(post)
            offset += len(items)
            if not items or offset >= total or older:
                break
        if not found:
            return None
        first = min(found, key=lambda p: (p.date, p.id))
        return PublishedReply(str(first.id), self.url(first.id))

    async def followers(self) -> int:
        """The community's ``members_count`` (``groups.getById``, either answer shape)."""
        params = {"group_id": self._group, "fields": "members_count"}
        body = await self._api.call("groups.getById", params, MENTIONS)
        groups = body.get("groups") if isinstance(body, dict) else body
        if not isinstance(groups, list):
            raise malformed(self._ctx, "groups.getById")
        group = next(
            (g for g in groups if isinstance(g, dict) and g.get("id") == self._group), None
        )
        if group is None:
            raise malformed(self._ctx, "groups.getById")
        try:
            count = as_int(group.get("members_count"))
        except TypeError:
            count = -1
        if count < 0:
            raise PermanentError(
                f"{self._ctx.who}: VK gave no member count for the community "
                "(groups.getById answered without members_count)"
            )
        return count

    async def counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """Each post's likes, reposts, comments and views (``wall.getById``, 100 a call).

        Only a user token may ask; without one every counter is None and the note
        says what to set. Posts VK does not return are left out.
        """
        wanted: dict[int, str] = {}
        for external_id in external_ids:
            if _POST_ID.fullmatch(external_id):
                wanted.setdefault(int(external_id), external_id)
            else:
                logger.warning("%s: %r is not a VK post id", self._ctx.who, external_id)
        if self._user is None:
            return {e: PostCounters(note=NO_COUNTERS) for e in wanted.values()}
        ids = list(wanted)
        result: dict[str, PostCounters] = {}
        for start in range(0, len(ids), COUNTERS_BATCH):
            refs = ",".join(f"-{self._group}_{i}" for i in ids[start : start + COUNTERS_BATCH])
            try:
                body = await self._user.call("wall.getById", {"posts": refs}, MENTIONS)
            except Refused as exc:
                if exc.code not in READ_REFUSALS:
                    raise
                return {e: PostCounters(note=NOT_A_USER_TOKEN) for e in wanted.values()}
            items = body.get("items") if isinstance(body, dict) else body
            if not isinstance(items, list):
                raise malformed(self._ctx, "wall.getById")
            for raw in items:
                post = self._parse(raw, "wall.getById post")
                if post.id in wanted and raw.get("owner_id", -self._group) == -self._group:
                    result[wanted[post.id]] = _counters_of(raw)
        return result

    def _parse(self, raw: Any, what: str) -> Post:
        try:
            return Post.parse(raw)
        except (KeyError, TypeError, ValueError):
            raise malformed(self._ctx, what) from None

    def _unverifiable(self, code: object) -> Unverifiable:
        if self._user is not None:
            return Unverifiable(
                f"{self._ctx.who}: VK refused to list the wall to the user token "
                f"(error {code}), so smm-tui cannot check whether the post went out"
            )
        return Unverifiable(
            f"{self._ctx.who}: VK refused to list the wall to the community token "
            f"(error {code}); a community admin's user token (user_token_env) lets "
            "smm-tui check whether the post went out"
        )


def _counters_of(raw: dict[str, Any]) -> PostCounters:
    """The counters in a ``wall_wallpost``; a missing one is None and named in the note."""
    return noted_counters(
        ((ours, word, _count(raw.get(field))) for ours, field, word in _COUNTERS),
        "VK gave no {} count for this post.",
    )


def _count(field: Any) -> int | None:
    """The ``count`` of a counter object (VK may send it as digits); None if absent or negative."""
    try:
        value = as_int(field.get("count") if isinstance(field, dict) else None)
    except TypeError:
        return None
    return value if value >= 0 else None
