"""How an incident is drawn: its head line, its members per network, its sending progress.

Everything here builds :class:`~textual.content.Content` from values; the incident's
title and the mentions' texts come from the networks, so none of it is ever markup.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content

from smm_tui.core.incidents import Incident, IncidentProgress, IncidentState
from smm_tui.core.models import Platform, ReplyState
from smm_tui.widgets.render import PLATFORM_NAMES, cut, one_line

#: How a member's reply of this incident is marked on its row.
REPLY_MARKS: Mapping[ReplyState | None, tuple[str, str]] = {
    None: ("·", "$text-muted"),
    ReplyState.QUEUED: ("…", "$text-accent"),
    ReplyState.SENDING: ("↗", "bold $text-accent"),
    ReplyState.SENT: ("✓", "bold $text-success"),
    ReplyState.FAILED: ("✗", "bold $text-error"),
}


def incident_head(incident: Incident, title_cells: int) -> Content:
    """``Incident I-2026-0001 · open · <title>``, the title cut to ``title_cells``."""
    state = "resolved" if incident.state is IncidentState.RESOLVED else "open"
    if incident.paused and incident.state is IncidentState.OPEN:
        state = "open, paused"
    return Content.assemble(
        ("Incident ", "bold"),
        (incident.id, "bold"),
        ("  ·  ", "$text-muted"),
        state,
        ("  ·  ", "$text-muted"),
        cut(one_line(incident.title), title_cells),
    )


def network_counts(by_network: Mapping[str, int]) -> Content:
    """``VK 60 · X 58 · Mastodon 61``: how many of its mentions each network holds."""
    parts: list[Content] = []
    for value, count in sorted(by_network.items(), key=lambda item: (-item[1], item[0])):
        try:
            name = PLATFORM_NAMES[Platform(value)]
        except ValueError:
            name = value
        parts.append(Content.assemble((name, "bold $text-secondary"), f" {count}"))
    return Content(" · ").join(parts) if parts else Content("no mentions")


def progress_line(progress: IncidentProgress, incident: Incident) -> Content:
    """What the sending has done: ``Replies 120/300 sent · 3 failed · 177 to go``."""
    if not incident.reply_text and not (progress.queued or progress.sending or progress.sent):
        return Content.styled("No reply yet: r writes one for all of them.", "$text-muted")
    parts: list[Content] = [
        Content.assemble(("Replies ", "bold"), f"{progress.sent}/{progress.total} sent")
    ]
    if progress.failed:
        parts.append(Content.styled(f"{progress.failed} failed", "bold $text-error"))
    waiting = progress.queued + progress.sending
    if waiting:
        parts.append(Content(f"{waiting} on their way"))
    if progress.unanswered:
        parts.append(Content.styled(f"{progress.unanswered} not answered", "$text-warning"))
    if progress.skipped:
        parts.append(Content.styled(f"{progress.skipped} answered before", "$text-muted"))
    if incident.paused and waiting:
        parts.append(Content.styled("paused", "bold $text-warning"))
    return Content(" · ").join(parts)
