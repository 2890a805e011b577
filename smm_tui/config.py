"""The TOML config file, strictly validated.

Every problem becomes a :class:`ConfigError` whose message is one line naming
the file and the offending key, so the CLI can print it and exit. Unknown keys
are errors (with a did-you-mean suggestion) rather than silently ignored: a
misspelt ``token_env`` would otherwise surface much later as "not authorised".

Key paths in messages use TOML spelling with 0-based indexes for arrays of
tables: ``accounts[0]`` is the first ``[[accounts]]`` block in the file.

Secrets: an account's token should come from the environment variable named by
``token_env``. A literal ``token = "..."`` is accepted only when the file is not
accessible to group or others (mode 0600 or stricter), and it is never shown in
a repr or an error message.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import stat
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from smm_tui.core.models import Intent, Platform
from smm_tui.core.network import DEFAULT_BACKFILL
from smm_tui.core.query import QueryError, parse

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

_TOP_LEVEL_KEYS = (
    "user",
    "users",
    "departments",
    "accounts",
    "demo",
    "keymap",
    "sla",
    "triage",
    "views",
    "rules",
)
_RULE_KEYS = ("name", "when", "tag", "assign", "department", "spam", "raise_priority")
_TRIAGE_KEYS = ("alarm_keywords",)
_DEMO_KEYS = ("rate_per_minute", "seed")
_SLA_KEYS = (
    "minutes",
    "warn_minutes",
    "business_hours",
    "business_days",
    "timezone",
    "applies_to",
)
#: The intents ``[sla] applies_to`` may name, and its default (see ``core.sla``).
_INTENTS = tuple(intent.value for intent in Intent)
DEFAULT_APPLIES_TO = ("complaint", "question", "praise", "other")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))")
_ACCOUNT_KEYS = ("name", "platform", "base_url", "token_env", "token", "sla_minutes", "backfill")
_SIMULATED = tuple(p.value for p in Platform if p is not Platform.DEMO)
_PLATFORM_EXTRAS: dict[Platform, tuple[str, ...]] = {
    Platform.VK: ("group_id",),
    Platform.TELEGRAM: (),
    Platform.MASTODON: (),
    Platform.BLUESKY: ("handle",),
    Platform.X: ("user_id",),
    Platform.DEMO: ("simulate", "seed"),
}
_ALL_EXTRAS = tuple(sorted({k for keys in _PLATFORM_EXTRAS.values() for k in keys}))
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})
_GROUP_OTHER_BITS = 0o077
_SHOW_LIMIT = 60


class ConfigError(Exception):
    """A config file that cannot be used; the message is one line naming file and key."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"config {_one_line(str(path))}: {_one_line(detail)}")


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
    #: ``[triage] alarm_keywords``: None keeps the built-in list.
    alarm_keywords: tuple[str, ...] | None = None
    #: ``[views]``: name → query, in order; None keeps the default views.
    views: Mapping[str, str] | None = None
    #: ``[[rules]]``, in order (checked: queries parse, users and departments exist).
    rules: tuple[RuleConfig, ...] = ()
    keymap: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    departments: tuple[str, ...] = DEFAULT_DEPARTMENTS
    users: tuple[str, ...] = ()
    source: Path | None = None

    def __post_init__(self) -> None:
        if not self.users:
            object.__setattr__(self, "users", (self.user,))

    def account(self, name: str) -> AccountConfig | None:
        """The account called ``name``, or ``None``."""
        return next((a for a in self.accounts if a.name == name), None)


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return False
    return True


def default_user(env: Mapping[str, str]) -> str:
    """The user when the config names none: ``$USER``, else ``"manager"``."""
    return env.get("USER") or FALLBACK_USER


def default_config(env: Mapping[str, str]) -> Config:
    """The config used when there is no config file: no accounts, all defaults."""
    user = default_user(env)
    return Config(user=user, users=(user,))


#: Who works the demo inbox besides its user (they answered its fortnight of history).
DEMO_TEAMMATES = ("anna", "omar")


