"""Which adapter serves which network: one entry per network, and nothing else to wire.

A network's facts (its name, reply limit, config keys, whether it needs a
token or a base_url) are in :data:`smm_tui.core.platforms.PLATFORMS`; how to
build its adapter is its factory in :data:`ENTRIES` here. The composition root checks the
token and the base_url from those facts and then calls :func:`build`, so a
new network is one adapter module, one :data:`ENTRIES` line and one fake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Protocol

from smm_tui.adapters.base import Adapter
from smm_tui.adapters.bluesky import BlueskyAdapter
from smm_tui.adapters.connection import Connection
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.adapters.mastodon import MastodonAdapter
from smm_tui.adapters.telegram import TelegramAdapter
from smm_tui.adapters.vk import VKAdapter
from smm_tui.adapters.x import XAdapter
from smm_tui.core.models import Platform

__all__ = ["ENTRIES", "AccountSettings", "AdapterFactory", "build"]


class AccountSettings(Protocol):
    """What a factory reads of one configured account (a :class:`~smm_tui.config.AccountConfig`)."""

    @property
    def name(self) -> str:
        """The account's name in the config."""
        ...

    @property
    def platform(self) -> Platform:
        """The network it is on."""
        ...

    @property
    def extra(self) -> Mapping[str, object]:
        """The network's own keys (``group_id``, ``handle``, ``user_id``, ``simulate``...)."""
        ...


#: Builds one account's adapter from its settings and its connection.
AdapterFactory = Callable[[AccountSettings, Connection], Adapter]


def _demo(account: AccountSettings, connection: Connection) -> Adapter:
    simulation = connection.simulation
    simulate = Platform(str(account.extra.get("simulate", Platform.VK.value)))
    seed = int(str(account.extra.get("seed", simulation.seed)))
    make = DemoAdapter.working_day if simulation.working_day else DemoAdapter
    return make(
        account.name,
        simulate=simulate,
        seed=seed,
        rate_per_minute=simulation.rate_per_minute,
        clock=connection.clock,
    )


def _key(account: AccountSettings, name: str) -> str:
    return str(account.extra[name])


ENTRIES: Mapping[Platform, AdapterFactory] = MappingProxyType(
    {
        Platform.VK: lambda account, connection: VKAdapter(
            account.name, connection, group_id=int(_key(account, "group_id"))
        ),
        Platform.TELEGRAM: lambda account, connection: TelegramAdapter(
            account.name,
            connection,
            channel=str(account.extra["channel"]) if "channel" in account.extra else None,
        ),
        Platform.MASTODON: lambda account, connection: MastodonAdapter(account.name, connection),
        Platform.BLUESKY: lambda account, connection: BlueskyAdapter(
            account.name, connection, handle=_key(account, "handle")
        ),
        Platform.X: lambda account, connection: XAdapter(
            account.name, connection, user_id=_key(account, "user_id")
        ),
        Platform.DEMO: _demo,
    }
)


def build(account: AccountSettings, connection: Connection) -> Adapter:
    """The adapter of ``account``, built by its network's factory."""
    return ENTRIES[account.platform](account, connection)
