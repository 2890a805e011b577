"""Bluesky (AT Protocol): mentions from notifications, replies as post records.

Facts are in ``docs/platform-apis.md`` §5. The account's app password buys a
session (``com.atproto.server.createSession``: ``accessJwt``, ``refreshJwt``,
``did``) that lives in memory only, since createSession is limited to 30 calls
in 5 minutes. When a call says the access token expired (HTTP 400
``ExpiredToken``, or a 401) the session is refreshed with ``refreshSession`` and
the call retried once; when the refresh is refused a new session is created.

Mentions and replies come from ``app.bsky.notification.listNotifications``,
which pages backwards only (newest first). The cursor this adapter hands out is
the newest notification seen, ``"<indexedAt>|<uri>"``; a fetch pages back until
it meets that notification or one indexed before it. Replies are
``app.bsky.feed.post`` records made with ``com.atproto.repo.createRecord``; they
carry strong references (uri + cid) to the post answered and to its thread's
root, and facets for links, hashtags and @handles (UTF-8 byte offsets).

Every call goes to ``base_url`` (the account's PDS or the ``bsky.social``
entryway). The ``app.bsky.*`` reads are AppView endpoints that the PDS proxies.

Rate limits come as ``ratelimit-limit/-remaining/-reset`` (reset in epoch
seconds) and ``ratelimit-policy`` (``3000;w=300``: the window in seconds).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.base import (
    Adapter,
    Identity,
    MentionPage,
    PermanentError,
    PublishedReply,
    RateBudget,
    RateLimited,
    TransientError,
)
from smm_tui.core import limits
from smm_tui.core.models import Author, Mention, Platform, from_iso, to_iso, utcnow
from smm_tui.core.network import NotSent

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
_REF_CACHE = 5000
_POST = "app.bsky.feed.post"
_REASONS = ("mention", "reply")
_READ, _WRITE, _SESSION = "read", "write", "session"
#: The error names that mean "this token is no good any more".
_EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})
_LOGIN_REFUSED = frozenset(
    {"AuthenticationRequired", "AccountTakedown", "AuthFactorTokenRequired", *_EXPIRED}
)
#: Cursor of an inbox that held nothing: every notification after it is new.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EXCERPT = 160

_LINK = re.compile(r"(?:^|(?<=[\s(]))https?://\S+", re.IGNORECASE)
_LINK_TRAILING = ".,:;!?'\"»…"
_TAG = re.compile(r"(?:^|(?<=\s))[#＃]([^\s#＃]+)")
_HANDLE = re.compile(r"(?:^|(?<=[\s(]))@([A-Za-z0-9.-]+)")
_HANDLE_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
_MAX_TAG = 64


@dataclass(frozen=True, slots=True)
class _Session:
    did: str
    handle: str
    access: str
    refresh: str


@dataclass(frozen=True, slots=True)
class _Refs:
    """The strong references a reply to one post needs: ``{uri, cid}`` of it and its root."""

    parent: dict[str, str]
    root: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Mark:
    """A notification's place in the inbox: when it was indexed, and which it was."""

    indexed_at: datetime
    uri: str

    def encode(self) -> str:
        return f"{to_iso(self.indexed_at)}|{self.uri}"

    def reached_by(self, other: _Mark) -> bool:
        """Whether ``other`` (met paging back) is this notification or older than it."""
        return other.uri == self.uri or other.indexed_at < self.indexed_at


