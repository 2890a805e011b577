"""A department's webhook: the handoff's JSON POSTed to its URL, signed when it has a secret.

The body is the payload as compact JSON with sorted keys. ``X-Smm-Delivery``
carries the handoff's key, the same on every attempt, so a receiver can drop
a repeat; ``X-Smm-Signature`` is ``sha256=`` and the hex HMAC-SHA256 of the
exact body bytes under the department's secret. Redirects are never
followed: a 3xx is refused, since a signed ticket must not go to a host the
config does not name. Errors name the host only: a webhook URL's path is
often a secret itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.handoff_base import HandoffContext, borrowed_client
from smm_tui.core.network import AuthError, HandoffMessage, PermanentError

__all__ = ["WebhookChannel", "webhook_body", "webhook_signature"]

logger = logging.getLogger(__name__)


def webhook_body(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes POSTed (and signed) for ``payload``."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode()


def webhook_signature(body: bytes, secret: str) -> str:
    """The ``X-Smm-Signature`` value of ``body``: ``sha256=<hex HMAC-SHA256>``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WebhookChannel:
    """POSTs each handoff to one department's URL."""

    kind = "webhook"

    def __init__(
        self,
        department: str,
        url: str,
        *,
        secret: str | None = None,
        secret_env: str | None = None,
        client: httpx.AsyncClient | None = None,
        deadline: float = http.DEFAULT_DEADLINE,
    ) -> None:
        """``secret`` signs the body (read from ``secret_env``, which auth errors name).

        ``client`` is shared and left open; without one, each delivery makes its own.
        """
        self.target = host_of(url)
        self._url = url
        self._secret = secret
        self._secret_env = secret_env
        self._client = client
        self._ctx = HandoffContext(
            network=f"webhook to {self.target}",
            account=department,
            secrets=(secret,) if secret else (),
            deadline=deadline,
        )

    def __repr__(self) -> str:
        return f"WebhookChannel(department={self._ctx.account!r}, target={self.target!r})"

    async def deliver(self, message: HandoffMessage) -> str:
        """POST ``message.payload``; returns ``"HTTP <status>"`` on a 2xx."""
        body = webhook_body(message.payload)
        headers = {"Content-Type": "application/json", "X-Smm-Delivery": message.key}
        if self._secret:
            headers["X-Smm-Signature"] = webhook_signature(body, self._secret)
        async with borrowed_client(self._client) as client:
            response = await http.exchange(
                client,
                self._ctx,
                "POST",
                self._url,
                where="handoff",
                content=body,
                headers=headers,
                follow_redirects=False,
            )
        self._check(response)
        logger.info("%s: handoff %s delivered", self._ctx.who, message.key)
        return f"HTTP {response.status_code}"

    def _check(self, response: httpx.Response) -> None:
        """Raise the typed error a non-2xx answer means."""
        code = response.status_code
        who = self._ctx.who
        if 300 <= code < 400:
            raise PermanentError(
                f"{who}: handoff redirected (HTTP {code}), not followed: "
                "set url to the address the receiver moved to"
            )
        # A 403 web page is a firewall's, not the receiver's: raise_for_status says so.
        if code == 401 or (code == 403 and not http.looks_like_html(response)):
            fix = f"check {self._secret_env}" if self._secret_env else "does it expect secret_env?"
            raise AuthError(f"{who}: handoff refused (HTTP {code}): {fix}")
        http.raise_for_status(response, self._ctx, "handoff")


def host_of(url: str) -> str:
    """The host (and a port, if any) of ``url``, for messages: no user, path or query."""
    parsed = httpx.URL(url)
    return f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host
