"""Reading X posts: plain text, authors, replies, languages, times, permalinks and ids.

Pure functions over the API v2 ``data`` and ``includes.users`` objects, used
by :class:`~smm_tui.adapters.x.XAdapter` to turn posts into mentions, check
post ids and follow reply chains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from smm_tui.adapters.client import malformed
from smm_tui.adapters.http import CallContext
from smm_tui.adapters.x_errors import problem_detail
from smm_tui.core.models import Author, Mention, from_iso
from smm_tui.core.network import PermanentError

__all__ = [
    "PERMALINK",
    "POST_ID",
    "Page",
    "author_of",
    "checked_post_id",
    "created_at",
    "descends_from",
    "edit_chain",
    "first_id",
    "language_of",
    "missing_ids",
    "or_empty",
    "page_of",
    "permalink",
    "plain_text",
    "post_fields",
    "replied_to",
    "snowflake_time",
    "unique",
    "users_by_id",
]

PERMALINK = "https://x.com/{username}/status/{id}"
#: What an X post (or user) id looks like: it goes into URLs and queries only if it matches.
POST_ID = re.compile(r"[0-9]{1,20}")
# Twitter snowflakes: milliseconds since this epoch, shifted left by 22 bits.
_SNOWFLAKE_EPOCH_MS = 1288834974657
_ESCAPED = re.compile(r"&(amp|lt|gt);")
_UNESCAPE = {"amp": "&", "lt": "<", "gt": ">"}
_NO_LANGUAGE = ("und", "zxx")
#: What every read of posts asks X to include.
TWEET_FIELDS = (
    "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang,entities,"
    "note_tweet"
)
USER_FIELDS = "username,name,public_metrics"

#: How a page's post becomes a mention: ``(post, includes.users by id) -> Mention``.
Converter = Callable[[Any, Mapping[str, dict[str, Any]]], Mention]


@dataclass(frozen=True, slots=True)
class Page:
    """One page of posts as X sent it (newest first) and where the next one starts."""

    mentions: tuple[Mention, ...]
    newest_id: str | None
    next_token: str | None


def page_of(body: Any, what: str, ctx: CallContext, convert: Converter) -> Page:
    """A listing's ``data``, ``includes.users`` and ``meta`` read into a :class:`Page`.

    A 200 that holds only ``errors`` (the user_id does not exist, say) is a
    :class:`PermanentError`; any other unforeseen shape is a malformed ``what``.
    """
    if not isinstance(body, dict):
        raise malformed(ctx, what)
    errors = body.get("errors")
    if "data" not in body and "meta" not in body and isinstance(errors, list) and errors:
        raise PermanentError(f"{ctx.who}: {what} refused{problem_detail(errors[0], ctx)}")
    tweets = or_empty(body.get("data"), [])
    meta = or_empty(body.get("meta"), {})
    includes = or_empty(body.get("includes"), {})
    if not isinstance(tweets, list) or not isinstance(meta, dict) or not isinstance(includes, dict):
        raise malformed(ctx, what)
    users = users_by_id(or_empty(includes.get("users"), []))
    if users is None:
        raise malformed(ctx, what)
    mentions = tuple(convert(tweet, users) for tweet in tweets)
    newest = meta.get("newest_id")
    token = meta.get("next_token")
    return Page(
        mentions,
        str(newest) if isinstance(newest, str | int) else first_id(mentions),
        token if isinstance(token, str) and token else None,
    )


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


def edit_chain(tweet: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids of every version of a post, oldest first (``edit_history_tweet_ids``).

    The post's own id is always among them; the last is the newest version's.
    """
    own = str(tweet["id"])
    history = tweet.get("edit_history_tweet_ids")
    chain = [str(i) for i in history if type(i) in (str, int)] if isinstance(history, list) else []
    return tuple(chain) if own in chain else (*chain, own)


