"""Domain objects to ``Content``: the only place that styles text from a network.

Untrusted strings are only ever passed as literal text parts of
``Content.assemble``; no markup is parsed from them. They are cleaned again
on the way out (cheap, visible rows only) in case a record predates a rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from textual.content import Content

from smm_tui.core import priority, sla
from smm_tui.core.classify import classify_mention
from smm_tui.core.models import (
    Mention,
    Platform,
    Reply,
    ReplyState,
    RevisionKind,
    Sentiment,
    Status,
)
from smm_tui.core.platforms import PLATFORMS
from smm_tui.core.query import QueryError
from smm_tui.core.sanitize import clean_identity, clean_text

STATUS_GLYPHS: dict[Status, str] = {
    Status.NEW: "●",
    Status.SEEN: "○",
    Status.REPLIED: "↩",
    Status.TICKETED: "⚑",
    Status.FOLLOW_UP: "✉",
    Status.DONE: "✓",
}

#: The feed's two-letter network column and the full names dialogs use, from the registry.
PLATFORM_LABELS: Mapping[Platform, str] = {p: entry.label for p, entry in PLATFORMS.items()}
PLATFORM_NAMES: Mapping[Platform, str] = {p: entry.name for p, entry in PLATFORMS.items()}

REPLY_STATE_LABELS: dict[ReplyState, str] = {
    ReplyState.QUEUED: "queued",
    ReplyState.SENDING: "sending…",
    ReplyState.SENT: "sent",
    ReplyState.FAILED: "FAILED",
}


def one_line(text: str) -> str:
    """Collapse whitespace so a body fits a list row."""
    return " ".join(clean_text(text).split())


def author_label(mention: Mention) -> str:
    """``Display Name (@handle)``, or just the handle."""
    name = clean_identity(mention.author.display_name)
    handle = clean_identity(mention.author.handle)
    return f"{name} ({handle})" if name and name != handle else handle


def local(moment: datetime) -> datetime:
    """A time in the machine's local zone (``TZ``), as the manager reads clocks."""
    return moment.astimezone()


def short_time(moment: datetime, now: datetime) -> str:
    """``HH:MM`` today, ``DD Mon`` before that, in local time."""
    moment, now = local(moment), local(now)
    if moment.date() == now.date():
        return moment.strftime("%H:%M")
    return moment.strftime("%d %b")


SLA_STYLES = {
    sla.SlaState.ON_TIME: "$text-success",
    sla.SlaState.AT_RISK: "bold $text-warning",
    sla.SlaState.BREACHED: "bold $text-error",
}


def when_cell(mention: Mention, now: datetime, warn_before: timedelta) -> tuple[str, str]:
    """The time column: time left to answer (with ⚠ or ‼) while awaited, else the clock time."""
    state = sla.state(mention, now, warn_before)
    left = sla.label(mention, now, warn_before)
    if left is None:
        return short_time(mention.created_at, now).ljust(6), "$text-muted"
    return left.ljust(6), SLA_STYLES[state]


def mention_row(
    mention: Mention,
    now: datetime,
    *,
    marked: bool,
    warn_before: timedelta = sla.DEFAULT_WARN,
    busy: bool = False,
    drafted: bool = False,
    wide: bool = False,
) -> Content:
    """One feed row: mark, status (✎ while someone else replies), draft, time left, network,
    author, then who has it and its tags (columns, with tone, when ``wide``), then the text.
    """
    status_style = "bold $text-accent" if mention.status is Status.NEW else "$text-muted"
    glyph = ("✎", "bold $warning") if busy else (STATUS_GLYPHS[mention.status], status_style)
    parts: list[str | tuple[str, str]] = [
        ("▌" if marked else " ", "bold $warning"),
        glyph,
        (DRAFT_MARK, "bold $text-accent") if drafted else " ",
        when_cell(mention, now, warn_before),
        (PLATFORM_LABELS[mention.platform].ljust(3), "bold $text-secondary"),
        (cut(clean_identity(mention.author.handle), HANDLE_CELLS).ljust(17), "$text-primary"),
    ]
    parts += _triage_columns(mention) if wide else _triage_markers(mention)
    # A row shows one line: cutting first keeps a 100 KB text from costing every repaint.
    parts.append(one_line(mention.text[:ROW_TEXT_CHARS]))
    return Content.assemble(*compact(parts))


