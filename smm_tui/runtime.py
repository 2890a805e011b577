"""The composition root: config and data dir in, a store, adapters and a workspace out.

This is the one module that knows every layer. The CLI calls it for the app
and for headless commands; tests call it to build the real thing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from smm_tui.adapters import registry
from smm_tui.adapters.base import Adapter
from smm_tui.adapters.beacons import beacon_source
from smm_tui.adapters.connection import LONG_POLL_SECONDS, Connection, Simulation
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.adapters.demo_corpus import OUR_REPLIES
from smm_tui.adapters.demo_handoff import DemoDepartments
from smm_tui.config import AccountConfig, Config, demo_config
from smm_tui.config.incidents import incident_paces
from smm_tui.core import demo_day, demo_posts
from smm_tui.core.audit import new_id
from smm_tui.core.casework import DEMO_REVIEWS_EVERY, REVIEWS_EVERY
from smm_tui.core.context import this_process
from smm_tui.core.handoffs import ChannelLookup
from smm_tui.core.models import Intent, utcnow
from smm_tui.core.planning import PublishingSettings
from smm_tui.core.platforms import spec
from smm_tui.core.priority import DEFAULT_ALARMS
from smm_tui.core.query import parse
from smm_tui.core.repository import ChangeSet
from smm_tui.core.rules import Rule
from smm_tui.core.sla import BusinessHours, SlaPolicy, SlaSettings
from smm_tui.core.spikes import TrendSettings
from smm_tui.core.views import build_views
from smm_tui.core.workspace import AccountSource, Settings, Workspace
from smm_tui.store.files import file_keeper
from smm_tui.store.lease import PollerLease
from smm_tui.store.store import Store
from smm_tui.wiring import HandoffChannels, saved_replies_of

if TYPE_CHECKING:
    pass


class AdapterUnavailable(Exception):
    """An account's network has no adapter in this version (the message names the account)."""


def build_adapter(
    account: AccountConfig,
    config: Config,
    *,
    env: Mapping[str, str],
    clock: Callable[[], datetime],
    index: int,
    long_poll: bool = True,
    working_day: bool = False,
) -> Adapter:
    """The adapter for one configured account; AdapterUnavailable says why there is none.

    ``long_poll=False`` makes VK and Telegram answer at once when nothing is new
    (for ``poll --once``) instead of holding the request open for news.
    ``working_day`` shapes a demo account as :meth:`DemoAdapter.working_day`.
    """
    who = f"{account.platform.value} account {account.name!r}"
    facts = spec(account.platform)
    if facts.needs_base_url and not account.base_url:
        raise AdapterUnavailable(f"{who} needs base_url ({facts.server}); it is left out")
    connection = Connection(
        token=_token(account, env) if facts.needs_token else "",
        token_env=account.token_env or "",
        user_token=account.user_token(env) or "",
        base_url=account.base_url,
        clock=clock,
        backfill=account.backfill,
        long_poll_seconds=LONG_POLL_SECONDS if long_poll and facts.long_poll else 0,
        simulation=Simulation(config.demo.seed + index, config.demo.rate_per_minute, working_day),
    )
    return registry.build(account, connection)


def _token(account: AccountConfig, env: Mapping[str, str]) -> str:
    token = account.token(env)
    if token:
        return token
    where = f"set {account.token_env}" if account.token_env else "set token_env in the config"
    raise AdapterUnavailable(
        f"{account.platform.value} account {account.name!r} has no token: {where}; it is left out"
    )


def build_sources(
    config: Config,
    *,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = utcnow,
    long_poll: bool = True,
    working_day: bool = False,
) -> tuple[dict[str, AccountSource], list[str]]:
    """Adapters for every account that has one, and a warning line per account left out."""
    sources: dict[str, AccountSource] = {}
    warnings: list[str] = []
    for index, account in enumerate(config.accounts):
        try:
            sources[account.name] = build_adapter(
                account,
                config,
                env=env or {},
                clock=clock,
                index=index,
                long_poll=long_poll,
                working_day=working_day,
            )
        except AdapterUnavailable as exc:
            warnings.append(str(exc))
    return sources, warnings


#: A webhook path shorter than this ("/hooks") is no secret, and redacting it would garble logs.
MIN_HOOK_SECRET = 8