class BlueskyAdapter(Adapter):
    """One Bluesky account, signed in with its handle and an app password.

    The session's JWTs are secrets like the password: they are redacted from
    every message. The last ``ratelimit-*`` values are kept per bucket (reads,
    writes, sessions); while one is spent, calls to it raise
    :class:`RateLimited` without sending. Bluesky has no idempotency key, so a
    reply whose answer was lost is looked for in the thread (:meth:`find_reply`).
    """

    platform = Platform.BLUESKY
    reply_limit = limits.REPLY_LIMITS[Platform.BLUESKY]
    idempotent_replies = False

    def __init__(
        self,
        account: str,
        *,
        base_url: str | None = None,
        token: str,
        handle: str,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utcnow,
        deadline: float = http.DEFAULT_DEADLINE,
        token_hint: str = "",
    ) -> None:
        super().__init__(account)
        self._base = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self._handle = handle.strip().lstrip("@")
        self._password = token
        self._ctx = http.CallContext(
            network="bluesky",
            account=account,
            secrets=(token,),
            deadline=deadline,
            clock=clock,
            reset_parser=self._retry_time,
            token_hint=token_hint,
        )
        self._client = client if client is not None else http.make_client()
        self._owns_client = client is None
        self._clock = clock
        self._session: _Session | None = None
        self._session_lock = asyncio.Lock()
        # JWTs of this session and the one before, so that late echoes are redacted too.
        self._jwts: tuple[str, ...] = ()
        self._refs: dict[str, _Refs] = {}
        self._dids: dict[str, str] = {}
        self._budgets = http.RateBudgets(self._ctx, main_bucket=_READ)

    def __repr__(self) -> str:
        return (
            f"BlueskyAdapter(account={self.account!r}, handle={self._handle!r}, "
            f"base_url={self._base!r})"
        )

    def rate_budget(self) -> RateBudget | None:
        """The last ``ratelimit-*`` values for reads, or a spent budget of any kind."""
        return self._budgets.summary()

    def reply_length(self, text: str) -> int:
        """The length of ``text`` in graphemes, as Bluesky counts it."""
        return limits.reply_length(self.platform, text)

    async def verify(self) -> Identity:
        """Sign in and say who we are: the DID, ``@handle`` and display name."""
        session = await self._current_session()
        profile = await self._get_json("app.bsky.actor.getProfile", {"actor": session.did})
        if not isinstance(profile, dict):
            raise self._malformed("profile")
        return Identity(session.did, "@" + session.handle, str(profile.get("displayName") or ""))

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Mentions and replies newer than ``cursor``, oldest first, paging back to it.

        Without a cursor only the most recent page is fetched. The new cursor
        names the newest notification seen (``"<indexedAt>|<uri>"``).
        """
        mark = _parse_cursor(cursor) if cursor is not None else None
        if cursor is not None and mark is None:
            logger.warning("%s: ignoring a cursor this adapter did not write", self._ctx.who)
        fresh = await self._fresh_notifications(mark)
        mentions: list[Mention] = []
        seen: set[str] = set()
        for item in reversed(fresh):
            if item["reason"] not in _REASONS or item["uri"] in seen:
                continue
            seen.add(item["uri"])
            if _is_post(item.get("record")):
                mentions.append(self._post_mention(item))
        newest: str | None
        if fresh:
            newest = _mark_of(fresh[0]).encode()
        else:
            newest = cursor if mark is not None else _Mark(_EPOCH, "").encode()
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
        try:
            session = await self._current_session()
            refs = await self._reply_refs(mention.external_id)
            facets = await self._facets(text)
        except NotSent:
            raise
        except TransientError as exc:
            raise NotSent(f"{exc} (reply not sent)") from None
        record = self._record(text, refs, facets, mention.language)
        body = {"repo": session.did, "collection": _POST, "record": record}
        response = await self._authed("POST", "com.atproto.repo.createRecord", _WRITE, json=body)
        created = http.decode_json(response, self._ctx)
        if not isinstance(created, dict) or not _is_at_uri(created.get("uri")):
            raise self._malformed("createRecord")
        uri = str(created["uri"])
        return PublishedReply(uri, post_url(self._session_handle(), uri))

    async def aclose(self) -> None:
        """Close the client if this adapter made it."""
        if self._owns_client:
            await self._client.aclose()

    # -- session --------------------------------------------------------------

    async def _current_session(self) -> _Session:
        return self._session or await self._renew(None)

    async def _renew(self, stale: _Session | None) -> _Session:
        """A working session in place of ``stale``: refreshed if it can be, else a new one."""
        async with self._session_lock:
            if self._session is not None and self._session is not stale:
                return self._session  # another call renewed it meanwhile
            session = await self._refreshed(stale) if stale is not None else None
            if session is None:
                session = await self._created()
            self._adopt(session)
            return session

    async def _created(self) -> _Session:
        body = {"identifier": self._handle, "password": self._password}
        response = await self._send("POST", "com.atproto.server.createSession", _SESSION, json=body)
        if _is_refused(response, _LOGIN_REFUSED):
            raise http.auth_error(self._ctx, _refusal(response, "app password refused"))
        self._check(response, "com.atproto.server.createSession", _SESSION)
        return self._session_from(response, "createSession")

    async def _refreshed(self, stale: _Session) -> _Session | None:
        """The refreshed session, or None when the refresh token is refused."""
        response = await self._send(
            "POST", "com.atproto.server.refreshSession", _SESSION, bearer=stale.refresh
        )
        if _is_refused(response, _LOGIN_REFUSED):
            logger.info("%s: session refresh refused; signing in again", self._ctx.who)
            return None
        self._check(response, "com.atproto.server.refreshSession", _SESSION)
        return self._session_from(response, "refreshSession")

    def _session_from(self, response: httpx.Response, what: str) -> _Session:
        body = http.decode_json(response, self._ctx)
        if not isinstance(body, dict):
            raise self._malformed(what)
        fields = [body.get(key) for key in ("did", "handle", "accessJwt", "refreshJwt")]
        if not all(isinstance(value, str) and value for value in fields):
            raise self._malformed(what)
        did, handle, access, refresh = (str(value) for value in fields)
        return _Session(did, handle, access, refresh)

    def _adopt(self, session: _Session) -> None:
        self._session = session
        self._jwts = (session.access, session.refresh, *self._jwts[:2])
        self._ctx = dataclasses.replace(self._ctx, secrets=(self._password, *self._jwts))
        self._dids[session.handle.casefold()] = session.did

    def _session_handle(self) -> str:
        return self._session.handle if self._session is not None else self._handle

    # -- requests -------------------------------------------------------------

    async def _authed(self, method: str, nsid: str, bucket: str, **kwargs: Any) -> httpx.Response:
        """One call with the access token, renewing the session once if it expired."""
        session = await self._current_session()
        response = await self._send(method, nsid, bucket, bearer=session.access, **kwargs)
        if _is_refused(response, _EXPIRED):
            session = await self._renew(session)
            response = await self._send(method, nsid, bucket, bearer=session.access, **kwargs)
            if _is_refused(response, _EXPIRED):
                raise http.auth_error(self._ctx, _refusal(response, "new session refused"))
        self._check(response, nsid, bucket)
        return response

    async def _send(
        self, method: str, nsid: str, bucket: str, *, bearer: str = "", **kwargs: Any
    ) -> httpx.Response:
        """One XRPC request, its rate-limit headers noted; the status is not checked yet."""
        self._budgets.check(bucket)
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        # Not http.send: XRPC says "access token expired" with a 400 and
        # {"error": "ExpiredToken"}, which must refresh the session, not fail.
        response = await http.exchange(
            self._client, self._ctx, method, f"{self._base}/xrpc/{nsid}", headers=headers, **kwargs
        )
        self._budgets.note(
            bucket,
            remaining=http.header_int(response, "ratelimit-remaining"),
            limit=http.header_int(response, "ratelimit-limit"),
            reset_at=_reset_time(response),
        )
        return response

    def _check(self, response: httpx.Response, nsid: str, bucket: str) -> None:
        """Raise the typed error a non-2xx XRPC answer means."""
        if response.is_success:
            return
        where = f"{response.request.method} /xrpc/{nsid}"
        if response.status_code == 400:
            detail = _error_text(response, self._ctx)
            raise PermanentError(f"{self._ctx.who}: {where} refused (HTTP 400){detail}")
        try:
            http.raise_for_status(response, self._ctx, where)
        except RateLimited as exc:
            self._budgets.exhaust(bucket, exc.retry_at)
            raise

    async def _get_json(self, nsid: str, params: Any) -> Any:
        response = await self._authed("GET", nsid, _READ, params=params)
        try:
            return http.decode_json(response, self._ctx)
        except RecursionError:
            raise self._malformed(nsid) from None

    def _retry_time(self, response: httpx.Response) -> datetime | None:
        """When a 429 may be retried: ``ratelimit-reset``, else one policy window from now."""
        reset = _reset_time(response)
        if reset is not None:
            return reset
        window = _policy_window(response.headers.get("ratelimit-policy", ""))
        return self._clock() + timedelta(seconds=window) if window else None

    # -- notifications ----------------------------------------------------------

    async def _fresh_notifications(self, mark: _Mark | None) -> list[dict[str, Any]]:
        """Notifications newer than ``mark``, newest first (just the first page without one)."""
        fresh: list[dict[str, Any]] = []
        page_cursor: str | None = None
        asked: set[str] = set()
        for _ in range(MAX_PAGES):
            items, page_cursor = await self._notification_page(page_cursor)
            for item in items:
                if mark is not None and mark.reached_by(_mark_of(item)):
                    return fresh
                fresh.append(item)
            if mark is None or not items or page_cursor is None or page_cursor in asked:
                return fresh
            asked.add(page_cursor)
        logger.warning("%s: stopped after %d notification pages", self._ctx.who, MAX_PAGES)
        return fresh

    async def _notification_page(
        self, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        params = [("reasons", reason) for reason in _REASONS]
        params.append(("limit", str(PAGE_LIMIT)))
        if cursor is not None:
            params.append(("cursor", cursor))
        body = await self._get_json("app.bsky.notification.listNotifications", params)
        items = body.get("notifications") if isinstance(body, dict) else None
        if not isinstance(items, list) or not all(_is_notification(item) for item in items):
            raise self._malformed("notifications")
        next_cursor = body.get("cursor")
        return items, next_cursor if isinstance(next_cursor, str) and next_cursor else None

    # -- threads ----------------------------------------------------------------

    async def _thread(self, uri: str, depth: int, parent_height: int) -> dict[str, Any]:
        params = {"uri": uri, "depth": str(depth), "parentHeight": str(parent_height)}
        body = await self._get_json("app.bsky.feed.getPostThread", params)
        node = body.get("thread") if isinstance(body, dict) else None
        if not isinstance(node, dict):
            raise self._malformed("post thread")
        if not _is_thread_post(node):
            state = "blocked" if node.get("blocked") else "not found"
            raise PermanentError(f"{self._ctx.who}: post {state}: {self._ctx.clean(uri)}")
        return node

    def _ancestors(self, node: dict[str, Any]) -> list[Mention]:
        chain: list[Mention] = []
        parent: Any = node.get("parent")
        while _is_thread_post(parent) and len(chain) <= THREAD_PARENT_HEIGHT:
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
        children = [(self._post_mention(r["post"]), r) for r in replies if _is_thread_post(r)]
        children.sort(key=lambda pair: (pair[0].created_at, pair[0].external_id))
        for mention, child in children:
            yield mention
            yield from self._walk_replies(child, budget - 1)

    # -- replies ----------------------------------------------------------------

    async def _reply_refs(self, uri: str) -> _Refs:
        refs = self._refs.get(uri)
        if refs is not None:
            return refs
        body = await self._get_json("app.bsky.feed.getPosts", {"uris": uri})
        posts = body.get("posts") if isinstance(body, dict) else None
        if not isinstance(posts, list):
            raise self._malformed("posts")
        for post in posts:
            if isinstance(post, dict) and post.get("uri") == uri:
                try:
                    refs = _refs_of(post)
                except (KeyError, TypeError, ValueError, AttributeError):
                    raise self._malformed("post") from None
                self._remember(uri, refs)
                return refs
        raise PermanentError(f"{self._ctx.who}: post not found (deleted?): {self._ctx.clean(uri)}")

    async def _facets(self, text: str) -> list[dict[str, Any]]:
        handles = dict.fromkeys(m.group(1).rstrip(".").casefold() for m in _HANDLE.finditer(text))
        unknown = [h for h in handles if h not in self._dids and _is_handle(h)]
        for handle in unknown[:MAX_HANDLE_LOOKUPS]:
            await self._resolve(handle)
        return build_facets(text, self._dids)

    async def _resolve(self, handle: str) -> None:
        try:
            body = await self._get_json("com.atproto.identity.resolveHandle", {"handle": handle})
        except PermanentError:
            return  # not a Bluesky handle: it stays plain text
        did = body.get("did") if isinstance(body, dict) else None
        if isinstance(did, str) and did.startswith("did:"):
            self._dids[handle] = did

    def _record(
        self, text: str, refs: _Refs, facets: list[dict[str, Any]], language: str
    ) -> dict[str, Any]:
        record: dict[str, Any] = {"$type": _POST, "text": text}
        record["createdAt"] = _timestamp(self._clock())
        if _LANGUAGE.fullmatch(language):
            record["langs"] = [language]
        record["reply"] = {"root": dict(refs.root), "parent": dict(refs.parent)}
        if facets:
            record["facets"] = facets
        return record

    # -- conversion -------------------------------------------------------------

    def _post_mention(self, post: Any) -> Mention:
        """A notification or a ``postView`` (same fields: uri, cid, author, record, indexedAt)."""
        try:
            return self._convert(post)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise self._malformed("post") from None

    def _convert(self, post: dict[str, Any]) -> Mention:
        uri = str(post["uri"])
        if not _is_at_uri(uri):
            raise ValueError("not an at:// uri")
        record = post.get("record") or {}
        author = post["author"]
        handle = str(author.get("handle") or "")
        did = str(author["did"])
        if handle:
            self._dids[handle.casefold()] = did
        self._remember(uri, _refs_of(post))
        reply = _reply_of(record)
        parent, root = _uri_of(reply.get("parent")), _uri_of(reply.get("root"))
        langs = record.get("langs")
        return Mention(
            platform=Platform.BLUESKY,
            account=self.account,
            external_id=uri,
            author=Author(
                id=did,
                handle="@" + handle if handle else did,
                display_name=str(author.get("displayName") or ""),
                followers=_int_or_none(author.get("followersCount")),
            ),
            text=str(record.get("text") or ""),
            created_at=_created_at(record.get("createdAt"), str(post.get("indexedAt") or "")),
            url=post_url(handle or did, uri),
            parent_external_id=parent,
            root_external_id=root or uri,
            language=str(langs[0]) if isinstance(langs, list) and langs else "",
        )

    def _remember(self, uri: str, refs: _Refs) -> None:
        self._refs.pop(uri, None)
        self._refs[uri] = refs
        if len(self._refs) > _REF_CACHE:
            del self._refs[next(iter(self._refs))]

    def _malformed(self, what: str) -> TransientError:
        return TransientError(f"{self._ctx.who}: unexpected {what} shape")


# -- facets -----------------------------------------------------------------------


def build_facets(text: str, dids: dict[str, str]) -> list[dict[str, Any]]:
    """Link, tag and mention facets of ``text`` with UTF-8 byte offsets.

    ``dids`` maps case-folded handles to DIDs; an ``@handle`` not in it gets
    no facet (it stays plain text).
    """
    spans: list[tuple[int, int, dict[str, str]]] = []
    for match in _LINK.finditer(text):
        url = _trim_link(match.group())
        spans.append((match.start(), match.start() + len(url), _feature("link", uri=url)))
    for match in _TAG.finditer(text):
        tag = _trim_punctuation(match.group(1))
        if tag and not tag.isdigit() and len(tag) <= _MAX_TAG:
            spans.append((match.start(), match.start(1) + len(tag), _feature("tag", tag=tag)))
    for match in _HANDLE.finditer(text):
        handle = match.group(1).rstrip(".")
        did = dids.get(handle.casefold())
        if did is not None:
            end = match.start(1) + len(handle)
            spans.append((match.start(), end, _feature("mention", did=did)))
    return [_facet(text, start, end, feature) for start, end, feature in _disjoint(spans)]


def _feature(kind: str, **value: str) -> dict[str, str]:
    return {"$type": f"app.bsky.richtext.facet#{kind}", **value}


def _facet(text: str, start: int, end: int, feature: dict[str, str]) -> dict[str, Any]:
    byte_start = len(text[:start].encode("utf-8"))
    byte_end = byte_start + len(text[start:end].encode("utf-8"))
    return {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}


def _disjoint(
    spans: list[tuple[int, int, dict[str, str]]],
) -> list[tuple[int, int, dict[str, str]]]:
    kept: list[tuple[int, int, dict[str, str]]] = []
    for span in sorted(spans, key=lambda s: (s[0], -s[1])):
        if span[1] > span[0] and (not kept or span[0] >= kept[-1][1]):
            kept.append(span)
    return kept


def _trim_link(url: str) -> str:
    url = url.rstrip(_LINK_TRAILING)
    # A closing bracket belongs to the link only if the link opened one.
    while url.endswith(")") and url.count("(") < url.count(")"):
        url = url[:-1].rstrip(_LINK_TRAILING)
    return url


def _trim_punctuation(tag: str) -> str:
    while tag and unicodedata.category(tag[-1]).startswith("P"):
        tag = tag[:-1]
    return tag


def _is_handle(handle: str) -> bool:
    labels = handle.split(".")
    return (
        len(handle) <= 253
        and len(labels) >= 2
        and all(_HANDLE_LABEL.fullmatch(label) for label in labels)
        and labels[-1][:1].isalpha()
    )


# -- helpers ----------------------------------------------------------------------


def _xrpc_error(response: httpx.Response) -> tuple[str, str]:
    """The ``error`` name and ``message`` of an XRPC error body (empty when absent)."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    name, message = body.get("error"), body.get("message")
    return (name if isinstance(name, str) else ""), (message if isinstance(message, str) else "")


