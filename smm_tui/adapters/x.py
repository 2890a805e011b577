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
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

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
from smm_tui.core.models import Author, Mention, Platform, from_iso, utcnow
from smm_tui.core.network import is_our_reply

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
#: A usage cap (monthly) with no reset time: try again after this long.
USAGE_CAP_WAIT = timedelta(hours=24)
TWEET_FIELDS = (
    "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang,entities,"
    "note_tweet"
)
USER_FIELDS = "username,name,public_metrics"
PERMALINK = "https://x.com/{username}/status/{id}"
# Twitter snowflakes: milliseconds since this epoch, shifted left by 22 bits.
_SNOWFLAKE_EPOCH_MS = 1288834974657
_USAGE_CAPPED = "https://api.twitter.com/2/problems/usage-capped"
# 403 problems that mean "this token cannot be used here", not "this action is refused".
_AUTH_PROBLEMS = (
    "https://api.twitter.com/2/problems/unsupported-authentication",
    "https://api.twitter.com/2/problems/client-forbidden",
)
_MENTIONS = "mentions"
_TWEETS = "tweets"
_SEARCH = "search"
_LOOKUP = "lookup"
_TIMELINE = "timeline"
_ME = "me"
# These all read posts, so one monthly post-read cap covers them all.
_POST_READS = (_MENTIONS, _SEARCH, _LOOKUP, _TIMELINE)
# Reset headers by family: (remaining, reset). A 429 waits for every family that is spent.
_LIMIT_FAMILIES = (
    ("x-rate-limit-remaining", "x-rate-limit-reset"),
    ("x-user-limit-24hour-remaining", "x-user-limit-24hour-reset"),
    ("x-app-limit-24hour-remaining", "x-app-limit-24hour-reset"),
)
_POST_ID = re.compile(r"[0-9]{1,20}")
_ESCAPED = re.compile(r"&(amp|lt|gt);")
_UNESCAPE = {"amp": "&", "lt": "<", "gt": ">"}
_NO_LANGUAGE = ("und", "zxx")
_MESSAGE_EXCERPT = 160


@dataclass(frozen=True, slots=True)
class _Page:
    """One page of posts as X sent it (newest first) and where the next one starts."""

    mentions: tuple[Mention, ...]
    newest_id: str | None
    next_token: str | None