def demo_config(user: str) -> Config:
    """The built-in demo workspace: one simulated account per real network."""
    names = {
        Platform.VK: "bank-vk",
        Platform.TELEGRAM: "bank-tg",
        Platform.MASTODON: "bank-mastodon",
        Platform.BLUESKY: "bank-bsky",
        Platform.X: "bank-x",
    }
    accounts = tuple(
        AccountConfig(
            name=name,
            platform=Platform.DEMO,
            extra=MappingProxyType({"simulate": simulated.value}),
        )
        for simulated, name in names.items()
    )
    # The demo's team: the teammates who answered its fortnight can be assigned too.
    team = tuple(dict.fromkeys((user, *DEMO_TEAMMATES)))
    return Config(user=user, accounts=accounts, users=team)


def load_config(path: Path, env: Mapping[str, str], *, required: bool = False) -> Config:
    """Read and validate the config at ``path``.

    A missing file gives :func:`default_config` unless ``required`` (then a
    "not found" :class:`ConfigError`). Any other problem — unreadable file,
    TOML syntax, unknown key, bad value, a ``token`` in a file others can
    read — is a :class:`ConfigError`.
    """
    loaded = _read_toml(path, required=required)
    if loaded is None:
        return default_config(env)
    document, mode = loaded
    if _contains_token(document):
        _check_private(path, mode)
    return _Validator(path).config(document, env)


# --- reading -----------------------------------------------------------------


def _read_toml(path: Path, *, required: bool) -> tuple[dict[str, Any], int] | None:
    """The parsed document and the file's permission bits, or ``None`` if absent."""
    try:
        with path.open("rb") as handle:
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
            raw = handle.read()
    except FileNotFoundError:
        if required:
            raise ConfigError(path, "not found") from None
        return None
    except OSError as exc:
        raise ConfigError(path, f"cannot read ({exc.strerror or exc})") from None
    return _parse_toml(path, raw), mode


