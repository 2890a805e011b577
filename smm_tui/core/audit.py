"""Audit events: every state change records who did what, and when."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from smm_tui.core.models import AuditEvent
from smm_tui.core.repository import ChangeSet, Collection

Clock = Callable[[], datetime]


def new_id() -> str:
    """A random 64-bit id, unique across processes without coordination."""
    return secrets.token_hex(8)


def record_event(
    changes: ChangeSet,
    *,
    at: datetime,
    actor: str,
    entity: str,
    entity_id: str,
    action: str,
    **detail: Any,
) -> ChangeSet:
    """Add an audit event to ``changes`` (committed together with the change it describes)."""
    event = AuditEvent(new_id(), at, actor, entity, entity_id, action, detail)
    return changes.put(Collection.AUDIT, event.to_record())
