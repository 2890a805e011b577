"""The ingestion engine: one polling loop per account, each paced by what its network says.

Every account polls on its own task, so one slow or broken network never holds
up the others. After each poll an :class:`AccountPacer` decides when to poll
next: the network's normal interval after a success; the network's reset time
after a rate limit (nothing is sent before it); exponential backoff with jitter
after a failure; a long pause after refused credentials; and, after
:attr:`PollPolicy.breaker_after` failures in a row, an open circuit that lets
one trial poll through per cool-down. Each decision is published as an
:class:`AccountHealth`, which the app's health strip shows.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from smm_tui.core.ingest import IngestService
from smm_tui.core.models import Platform
from smm_tui.core.network import AdapterError, AuthError, RateBudget, RateLimited
from smm_tui.core.platforms import PLATFORMS
from smm_tui.core.repository import Collection, RepositoryError
from smm_tui.core.sanitize import one_line
from smm_tui.core.sources import AccountSource

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often an account is polled and how it backs off (seconds)."""

    interval: float = 30.0
    backoff_base: float = 5.0
    backoff_max: float = 300.0
    #: The share of a delay that is randomised, so that accounts do not retry in step.
    jitter: float = 0.2
    auth_pause: float = 900.0
    breaker_after: int = 5
    breaker_cooldown: float = 600.0


#: Polling by network, at each network's interval in the platform registry. VK and
#: Telegram long-poll: the adapter itself waits on the server, so the loop asks again at once.
#: The demo backs off faster: nothing real is at the other end.
DEFAULT_POLICIES: Mapping[Platform, PollPolicy] = {
    platform: PollPolicy(interval=entry.poll_interval)
    if platform is not Platform.DEMO
    else PollPolicy(interval=entry.poll_interval, backoff_base=2.0, backoff_max=60.0)
    for platform, entry in PLATFORMS.items()
}


@dataclass(slots=True)
class PollOutcome:
    """What one poll of one account did."""

    account: str
    fetched: int = 0
    stored: int = 0
    error: str | None = None


async def fetch_into(ingest: IngestService, source: AccountSource) -> PollOutcome:
    """Fetch an account's new mentions and store them with the new cursor, in one commit.

    A rate limit in the middle of a first poll's backfill may carry the mentions
    already read (:attr:`RateLimited.read`): they are stored before the error goes
    on, and the cursor stays as it was, so the next poll resumes the backfill.
    """
    cursor = ingest.cursor(source.account)
    try:
        page = await source.fetch_mentions(cursor)
    except RateLimited as exc:
        if exc.read:
            await ingest.ingest(exc.read)
        raise
    changed = await ingest.ingest(page.mentions, account=source.account, cursor=page.cursor)
    stored = len(changed.of(Collection.MENTIONS))
    return PollOutcome(source.account, fetched=len(page.mentions), stored=stored)


class HealthState(enum.Enum):
    """Where an account's polling stands."""

    STARTING = "starting"
    OK = "ok"
    RETRYING = "retrying"
    RATE_LIMITED = "rate limited"
    AUTH_FAILED = "auth failed"
    CIRCUIT_OPEN = "paused"

    @property
    def is_problem(self) -> bool:
        """Whether the account needs attention or is not fetching right now."""
        return self not in (HealthState.STARTING, HealthState.OK)


@dataclass(frozen=True, slots=True)
class AccountHealth:
    """One account's polling state, as the health strip and ``doctor`` show it."""

    account: str
    platform: Platform
    state: HealthState = HealthState.STARTING
    last_success: datetime | None = None
    next_poll: datetime | None = None
    budget: RateBudget | None = None
    failures: int = 0
    #: The last problem in words, one line, no token (adapter messages never hold one).
    message: str | None = None
    last_fetched: int = 0


