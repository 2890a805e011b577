"""Posts and their deliveries to ``Content``: calendar chips, list rows and a post's detail.

A post's text comes from anyone who can write one (and its URLs from the
networks): it is only ever a literal part of ``Content.assemble``, cleaned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo

from textual.content import Content

from smm_tui.core.calendar import (
    MARKS,
    Entry,
    Status,
    chip_text,
    counters_short,
    counters_words,
    first_line,
    status_of,
)
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Delivery, DeliveryState, Post
from smm_tui.core.sanitize import clean_identity, clean_text
from smm_tui.widgets.render import PLATFORM_LABELS, PLATFORM_NAMES, compact, cut, one_line

#: How each status is coloured.
STATUS_STYLES: Mapping[Status, str] = {
    Status.DRAFT: "$text-muted",
    Status.SCHEDULED: "$text-accent",
    Status.HELD: "bold $text-warning",
    Status.PUBLISHING: "$text-warning",
    Status.PUBLISHED: "$text-success",
    Status.FAILED: "bold $text-error",
}
#: What each mark means, for help.
MARKS_HELP = "Marks: " + ", ".join(f"{MARKS[s]} {s.value}" for s in Status) + "."
COUNTERS_HELP = "Counters of published posts: ♥ likes, ↻ reposts, ↩ replies, ◉ views; — unknown."
IMAGES_NOTE = "Images are not supported yet: posts are text and links."

LATE_NOTE = "late: it waits for a person to confirm it (Publish)"
#: From this width a list row names the status in a word after its mark.
WORDY_ROW = 70


def chip(entry: Entry, *, selected: bool = False) -> Content:
    """A calendar chip: ``09:30 VK ◷``, coloured by status, reversed when selected."""
    style = STATUS_STYLES[entry.status] + (" reverse" if selected else "")
    return Content.styled(chip_text(entry, PLATFORM_LABELS[entry.platform]), style)


def when_text(at: datetime | None, *, year: bool = False, none: str = "draft") -> str:
    """``Thu 26 09:30`` (``Thu 26 Nov 2026 09:30`` with ``year``), or ``none``."""
    if at is None:
        return none
    return at.strftime("%a %d %b %Y %H:%M" if year else "%a %d %H:%M")


def list_row(entry: Entry, width: int) -> Content:
    """A list row: time, account, network, status, the text's first line, counters once out."""
    status = entry.status
    mark = MARKS[status] + (f" {status.value:<10}" if width >= WORDY_ROW else "")
    parts: list[str | tuple[str, str]] = [
        (when_text(entry.at).ljust(13), "$text-muted"),
        (cut(clean_identity(entry.account), 10).ljust(11), "$text-primary"),
        (PLATFORM_LABELS[entry.platform].ljust(3), "bold $text-secondary"),
        (mark + " ", STATUS_STYLES[status]),
    ]
    counters = counters_short(entry.delivery) if status is Status.PUBLISHED else ""
    room = width - sum(len(p if isinstance(p, str) else p[0]) for p in parts)
    room -= len(counters) + 1 if counters else 0
    text = one_line(first_line(entry.delivery.text))
    parts.append(cut(text, max(room, 1)).ljust(max(room, 1)) if counters else cut(text, room))
    if counters:
        parts.append((" " + counters, "$text-muted"))
    return Content.assemble(*compact(parts))


def post_detail(
    post: Post, deliveries: Sequence[Delivery], zone: tzinfo, *, selected: str | None = None
) -> Content:
    """A post in full: its text, versions and campaign, then per account where it stands."""
    when = post.scheduled_at.astimezone(zone) if post.scheduled_at else None
    header: list[str | tuple[str, str]] = [
        ("Post ", "bold"),
        (when_text(when, year=True, none="draft"), "bold $text-accent"),
        (f" · by {clean_identity(post.author)}", "$text-muted"),
    ]
    if post.campaign:
        header += [(" · campaign ", "$text-muted"), (one_line(post.campaign), "bold")]
    lines = [Content.assemble(*header), Content(""), Content(clean_text(post.text))]
    for network, text in sorted(post.versions.items()):
        lines += [Content(""), Content.styled(f"Version for {_network_name(network)}", "bold")]
        lines.append(Content(clean_text(text)))
    lines += [Content(""), Content.styled("Accounts", "bold")]
    for delivery in deliveries:
        lines += delivery_lines(delivery, zone, selected=delivery.id == selected)
    return Content("\n").join(lines)


def _network_name(value: str) -> str:
    try:
        return PLATFORM_NAMES[Platform(value)]
    except ValueError:
        return clean_identity(value)


def delivery_lines(delivery: Delivery, zone: tzinfo, *, selected: bool = False) -> list[Content]:
    """One account's lines in a post's detail: status and time, URL, error, counters."""
    status = status_of(delivery)
    moment = delivery.published_at or delivery.scheduled_at
    when = when_text(moment.astimezone(zone) if moment else None, year=True, none="no time yet")
    pointer = ("▸ ", "bold $text-accent") if selected else "  "
    lines = [
        Content.assemble(
            pointer,
            (clean_identity(delivery.account), "bold $text-primary"),
            (f" {PLATFORM_LABELS[delivery.platform]} ", "bold $text-secondary"),
            (f"{MARKS[status]} {status.value}", STATUS_STYLES[status]),
            (f" · {when}", "$text-muted"),
        )
    ]
    if status is Status.HELD:
        lines.append(Content.styled(f"    {LATE_NOTE}", "$text-warning"))
    if delivery.url:
        lines.append(Content.assemble("    ", (clean_identity(delivery.url), "underline")))
    if delivery.error:
        lines.append(Content.assemble("    ", (one_line(delivery.error), "$text-error")))
    if delivery.state is DeliveryState.PUBLISHED:
        lines.append(Content("    " + counters_words(delivery)))
        read = (
            f"read {delivery.metrics_at.astimezone(zone):%d %b %H:%M}"
            if delivery.metrics_at
            else "not read yet"
        )
        note = f" · {one_line(delivery.metrics_note)}" if delivery.metrics_note else ""
        lines.append(Content.styled(f"    {read}{note}", "$text-muted"))
    return lines