def _is_refused(response: httpx.Response, names: frozenset[str]) -> bool:
    """A 401, or a 400 whose error name is one of ``names``."""
    if response.status_code == 401:
        return True
    return response.status_code == 400 and _xrpc_error(response)[0] in names


def _refusal(response: httpx.Response, what: str) -> str:
    name = _xrpc_error(response)[0]
    name = name if re.fullmatch(r"[A-Za-z]{1,40}", name) else ""
    return f"{what}: HTTP {response.status_code}" + (f" {name}" if name else "")


def _error_text(response: httpx.Response, ctx: http.CallContext) -> str:
    """``": <error>: <message>"`` on one line, secrets removed before it is cut short."""
    name, message = _xrpc_error(response)
    text = " ".join(ctx.clean(f"{name}: {message}").strip(": ").split())[:_EXCERPT]
    return f": {text}" if text else ""


def _reset_time(response: httpx.Response) -> datetime | None:
    """``ratelimit-reset`` (epoch seconds) as an aware UTC time, or None."""
    value = http.header_int(response, "ratelimit-reset")
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _policy_window(policy: str) -> int | None:
    """The window (``w=``, seconds) of the first policy in ``ratelimit-policy``."""
    match = re.search(r";\s*w=(\d{1,7})", policy)
    return int(match.group(1)) if match else None