def compact(parts: Sequence[str | tuple[str, str]]) -> list[str | tuple[str, str]]:
    """The same parts in fewer style changes: what a j/k repaint writes to the terminal.

    Blanks join the part after them (a space shows nothing of its colour or
    weight, and these styles set neither background nor underline), and
    neighbours of one style are joined.
    """
    joined: list[tuple[str, str]] = []
    blanks = ""
    for part in parts:
        text, style = (part, "") if isinstance(part, str) else part
        if not text.strip(" "):
            blanks += text
            continue
        text, blanks = blanks + text, ""
        if joined and joined[-1][1] == style:
            joined[-1] = (joined[-1][0] + text, style)
        else:
            joined.append((text, style))
    if blanks:
        joined.append((blanks, ""))
    return [text if not style else (text, style) for text, style in joined]


#: Shown after a row's status when a draft reply to it is saved.
DRAFT_MARK = "✎"
#: From this width on, a feed row has columns for assignee, tone and tags.
WIDE_ROW = 110
#: The widths of those columns (each with its trailing space).
ASSIGNEE_CELLS, TONE_CELLS, TAGS_CELLS = 10, 4, 16

TONE_LABELS: dict[Sentiment, tuple[str, str]] = {
    Sentiment.NEGATIVE: ("neg", "$text-error"),
    Sentiment.NEUTRAL: ("neu", "$text-muted"),
    Sentiment.POSITIVE: ("pos", "$text-success"),
    Sentiment.UNKNOWN: ("", "$text-muted"),
}


def _tags_text(tags: Sequence[str]) -> str:
    return " ".join("#" + clean_identity(tag) for tag in tags)


def _triage_columns(mention: Mention) -> list[str | tuple[str, str]]:
    """Assignee, tone and tags in fixed columns, for a wide terminal."""
    assignee = "@" + clean_identity(mention.assignee) if mention.assignee else ""
    tone, tone_style = TONE_LABELS[mention.sentiment]
    return [
        (cut(assignee, ASSIGNEE_CELLS - 1).ljust(ASSIGNEE_CELLS), "$text-secondary"),
        (tone.ljust(TONE_CELLS), tone_style),
        (cut(_tags_text(mention.tags), TAGS_CELLS - 1).ljust(TAGS_CELLS), "$text-accent"),
    ]


def _triage_markers(mention: Mention) -> list[str | tuple[str, str]]:
    """``@anna #vip+1`` before the text, only when set, so an 80-column row stays readable."""
    parts: list[str | tuple[str, str]] = []
    if mention.assignee:
        parts.append((cut("@" + clean_identity(mention.assignee), 7) + " ", "$text-secondary"))
    if mention.tags:
        more = f"+{len(mention.tags) - 1}" if len(mention.tags) > 1 else ""
        first = cut("#" + clean_identity(mention.tags[0]), 9)
        parts.append((first + more + " ", "$text-accent"))
    return parts


#: How much of a handle a feed row shows, and how much of the text it looks at.
HANDLE_CELLS = 16
ROW_TEXT_CHARS = 1_000


