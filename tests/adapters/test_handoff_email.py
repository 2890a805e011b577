"""EmailChannel against a real SMTP server on 127.0.0.1 (aiosmtpd): headers, login, TLS, errors."""

from __future__ import annotations

import email
import email.policy
import email.utils
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from smm_tui.core.network import AuthError, NotSent, PermanentError, TransientError
from tests.adapters import handoff_kit as kit
from tests.adapters.handoff_kit import SmtpServer
from tests.adapters.httpserver import unused_port

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from kit.running_smtp()


@pytest.fixture
def smtp_login() -> Iterator[SmtpServer]:
    yield from kit.running_smtp(login=True)


def received(server: SmtpServer, index: int = 0) -> EmailMessage:
    envelope, _tls = server.mailbox.received[index]
    assert isinstance(envelope.content, bytes)
    parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


async def test_a_handoff_arrives_with_its_headers_and_plain_utf8_body(
    smtp_login: SmtpServer,
) -> None:
    channel = smtp_login.channel(
        username=kit.USER, password=kit.PASSWORD, password_env="SMTP_PASS", clock=lambda: NOW
    )

    receipt = await channel.deliver(kit.handoff())

    assert receipt == f"<{kit.KEY}@smm-tui>"
    envelope, tls = smtp_login.mailbox.received[0]
    assert (envelope.mail_from, envelope.rcpt_tos, tls) == (
        "smm@bank.example",
        ["payments@bank.example", "lead@bank.example"],
        False,
    )
    mail = received(smtp_login)
    assert mail["From"] == "smm@bank.example"
    assert mail["To"] == "payments@bank.example, lead@bank.example"
    assert mail["Subject"] == kit.SUBJECT
    assert mail["Message-ID"] == receipt
    assert email.utils.parsedate_to_datetime(mail["Date"]) == NOW
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content_charset() == "utf-8"
    assert mail.get_content() == kit.TEXT + "\n"
    assert channel.kind == "email"
    assert channel.target == "payments@bank.example, lead@bank.example"


async def test_a_line_break_in_the_subject_cannot_add_a_header(smtp: SmtpServer) -> None:
    hostile = "A\r\nBcc: t@evil.example\nX-Injected: 1\u2028Reply-To: r@evil.example\x00"

    await smtp.channel().deliver(kit.handoff(subject=hostile))

    envelope, _tls = smtp.mailbox.received[0]
    assert envelope.rcpt_tos == ["payments@bank.example", "lead@bank.example"]
    mail = received(smtp)
    assert mail["Bcc"] is None and mail["X-Injected"] is None and mail["Reply-To"] is None
    assert mail["Subject"] == "A Bcc: t@evil.example X-Injected: 1 Reply-To: r@evil.example"


async def test_the_same_key_gives_the_same_message_id(smtp: SmtpServer) -> None:
    channel = smtp.channel()
    first = await channel.deliver(kit.handoff())
    again = await channel.deliver(kit.handoff())

    assert first == again == received(smtp, 1)["Message-ID"]


async def test_a_wrong_password_is_an_auth_error_naming_the_variable(
    smtp_login: SmtpServer,
) -> None:
    channel = smtp_login.channel(
        username=kit.USER, password="not-" + kit.PASSWORD, password_env="SMTP_PASS"
    )

    with pytest.raises(AuthError) as caught:
        await channel.deliver(kit.handoff())

    words = kit.assert_clean(caught.value, kit.PASSWORD, "not-" + kit.PASSWORD)
    assert "login as 'ops' refused (SMTP 535)" in words
    assert words.endswith("check SMTP_PASS")
    assert smtp_login.mailbox.received == []


async def test_a_refused_recipient_is_permanent_and_named(smtp: SmtpServer) -> None:
    smtp.mailbox.refused = {"payments@bank.example", "lead@bank.example"}

    with pytest.raises(PermanentError) as caught:
        await smtp.channel().deliver(kit.handoff())

    words = kit.assert_clean(caught.value)
    assert "recipients refused: payments@bank.example (SMTP 550: 5.1.1 <payments" in words
    assert "; lead@bank.example (SMTP 550: 5.1.1 <lead@bank.example>: no such user here)" in words
    assert "email to payments@bank.example, lead@bank.example via 127.0.0.1" in words
    assert smtp.mailbox.received == []


async def test_one_refused_recipient_of_two_still_delivers_and_says_so(
    smtp: SmtpServer,
) -> None:
    smtp.mailbox.refused = {"lead@bank.example"}

    receipt = await smtp.channel().deliver(kit.handoff())

    assert receipt == f"<{kit.KEY}@smm-tui> (refused for lead@bank.example)"
    assert smtp.mailbox.received[0][0].rcpt_tos == ["payments@bank.example"]


async def test_nothing_listening_is_not_sent() -> None:
    server = SmtpServer(unused_port(), kit.Mailbox())

    with pytest.raises(NotSent) as caught:
        await server.channel().deliver(kit.handoff())

    assert "not sent (connection refused)" in kit.assert_clean(caught.value)


async def test_a_hang_up_after_the_data_may_have_delivered(smtp: SmtpServer) -> None:
    smtp.mailbox.hang_up = True

    with pytest.raises(TransientError) as caught:
        await smtp.channel().deliver(kit.handoff())

    assert not isinstance(caught.value, NotSent)
    assert "after sending began" in kit.assert_clean(caught.value)


async def test_asking_for_starttls_from_a_server_without_it_is_permanent(
    smtp: SmtpServer,
) -> None:
    with pytest.raises(PermanentError) as caught:
        await smtp.channel(starttls=True).deliver(kit.handoff())

    assert "STARTTLS" in kit.assert_clean(caught.value)
    assert smtp.mailbox.received == []


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return kit.self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_tls(certificate: Path) -> Iterator[SmtpServer]:
    yield from kit.running_smtp(login=True, certificate=certificate)


async def test_starttls_then_login_delivers_over_tls(
    smtp_tls: SmtpServer, certificate: Path
) -> None:
    trusting = ssl.create_default_context(cafile=str(certificate))
    channel = smtp_tls.channel(
        starttls=True, username=kit.USER, password=kit.PASSWORD, ssl_context=trusting
    )

    await channel.deliver(kit.handoff())

    _envelope, tls = smtp_tls.mailbox.received[0]
    assert tls
    assert received(smtp_tls)["Subject"] == kit.SUBJECT


async def test_an_untrusted_certificate_is_refused_before_the_password_goes(
    smtp_tls: SmtpServer,
) -> None:
    channel = smtp_tls.channel(starttls=True, username=kit.USER, password=kit.PASSWORD)

    with pytest.raises(PermanentError) as caught:
        await channel.deliver(kit.handoff())

    words = kit.assert_clean(caught.value, kit.PASSWORD)
    assert "TLS certificate is refused" in words
    assert smtp_tls.mailbox.received == []
