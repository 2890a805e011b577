"""Telegram's Bot API envelope: one method call in, its ``result`` or a typed error out.

Every method is ``<base>/bot<token>/<method>`` and answers ``{"ok": true,
"result": ...}`` or ``{"ok": false, "error_code", "description",
"parameters"?}``. The token is in the URL path, so every message goes through
the call context's redaction and names the method, never the URL. After a 429
the ``retry_after`` it names is honoured: until then, calls of the same kind
(reading or replying) raise :class:`RateLimited` without sending anything.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.base import (
    AdapterError,
    PermanentError,
    RateBudget,
    RateLimited,
    TransientError,
)
from smm_tui.adapters.client import malformed

__all__ = ["MENTIONS", "POLL_MARGIN", "REPLY", "BotApi"]

#: The rate bucket of reading updates (and getMe).
MENTIONS = "mentions"
#: The rate bucket of sending replies.
REPLY = "reply"
#: How much longer than the long-poll timeout a read may take before giving up (seconds).
POLL_MARGIN = 10
_EXCERPT = 200


class BotApi:
    """The Bot API methods of one bot: calls, their envelope, errors and rate budgets."""

    def __init__(self, client: httpx.AsyncClient, ctx: http.CallContext, methods: str) -> None:
        """``methods`` is the URL the method names are appended to (``<base>/bot<token>/``)."""
        self._client = client
        self._ctx = ctx
        self._methods = methods
        self._budgets = http.RateBudgets(ctx, main_bucket=MENTIONS)

    def rate_budget(self) -> RateBudget | None:
        """A spent budget while a 429's ``retry_after`` runs; Telegram reports nothing else."""
        return self._budgets.summary()

    async def call(self, method: str, payload: dict[str, Any], bucket: str, poll: int = 0) -> Any:
        """The ``result`` of ``method``; ``poll`` is the long-poll wait the server may hold."""
        self._budgets.check(bucket)
        try:
            response = await self._post(method, payload, poll)
            return self._result(response, method)
        except RateLimited as exc:
            self._budgets.exhaust(bucket, exc.retry_at)
            raise

    async def _post(self, method: str, payload: dict[str, Any], poll: int) -> httpx.Response:
        """One POST within the deadline; transport failures become typed errors.

        Not :func:`http.send`: statuses are read here, after Telegram's
        ``description``, and a 403 means the bot was blocked or kicked, not that
        the token was refused.
        """
        ctx = self._ctx
        kwargs: dict[str, Any] = {"json": payload}
        if poll > 0:
            ctx = replace(ctx, deadline=max(ctx.deadline, poll + POLL_MARGIN))
            kwargs["timeout"] = _longer_read(self._client.timeout, poll + POLL_MARGIN)
        return await http.exchange(
            self._client, ctx, "POST", self._methods + method, where=method, **kwargs
        )

    def _result(self, response: httpx.Response, method: str) -> Any:
        """The ``result`` of a Telegram answer, or the typed error it carries."""
        body = _json_or_none(response)
        if isinstance(body, dict) and body.get("ok") is False:
            raise self._api_error(body, response, method)
        if not response.is_success:
            http.raise_for_status(response, self._ctx, method)  # not Telegram's: a proxy's page
        if body is None:
            body = http.decode_json(response, self._ctx)  # raises: not JSON
        if not isinstance(body, dict) or body.get("ok") is not True or "result" not in body:
            raise malformed(self._ctx, f"{method} answer")
        return body["result"]

    def _api_error(
        self, body: dict[str, Any], response: httpx.Response, method: str
    ) -> AdapterError:
        code = body.get("error_code")
        if not isinstance(code, int) or isinstance(code, bool):
            code = response.status_code
        detail = self._describe(body.get("description"))
        parameters = body.get("parameters")
        parameters = parameters if isinstance(parameters, dict) else {}
        who = self._ctx.who
        if code == 429:
            return self._rate_limited(parameters.get("retry_after"), response, method)
        # 404 "Not Found" is how Telegram answers a malformed or unknown token.
        if code in (401, 404):
            return http.auth_error(self._ctx, f"error {code}: {detail}")
        if code == 409:
            return PermanentError(
                f"{who}: {method} refused (error 409): another client is polling this bot "
                f"or a webhook is set (deleteWebhook removes it): {detail}"
            )
        if code >= 500:
            return TransientError(f"{who}: {method} failed (error {code}): {detail}")
        migrated = parameters.get("migrate_to_chat_id")
        if isinstance(migrated, int):
            detail += f" (the group is now supergroup {migrated})"
        return PermanentError(f"{who}: {method} refused (error {code}): {detail}")

    def _rate_limited(self, retry_after: Any, response: httpx.Response, method: str) -> RateLimited:
        now = self._ctx.clock()
        if isinstance(retry_after, int) and not isinstance(retry_after, bool) and retry_after > 0:
            wait = min(retry_after, http.MAX_WAIT_SECONDS)
            retry_at: datetime | None = now + timedelta(seconds=wait)
        else:
            retry_at = http.parse_retry_after(response.headers.get("Retry-After"), now)
        if retry_at is None or retry_at <= now:
            retry_at = now + http.DEFAULT_RATE_LIMIT_WAIT
        return RateLimited(
            f"{self._ctx.who}: {method} rate limited until {retry_at.isoformat()}", retry_at
        )

    def _describe(self, description: Any) -> str:
        """Telegram's description on one line, redacted and cut short."""
        text = " ".join(self._ctx.clean(str(description or "")).split())
        return text[:_EXCERPT] or "no description"


def _longer_read(timeout: httpx.Timeout, read: float) -> httpx.Timeout:
    """``timeout`` with a read limit of at least ``read`` (a long poll holds the answer)."""
    longer = None if timeout.read is None else max(timeout.read, read)
    return httpx.Timeout(
        connect=timeout.connect, read=longer, write=timeout.write, pool=timeout.pool
    )


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
