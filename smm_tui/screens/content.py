"""The Content pane: the content plan as a week calendar or a list, with each account's growth.

Every delivery (a post on one account) is a chip in the week (days by hours,
in the team's time zone) or a row of the list, ordered by time. The cursor is
a day and the delivery selected on it; the keys act on the selected post (see
:mod:`smm_tui.screens.content_actions`). ``/`` filters both views.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smm_tui.core.calendar import (
    MARKS,
    Entry,
    Growth,
    Status,
    Week,
    build_week,
    entries,
    growth_text,
    nearest,
    sparkline,
    week_label,
    week_start,
)
from smm_tui.core.post_query import QUERY_HELP, PostQuery, parse_post_query
from smm_tui.core.query import QueryError
from smm_tui.core.repository import Collection
from smm_tui.messages import DataChanged, DeliverySettled
from smm_tui.screens.content_actions import ContentActions
from smm_tui.screens.content_detail import PostDetailScreen
from smm_tui.widgets.calendar import Cursor, WeekView
from smm_tui.widgets.filter_box import FilterBox
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.health_strip import HealthStrip
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import highlighted_id, step_highlight
from smm_tui.widgets.post_render import COUNTERS_HELP, IMAGES_NOTE, MARKS_HELP, list_row
from smm_tui.widgets.render import query_error_content
from smm_tui.widgets.status_bar import NAMED_TABS_WIDTH, StatusBar

#: The collections whose changes the pane shows.
SHOWN = frozenset({Collection.POSTS, Collection.DELIVERIES, Collection.FOLLOWERS})
#: The span the growth line gives the change over.
GROWTH_SPAN = timedelta(days=7)
FILTER_PLACEHOLDER = "filter: status:scheduled account:bank-vk campaign:spring platform:vk words"

#: ContentScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
new        | n            | new           | New          | Write a new post
edit       | e            | edit          | Edit         | Edit the selected post
publish    | p            | publish       | Publish      | Publish now (asks first)
schedule   | s            | schedule      | Schedule     | Choose when the post goes out
view       | v            | toggle_view   | Cal/List     | Show the week or the list
unschedule | u            | unschedule    | (Unschedule) | Take the post back to a draft
delete     | x            | delete        | (Delete)     | Delete the post (asks first)
duplicate  | D            | duplicate     | (Duplicate)  | A new draft with the same texts
retry      | R            | retry         | (Retry)      | Publish a failed delivery again
counters   | m            | counters      | (Counters)   | Read the post's counters now
campaign   | C            | campaign      | (Campaign)   | Add the post to a campaign
open       | enter        | open          | (Open)       | The post in full, per account
filter     | slash        | filter        | (Filter)     | Filter: status, account, words
clear      | escape       | clear         | (Clear)      | Clear the filter
left       | h,left       | day(-1)       | (Day ←)      | The day before
right      | l,right      | day(1)        | (Day →)      | The day after
down       | j,down       | cursor(1)     | (Down)       | The next post
up         | k,up         | cursor(-1)    | (Up)         | The previous post
top        | g,home       | edge(-1)      | (Top)        | The day's first post (list: top)
bottom     | G,end        | edge(1)       | (Bottom)     | The day's last post (list: end)
prev_week  | left_square_bracket  | week(-1) | (Week ←)  | The week before
next_week  | right_square_bracket | week(1)  | (Week →)  | The week after
today      | t            | today         | (Today)      | Back to today
"""