def cut(text: str, width: int) -> str:
    """``text`` in ``width`` characters, ending in … when cut, so a cut never looks whole."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _due_parts(mention: Mention, now: datetime | None) -> list[str | tuple[str, str]]:
    """`` · ‼ overdue 2h`` / `` · ⚠ 2m left`` / `` · 7m left`` while an answer is awaited."""
    if now is None or mention.sla_due_at is None:
        return []
    state = sla.state(mention, now)
    if state is sla.SlaState.NONE:
        return []
    left = mention.sla_due_at - now
    if state is sla.SlaState.BREACHED:
        text = f"‼ overdue {sla.time_left_text(-left)}"
    else:
        text = f"{sla.SYMBOLS[state].strip()} {sla.time_left_text(left)} left".strip()
    return [(" · ", "$text-muted"), (text, SLA_STYLES[state])]


def mention_header(
    mention: Mention, *, triage: bool = True, now: datetime | None = None
) -> Content:
    """Who, where and when (and, for stored mentions, the triage state and time left)."""
    parts: list[str | tuple[str, str]] = [
        (author_label(mention), "bold $text-primary"),
        "  ",
        (PLATFORM_NAMES[mention.platform], "$text-secondary"),
        (f" · {mention.account} · ", "$text-muted"),
        (local(mention.created_at).strftime("%Y-%m-%d %H:%M %Z"), "$text-muted"),
    ]
    if triage:
        parts.append((f" · {mention.status.value}", "$text-muted"))
        parts += _due_parts(mention, now)
    if mention.author.followers is not None:
        parts.append((f" · {mention.author.followers:,} followers", "$text-muted"))
    return Content.assemble(*compact(parts))


def triage_line(mention: Mention) -> Content | None:
    """``Assigned to anna · Tags #vip #refund``, or None when it has neither."""
    parts: list[str | tuple[str, str]] = []
    if mention.assignee:
        parts += [("Assigned to ", "$text-muted"), (clean_identity(mention.assignee), "bold")]
    if mention.tags:
        if parts:
            parts.append((" · ", "$text-muted"))
        parts += [("Tags ", "$text-muted"), (_tags_text(mention.tags), "bold $text-accent")]
    return Content.assemble(*compact(parts)) if parts else None


def mention_body(mention: Mention) -> Content:
    """A mention's full text, literal."""
    return Content(clean_text(mention.text))


_REVISION_MARKS = {
    RevisionKind.EDITED: ("✎ edited", "$text-warning"),
    RevisionKind.DELETED: ("⌫ deleted", "$text-error"),
    RevisionKind.RESTORED: ("↺ restored", "$text-success"),
}
#: How much of an earlier text a revision line shows.
EARLIER_TEXT = 70


def revision_lines(mention: Mention) -> Content:
    """What became of a mention after it was stored, a change a line, with the text before it.

    ``✎ edited 14:02 by its author · was: "I was charged twice…"``
    """
    lines = []
    for revision in mention.history:
        words, style = _REVISION_MARKS[revision.kind]
        by = {"author": " by its author", "moderator": " by a moderator", "": ""}.get(
            revision.by, f" by {clean_identity(revision.by)}"
        )
        parts: list[str | tuple[str, str]] = [
            (f"{words} {local(revision.at).strftime('%m-%d %H:%M')}{by}", style)
        ]
        if revision.kind is not RevisionKind.DELETED:
            parts += [("  · was: ", "$text-muted"), cut(one_line(revision.text), EARLIER_TEXT)]
        lines.append(Content.assemble(*parts))
    return Content("\n").join(lines)


def mention_block(
    mention: Mention,
    *,
    ours: bool = False,
    triage: bool = True,
    now: datetime | None = None,
    replying: Sequence[str] = (),
) -> Content:
    """Header, who has it and its tags, body and link; ``triage=False`` for thread context.

    ``replying`` names the people (in other smm-tui) writing a reply to it now.
    """
    parts: list[str | Content | tuple[str, str]] = [mention_header(mention, triage=triage, now=now)]
    labels = triage_line(mention) if triage else None
    if labels is not None:
        parts += ["\n", labels]
    parts += ["\n", mention_body(mention)]
    if triage and mention.history:
        parts += ["\n", revision_lines(mention)]
    if mention.url:
        parts += ["\n", (clean_identity(mention.url), "$text-muted underline")]
    if ours:
        parts.insert(0, ("↪ our reply  ", "bold $success"))
    if replying:
        names = ", ".join(clean_identity(name) for name in dict.fromkeys(replying))
        verb = "is" if len(set(replying)) == 1 else "are"
        parts += ["\n", (f"✎ {names} {verb} replying", "bold $warning")]
    return Content.assemble(*parts)