def _parse_toml(path: Path, raw: bytes) -> dict[str, Any]:
    """Decode UTF-8 and parse TOML; tomllib's message already carries line and column."""
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # tolerate a BOM (Notepad)
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not valid UTF-8 (byte {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None


def _contains_token(value: object) -> bool:
    """Whether a ``token`` key appears anywhere in the document."""
    if isinstance(value, dict):
        return "token" in value or any(_contains_token(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_token(v) for v in value)
    return False


def _check_private(path: Path, mode: int) -> None:
    """Refuse a file holding a token if group or others have any access to it."""
    if os.name == "nt":  # POSIX modes mean nothing there; rely on the profile ACLs.
        return
    if mode & _GROUP_OTHER_BITS:
        raise ConfigError(
            path,
            f"contains a token but is readable by others (mode {mode:04o}); "
            "chmod 600 it, or use token_env",
        )


# --- validation ----------------------------------------------------------------


class _Validator:
    """Turns a parsed TOML document into a :class:`Config`, raising on the first problem."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, detail: str) -> ConfigError:
        """A :class:`ConfigError` for this file (the caller raises it)."""
        return ConfigError(self.path, detail)

    def must(self, key: str, what: str, value: object) -> ConfigError:
        """The "'key' must be <what>, got <value>" error."""
        return self.fail(f"'{key}' must be {what}, got {_show(value)}")

    def config(self, document: dict[str, Any], env: Mapping[str, str]) -> Config:
        """Validate the whole document."""
        self.unknown_keys(document, _TOP_LEVEL_KEYS, prefix="")
        user = self.text(document, "user", "user") if "user" in document else default_user(env)
        return Config(
            user=user,
            accounts=self.accounts(document.get("accounts", [])),
            demo=self.demo(document.get("demo", {})),
            sla=self.sla(document.get("sla", {})),
            alarm_keywords=self.alarm_keywords(document.get("triage", {})),
            views=self.views(document["views"]) if "views" in document else None,
            rules=self.rules(document.get("rules", []), document),
            keymap=self.keymap(document.get("keymap", {})),
            departments=self.names(document, "departments", DEFAULT_DEPARTMENTS),
            users=self.names(document, "users", (user,)),
            source=self.path,
        )

    def unknown_keys(self, table: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        """Fail on the first key of ``table`` not in ``allowed``, suggesting a close one."""
        for key in table:
            if key not in allowed:
                raise self.fail(f"unknown key '{prefix}{_key(key)}'{_suggest(key, allowed)}")

    def text(self, table: Mapping[str, Any], key: str, path: str) -> str:
        """A required non-empty string."""
        if key not in table:
            raise self.fail(f"missing key '{path}'")
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.must(path, "a non-empty string", value)
        return value

    def names(
        self, document: Mapping[str, Any], key: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        """A non-empty list of distinct non-empty strings (``departments``, ``users``)."""
        if key not in document:
            return default
        value = document[key]
        if not isinstance(value, list) or not value:
            raise self.must(key, "a non-empty list of strings", value)
        seen: set[str] = set()
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.must(f"{key}[{index}]", "a non-empty string", item)
            if item in seen:
                raise self.fail(f"'{key}[{index}]' repeats {_show(item)}")
            seen.add(item)
        return tuple(value)

    def table(self, value: object, key: str) -> dict[str, Any]:
        """``value`` if it is a TOML table."""
        if not isinstance(value, dict):
            raise self.must(key, f"a table ([{key}])", value)
        return value

    # --- [demo] and [keymap] --------------------------------------------------

    def demo(self, value: object) -> DemoConfig:
        """The ``[demo]`` table."""
        table = self.table(value, "demo")
        self.unknown_keys(table, _DEMO_KEYS, prefix="demo.")
        rate = table.get("rate_per_minute", DEFAULT_RATE_PER_MINUTE)
        if not _is_number(rate) or not math.isfinite(rate) or rate <= 0:
            raise self.must("demo.rate_per_minute", "a positive number", rate)
        seed = table.get("seed", DEFAULT_DEMO_SEED)
        if not _is_int(seed):
            raise self.must("demo.seed", "a whole number", seed)
        return DemoConfig(rate_per_minute=float(rate), seed=seed)

    def sla(self, value: object) -> SlaConfig:
        """The ``[sla]`` table."""
        table = self.table(value, "sla")
        self.unknown_keys(table, _SLA_KEYS, prefix="sla.")
        minutes = self.minutes(table.get("minutes", 10), "sla.minutes")
        warn = table.get("warn_minutes", min(3.0, minutes / 2))
        if not _is_number(warn) or not math.isfinite(warn) or not 0 <= warn < minutes:
            raise self.must("sla.warn_minutes", f"a number from 0 to below {minutes:g}", warn)
        zone = table.get("timezone", "UTC")
        if not isinstance(zone, str) or not _is_zone(zone):
            raise self.must("sla.timezone", "a time zone name such as Europe/Moscow", zone)
        return SlaConfig(
            minutes=minutes,
            warn_minutes=float(warn),
            business_hours=self.business_hours(table.get("business_hours")),
            business_days=self.business_days(table.get("business_days", list(_DAYS[:5]))),
            timezone=zone,
            applies_to=self.applies_to(table.get("applies_to", list(DEFAULT_APPLIES_TO))),
        )

    def applies_to(self, value: object) -> tuple[str, ...]:
        """``[sla] applies_to``: a list of distinct intents."""
        wanted = f"a list of intents from: {', '.join(_INTENTS)}"
        if not isinstance(value, list):
            raise self.must("sla.applies_to", wanted, value)
        for index, item in enumerate(value):
            if item not in _INTENTS:
                raise self.must(f"sla.applies_to[{index}]", f"one of: {', '.join(_INTENTS)}", item)
        return tuple(dict.fromkeys(value))

    def alarm_keywords(self, value: object) -> tuple[str, ...] | None:
        """``[triage] alarm_keywords``: words that raise a mention's priority."""
        table = self.table(value, "triage")
        self.unknown_keys(table, _TRIAGE_KEYS, prefix="triage.")
        if "alarm_keywords" not in table:
            return None
        return self.names(table, "alarm_keywords", ())

    def views(self, value: object) -> Mapping[str, str]:
        """``[views]``: each name a query in the query language, checked now."""
        table = self.table(value, "views")
        if not table:
            raise self.must("views", "at least one view (name = query)", value)
        for name, query in table.items():
            if not isinstance(query, str):
                raise self.must(f"views.{_key(name)}", "a query string", query)
            try:
                if query.strip() != "*":
                    parse(query)
            except QueryError as exc:
                raise self.fail(f"'views.{_key(name)}': {exc}") from None
        return MappingProxyType(dict(table))

    def rules(self, value: object, document: Mapping[str, Any]) -> tuple[RuleConfig, ...]:
        """``[[rules]]``: each a checked query and known users and departments."""
        if not isinstance(value, list):
            raise self.must("rules", "an array of tables ([[rules]])", value)
        users = self.names(document, "users", (document.get("user", ""),))
        departments = self.names(document, "departments", DEFAULT_DEPARTMENTS)
        return tuple(
            self.rule(item, f"rules[{index}]", users, departments)
            for index, item in enumerate(value)
        )

    def rule(
        self, value: object, prefix: str, users: tuple[str, ...], departments: tuple[str, ...]
    ) -> RuleConfig:
        """One ``[[rules]]`` block."""
        table = self.table(value, prefix)
        self.unknown_keys(table, _RULE_KEYS, prefix=f"{prefix}.")
        name = self.text(table, "name", f"{prefix}.name")
        when = self.text(table, "when", f"{prefix}.when")
        try:
            parse(when)
        except QueryError as exc:
            raise self.fail(f"'{prefix}.when': {exc}") from None
        tags = table.get("tag", [])
        tags = [tags] if isinstance(tags, str) else tags
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            raise self.must(f"{prefix}.tag", "a tag or a list of tags", table.get("tag"))
        assign = table.get("assign")
        if assign is not None and assign not in users:
            raise self.must(f"{prefix}.assign", f"one of users ({', '.join(users)})", assign)
        department = table.get("department")
        if department is not None and department not in departments:
            raise self.must(f"{prefix}.department", "one of departments", department)
        spam = table.get("spam", False)
        if not isinstance(spam, bool):
            raise self.must(f"{prefix}.spam", "true or false", spam)
        bump = table.get("raise_priority", 0)
        if not _is_int(bump) or not -100 <= bump <= 100:
            raise self.must(f"{prefix}.raise_priority", "a whole number from -100 to 100", bump)
        return RuleConfig(name, when, tuple(tags), assign, department, spam, bump)

    def minutes(self, value: object, path: str) -> float:
        """A positive number of minutes, at most a week."""
        if not _is_number(value) or not math.isfinite(value) or not 0 < value <= 7 * 24 * 60:
            raise self.must(path, "a positive number of minutes (at most a week)", value)
        return float(value)

    def business_hours(self, value: object) -> tuple[str, str] | None:
        """``"09:00-18:00"`` as ``("09:00", "18:00")``; None when absent."""
        if value is None:
            return None
        match = _HOURS.fullmatch(value) if isinstance(value, str) else None
        start = f"{match.group(1)}:{match.group(2)}" if match else ""
        end = (
            ((match.group(3) and f"{match.group(3)}:{match.group(4)}") or "24:00") if match else ""
        )
        if match is None or start >= end:
            raise self.must("sla.business_hours", 'a range such as "09:00-18:00"', value)
        return start, end

    def business_days(self, value: object) -> tuple[int, ...]:
        """A list of day names (``mon`` … ``sun``) as weekday numbers."""
        if not isinstance(value, list) or not value:
            raise self.must("sla.business_days", 'a list such as ["mon", "tue"]', value)
        days: list[int] = []
        for index, day in enumerate(value):
            if not isinstance(day, str) or day.lower()[:3] not in _DAYS:
                raise self.must(f"sla.business_days[{index}]", "a day such as mon", day)
            days.append(_DAYS.index(day.lower()[:3]))
        return tuple(sorted(set(days)))

    def keymap(self, value: object) -> Mapping[str, str]:
        """The ``[keymap]`` table: binding id → comma-separated key names.

        Unquoted dotted ids (``feed.reply = "r"``) parse as nested tables in
        TOML; they are flattened back, so both spellings work.
        """
        flat: dict[str, str] = {}
        for binding, keys in _flatten(self.table(value, "keymap")):
            flat[binding] = self.keys(f"keymap.{_key(binding)}", keys)
        return MappingProxyType(flat)

    def keys(self, path: str, value: object) -> str:
        """A key list such as ``"d,x"``, normalised without spaces around commas."""
        what = 'comma-separated key names such as "r" or "d,x"'
        if not isinstance(value, str):
            raise self.must(path, what, value)
        parts = [part.strip() for part in value.split(",")]
        if not all(_is_key_name(part) for part in parts):
            raise self.must(path, what, value)
        return ",".join(parts)

    # --- [[accounts]] ------------------------------------------------------------

    def accounts(self, value: object) -> tuple[AccountConfig, ...]:
        """Every ``[[accounts]]`` block, with unique names."""
        if not isinstance(value, list):
            raise self.must("accounts", "an array of tables ([[accounts]])", value)
        accounts: list[AccountConfig] = []
        first_use: dict[str, int] = {}
        for index, item in enumerate(value):
            account = self.account(item, f"accounts[{index}]")
            if account.name in first_use:
                earlier = first_use[account.name]
                raise self.fail(
                    f"duplicate account name {_show(account.name)} in 'accounts[{index}].name' "
                    f"(already used by accounts[{earlier}])"
                )
            first_use[account.name] = index
            accounts.append(account)
        return tuple(accounts)

    def account(self, value: object, prefix: str) -> AccountConfig:
        """One ``[[accounts]]`` block."""
        if not isinstance(value, dict):
            raise self.must(prefix, "a table", value)
        platform = _platform_or_none(value.get("platform"))
        self.account_keys(value, platform, prefix)
        name = self.account_name(value, prefix)
        platform = self.account_platform(value, prefix)
        return AccountConfig(
            name=name,
            platform=platform,
            base_url=self.base_url(value, prefix),
            token_env=self.token_env(value, prefix),
            extra=self.extras(value, platform, prefix),
            file_token=self.file_token(value, prefix),
            sla_minutes=(
                self.minutes(value["sla_minutes"], f"{prefix}.sla_minutes")
                if "sla_minutes" in value
                else None
            ),
            backfill=self.backfill(value, prefix),
        )

    def backfill(self, table: Mapping[str, Any], prefix: str) -> int:
        """How many recent mentions the first poll reads back: a whole number >= 0."""
        if "backfill" not in table:
            return DEFAULT_BACKFILL
        value = table["backfill"]
        if not _is_int(value) or value < 0:
            raise self.must(f"{prefix}.backfill", "a whole number >= 0", value)
        return value

    def account_keys(
        self, table: Mapping[str, Any], platform: Platform | None, prefix: str
    ) -> None:
        """Unknown keys, judged against the platform's keys when the platform is known."""
        if platform is None:
            self.unknown_keys(table, _ACCOUNT_KEYS + _ALL_EXTRAS, prefix=f"{prefix}.")
            return
        allowed = _ACCOUNT_KEYS + _PLATFORM_EXTRAS[platform]
        for key in table:
            if key in allowed:
                continue
            if key in _ALL_EXTRAS:
                owners = ", ".join(p.value for p, keys in _PLATFORM_EXTRAS.items() if key in keys)
                raise self.fail(
                    f"unknown key '{prefix}.{key}' for platform {_show(platform.value)} "
                    f"(only {owners} accounts take '{key}')"
                )
        self.unknown_keys(table, allowed, prefix=f"{prefix}.")

    def account_name(self, table: Mapping[str, Any], prefix: str) -> str:
        """A non-empty name without whitespace or control characters."""
        name = self.text(table, "name", f"{prefix}.name")
        if any(ch.isspace() or not ch.isprintable() for ch in name):
            raise self.must(f"{prefix}.name", "a name without spaces", name)
        return name

    def account_platform(self, table: Mapping[str, Any], prefix: str) -> Platform:
        """One of the supported networks (or ``demo``)."""
        key = f"{prefix}.platform"
        if "platform" not in table:
            raise self.fail(f"missing key '{key}'")
        platform = _platform_or_none(table["platform"])
        if platform is None:
            choices = tuple(p.value for p in Platform)
            raise self.must(key, f"one of {', '.join(choices)}", table["platform"])
        return platform

    def base_url(self, table: Mapping[str, Any], prefix: str) -> str | None:
        """An optional http(s) URL with a host."""
        if "base_url" not in table:
            return None
        value = table["base_url"]
        if not isinstance(value, str) or not _is_http_url(value):
            raise self.must(f"{prefix}.base_url", "an http(s) URL", value)
        return value

    def token_env(self, table: Mapping[str, Any], prefix: str) -> str | None:
        """An optional environment variable name."""
        if "token_env" not in table:
            return None
        value = table["token_env"]
        if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
            # The value is not echoed: a token pasted here by mistake must not leak.
            raise self.fail(
                f"'{prefix}.token_env' must be the name of an environment variable "
                "(letters, digits, _), not the token itself"
            )
        return value

    def file_token(self, table: Mapping[str, Any], prefix: str) -> str | None:
        """An optional literal token; its value is never echoed."""
        if "token" not in table:
            return None
        value = table["token"]
        if not isinstance(value, str) or not value:
            raise self.fail(f"'{prefix}.token' must be a non-empty string")
        return value

    def extras(
        self, table: Mapping[str, Any], platform: Platform, prefix: str
    ) -> Mapping[str, object]:
        """The platform's own keys, each checked by its validator."""
        checks: dict[str, Callable[[object, str], object]] = {
            "group_id": self.positive_int,
            "user_id": self.non_empty,
            "handle": self.non_empty,
            "simulate": self.simulate,
            "seed": self.whole,
        }
        extra = {
            key: checks[key](table[key], f"{prefix}.{key}")
            for key in _PLATFORM_EXTRAS[platform]
            if key in table
        }
        return MappingProxyType(extra)

    def positive_int(self, value: object, path: str) -> object:
        """A whole number above zero."""
        if not _is_int(value) or value <= 0:
            raise self.must(path, "a positive whole number", value)
        return value

    def whole(self, value: object, path: str) -> object:
        """Any whole number."""
        if not _is_int(value):
            raise self.must(path, "a whole number", value)
        return value

    def non_empty(self, value: object, path: str) -> object:
        """A non-empty string."""
        if not isinstance(value, str) or not value.strip():
            raise self.must(path, "a non-empty string", value)
        return value

    def simulate(self, value: object, path: str) -> object:
        """The network a demo account imitates."""
        if value not in _SIMULATED:
            raise self.must(path, f"one of {', '.join(_SIMULATED)}", value)
        return value


# --- helpers -------------------------------------------------------------------


def _flatten(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, object]]:
    """``{"feed": {"reply": "r"}}`` → ``[("feed.reply", "r")]``."""
    pairs: list[tuple[str, object]] = []
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            pairs.extend(_flatten(value, f"{dotted}."))
        else:
            pairs.append((dotted, value))
    return pairs


def _is_key_name(part: str) -> bool:
    """A loose check of one key name: non-empty, printable, no whitespace."""
    return bool(part) and part.isprintable() and not any(ch.isspace() for ch in part)


def _is_int(value: object) -> TypeGuard[int]:
    """An int that is not a bool (TOML ``true`` parses as a Python bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    """An int or float that is not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_http_url(value: str) -> bool:
    """An absolute http or https URL with a host and no whitespace."""
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _platform_or_none(value: object) -> Platform | None:
    """The platform named by ``value``, or ``None`` if it names none."""
    if not isinstance(value, str):
        return None
    try:
        return Platform(value)
    except ValueError:
        return None


def _suggest(key: str, allowed: tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for a close allowed key, else nothing."""
    close = difflib.get_close_matches(key, allowed, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _key(key: str) -> str:
    """A key as TOML would spell it: bare if it can be, else quoted."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _show(value: object) -> str:
    """A short one-line rendering of a config value for an error message.

    Tables and arrays are named, not dumped: they might hold a token.
    """
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > _SHOW_LIMIT:
        text = text[: _SHOW_LIMIT - 1] + "…"
    return text


def _one_line(text: str) -> str:
    """``text`` with every line break escaped, so a message stays on one line."""
    escaped = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text
    )
    return escaped.translate(_LINE_BREAKS)


#: A commented example ``config.toml`` (the README shows it; the tests load it).
EXAMPLE_CONFIG = """\
# smm-tui configuration (TOML).
#
# Where this file is looked for, first match wins:
#   smm-tui --config PATH
#   $SMM_TUI_CONFIG
#   the per-user config dir (~/.config/smm-tui/config.toml on Linux)
# Unknown keys are errors, so typos are caught at start-up.

# Your name in the audit trail and as an assignee. Defaults to $USER.
user = "anna"

# Who mentions and tickets can be assigned to. Defaults to just `user`.
users = ["anna", "boris", "chen"]

# Where tickets can be routed.
departments = ["Cards", "Mobile app", "Delivery", "Payments", "Fraud", "General"]

# One [[accounts]] block per brand account. `name` must be unique.
# platform: vk | telegram | mastodon | bluesky | x | demo
#
# The access token is read from the environment variable named by token_env.
# A literal `token = "..."` also works, but only if this file is chmod 600;
# prefer token_env, which keeps secrets out of backups and dotfile repos.
# An account's first poll stores its `backfill` most recent mentions (200 by
# default; backfill = 0 starts from now).

[[accounts]]
name = "bank-vk"
platform = "vk"
group_id = 123456                 # the community id, a positive number
token_env = "SMM_VK_TOKEN"

[[accounts]]
name = "bank-tg"
platform = "telegram"
token_env = "SMM_TELEGRAM_TOKEN"

[[accounts]]
name = "bank-mastodon"
platform = "mastodon"
base_url = "https://mastodon.social"  # your instance
token_env = "SMM_MASTODON_TOKEN"

[[accounts]]
name = "bank-bsky"
platform = "bluesky"
handle = "bank.bsky.social"
token_env = "SMM_BLUESKY_APP_PASSWORD"

[[accounts]]
name = "bank-x"
platform = "x"
user_id = "1234567890"            # the numeric account id, as a string
token_env = "SMM_X_BEARER_TOKEN"

# A simulated account: realistic traffic, no network, no token.
# simulate: vk | telegram | mastodon | bluesky | x
[[accounts]]
name = "practice"
platform = "demo"
simulate = "telegram"
seed = 42

# First-response target: every open mention shows the time left, and the
# queue is ordered by it. An account may set its own: sla_minutes = 5.
[sla]
minutes = 10
warn_minutes = 3                  # "about to breach" from this many minutes before
# business_hours = "09:00-18:00"  # count only working time (optional)
# business_days = ["mon", "tue", "wed", "thu", "fri"]
# timezone = "Europe/Moscow"
# Which intents need a response (spam, contest entries and our own comments never do):
# applies_to = ["complaint", "question", "praise", "other"]

# Saved views: sections of the feed with live counts; ] and [ move between them.
# Each is a query as typed after / over the open queue; "*" lists everything.
# These are the defaults.
[views]
Queue = ""
Unassigned = "assignee:none"
Breaching = "is:breaching"
Negative = "sentiment:neg"
Mine = "assignee:me"
All = "*"

# Rules act on each new mention that matches `when` (a query, as after /):
# tag, assign, route to a department (a ticket opens there), spam, or
# raise_priority. The detail view shows which rule fired.
[[rules]]
name = "fraud reports to Fraud"
when = 'intent:complaint "мошен"'
tag = "fraud"
department = "Fraud"
raise_priority = 20

# Words that raise a mention's priority (replaces the built-in list).
[triage]
alarm_keywords = ["мошенники", "fraud", "не работает", "списали", "украли", "scam"]

[demo]
rate_per_minute = 3    # new mentions per minute per demo account
seed = 7               # same seed, same demo traffic

# Rebind keys: "binding id" = "key" or "key1,key2" (Textual key names).
[keymap]
"feed.reply" = "r"
"feed.done_next" = "d,x"
"""
