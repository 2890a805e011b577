"""The feed's filter box: a query typed after ``/``, and where it is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

#: How long typing must pause before the query is tried.
FILTER_DELAY = 0.15
PLACEHOLDER = 'filter: words, "phrase", platform:vk is:open sentiment:neg older:5m'


class FilterBox(Vertical):
    """An input that says what was typed once typing pauses, and shows a query's error.

    It posts :class:`Typed` after a pause and :class:`Kept` on enter; whoever
    applies the query tells it about a mistake with :meth:`show_error`.
    """

    DEFAULT_CSS = """
    FilterBox { height: auto; }
    """

    @dataclass
    class Typed(Message):
        """Typing paused: ``text`` is the query to try (a scan per key would be too slow)."""

        text: str

    @dataclass
    class Kept(Message):
        """Enter was pressed on ``text``."""

        text: str

    def __init__(self, *, input_id: str, error_id: str) -> None:
        super().__init__()
        self._input_id, self._error_id = input_id, error_id
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder=PLACEHOLDER, id=self._input_id)
        yield Static(id=self._error_id)

    def on_mount(self) -> None:
        self.close()

    @property
    def input(self) -> Input:
        """The text box."""
        return self.query_one(Input)

    @property
    def error(self) -> Static:
        """Where a bad query is shown."""
        return self.query_one(f"#{self._error_id}", Static)

    def open(self, text: str) -> None:
        """Show the box holding ``text``, focused."""
        self.input.display = True
        self.input.value = text
        self.input.focus()

    def close(self, *, error_too: bool = True) -> None:
        """Hide the box (and its error), dropping a query still waiting for the pause."""
        self._stop_waiting()
        self.input.display = False
        if error_too:
            self.error.display = False

    def show_error(self, content: Content | None) -> None:
        """Show what is wrong with the query (None: nothing)."""
        if content is not None:
            self.error.update(content)
        self.error.display = content is not None

    def _stop_waiting(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._stop_waiting()
        text = event.value
        self._timer = self.set_timer(FILTER_DELAY, lambda: self.post_message(self.Typed(text)))

    @on(Input.Submitted)
    def _kept(self, event: Input.Submitted) -> None:
        event.stop()
        self._stop_waiting()
        self.post_message(self.Kept(event.value))
