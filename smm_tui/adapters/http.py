"""Shared httpx plumbing for the network adapters.

Every adapter builds its client with :func:`make_client` (explicit connect, read,
write and pool timeouts) and sends through :func:`send`, which adds an overall
per-call deadline and turns every failure into one of the typed errors of
:mod:`smm_tui.core.network`. Messages never contain a token or a URL query:
everything shown goes through :func:`redact` first.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from smm_tui.core.models import utcnow
from smm_tui.core.network import (
    AuthError,
    NotSent,
    PermanentError,
    RateLimited,
    TransientError,
)

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_TIMEOUT",
    "CallContext",
    "decode_json",
    "make_client",
    "parse_retry_after",
    "redact",
    "send",
]

logger = logging.getLogger(__name__)

#: Per-operation limits (seconds): they bound each socket step, not the whole call.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=10.0, pool=5.0)
#: The longest one call may take in total, whatever the server drips.
DEFAULT_DEADLINE = 30.0
#: When a 429 carries no usable time at all, wait this long.
DEFAULT_RATE_LIMIT_WAIT = timedelta(seconds=60)
REDACTED = "***"
_MESSAGE_EXCERPT = 160

ResetParser = Callable[[httpx.Response], datetime | None]


def make_client(
    *,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
    max_connections: int = 4,
) -> httpx.AsyncClient:
    """A client of one's own for one adapter: explicit timeouts, small pool, no redirects."""
    return httpx.AsyncClient(
        timeout=timeout,
        transport=transport,
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=2),
        follow_redirects=False,
        headers={"User-Agent": "smm-tui"},
    )


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (raw or URL-encoded) replaced by ``***``."""
    for secret in secrets:
        if not secret:
            continue
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, REDACTED)
    return text


@dataclass(frozen=True, slots=True)
class CallContext:
    """Who is calling, for messages, and how: the account, its secrets, the deadline.

    ``reset_parser`` reads a network's own rate-limit reset header when a 429
    carries no ``Retry-After``.
    """

    network: str
    account: str
    secrets: tuple[str, ...] = ()
    deadline: float = DEFAULT_DEADLINE
    clock: Callable[[], datetime] = utcnow
    reset_parser: ResetParser | None = field(default=None)

    @property
    def who(self) -> str:
        """How messages name the account: ``mastodon account 'bank-mastodon'``."""
        return f"{self.network} account '{self.account}'"

    def clean(self, text: str) -> str:
        """``text`` without this account's secrets."""
        return redact(text, self.secrets)


async def send(
    client: httpx.AsyncClient,
    ctx: CallContext,
    method: str,
    url: str,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request within ``ctx.deadline``; a non-2xx answer raises a typed error.

    Raises :class:`NotSent` when the request never left (connect phase or pool),
    :class:`TransientError` for other transport failures, timeouts and 5xx,
    :class:`AuthError` for 401/403, :class:`RateLimited` for 429 and
    :class:`PermanentError` for the other 4xx.
    """
    where = f"{method} {_path_of(url, ctx)}"
    try:
        async with asyncio.timeout(ctx.deadline):
            response = await client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise NotSent(f"{ctx.who}: {where} not sent ({type(exc).__name__})") from None
    except (TimeoutError, httpx.TimeoutException):
        raise TransientError(f"{ctx.who}: {where} timed out after sending") from None
    except httpx.HTTPError as exc:
        raise TransientError(f"{ctx.who}: {where} failed ({type(exc).__name__})") from None
    except httpx.InvalidURL:
        raise PermanentError(f"{ctx.who}: {where}: invalid URL (check base_url)") from None
    logger.debug("%s: %s -> HTTP %d", ctx.who, where, response.status_code)
    raise_for_status(response, ctx, where)
    return response


def raise_for_status(response: httpx.Response, ctx: CallContext, where: str) -> None:
    """Raise the typed error that a non-2xx ``response`` means; do nothing on 2xx."""
    code = response.status_code
    if 200 <= code < 300:
        return
    if code in (401, 403):
        raise AuthError(
            f"{ctx.who}: token refused (HTTP {code}); check the variable named by token_env"
        )
    if code == 429:
        retry_at = _retry_at(response, ctx)
        raise RateLimited(f"{ctx.who}: rate limited until {retry_at.isoformat()}", retry_at)
    if code >= 500:
        raise TransientError(f"{ctx.who}: {where} answered HTTP {code}")
    detail = _error_detail(response, ctx)
    raise PermanentError(f"{ctx.who}: {where} refused (HTTP {code}){detail}")


def decode_json(response: httpx.Response, ctx: CallContext) -> Any:
    """The JSON body of ``response``; a truncated body or an HTML page is a TransientError."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        kind = "an HTML page" if _looks_like_html(response) else "malformed JSON"
        where = f"{response.request.method} {_path_of(str(response.request.url), ctx)}"
        raise TransientError(f"{ctx.who}: {where} answered {kind}") from None


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """The time a ``Retry-After`` header (seconds or HTTP date) points at, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return moment


def _retry_at(response: httpx.Response, ctx: CallContext) -> datetime:
    now = ctx.clock()
    moment = parse_retry_after(response.headers.get("Retry-After"), now)
    if moment is None and ctx.reset_parser is not None:
        moment = ctx.reset_parser(response)
    if moment is None or moment <= now:
        return now + DEFAULT_RATE_LIMIT_WAIT
    return moment


def _error_detail(response: httpx.Response, ctx: CallContext) -> str:
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, str) or not error:
        return ""
    text = " ".join(ctx.clean(error).split())[:_MESSAGE_EXCERPT]
    return f": {text}"


def _looks_like_html(response: httpx.Response) -> bool:
    head = response.content[:200].lstrip().lower()
    content_type = response.headers.get("Content-Type", "")
    return "html" in content_type or head.startswith((b"<!doctype", b"<html"))


def _path_of(url: str, ctx: CallContext) -> str:
    """The path of ``url`` without scheme, host or query, secrets redacted."""
    path = httpx.URL(url).path or "/"
    return ctx.clean(path)
