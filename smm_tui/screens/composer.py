"""The composer: a reply to one mention, with the mention and its thread in view."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static, TextArea

from smm_tui.core.followup import suggested_follow_up
from smm_tui.core.models import Mention, Reply
from smm_tui.core.presence import HEARTBEAT, collision_warning
from smm_tui.messages import DataChanged, ThreadFetched
from smm_tui.screens.base import MentionScreenBase
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.saved_reply_picker import SavedReplyPicker
from smm_tui.widgets.external_editor import EMPTY_REPLY, edit_area_externally, with_priority
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import PLATFORM_NAMES, author_label, mention_block

DRAFT_SAVE_DELAY = 0.8


# Discard is not ctrl+l (terminal users press it to clear the screen) nor a key TextArea
# edits with.
#: ComposerScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
send            | ctrl+s | send            | Send              | Send the reply
back            | escape | leave           | Back (keep draft) | Leave; the draft is kept
discard         | ctrl+g | discard         | Discard draft     | Throw the draft away (asks
    first)
saved_reply     | ctrl+t | saved_reply     | Saved reply       | Insert a saved reply, filled
    for this customer
external_editor | ctrl+e | external_editor | (Editor)          | Write the reply in $VISUAL
    or $EDITOR, the thread quoted above it
"""


