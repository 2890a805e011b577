"""A feed list that renders only the rows on screen (the Line API), whatever its length.

It shows mention ids it is given and asks a row factory for the few rows in
view, so 100,000 mentions cost a list of ids, not 100,000 widgets. A cursor
move repaints two lines.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

from smm_tui.widgets.key_table import key_table

#: Makes a row from a mention id, whether it is marked, and the width it has.
RowFactory = Callable[[str, bool, int], Content | None]
#: Called at once, in the same frame as the cursor's move, with the id now under it.
HighlightHook = Callable[[str | None], None]


#: FeedList's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
down      | j,down          | cursor_down   | (Down)      | Next mention
up        | k,up            | cursor_up     | (Up)        | Previous mention
top       | g,home          | cursor_top    | (Top)       | The first mention
bottom    | G,end           | cursor_bottom | (Bottom)    | The last mention
page_down | ctrl+d,pagedown | page_down     | (Page down) | A page further down
page_up   | ctrl+u,pageup   | page_up       | (Page up)   | A page further up
"""


class FeedList(ScrollView, can_focus=True):
    """A keyboard-driven list of mention rows with a cursor and marks."""

    COMPONENT_CLASSES = {"feed-list--cursor", "feed-list--empty"}

    DEFAULT_CSS = """
    FeedList {
        height: 1fr;
        overflow-x: hidden;
        background: $surface;
        & > .feed-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        &:blur > .feed-list--cursor {
            background: $block-cursor-blurred-background;
            text-style: none;
        }
        & > .feed-list--empty { color: $text-muted; text-style: italic; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = key_table("feed", _KEYS)

    #: The watcher repaints just the two rows involved; a full repaint would send the whole
    #: list to the terminal on every j/k (about 4.5 KB a key over SSH).
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another mention (or the list became empty: None)."""

        feed: FeedList
        mention_id: str | None

    def __init__(
        self,
        row_factory: RowFactory,
        *,
        empty_text: str,
        on_highlight: HighlightHook | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._row_factory = row_factory
        self._on_highlight = on_highlight
        self._ids: Sequence[str] = ()
        self._locate: Callable[[str], int | None] = self._scan
        self.marked: set[str] = set()
        self.empty_text = empty_text
        self._last_announced: str | None = None
        self._highlighted: str | None = None

    # -- data ---------------------------------------------------------------------

    @property
    def ids(self) -> Sequence[str]:
        """The ids shown, top to bottom."""
        return self._ids

    @property
    def current(self) -> str | None:
        """The id under the cursor."""
        return self._ids[self.cursor] if 0 <= self.cursor < len(self._ids) else None

    @property
    def highlighted(self) -> str | None:
        """The id the user last put the cursor on (rows may have moved since)."""
        return self._highlighted

    def next_after(self, mention_ids: Sequence[str]) -> str | None:
        """The nearest row below the cursor not in ``mention_ids`` (else the nearest above)."""
        leaving = set(mention_ids)
        rows = itertools.chain(
            range(self.cursor + 1, len(self._ids)), range(self.cursor - 1, -1, -1)
        )
        return next((self._ids[r] for r in rows if self._ids[r] not in leaving), None)

    def move_to(self, mention_id: str | None) -> None:
        """Put the cursor on a mention (if it is listed)."""
        row = self._locate(mention_id) if mention_id is not None else None
        if row is not None:
            self.cursor = row

    def show(
        self,
        ids: Sequence[str],
        *,
        follow: str | None = None,
        locate: Callable[[str], int | None] | None = None,
        top: bool = False,
    ) -> None:
        """Show new ids, keeping the cursor on the same mention where possible.

        The cursor stays on ``follow``, else on the mention it was on; only when
        that mention left the list does it stay on the same row. ``top`` starts
        a different list (another query or view) at its first row instead.
        ``locate`` finds an id's row faster than a scan (the feed model has an index).
        """
        anchor = follow if follow is not None else self._highlighted
        old_cursor = self.cursor
        self._ids = ids
        self._locate = locate or self._scan
        self.marked = {m for m in self.marked if self._locate(m) is not None}
        self.virtual_size = Size(self.size.width, len(ids))
        index = self._locate(anchor) if anchor is not None and not top else None
        if top:
            index = 0
        elif index is None:
            index = min(old_cursor, max(len(ids) - 1, 0))
        self.cursor = index
        self.refresh()

    def _scan(self, mention_id: str) -> int | None:
        try:
            return list(self._ids).index(mention_id)
        except ValueError:
            return None

    def toggle_mark(self) -> None:
        """Mark or unmark the row under the cursor."""
        current = self.current
        if current is None:
            return
        self.marked.symmetric_difference_update({current})
        self.refresh_line(self.cursor)

    def mark_range(self, start: str, end: str) -> int:
        """Mark every row from ``start`` to ``end`` (either order); how many are marked now."""
        first, last = self._locate(start), self._locate(end)
        if first is None or last is None:
            return len(self.marked)
        low, high = sorted((first, last))
        self.marked.update(self._ids[row] for row in range(low, high + 1))
        self.refresh()
        return len(self.marked)

    def targets(self) -> list[str]:
        """The marked ids in list order, or the cursor's id when nothing is marked."""
        if self.marked:
            rows = {m: self._locate(m) for m in self.marked}
            return sorted(
                (m for m, row in rows.items() if row is not None), key=lambda m: rows[m] or 0
            )
        return [self.current] if self.current else []

    # -- cursor -------------------------------------------------------------------

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self._ids) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        self.scroll_to_show(new)
        current = self.current
        self._highlighted = current
        if current != self._last_announced:
            self._last_announced = current
            # A hook (a preview pane) drawn now shares the cursor's frame; a message
            # would be handled after it, costing a second frame per key over SSH.
            if self._on_highlight is not None:
                self._on_highlight(current)
            self.post_message(self.Highlighted(self, current))

    def scroll_to_show(self, row: int) -> None:
        """Scroll the least needed to bring ``row`` into view."""
        top = self.rows_in_view(row).start
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False)

    def rows_in_view(self, row: int | None = None) -> range:
        """The rows on screen once ``row`` (else the cursor's) is scrolled into view."""
        row = self.cursor if row is None else row
        top = self.scroll_offset.y
        height = max(self.scrollable_content_region.height, 1)
        if row < top:
            top = row
        elif row >= top + height:
            top = row - height + 1
        return range(top, top + height)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_top(self) -> None:
        self.cursor = 0

    def action_cursor_bottom(self) -> None:
        self.cursor = len(self._ids) - 1

    def action_page_down(self) -> None:
        self.cursor += max(self.scrollable_content_region.height - 1, 1)

    def action_page_up(self) -> None:
        self.cursor -= max(self.scrollable_content_region.height - 1, 1)

    # -- rendering ----------------------------------------------------------------

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._ids))
        self.scroll_to_show(self.cursor)

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if not self._ids:
            if y != 0:
                return Strip.blank(width, self.visual_style.rich_style)
            return self._strip(Content(self.empty_text), "feed-list--empty", width)
        if row >= len(self._ids):
            return Strip.blank(width, self.visual_style.rich_style)
        mention_id = self._ids[row]
        content = self._row_factory(mention_id, mention_id in self.marked, width)
        content = content or Content("…")
        component = "feed-list--cursor" if row == self.cursor else None
        return self._strip(content, component, width)

    def _strip(self, content: Content, component: str | None, width: int) -> Strip:
        style = self.get_visual_style(component) if component else self.visual_style
        line = content.truncate(width, ellipsis=True, pad=True)
        strips = Visual.to_strips(self, line, width, 1, style, apply_selection=False)
        return strips[0].crop_extend(0, width, style.rich_style)
