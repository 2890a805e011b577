"""A department's mailbox: each handoff as a plain-text email over SMTP.

Sent with the standard library's :mod:`smtplib` in a worker thread: connect,
STARTTLS when the department asks for it, log in when it names a user, send.
The Message-ID is ``<key@smm-tui>``, the same on every attempt, so a mail
client can tell a repeat. The subject holds customer text, so every line
break and control character in it becomes a space: it can never start a
header of its own.

A server's 4xx answer at any step means it kept nothing for now
(:class:`NotSent`), a 5xx that it never will (:class:`PermanentError`: a
refused sender or recipient among them), a refused login is an
:class:`AuthError`. A connection that fails or drops before the DATA command
left nothing behind (:class:`NotSent`); one that drops or times out after it
may have delivered (:class:`TransientError`).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import smtplib
import ssl
from collections.abc import Callable, Sequence
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from smm_tui.adapters.handoff_base import one_line
from smm_tui.core.models import utcnow
from smm_tui.core.network import (
    AdapterError,
    AuthError,
    HandoffMessage,
    NotSent,
    PermanentError,
    TransientError,
)

__all__ = ["SMTP_TIMEOUT", "EmailChannel", "message_id"]

logger = logging.getLogger(__name__)

#: How long one SMTP step (connect, a command, the data) may take (seconds).
SMTP_TIMEOUT = 20.0
_NOT_IN_MESSAGE_ID = re.compile(r"[^A-Za-z0-9._~+=-]")


def message_id(key: str) -> str:
    """The Message-ID of the handoff ``key``: ``<key@smm-tui>`` (odd characters as ``-``)."""
    return f"<{_NOT_IN_MESSAGE_ID.sub('-', key)}@smm-tui>"


class _Smtp(smtplib.SMTP):
    """An SMTP client that remembers whether the DATA command was sent."""

    data_began = False

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_began = True
        return super().data(msg)


class EmailChannel:
    """Mails each handoff to one department's addresses through its SMTP server."""

    kind = "email"

    def __init__(
        self,
        department: str,
        *,
        host: str,
        port: int,
        sender: str,
        to: Sequence[str],
        starttls: bool = True,
        username: str | None = None,
        password: str | None = None,
        password_env: str | None = None,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = SMTP_TIMEOUT,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """``password`` (read from ``password_env``, which auth errors name) logs ``username`` in.

        ``ssl_context`` checks the server's certificate on STARTTLS (default:
        the system's trusted authorities).
        """
        self.target = ", ".join(to)
        self._department = department
        self._host = host
        self._port = port
        self._sender = sender
        self._to = tuple(to)
        self._starttls = starttls
        self._username = username
        self._password = password
        self._password_env = password_env
        self._ssl_context = ssl_context
        self._timeout = timeout
        self._clock = clock

    def __repr__(self) -> str:
        return f"EmailChannel(department={self._department!r}, target={self.target!r})"

    @property
    def _who(self) -> str:
        return f"department '{self._department}': email to {self.target} via {self._host}"

    async def deliver(self, message: HandoffMessage) -> str:
        """Send ``message`` as an email; returns its Message-ID."""
        mail = self._compose(message)
        refused = await asyncio.to_thread(self._send, mail)
        receipt = str(mail["Message-ID"])
        if refused:
            # The others have it: sending again would repeat it to them.
            logger.warning("%s: handoff %s refused for %s", self._who, message.key, refused)
            return f"{receipt} (refused for {', '.join(refused)})"
        logger.info("%s: handoff %s delivered", self._who, message.key)
        return receipt

    def _compose(self, message: HandoffMessage) -> EmailMessage:
        mail = EmailMessage()
        try:
            mail["From"] = self._sender
            mail["To"] = ", ".join(self._to)
            mail["Subject"] = _header_text(message.subject)
            mail["Date"] = email.utils.format_datetime(self._clock())
            mail["Message-ID"] = message_id(message.key)
        except (ValueError, IndexError):  # an address the config let through malformed
            raise PermanentError(f"{self._who}: sender or recipient is not an address") from None
        mail.set_content(message.text, charset="utf-8")
        return mail

    def _send(self, mail: EmailMessage) -> list[str]:
        """One SMTP conversation (in a worker thread); the recipients refused, if some were."""
        try:
            smtp = _Smtp(self._host, self._port, timeout=self._timeout)
        except smtplib.SMTPResponseException as exc:
            raise NotSent(f"{self._who}: greeting refused ({self._said(exc)})") from None
        except OSError as exc:
            raise NotSent(f"{self._who}: not sent ({_transport_words(exc)})") from None
        try:
            refused = self._converse(smtp, mail)
        except OSError as exc:  # smtplib's errors are OSErrors too
            raise self._error(exc, smtp.data_began) from None
        finally:
            _hang_up(smtp)
        return sorted(refused)

    def _converse(self, smtp: smtplib.SMTP, mail: EmailMessage) -> dict[str, Any]:
        if self._starttls:
            smtp.starttls(context=self._ssl_context or ssl.create_default_context())
        if self._username:
            smtp.login(self._username, self._password or "")
        refused: dict[str, Any] = smtp.send_message(
            mail, from_addr=self._sender, to_addrs=list(self._to)
        )
        return refused

    def _error(self, exc: OSError, data_began: bool) -> AdapterError:
        """The typed error ``exc`` means, at the point the conversation reached."""
        who = self._who
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            fix = f"check {self._password_env}" if self._password_env else "check password_env"
            return AuthError(
                f"{who}: login as '{self._username}' refused (SMTP {exc.smtp_code}): {fix}"
            )
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            refusals = self._refusals(exc)
            if all(code < 500 for code, _ in exc.recipients.values()):  # "try later" (greylisting)
                return NotSent(f"{who}: recipients not taken for now: {refusals}")
            return PermanentError(f"{who}: recipients refused: {refusals}")
        if isinstance(exc, smtplib.SMTPSenderRefused) and exc.smtp_code >= 500:
            return PermanentError(f"{who}: sender {self._sender} refused ({self._said(exc)})")
        if isinstance(exc, ssl.SSLCertVerificationError):
            words = one_line(str(exc.verify_message or "not trusted"))
            return PermanentError(f"{who}: the server's TLS certificate is refused ({words})")
        if isinstance(exc, smtplib.SMTPResponseException):
            # An answer, even to the message itself, means the server did not take it.
            if exc.smtp_code < 500:
                return NotSent(f"{who}: not taken for now ({self._said(exc)})")
            return PermanentError(f"{who}: refused ({self._said(exc)})")
        if isinstance(exc, smtplib.SMTPException) and not isinstance(
            exc, smtplib.SMTPServerDisconnected
        ):  # no STARTTLS or AUTH on offer, and such
            return PermanentError(f"{who}: {one_line(str(exc), self._secrets)}")
        if data_began:
            return TransientError(f"{who}: {_transport_words(exc)} after sending began")
        return NotSent(f"{who}: not sent ({_transport_words(exc)})")

    @property
    def _secrets(self) -> tuple[str, ...]:
        return (self._password,) if self._password else ()

    def _said(self, exc: smtplib.SMTPResponseException) -> str:
        """What the server answered, on one line: ``SMTP 550: no such user``."""
        return f"SMTP {exc.smtp_code}: {self._words(exc.smtp_error)}"

    def _refusals(self, exc: smtplib.SMTPRecipientsRefused) -> str:
        parts = [
            f"{address} (SMTP {code}: {self._words(text)})"
            for address, (code, text) in exc.recipients.items()
        ]
        return "; ".join(parts)

    def _words(self, text: bytes | str) -> str:
        decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        return one_line(decoded, self._secrets)


def _header_text(text: str) -> str:
    """``text`` on one line: every line break and control character becomes a space."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(printable.split())


def _transport_words(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server hung up"
    if isinstance(exc, ssl.SSLError):
        return "TLS failed"
    return "connection failed"


def _hang_up(smtp: smtplib.SMTP) -> None:
    """Say QUIT if the server still listens; close the socket whatever it answers."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