class ComposerScreen(MentionScreenBase):
    """Write and send a reply; the draft is kept until it is sent."""

    BINDINGS: ClassVar[list[BindingType]] = with_priority(
        key_table("composer", _KEYS), "composer.external_editor"
    )

    def __init__(self, mention_id: str, *, follow_up: str | None = None) -> None:
        """``follow_up`` names the ticket this reply follows up in public (once it is
        sent, the ticket awaits the customer)."""
        super().__init__(mention_id)
        self.follow_up = follow_up
        self._save_timer: Timer | None = None
        self._keep_draft_on_exit = True
        self._typed = ""
        self._queueing = False
        #: The messages before the mention, once its thread is fetched (quoted in $EDITOR).
        self._earlier: list[Mention] = []

    @property
    def mention(self) -> Mention:
        """The mention being answered."""
        return self.workspace.ctx.mention(self.mention_id)

    def compose(self) -> ComposeResult:
        mention = self.mention
        yield Static(
            Content.assemble(
                (self._heading(), "bold"),
                ("  ·  ", "$text-muted"),
                (PLATFORM_NAMES[mention.platform], "$text-secondary"),
                ("  ·  to ", "$text-muted"),
                author_label(mention),
            ),
            classes="status-line",
        )
        with VerticalScroll(id="composer-context"):
            yield Static(id="composer-thread", classes="thread")
            yield Static(
                mention_block(mention, now=self.workspace.ctx.clock()),
                id="composer-mention",
                classes="mention",
            )
        draft = self.workspace.outbox.draft(self.mention_id)
        self._typed = draft.text if draft else self._suggestion()
        yield TextArea(self._typed, id="composer-text", soft_wrap=True)
        yield Static(id="composer-count", classes="status-line")
        yield PaneFooter()

    def _heading(self) -> str:
        if self.follow_up is None:
            return "Reply"
        return f"Follow-up of {self.workspace.tickets.get(self.follow_up).label}"

    def _suggestion(self) -> str:
        """A follow-up starts from the best saved follow-up reply, filled in."""
        if self.follow_up is None:
            return ""
        workspace = self.workspace
        ticket = workspace.tickets.get(self.follow_up)
        replies = workspace.saved_replies.all()
        return suggested_follow_up(replies, self.mention, ticket, workspace.actor)

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        self._update_count()
        self.fetch_thread()
        self._announce()
        self.set_interval(HEARTBEAT.total_seconds(), self._announce)

    def _announce(self) -> None:
        """Tell the other smm-tui on this data dir that we are replying here."""
        self.act(self.workspace.presence.announce(self.mention_id), group="presence")

    @on(DataChanged)
    def _others_changed(self) -> None:
        self._update_count()

    @on(ThreadFetched)
    def _show_thread(self, event: ThreadFetched) -> None:
        widget = self.query_one("#composer-thread", Static)
        if event.error:
            widget.update(Content(f"Thread unavailable: {event.error}"))
            return
        earlier = [m for m in event.thread if m.external_id != self.mention.external_id]
        earlier = [m for m in earlier if m.parent_external_id != self.mention.external_id]
        self._earlier = earlier
        widget.update(Content("\n\n").join([mention_block(m, triage=False) for m in earlier]))
        self.query_one("#composer-context").scroll_end(animate=False)

    # -- counting and drafts ----------------------------------------------------------

    @property
    def text(self) -> str:
        """The reply as typed."""
        return self.query_one(TextArea).text

    def _limits(self) -> tuple[int, int]:
        source = self.workspace.source_for(self.mention.account)
        if source is None:
            return len(self.text), 0
        return source.reply_length(self.text), source.reply_limit

    def _update_count(self) -> None:
        used, limit = self._limits()
        over = limit and used > limit
        style = (
            "bold $error"
            if over
            else ("$warning" if limit and used > limit * 0.9 else "$text-muted")
        )
        label = f"{used} / {limit}" if limit else f"{used} (no adapter: cannot send)"
        note = "  over the limit" if over else ""
        others = [p.user for p in self.workspace.presence.others(self.mention_id)]
        busy = f"  ✎ {', '.join(dict.fromkeys(others))} replying too" if others else ""
        self.query_one("#composer-count", Static).update(
            Content.assemble(
                (label, style),
                (note, "bold $error"),
                (busy, "bold $warning"),
                (self._hint(), "$text-muted"),
            )
        )

    def _hint(self) -> str:
        send, back = self.keys_for("composer.send"), self.keys_for("composer.back")
        return f"   {send} send · {back} keeps the draft"

    @on(TextArea.Changed)
    def _text_changed(self) -> None:
        self._typed = self.text
        self._update_count()
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(DRAFT_SAVE_DELAY, self._save_draft)

    def _save_draft(self) -> None:
        self.act(self.workspace.outbox.save_draft(self.mention_id, self.text), group="draft")

    def on_unmount(self) -> None:
        """Quitting the app from the composer still keeps the draft."""
        if self._save_timer is not None:
            self._save_timer.stop()
        if self._keep_draft_on_exit:
            self.workspace.outbox.save_draft_soon(self.mention_id, self._typed)
        self.workspace.presence.withdraw_soon(self.mention_id)

    # -- actions --------------------------------------------------------------------

    def _stop_autosave(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()

    def action_leave(self) -> None:
        self._stop_autosave()
        self.act(
            self.workspace.outbox.save_draft(self.mention_id, self.text),
            done=lambda _: self.dismiss(),
        )

    def action_discard(self) -> None:
        """Throw the draft away and leave, after asking if anything was written."""
        if not self.text.strip() and self.workspace.outbox.draft(self.mention_id) is None:
            self._discard()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._discard()

        self.app.push_screen(ConfirmScreen("Discard this draft? It cannot be undone."), answered)

    def _discard(self) -> None:
        self._stop_autosave()
        self._keep_draft_on_exit = False
        self.act(
            self.workspace.outbox.discard_draft(self.mention_id), done=lambda _: self.dismiss()
        )

    def action_external_editor(self) -> None:
        """Write the reply in the user's editor below the thread; the draft is saved as it
        comes back (nothing written below the scissors line leaves it as it was)."""
        thread = [(author_label(m), m.text) for m in (*self._earlier, self.mention)]
        area = self.query_one(TextArea)
        problem = edit_area_externally(self.app, area, to_end=True, thread=thread)
        if problem is not None:
            self.say(problem, error=problem != EMPTY_REPLY)

    def action_saved_reply(self) -> None:
        """Pick a saved reply, filled for this customer, and insert it at the cursor."""
        mention = self.mention
        picker = SavedReplyPicker(
            self.workspace.saved_replies.all(),
            mention=mention,
            ticket=self.workspace.tickets.for_mention(mention.id),
            agent=self.workspace.actor,
        )
        self.app.push_screen(picker, self._insert)

    def _insert(self, text: str | None) -> None:
        """Put ``text`` at the cursor (over a selection); it replaces a draft still blank."""
        area = self.query_one(TextArea)
        area.focus()
        if text is None:
            return
        start, end = sorted(area.selection)
        if not area.text.strip():
            start, end = (0, 0), area.document.end
        area.replace(text, start, end, maintain_selection_offset=False)

    def action_send(self) -> None:
        problem = self._send_problem()
        if problem:
            self.say(problem, error=True)
            return
        warning = collision_warning(self.workspace.presence, self.mention_id, self.follow_up)
        if warning is None:
            self._queue()
            return

        def answered(send_anyway: bool | None) -> None:
            if send_anyway:
                self._queue()

        self.app.push_screen(ConfirmScreen(f"{warning} Send yours anyway?"), answered)

    def _queue(self) -> None:
        # A second ctrl+s before the first is recorded is refused here, and by the outbox.
        self._queueing = True
        self._stop_autosave()
        self.act(
            self.workspace.outbox.queue(
                self.mention_id, self.text.strip(), ticket_id=self.follow_up
            ),
            done=self._queued,
            failed=self._not_queued,
        )

    def _not_queued(self, _error: Exception) -> None:
        self._queueing = False

    def _send_problem(self) -> str | None:
        """Why the reply cannot be sent as it is, or None."""
        used, limit = self._limits()
        if not self.text.strip():
            return "The reply is empty."
        if not limit:
            return f"No adapter is configured for account {self.mention.account}."
        if used > limit:
            return f"The reply is {used - limit} over the {limit} limit."
        if self._queueing or self.workspace.outbox.on_its_way(self.mention_id):
            return "A reply to this mention is already being sent."
        return None

    def _queued(self, reply: Reply) -> None:
        self._keep_draft_on_exit = False
        self.send_reply(reply.id)
        if self.follow_up is None:
            self.say("Reply recorded; sending…")
        else:
            self.say("Follow-up recorded; sending… Once sent, the ticket awaits the customer.")
        self.dismiss()
