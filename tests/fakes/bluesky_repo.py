"""The posts a fake Bluesky PDS holds, as post views by at-uri, and the threads they make.

Used by :class:`tests.fakes.bluesky.FakeBluesky`, which keeps one :class:`Repo`
under its lock.
"""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from typing import Any

from tests.fakes.bluesky_shapes import (
    BASE_TIME,
    POST,
    cid,
    iso_stamp,
    not_found,
    profile_view,
    replied_uri,
    tid,
)

_TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
_THREAD_VIEW = "app.bsky.feed.defs#threadViewPost"


def is_tid(value: Any) -> bool:
    """Whether ``value`` is a valid TID record key, as a PDS checks a post's ``rkey``."""
    return isinstance(value, str) and _TID.fullmatch(value) is not None


def created(view: dict[str, Any], rev: int) -> dict[str, Any]:
    """createRecord's answer for the record behind ``view`` (commit revision ``rev``)."""
    return {
        "uri": view["uri"],
        "cid": view["cid"],
        "commit": {"cid": cid("commit", view["uri"]), "rev": tid(rev)},
        "validationStatus": "valid",
    }


class Repo:
    """Post views by at-uri: the PDS's records with the AppView's counts around them."""

    def __init__(self) -> None:
        self.views: dict[str, dict[str, Any]] = {}

    def add(
        self,
        n: int,
        text: str,
        author: str,
        *,
        parent: str | None,
        record: dict[str, Any] | None = None,
        rkey: str | None = None,
    ) -> dict[str, Any]:
        """The view of a new post (the ``n``-th thing the server made) by ``author``.

        Without ``record``, a plain one is made (a reply to ``parent`` if given);
        without ``rkey``, the server picks one.
        """
        profile = profile_view(author)
        uri = f"at://{profile['did']}/{POST}/{rkey or tid(n)}"
        if record is None:
            stamp = iso_stamp(BASE_TIME + timedelta(seconds=n))
            record = {"$type": POST, "text": text, "createdAt": stamp, "langs": ["en"]}
            if parent is not None:
                record["reply"] = self.reply_refs(parent)
        view = {
            "uri": uri,
            "cid": cid(uri, text),
            "author": profile,
            "record": record,
            "replyCount": 0,
            "repostCount": 0,
            "likeCount": 0,
            "quoteCount": 0,
            "indexedAt": iso_stamp(BASE_TIME + timedelta(seconds=n, milliseconds=400)),
            "viewer": {},
            "labels": [],
        }
        self.views[uri] = view
        if parent in self.views:
            self.views[parent]["replyCount"] += 1
        return view

    def reply_refs(self, parent_uri: str) -> dict[str, Any]:
        """A reply record's ``{root, parent}`` strong references for answering ``parent_uri``."""
        parent = self.views[parent_uri]
        parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
        root = parent["record"].get("reply", {}).get("root", parent_ref)
        return {"root": dict(root), "parent": parent_ref}

    def ancestors(self, view: dict[str, Any]) -> list[dict[str, Any]]:
        """The views above ``view`` in its thread, nearest first."""
        chain: list[dict[str, Any]] = []
        parent = replied_uri(view)
        while parent is not None and parent in self.views:
            chain.append(self.views[parent])
            parent = replied_uri(self.views[parent])
        return chain

    def thread(self, uri: str, depth: int, height: int) -> dict[str, Any]:
        """getPostThread's ``thread`` for a post held here: ``height`` up, ``depth`` down."""
        node = self._node(uri, depth)
        parent_node, uri_above = node, replied_uri(self.views[uri])
        for _ in range(height):
            if uri_above is None:
                break
            if uri_above not in self.views:
                parent_node["parent"] = not_found(uri_above)
                break
            above = {"$type": _THREAD_VIEW, "post": copy.deepcopy(self.views[uri_above])}
            parent_node["parent"] = above
            parent_node, uri_above = above, replied_uri(self.views[uri_above])
        return node

    def _node(self, uri: str, depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {"$type": _THREAD_VIEW, "post": copy.deepcopy(self.views[uri])}
        if depth > 0:
            children = [v["uri"] for v in self.views.values() if replied_uri(v) == uri]
            # Newest first: the AppView ranks replies, it does not sort them by time.
            node["replies"] = [self._node(child, depth - 1) for child in reversed(children)]
        return node