class XAdapter(Adapter):
    """One X account, spoken to with an OAuth 2.0 user-context bearer token.

    Each endpoint's ``x-rate-limit-*`` values are kept in their own bucket;
    while a bucket is spent, calls to it raise :class:`RateLimited` without
    sending anything. X has no idempotency key, so :attr:`idempotent_replies`
    is False and :meth:`find_reply` looks for a reply that may already exist.
    """

    platform = Platform.X
    reply_limit = limits.REPLY_LIMITS[Platform.X]
    idempotent_replies = False

    def __init__(
        self,
        account: str,
        *,
        base_url: str | None = None,
        token: str,
        user_id: str = "",
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utcnow,
        deadline: float = http.DEFAULT_DEADLINE,
        token_hint: str = "",
    ) -> None:
        super().__init__(account)
        self._base = (base_url or API_BASE).rstrip("/")
        self._user_id = str(user_id).strip()
        self._ctx = http.CallContext(
            network="x",
            account=account,
            secrets=(token,),
            deadline=deadline,
            clock=clock,
            reset_parser=_reset_time,
            token_hint=token_hint,
        )
        self._auth = {"Authorization": f"Bearer {token}"}
        self._client = client if client is not None else http.make_client()
        self._owns_client = client is None
        self._clock = clock
        self._username = ""
        self._budgets = http.RateBudgets(self._ctx, main_bucket=_MENTIONS)

    def __repr__(self) -> str:
        return f"XAdapter(account={self.account!r}, base_url={self._base!r})"

    def rate_budget(self) -> RateBudget | None:
        """The mention timeline's budget, or any endpoint's budget that is spent now."""
        return self._budgets.summary()

    def budget(self, bucket: str) -> RateBudget | None:
        """The last known budget of one endpoint group.

        Buckets: ``mentions``, ``tweets`` (posting), ``search``, ``lookup``,
        ``timeline`` (the account's own posts) and ``me``.
        """
        return self._budgets.get(bucket)

    def reply_length(self, text: str) -> int:
        """The twitter-text weighted length of ``text``."""
        return limits.reply_length(self.platform, text)

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
            raise PermanentError(
                f"{self._ctx.who}: the token belongs to user {_one_line(user_id)}, not to the "
                "configured user_id: fix user_id or the token"
            )
        self._user_id = user_id
        self._username = username
        return Identity(user_id, "@" + username, str(user.get("name") or ""))

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Mentions newer than post id ``cursor``, oldest first, paging until caught up.

        Without a cursor, only the most recent page is fetched. The new cursor is
        the newest post id X reported (``meta.newest_id`` of the first page).
        """
        since = _valid_cursor(cursor, self._ctx.who)
        params = self._fields(max_results=PAGE_LIMIT)
        if since is not None:
            params["since_id"] = since
        path = f"/2/users/{await self._user()}/mentions"
        newest: str | None = None
        newest_first: list[Mention] = []
        limit = 1 if since is None else None
        async for page in self._pages(_MENTIONS, path, params, "pagination_token", limit):
            newest = newest or page.newest_id
            newest_first.extend(page.mentions)
        return MentionPage(tuple(reversed(_unique(newest_first))), newest or since)

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
            and _descends_from(item, mention.external_id, by_id)
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
        params = self._fields(max_results=PAGE_LIMIT)
        params["since_id"] = _post_id(mention.external_id, self._ctx.who)
        me = await self._user()
        path = f"/2/users/{me}/tweets"
        async with aclosing(self._pages(_TIMELINE, path, params, "pagination_token")) as pages:
            async for page in pages:
                for item in page.mentions:
                    if is_our_reply(item, mention, text, me):
                        return PublishedReply(item.external_id, item.url)
        return None

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish ``text`` as a reply to ``mention``.

        X has no idempotency key, so ``idempotency_key`` is unused.
        """
        target = _post_id(mention.external_id, self._ctx.who)
        body = {"text": text, "reply": {"in_reply_to_tweet_id": target}}
        response = await self._call(_TWEETS, "POST", "/2/tweets", json=body)
        created = http.decode_json(response, self._ctx)
        data = created.get("data") if isinstance(created, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str | int):
            raise self._malformed("POST /2/tweets")
        reply_id = str(data["id"])
        return PublishedReply(reply_id, _permalink(self._username, reply_id))

    async def aclose(self) -> None:
        """Close the client if this adapter made it."""
        if self._owns_client:
            await self._client.aclose()

    # -- requests -------------------------------------------------------------

    async def _call(self, bucket: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self._budgets.check(bucket)
        response = await self._send(method, self._base + path, headers=self._auth, **kwargs)
        self._budgets.note(
            bucket,
            remaining=http.header_int(response, "x-rate-limit-remaining"),
            limit=http.header_int(response, "x-rate-limit-limit"),
            reset_at=_reset_time(response),
        )
        try:
            self._raise_for_status(response)
        except RateLimited as exc:
            for spent in self._spent_buckets(bucket, response):
                self._budgets.exhaust(spent, exc.retry_at)
            raise
        return response

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Like :func:`http.send`, but hands back non-2xx answers: X explains them in the body."""
        return await http.exchange(
            self._client, self._ctx, method, url, where=self._where(method, url), **kwargs
        )

    def _raise_for_status(self, response: httpx.Response) -> None:
        """X's own reading of an error answer; what X does not explain goes to http's defaults."""
        code = response.status_code
        if 200 <= code < 300:
            return
        where = self._where(response.request.method, str(response.request.url))
        problem = _problem(response)
        if code == 429:
            raise self._rate_limited(response, problem)
        if code == 403 and problem and problem.get("type") not in _AUTH_PROBLEMS:
            # "Reply to this conversation is not allowed", "deleted or not visible": the
            # token is fine, the action is refused.
            raise PermanentError(
                f"{self._ctx.who}: {where} refused (HTTP 403){self._detail(problem)}"
            )
        if code in (401, 403):
            title = f", {problem['title']}" if isinstance(problem.get("title"), str) else ""
            raise http.auth_error(self._ctx, _one_line(f"HTTP {code}{title}"))
        if 400 <= code < 500 and problem:
            raise PermanentError(
                f"{self._ctx.who}: {where} refused (HTTP {code}){self._detail(problem)}"
            )
        http.raise_for_status(response, self._ctx, where)

    def _rate_limited(self, response: httpx.Response, problem: dict[str, Any]) -> RateLimited:
        now = self._clock()
        if problem.get("type") == _USAGE_CAPPED:
            reset = _reset_time(response)
            retry_at = reset if reset is not None and reset > now else now + USAGE_CAP_WAIT
            period = str(problem.get("period") or "monthly").lower()
            period = period if period.isalpha() else "monthly"
            return RateLimited(
                f"{self._ctx.who}: {period} usage cap reached; paused until {retry_at.isoformat()}",
                retry_at,
            )
        moment = http.parse_retry_after(response.headers.get("Retry-After"), now)
        moment = moment or _latest_spent_reset(response)
        retry_at = (
            moment if moment is not None and moment > now else now + http.DEFAULT_RATE_LIMIT_WAIT
        )
        return RateLimited(f"{self._ctx.who}: rate limited until {retry_at.isoformat()}", retry_at)

    def _spent_buckets(self, bucket: str, response: httpx.Response) -> tuple[str, ...]:
        if bucket in _POST_READS and _problem(response).get("type") == _USAGE_CAPPED:
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
        limit: int | None = None,
    ) -> AsyncGenerator[_Page, None]:
        """Up to ``limit`` pages of a newest-first listing, following ``meta.next_token``."""
        limit = MAX_PAGES if limit is None else limit
        query = dict(params)
        seen: set[str] = set()
        for _ in range(limit):
            page = self._page(await self._get_json(bucket, path, query), bucket)
            yield page
            token = page.next_token
            if token is None or token in seen:
                return
            seen.add(token)
            query[token_param] = token
        if limit == MAX_PAGES:
            logger.warning("%s: %s stopped after %d pages", self._ctx.who, bucket, MAX_PAGES)

    async def _conversation(self, root: str) -> list[Mention]:
        """Every post of the conversation ``root`` started, found by recent search, oldest first."""
        params = self._fields(max_results=PAGE_LIMIT)
        params["query"] = f"conversation_id:{_post_id(root, self._ctx.who)}"
        newest_first: list[Mention] = []
        async for page in self._pages(_SEARCH, "/2/tweets/search/recent", params, "next_token"):
            newest_first.extend(page.mentions)
        return list(reversed(_unique(newest_first)))

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
        params = self._fields()
        params["ids"] = _post_id(post_id, self._ctx.who)
        body = await self._get_json(_LOOKUP, "/2/tweets", params)
        if isinstance(body, dict) and "data" not in body and isinstance(body.get("errors"), list):
            return None  # X answers 200 with only "errors" for a post it cannot show
        page = self._page(body, _LOOKUP)
        return next((m for m in page.mentions if m.external_id == post_id), None)

    def _fields(self, max_results: int | None = None) -> dict[str, str]:
        params = {
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }
        if max_results is not None:
            params["max_results"] = str(max_results)
        return params

    async def _user(self) -> str:
        """The account's numeric user id, asked of X once when the config leaves it out."""
        if not self._user_id:
            await self.verify()
        if not _POST_ID.fullmatch(self._user_id):
            raise PermanentError(f"{self._ctx.who}: user_id must be the account's numeric X id")
        return self._user_id

    # -- conversion -----------------------------------------------------------

    def _page(self, body: Any, what: str) -> _Page:
        if not isinstance(body, dict):
            raise self._malformed(what)
        errors = body.get("errors")
        if "data" not in body and "meta" not in body and isinstance(errors, list) and errors:
            # A 200 with only errors: e.g. the user_id does not exist.
            raise PermanentError(f"{self._ctx.who}: {what} refused{self._detail(errors[0])}")
        tweets = _or_empty(body.get("data"), [])
        meta = _or_empty(body.get("meta"), {})
        includes = _or_empty(body.get("includes"), {})
        if not isinstance(tweets, list) or not isinstance(meta, dict):
            raise self._malformed(what)
        if not isinstance(includes, dict):
            raise self._malformed(what)
        users = _users_by_id(_or_empty(includes.get("users"), []))
        if users is None:
            raise self._malformed(what)
        mentions = tuple(self._mention(tweet, users) for tweet in tweets)
        newest = meta.get("newest_id")
        token = meta.get("next_token")
        return _Page(
            mentions,
            str(newest) if isinstance(newest, str | int) else _first_id(mentions),
            token if isinstance(token, str) and token else None,
        )

    def _mention(self, tweet: Any, users: Mapping[str, dict[str, Any]]) -> Mention:
        try:
            return self._convert(tweet, users)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
            raise self._malformed("post") from None

    def _convert(self, tweet: dict[str, Any], users: Mapping[str, dict[str, Any]]) -> Mention:
        tweet_id = str(tweet["id"])
        author_id = str(tweet.get("author_id") or "")
        user = users.get(author_id)
        if user is not None and author_id == self._user_id and not self._username:
            self._username = str(user.get("username") or "")
        author = _author(author_id, user)
        parent = _replied_to(tweet)
        conversation = tweet.get("conversation_id")
        return Mention(
            platform=Platform.X,
            account=self.account,
            external_id=tweet_id,
            author=author,
            text=plain_text(tweet),
            created_at=_created_at(tweet),
            url=_permalink(author.handle.removeprefix("@"), tweet_id),
            parent_external_id=parent,
            root_external_id=str(conversation) if conversation else (parent or tweet_id),
            language=_language(tweet.get("lang")),
        )

    def _detail(self, problem: Any) -> str:
        """``": <what X said>"`` on one line, secrets removed, or nothing."""
        if not isinstance(problem, dict):
            return ""
        errors = problem.get("errors")
        first = errors[0] if isinstance(errors, list) and errors else {}
        for text in (problem.get("detail"), problem.get("title"), _get(first, "message")):
            if isinstance(text, str) and text.strip():
                return ": " + _one_line(self._ctx.clean(text))
        return ""

    def _where(self, method: str, url: str) -> str:
        try:
            path = httpx.URL(url).path or "/"
        except httpx.InvalidURL:
            path = "?"
        return f"{method} {self._ctx.clean(path)}"

    def _malformed(self, what: str) -> TransientError:
        return TransientError(f"{self._ctx.who}: unexpected {what} shape")


def plain_text(tweet: Mapping[str, Any]) -> str:
    """A post's text as plain text: X's ``&amp; &lt; &gt;`` undone, t.co links expanded.

    A long post (``note_tweet``) is taken whole instead of its truncated ``text``.
    """
    note = tweet.get("note_tweet")
    source: Mapping[str, Any] = note if isinstance(note, dict) and "text" in note else tweet
    text = _ESCAPED.sub(lambda match: _UNESCAPE[match.group(1)], str(source.get("text") or ""))
    entities = source.get("entities")
    urls = entities.get("urls") if isinstance(entities, dict) else None
    for link in urls if isinstance(urls, list) else ():
        short, expanded = _get(link, "url"), _get(link, "expanded_url")
        if isinstance(short, str) and short and isinstance(expanded, str) and expanded:
            text = text.replace(short, expanded)
    return text


def snowflake_time(post_id: str) -> datetime:
    """When a post was created, read from its snowflake id (X ids are time-ordered numbers)."""
    if not _POST_ID.fullmatch(post_id):
        raise ValueError("not a snowflake id")
    millis = (int(post_id) >> 22) + _SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, UTC)


