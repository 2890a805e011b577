"""Publishing's domain: posts, their deliveries to accounts, and follower readings.

A :class:`Post` is written once, with a main text and an optional version per
network, for one or more accounts. Each (post, account) pair is a
:class:`Delivery`, which goes through the outbox as a reply does: recorded
before it is sent, claimed by one process, and never published twice. Status
is per delivery: one account may have published while another failed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from smm_tui.core.codec import Recorded, stored
from smm_tui.core.platforms import Platform


class DeliveryState(enum.StrEnum):
    """Where one post stands on one account.

    ``draft`` → ``scheduled`` → ``publishing`` (durable just before the POST) →
    ``published`` or ``failed``. ``publishing`` survives a crash and is settled
    on the next start by looking for the post on the account.
    """

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"

    @property
    def editable(self) -> bool:
        """Whether the post may still be changed, unscheduled or deleted on this account."""
        return self in (DeliveryState.DRAFT, DeliveryState.SCHEDULED, DeliveryState.FAILED)


@dataclass(frozen=True, slots=True)
class Post(Recorded):
    """One piece of content for one or more accounts.

    ``versions`` maps a network's name (``"x"``) to the text that network gets
    instead of ``text``. ``scheduled_at`` is when it goes out (None: a draft).
    """

    id: str
    text: str
    accounts: tuple[str, ...]
    author: str
    created_at: datetime
    updated_at: datetime
    versions: dict[str, str] = field(default_factory=dict)
    campaign: str = ""
    scheduled_at: datetime | None = None
    rev: int = 0

    def text_for(self, platform: Platform) -> str:
        """The text written for ``platform``: its own version, else the main text."""
        return self.versions.get(platform.value) or self.text


def delivery_id(post_id: str, account: str) -> str:
    """The id of a post's delivery to an account (stable: it is the network's idempotency key)."""
    return f"{post_id}:{account}"


@dataclass(frozen=True, slots=True)
class Delivery(Recorded):
    """One post on one account: what is sent, its state, and its numbers once published.

    ``text`` is exactly what goes out (the network's version with its links
    tagged). ``held`` marks a post that fell due long ago while nothing was
    running: it waits for a person. ``not_before`` is a network's rate limit.
    ``attempted_at`` is when the last attempt began, so a lost answer is looked
    for among the account's posts from then on. The counters are None until
    read, and stay None where the network cannot give them (``metrics_note``).
    """

    post_id: str
    account: str
    platform: Platform
    text: str
    # Required when read: a delivery that lost its state must not default to one that sends.
    state: DeliveryState = field(default=DeliveryState.DRAFT, metadata=stored(required=True))
    scheduled_at: datetime | None = None
    published_at: datetime | None = None
    external_id: str | None = None
    url: str | None = None
    error: str | None = None
    attempts: int = 0
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    attempted_at: datetime | None = None
    uncertain: bool = False
    held: bool = False
    not_before: datetime | None = None
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    views: int | None = None
    metrics_at: datetime | None = None
    metrics_note: str = ""
    #: How many of the scheduled counter readings (1 h, 24 h, 7 days) are done.
    metrics_checks: int = 0
    rev: int = 0

    record_extras: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def id(self) -> str:
        """One delivery per post and account (see :func:`delivery_id`)."""
        return delivery_id(self.post_id, self.account)


@dataclass(frozen=True, slots=True)
class FollowerReading(Recorded):
    """An account's follower (subscriber, member) count as the network gave it at ``at``."""

    account: str
    platform: Platform
    at: datetime
    followers: int

    record_extras: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def id(self) -> str:
        """One reading per account and moment."""
        return f"{self.account}@{self.at.isoformat()}"
