"""The customer view: one author's mentions, our replies and their tickets, across networks."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Static

from smm_tui.core.context import NotFound
from smm_tui.core.customers import CustomerHistory
from smm_tui.core.models import Reply
from smm_tui.screens.base import WorkspaceMixin, WorkspaceScreen
from smm_tui.widgets.render import (
    PLATFORM_NAMES,
    STATUS_GLYPHS,
    author_label,
    one_line,
    reply_line,
    short_time,
)


def open_customer(screen: WorkspaceMixin, mention_id: str) -> None:
    """Find the author's history off the event loop (it reads every mention), then show it."""

    async def find() -> None:
        try:
            history = await asyncio.to_thread(screen.workspace.customers.history, mention_id)
        except NotFound as exc:
            screen.say(str(exc), error=True)
            return
        screen.app.push_screen(CustomerScreen(history))

    screen.run_worker(find(), group="customer", exclusive=True, exit_on_error=False)


class CustomerScreen(WorkspaceScreen):
    """Everything one author wrote to the brand, newest first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="customer.back"),
        Binding("j,down", "scroll(1)", "Scroll", show=False, id="customer.down"),
        Binding("k,up", "scroll(-1)", "Scroll", show=False, id="customer.up"),
    ]

    def __init__(self, history: CustomerHistory) -> None:
        super().__init__()
        self.history = history

    DEFAULT_CSS = """
    CustomerScreen #customer-lines { text-wrap: nowrap; text-overflow: ellipsis; padding: 0 1; }
    CustomerScreen #customer-summary { padding: 0 1 1 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static(self._title(), classes="status-line")
        yield Static(self._summary(), id="customer-summary")
        with VerticalScroll(id="customer-body"):
            yield Static(self._body(), id="customer-lines")
        yield Footer()

    def _title(self) -> Content:
        history = self.history
        anchor = next(
            (m for m in history.mentions if not history.possible(m)),
            history.mentions[0] if history.mentions else None,
        )
        who = author_label(anchor) if anchor else ""
        return Content.assemble(("Customer  ", "bold"), (who, "bold $text-primary"))

    def _summary(self) -> Content:
        history = self.history
        networks = ", ".join(PLATFORM_NAMES[p] for p in history.networks)
        maybe = sum(1 for m in history.mentions if history.possible(m))
        note = f" · ≈ {maybe} matched by handle and name only: maybe them" if maybe else ""
        counts = " · ".join(
            _count(n, word)
            for n, word in (
                (len(history.replies), "reply"),
                (len(history.tickets), "ticket"),
            )
        )
        mentions = _count(len(history.mentions), "mention")
        return Content(f"{mentions} on {networks} · {counts}{note}")

    def _body(self) -> Content:
        now = self.workspace.ctx.clock()
        replies: dict[str, list[Reply]] = {}
        for reply in self.history.replies:
            replies.setdefault(reply.mention_id, []).append(reply)
        lines: list[Content] = []
        for mention in self.history.mentions:
            lines.append(
                Content.assemble(
                    ("≈" if self.history.possible(mention) else " ", "bold $warning"),
                    (f"{STATUS_GLYPHS[mention.status]} ", "$text-muted"),
                    (short_time(mention.created_at, now).ljust(7), "$text-muted"),
                    (PLATFORM_NAMES[mention.platform].ljust(9), "$text-secondary"),
                    one_line(mention.text),
                )
            )
            lines += [Content.assemble("    ", reply_line(r)) for r in replies.get(mention.id, [])]
        if self.history.tickets:
            lines.append(Content(""))
            lines.append(Content.assemble(("Tickets", "bold")))
            for ticket in self.history.tickets:
                lines.append(
                    Content.assemble(
                        (f"#{ticket.id[:6]} ", "$text-muted"),
                        (ticket.column.label.ljust(22), "$text-secondary"),
                        (ticket.department or "no department", "$text-muted"),
                        "  ",
                        one_line(ticket.title),
                    )
                )
        return Content("\n").join(lines)

    def action_scroll(self, delta: int) -> None:
        self.query_one("#customer-body").scroll_relative(y=delta, animate=False)


def _count(number: int, word: str) -> str:
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{number} {word if number == 1 else plural}"