def _created_at(tweet: Mapping[str, Any]) -> datetime:
    value = tweet.get("created_at")
    if isinstance(value, str) and value:
        moment = from_iso(value)
        assert moment is not None
        return moment
    # Answers without tweet.fields (the recorded ones) have no created_at; the id has it.
    return snowflake_time(str(tweet["id"]))


def _author(author_id: str, user: Mapping[str, Any] | None) -> Author:
    if user is None:
        return Author(id=author_id, handle="")
    username = str(user.get("username") or "")
    metrics = user.get("public_metrics")
    followers = metrics.get("followers_count") if isinstance(metrics, dict) else None
    return Author(
        id=author_id,
        handle="@" + username if username else "",
        display_name=str(user.get("name") or ""),
        followers=followers if type(followers) is int else None,
    )


def _replied_to(tweet: Mapping[str, Any]) -> str | None:
    references = tweet.get("referenced_tweets") or []
    for reference in references:
        if reference["type"] == "replied_to":
            return str(reference["id"])
    return None


def _users_by_id(users: Any) -> dict[str, dict[str, Any]] | None:
    if not isinstance(users, list) or not all(isinstance(u, dict) and "id" in u for u in users):
        return None
    return {str(user["id"]): user for user in users}


def _language(lang: Any) -> str:
    if not isinstance(lang, str) or lang in _NO_LANGUAGE:
        return ""
    # X's own codes for posts without language (qme: media only, qht: hashtags, ...).
    return "" if len(lang) == 3 and lang.startswith("q") else lang


