"""A parsed TOML document to a :class:`Config`: msgspec checks the types, this the rest.

What a type cannot say is checked here, in file order where it can be: a name
without spaces, an http(s) URL, unique account names, a time zone that exists,
business hours that end after they start, quiet hours, views and rule queries that parse,
rules that name real users and departments, key bindings, and each department's
handoff: the keys its kind needs, none of another kind's, a real Telegram account.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import msgspec

from smm_tui.config.departments import departments_from, is_http_url, tickets_from
from smm_tui.config.errors import Invalid, explain, must, show, toml_key
from smm_tui.config.incidents import incidents_from
from smm_tui.config.model import (
    DEFAULT_APPLIES_TO,
    AccountConfig,
    Config,
    DemoConfig,
    PublishingConfig,
    RuleConfig,
    SlaConfig,
    TrendsConfig,
    default_user,
)
from smm_tui.config.saved_replies import replies_from_tables
from smm_tui.config.schema import (
    ACCOUNT_TABLES,
    AccountTable,
    Document,
    PublishingTable,
    RuleTable,
    SlaTable,
    TrendsTable,
)
from smm_tui.core.platforms import PLATFORMS
from smm_tui.core.query import QueryError, parse
from smm_tui.core.spikes import QuietHours
from smm_tui.core.when import parse_duration

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))")
_QUIET_HOURS = re.compile(r"((?:[01]\d|2[0-3]):[0-5]\d)-((?:[01]\d|2[0-3]):[0-5]\d)")
_PLATFORM_OF = {table: platform for platform, table in ACCOUNT_TABLES.items()}
_KEY_NAMES = 'comma-separated key names such as "r" or "d,x"'


def build_config(document: dict[str, Any], env: Mapping[str, str]) -> Config:
    """Validate ``document``; :class:`Invalid` names the first problem."""
    try:
        typed = msgspec.convert(document, Document)
    except msgspec.ValidationError as exc:
        raise explain(exc, document) from None
    user = typed.user or default_user(env)
    users = _distinct("users", typed.users) or (user,)
    accounts = _accounts(typed.accounts)
    departments, handoffs = departments_from(
        typed.departments, document.get("departments"), accounts
    )
    keywords = _distinct("triage.alarm_keywords", typed.triage.alarm_keywords)
    return Config(
        user=user,
        accounts=accounts,
        demo=DemoConfig(typed.demo.rate_per_minute, typed.demo.seed),
        sla=_sla(typed.sla, document.get("sla", {})),
        publishing=_publishing(typed.publishing),
        alarm_keywords=keywords or None,
        views=None if typed.views is None else _views(typed.views),
        rules=tuple(
            _rule(rule, f"rules[{index}]", users, departments)
            for index, rule in enumerate(typed.rules)
        ),
        keymap=_keymap(typed.keymap),
        departments=departments,
        handoffs=handoffs,
        tickets=tickets_from(typed.tickets),
        trends=_trends(typed.trends),
        incidents=incidents_from(typed.incidents),
        saved_replies=replies_from_tables(typed.saved_replies),
        users=users,
    )


def _distinct(key: str, names: list[str] | None) -> tuple[str, ...]:
    """``names`` (checked by type to be non-empty strings), refusing a repeat."""
    seen: set[str] = set()
    for index, name in enumerate(names or ()):
        if name in seen:
            raise Invalid(f"'{key}[{index}]' repeats {show(name)}")
        seen.add(name)
    return tuple(names or ())


# --- [[accounts]] ------------------------------------------------------------------


def _accounts(tables: list[AccountTable]) -> tuple[AccountConfig, ...]:
    """Every account, with unique names."""
    first_use: dict[str, int] = {}
    accounts: list[AccountConfig] = []
    for index, table in enumerate(tables):
        account = _account(table, f"accounts[{index}]")
        if account.name in first_use:
            raise Invalid(
                f"duplicate account name {show(account.name)} in 'accounts[{index}].name' "
                f"(already used by accounts[{first_use[account.name]}])"
            )
        first_use[account.name] = index
        accounts.append(account)
    return tuple(accounts)


def _account(table: AccountTable, prefix: str) -> AccountConfig:
    """One account: the common keys, then the network's own into ``extra``."""
    if any(ch.isspace() or not ch.isprintable() for ch in table.name):
        raise must(f"{prefix}.name", "a name without spaces", table.name)
    platform = _PLATFORM_OF[type(table)]
    base_url: str | None = getattr(table, "base_url", None)
    if base_url is not None and not is_http_url(base_url):
        raise must(f"{prefix}.base_url", "an http(s) URL", base_url)
    present = ((key.name, getattr(table, key.name)) for key in PLATFORMS[platform].config_keys)
    return AccountConfig(
        name=table.name,
        platform=platform,
        base_url=base_url,
        token_env=getattr(table, "token_env", None),
        extra=MappingProxyType({k: v for k, v in present if v is not msgspec.UNSET}),
        file_token=getattr(table, "token", None),
        sla_minutes=table.sla_minutes,
        backfill=table.backfill,
    )


# --- [publishing] ------------------------------------------------------------------


def _publishing(table: PublishingTable) -> PublishingConfig:
    """UTM tagging and its domains, and the two durations (checked by pattern already)."""
    late, every = parse_duration(table.late_limit), parse_duration(table.growth_every)
    if every.total_seconds() < 60:
        raise must("publishing.growth_every", "a duration of a minute or more", table.growth_every)
    domains = _distinct("publishing.own_domains", table.own_domains)
    return PublishingConfig(table.utm, tuple(d.lower() for d in domains), late, every)


