"""The feed: the live list of mentions, triaged from the keyboard."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from smm_tui.core import acknowledge
from smm_tui.core.feed import FeedFilter, FeedScope
from smm_tui.core.feed_index import pause_while_busy
from smm_tui.core.models import Status, Ticket
from smm_tui.core.query import QueryError
from smm_tui.core.repository import Changed, Collection
from smm_tui.core.views import NOTHING_YET, View, empty_text
from smm_tui.core.wording import plural, shared_tags, tag_edit
from smm_tui.messages import DataChanged
from smm_tui.screens.assign import Assignment, AssignScreen
from smm_tui.screens.base import WorkspaceScreen
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.contests import NewContestScreen
from smm_tui.screens.customer import open_customer
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.label import Labels, LabelScreen, TagScreen
from smm_tui.widgets.arrivals import Arrivals
from smm_tui.widgets.feed_list import FeedList
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.health_strip import HealthStrip
from smm_tui.widgets.render import (
    WIDE_ROW,
    mention_block,
    mention_row,
    query_error_content,
    views_bar,
    with_note,
)
from smm_tui.widgets.status_bar import StatusBar

FILTER_DELAY = 0.15
#: How often the views bar's counts may be recomputed.
COUNT_SECONDS = 1.0
#: How often the time-left column is redrawn.
CLOCK_SECONDS = 5.0
#: How long after the feed first shows before searchable texts are worked out.
WARM_AFTER_SECONDS = 1.0


#: How the Queue is ordered, for help (the README says the same).
QUEUE_ORDER = (
    "Order of the Queue: overdue mentions first, highest priority first, then the longest "
    "overdue; then those not yet due, least time left first; answered mentions and those "
    'with no response target last. "All" is newest first.'
)


class FeedScreen(WorkspaceScreen):
    """Mentions newest first; the open queue by default."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter", "open", "Open", id="feed.open", tooltip="Open the mention with its thread"
        ),
        Binding("r", "reply", "Reply", id="feed.reply", tooltip="Write a reply"),
        Binding(
            "d", "done_next", "Done+next", id="feed.done_next", tooltip="Mark done, go to the next"
        ),
        Binding(
            "t",
            "ticket",
            "Ticket",
            id="feed.ticket",
            tooltip="Open one ticket for the mention or the marked ones",
        ),
        Binding(
            "space", "mark", "Mark", show=False, id="feed.mark", tooltip="Mark for a bulk action"
        ),
        Binding("slash", "filter", "Filter", id="feed.filter", tooltip="Filter with a query"),
        Binding("s", "seen", "Seen", show=False, id="feed.seen", tooltip="Mark seen"),
        Binding("u", "unread", "Unread", show=False, id="feed.unread", tooltip="Mark new again"),
        Binding(
            "a",
            "assign",
            "Assign",
            show=False,
            id="feed.assign",
            tooltip="Assign to me (a, enter), a teammate or nobody",
        ),
        Binding(
            "o",
            "scope",
            "Open/All",
            show=False,
            id="feed.scope",
            tooltip="Show open mentions or all",
        ),
        Binding(
            "c",
            "contest",
            "Contest",
            show=False,
            id="feed.contest",
            tooltip="Start a contest on this post",
        ),
        Binding(
            "right_square_bracket",
            "view(1)",
            "Next view",
            show=False,
            id="feed.next_view",
            tooltip="The next saved view",
        ),
        Binding(
            "left_square_bracket",
            "view(-1)",
            "Previous view",
            show=False,
            id="feed.previous_view",
            tooltip="The previous saved view",
        ),
        Binding(
            "V",
            "visual",
            "Range",
            show=False,
            id="feed.visual",
            tooltip="Mark a range: V here, move, V again",
        ),
        Binding(
            "number_sign",
            "tag",
            "Tag",
            show=False,
            id="feed.tag",
            tooltip="Edit the tags of the mention or the marked ones",
        ),
        Binding(
            "L",
            "label",
            "Label",
            show=False,
            id="feed.label",
            tooltip="Set tone and intent by hand",
        ),
        Binding(
            "C",
            "customer",
            "Customer",
            show=False,
            id="feed.customer",
            tooltip="This author's mentions, replies, tickets",
        ),
        Binding(
            "escape",
            "clear",
            "Clear",
            show=False,
            id="feed.clear",
            tooltip="Clear the filter and marks",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._filter_timer: Timer | None = None
        self._view = 0
        #: What was typed after / (it narrows the current view).
        self._typed = ""
        self._counts_stale = True
        #: The minute the countdowns were last drawn for.
        self._drawn_minute: datetime | None = None
        #: The views bar as last drawn (names and counts), so unchanged counts cost nothing.
        self._views_shown: tuple[int, list[tuple[str, int | None]]] | None = None
        #: Counts of the views over everything with a query, by index, from a worker.
        self._slow_counts: dict[int, int] = {}
        #: Where a visual range (V) started, until V is pressed again.
        self._range_start: str | None = None
        #: The scope o chose, when it differs from the view's own.
        self._scope: FeedScope | None = None
        #: Mentions that arrived out of sight, shown in the status line until seen.
        self._arrivals = Arrivals()
        #: Mentions with a saved draft (rows show ✎); re-read only when drafts change.
        self._drafted: frozenset[str] = frozenset()

    def compose(self) -> ComposeResult:
        yield StatusBar("Feed")
        yield Static(id="feed-views")
        yield Input(
            placeholder='filter: words, "phrase", platform:vk is:open sentiment:neg older:5m',
            id="feed-filter",
        )
        yield Static(id="feed-filter-error")
        yield FeedList(
            self._row,
            empty_text=NOTHING_YET,
            on_highlight=self._update_preview,
            id="feed-list",
        )
        # The border is the box's, so a new preview repaints only the text, not the line.
        with Vertical(id="feed-preview-box"):
            yield Static(id="feed-preview")
        yield HealthStrip()
        yield PaneFooter()

    def on_mount(self) -> None:
        self.query_one("#feed-filter").display = False
        self.query_one("#feed-filter-error").display = False
        self.workspace.feed.track([view.filter for view in self.workspace.settings.views])
        self.workspace.feed.set_filter(self.current_view.filter)
        self._drafted = self.workspace.outbox.drafted()
        self._show()
        self.query_one(FeedList).focus()
        # Time left to answer counts down on screen; a redraw of the visible rows is cheap.
        self.set_interval(CLOCK_SECONDS, self.tick)
        self.set_interval(COUNT_SECONDS, self._recount)
        # Searchable texts are worked out in a thread once the first frame is up, so the
        # first word typed over the whole feed does not pay for folding every mention.
        self.set_timer(WARM_AFTER_SECONDS, self._warm)

    def _warm(self) -> None:
        # The build shares the interpreter with the keys: it waits while the user types.
        pause = pause_while_busy(self.last_key_at)
        warm = partial(self.workspace.feed.warm, pause=pause)
        self.run_worker(asyncio.to_thread(warm), group="feed-warm", exit_on_error=False)

    def tick(self) -> None:
        """The clock moved: redraw the countdowns, and re-run filters that depend on time."""
        feed = self.workspace.feed
        minute = self.workspace.ctx.clock().replace(second=0, microsecond=0)
        if feed.filter.query.time_dependent:
            feed.retest()
            self._show(follow=self.feed_list.current)
        elif feed.catch_up():  # one fell overdue: it moves up by its priority
            self._show(follow=self.feed_list.current)
        elif minute != self._drawn_minute:
            # Countdowns show whole minutes: redraw (and send over SSH) only when one ticks.
            self.feed_list.refresh()
            self._update_preview(self.feed_list.current)
        self._drawn_minute = minute
        if any(view.query.time_dependent for view in self.workspace.settings.views):
            feed.recount_tracked(time_dependent_only=True)
            self._counts_stale = True
            self._update_views_bar()

    # -- views ------------------------------------------------------------------------

    @property
    def current_view(self) -> View:
        """The saved view the feed shows."""
        return self.workspace.settings.views[self._view]

    def action_view(self, step: int) -> None:
        """Show the next (or previous) saved view, keeping what was typed after /."""
        self._view = (self._view + step) % len(self.workspace.settings.views)
        self._scope = None
        self._apply_filter(self._typed, always=True)
        self._update_views_bar()

    def _update_views_bar(self) -> None:
        """The views bar with each view's count: live, or the last a worker worked out."""
        views = self.workspace.settings.views
        counts = self.workspace.feed.tracked_counts()
        shown = [
            (view.name, self._slow_counts.get(index) if count is None else count)
            for index, (view, count) in enumerate(zip(views, counts, strict=True))
        ]
        if (self._view, shown) != self._views_shown:
            self._views_shown = (self._view, shown)
            self.query_one("#feed-views", Static).update(views_bar(shown, self._view))

    def _recount(self) -> None:
        """Count the views over everything with a query, in a thread, when data moved.

        The other views are counted live by the feed model as changes arrive.
        """
        if not self._counts_stale:
            return
        self._counts_stale = False
        feed, views = self.workspace.feed, self.workspace.settings.views
        slow = [
            (index, view.filter)
            for index, (view, count) in enumerate(zip(views, feed.tracked_counts(), strict=True))
            if count is None
        ]
        if not slow:
            return

        def count() -> dict[int, int]:
            return {index: feed.count(wanted) for index, wanted in slow}

        async def show() -> None:
            self._slow_counts = await asyncio.to_thread(count)
            self._update_views_bar()

        self.run_worker(show(), group="view-counts", exclusive=True, exit_on_error=False)

    def on_screen_resume(self) -> None:
        self._drafted = self.workspace.outbox.drafted()
        self._show()

    # -- data -----------------------------------------------------------------------

    @property
    def feed_list(self) -> FeedList:
        """The list widget."""
        return self.query_one(FeedList)

    def _row(self, mention_id: str, marked: bool, width: int) -> Content | None:
        mention = self.workspace.feed.mention(mention_id)
        if mention is None:
            return None
        warn = self.workspace.settings.sla.for_account(mention.account).warn_before
        busy = bool(self.workspace.presence.others(mention_id))
        return mention_row(
            mention,
            self.workspace.ctx.clock(),
            marked=marked,
            warn_before=warn,
            busy=busy,
            drafted=mention_id in self._drafted,
            wide=width >= WIDE_ROW,
        )

    def _show(self, follow: str | None = None, *, top: bool = False) -> None:
        """Show the feed's rows; ``top`` (another query or view) starts at the most urgent."""
        self._counts_stale = True
        feed = self.workspace.feed
        self.feed_list.empty_text = empty_text(self._typed)
        self.feed_list.show(feed.ids, follow=follow, locate=feed.index_of, top=top)
        self._update_views_bar()
        self._update_status()
        self._update_preview(self.feed_list.current)

    def _update_status(self) -> None:
        feed = self.workspace.feed
        parts: list[str | tuple[str, str]] = [
            (self._title(), "bold"),
            (" · ", "$text-muted"),
            (f"{feed.unread} new", "bold $text-accent" if feed.unread else "$text-muted"),
            (" · ", "$text-muted"),
            f"{len(feed.ids)} shown",
        ]
        if self.feed_list.marked:
            parts += [
                (" · ", "$text-muted"),
                (f"{len(self.feed_list.marked)} marked", "bold $warning"),
            ]
        if self._typed:
            parts += [("  ·  /", "$text-muted"), (self._typed, "italic")]
        rows = self.feed_list.rows_in_view()
        arrivals = self._arrivals.content(self.workspace.feed.index_of, rows)
        self.query_one(StatusBar).show(Content.assemble(arrivals, *parts))

    def _title(self) -> str:
        """The view's name, or what ``o`` made of it: ``All``, ``Negative · all``."""
        view, scope = self.current_view, self.workspace.feed.filter.scope
        if scope is view.scope:
            return view.name
        if view.query.is_empty:
            return "All" if scope is FeedScope.ALL else "Open"
        return f"{view.name} · {'all' if scope is FeedScope.ALL else 'open only'}"

    def _update_preview(self, mention_id: str | None) -> None:
        preview = self.query_one("#feed-preview", Static)
        mention = self.workspace.feed.mention(mention_id) if mention_id else None
        # The preview's height is fixed, so no layout pass: it would repaint the list too.
        if mention is None:
            preview.update(Content(""), layout=False)
            return
        replying = [p.user for p in self.workspace.presence.others(mention.id)]
        now = self.workspace.ctx.clock()
        block = mention_block(mention, now=now, replying=replying)
        note = self.workspace.notes.for_mention(mention)
        width = preview.content_size.width or None
        preview.update(with_note(block, note.text if note else None, width), layout=False)

    @on(DataChanged)
    def _refresh_rows(self, event: DataChanged) -> None:
        if not event.changed:
            # No record changed (the archive finished loading): only counts may differ.
            self._update_views_bar()
            return
        if event.changed.of(Collection.DRAFTS):
            self._drafted = self.workspace.outbox.drafted()
        reading_below_top = self.feed_list.cursor > 0
        self._show()
        if reading_below_top:
            rows = self.feed_list.rows_in_view()
            if self._arrivals.land(
                event.changed.inserted(Collection.MENTIONS), self.workspace.feed.index_of, rows
            ):
                self._update_status()

    @on(FeedList.Highlighted)
    def _look_at_arrivals(self, event: FeedList.Highlighted) -> None:
        """Arrivals count as seen once in view; back at the top, all of them are."""
        feed_list = self.feed_list
        if feed_list.cursor == 0:
            changed = self._arrivals.clear()
        else:
            changed = self._arrivals.seen(self.workspace.feed.index_of, feed_list.rows_in_view())
        if changed:
            self._update_status()

    # -- filter ---------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#feed-filter", Input)
        box.display = True
        box.value = self._typed
        box.focus()

    @on(Input.Changed, "#feed-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """Re-filter once typing pauses: a scan of 100k mentions is too slow per key."""
        if self._filter_timer is not None:
            self._filter_timer.stop()
        text = event.value
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self._apply_filter(text))

    def _apply_filter(self, text: str, *, always: bool = False) -> bool:
        """Narrow the view by ``text``; a bad query is shown where it is wrong, changing nothing.

        A new filter (or ``always``: another view) starts at the top of the list.
        """
        feed = self.workspace.feed
        error = self.query_one("#feed-filter-error", Static)
        try:
            wanted = self.current_view.refined(text)
            if self._scope is not None:
                wanted = FeedFilter(self._scope, wanted.query)
        except QueryError as exc:
            error.update(query_error_content(text, exc))
            error.display = True
            return False
        error.display = False
        self._typed = text
        if wanted != feed.filter:
            feed.set_filter(wanted)
            self._show(top=True)
        elif always:
            self._show(top=True)
        return True

    @on(Input.Submitted, "#feed-filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        if not self._apply_filter(event.value):
            return  # stay in the box until the query is fixed
        self.query_one("#feed-filter").display = False
        self.feed_list.focus()

    def action_clear(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        box = self.query_one("#feed-filter", Input)
        box.display = False
        self.query_one("#feed-filter-error").display = False
        feed = self.workspace.feed
        self._typed = ""
        self._scope = None
        changed = feed.filter != self.current_view.filter
        if changed:
            feed.set_filter(self.current_view.filter)
        self.feed_list.marked.clear()
        self._range_start = None
        self._show(top=changed)
        self.feed_list.focus()

    def action_scope(self) -> None:
        feed = self.workspace.feed
        scope = FeedScope.ALL if feed.filter.scope is FeedScope.OPEN else FeedScope.OPEN
        # Kept while the query is edited; another view brings its own scope.
        self._scope = None if scope is self.current_view.scope else scope
        feed.set_filter(FeedFilter(scope, feed.filter.query))
        self._show(top=True)

    # -- actions --------------------------------------------------------------------

    def action_mark(self) -> None:
        self.feed_list.toggle_mark()
        self.feed_list.cursor += 1
        self._update_status()

    def _take_targets(self) -> list[str]:
        targets = self.feed_list.targets()
        self.feed_list.marked.clear()
        return targets

    def action_done_next(self) -> None:
        """Close the mention (or the marked ones) and go on; bulk says how many it closed."""
        bulk = bool(self.feed_list.marked)
        targets = self._take_targets()
        if not targets:
            return
        feed_list = self.feed_list
        if feed_list.current in targets:
            feed_list.move_to(feed_list.next_after(targets))
        done = self._said_done if bulk else None
        self.act(self.workspace.triage.set_status(targets, Status.DONE), done=done)

    def _said_done(self, changed: Changed) -> None:
        self.say(f"{len(changed.of(Collection.MENTIONS))} done")

    def action_seen(self) -> None:
        self.act(self.workspace.triage.set_status(self._take_targets(), Status.SEEN))

    def action_unread(self) -> None:
        self.act(self.workspace.triage.set_status(self._take_targets(), Status.NEW))

    def action_assign(self) -> None:
        """Ask who gets the mention (or the marked ones): enter gives them to me."""
        targets = self.feed_list.targets()
        if not targets:
            return

        def chosen(pick: Assignment | None) -> None:
            if pick is None:
                return
            self.feed_list.marked.clear()  # used up only when the action happens
            self.act(self.workspace.triage.assign(targets, pick.assignee))

        ws = self.workspace
        self.app.push_screen(AssignScreen(len(targets), ws.actor, ws.settings.users), chosen)

    def action_visual(self) -> None:
        """V starts a range at the cursor; V again marks every row from there to here."""
        here = self.feed_list.current
        if here is None:
            return
        if self._range_start is None:
            self._range_start = here
            self.say("Range started: move, then V again to mark every row between.")
            return
        start, self._range_start = self._range_start, None
        self.feed_list.mark_range(start, here)
        self._update_status()

    def action_tag(self) -> None:
        targets = self.feed_list.targets()
        if not targets:
            return

        # The tags every target has are shown to edit; the others are left as they are.
        shared = shared_tags([m.tags for m in self.workspace.feed.mentions(targets)])

        def chosen(words: str | None) -> None:
            if words is None:
                return
            add, drop = tag_edit(shared, words)
            if add or drop:
                self.feed_list.marked.clear()  # used up only when the action happens
                self.act(self.workspace.triage.tag(targets, add=add, remove=drop))

        self.app.push_screen(TagScreen(len(targets), shared), chosen)

    def action_label(self) -> None:
        targets = self.feed_list.targets()
        if not targets:
            return

        def chosen(labels: Labels | None) -> None:
            if labels is None:
                return
            self.feed_list.marked.clear()  # used up only when the action happens
            triage = self.workspace.triage
            self.act(triage.set_labels(targets, labels.sentiment, labels.intent))

        self.app.push_screen(LabelScreen(len(targets)), chosen)

    def action_ticket(self) -> None:
        targets = self._take_targets()
        if targets:
            self.act(self.workspace.tickets.open(targets), done=self._ticket_opened)

    def _ticket_opened(self, ticket: Ticket) -> None:
        count = plural(len(ticket.mention_ids), "mention")
        self.say(f"Ticket #{ticket.id[:6]} for {count}: {ticket.title}  (2: board)")
        mention = self.workspace.feed.mention(ticket.mention_id)
        if len(ticket.mention_ids) == 1 and mention is not None:
            # The customer still waits in public: offer them an acknowledgement at once.
            offer, mention_id = acknowledge.offer(self.workspace.outbox, mention), mention.id
            self.act(offer, done=lambda offered: self._acknowledge(mention_id, offered))

    def _acknowledge(self, mention_id: str, offered: bool) -> None:
        if offered:
            self.app.push_screen(ComposerScreen(mention_id))

    def action_open(self) -> None:
        self._open_current(MentionScreen)

    def action_reply(self) -> None:
        self._open_current(ComposerScreen)

    def action_customer(self) -> None:
        """Open the customer view of the author under the cursor."""
        mention_id = self.feed_list.current
        if mention_id is not None:
            open_customer(self, mention_id)

    def _open_current(self, screen: Callable[[str], Screen[None]]) -> None:
        """Open a screen on the mention under the cursor, which now counts as seen."""
        mention_id = self.feed_list.current
        if mention_id is None:
            return
        self.act(self.workspace.triage.mark_seen(mention_id))
        self.app.push_screen(screen(mention_id))

    def action_contest(self) -> None:
        mention = self.workspace.feed.mention(self.feed_list.current or "")
        if mention is None:
            return
        self.app.push_screen(NewContestScreen(prefill=mention))

    def help_notes(self) -> list[str]:
        """The queue's order, which no key shows."""
        return [QUEUE_ORDER]

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Reply to the selected mention", "Open the composer", self.action_reply),
            SystemCommand(
                "Open a ticket", "For the selected or marked mentions", self.action_ticket
            ),
            SystemCommand("Done and next", "Mark done and move on", self.action_done_next),
            SystemCommand("Show open / all mentions", "Toggle the feed's scope", self.action_scope),
            SystemCommand("Filter the feed", "Filter by text", self.action_filter),
            SystemCommand("Start a contest on this post", "Contest manager", self.action_contest),
        ]
