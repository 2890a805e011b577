"""What ``posts`` and ``growth`` write: one flat record per delivery or follower reading.

Both are written as ``export`` writes mentions
(:func:`smm_tui.core.records.write_records`): JSON Lines or CSV, times ISO 8601
in UTC with a ``Z``, None as ``null`` (JSON) or an empty cell (CSV), one record
per line however the text is split, and CSV cells a spreadsheet would run as a
formula defused. No record holds a token. ``posts --query`` is the Content pane's
filter (:mod:`smm_tui.core.post_query`).
"""

from __future__ import annotations

from smm_tui.core.models import to_iso
from smm_tui.core.posts import Delivery, FollowerReading, Post

POST_FIELDS: tuple[str, ...] = (
    "post_id",
    "account",
    "platform",
    "text",
    "status",
    "scheduled_at",
    "published_at",
    "external_id",
    "url",
    "campaign",
    "error",
    "likes",
    "reposts",
    "replies",
    "views",
    "metrics_at",
)
GROWTH_FIELDS: tuple[str, ...] = ("account", "platform", "at", "followers")


def delivery_record(delivery: Delivery, post: Post | None) -> dict[str, object]:
    """The flat record of one delivery, keyed by :data:`POST_FIELDS` in order."""
    return {
        "post_id": delivery.post_id,
        "account": delivery.account,
        "platform": delivery.platform.value,
        "text": delivery.text,
        "status": delivery.state.value,
        "scheduled_at": to_iso(delivery.scheduled_at),
        "published_at": to_iso(delivery.published_at),
        "external_id": delivery.external_id,
        "url": delivery.url,
        "campaign": post.campaign if post is not None else "",
        "error": delivery.error,
        "likes": delivery.likes,
        "reposts": delivery.reposts,
        "replies": delivery.replies,
        "views": delivery.views,
        "metrics_at": to_iso(delivery.metrics_at),
    }


def reading_record(reading: FollowerReading) -> dict[str, object]:
    """The flat record of one follower reading, keyed by :data:`GROWTH_FIELDS`."""
    return {
        "account": reading.account,
        "platform": reading.platform.value,
        "at": to_iso(reading.at),
        "followers": reading.followers,
    }
