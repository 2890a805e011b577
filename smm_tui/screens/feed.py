"""The feed: the live list of mentions, triaged from the keyboard.

The screen owns its :class:`~smm_tui.core.feed.FeedModel`: it builds it, applies
every change the app delivers (it follows changes even while another pane is
shown) and is the only one to change its filter. It composes and routes; the
model decides what shows and in what order.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from smm_tui.core.feed import FeedFilter, FeedScope
from smm_tui.core.feed_index import pause_while_busy
from smm_tui.core.query import QueryError
from smm_tui.core.repository import Collection, Record
from smm_tui.core.views import NOTHING_YET, View, empty_text
from smm_tui.messages import ArchiveLoaded, DataChanged
from smm_tui.screens.base import in_background
from smm_tui.screens.feed_actions import FeedActions
from smm_tui.widgets.arrivals import Arrivals
from smm_tui.widgets.feed_list import FeedList
from smm_tui.widgets.filter_box import FilterBox
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.health_strip import HealthStrip
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import (
    WIDE_ROW,
    mention_block,
    mention_row,
    query_error_content,
    with_note,
)
from smm_tui.widgets.status_bar import StatusBar
from smm_tui.widgets.views_bar import ViewsBar

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


#: FeedScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
open          | enter       | open      | Open       | Open the mention with its thread
reply         | r           | reply     | Reply      | Write a reply
done_next     | d           | done_next | Done+next  | Mark done, go to the next
ticket        | t           | ticket    | Ticket     | Open one ticket for the mention
    or the marked ones
mark          | space       | mark      | (Mark)     | Mark for a bulk action
filter        | slash       | filter    | Filter     | Filter with a query
seen          | s           | seen      | (Seen)     | Mark seen
unread        | u           | unread    | (Unread)   | Mark new again
assign        | a           | assign    | (Assign)   | Assign to me, a teammate or nobody
scope         | o           | scope     | (Open/All) | Show open mentions or all
contest       | c           | contest   | (Contest)  | Start a contest on this post
next_view     | right_square_bracket | view(1)  | (Next view)     | The next saved view
previous_view | left_square_bracket  | view(-1) | (Previous view) | The previous saved view
visual        | V           | visual    | (Range)    | Mark a range: press here, move, press again
tag           | number_sign | tag       | (Tag)      | Edit the tags of the mention
    or the marked ones
label         | L           | label     | (Label)    | Set tone and intent by hand
customer      | C           | customer  | (Customer) | This author's mentions, replies, tickets
incident      | I           | incident  | (Incident) | Gather this mention's near-duplicates in the
    view (or the marked ones') into an incident, to answer them all at once
clear         | escape      | clear     | (Clear)    | Clear the filter and marks
"""


