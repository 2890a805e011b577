"""VK API calls for one community token: methods, their in-body errors, long-poll checks.

Every method is a POST to ``/method/<name>`` with ``v`` in the form body and
the token in an ``Authorization: Bearer`` header, so the token never appears
in a URL. VK answers errors inside HTTP 200 as ``{"error": {"error_code",
"error_msg"}}``; :class:`VKApi` turns them into the typed errors they mean and
keeps the rate buckets they spend.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.base import AdapterError, PermanentError, RateLimited, TransientError
from smm_tui.adapters.client import malformed

__all__ = ["API_VERSION", "MENTIONS", "PUBLISH", "REPLY", "LongPollServer", "Refused", "VKApi"]

API_VERSION = "5.199"
#: The rate bucket of every read (and of the long-poll checks).
MENTIONS = "mentions"
#: The rate bucket of ``wall.createComment``.
REPLY = "reply"
#: The rate bucket of ``wall.post``.
PUBLISH = "publish"
#: The buckets of writes, which VK's flood control (error 9) holds back together.
WRITES = frozenset({REPLY, PUBLISH})
#: VK asks for ``multipart/form-data`` when a request carries more than 2 KB.
MULTIPART_ABOVE = 2048
#: Error 6 (too many requests per second): the window is a second.
PER_SECOND_WAIT = timedelta(seconds=1)
#: Error 9 (flood control): VK says no more; a minute is the usual advice.
FLOOD_WAIT = timedelta(seconds=60)
#: Error 29 (a method's quota): quotas are per day and VK does not say when they
#: refill, so we try again hourly rather than lose a whole day.
QUOTA_WAIT = timedelta(hours=1)
_MESSAGE_EXCERPT = 160


class Refused(PermanentError):
    """VK refused a call with an error that means nothing more to the adapter; ``code`` is VK's.

    Callers that can do something about a particular refusal (error 27, "method
    is unavailable with group auth", asks for a user token) look at ``code``.
    """

    def __init__(self, message: str, code: object) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class LongPollServer:
    """A Bots Long Poll session: the server to ask and its secret key."""

    server: str
    key: str


class VKApi:
    """The calls of one community token, sharing its client, call context and rate buckets.

    Reads are one bucket (:data:`MENTIONS`), ``wall.createComment`` another
    (:data:`REPLY`) and ``wall.post`` a third (:data:`PUBLISH`): error 6 (per
    second) spends all of them for a second, error 9 (flood control) spends the
    bucket of the call and both write buckets for a minute and error 29 (a
    method's daily quota) spends the bucket of the call for an hour. While a
    bucket is spent, calls raise :class:`RateLimited` without sending anything.
    """

    def __init__(
        self, client: httpx.AsyncClient, ctx: http.CallContext, base: str, token: str
    ) -> None:
        self._client = client
        self._ctx = ctx
        self._base = base
        self._auth = {"Authorization": f"Bearer {token}"}
        self.budgets = http.RateBudgets(ctx, main_bucket=MENTIONS)

    def with_token(self, token: str, *, token_hint: str) -> VKApi:
        """The same server and client with another token (whose auth errors name ``token_hint``),
        keeping rate buckets of its own: VK counts each token's requests apart."""
        ctx = dataclasses.replace(self._ctx, token_hint=token_hint)
        return VKApi(self._client, ctx, self._base, token)

    async def call(self, name: str, params: Mapping[str, object], bucket: str) -> Any:
        """Call one API method; an error in the body becomes the typed error it means."""
        self.budgets.check(bucket)
        form = {key: str(value) for key, value in params.items()}
        form["v"] = API_VERSION
        try:
            response = await http.send(
                self._client,
                self._ctx,
                "POST",
                f"{self._base}/method/{name}",
                headers=self._auth,
                **_body(form),
            )
        except RateLimited as exc:
            self.budgets.exhaust(bucket, exc.retry_at)
            raise
        body = http.decode_json(response, self._ctx)
        if not isinstance(body, dict):
            raise malformed(self._ctx, name)
        if "error" in body:
            raise self._api_error(name, bucket, body["error"])
        if "response" not in body:
            raise malformed(self._ctx, name)
        return body["response"]

    def listing(self, body: Any, method: str, total_key: str) -> tuple[list[Any], int]:
        """``items`` and the total to page up to (``total_key``, else ``count``)."""
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise malformed(self._ctx, method)
        total = body.get(total_key, body.get("count"))
        if isinstance(total, bool) or not isinstance(total, int):
            raise malformed(self._ctx, method)
        return body["items"], total

    async def long_poll_server(self, group: int) -> tuple[LongPollServer, str]:
        """Start a long-poll session: the server and its key, and the server's current ``ts``."""
        body = await self.call("groups.getLongPollServer", {"group_id": group}, MENTIONS)
        try:
            server, key, ts = str(body["server"]), str(body["key"]), body["ts"]
            if not server or not key or isinstance(ts, bool) or not isinstance(ts, int | str):
                raise ValueError("session")
        except (KeyError, TypeError, ValueError):
            raise malformed(self._ctx, "groups.getLongPollServer") from None
        if "://" not in server:
            server = "https://" + server
        return LongPollServer(server, key), str(ts)

    async def check(self, session: LongPollServer, ts: str, wait: int) -> dict[str, Any]:
        """One ``a_check``: the server URL came from VK; it gets the key, never the token."""
        self.budgets.check(MENTIONS)
        ctx = dataclasses.replace(
            self._ctx,
            secrets=(*self._ctx.secrets, session.key),
            deadline=self._ctx.deadline + wait,
        )
        base = self._client.timeout
        timeout = httpx.Timeout(
            connect=base.connect,
            read=None if base.read is None else base.read + wait,
            write=base.write,
            pool=base.pool,
        )
        params = {"act": "a_check", "key": session.key, "ts": ts, "wait": str(wait)}
        try:
            response = await http.send(
                self._client, ctx, "GET", session.server, params=params, timeout=timeout
            )
        except RateLimited as exc:
            self.budgets.exhaust(MENTIONS, exc.retry_at)
            raise
        body = http.decode_json(response, ctx)
        if not isinstance(body, dict):
            raise malformed(self._ctx, "long poll")
        return body

    def _api_error(self, method: str, bucket: str, error: Any) -> AdapterError:
        if not isinstance(error, dict):
            return malformed(self._ctx, f"{method} error")
        code = error.get("error_code")
        text = " ".join(self._ctx.clean(str(error.get("error_msg") or "")).split())
        shown = " ".join(self._ctx.clean(str(code)).split())[:20]  # a hostile code, too
        detail = f"error {shown}: {text[:_MESSAGE_EXCERPT]}" if text else f"error {shown}"
        if code == 5:
            return http.auth_error(self._ctx, "error 5")
        if code in (6, 9, 29):
            return self._rate_limited(method, bucket, code, detail)
        if code in (1, 10):
            return TransientError(f"{self._ctx.who}: {method} failed at VK ({detail})")
        return Refused(f"{self._ctx.who}: {method} refused ({detail})", code)

    def _rate_limited(self, method: str, bucket: str, code: int, detail: str) -> RateLimited:
        now = self._ctx.clock()
        if code == 6:
            until = now + PER_SECOND_WAIT
            spent = {MENTIONS, *WRITES}
        elif code == 9:
            until = now + FLOOD_WAIT
            spent = {bucket, *WRITES}
        else:
            until = now + QUOTA_WAIT
            spent = {bucket}
        for name in spent:
            self.budgets.exhaust(name, until)
        message = f"{self._ctx.who}: {method} rate limited ({detail}) until {until.isoformat()}"
        return RateLimited(message, until)


def _body(form: dict[str, str]) -> dict[str, Any]:
    """The request body: a form, or ``multipart/form-data`` above 2 KB as VK asks."""
    if len(urlencode(form)) <= MULTIPART_ABOVE:
        return {"data": form}
    return {"files": [(key, (None, value)) for key, value in form.items()]}