def missing_ids(errors: Any) -> set[str]:
    """The post ids a lookup's ``errors[]`` says X cannot find (deleted, or never were).

    Other errors (a protected or suspended author's post) say nothing of a deletion.
    """
    missing: set[str] = set()
    for error in errors if isinstance(errors, list) else ():
        if not isinstance(error, dict) or error.get("resource_type", "tweet") != "tweet":
            continue
        kind = error.get("type")
        if not (isinstance(kind, str) and kind.endswith("resource-not-found")) and (
            error.get("title") != "Not Found Error"
        ):
            continue
        for key in ("resource_id", "value"):
            value = error.get(key)
            if type(value) in (str, int):
                missing.add(str(value))
    return missing


def snowflake_time(post_id: str) -> datetime:
    """When a post was created, read from its snowflake id (X ids are time-ordered numbers)."""
    if not POST_ID.fullmatch(post_id):
        raise ValueError("not a snowflake id")
    millis = (int(post_id) >> 22) + _SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(millis / 1000, UTC)


def created_at(tweet: Mapping[str, Any]) -> datetime:
    """When a post was created: its ``created_at``, else its snowflake id."""
    value = tweet.get("created_at")
    if isinstance(value, str) and value:
        moment = from_iso(value)
        assert moment is not None
        return moment
    # Answers without tweet.fields (the recorded ones) have no created_at; the id has it.
    return snowflake_time(str(tweet["id"]))


def author_of(author_id: str, user: Mapping[str, Any] | None) -> Author:
    """The author ``author_id``, named from its ``includes.users`` entry when there is one."""
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


def replied_to(tweet: Mapping[str, Any]) -> str | None:
    """The id of the post ``tweet`` answers, if it is a reply."""
    references = tweet.get("referenced_tweets") or []
    for reference in references:
        if reference["type"] == "replied_to":
            return str(reference["id"])
    return None


def users_by_id(users: Any) -> dict[str, dict[str, Any]] | None:
    """``includes.users`` by id; None when it is not a list of users."""
    if not isinstance(users, list) or not all(isinstance(u, dict) and "id" in u for u in users):
        return None
    return {str(user["id"]): user for user in users}


def language_of(lang: Any) -> str:
    """A post's ``lang`` as a language code; empty when X says it has none."""
    if not isinstance(lang, str) or lang in _NO_LANGUAGE:
        return ""
    # X's own codes for posts without language (qme: media only, qht: hashtags, ...).
    return "" if len(lang) == 3 and lang.startswith("q") else lang


def permalink(username: str, post_id: str) -> str:
    """The x.com link of a post (``i/web`` stands in for an unknown username)."""
    return PERMALINK.format(username=quote(username or "i/web", safe="/"), id=quote(post_id))


def post_fields(max_results: int | None = None) -> dict[str, str]:
    """The query parameters that make X include what :func:`plain_text` and the rest read."""
    params = {
        "tweet.fields": TWEET_FIELDS,
        "expansions": "author_id",
        "user.fields": USER_FIELDS,
    }
    if max_results is not None:
        params["max_results"] = str(max_results)
    return params


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def checked_post_id(value: str, who: str) -> str:
    """``value`` if it is an X post id; it goes into URLs and search queries, so check it."""
    if not POST_ID.fullmatch(value):
        raise PermanentError(f"{who}: not an X post id")
    return value


def first_id(mentions: tuple[Mention, ...]) -> str | None:
    """The id of the first (the newest) of a page's posts."""
    return mentions[0].external_id if mentions else None


def unique(mentions: list[Mention]) -> list[Mention]:
    """``mentions`` in their order, each post once."""
    seen: set[str] = set()
    kept = []
    for mention in mentions:
        if mention.external_id not in seen:
            seen.add(mention.external_id)
            kept.append(mention)
    return kept


def descends_from(item: Mention, ancestor_id: str, by_id: Mapping[str, Mention]) -> bool:
    """Whether ``item`` answers ``ancestor_id``, directly or further down, in ``by_id``."""
    parent = item.parent_external_id
    for _ in range(len(by_id) + 1):  # bounded: a cycle in hostile data must not hang
        if parent is None:
            return False
        if parent == ancestor_id:
            return True
        above = by_id.get(parent)
        parent = above.parent_external_id if above is not None else None
    return False


def or_empty(value: Any, empty: Any) -> Any:
    """``value``, or ``empty`` when X left it out (None); a wrong type stays wrong, to be caught."""
    return empty if value is None else value
