"""The fake VK community's own wall: posts, publishing, its member count and post counters.

Mixed into :class:`tests.fakes.vk.FakeVK`, whose method handler calls these
with the state lock held and :attr:`PostMethods._as_user` set to whether the
call came with the admin's user token. As on VK, ``wall.getById`` for counters
(no ``extended``) answers error 27 to the community token; threads still read a
post with it, as the adapter always has. A method named in
:attr:`PostMethods.user_only` refuses the community token the same way.
``FakeVK.adapter(user_token=True)`` builds an adapter that has both tokens.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tests.fakes.base import BrandPost, Counters
from tests.fakes.vk_wall import GROUP, Comment, Post, VKError, page_of

__all__ = ["PostMethods"]

#: ``wall.get`` and ``wall.getById`` take at most 100 posts a call.
MAX_COUNT = 100


class PostMethods:
    """``groups.getById``, ``wall.get``, ``wall.getById`` and ``wall.post`` of the fake."""

    group_id: int
    page_size: int
    posts: list[BrandPost]
    followers: int
    counters: dict[str, Counters]
    clock: Callable[[], datetime]
    _posts: dict[int, Post]
    _comments: dict[int, Comment]
    _post_ids: itertools.count[int]
    #: Whether the call being answered came with the user token.
    _as_user: bool
    #: Methods that answer error 27 to the community token (say, ``"wall.post"``).
    user_only: set[str]

    def _user_only(self, method: str) -> None:
        if not self._as_user and method in self.user_only:
            raise VKError(27)

    def _groups_getById(self, params: dict[str, str]) -> dict[str, Any]:
        self._user_only("groups.getById")
        wanted = params.get("group_id") or params.get("group_ids") or ""
        group: dict[str, Any] = dict(GROUP)
        if "members_count" in params.get("fields", "").split(","):
            group["members_count"] = self.followers
        groups = [group] if str(self.group_id) in wanted.split(",") else []
        return {"groups": groups, "profiles": []}

    def _wall_get(self, params: dict[str, str]) -> dict[str, Any]:
        self._user_only("wall.get")
        self._own_wall(params)
        if int(params.get("count") or 20) > MAX_COUNT:
            raise VKError(100, "count is invalid")
        posts = sorted(self._posts.values(), key=lambda p: p.id, reverse=True)
        if params.get("filter") == "others":
            posts = []
        page = page_of(posts, params, self.page_size)
        return {"count": len(posts), "items": [self._post_json(p) for p in page]}

    def _wall_getById(self, params: dict[str, str]) -> dict[str, Any]:
        counting = params.get("extended") != "1"
        if counting and not self._as_user:
            raise VKError(27)
        refs = params.get("posts", "").split(",")
        if len(refs) > MAX_COUNT:
            raise VKError(100, "posts is invalid")
        items = []
        for ref in refs:
            owner, _, post_id = ref.partition("_")
            if owner == f"-{self.group_id}" and post_id.isdigit():
                post = self._posts.get(int(post_id))
                items += [self._post_json(post, counting=counting)] if post else []
        if counting:
            return {"items": items}
        return {"items": items, "profiles": [], "groups": [GROUP]}

    def _wall_post(self, params: dict[str, str]) -> dict[str, Any]:
        self._user_only("wall.post")
        self._own_wall(params)
        if params.get("from_group") != "1":
            raise VKError(100, "from_group is invalid")
        message = params.get("message", "")
        if not message:
            raise VKError(100, "message is invalid")
        post = Post(next(self._post_ids), message, int(self.clock().timestamp()))
        self._posts[post.id] = post
        self.posts.append(BrandPost(str(post.id), message, params.get("guid", "")))
        return {"post_id": post.id}

    def _own_wall(self, params: dict[str, str]) -> None:
        if params.get("owner_id") != f"-{self.group_id}":
            raise VKError(15 if params.get("owner_id") else 100, "owner_id")

    def _post_json(self, post: Post, *, counting: bool = False) -> dict[str, Any]:
        comments = sum(1 for c in self._comments.values() if c.post_id == post.id)
        counters = self.counters.get(str(post.id))
        item: dict[str, Any] = {
            "id": post.id,
            "owner_id": -self.group_id,
            "from_id": -self.group_id,
            "date": post.date,
            "post_type": "post",
            "text": post.text,
            "comments": {"count": comments, "can_post": 1, "groups_can_post": True},
            "likes": {"count": 0, "user_likes": 0, "can_like": 1, "can_publish": 1},
            "reposts": {"count": 0, "wall_count": 0, "mail_count": 0, "user_reposted": 0},
        }
        if counting and counters is not None:
            item["comments"]["count"] = counters.replies
            item["likes"]["count"] = counters.likes
            item["reposts"] = {
                "count": counters.reposts,
                "wall_count": counters.reposts,
                "mail_count": 0,
                "user_reposted": 0,
            }
            if counters.views is not None:
                item["views"] = {"count": counters.views}
        return item
