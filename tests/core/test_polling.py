"""The ingestion engine: pacing, backoff, rate limits, auth pauses and the circuit breaker."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from smm_tui.core import health as view
from smm_tui.core.models import Mention, Platform
from smm_tui.core.network import (
    AuthError,
    Identity,
    MentionPage,
    PublishedReply,
    RateBudget,
    RateLimited,
    TransientError,
)
from smm_tui.core.polling import (
    AccountHealth,
    AccountPacer,
    HealthState,
    PollingEngine,
    PollOutcome,
    PollPolicy,
)
from smm_tui.core.workspace import Workspace
from tests.conftest import FakeClock, make_mention
from tests.core.services_kit import NoPublishing

POLICY = PollPolicy(
    interval=30, backoff_base=5, backoff_max=300, jitter=0.2, breaker_after=4, breaker_cooldown=600
)


def pacer(clock: FakeClock, policy: PollPolicy = POLICY) -> AccountPacer:
    return AccountPacer(AccountHealth("bank-vk", Platform.VK), policy, clock, random.Random(7))


def state_of(p: AccountPacer) -> HealthState:
    """The pacer's state read afresh: mypy keeps an ``is`` check's narrowing across calls."""
    return p.health.state


def test_success_waits_the_interval_with_jitter(clock: FakeClock) -> None:
    p = pacer(clock)
    delays = [p.succeeded(PollOutcome("bank-vk", fetched=3), None) for _ in range(50)]
    assert all(24 <= d <= 36 for d in delays)
    assert len(set(delays)) > 40, "jitter spreads the polls"
    assert p.health.state is HealthState.OK and p.health.last_success == clock()
    assert p.health.last_fetched == 3


def test_failures_back_off_exponentially_then_open_the_circuit(clock: FakeClock) -> None:
    p = pacer(clock)
    delays = [p.failed(TransientError("vk: HTTP 502"), None) for _ in range(3)]
    for n, delay in enumerate(delays):
        assert 5 * 2**n * 0.8 <= delay <= 5 * 2**n * 1.2
    assert p.health.state is HealthState.RETRYING and p.health.failures == 3
    opened = p.failed(TransientError("vk: HTTP 502"), None)
    assert state_of(p) is HealthState.CIRCUIT_OPEN
    assert 480 <= opened <= 720
    assert "4 failures in a row" in (p.health.message or "")
    p.succeeded(PollOutcome("bank-vk"), None)
    assert state_of(p) is HealthState.OK and p.health.failures == 0 and p.health.message is None


def test_backoff_is_capped(clock: FakeClock) -> None:
    p = pacer(clock, PollPolicy(backoff_base=5, backoff_max=60, jitter=0, breaker_after=99))
    delays = [p.failed(TransientError("down"), None) for _ in range(10)]
    assert delays[-1] == 60 and max(delays) == 60


def test_a_rate_limit_waits_until_the_reset_and_is_not_a_failure(clock: FakeClock) -> None:
    p = pacer(clock)
    reset = clock() + timedelta(minutes=14)
    delay = p.failed(RateLimited("x: rate limited", reset), RateBudget(0, 180, reset))
    assert 14 * 60 <= delay <= 14 * 60 + 5
    assert p.health.state is HealthState.RATE_LIMITED and p.health.failures == 0
    assert p.health.budget == RateBudget(0, 180, reset)


def test_refused_credentials_pause_long_and_say_what_to_set(clock: FakeClock) -> None:
    p = pacer(clock)
    message = "vk account 'bank-vk': token refused or expired (error 5): set BANK_VK_TOKEN"
    assert p.failed(AuthError(message), None) == POLICY.auth_pause
    assert p.health.state is HealthState.AUTH_FAILED
    assert view.headline([p.health]) == p.health
    assert view.problem_text(p.health).endswith("set BANK_VK_TOKEN")


def test_an_unexpected_exception_is_named_not_raised(clock: FakeClock) -> None:
    p = pacer(clock)
    p.failed(KeyError("status"), None)
    assert p.health.message == "unexpected KeyError"


def test_the_headline_names_credentials_first() -> None:
    limited = AccountHealth("x", Platform.X, HealthState.RATE_LIMITED, message="limited")
    expired = AccountHealth("vk", Platform.VK, HealthState.AUTH_FAILED, message="set T")
    fine = AccountHealth("tg", Platform.TELEGRAM, HealthState.OK)
    assert view.headline([limited, fine, expired]) is expired
    assert view.headline([fine]) is None


class ScriptedSource(NoPublishing):
    """An account source whose polls follow a script of results."""

    platform = Platform.VK
    reply_limit = 100
    idempotent_replies = False
    poll_interval: float | None = None

    def __init__(self, account: str, script: list[Exception | list[Mention]]) -> None:
        self.account = account
        self.script = script
        self.calls = 0

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        self.calls += 1
        step = self.script[min(self.calls, len(self.script)) - 1]
        if isinstance(step, Exception):
            raise step
        return MentionPage(tuple(step), str(self.calls))

    def rate_budget(self) -> RateBudget | None:
        return RateBudget(remaining=10, limit=100)

    def reply_length(self, text: str) -> int:
        return len(text)

    async def verify(self) -> Identity:
        raise NotImplementedError

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        return ()

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        return ()

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        return None

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        raise NotImplementedError

    async def aclose(self) -> None:
        return


async def no_wait(_seconds: float) -> None:
    await asyncio.sleep(0)


def engine_over(workspace: Workspace, *sources: ScriptedSource) -> PollingEngine:
    workspace.sources.update({s.account: s for s in sources})
    return PollingEngine(
        workspace.sources,
        workspace.ingest,
        workspace.ctx.clock,
        policies={Platform.VK: POLICY},
        sleep=no_wait,
        rng=random.Random(1),
    )


async def test_poll_once_reports_every_account_even_when_one_fails(workspace: Workspace) -> None:
    good = ScriptedSource("bank-vk", [[make_mention(1), make_mention(2)]])
    broken = ScriptedSource("bank-vk2", [TransientError("vk account 'bank-vk2': HTTP 502")])
    engine = engine_over(workspace, good, broken)

    outcomes = await engine.poll_once()

    assert [(o.account, o.stored, o.error) for o in outcomes] == [
        ("bank-vk", 2, None),
        ("bank-vk2", 0, "vk account 'bank-vk2': HTTP 502"),
    ]
    assert engine.health["bank-vk"].state is HealthState.OK
    assert engine.health["bank-vk"].budget == RateBudget(remaining=10, limit=100)
    assert engine.health["bank-vk2"].state is HealthState.RETRYING


async def test_one_account_stuck_never_delays_another(workspace: Workspace) -> None:
    stuck_forever = asyncio.Event()

    class Hanging(ScriptedSource):
        async def fetch_mentions(self, cursor: str | None) -> MentionPage:
            await stuck_forever.wait()
            raise AssertionError("never released")

    quick = ScriptedSource("bank-vk", [[make_mention(1)], [make_mention(2)], []])
    engine = engine_over(workspace, quick, Hanging("bank-vk2", []))
    seen: list[AccountHealth] = []
    polls = asyncio.Event()

    def listener(health: AccountHealth) -> None:
        seen.append(health)
        if len(seen) >= 3:
            polls.set()

    tasks = [
        asyncio.create_task(engine.run_account(s, listener)) for s in workspace.sources.values()
    ]
    try:
        await asyncio.wait_for(polls.wait(), timeout=5)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert {h.account for h in seen} == {"bank-vk"}
    assert quick.calls >= 3


@pytest.mark.parametrize(
    ("health", "expected"),
    [
        (AccountHealth("a", Platform.VK), "…"),
        (AccountHealth("a", Platform.VK, HealthState.AUTH_FAILED), "token!"),
    ],
)
def test_chips(health: AccountHealth, expected: str, clock: FakeClock) -> None:
    assert view.chip(health, clock()).detail == expected


def test_a_servers_words_reach_the_strip_without_control_bytes(clock: FakeClock) -> None:
    p = pacer(clock)
    p.failed(TransientError("vk account 'x': refused: \x1b]52;c;ZXZpbA==\x07 \x9b31m\nnow"), None)
    message = p.health.message or ""
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in message)
    assert "refused" in message and "now" in message
