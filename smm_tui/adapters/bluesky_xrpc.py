"""XRPC calls for one Bluesky account: the session, its renewal, error bodies, rate budgets.

The app password buys a session (``com.atproto.server.createSession``:
``accessJwt``, ``refreshJwt``, ``did``) that lives in memory only, since
createSession is limited to 30 calls in 5 minutes. When a call says the access
token expired (HTTP 400 ``ExpiredToken``, or a 401) the session is refreshed
with ``refreshSession`` and the call retried once; when the refresh is refused
a new session is created.

Rate limits come as ``ratelimit-limit/-remaining/-reset`` (reset in epoch
seconds) and ``ratelimit-policy`` (``3000;w=300``: the window in seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.base import PermanentError, RateLimited, TransientError
from smm_tui.adapters.bluesky_records import is_at_uri
from smm_tui.adapters.client import epoch_header, malformed
from smm_tui.core.network import NotSent

__all__ = [
    "READ",
    "SESSION",
    "WRITE",
    "Session",
    "XrpcClient",
    "before_sending",
    "error_name",
    "retry_time",
]

logger = logging.getLogger(__name__)

#: The rate buckets: reads, writes (new posts) and sessions.
READ, WRITE, SESSION = "read", "write", "session"
#: The error names that mean "this token is no good any more".
_EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})
_LOGIN_REFUSED = frozenset(
    {"AuthenticationRequired", "AccountTakedown", "AuthFactorTokenRequired", *_EXPIRED}
)
_EXCERPT = 160


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in session: who we are and its two JWTs."""

    did: str
    handle: str
    access: str
    refresh: str