def account_secrets(config: Config, env: Mapping[str, str]) -> list[str]:
    """Every token the config's accounts would use, and every secret its departments' handoffs
    would (a webhook's signing secret, an SMTP password), for log redaction."""
    tokens = (token for account in config.accounts for token in _tokens_of(account, env))
    handoffs = (
        env.get(variable)
        for department in config.handoffs
        for variable in (department.secret_env, department.password_env)
        if variable
    )
    hooks = (_hook_secret(department.url) for department in config.handoffs if department.url)
    return [secret for secret in (*tokens, *handoffs, *hooks) if secret]


def _hook_secret(url: str) -> str | None:
    """A webhook URL's path and query: services put their token there (``/hooks/T0/B1/xyz``)."""
    parts = urlsplit(url)
    secret = parts.path + (f"?{parts.query}" if parts.query else "")
    return secret if len(secret.strip("/")) >= MIN_HOOK_SECRET else None


def _tokens_of(account: AccountConfig, env: Mapping[str, str]) -> tuple[str | None, ...]:
    return account.token(env), account.user_token(env)


def settings_from(config: Config) -> Settings:
    """The workspace settings a config gives."""
    alarms = config.alarm_keywords if config.alarm_keywords is not None else DEFAULT_ALARMS
    return Settings(
        departments=config.departments,
        users=config.users,
        sla=sla_from(config),
        alarms=alarms,
        views=build_views(config.views),
        rules=tuple(
            Rule(r.name, parse(r.when), r.tags, r.assign, r.department, r.spam, r.raise_priority)
            for r in config.rules
        ),
        publishing=publishing_from(config),
        confirm_within=config.tickets.confirm_within,
        trends=trends_from(config),
        alerts_from_start=is_builtin_demo(config),
        saved_replies=saved_replies_of(config),
        # The demo's reviews change within minutes: look at them more often.
        reviews_every=DEMO_REVIEWS_EVERY if is_builtin_demo(config) else REVIEWS_EVERY,
        incident_paces=incident_paces(config),
    )


#: The demo's spike watch counts its live stream only: it alerts once it has this much of
#: it (a shorter baseline is too noisy to test against), and looks at windows this long
#: (one bucket), so the outage 12 minutes in (``demo_outage.OUTAGE_AFTER``) stands out.
DEMO_TREND_WARMUP = timedelta(minutes=10)
DEMO_TREND_WINDOW = timedelta(minutes=5)


def trends_from(config: Config) -> TrendSettings:
    """The ``[trends]`` settings, in the team's time zone; the demo's warm up in minutes.

    The demo's stored fortnight is a sparse sample (about 100 comments an account)
    while its live stream writes 3 a minute: as a baseline it would make every live
    minute a spike. So its watch counts from when it starts (see
    :attr:`Settings.alerts_from_start`), needs ten minutes of it, and looks at
    five-minute windows.
    """
    settings = config.trends.settings(ZoneInfo(config.sla.timezone))
    if is_builtin_demo(config):
        return dataclasses.replace(settings, warmup=DEMO_TREND_WARMUP, window=DEMO_TREND_WINDOW)
    return settings


def publishing_from(config: Config) -> PublishingSettings:
    """The ``[publishing]`` settings, read in the team's time zone (``[sla] timezone``)."""
    table = config.publishing
    return PublishingSettings(
        utm=table.utm,
        own_domains=table.own_domains,
        late_limit=table.late_limit,
        growth_every=table.growth_every,
        timezone=config.sla.timezone,
    )


def sla_from(config: Config) -> SlaSettings:
    """The response-time targets of ``[sla]`` and of each account's ``sla_minutes``."""
    table = config.sla
    hours = None
    if table.business_hours is not None:
        start, end = (_clock_time(text) for text in table.business_hours)
        hours = BusinessHours(start, end, frozenset(table.business_days), ZoneInfo(table.timezone))
    default = SlaPolicy(
        timedelta(minutes=table.minutes), timedelta(minutes=table.warn_minutes), hours
    )
    accounts = {
        account.name: dataclasses.replace(default, target=timedelta(minutes=account.sla_minutes))
        for account in config.accounts
        if account.sla_minutes is not None
    }
    applies_to = frozenset(Intent(value) for value in table.applies_to)
    return SlaSettings(default, accounts, applies_to)


