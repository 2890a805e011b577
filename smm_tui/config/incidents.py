"""``[incidents]``: how fast an incident's replies go to one account, by network.

``per_minute = { vk = 20, mastodon = 30 }`` paces each named network at that many
replies a minute, evenly spread; the others keep the built-in paces of
:data:`smm_tui.core.incident_sender.DEFAULT_PACES` (each with its source there).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import msgspec

from smm_tui.config.model import Config, IncidentsConfig
from smm_tui.config.schema import IncidentsTable
from smm_tui.core.models import Platform
from smm_tui.core.pacing import DEFAULT_PACES, Pace


def incidents_from(table: IncidentsTable) -> IncidentsConfig:
    """The table as read (its numbers are checked by type already)."""
    given = msgspec.structs.asdict(table.per_minute)
    return IncidentsConfig(
        MappingProxyType({name: value for name, value in given.items() if value is not None})
    )


def incident_paces(config: Config) -> Mapping[Platform, Pace]:
    """Each network's pace: the config's ``per_minute``, else the built-in one."""
    paces = dict(DEFAULT_PACES)
    for name, count in config.incidents.per_minute.items():
        paces[Platform(name)] = Pace.per_minute(count)
    return MappingProxyType(paces)