class ContentScreen(ContentActions):
    """The week's posts by day and hour (or all of them as a list), and growth in one line."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("content", _KEYS)

    DEFAULT_CSS = """
    ContentScreen #content-growth, ContentScreen #content-note {
        height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
    }
    ContentScreen #content-note { color: $text-muted; }
    ContentScreen #content-list { height: 1fr; border: none; padding: 0; display: none; }
    ContentScreen #content-filter { height: 3; }
    ContentScreen #content-filter-error { height: auto; max-height: 4; padding: 0 1; }
    ContentScreen.-list #content-list { display: block; }
    ContentScreen.-list #content-week { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._day: date | None = None
        self._selected: str | None = None
        self._hour: int | None = None
        self._query = PostQuery()
        self._typed = ""
        self._all: list[Entry] = []
        self._shown: list[Entry] = []
        #: Each account's growth line as last read; read again on the next :meth:`fill`.
        self._growth: dict[str, Growth] = {}

    def compose(self) -> ComposeResult:
        yield StatusBar("Content", self.pane_keys())
        yield Static(id="content-growth")
        yield FilterBox(input_id="content-filter", error_id="content-filter-error")
        yield WeekView(id="content-week")
        yield OptionList(id="content-list")
        yield Static(Content(IMAGES_NOTE), id="content-note")
        yield HealthStrip()
        yield PaneFooter()

    def on_mount(self) -> None:
        self.query_one(FilterBox).input.placeholder = FILTER_PLACEHOLDER
        self._hour = self._local_now().hour
        self.fill()
        self.query_one(WeekView).focus()

    def on_screen_resume(self) -> None:
        self.fill()

    def on_resize(self) -> None:
        """List rows are cut to the list's width (known once laid out again)."""
        self.call_after_refresh(self._draw)

    @on(DataChanged)
    def _changed(self, event: DataChanged) -> None:
        if SHOWN & set(event.changed.ids):
            self.fill()

    @on(DeliverySettled)
    def _settled(self) -> None:
        self.fill()

    # -- what is shown --------------------------------------------------------------

    @property
    def zone(self) -> tzinfo:
        """The team's time zone, where the pane shows times."""
        return self.workspace.settings.publishing.zone

    @property
    def listing(self) -> bool:
        """Whether the list, not the week, is shown."""
        return self.has_class("-list")

    @property
    def day(self) -> date:
        """The cursor's day."""
        return self._day or self.today()

    def _local_now(self) -> datetime:
        return self.workspace.ctx.clock().astimezone(self.zone)

    def today(self) -> date:
        """Today in the team's zone."""
        return self._local_now().date()

    def fill(self) -> None:
        """Read every post, delivery and growth line again and show them through the filter."""
        planning = self.workspace.planning
        self._all = entries(planning.posts(), planning.deliveries(), self.zone)
        self._growth.clear()
        self._refilter()

    def _refilter(self) -> None:
        """Show what was read through the filter (no store read: the filter changes per key)."""
        self._shown = [entry for entry in self._all if self._query.matches(entry)]
        self._draw()

    def _entry(self, entry_id: str | None) -> Entry | None:
        return next((e for e in self._shown if e.id == entry_id), None)

    def selected_entry(self) -> Entry | None:
        """The delivery under the cursor (in the list: the highlighted row)."""
        return self._entry(self._selected)

    def select(self, entry_id: str | None, day: datetime | None = None) -> None:
        """Put the cursor on a delivery, on the day of ``day`` (or its own), re-reading first."""
        self._selected = entry_id
        if day is not None:
            self._day = day.astimezone(self.zone).date()
        self.fill()

    def week(self) -> Week:
        """The week of the cursor's day."""
        assert self._day is not None
        return build_week(self._shown, week_start(self._day))

    def _draw(self) -> None:
        if self._day is None:
            self._day = self.today()
        entry = self.selected_entry()
        if entry is not None and not self.listing:
            self._day = entry.day
        week = self.week()
        if entry is None or entry.day != self._day:
            self._selected = nearest(week, self._day.weekday(), self._hour)
            entry = self.selected_entry()
        if entry is not None:
            self._hour = entry.hour
        if self.listing:
            self._fill_list()
        else:
            cursor = Cursor(self._day.weekday(), self._selected)
            self.query_one(WeekView).show(week, cursor, self.today())
        self._show_summary(week)
        self._show_growth()

    def _fill_list(self) -> None:
        widget = self.query_one("#content-list", OptionList)
        width = (widget.size.width or self.app.size.width) - 1
        widget.clear_options()
        widget.add_options(Option(list_row(e, width), id=e.id) for e in self._shown)
        ids = [e.id for e in self._shown]
        if self._selected in ids:
            widget.highlighted = ids.index(self._selected)
        elif ids:
            day = self._day or self.today()
            widget.highlighted = next((n for n, e in enumerate(self._shown) if e.day >= day), 0)
            self._selected = ids[widget.highlighted]

    def _show_summary(self, week: Week) -> None:
        parts: list[str | tuple[str, str]] = []
        if self.listing:
            parts.append((f"List · {len(self._shown)} of {len(self._all)}", "bold"))
        else:
            parts.append((week_label(week.start), "bold"))
            # Below 100 columns the counts go by their marks, so the line stays one line.
            narrow = self.app.size.width < NAMED_TABS_WIDTH
            for status in (Status.SCHEDULED, Status.HELD, Status.FAILED, Status.DRAFT):
                if count := week.count(status):
                    word = f" {MARKS[status]}{count}" if narrow else f" · {count} {status.value}"
                    parts.append((word, "$text-muted"))
        if self._typed:
            parts += [("  /", "$text-muted"), (self._typed, "italic")]
        self.query_one(StatusBar).show(Content.assemble(*parts))

    def _show_growth(self) -> None:
        entry = self.selected_entry()
        account = entry.account if entry else next(iter(self.workspace.sources), None)
        widget = self.query_one("#content-growth", Static)
        if account is None:
            widget.update(Content.styled("No accounts configured.", "$text-muted"))
            return
        line = self._growth.get(account) or self._read_growth(account)
        widget.update(Content.assemble(("Followers ", "$text-muted"), growth_text(line)))

    def _read_growth(self, account: str) -> Growth:
        """An account's growth line from its readings (a scan of them: once per fill)."""
        history = self.workspace.growth.history(account)
        now = self.workspace.ctx.clock()
        latest = history.latest
        line = self._growth[account] = Growth(
            account,
            latest.followers if latest else None,
            history.change(GROWTH_SPAN, now),
            sparkline(history.series(now - GROWTH_SPAN)),
        )
        return line

    # -- moving ---------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        if self.listing:
            step_highlight(self.query_one("#content-list", OptionList), delta)
            return
        assert self._day is not None
        ids = [e.id for e in self.week().day_entries(self._day.weekday())]
        if not ids:
            return
        if self._selected in ids:
            index = min(max(ids.index(self._selected) + delta, 0), len(ids) - 1)
        else:
            index = 0 if delta > 0 else len(ids) - 1
        self._selected = ids[index]
        self._draw()

    def action_edge(self, direction: int) -> None:
        if self.listing:
            widget = self.query_one("#content-list", OptionList)
            if widget.option_count:
                widget.highlighted = 0 if direction < 0 else widget.option_count - 1
            return
        assert self._day is not None
        ids = [e.id for e in self.week().day_entries(self._day.weekday())]
        if ids:
            self._selected = ids[0 if direction < 0 else -1]
            self._draw()

    def _go_to_day(self, day: date) -> None:
        self._day = day
        self._selected = None
        if self.listing:
            self._selected = next((e.id for e in self._shown if e.day >= day), None)
            self._selected = self._selected or (self._shown[-1].id if self._shown else None)
        self._draw()

    def action_day(self, delta: int) -> None:
        if not self.listing:
            self._go_to_day((self._day or self.today()) + timedelta(days=delta))

    def action_week(self, delta: int) -> None:
        self._go_to_day((self._day or self.today()) + timedelta(days=7 * delta))

    def action_today(self) -> None:
        self._hour = self._local_now().hour
        self._go_to_day(self.today())

    @on(OptionList.OptionHighlighted, "#content-list")
    def _highlighted(self) -> None:
        entry = self._entry(highlighted_id(self.query_one("#content-list", OptionList)))
        if entry is not None and entry.id != self._selected:
            self._selected, self._day, self._hour = entry.id, entry.day, entry.hour
            self._show_growth()

    @on(OptionList.OptionSelected, "#content-list")
    def action_open(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            self.app.push_screen(PostDetailScreen(entry.post.id, entry.id))

    def action_toggle_view(self) -> None:
        self.toggle_class("-list")
        self._draw()
        target = "#content-list" if self.listing else "#content-week"
        self.query_one(target).focus()

    # -- filter ---------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one(FilterBox).open(self._typed)

    @on(FilterBox.Typed)
    def _filter_typed(self, event: FilterBox.Typed) -> None:
        self._apply_filter(event.text)

    @on(FilterBox.Kept)
    def _filter_kept(self, event: FilterBox.Kept) -> None:
        if self._apply_filter(event.text):  # else stay in the box until the filter is fixed
            self.query_one(FilterBox).close(error_too=False)
            self.query_one("#content-list" if self.listing else "#content-week").focus()

    def _apply_filter(self, text: str) -> bool:
        box = self.query_one(FilterBox)
        try:
            self._query = parse_post_query(text)
        except QueryError as exc:
            box.show_error(query_error_content(text, exc))
            return False
        box.show_error(None)
        self._typed = text
        self._refilter()
        return True

    def action_clear(self) -> None:
        self.query_one(FilterBox).close()
        if self._typed:
            self._typed, self._query = "", PostQuery()
            self._refilter()
        self.query_one("#content-list" if self.listing else "#content-week").focus()

    # -- help -----------------------------------------------------------------------

    def help_notes(self) -> list[str]:
        """Marks, counters, the filter's language, and what posts cannot hold yet."""
        zone = self.workspace.settings.publishing.timezone
        return [IMAGES_NOTE, f"Times are in {zone}.", MARKS_HELP, COUNTERS_HELP, QUERY_HELP]

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("New post", "Write a post for one or more accounts", self.action_new),
            SystemCommand("Edit post", "The selected post", self.action_edit),
            SystemCommand("Publish post now", "Or let a late one go", self.action_publish),
            SystemCommand("Schedule post", "Choose when it goes out", self.action_schedule),
            SystemCommand("Retry failed post", "Publish it again", self.action_retry),
            SystemCommand(
                "Read post counters", "Likes, reposts, replies, views", self.action_counters
            ),
            SystemCommand(
                "Calendar or list", "Toggle the Content pane's view", self.action_toggle_view
            ),
            SystemCommand(
                "Add post to a campaign", "The selected post counts for it", self.action_campaign
            ),
        ]