# --- [trends] ----------------------------------------------------------------------


def _trends(table: TrendsTable) -> TrendsConfig:
    """The sensitivity and count (checked by type already), quiet hours and ignored words."""
    spans = table.quiet_hours
    if spans is None:
        quiet: tuple[QuietHours, ...] = ()
    elif isinstance(spans, str):
        quiet = (_quiet_hours("trends.quiet_hours", spans),)
    else:
        quiet = tuple(
            _quiet_hours(f"trends.quiet_hours[{index}]", span) for index, span in enumerate(spans)
        )
    ignore = _distinct("trends.ignore", table.ignore)
    for index, word in enumerate(ignore):
        if any(ch.isspace() for ch in word):
            raise must(f"trends.ignore[{index}]", "a word or #hashtag without spaces", word)
    return TrendsConfig(table.sensitivity, table.min_count, quiet, ignore)


def _quiet_hours(path: str, value: str) -> QuietHours:
    """``"22:00-08:00"`` (it may cross midnight; an empty span is refused)."""
    match = _QUIET_HOURS.fullmatch(value)
    if match is None or match.group(1) == match.group(2):
        raise must(path, 'a range such as "22:00-08:00"', value)
    return QuietHours.parse(value)


# --- [sla] -----------------------------------------------------------------------


def _sla(table: SlaTable, raw: Mapping[str, object]) -> SlaConfig:
    """The target, its warning, business hours and the intents it applies to.

    ``raw`` is the file's ``[sla]``, so an error shows a number as it was written.
    """
    warn = min(3.0, table.minutes / 2) if table.warn_minutes is None else table.warn_minutes
    if not math.isfinite(warn) or warn >= table.minutes:
        wanted = f"a number from 0 to below {table.minutes:g}"
        raise must("sla.warn_minutes", wanted, raw.get("warn_minutes"))
    if not _is_zone(table.timezone):
        raise must("sla.timezone", "a time zone name such as Europe/Moscow", table.timezone)
    return SlaConfig(
        minutes=table.minutes,
        warn_minutes=warn,
        business_hours=_business_hours(table.business_hours),
        business_days=tuple(sorted({_DAYS.index(day.lower()[:3]) for day in table.business_days})),
        timezone=table.timezone,
        applies_to=(
            DEFAULT_APPLIES_TO
            if table.applies_to is None
            else tuple(dict.fromkeys(intent.value for intent in table.applies_to))
        ),
    )


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return False
    return True


def _business_hours(value: str | None) -> tuple[str, str] | None:
    """``"09:00-18:00"`` as ``("09:00", "18:00")``; None when absent."""
    if value is None:
        return None
    match = _HOURS.fullmatch(value)
    start = f"{match.group(1)}:{match.group(2)}" if match else ""
    end = ((match.group(3) and f"{match.group(3)}:{match.group(4)}") or "24:00") if match else ""
    if match is None or start >= end:
        raise must("sla.business_hours", 'a range such as "09:00-18:00"', value)
    return start, end


# --- [views], [[rules]], [keymap] ------------------------------------------------------


def _views(table: dict[str, object]) -> Mapping[str, str]:
    """Each view a query in the query language, checked now."""
    if not table:
        raise must("views", "at least one view (name = query)", table)
    views: dict[str, str] = {}
    for name, query in table.items():
        if not isinstance(query, str):
            raise must(f"views.{toml_key(name)}", "a query string", query)
        if query.strip() != "*":
            _parses(query, f"views.{toml_key(name)}")
        views[name] = query
    return MappingProxyType(views)


def _parses(query: str, path: str) -> None:
    try:
        parse(query)
    except QueryError as exc:
        raise Invalid(f"'{path}': {exc}") from None


def _rule(
    table: RuleTable, prefix: str, users: tuple[str, ...], departments: tuple[str, ...]
) -> RuleConfig:
    """One rule: its query parses and it names a real user and department."""
    _parses(table.when, f"{prefix}.when")
    if table.assign is not None and table.assign not in users:
        raise must(f"{prefix}.assign", f"one of users ({', '.join(users)})", table.assign)
    if table.department is not None and table.department not in departments:
        raise must(f"{prefix}.department", "one of departments", table.department)
    tags = (table.tag,) if isinstance(table.tag, str) else tuple(table.tag)
    return RuleConfig(
        name=table.name,
        when=table.when,
        tags=tags,
        assign=table.assign,
        department=table.department,
        spam=table.spam,
        raise_priority=table.raise_priority,
    )


def _keymap(table: Mapping[str, object]) -> Mapping[str, str]:
    """Binding id → comma-separated key names, normalised without spaces around commas.

    Unquoted dotted ids (``feed.reply = "r"``) parse as nested tables in TOML;
    they are flattened back, so both spellings work.
    """
    flat: dict[str, str] = {}
    for binding, keys in _flatten(table):
        path = f"keymap.{toml_key(binding)}"
        if not isinstance(keys, str):
            raise must(path, _KEY_NAMES, keys)
        parts = [part.strip() for part in keys.split(",")]
        if not all(_is_key_name(part) for part in parts):
            raise must(path, _KEY_NAMES, keys)
        flat[binding] = ",".join(parts)
    return MappingProxyType(flat)


def _flatten(table: Mapping[str, object], prefix: str = "") -> list[tuple[str, object]]:
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
