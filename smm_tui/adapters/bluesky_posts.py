"""Bluesky: the brand's own posts, its follower count and its posts' counters.

A post is an ``app.bsky.feed.post`` record made with ``com.atproto.repo.createRecord``
under a record key (rkey) of our choosing: a TID derived from the delivery's key
(:func:`tid_for`). One key always names one record, so a repeat cannot publish
twice: a PDS will not create a record under a key that is taken, and
``com.atproto.repo.getRecord`` with that rkey tells whether an attempt whose
answer was lost went through. Followers come from ``app.bsky.actor.getProfile``;
likes, reposts and replies from ``app.bsky.feed.getPosts`` (Bluesky counts no views).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import httpx

from smm_tui.adapters import bluesky_records as records
from smm_tui.adapters import http
from smm_tui.adapters.base import (
    PostCounters,
    PublishedReply,
    count_or_none,
    id_batches,
    noted_counters,
)
from smm_tui.adapters.bluesky_xrpc import READ, WRITE, XrpcClient, before_sending, error_name
from smm_tui.adapters.client import malformed
from smm_tui.core import network
from smm_tui.core.network import is_our_post

__all__ = ["COUNTERS_BATCH", "NO_VIEWS", "BrandPosts", "tid_for"]

CREATE_RECORD = "com.atproto.repo.createRecord"
GET_RECORD = "com.atproto.repo.getRecord"
#: The most uris one ``app.bsky.feed.getPosts`` call takes.
COUNTERS_BATCH = 25
NO_VIEWS = "Bluesky does not count views"
_COUNTS = (("likeCount", "likes"), ("repostCount", "reposts"), ("replyCount", "replies"))

Facets = Callable[[str], Awaitable[list[dict[str, Any]]]]


def tid_for(key: str) -> str:
    """The record key of the post delivered with ``key``: a valid TID, the same for the same key.

    A TID is a 64-bit number whose top bit is 0 (:func:`~smm_tui.adapters.bluesky_records.tid`);
    here the number is taken from a hash of ``key``.
    """
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return records.tid(int.from_bytes(digest[:8], "big") >> 1)


class BrandPosts:
    """Publishing and the numbers of one Bluesky account, for :class:`BlueskyAdapter`.

    ``facets`` computes a text's facets as replies compute them (links, tags,
    and ``@handles`` resolved to DIDs); ``clock`` gives a record's ``createdAt``.
    """

    def __init__(self, xrpc: XrpcClient, facets: Facets, clock: Callable[[], datetime]) -> None:
        self._xrpc = xrpc
        self._facets = facets
        self._clock = clock

    async def publish(self, text: str, key: str) -> PublishedReply:
        """Create the post under ``key``'s record key; if it is already there, that post.

        The look-ups made before the create (session, handles for facets) fail
        as :class:`NotSent`: the post itself never left.
        """
        with before_sending("post"):
            session = await self._xrpc.session()
            facets = await self._facets(text)
        rkey = tid_for(key)
        record = records.post_record(text, facets, self._clock())
        body = {"repo": session.did, "collection": records.POST, "rkey": rkey, "record": record}
        response = await self._xrpc.authed("POST", CREATE_RECORD, WRITE, checked=False, json=body)
        if _may_be_taken(response):
            existing = await self._already_there(session.did, rkey, text)
            if existing is not None:
                return existing
        self._xrpc.check(response, CREATE_RECORD, WRITE)
        return self._published(self._xrpc.created_uri(response))

    async def find(self, text: str, key: str) -> PublishedReply | None:
        """The post under ``key``'s record key, if there is one and it reads as ``text``."""
        session = await self._xrpc.session()
        found = await self._record(session.did, tid_for(key))
        if found is None or not is_our_post(found[1], text):
            return None
        return self._published(found[0])

    async def followers(self) -> int:
        """``followersCount`` of the account's profile."""
        session = await self._xrpc.session()
        profile = await self._xrpc.get_json("app.bsky.actor.getProfile", {"actor": session.did})
        count = count_or_none(profile.get("followersCount")) if isinstance(profile, dict) else None
        if count is None:
            raise malformed(self._xrpc.ctx, "profile")
        return count

    async def counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """Likes, reposts and replies of posts by at-uri, :data:`COUNTERS_BATCH` a call.

        A uri the AppView does not return (deleted, or not an at-uri) is left out.
        """
        found: dict[str, PostCounters] = {}
        for batch in id_batches(external_ids, COUNTERS_BATCH, records.is_at_uri):
            params = [("uris", uri) for uri in batch]
            body = await self._xrpc.get_json("app.bsky.feed.getPosts", params)
            posts = body.get("posts") if isinstance(body, dict) else None
            if not isinstance(posts, list):
                raise malformed(self._xrpc.ctx, "posts")
            asked = set(batch)
            for post in posts:
                uri = post.get("uri") if isinstance(post, dict) else None
                if isinstance(uri, str) and uri in asked:
                    found[uri] = _counters_of(post)
        return found

    async def _already_there(self, did: str, rkey: str, text: str) -> PublishedReply | None:
        """The post under ``rkey`` if it holds ``text``; None when absent or unreadable now.

        Raises :class:`PermanentError` when the key holds another text: no
        repeat of this delivery can ever be created.
        """
        try:
            found = await self._record(did, rkey)
        except network.AdapterError:
            return None  # the create's own error says more than the look-up's
        if found is None:
            return None
        if not is_our_post(found[1], text):
            raise network.PermanentError(
                f"{self._xrpc.ctx.who}: post key {rkey} already holds another post"
            )
        return self._published(found[0])

    async def _record(self, did: str, rkey: str) -> tuple[str, str] | None:
        """The uri and text of our post record ``rkey``, or None when there is none."""
        params = {"repo": did, "collection": records.POST, "rkey": rkey}
        response = await self._xrpc.authed("GET", GET_RECORD, READ, checked=False, params=params)
        if response.status_code == 400 and error_name(response) == "RecordNotFound":
            return None
        self._xrpc.check(response, GET_RECORD, READ)
        body = http.decode_json(response, self._xrpc.ctx)
        uri = body.get("uri") if isinstance(body, dict) else None
        value = body.get("value") if isinstance(body, dict) else None
        text = value.get("text") if isinstance(value, dict) else None
        if not records.is_at_uri(uri) or not isinstance(text, str):
            raise malformed(self._xrpc.ctx, "record")
        return str(uri), text

    def _published(self, uri: str) -> PublishedReply:
        return PublishedReply(uri, records.post_url(self._xrpc.handle, uri))


def _may_be_taken(response: httpx.Response) -> bool:
    """Whether a failed create may mean its record key is taken.

    A PDS's repository refuses a key that is taken by throwing a plain error,
    which the reference PDS answers as HTTP 500; other servers say 400.
    """
    return response.status_code == 400 or response.status_code >= 500


def _counters_of(post: dict[str, Any]) -> PostCounters:
    return noted_counters(
        ((ours, ours, count_or_none(post.get(field))) for field, ours in _COUNTS),
        "the answer gave no {}",
        always=NO_VIEWS,
    )
