"""A post in full over the Content pane: its texts, campaign and how it went on each account."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from smm_tui.core.context import NotFound
from smm_tui.core.repository import Collection
from smm_tui.messages import DataChanged, DeliverySettled
from smm_tui.screens.base import WorkspaceModal, keys_of
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.post_render import post_detail

#: The collections whose changes the detail shows.
SHOWN = frozenset({Collection.POSTS, Collection.DELIVERIES})

#: PostDetailScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
back | escape,q,enter | dismiss     | Back     | Back to the calendar or the list
down | j,down         | scroll(1)   | (Scroll) | Scroll the post down
up   | k,up           | scroll(-1)  | (Scroll) | Scroll the post up
"""


class PostDetailScreen(WorkspaceModal):
    """One post: the text, each network's version, the campaign, and per account its status,
    time, link, error and counters (``—`` where unknown)."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("post_detail", _KEYS)

    DEFAULT_CSS = """
    PostDetailScreen > .dialog { width: 100%; height: 100%; padding: 0 1; }
    PostDetailScreen #post-detail-body { height: 1fr; }
    PostDetailScreen .hint { margin-top: 0; }
    """

    def __init__(self, post_id: str, selected: str | None = None) -> None:
        super().__init__()
        self.post_id = post_id
        self.selected = selected

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            with VerticalScroll(id="post-detail-body"):
                yield Static(id="post-detail")
            yield Label(id="post-detail-hint", classes="hint")
        yield PaneFooter()

    def on_mount(self) -> None:
        back = keys_of(self, "post_detail.back", separator="/")
        self.query_one("#post-detail-hint", Label).update(
            Content(f"{back}: back to the pane, where the keys act on this post")
        )
        self.redraw()

    @on(DataChanged)
    def _changed(self, event: DataChanged) -> None:
        if SHOWN & set(event.changed.ids):
            self.redraw()

    @on(DeliverySettled)
    def redraw(self) -> None:
        """Show the post as it is now (one deleted meanwhile keeps what was shown)."""
        planning = self.workspace.planning
        try:
            post = planning.post(self.post_id)
        except NotFound:
            return
        zone = self.workspace.settings.publishing.zone
        detail = post_detail(post, planning.deliveries(post.id), zone, selected=self.selected)
        self.query_one("#post-detail", Static).update(detail)

    def action_scroll(self, delta: int) -> None:
        self.query_one("#post-detail-body").scroll_relative(y=delta, animate=False)
