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
import functools
import json
import logging
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import quote, quote_plus

import httpx

from smm_tui.core.models import utcnow
from smm_tui.core.network import (
    AuthError,
    NotSent,
    PermanentError,
    RateBudget,
    RateLimited,
    TransientError,
)

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_TIMEOUT",
    "CallContext",
    "RateBudgets",
    "auth_error",
    "decode_json",
    "exchange",
    "header_int",
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
#: The longest wait a server may ask for; a larger number is taken as this.
MAX_WAIT_SECONDS = 7 * 24 * 3600
#: When a 429 carries no usable time at all, wait this long.
DEFAULT_RATE_LIMIT_WAIT = timedelta(seconds=60)
REDACTED = "***"
_MESSAGE_EXCERPT = 160

ResetParser = Callable[[httpx.Response], datetime | None]


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle costs 25-75 ms each time.

    Built as httpx builds its own, so ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` (a
    bank's inspecting proxy) are honoured.
    """
    return httpx.create_ssl_context(trust_env=True)


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
        verify=_tls_context(),
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
    carries no ``Retry-After``. ``token_hint`` says where the token comes from
    (the variable named by ``token_env``), so an auth failure can say what to fix.
    """

    network: str
    account: str
    # Out of repr: a crash report that prints locals must not print a token.
    secrets: tuple[str, ...] = field(default=(), repr=False)
    deadline: float = DEFAULT_DEADLINE
    clock: Callable[[], datetime] = utcnow
    reset_parser: ResetParser | None = field(default=None)
    token_hint: str = ""

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
    *,
    absent_ok: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request within ``ctx.deadline``; a non-2xx answer raises a typed error.

    Transport failures map as in :func:`exchange`; then :class:`AuthError` for
    401/403, :class:`RateLimited` for 429, :class:`TransientError` for 5xx and
    :class:`PermanentError` for the other 4xx. With ``absent_ok`` the API's own
    404 (the record is gone) is an answer, handed back; a proxy's 404 page is not.
    """
    response = await exchange(client, ctx, method, url, **kwargs)
    if absent_ok and response.status_code == 404 and not looks_like_html(response):
        return response
    where = f"{method} {_path_of(str(response.request.url), ctx)}"
    raise_for_status(response, ctx, where)
    return response


async def exchange(
    client: httpx.AsyncClient,
    ctx: CallContext,
    method: str,
    url: str,
    *,
    where: str | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request within ``ctx.deadline`` and return the answer, whatever its status.

    For networks that say more in an error body than its status does (Telegram's
    ``ok: false``, XRPC's ``ExpiredToken`` on a 400). Raises :class:`NotSent`
    when the request never left (connect phase or pool) and
    :class:`TransientError` for other transport failures and timeouts.
    ``where`` names the call in messages (default: method and path, redacted).
    """
    try:
        where = where or f"{method} {_path_of(url, ctx)}"
    except httpx.InvalidURL:
        raise PermanentError(f"{ctx.who}: {method}: invalid URL (check base_url)") from None
    try:
        async with asyncio.timeout(ctx.deadline):
            response = await client.request(method, url, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise NotSent(f"{ctx.who}: {where} not sent ({_in_words(exc)})") from None
    except (TimeoutError, httpx.TimeoutException):
        raise TransientError(f"{ctx.who}: {where} timed out after sending") from None
    except httpx.HTTPError as exc:
        raise TransientError(f"{ctx.who}: {where} failed ({_in_words(exc)})") from None
    except httpx.InvalidURL:
        raise PermanentError(f"{ctx.who}: {where}: invalid URL (check base_url)") from None
    logger.debug("%s: %s -> HTTP %d", ctx.who, where, response.status_code)
    return response


def raise_for_status(response: httpx.Response, ctx: CallContext, where: str) -> None:
    """Raise the typed error that a non-2xx ``response`` means; do nothing on 2xx."""
    code = response.status_code
    if 200 <= code < 300:
        return
    if code == 403 and looks_like_html(response):
        # A firewall's or CDN's block page, not the API refusing the token: pausing the
        # account for a token that is fine would hide the real problem for 15 minutes.
        raise TransientError(
            f"{ctx.who}: {where} answered HTTP 403 with a web page, not the network's API "
            "(a proxy or firewall in the way?)"
        )
    if code in (401, 403):
        raise auth_error(ctx, f"HTTP {code}")
    if code == 429:
        retry_at = _retry_at(response, ctx)
        raise RateLimited(f"{ctx.who}: rate limited until {retry_at.isoformat()}", retry_at)
    if code == 503 and "Retry-After" in response.headers:
        # Maintenance with a stated end: wait for it, as for a rate limit, not backing off blind.
        retry_at = _retry_at(response, ctx)
        raise RateLimited(
            f"{ctx.who}: {where} unavailable (HTTP 503) until {retry_at.isoformat()}", retry_at
        )
    if code >= 500:
        raise TransientError(f"{ctx.who}: {where} answered HTTP {code}")
    detail = _error_detail(response, ctx)
    raise PermanentError(f"{ctx.who}: {where} refused (HTTP {code}){detail}")


def auth_error(ctx: CallContext, detail: str) -> AuthError:
    """The error for refused credentials, saying in words what to fix.

    For example: ``vk account 'bank-vk': token refused or expired (error 5): set BANK_VK_TOKEN``.
    """
    fix = f"set {ctx.token_hint}" if ctx.token_hint else "check the account's token_env"
    return AuthError(f"{ctx.who}: token refused or expired ({ctx.clean(detail)}): {fix}")


class RateBudgets:
    """The request budgets a network reports, one per bucket (an endpoint or a group).

    Adapters :meth:`note` what each answer's rate-limit headers say and call
    :meth:`check` before sending, so nothing is sent to a bucket whose budget is
    spent until its reset time. :meth:`summary` is what the health strip shows.
    """

    def __init__(self, ctx: CallContext, main_bucket: str = "mentions") -> None:
        self._ctx = ctx
        self._main = main_bucket
        self._budgets: dict[str, RateBudget] = {}

    def check(self, bucket: str) -> None:
        """Raise :class:`RateLimited` if ``bucket``'s budget is spent and not yet reset."""
        budget = self._budgets.get(bucket)
        if budget is not None and budget.spent(self._ctx.clock()):
            assert budget.reset_at is not None
            raise RateLimited(
                f"{self._ctx.who}: rate budget spent until {budget.reset_at.isoformat()}",
                budget.reset_at,
            )

    def note(
        self,
        bucket: str,
        *,
        remaining: int | None,
        limit: int | None = None,
        reset_at: datetime | None = None,
    ) -> None:
        """Record what the network said of ``bucket``; unknown parts keep their last value."""
        old = self._budgets.get(bucket, RateBudget())
        self._budgets[bucket] = RateBudget(
            remaining if remaining is not None else old.remaining,
            limit if limit is not None else old.limit,
            reset_at if reset_at is not None else old.reset_at,
        )

    def note_response(
        self, bucket: str, response: httpx.Response, prefix: str, reset_at: datetime | None
    ) -> None:
        """Record ``{prefix}remaining`` and ``{prefix}limit`` headers and the reset time."""
        self.note(
            bucket,
            remaining=header_int(response, f"{prefix}remaining"),
            limit=header_int(response, f"{prefix}limit"),
            reset_at=reset_at,
        )

    def exhaust(self, bucket: str, until: datetime) -> None:
        """Mark ``bucket`` spent until ``until`` (after a 429 or an in-body limit error)."""
        self.note(bucket, remaining=0, reset_at=until)

    def get(self, bucket: str) -> RateBudget | None:
        """The last known budget of ``bucket``."""
        return self._budgets.get(bucket)

    def spent(self) -> RateBudget | None:
        """The spent budget that resets last, if any bucket is spent right now."""
        now = self._ctx.clock()
        spent = [b for b in self._budgets.values() if b.spent(now)]
        return max(spent, key=lambda b: b.reset_at or now) if spent else None

    def summary(self) -> RateBudget | None:
        """The main bucket's budget, or a spent one if any bucket is spent right now."""
        return self.spent() or self._budgets.get(self._main)


def header_int(response: httpx.Response, name: str) -> int | None:
    """An integer header's value, or None when missing or not a number."""
    value = response.headers.get(name, "").strip()
    # isdigit() alone accepts "²", which int() refuses.
    return int(value) if value.isascii() and value.isdigit() else None


def decode_json(response: httpx.Response, ctx: CallContext) -> Any:
    """The JSON body of ``response``; a truncated body or an HTML page is a TransientError."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        kind = "an HTML page" if looks_like_html(response) else "malformed JSON"
        where = f"{response.request.method} {_path_of(str(response.request.url), ctx)}"
        raise TransientError(f"{ctx.who}: {where} answered {kind}") from None


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """The time a ``Retry-After`` header (seconds or HTTP date) points at, or None."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return now + timedelta(seconds=min(int(value), MAX_WAIT_SECONDS))
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
    except (ValueError, UnicodeDecodeError, RecursionError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, str) or not error:
        return ""
    text = " ".join(ctx.clean(error).split())[:_MESSAGE_EXCERPT]
    return f": {text}"


#: What a transport failure means, in the words the health strip shows.
_TRANSPORT_WORDS: Final[Mapping[type[httpx.HTTPError], str]] = {
    httpx.ConnectError: "could not connect",
    httpx.ConnectTimeout: "connecting timed out",
    httpx.PoolTimeout: "no free connection",
    httpx.ReadError: "connection lost while reading the answer",
    httpx.WriteError: "connection lost while sending",
    httpx.RemoteProtocolError: "the server broke off its answer",
}


def _in_words(exc: httpx.HTTPError) -> str:
    return _TRANSPORT_WORDS.get(type(exc), type(exc).__name__)


def looks_like_html(response: httpx.Response) -> bool:
    """Whether an answer is a web page (a proxy's, a firewall's, a portal's), not the API's."""
    head = response.content[:200].lstrip().lower()
    content_type = response.headers.get("Content-Type", "")
    return "html" in content_type or head.startswith((b"<!doctype", b"<html"))


def _path_of(url: str, ctx: CallContext) -> str:
    """The path of ``url`` without scheme, host or query, secrets redacted."""
    path = httpx.URL(url).path or "/"
    return ctx.clean(path)
