"""The validated config as frozen objects, its defaults and its one-line error.

These are what the rest of the app reads; :mod:`smm_tui.config.load` builds
them from a file, :mod:`smm_tui.config.demo` for the built-in demo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from pathlib import Path
from types import MappingProxyType

from smm_tui.core.models import Platform
from smm_tui.core.network import DEFAULT_BACKFILL
from smm_tui.core.saved_replies import SavedReply
from smm_tui.core.spikes import QuietHours, TrendSettings

DEFAULT_DEPARTMENTS: tuple[str, ...] = (
    "Cards",
    "Mobile app",
    "Delivery",
    "Payments",
    "Fraud",
    "General",
)
DEFAULT_RATE_PER_MINUTE = 3.0
DEFAULT_DEMO_SEED = 7
FALLBACK_USER = "manager"
#: The intents ``[sla] applies_to`` names unless the file says otherwise (see ``core.sla``).
DEFAULT_APPLIES_TO = ("complaint", "question", "praise", "other")

_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def one_line(text: str) -> str:
    """``text`` with every line break escaped, so a message stays on one line."""
    escaped = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text
    )
    return escaped.translate(_LINE_BREAKS)


class ConfigError(Exception):
    """A config file that cannot be used; the message is one line naming file and key."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"config {one_line(str(path))}: {one_line(detail)}")


@dataclass(frozen=True)
class AccountConfig:
    """One ``[[accounts]]`` block: a brand account on one network.

    ``extra`` holds the platform's own keys (``group_id`` for vk, ``user_id``
    for x, ``handle`` for bluesky, ``simulate``/``seed`` for demo). A token
    written in the file is kept out of ``repr``; read it with :meth:`token`.
    """

    name: str
    platform: Platform
    base_url: str | None = None
    token_env: str | None = None
    extra: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    file_token: str | None = field(default=None, repr=False)
    #: This account's own first-response target (minutes), else ``[sla] minutes``.
    sla_minutes: float | None = None
    #: How many of the most recent mentions the first poll stores (0: start from now).
    backfill: int = DEFAULT_BACKFILL

    def token(self, env: Mapping[str, str]) -> str | None:
        """The access token: ``env[token_env]`` if set and non-empty, else the file's token."""
        if self.token_env:
            from_env = env.get(self.token_env)
            if from_env:
                return from_env
        return self.file_token

    def user_token(self, env: Mapping[str, str]) -> str | None:
        """A second, user token from ``env[user_token_env]`` (VK), if the account names one."""
        name = self.extra.get("user_token_env")
        return (env.get(name) or None) if isinstance(name, str) else None


@dataclass(frozen=True)
class RuleConfig:
    """One ``[[rules]]`` block: a query (``when``) and what to do with a match."""

    name: str
    when: str
    tags: tuple[str, ...] = ()
    assign: str | None = None
    department: str | None = None
    spam: bool = False
    raise_priority: int = 0


@dataclass(frozen=True)
class SlaConfig:
    """The ``[sla]`` table: the first-response target and, optionally, business hours.

    ``business_hours`` is ``(start, end)`` as ``"HH:MM"``; ``business_days``
    are weekday numbers (0 = Monday). Without business hours the clock always runs.
    """

    minutes: float = 10.0
    warn_minutes: float = 3.0
    business_hours: tuple[str, str] | None = None
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    timezone: str = "UTC"
    #: The intents a response target applies to (spam, entries, our own never need one).
    applies_to: tuple[str, ...] = DEFAULT_APPLIES_TO


@dataclass(frozen=True)
class PublishingConfig:
    """The ``[publishing]`` table: UTM tags on the brand's links, late posts, growth readings."""

    utm: bool = False
    own_domains: tuple[str, ...] = ()
    #: A post more than this overdue at start waits for a person.
    late_limit: timedelta = timedelta(hours=6)
    #: How often each account's follower count is read.
    growth_every: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class DepartmentConfig:
    """One ``[[departments]]`` table: a department and how it hears about tickets.

    ``handoff`` is ``webhook`` (``url``, body signed with ``env[secret_env]``),
    ``email`` (SMTP: ``smtp_host``, ``smtp_port``, ``starttls``, ``sender``,
    ``to``, ``username``, ``env[password_env]``), ``telegram`` (the bot of
    ``account`` posts in ``chat_id``) or ``none``. Secrets are named by their
    environment variable, never held here.
    """

    name: str
    handoff: str = "none"
    url: str | None = None
    secret_env: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 587
    starttls: bool = True
    sender: str | None = None
    to: tuple[str, ...] = ()
    username: str | None = None
    password_env: str | None = None
    account: str | None = None
    chat_id: str | None = None