def _clock_time(text: str) -> time:
    return time.max if text == "24:00" else time.fromisoformat(text)


@contextmanager
def open_workspace(
    data_dir: Path,
    config: Config,
    *,
    sources: Mapping[str, AccountSource] | None = None,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = utcnow,
    make_id: Callable[[], str] = new_id,
    defer_archive: bool = False,
) -> Iterator[tuple[Workspace, list[str]]]:
    """Open the store and build the workspace; closes the store (finishing writes) after.

    Without ``sources``, adapters are built from the config, taking tokens from ``env``;
    the departments' handoff channels take their secrets from ``env`` too.
    ``defer_archive`` (for the app) reads the archive after the queue is up; problems
    met there arrive later, as :attr:`Changed.warnings`.

    The built-in demo (its config, adapters built here) streams a team's working
    day, and a new data dir starts with the fortnight behind it (see :func:`seed_demo_day`).
    """
    warnings: list[str] = []
    # First: a bad saved_replies.toml is said before the store is touched.
    settings = settings_from(config)
    working_day = sources is None and is_builtin_demo(config)
    seed_day = working_day and _is_new(data_dir)
    if sources is None:
        sources, warnings = build_sources(config, env=env, clock=clock, working_day=working_day)
    # The demo's departments are made up: their handoffs never leave the machine.
    channels: ChannelLookup = (
        DemoDepartments() if is_builtin_demo(config) else HandoffChannels(config, env or {})
    )
    store = Store.open(data_dir, defer_archive=defer_archive)
    poller = PollerLease(data_dir, this_process())
    try:
        if seed_day:
            store.commit(seed_demo_day(config, settings, sources, clock()))
        workspace = Workspace(
            store,
            actor=config.user,
            sources=sources,
            settings=settings,
            clock=clock,
            make_id=make_id,
            poller=poller,
            handoff_channels=channels,
            beacons=beacon_source,
            keep_file=file_keeper(data_dir),
        )
        backfill = workspace.ingest.backfill_changes()
        if backfill:
            store.commit(backfill)
        yield workspace, [*store.warnings, *warnings]
    finally:
        # Commands close the channels in their loop (see workspace_closers); this is the rest.
        if isinstance(channels, HandoffChannels):
            channels.close_now()
        poller.release()
        store.close()


@contextmanager
def open_existing_workspace(
    data_dir: Path, config: Config, *, sources: Mapping[str, AccountSource]
) -> Iterator[tuple[Workspace | None, list[str]]]:
    """:func:`open_workspace` for a command that only reads: None if ``data_dir`` is not
    there, which opening the store would create."""
    if not data_dir.is_dir():
        yield None, []
        return
    with open_workspace(data_dir, config, sources=sources) as opened:
        yield opened


def is_builtin_demo(config: Config) -> bool:
    """Whether ``config`` is the built-in demo workspace (``smm-tui demo``), never a real one."""
    return bool(config.accounts) and config.accounts == demo_config(config.user).accounts


def seed_demo_day(
    config: Config, settings: Settings, sources: Mapping[str, AccountSource], now: datetime
) -> ChangeSet:
    """What a team did with the demo accounts' fortnight of history and their week of
    posts (:mod:`smm_tui.core.demo_posts`), as one commit."""
    accounts: list[demo_day.DemoAccount] = []
    posting: dict[str, demo_posts.ChannelAt] = {}
    for name, source in sources.items():
        if isinstance(source, DemoAdapter):
            history = source.history_mentions()
            accounts.append(demo_day.DemoAccount(name, source, history, source.contest_post_id))
            posting[name] = source.with_clock
    team = (config.user, *config.users)
    plan = demo_day.DayPlan(accounts, team, settings, now, config.demo.seed, OUR_REPLIES)
    day = demo_day.rehearse(plan)
    if not posting:
        return day
    week = demo_posts.WeekPlan(posting, team, settings.publishing, now, config.demo.seed)
    return ChangeSet([*day.ops, *demo_posts.rehearse_week(week).ops])


def _is_new(data_dir: Path) -> bool:
    return not data_dir.exists() or not any(data_dir.iterdir())


def with_user(config: Config, user: str | None) -> Config:
    """The config with another acting user (for ``--user``)."""
    if not user:
        return config
    users = config.users if user in config.users else (*config.users, user)
    return dataclasses.replace(config, user=user, users=users)