def reply_line(reply: Reply) -> Content:
    """One outbox entry: state, time and text."""
    style = "bold $error" if reply.state is ReplyState.FAILED else "$success"
    parts: list[str | tuple[str, str]] = [
        (REPLY_STATE_LABELS[reply.state], style),
        (f" {local(reply.created_at).strftime('%H:%M')} ", "$text-muted"),
        one_line(reply.text),
    ]
    if reply.error:
        parts.append((" — " + one_line(reply.error), "$error"))
    return Content.assemble(*parts)


def why_block(
    mention: Mention,
    now: datetime,
    alarms: Sequence[str] = priority.DEFAULT_ALARMS,
    warn_before: timedelta = sla.DEFAULT_WARN,
) -> Content:
    """Why the mention ranks where it does: its priority, the points behind it, the labels."""
    points, reasons = priority.explain(mention, now, alarms, warn_before)
    parts: list[str | tuple[str, str]] = [("Priority ", "bold"), (str(points), "bold $accent")]
    for reason in reasons:
        sign = "+" if reason.points >= 0 else ""
        parts += [
            ("  ·  ", "$text-muted"),
            clean_identity(reason.why),
            (f" {sign}{reason.points}", "$text-muted"),
        ]
    lines = [Content.assemble(*parts)]
    labels = [
        f"{field} {getattr(mention, field).value}"
        + (" (set by a person)" if field in mention.overridden else "")
        for field in ("sentiment", "intent")
    ]
    lines.append(Content.assemble(("Labels ", "bold"), " · ".join(labels)))
    if mention.rules:
        names = ", ".join(clean_identity(name) for name in mention.rules)
        lines.append(Content.assemble(("Rules ", "bold"), names))
    signals = classify_mention(mention).signals
    if signals and not set(mention.overridden) >= {"sentiment", "intent"}:
        lines.append(Content.assemble(("Read as ", "bold"), ("; ".join(signals), "$text-muted")))
    return Content("\n").join(lines)


def query_error_content(query: str, error: QueryError) -> Content:
    """The query with the wrong part underlined, then what is wrong, for under the input.

    What is wrong goes on a line of its own, so that a list of the values allowed
    wraps instead of running off a narrow terminal.
    """
    start, end = error.position, min(error.end, len(query))
    return Content.assemble(
        ("✖ ", "bold $text-error"),
        clean_identity(query[:start]),
        (clean_identity(query[start:end]) or " ", "bold underline $text-error"),
        clean_identity(query[end:]),
        "\n",
        (clean_identity(str(error)), "$text-error"),
    )


def views_bar(counts: Sequence[tuple[str, int | None]], current: int) -> Content:
    """`` Queue 42  Unassigned 12  Breaching 3 …`` with the current view highlighted.

    A count of None (still being worked out) shows as ``…``.
    """
    parts: list[str | tuple[str, str]] = []
    for index, (name, count) in enumerate(counts):
        style = "bold reverse" if index == current else "$text-muted"
        shown = "…" if count is None else str(count)
        parts.append((f" {clean_identity(name)} {shown} ", style))
        parts.append(" ")
    return Content.assemble(*parts)


def note_line(text: str, width: int | None = None) -> Content:
    """``Note: …``, the team's note on a customer: literal, on one line (cut to ``width``)."""
    line = Content.assemble(("Note: ", "bold $warning"), (one_line(text), "$warning"))
    return line if width is None or width <= 0 else line.truncate(width, ellipsis=True)


def with_note(block: Content, note: str | None, width: int | None = None) -> Content:
    """A mention's block with the note on its author above it, when there is one."""
    return block if not note else Content("\n").join([note_line(note, width), block])
