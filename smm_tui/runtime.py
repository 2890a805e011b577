"""The composition root: config and data dir in, a store, adapters and a workspace out.

This is the one module that knows every layer. The CLI calls it for the app
and for headless commands; tests call it to build the real thing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from smm_tui.adapters.base import Adapter
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.adapters.mastodon import MastodonAdapter
from smm_tui.config import AccountConfig, Config
from smm_tui.core.audit import new_id
from smm_tui.core.models import Platform, utcnow
from smm_tui.core.workspace import AccountSource, Settings, Workspace
from smm_tui.store.store import Store


class AdapterUnavailable(Exception):
    """An account's network has no adapter in this version (the message names the account)."""


def build_adapter(
    account: AccountConfig,
    config: Config,
    *,
    env: Mapping[str, str],
    clock: Callable[[], datetime],
    index: int,
) -> Adapter:
    """The adapter for one configured account."""
    if account.platform is Platform.MASTODON:
        return _mastodon(account, env, clock)
    if account.platform is Platform.DEMO:
        simulate = Platform(str(account.extra.get("simulate", "vk")))
        seed = account.extra.get("seed", config.demo.seed + index)
        return DemoAdapter(
            account.name,
            simulate=simulate,
            seed=int(str(seed)),
            rate_per_minute=config.demo.rate_per_minute,
            clock=clock,
        )
    raise AdapterUnavailable(
        f"account {account.name!r}: the {account.platform.value} adapter is not available "
        "in this version yet; it is left out"
    )


def _mastodon(
    account: AccountConfig, env: Mapping[str, str], clock: Callable[[], datetime]
) -> Adapter:
    if not account.base_url:
        raise AdapterUnavailable(
            f"mastodon account {account.name!r} needs base_url (its instance, "
            "e.g. https://mastodon.social); it is left out"
        )
    token = account.token(env)
    if not token:
        where = f"set {account.token_env}" if account.token_env else "set token_env in the config"
        raise AdapterUnavailable(
            f"mastodon account {account.name!r} has no token: {where}; it is left out"
        )
    return MastodonAdapter(account.name, base_url=account.base_url, token=token, clock=clock)


def build_sources(
    config: Config,
    *,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> tuple[dict[str, AccountSource], list[str]]:
    """Adapters for every account that has one, and a warning line per account left out."""
    sources: dict[str, AccountSource] = {}
    warnings: list[str] = []
    for index, account in enumerate(config.accounts):
        try:
            sources[account.name] = build_adapter(
                account, config, env=env or {}, clock=clock, index=index
            )
        except AdapterUnavailable as exc:
            warnings.append(str(exc))
    return sources, warnings


def settings_from(config: Config) -> Settings:
    """The workspace settings a config gives."""
    return Settings(departments=config.departments, users=config.users)


@contextmanager
def open_workspace(
    data_dir: Path,
    config: Config,
    *,
    sources: Mapping[str, AccountSource] | None = None,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = utcnow,
    make_id: Callable[[], str] = new_id,
) -> Iterator[tuple[Workspace, list[str]]]:
    """Open the store and build the workspace; closes the store (finishing writes) after.

    Without ``sources``, adapters are built from the config, taking tokens from ``env``.
    """
    warnings: list[str] = []
    if sources is None:
        sources, warnings = build_sources(config, env=env, clock=clock)
    store = Store.open(data_dir)
    try:
        workspace = Workspace(
            store,
            actor=config.user,
            sources=sources,
            settings=settings_from(config),
            clock=clock,
            make_id=make_id,
        )
        yield workspace, [*store.warnings, *warnings]
    finally:
        store.close()


def with_user(config: Config, user: str | None) -> Config:
    """The config with another acting user (for ``--user``)."""
    if not user:
        return config
    users = config.users if user in config.users else (*config.users, user)
    return dataclasses.replace(config, user=user, users=users)