class FeedScreen(FeedActions):
    """Mentions newest first; the open queue by default."""

    FOLLOWS_EVERY_CHANGE = True

    BINDINGS: ClassVar[list[BindingType]] = key_table("feed", _KEYS)

    def __init__(self) -> None:
        super().__init__()
        self._view = 0
        #: What was typed after / (it narrows the current view).
        self._typed = ""
        self._counts_stale = True
        #: The minute the countdowns were last drawn for.
        self._drawn_minute: datetime | None = None
        #: The scope o chose, when it differs from the view's own.
        self._scope: FeedScope | None = None
        #: Mentions that arrived out of sight, shown in the status line until seen.
        self._arrivals = Arrivals()
        #: Mentions with a saved draft (rows show ✎); re-read only when drafts change.
        self._drafted: frozenset[str] = frozenset()
        #: Whether rows painted without their mention are being read already.
        self._reading_rows = False

    def compose(self) -> ComposeResult:
        yield StatusBar("Feed", self.pane_keys())
        yield ViewsBar(id="feed-views")
        yield FilterBox(input_id="feed-filter", error_id="feed-filter-error")
        yield FeedList(
            self._row, empty_text=NOTHING_YET, on_highlight=self._update_preview, id="feed-list"
        )
        # The border is the box's, so a new preview repaints only the text, not the line.
        with Vertical(id="feed-preview-box"):
            yield Static(id="feed-preview")
        yield HealthStrip()
        yield PaneFooter()

    def on_mount(self) -> None:
        ws = self.workspace
        self.feed = ws.feed_model()
        self.feed.track([view.filter for view in ws.settings.views])
        self.feed.set_filter(self.current_view.filter)
        self._drafted = ws.outbox.drafted()
        self._show()
        self.feed_list.focus()
        # Time left to answer counts down on screen; a redraw of the visible rows is cheap.
        self.set_interval(CLOCK_SECONDS, self.tick)
        self.set_interval(COUNT_SECONDS, self._recount)
        # Searchable texts are worked out in a thread once the first frame is up, so the
        # first word typed over the whole feed does not pay for folding every mention.
        self.set_timer(WARM_AFTER_SECONDS, self._warm)

    def _warm(self) -> None:
        # The build shares the interpreter with the keys: it waits while the user types.
        warm = partial(self.feed.warm, pause=pause_while_busy(self.last_key_at))
        in_background(self, warm, group="feed-warm")

    def tick(self) -> None:
        """The clock moved: redraw the countdowns, and re-run filters that depend on time."""
        feed = self.feed
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
        names = [view.name for view in self.workspace.settings.views]
        self.query_one(ViewsBar).show(names, self.feed.tracked_counts(), self._view)

    def _recount(self) -> None:
        """Count the views over everything with a query, in a thread, when data moved.

        The other views are counted live by the feed model as changes arrive.
        """
        if not self._counts_stale:
            return
        self._counts_stale = False
        if None in self.feed.tracked_counts():
            in_background(
                self,
                self.feed.count_untracked,
                done=self._counted,
                group="view-counts",
                exclusive=True,
            )

    def _counted(self, counts: dict[int, int]) -> None:
        self.query_one(ViewsBar).counted(counts)
        self._update_views_bar()

    def on_screen_resume(self) -> None:
        self._drafted = self.workspace.outbox.drafted()
        self._show()

    # -- data -----------------------------------------------------------------------

    def _row(self, mention_id: str, marked: bool, width: int) -> Content | None:
        """A row, drawn while painting: a mention not in memory is read after, in a thread."""
        mention = self.feed.held_mention(mention_id)
        if mention is None:
            self._read_rows()
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

    def _read_rows(self) -> None:
        if not self._reading_rows:
            self._reading_rows = True
            self.call_after_refresh(self._start_reading_rows)

    def _start_reading_rows(self) -> None:
        read = partial(self.feed.read, self.feed.take_wanted())
        in_background(self, read, done=self._rows_read, group="feed-rows")

    def _rows_read(self, records: dict[str, Record | None]) -> None:
        self._reading_rows = False
        self.feed.hold(records)
        self.feed_list.refresh()
        self._update_preview(self.feed_list.current)

    def _show(self, follow: str | None = None, *, top: bool = False) -> None:
        """Show the feed's rows; ``top`` (another query or view) starts at the most urgent."""
        self._counts_stale = True
        feed = self.feed
        self.feed_list.empty_text = empty_text(self._typed)
        self.feed_list.show(feed.ids, follow=follow, locate=feed.index_of, top=top)
        self._update_views_bar()
        self._update_status()
        self._update_preview(self.feed_list.current)

    def _update_status(self) -> None:
        feed = self.feed
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
        arrivals = self._arrivals.content(feed.index_of, self.feed_list.rows_in_view())
        self.query_one(StatusBar).show(Content.assemble(arrivals, *parts))

    def _title(self) -> str:
        """The view's name, or what ``o`` made of it: ``All``, ``Negative · all``."""
        view, scope = self.current_view, self.feed.filter.scope
        if scope is view.scope:
            return view.name
        if view.query.is_empty:
            return "All" if scope is FeedScope.ALL else "Open"
        return f"{view.name} · {'all' if scope is FeedScope.ALL else 'open only'}"

    def _update_preview(self, mention_id: str | None) -> None:
        preview = self.query_one("#feed-preview", Static)
        mention = self.feed.held_mention(mention_id) if mention_id else None
        # The preview's height is fixed, so no layout pass: it would repaint the list too.
        if mention is None:
            preview.update(Content(""), layout=False)
            return
        replying = [p.user for p in self.workspace.presence.others(mention.id)]
        block = mention_block(mention, now=self.workspace.ctx.clock(), replying=replying)
        note = self.workspace.notes.for_mention(mention)
        width = preview.content_size.width or None
        preview.update(with_note(block, note.text if note else None, width), layout=False)

    @on(DataChanged)
    def _refresh_rows(self, event: DataChanged) -> None:
        self.feed.apply(event.changed)
        if event.changed.of(Collection.DRAFTS):
            self._drafted = self.workspace.outbox.drafted()
        reading_below_top = self.feed_list.cursor > 0
        self._show()
        if reading_below_top:
            rows = self.feed_list.rows_in_view()
            arrived = event.changed.inserted(Collection.MENTIONS)
            if self._arrivals.land(arrived, self.feed.index_of, rows):
                self._update_status()

    @on(ArchiveLoaded)
    def _count_everything(self) -> None:
        self._counts_stale = True
        self._update_views_bar()

    @on(FeedList.Highlighted)
    def _look_at_arrivals(self, event: FeedList.Highlighted) -> None:
        """Arrivals count as seen once in view; back at the top, all of them are."""
        feed_list = self.feed_list
        if feed_list.cursor == 0:
            changed = self._arrivals.clear()
        else:
            changed = self._arrivals.seen(self.feed.index_of, feed_list.rows_in_view())
        if changed:
            self._update_status()

    # -- filter ---------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one(FilterBox).open(self._typed)

    @on(FilterBox.Typed)
    def _filter_typed(self, event: FilterBox.Typed) -> None:
        self._apply_filter(event.text)

    def _apply_filter(self, text: str, *, always: bool = False) -> bool:
        """Narrow the view by ``text``; a bad query is shown where it is wrong, changing nothing.

        A new filter (or ``always``: another view) starts at the top of the list.
        """
        box = self.query_one(FilterBox)
        try:
            wanted = self.current_view.refined(text)
            if self._scope is not None:
                wanted = FeedFilter(self._scope, wanted.query)
        except QueryError as exc:
            box.show_error(query_error_content(text, exc))
            return False
        box.show_error(None)
        self._typed = text
        if wanted != self.feed.filter:
            self.feed.set_filter(wanted)
            self._show(top=True)
        elif always:
            self._show(top=True)
        return True

    @on(FilterBox.Kept)
    def _filter_kept(self, event: FilterBox.Kept) -> None:
        if self._apply_filter(event.text):  # else stay in the box until the query is fixed
            self.query_one(FilterBox).close(error_too=False)
            self.feed_list.focus()

    def action_clear(self) -> None:
        self.query_one(FilterBox).close()
        self._typed = ""
        self._scope = None
        changed = self.feed.filter != self.current_view.filter
        if changed:
            self.feed.set_filter(self.current_view.filter)
        self.feed_list.marked.clear()
        self._range_start = None
        self._show(top=changed)
        self.feed_list.focus()

    def show_query(self, text: str) -> bool:
        """Show every mention (open or not) that ``text`` finds, as if typed after ``/``.

        For another pane opening the feed on its mentions (a spike, a rising term);
        ``esc`` clears it as it clears a typed filter. False if the query is wrong.
        """
        views = self.workspace.settings.views
        plain = [i for i, view in enumerate(views) if view.query.is_empty]
        everything = [i for i in plain if views[i].scope is FeedScope.ALL]
        self._view = (everything or plain or [self._view])[0]
        self._scope = None if self.current_view.scope is FeedScope.ALL else FeedScope.ALL
        self.query_one(FilterBox).close()
        shown = self._apply_filter(text, always=True)
        self._update_views_bar()
        self.feed_list.focus()
        return shown

    def action_scope(self) -> None:
        feed = self.feed
        scope = FeedScope.ALL if feed.filter.scope is FeedScope.OPEN else FeedScope.OPEN
        # Kept while the query is edited; another view brings its own scope.
        self._scope = None if scope is self.current_view.scope else scope
        feed.set_filter(FeedFilter(scope, feed.filter.query))
        self._show(top=True)

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
