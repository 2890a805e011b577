"""The week as a grid: days across, hours down, each delivery a chip; it follows the cursor.

It draws what it is given (:meth:`WeekView.show`); the screen owns the cursor.
As many days as fit at ten cells each are shown, around the cursor's day, and
the rows scroll to keep the selected chip in view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.content import Content
from textual.widget import Widget

from smm_tui.core.calendar import Week, day_label, visible_days
from smm_tui.widgets.post_render import chip

#: A chip's width, the gap before each day, and the hour column.
CHIP_CELLS, GAP, GUTTER = 10, 1, 2
BLANK = " " * CHIP_CELLS
EMPTY_CELL = "·".center(CHIP_CELLS)


@dataclass(frozen=True, slots=True)
class Cursor:
    """The cursor's day (0 is Monday) and the selected delivery, if that day has one."""

    day: int
    entry_id: str | None


class WeekView(Widget, can_focus=True):
    """One week of chips under a header of days; the selected chip is reversed."""

    DEFAULT_CSS = """
    WeekView { height: 1fr; padding: 0; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.week: Week | None = None
        self.cursor = Cursor(0, None)
        self.today: date | None = None
        self._top = 0

    def show(self, week: Week, cursor: Cursor, today: date) -> None:
        """Draw ``week`` with ``cursor`` on it."""
        if week != self.week:
            self._top = 0 if self.week is None or week.start != self.week.start else self._top
        self.week, self.cursor, self.today = week, cursor, today
        self.refresh()

    def day_count(self) -> int:
        """How many days fit the widget's width (seven at 80 columns, five at 60)."""
        width = self.size.width or 80
        return max(1, (width - GUTTER) // (CHIP_CELLS + GAP))

    def days_shown(self) -> range:
        """The days of the week on screen now."""
        return visible_days(self.cursor.day, self.day_count())

    def render(self) -> Content:
        week = self.week
        if week is None:
            return Content("")
        days = self.days_shown()
        rows, cursor_line = self._rows(week, days)
        room = max(1, (self.size.height or 20) - 1)
        if cursor_line is not None:
            if cursor_line < self._top:
                self._top = cursor_line
            elif cursor_line >= self._top + room:
                self._top = cursor_line - room + 1
        self._top = max(0, min(self._top, max(0, len(rows) - room)))
        shown = rows[self._top : self._top + room]
        if shown and self._top > 0:
            shown[0] = _with_gutter(shown[0], "↑")
        if shown and self._top + room < len(rows):
            shown[-1] = _with_gutter(shown[-1], "↓")
        return Content("\n").join([self._header(week, days), *shown])

    def _header(self, week: Week, days: range) -> Content:
        parts: list[str | tuple[str, str]] = [" " * GUTTER]
        for index in days:
            day = week.days[index]
            style = "bold"
            if day == self.today:
                style += " $text-accent underline"
            if index == self.cursor.day:
                style += " reverse"
            parts += [" " * GAP, (day_label(day), style)]
        return Content.assemble(*parts)

    def _rows(self, week: Week, days: range) -> tuple[list[Content], int | None]:
        """Every line of the grid, and which holds the selected chip."""
        lines: list[Content] = []
        cursor_line: int | None = None
        for slot in week.slots:
            for line in range(slot.height(days)):
                hour = "" if line or slot.hour is None else f"{slot.hour:02d}"
                parts: list[str | Content | tuple[str, str]] = [(hour.ljust(GUTTER), "$text-muted")]
                for index in days:
                    cell = slot.cells[index]
                    parts.append(" " * GAP)
                    if line < len(cell):
                        selected = cell[line].id == self.cursor.entry_id
                        if selected:
                            cursor_line = len(lines)
                        parts.append(chip(cell[line], selected=selected))
                    elif line == 0 and not cell:
                        parts.append((EMPTY_CELL, "$text-muted"))
                    else:
                        parts.append(BLANK)
                lines.append(Content.assemble(*parts))
        return lines, cursor_line


def _with_gutter(line: Content, mark: str) -> Content:
    """The line with ``mark`` in its hour column (more rows above or below)."""
    return Content.assemble((mark.ljust(GUTTER), "bold $text-accent"), line[GUTTER:])