def _parse_cursor(cursor: str) -> _Mark | None:
    moment, _, uri = cursor.partition("|")
    try:
        parsed = from_iso(moment)
    except ValueError:
        return None
    return _Mark(parsed, uri) if parsed is not None else None


def _mark_of(notification: dict[str, Any]) -> _Mark:
    moment = from_iso(notification["indexedAt"])
    assert moment is not None  # _is_notification checked it
    return _Mark(moment, notification["uri"])


def _is_notification(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    fields = (item.get("uri"), item.get("reason"), item.get("indexedAt"))
    if not all(isinstance(value, str) for value in fields):
        return False
    try:
        return from_iso(item["indexedAt"]) is not None
    except ValueError:
        return False


def _is_post(record: Any) -> bool:
    return isinstance(record, dict) and record.get("$type", _POST) == _POST


def _is_thread_post(node: Any) -> bool:
    """A ``threadViewPost`` (not a ``notFoundPost`` or ``blockedPost``)."""
    return isinstance(node, dict) and isinstance(node.get("post"), dict)


def _is_at_uri(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("at://") and value.count("/") >= 4


def _refs_of(post: dict[str, Any]) -> _Refs:
    """What a reply to ``post`` must reference: the post, and its thread's root."""
    uri, cid = post["uri"], post["cid"]
    if not _is_at_uri(uri) or not isinstance(cid, str) or not cid:
        raise ValueError("no strong reference")
    own = {"uri": uri, "cid": cid}
    return _Refs(parent=own, root=_strong_ref(_reply_of(post.get("record")).get("root")) or own)


def _reply_of(record: Any) -> dict[str, Any]:
    """A post record's ``reply`` (``{root, parent}``), empty when it is not a reply."""
    reply = record.get("reply") if isinstance(record, dict) else None
    return reply if isinstance(reply, dict) else {}


def _uri_of(ref: Any) -> str | None:
    uri = ref.get("uri") if isinstance(ref, dict) else None
    return uri if _is_at_uri(uri) else None


def _strong_ref(value: Any) -> dict[str, str] | None:
    """A ``{uri, cid}`` strong reference, or None when absent or incomplete."""
    uri = _uri_of(value)
    cid = value.get("cid") if uri is not None else None
    return {"uri": str(uri), "cid": cid} if isinstance(cid, str) and cid else None


def _created_at(created: Any, indexed: str) -> datetime:
    """The post's own ``createdAt``; the server's ``indexedAt`` when that is unusable."""
    for value in (created, indexed):
        if isinstance(value, str):
            try:
                moment = from_iso(value)
            except ValueError:
                continue
            if moment is not None:
                return moment
    raise ValueError("no usable time")


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def post_url(profile: str, uri: str) -> str:
    """The bsky.app link of post ``uri`` (``at://<did>/app.bsky.feed.post/<rkey>``)."""
    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    actor = profile.lstrip("@")
    if not actor or actor == "handle.invalid":
        actor = uri.removeprefix("at://").split("/", 1)[0]
    return f"https://bsky.app/profile/{actor}/post/{rkey}"
