"""What the handoff channel tests share: a handoff, secrets to look for, a real SMTP server.

The SMTP server is aiosmtpd's, on 127.0.0.1 in a thread of its own: it
records each message it takes, refuses the recipients a test names, checks a
login when it has one, and offers STARTTLS when given a certificate.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from smm_tui.adapters.handoff_email import EmailChannel
from smm_tui.core.network import AdapterError, HandoffMessage
from tests.adapters.httpserver import unused_port

KEY = "handoff-7f3a-1"
SECRET = "whsec-CANARY-9b1e"
PASSWORD = "smtp-CANARY-pa55"
USER = "ops"
DEPARTMENT = "Payments"
SUBJECT = "T-42 · Payments: «Карта заблокирована»"
TEXT = "Клиент @anna_k (vk): карта заблокирована после оплаты.\nhttps://vk.com/wall-1_2?reply=3"
PAYLOAD: dict[str, Any] = {
    "ticket": "T-42",
    "department": DEPARTMENT,
    "text": "Карта заблокирована",
    "customer": {"network": "vk", "handle": "@anna_k"},
}


def handoff(key: str = KEY, *, subject: str = SUBJECT, text: str = TEXT) -> HandoffMessage:
    """A ticket handed to Payments, with Russian customer text."""
    return HandoffMessage(key, "T-42", DEPARTMENT, subject, text, PAYLOAD)


def assert_clean(error: AdapterError, *secrets: str) -> str:
    """``error``'s message, checked: one line, naming the department, holding no secret."""
    words = str(error)
    assert "\n" not in words and "\r" not in words
    assert f"department '{DEPARTMENT}'" in words
    for secret in secrets:
        assert secret not in words
    return words


@dataclass
class Mailbox:
    """aiosmtpd's handler: takes messages, refuses some recipients, remembers what it saw."""

    refused: set[str] = field(default_factory=set)
    #: Hang up instead of answering the message's data.
    hang_up: bool = False
    #: Each message taken: its envelope and whether it came over TLS.
    received: list[tuple[Envelope, bool]] = field(default_factory=list)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 <" + address + ">: no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.hang_up:
            assert isinstance(server.transport, asyncio.Transport)
            server.transport.abort()
            return "250 never heard"
        self.received.append((envelope, session.ssl is not None))
        return "250 2.0.0 queued"


@dataclass
class SmtpServer:
    """A running aiosmtpd server and what it took."""

    port: int
    mailbox: Mailbox

    def channel(self, **overrides: Any) -> EmailChannel:
        """An email channel to this server: no TLS, no login, two recipients, unless told."""
        settings: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "sender": "smm@bank.example",
            "to": ("payments@bank.example", "lead@bank.example"),
            "starttls": False,
            "timeout": 5.0,
        }
        return EmailChannel(DEPARTMENT, **{**settings, **overrides})


def running_smtp(*, login: bool = False, certificate: Path | None = None) -> Iterator[SmtpServer]:
    """Generator for a fixture: an SMTP server, with a login and STARTTLS when asked."""
    mailbox = Mailbox()
    port = unused_port()
    options: dict[str, Any] = {"server_hostname": "smtp.test", "auth_require_tls": False}
    if login:
        options["authenticator"] = _check_login
    if certificate is not None:
        options["tls_context"] = _server_tls(certificate)
        options["require_starttls"] = True
    with warnings.catch_warnings():  # a login without TLS: on purpose, on 127.0.0.1
        warnings.simplefilter("ignore")
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
    try:
        yield SmtpServer(port, mailbox)
    finally:
        controller.stop()


def _check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


def _server_tls(certificate: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate, certificate.with_suffix(".key"))
    return context


def self_signed_certificate(folder: Path) -> Path:
    """A certificate for 127.0.0.1 made with the ``openssl`` command (its key beside it).

    Skips the test when there is no ``openssl``.
    """
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    certificate, key = folder / "smtp.pem", folder / "smtp.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(certificate),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return certificate