@dataclass(frozen=True)
class TicketsConfig:
    """The ``[tickets]`` table."""

    #: How long a ticket awaits the customer's confirmation after the public follow-up.
    confirm_within: timedelta = timedelta(days=3)


#: ``[trends] sensitivity`` → the alpha of :class:`TrendSettings` (see docs/trends.md).
SENSITIVITY_ALPHAS: Mapping[str, float] = MappingProxyType(
    {"low": 1e-6, "normal": 1e-4, "high": 1e-3}
)


@dataclass(frozen=True)
class TrendsConfig:
    """The ``[trends]`` table: how readily spikes alert and terms count as rising.

    ``sensitivity`` is a word for the alpha (:data:`SENSITIVITY_ALPHAS`): ``low``
    alerts on a count one in a million by luck, ``normal`` one in 10,000,
    ``high`` one in 1,000.
    """

    sensitivity: str = "normal"
    #: The fewest mentions (or negatives, or uses of a term) in a window that can alert.
    min_count: int = 5
    #: No alert is raised in these, in ``[sla] timezone``'s wall time.
    quiet_hours: tuple[QuietHours, ...] = ()
    #: Words (any form) and hashtags that never alert or rise.
    ignore: tuple[str, ...] = ()

    @property
    def alpha(self) -> float:
        """The sensitivity as the largest chance by luck that still alerts."""
        return SENSITIVITY_ALPHAS[self.sensitivity]

    def settings(self, zone: tzinfo) -> TrendSettings:
        """The watch's settings: these, the rest at their defaults, wall time in ``zone``."""
        return TrendSettings(
            alpha=self.alpha,
            min_count=self.min_count,
            quiet=self.quiet_hours,
            ignored=self.ignore,
            zone=zone,
        )


@dataclass(frozen=True)
class IncidentsConfig:
    """The ``[incidents]`` table: replies a minute to one account, by network (platform
    value); a network not named keeps its built-in pace."""

    per_minute: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class DemoConfig:
    """The ``[demo]`` table: how fast and how reproducibly demo accounts generate traffic."""

    rate_per_minute: float = DEFAULT_RATE_PER_MINUTE
    seed: int = DEFAULT_DEMO_SEED


@dataclass(frozen=True)
class Config:
    """The whole validated config. ``source`` is the file it came from, if any.

    ``users`` defaults to just ``user``.
    """

    user: str
    accounts: tuple[AccountConfig, ...] = ()
    demo: DemoConfig = field(default_factory=DemoConfig)
    sla: SlaConfig = field(default_factory=SlaConfig)
    publishing: PublishingConfig = field(default_factory=PublishingConfig)
    #: ``[triage] alarm_keywords``: None keeps the built-in list.
    alarm_keywords: tuple[str, ...] | None = None
    #: ``[views]``: name → query, in order; None keeps the default views.
    views: Mapping[str, str] | None = None
    #: ``[[rules]]``, in order (checked: queries parse, users and departments exist).
    rules: tuple[RuleConfig, ...] = ()
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    departments: tuple[str, ...] = DEFAULT_DEPARTMENTS
    #: ``[[departments]]`` tables with a handoff, by department (a plain name list has none).
    handoffs: tuple[DepartmentConfig, ...] = ()
    tickets: TicketsConfig = field(default_factory=TicketsConfig)
    trends: TrendsConfig = field(default_factory=TrendsConfig)
    incidents: IncidentsConfig = field(default_factory=IncidentsConfig)
    #: ``[[saved_replies]]`` tables (``saved_replies.toml`` beside the config is read apart).
    saved_replies: tuple[SavedReply, ...] = ()
    users: tuple[str, ...] = ()
    source: Path | None = None

    def __post_init__(self) -> None:
        if not self.users:
            object.__setattr__(self, "users", (self.user,))

    def account(self, name: str) -> AccountConfig | None:
        """The account called ``name``, or ``None``."""
        return next((a for a in self.accounts if a.name == name), None)

    def handoff(self, department: str) -> DepartmentConfig | None:
        """How ``department`` hears about tickets, or None when it has no handoff."""
        found = next((d for d in self.handoffs if d.name == department), None)
        return None if found is None or found.handoff == "none" else found


def default_user(env: Mapping[str, str]) -> str:
    """The user when the config names none: ``$USER``, else ``"manager"``."""
    return env.get("USER") or FALLBACK_USER


def default_config(env: Mapping[str, str]) -> Config:
    """The config used when there is no config file: no accounts, all defaults."""
    user = default_user(env)
    return Config(user=user, users=(user,))
