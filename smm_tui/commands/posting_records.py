"""What ``posts`` and ``growth`` write: one flat record per delivery or follower reading.

Both write JSON Lines or CSV as ``export`` does: times ISO 8601 in UTC with a
``Z``, None as ``null`` (JSON) or an empty cell (CSV), one record per line
however the text is split, and CSV cells a spreadsheet would run as a formula
defused. No record holds a token. ``posts --query`` is the Content pane's
filter (:mod:`smm_tui.core.post_query`).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from typing import TextIO

from smm_tui.core.models import to_iso
from smm_tui.core.posts import Delivery, FollowerReading, Post
from smm_tui.core.records import csv_safe

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

Record = Mapping[str, object]

# json.dumps(ensure_ascii=False) leaves these as they are, but str.splitlines() splits on them.
_LINE_SEPARATORS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})
_SURROGATE = re.compile("[\ud800-\udfff]")


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


def write_records(records: Iterable[Record], fields: tuple[str, ...], fmt: str, out: TextIO) -> int:
    """Write ``records`` as JSON Lines or CSV (with a header); returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(fields)
        for record in records:
            writer.writerow([csv_safe(_cell(record[name])) for name in fields])
            count += 1
        return count
    for record in records:
        out.write(_json_line({name: record[name] for name in fields}) + "\n")
        count += 1
    return count


def _json_line(record: Record) -> str:
    line = json.dumps(record, ensure_ascii=False)
    if _SURROGATE.search(line):
        return json.dumps(record, ensure_ascii=True)  # a lone surrogate cannot be UTF-8
    return line.translate(_LINE_SEPARATORS)


def _cell(value: object) -> str:
    return "" if value is None else _SURROGATE.sub("\ufffd", str(value))
