"""Which channel a department hears through: its ``[[departments]]`` table made into one.

:func:`build_handoff_channel` reads the department's ``handoff`` and the
secrets its table names from the environment, and returns a
:class:`~smm_tui.core.network.HandoffChannel`:
:class:`~smm_tui.adapters.handoff_webhook.WebhookChannel`,
:class:`~smm_tui.adapters.handoff_email.EmailChannel` or
:class:`~smm_tui.adapters.handoff_telegram.TelegramChannel`. A department
that cannot have one (a secret unset, its bot account missing) gets a
:class:`HandoffUnavailable` saying why, on one line.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from smm_tui.adapters.handoff_email import EmailChannel
from smm_tui.adapters.handoff_telegram import TelegramChannel
from smm_tui.adapters.handoff_webhook import WebhookChannel
from smm_tui.core.models import Platform
from smm_tui.core.network import HandoffChannel

if TYPE_CHECKING:
    from smm_tui.config.model import Config, DepartmentConfig

__all__ = ["HandoffUnavailable", "build_handoff_channel"]


class HandoffUnavailable(ValueError):
    """A department's handoff that cannot be built; the message is one line naming it."""


def build_handoff_channel(
    department: DepartmentConfig,
    config: Config,
    env: Mapping[str, str],
    *,
    client: httpx.AsyncClient | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> HandoffChannel:
    """The channel ``department`` hears through, its secrets read from ``env``.

    ``client`` is shared by the webhook and Telegram channels (the caller
    closes it; without one each delivery makes its own). ``ssl_context``
    checks the SMTP server's certificate on STARTTLS (default: the system's
    trusted authorities). Raises :class:`HandoffUnavailable`.
    """
    builder = _BUILDERS.get(department.handoff)
    if builder is None:
        raise _unavailable(department, f"handoff is {department.handoff!r}: nothing to deliver")
    return builder(_Parts(department, config, env, client, ssl_context))


@dataclass(frozen=True)
class _Parts:
    """What a builder reads: the department's table, the config, env and shared resources."""

    department: DepartmentConfig
    config: Config
    env: Mapping[str, str]
    client: httpx.AsyncClient | None
    ssl_context: ssl.SSLContext | None

    def secret(self, key: str, variable: str | None) -> str | None:
        """The value of ``variable`` (named by the table's ``key``); None when it names none."""
        if not variable:
            return None
        value = self.env.get(variable)
        if not value:
            raise _unavailable(self.department, f"{key} {variable} is not set")
        return value

    def needs(self, key: str, value: object) -> None:
        """Refuse a table that lacks ``key`` (its ``value`` empty)."""
        if not value:
            raise _unavailable(self.department, f"{self.department.handoff} handoff needs {key}")


def _webhook(parts: _Parts) -> HandoffChannel:
    department = parts.department
    parts.needs("url", department.url)
    assert department.url is not None
    try:
        url = httpx.URL(department.url)
    except httpx.InvalidURL:
        raise _unavailable(department, "url is not a valid URL") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise _unavailable(department, "url must be an http:// or https:// address")
    return WebhookChannel(
        department.name,
        department.url,
        secret=parts.secret("secret_env", department.secret_env),
        secret_env=department.secret_env,
        client=parts.client,
    )


def _email(parts: _Parts) -> HandoffChannel:
    department = parts.department
    parts.needs("smtp_host", department.smtp_host)
    parts.needs("sender", department.sender)
    parts.needs("to", department.to)
    if department.username and not department.password_env:
        raise _unavailable(department, "username needs password_env")
    assert department.smtp_host is not None and department.sender is not None
    return EmailChannel(
        department.name,
        host=department.smtp_host,
        port=department.smtp_port,
        sender=department.sender,
        to=department.to,
        starttls=department.starttls,
        username=department.username,
        password=parts.secret("password_env", department.password_env),
        password_env=department.password_env,
        ssl_context=parts.ssl_context,
    )


def _telegram(parts: _Parts) -> HandoffChannel:
    department = parts.department
    parts.needs("account", department.account)
    parts.needs("chat_id", department.chat_id)
    assert department.account is not None and department.chat_id is not None
    account = parts.config.account(department.account)
    if account is None:
        raise _unavailable(department, f"no account {department.account!r}")
    if account.platform is not Platform.TELEGRAM:
        raise _unavailable(department, f"account {account.name!r} is not a telegram account")
    token = account.token(parts.env)
    if not token:
        where = f"set {account.token_env}" if account.token_env else "give it a token_env"
        raise _unavailable(department, f"account {account.name!r} has no bot token: {where}")
    return TelegramChannel(
        department.name,
        token=token,
        chat_id=department.chat_id,
        token_env=account.token_env or "",
        base_url=account.base_url,
        client=parts.client,
    )


_BUILDERS: Mapping[str, Callable[[_Parts], HandoffChannel]] = {
    "webhook": _webhook,
    "email": _email,
    "telegram": _telegram,
}


def _unavailable(department: DepartmentConfig, reason: str) -> HandoffUnavailable:
    return HandoffUnavailable(f"department '{department.name}': {reason}")