class XrpcClient:
    """XRPC requests of one account: signs in when needed and renews an expired session.

    The session's JWTs are secrets like the password: :attr:`ctx` redacts the
    current ones and those of the session before, so that late echoes are
    redacted too. The last ``ratelimit-*`` values are kept per bucket in
    :attr:`budgets`; while one is spent, calls to it raise :class:`RateLimited`
    without sending.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        ctx: http.CallContext,
        *,
        base: str,
        handle: str,
        password: str,
        on_session: Callable[[Session], None],
    ) -> None:
        """``on_session`` hears of every session taken into use (the first and each renewal)."""
        self._client = client
        self.ctx = ctx
        self._base = base
        self._handle = handle
        self._password = password
        self._on_session = on_session
        self._session: Session | None = None
        self._session_lock = asyncio.Lock()
        self._jwts: tuple[str, ...] = ()
        self.budgets = http.RateBudgets(ctx, main_bucket=READ)

    @property
    def handle(self) -> str:
        """The account's handle: as the session says, else as configured."""
        return self._session.handle if self._session is not None else self._handle

    async def session(self) -> Session:
        """The current session, signing in first if there is none."""
        return self._session or await self._renew(None)

    async def authed(
        self, method: str, nsid: str, bucket: str, *, checked: bool = True, **kwargs: Any
    ) -> httpx.Response:
        """One call with the access token, renewing the session once if it expired.

        With ``checked=False`` an answer that is neither 2xx nor a refused token
        is returned as it is, for the caller to read first and :meth:`check` after.
        """
        session = await self.session()
        response = await self._send(method, nsid, bucket, bearer=session.access, **kwargs)
        if _is_refused(response, _EXPIRED):
            session = await self._renew(session)
            response = await self._send(method, nsid, bucket, bearer=session.access, **kwargs)
            if _is_refused(response, _EXPIRED):
                raise http.auth_error(self.ctx, _refusal(response, "new session refused"))
        if checked:
            self.check(response, nsid, bucket)
        return response

    def created_uri(self, response: httpx.Response) -> str:
        """The at-uri of the record a ``createRecord`` answer says was made."""
        created = http.decode_json(response, self.ctx)
        uri = created.get("uri") if isinstance(created, dict) else None
        if not is_at_uri(uri):
            raise malformed(self.ctx, "createRecord")
        return str(uri)

    async def get_json(self, nsid: str, params: Any) -> Any:
        """The decoded answer of one read."""
        response = await self.authed("GET", nsid, READ, params=params)
        try:
            return http.decode_json(response, self.ctx)
        except RecursionError:
            raise malformed(self.ctx, nsid) from None

    # -- session --------------------------------------------------------------

    async def _renew(self, stale: Session | None) -> Session:
        """A working session in place of ``stale``: refreshed if it can be, else a new one."""
        async with self._session_lock:
            if self._session is not None and self._session is not stale:
                return self._session  # another call renewed it meanwhile
            session = await self._refreshed(stale) if stale is not None else None
            if session is None:
                session = await self._created()
            self._adopt(session)
            return session

    async def _created(self) -> Session:
        body = {"identifier": self._handle, "password": self._password}
        response = await self._send("POST", "com.atproto.server.createSession", SESSION, json=body)
        if _is_refused(response, _LOGIN_REFUSED):
            raise http.auth_error(self.ctx, _refusal(response, "app password refused"))
        self.check(response, "com.atproto.server.createSession", SESSION)
        return self._session_from(response, "createSession")

    async def _refreshed(self, stale: Session) -> Session | None:
        """The refreshed session, or None when the refresh token is refused."""
        response = await self._send(
            "POST", "com.atproto.server.refreshSession", SESSION, bearer=stale.refresh
        )
        if _is_refused(response, _LOGIN_REFUSED):
            logger.info("%s: session refresh refused; signing in again", self.ctx.who)
            return None
        self.check(response, "com.atproto.server.refreshSession", SESSION)
        return self._session_from(response, "refreshSession")

    def _session_from(self, response: httpx.Response, what: str) -> Session:
        body = http.decode_json(response, self.ctx)
        if not isinstance(body, dict):
            raise malformed(self.ctx, what)
        fields = [body.get(key) for key in ("did", "handle", "accessJwt", "refreshJwt")]
        if not all(isinstance(value, str) and value for value in fields):
            raise malformed(self.ctx, what)
        did, handle, access, refresh = (str(value) for value in fields)
        return Session(did, handle, access, refresh)

    def _adopt(self, session: Session) -> None:
        self._session = session
        self._jwts = (session.access, session.refresh, *self._jwts[:2])
        self.ctx = dataclasses.replace(self.ctx, secrets=(self._password, *self._jwts))
        self._on_session(session)

    # -- requests -------------------------------------------------------------

    async def _send(
        self, method: str, nsid: str, bucket: str, *, bearer: str = "", **kwargs: Any
    ) -> httpx.Response:
        """One XRPC request, its rate-limit headers noted; the status is not checked yet."""
        self.budgets.check(bucket)
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        # Not http.send: XRPC says "access token expired" with a 400 and
        # {"error": "ExpiredToken"}, which must refresh the session, not fail.
        response = await http.exchange(
            self._client, self.ctx, method, f"{self._base}/xrpc/{nsid}", headers=headers, **kwargs
        )
        self.budgets.note_response(bucket, response, "ratelimit-", _reset_time(response))
        return response

    def check(self, response: httpx.Response, nsid: str, bucket: str) -> None:
        """Raise the typed error a non-2xx XRPC answer means."""
        if response.is_success:
            return
        where = f"{response.request.method} /xrpc/{nsid}"
        if response.status_code == 400:
            detail = _error_text(response, self.ctx)
            raise PermanentError(f"{self.ctx.who}: {where} refused (HTTP 400){detail}")
        try:
            http.raise_for_status(response, self.ctx, where)
        except RateLimited as exc:
            self.budgets.exhaust(bucket, exc.retry_at)
            raise


def retry_time(response: httpx.Response, clock: Callable[[], datetime]) -> datetime | None:
    """When a 429 may be retried: ``ratelimit-reset``, else one policy window from now."""
    reset = _reset_time(response)
    if reset is not None:
        return reset
    window = _policy_window(response.headers.get("ratelimit-policy", ""))
    return clock() + timedelta(seconds=window) if window else None


@contextlib.contextmanager
def before_sending(what: str) -> Iterator[None]:
    """Around the look-ups a write needs first (the session, references, handles): a
    transient failure there means ``what`` never left, so it is :class:`NotSent`."""
    try:
        yield
    except NotSent:
        raise
    except TransientError as exc:
        raise NotSent(f"{exc} ({what} not sent)") from None


def error_name(response: httpx.Response) -> str:
    """The ``error`` name of an XRPC error body (``RecordNotFound``), empty when absent."""
    return _xrpc_error(response)[0]


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
    return epoch_header(response, "ratelimit-reset")


def _policy_window(policy: str) -> int | None:
    """The window (``w=``, seconds) of the first policy in ``ratelimit-policy``."""
    match = re.search(r";\s*w=(\d{1,7})", policy)
    return int(match.group(1)) if match else None
