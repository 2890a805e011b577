"""build_handoff_channel: each kind built from its ``[[departments]]`` table, or why not."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import replace

import pytest

from smm_tui.adapters.handoff import HandoffUnavailable, build_handoff_channel
from smm_tui.config.model import AccountConfig, Config, DepartmentConfig
from smm_tui.core.models import Platform
from tests.adapters import handoff_kit as kit
from tests.adapters.handoff_kit import SmtpServer
from tests.adapters.httpserver import Reply, TestServer, running_server
from tests.fakes.harness import plain_client
from tests.fakes.telegram import FakeTelegram

CHAT = -1001777000444
ENV = {"HOOK_SECRET": kit.SECRET, "SMTP_PASS": kit.PASSWORD, "TG_TOKEN": "123:bot-token"}
WEBHOOK = DepartmentConfig(
    kit.DEPARTMENT, "webhook", url="https://hooks.bank.example/p", secret_env="HOOK_SECRET"
)
EMAIL = DepartmentConfig(
    kit.DEPARTMENT,
    "email",
    smtp_host="127.0.0.1",
    starttls=False,
    sender="smm@bank.example",
    to=("payments@bank.example",),
    username=kit.USER,
    password_env="SMTP_PASS",
)
TELEGRAM = DepartmentConfig(kit.DEPARTMENT, "telegram", account="bank-tg", chat_id=str(CHAT))
BOT = AccountConfig("bank-tg", Platform.TELEGRAM, token_env="TG_TOKEN")
CONFIG = Config(
    user="ops",
    accounts=(BOT, AccountConfig("bank-vk", Platform.VK, token_env="TG_TOKEN")),
)


@pytest.fixture
def smtp_login() -> Iterator[SmtpServer]:
    yield from kit.running_smtp(login=True)


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    for server in running_server():
        made = FakeTelegram(server)
        made.chats[CHAT] = []
        yield made


async def test_a_webhook_signs_with_the_secret_its_variable_holds(
    http_server: TestServer,
) -> None:
    http_server.route("POST", "/p", Reply(200))
    department = replace(WEBHOOK, url=http_server.url + "/p")
    async with plain_client() as client:
        channel = build_handoff_channel(department, CONFIG, ENV, client=client)
        assert await channel.deliver(kit.handoff()) == "HTTP 200"

    (request,) = http_server.requests_to("POST", "/p")
    digest = hmac.new(kit.SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-smm-signature"] == f"sha256={digest}"
    assert (channel.kind, channel.target) == ("webhook", http_server.url[7:])


async def test_email_logs_in_with_the_password_its_variable_holds(
    smtp_login: SmtpServer,
) -> None:
    department = replace(EMAIL, smtp_port=smtp_login.port)

    channel = build_handoff_channel(department, CONFIG, ENV)

    assert await channel.deliver(kit.handoff()) == f"<{kit.KEY}@smm-tui>"
    assert smtp_login.mailbox.received[0][0].rcpt_tos == ["payments@bank.example"]
    assert (channel.kind, channel.target) == ("email", "payments@bank.example")


async def test_telegram_posts_as_the_named_accounts_bot(telegram: FakeTelegram) -> None:
    bot = telegram.account("bank-tg")
    config = Config(user="ops", accounts=(bot,))

    channel = build_handoff_channel(TELEGRAM, config, telegram.env())

    assert (await channel.deliver(kit.handoff())).startswith("message ")
    assert [sent["text"] for sent in telegram.chats[CHAT]] == [kit.TEXT]


@pytest.mark.parametrize(
    ("department", "config", "reason"),
    [
        (replace(WEBHOOK, handoff="none"), CONFIG, "handoff is 'none': nothing to deliver"),
        (replace(WEBHOOK, handoff="pager"), CONFIG, "handoff is 'pager': nothing to deliver"),
        (replace(WEBHOOK, secret_env="UNSET"), CONFIG, "secret_env UNSET is not set"),
        (replace(WEBHOOK, secret_env="EMPTY"), CONFIG, "secret_env EMPTY is not set"),
        (replace(WEBHOOK, url=None), CONFIG, "webhook handoff needs url"),
        (
            replace(WEBHOOK, url="ftp://x.example/"),
            CONFIG,
            "url must be an http:// or https:// address",
        ),
        (replace(EMAIL, password_env="UNSET"), CONFIG, "password_env UNSET is not set"),
        (replace(EMAIL, password_env=None), CONFIG, "username needs password_env"),
        (replace(EMAIL, to=()), CONFIG, "email handoff needs to"),
        (replace(EMAIL, smtp_host=None), CONFIG, "email handoff needs smtp_host"),
        (replace(TELEGRAM, chat_id=None), CONFIG, "telegram handoff needs chat_id"),
        (replace(TELEGRAM, account="gone"), CONFIG, "no account 'gone'"),
        (
            replace(TELEGRAM, account="bank-vk"),
            CONFIG,
            "account 'bank-vk' is not a telegram account",
        ),
        (
            TELEGRAM,
            replace(CONFIG, accounts=(replace(BOT, token_env="UNSET"),)),
            "account 'bank-tg' has no bot token: set UNSET",
        ),
    ],
    ids=[
        "none",
        "unknown-kind",
        "secret-unset",
        "secret-empty",
        "no-url",
        "ftp-url",
        "password-unset",
        "user-without-password",
        "no-recipients",
        "no-host",
        "no-chat",
        "no-account",
        "not-telegram",
        "no-token",
    ],
)
def test_a_handoff_that_cannot_be_built_says_why_in_one_line(
    department: DepartmentConfig, config: Config, reason: str
) -> None:
    env = {**ENV, "EMPTY": ""}

    with pytest.raises(HandoffUnavailable) as caught:
        build_handoff_channel(department, config, env)

    assert str(caught.value) == f"department 'Payments': {reason}"
    assert isinstance(caught.value, ValueError)