@dataclass(slots=True)
class AccountPacer:
    """Decides, poll after poll, when one account is polled next."""

    health: AccountHealth
    policy: PollPolicy
    clock: Callable[[], datetime]
    rng: random.Random = field(default_factory=random.Random)

    def succeeded(self, outcome: PollOutcome, budget: RateBudget | None) -> float:
        """Record a good poll; the delay before the next."""
        now = self.clock()
        delay = self._jittered(self.policy.interval)
        self.health = replace(
            self.health,
            state=HealthState.OK,
            last_success=now,
            next_poll=now + timedelta(seconds=delay),
            budget=budget,
            failures=0,
            message=None,
            last_fetched=outcome.fetched,
        )
        return delay

    def failed(self, error: Exception, budget: RateBudget | None) -> float:
        """Record a failed poll; the delay before the next."""
        now = self.clock()
        failures = self.health.failures + 1
        message = _describe(error)
        if isinstance(error, RateLimited):
            state = HealthState.RATE_LIMITED
            delay = max((error.retry_at - now).total_seconds(), 1.0)
            delay += self.rng.uniform(0, min(delay * 0.05, 5.0))
            failures = self.health.failures  # the network asked us to wait; not broken
        elif isinstance(error, AuthError):
            state, delay = HealthState.AUTH_FAILED, self.policy.auth_pause
        elif failures >= self.policy.breaker_after:
            state, delay = HealthState.CIRCUIT_OPEN, self._jittered(self.policy.breaker_cooldown)
            message = f"{message} ({failures} failures in a row; polling paused)"
        else:
            state = HealthState.RETRYING
            backoff = min(self.policy.backoff_base * 2 ** (failures - 1), self.policy.backoff_max)
            delay = self._jittered(backoff)
        self.health = replace(
            self.health,
            state=state,
            next_poll=now + timedelta(seconds=delay),
            budget=budget,
            failures=failures,
            message=message,
        )
        return delay

    def _jittered(self, seconds: float) -> float:
        spread = seconds * self.policy.jitter
        return max(seconds + self.rng.uniform(-spread, spread), 0.0)


def _describe(error: Exception) -> str:
    """One safe line: adapter messages may quote a server's words, control bytes and all."""
    if isinstance(error, AdapterError | RepositoryError):
        return one_line(str(error) or type(error).__name__)
    return f"unexpected {type(error).__name__}"


HealthListener = Callable[[AccountHealth], None]


class PollingEngine:
    """Polls every account, each on its own schedule, into the ingest service.

    It needs only the accounts' adapters, where their mentions go, and the clock
    the pacing reads; the caller listens to each account's health.
    """

    def __init__(
        self,
        sources: Mapping[str, AccountSource],
        ingest: IngestService,
        clock: Callable[[], datetime],
        *,
        policies: Mapping[Platform, PollPolicy] = DEFAULT_POLICIES,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.sources = sources
        self.ingest = ingest
        self.clock = clock
        self.policies = dict(policies)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.health: dict[str, AccountHealth] = {
            name: AccountHealth(name, source.platform) for name, source in sources.items()
        }

    def policy_for(self, source: AccountSource) -> PollPolicy:
        """The polling policy of an account: its network's, at the adapter's own pace if set."""
        policy = self.policies.get(source.platform, PollPolicy())
        interval = source.poll_interval
        return policy if interval is None else replace(policy, interval=interval)

    async def run_account(self, source: AccountSource, listener: HealthListener) -> None:
        """Poll one account until cancelled, telling ``listener`` after every poll."""
        pacer = AccountPacer(
            self.health[source.account],
            self.policy_for(source),
            self.clock,
            self._rng,
        )
        while True:
            delay = await self._poll(source, pacer)
            self.health[source.account] = pacer.health
            listener(pacer.health)
            await self._sleep(delay)

    async def poll_once(self, names: Iterable[str] | None = None) -> list[PollOutcome]:
        """Poll the named accounts (all by default) once, concurrently; outcomes in order."""
        chosen = list(self.sources) if names is None else list(names)
        return list(await asyncio.gather(*(self._poll_one(name) for name in chosen)))

    async def _poll_one(self, name: str) -> PollOutcome:
        source = self.sources[name]
        pacer = AccountPacer(self.health[name], self.policy_for(source), self.clock)
        outcome = await self._attempt(source, pacer)
        self.health[name] = pacer.health
        return outcome

    async def _poll(self, source: AccountSource, pacer: AccountPacer) -> float:
        await self._attempt(source, pacer)
        assert pacer.health.next_poll is not None
        return max((pacer.health.next_poll - self.clock()).total_seconds(), 0.0)

    async def _attempt(self, source: AccountSource, pacer: AccountPacer) -> PollOutcome:
        try:
            outcome = await fetch_into(self.ingest, source)
        except (AdapterError, RepositoryError) as exc:
            pacer.failed(exc, source.rate_budget())
            return PollOutcome(source.account, error=pacer.health.message)
        except Exception as exc:  # a bug in an adapter must not stop the other accounts
            log.exception("polling %s failed", source.account)
            pacer.failed(exc, None)
            return PollOutcome(source.account, error=pacer.health.message)
        pacer.succeeded(outcome, source.rate_budget())
        return outcome