def _permalink(username: str, post_id: str) -> str:
    return PERMALINK.format(username=quote(username or "i/web", safe="/"), id=quote(post_id))


def _post_id(value: str, who: str) -> str:
    """``value`` if it is an X post id; it goes into URLs and search queries, so check it."""
    if not _POST_ID.fullmatch(value):
        raise PermanentError(f"{who}: not an X post id")
    return value


def _valid_cursor(cursor: str | None, who: str) -> str | None:
    if cursor is None or _POST_ID.fullmatch(cursor):
        return cursor
    # A cursor we did not write: start over from the latest page (ingest drops repeats).
    logger.warning("%s: ignoring a cursor that is not a post id", who)
    return None


def _first_id(mentions: tuple[Mention, ...]) -> str | None:
    return mentions[0].external_id if mentions else None


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen: set[str] = set()
    unique = []
    for mention in mentions:
        if mention.external_id not in seen:
            seen.add(mention.external_id)
            unique.append(mention)
    return unique


def _descends_from(item: Mention, ancestor_id: str, by_id: Mapping[str, Mention]) -> bool:
    parent = item.parent_external_id
    for _ in range(len(by_id) + 1):  # bounded: a cycle in hostile data must not hang
        if parent is None:
            return False
        if parent == ancestor_id:
            return True
        above = by_id.get(parent)
        parent = above.parent_external_id if above is not None else None
    return False


def _problem(response: httpx.Response) -> dict[str, Any]:
    """The Problem JSON (``type``, ``title``, ``detail``) of an error answer, or ``{}``."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def _reset_time(response: httpx.Response) -> datetime | None:
    """``x-rate-limit-reset`` (Unix epoch seconds) as an aware UTC time, or None."""
    return _epoch_header(response, "x-rate-limit-reset")


def _latest_spent_reset(response: httpx.Response) -> datetime | None:
    """When every spent limit (15-minute window, 24-hour user or app cap) has reset."""
    spent = [
        _epoch_header(response, reset)
        for remaining, reset in _LIMIT_FAMILIES
        if http.header_int(response, remaining) == 0
    ]
    times = [moment for moment in spent if moment is not None]
    return max(times) if times else _reset_time(response)


def _epoch_header(response: httpx.Response, name: str) -> datetime | None:
    value = http.header_int(response, name)
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _or_empty(value: Any, empty: Any) -> Any:
    """``value``, or ``empty`` when X left it out (None); a wrong type stays wrong, to be caught."""
    return empty if value is None else value


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _one_line(text: str) -> str:
    printable = "".join(char if char.isprintable() else " " for char in text)
    return " ".join(printable.split())[:_MESSAGE_EXCERPT]
