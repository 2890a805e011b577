"""How fast one account may be written to: a number per window and a gap between two.

Each network limits how fast one account may post, and hundreds of near-identical
replies in a burst look like spam besides. :data:`DEFAULT_PACES` keeps each network
under its documented limit; ``[incidents] per_minute`` sets another.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from smm_tui.core.models import Platform


@dataclass(frozen=True, slots=True)
class Pace:
    """How fast one account may be sent replies: at most ``count`` per ``window``, and
    ``gap`` from the end of one send to the start of the next."""

    count: int
    window: timedelta
    gap: timedelta

    @classmethod
    def per_minute(cls, count: float) -> Pace:
        """``count`` a minute, evenly spread (``[incidents] per_minute``)."""
        return cls(max(1, int(count)), timedelta(minutes=1), timedelta(seconds=60 / count))


#: Each network's pace, under its documented limits (each with its source).
DEFAULT_PACES: Mapping[Platform, Pace] = MappingProxyType(
    {
        # VK: 3 requests a second per client (https://rdrr.io/cran/vkR/man/request_delay.html);
        # a community token's limit is not published, and repeated comments meet flood
        # control (error 9). So one a second, and 20 a minute.
        Platform.VK: Pace(20, timedelta(minutes=1), timedelta(seconds=1)),
        # X: creating posts, 100 per 15 minutes per user
        # (https://docs.x.com/x-api/getting-started/pricing and its rate-limit table; a
        # recorded response showed 200 per 15 minutes on an app: the lower holds).
        Platform.X: Pace(100, timedelta(minutes=15), timedelta(seconds=3)),
        # Mastodon: statuses 300 per 3 hours (mastodon/mastodon app/lib/rate_limiter.rb),
        # and 300 requests per 5 minutes per account (docs: api/rate-limits) shared with
        # polling: one every 2 seconds at most.
        Platform.MASTODON: Pace(300, timedelta(hours=3), timedelta(seconds=2)),
        # Bluesky: writes are 5,000 points an hour per account and a create costs 3, about
        # 1,666 an hour (https://docs.bsky.app/docs/advanced-guides/rate-limits); one a
        # second under that.
        Platform.BLUESKY: Pace(1600, timedelta(hours=1), timedelta(seconds=1)),
        # Telegram: about 1 message a second per chat and 20 a minute per group (the Bot
        # API FAQ's guidance, not a contract); the replies mostly go to one group.
        Platform.TELEGRAM: Pace(20, timedelta(minutes=1), timedelta(seconds=1)),
        # The demo's simulated accounts have no limits: fast enough to watch.
        Platform.DEMO: Pace(120, timedelta(minutes=1), timedelta(seconds=0.5)),
    }
)


@dataclass(slots=True)
class Pacer:
    """When an account may be sent its next reply."""

    pace: Pace
    starts: deque[datetime] = field(default_factory=deque)
    last_end: datetime | None = None
    #: The latest rate limit any reply to the account had when the pacer was made.
    blocked_until: datetime | None = None

    def ready_at(self, now: datetime) -> datetime:
        """The soonest the next send may start, from ``now`` on."""
        while self.starts and self.starts[0] <= now - self.pace.window:
            self.starts.popleft()
        at = max(now, self.blocked_until or now)
        if self.last_end is not None:
            at = max(at, self.last_end + self.pace.gap)
        if len(self.starts) >= self.pace.count:
            at = max(at, self.starts[-self.pace.count] + self.pace.window)
        return at
