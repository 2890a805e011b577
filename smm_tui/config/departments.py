"""``departments`` and ``[tickets]``: names, each department's handoff, and its checks.

``departments`` is a list of names or ``[[departments]]`` tables. A table's
``handoff`` decides which keys it needs (a webhook's ``url``, an email's
``smtp_host``, ``from`` and ``to``, a Telegram chat's ``account`` and
``chat_id``) and which it may have; a key of another kind is refused, naming
the kinds that take it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlsplit

from smm_tui.config.errors import Invalid, must, show, toml_key
from smm_tui.config.model import (
    DEFAULT_DEPARTMENTS,
    AccountConfig,
    DepartmentConfig,
    TicketsConfig,
)
from smm_tui.config.schema import DepartmentTable, TicketsTable
from smm_tui.core.platforms import Platform
from smm_tui.core.when import parse_duration

#: The keys each handoff needs, then those it may have; ``name`` and ``handoff`` go with all.
HANDOFF_KEYS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "webhook": (("url",), ("secret_env",)),
    "email": (("smtp_host", "from", "to"), ("smtp_port", "starttls", "username", "password_env")),
    "telegram": (("account", "chat_id"), ()),
    "none": ((), ()),
}


def departments_from(
    entries: list[str | DepartmentTable] | None,
    written: object,
    accounts: tuple[AccountConfig, ...],
) -> tuple[tuple[str, ...], tuple[DepartmentConfig, ...]]:
    """Every department's name (plain names and tables, each once) and the tables.

    ``written`` is the file's ``departments``, so a handoff's keys are the ones written.
    """
    if entries is None:
        return DEFAULT_DEPARTMENTS, ()
    assert isinstance(written, list)
    names: list[str] = []
    tables: list[DepartmentConfig] = []
    for index, entry in enumerate(entries):
        where = f"departments[{index}]"
        if isinstance(entry, DepartmentTable):
            tables.append(_department(entry, written[index], where, accounts))
            name, where = entry.name, f"{where}.name"
        else:
            name = entry
        if name in names:
            raise Invalid(f"'{where}' repeats {show(name)}")
        names.append(name)
    return tuple(names), tuple(tables)


#: The longest a ticket may await its customer: a year (longer would overflow dates).
MAX_CONFIRM_WITHIN = timedelta(days=365)


def tickets_from(table: TicketsTable) -> TicketsConfig:
    """How long a followed-up ticket waits for the customer (checked by pattern already)."""
    wanted = "a duration from 1m to 365d"
    try:
        within = parse_duration(table.confirm_within)
    except (ValueError, OverflowError):
        raise must("tickets.confirm_within", wanted, table.confirm_within) from None
    if not within or within > MAX_CONFIRM_WITHIN:
        raise must("tickets.confirm_within", wanted, table.confirm_within)
    return TicketsConfig(confirm_within=within)


def is_http_url(value: str) -> bool:
    """An absolute http or https URL with a host and no whitespace."""
    if any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _department(
    table: DepartmentTable,
    written: Mapping[str, object],
    prefix: str,
    accounts: tuple[AccountConfig, ...],
) -> DepartmentConfig:
    """One ``[[departments]]`` table, with the keys its handoff takes and no others."""
    _handoff_keys(table.handoff, written, prefix)
    if table.url is not None and not is_http_url(table.url):
        raise must(f"{prefix}.url", "an http(s) URL", table.url)
    if table.account is not None:
        _telegram_account(table.account, f"{prefix}.account", accounts)
    to = (table.to,) if isinstance(table.to, str) else tuple(table.to or ())
    return DepartmentConfig(
        name=table.name,
        handoff=table.handoff,
        url=table.url,
        secret_env=table.secret_env,
        smtp_host=table.smtp_host,
        smtp_port=table.smtp_port,
        starttls=table.starttls,
        sender=table.sender,
        to=tuple(dict.fromkeys(to)),
        username=table.username,
        password_env=table.password_env,
        account=table.account,
        chat_id=None if table.chat_id is None else str(table.chat_id),
    )


def _handoff_keys(kind: str, written: Mapping[str, object], prefix: str) -> None:
    """Refuse a key of another handoff kind, then a key this kind needs and lacks."""
    needed, optional = HANDOFF_KEYS[kind]
    for key in written:
        if key in ("name", "handoff", *needed, *optional):
            continue
        owners = [other for other, keys in HANDOFF_KEYS.items() if key in (*keys[0], *keys[1])]
        raise Invalid(
            f"unknown key '{prefix}.{toml_key(key)}' for handoff {show(kind)} "
            f"(only {', '.join(owners)} departments take '{key}')"
        )
    for key in needed:
        if key not in written:
            raise Invalid(f"missing key '{prefix}.{key}' (handoff {show(kind)} needs it)")
    # SMTP logs in with both or with neither.
    for key, other in (("username", "password_env"), ("password_env", "username")):
        if key in written and other not in written:
            raise Invalid(f"missing key '{prefix}.{other}' ({key} is set)")
    if "username" in written and written.get("starttls") is False:
        raise Invalid(
            f"'{prefix}.starttls' must be true when username is set "
            "(the password would cross the network in clear)"
        )


def _telegram_account(name: str, path: str, accounts: tuple[AccountConfig, ...]) -> None:
    """``name`` is a configured ``[[accounts]]`` of platform telegram (its bot posts)."""
    account = next((a for a in accounts if a.name == name), None)
    if account is None or account.platform is not Platform.TELEGRAM:
        telegram = [a.name for a in accounts if a.platform is Platform.TELEGRAM]
        listed = f" ({', '.join(telegram)})" if telegram else " (none is configured)"
        raise must(path, f"the name of a telegram account in [[accounts]]{listed}", name)
