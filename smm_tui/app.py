"""The Textual app: panes as modes, polling workers, and store changes delivered as messages.

It owns the workspace, the engines that poll and publish, and the accounts' health: it hands the
screens changes (DataChanged, ArchiveLoaded, Reply/DeliverySettled) and the strips health.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from smm_tui.core.casework import CaseReport, review_news
from smm_tui.core.context import NotFound
from smm_tui.core.handoffs import HandoffState
from smm_tui.core.health import problem_text
from smm_tui.core.incident_sender import IncidentSender
from smm_tui.core.models import ReplyState
from smm_tui.core.polling import AccountHealth, HealthState, PollingEngine
from smm_tui.core.posts import Delivery, DeliveryState
from smm_tui.core.repository import Changed, Collection, RepositoryError
from smm_tui.core.sanitize import clean_identity
from smm_tui.core.saved_replies import SavedReply
from smm_tui.core.workspace import Workspace
from smm_tui.hangup import LEAVE_SIGNALS, TerminalWatch, release_signals
from smm_tui.messages import (
    AccountHealthChanged,
    ArchiveLoaded,
    DataChanged,
    DeliverySettled,
    HandoffSettled,
    ReplySettled,
    StoreChanged,
)
from smm_tui.screens.accounts import AccountsScreen
from smm_tui.screens.alerts import AlertsScreen
from smm_tui.screens.base import WorkspaceScreen, in_background
from smm_tui.screens.content import ContentScreen
from smm_tui.screens.contests import ContestScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.screens.help import HelpScreen, help_rows
from smm_tui.screens.incident_news import IncidentNews
from smm_tui.screens.incidents import IncidentsScreen
from smm_tui.screens.live_alerts import LiveAlerts
from smm_tui.screens.report import ReportScreen
from smm_tui.screens.tickets import TicketBoardScreen
from smm_tui.screens.trends import TrendsScreen
from smm_tui.widgets.health_strip import HealthReport, HealthStrip
from smm_tui.widgets.key_table import key_table

#: How often a process that does not poll checks whether the poller has gone.
LEASE_RETRY_SECONDS = 5.0
#: How often the store is re-read for what other processes wrote (presence within 2 s);
#: a re-read of unchanged files is a stat each.
REFRESH_SECONDS = 0.5
#: How often the health strips' countdowns are redrawn.
HEALTH_SECONDS = 1.0
#: Seconds between looks at saved_replies.toml (edits to it are picked up while running).
SAVED_REPLIES_EVERY = 3.0
#: No look at that file within this many seconds of a key press: typing comes first.
SAVED_REPLIES_QUIET = 1.5

log = logging.getLogger(__name__)


# Textual adds its own ctrl+p only when no binding runs the palette: the palette row
# does, so it carries ctrl+p itself.
#: SmmApp's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
feed     | 1             | switch_mode('feed')     | (Feed)     | The mention feed
tickets  | 2             | switch_mode('tickets')  | (Tickets)  | The ticket board
contests | 3             | switch_mode('contests') | (Contests) | The contest manager
report   | 4             | switch_mode('report')   | (Report)   | Response times and the share
    within target
content  | 5             | switch_mode('content')  | (Content)  | The content plan: posts by day
trends   | 6             | switch_mode('trends')   | (Trends)   | Terms and hashtags rising
    against the last 7 days
accounts | A             | accounts                | (Accounts) | Account health: last success,
    next poll, rate budget, problems
alerts   | exclamation_mark | alerts               | (Alerts)   | Spike alerts, newest first:
    open one's mentions in the feed
help     | question_mark | help                    | Help       | Keys for this screen
palette  | colon,ctrl+p  | command_palette         | (Commands) | Command palette
quit     | q             | quit                    | (Quit)     | Quit (drafts are kept)
"""


#: The panes the number keys switch between, by mode name.
PANE_SCREENS: Mapping[str, type[Screen[Any]]] = {
    "feed": FeedScreen,
    "tickets": TicketBoardScreen,
    "contests": ContestScreen,
    "report": ReportScreen,
    "content": ContentScreen,
    "trends": TrendsScreen,
}


class SmmApp(App[None]):
    """smm-tui: the feed, the composer, the ticket board, the contests and the content plan."""

    TITLE = "smm-tui"
    CSS_PATH = "styles/app.tcss"
    ENABLE_COMMAND_PALETTE = True
    MODES: ClassVar[dict[str, str | Callable[[], Screen[Any]]]] = {**PANE_SCREENS}
    DEFAULT_MODE = "feed"
    BINDINGS: ClassVar[list[BindingType]] = key_table("app", _KEYS)

    def __init__(
        self,
        workspace: Workspace,
        *,
        keymap: Mapping[str, str] | None = None,
        warnings: Iterable[str] = (),
        poll: bool = True,
        engine: PollingEngine | None = None,
        closers: Sequence[Callable[[], Awaitable[None]]] = (),
        saved_replies_watch: Callable[[], tuple[SavedReply, ...] | str | None] | None = None,
    ) -> None:
        """``closers`` release what the workspace opened in this app's event loop (the
        departments' HTTP client); ``saved_replies_watch`` says when the saved replies'
        file changed (see :class:`smm_tui.wiring.SavedRepliesWatch`)."""
        super().__init__()
        self._closers = tuple(closers)
        self._saved_replies_watch = saved_replies_watch
        self.workspace = workspace
        self.last_key_at = 0.0
        self.engine = engine or workspace.polling_engine()
        self._keymap_config = dict(keymap or {})
        self._warnings = list(warnings)
        self._poll = poll
        self._announced: dict[str, str | None] = {}
        #: Whether this process polls the accounts; else who does (``host:pid``).
        self.polling = False
        self.poller_elsewhere: str | None = None
        self._terminal_watch: TerminalWatch | None = None
        self._incident_news = IncidentNews(partial(self.say, timeout=10))
        self._incident_sender: IncidentSender | None = None
        self.alerts = LiveAlerts(self, workspace, partial(self.say, severity="warning", timeout=15))

    def on_mount(self) -> None:
        if not self.is_headless:
            self._leave_with_the_terminal()
        self.set_keymap(self._keymap_config)
        for warning in self._warnings:
            self.say(warning, severity="warning", timeout=15)
        self.workspace.repo.subscribe(self._store_changed)
        # The queue is up from the first frame; the archive is read once it is painted.
        self.call_after_refresh(self._load_archive)
        if self._saved_replies_watch is not None:
            self.set_interval(SAVED_REPLIES_EVERY, self._check_saved_replies)
        self.set_interval(HEALTH_SECONDS, self.show_health)
        self.alerts.changed()  # a few small records: the strips show them from the first frame
        if self._poll:
            self.claim_polling()
            self.set_interval(LEASE_RETRY_SECONDS, self.claim_polling)
        # Other smm-tui on this data dir (teammates) write too: pick their changes up.
        self.set_interval(REFRESH_SECONDS, self.workspace.repo.refresh)
        self._resume_unsent_replies()

    def _leave_with_the_terminal(self) -> None:
        """Leave as ``q`` does when the terminal hangs up, on SIGHUP, and on SIGTERM.

        The command line holds those signals from before the first thread starts
        until now (see :mod:`smm_tui.hangup`): one that came during start-up is
        handled as soon as this thread releases them.
        """
        loop = asyncio.get_running_loop()

        def gone() -> None:
            loop.call_soon_threadsafe(self.exit)

        self._terminal_watch = TerminalWatch(gone)
        self._terminal_watch.start()
        loop.add_signal_handler(signal.SIGTERM, self.exit)
        loop.add_signal_handler(signal.SIGHUP, self._hung_up)
        release_signals(LEAVE_SIGNALS)

    def _hung_up(self) -> None:
        # SIGHUP by hand, to a live terminal, still gets the terminal restored.
        if self._terminal_watch is not None and self._terminal_watch.gone():
            self._terminal_watch.detach()
        self.exit()

    async def on_unmount(self) -> None:
        if self._terminal_watch is not None:
            self._terminal_watch.stop()
        for close in self._closers:
            try:
                await close()
            except Exception:  # closing must not hide the app's own outcome
                log.warning("closing %s failed", close, exc_info=True)

    def _check_saved_replies(self) -> None:
        watch = self._saved_replies_watch
        typing = time.monotonic() - self.last_key_at < SAVED_REPLIES_QUIET
        if watch is not None and not typing:
            in_background(self, watch, done=self._saved_replies_read, group="saved-replies")

    def _saved_replies_read(self, found: tuple[SavedReply, ...] | str | None) -> None:
        if isinstance(found, str):
            self.say(found, severity="warning", timeout=15)
        elif found is not None and self.workspace.saved_replies.replace(found):
            self.say(f"Saved replies reloaded: {len(found)}")

    async def on_event(self, event: events.Event) -> None:
        """Note when a key is pressed (background work waits while the user types)."""
        if isinstance(event, events.Key):
            self.last_key_at = time.monotonic()
        await super().on_event(event)

    def claim_polling(self) -> None:
        """Poll the accounts if no other smm-tui on this data dir does (it shows the news)."""
        if self.polling or not self.workspace.sources:
            return
        if not self.workspace.poller.try_acquire():
            self.poller_elsewhere = self.workspace.poller.holder() or "another smm-tui"
            return
        self.polling, self.poller_elsewhere = True, None
        self.alerts.start_watch()
        for source in self.workspace.sources.values():
            in_background(self, self.engine.run_account(source, self._health_changed), group="poll")

        # One process publishes: the poller. Like a poll it runs until the app ends.
        def settled(delivery: Delivery) -> None:
            self.post_message(DeliverySettled(delivery))

        notice = partial(self.say, severity="warning", timeout=15)
        work = self.workspace.publishing_engine().run(settled, notice)
        in_background(self, work, group="poll")
        in_background(self, self.workspace.casework().run(self._cases_settled), group="poll")
        self._incident_sender = sender = self.workspace.incident_sender()
        news = self._incident_news
        in_background(self, sender.run(news.settled, news.stuck), group="poll")

    def _load_archive(self) -> None:
        in_background(self, self._read_archive, done=self._archive_read, group="archive")

    def _archive_read(self, _: None) -> None:
        self.alerts.archive_read()
        self._deliver(ArchiveLoaded)

    def _read_archive(self) -> None:
        """Read the archive start-up deferred; returns once it is in (a blocking call)."""
        repo = self.workspace.repo
        repo.load_archive()
        repo.records(Collection.MENTIONS)  # an archived collection is listed once it is read

    def _health_changed(self, health: AccountHealth) -> None:
        self.post_message(AccountHealthChanged(health))

    def _store_changed(self, changed: Changed) -> None:
        """Called from the store's writer thread; hands the change to the event loop."""
        self.alerts.arrived(changed)
        self.post_message(StoreChanged(changed))

    # -- workers ----------------------------------------------------------------------

    def send_reply(self, reply_id: str, *, force: bool = False) -> None:
        """Send a recorded reply in a worker; the outcome arrives as ReplySettled.

        ``force`` sends a reply that may already be published on a network that
        cannot show threads, once a person has checked.
        """
        outbox = self.workspace.outbox
        try:
            reply = outbox.reply(reply_id)
        except NotFound as exc:  # a stale id must not end the app in a message handler
            self.say(f"Cannot send: {exc}.", severity="error")
            return
        source = self.workspace.source_for(reply.account)
        if source is None:
            self.say(f"Cannot send: no adapter for account {reply.account}.", severity="error")
            return
        in_background(
            self,
            outbox.send(reply_id, source, force=force),
            done=lambda settled: self.post_message(ReplySettled(settled)),
            group="outbox",
            expected=(RepositoryError,),
            failed=lambda exc: self.say(f"Reply not sent: {exc}", severity="error"),
        )

    def send_handoff(self, handoff_id: str) -> None:
        """Deliver a recorded handoff in a worker; the outcome arrives as HandoffSettled."""
        in_background(
            self,
            self.workspace.handoffs.send(handoff_id),
            done=lambda settled: self.post_message(HandoffSettled(settled)),
            group="outbox",
            expected=(RepositoryError,),
            failed=lambda exc: self.say(f"Handoff not sent: {exc}", severity="error"),
        )

    def _resume_unsent_replies(self) -> None:
        for reply in self.workspace.outbox.resumable():
            self.send_reply(reply.id)

    # -- messages -------------------------------------------------------------------

    @on(StoreChanged)
    def _deliver_change(self, event: StoreChanged) -> None:
        for warning in event.changed.warnings:
            self.say(warning, severity="warning", timeout=15)
        if not event.changed or set(event.changed.ids) <= {Collection.CURSORS, Collection.AUDIT}:
            return
        changed = event.changed
        if changed.of(Collection.ALERTS):
            self._alerts_changed()
        if self._incident_sender is not None and (
            changed.inserted(Collection.REPLIES) or changed.of(Collection.INCIDENTS)
        ):
            self._incident_sender.wake()  # replies were queued, or an incident resumed
        self._deliver(lambda: DataChanged(changed))

    def _deliver(self, message: Callable[[], Message]) -> None:
        """Post a fresh ``message()`` to every screen that wants it (see :meth:`_listening`)."""
        for screen in self._listening():
            screen.post_message(message())

    def _listening(self) -> Iterator[Screen[Any]]:
        """The screens of the pane in view, and those of other panes that follow every change."""
        yield from self.screen_stack
        for mode in self.MODES:
            if mode == self.current_mode:
                continue
            try:
                stack = self.get_screen_stack(mode)
            except KeyError:  # a pane not opened yet
                continue
            for screen in stack:
                if isinstance(screen, WorkspaceScreen) and screen.FOLLOWS_EVERY_CHANGE:
                    yield screen

    @on(AccountHealthChanged)
    def _show_health(self, event: AccountHealthChanged) -> None:
        health = event.health
        # Retries and rate limits pass by themselves (the strip shows them); a refused
        # token or a paused account needs a person, so it is also announced once.
        alarming = health.state in (HealthState.AUTH_FAILED, HealthState.CIRCUIT_OPEN)
        if alarming and health.message != self._announced.get(health.account):
            self.say(problem_text(health), severity="error", timeout=15)
        self._announced[health.account] = health.message if alarming else None
        self.show_health()
        self.alerts.check()

    def _alerts_changed(self) -> None:
        self.alerts.changed()
        self.show_health()

    def show_health(self) -> None:
        """Push the accounts' health to the strips on screen."""
        if not self.screen_stack:  # a poll may finish while the app is closing
            return
        report = self.health_report()
        for strip in self.screen.query(HealthStrip):
            strip.show_health(report)

    @on(HealthStrip.Mounted)
    def _first_health(self, event: HealthStrip.Mounted) -> None:
        event.strip.show_health(self.health_report())

    def health_report(self) -> HealthReport:
        """The accounts' health now, as the strips show it."""
        return HealthReport(
            self.account_health(),
            self.now(),
            details_key=self.keys_for("app.accounts"),
            poller_elsewhere=self.poller_elsewhere,
            has_accounts=bool(self.workspace.sources),
            alert=self.alerts.strip_line(),
            alerts_key=self.keys_for("app.alerts"),
        )

    def account_health(self) -> Sequence[AccountHealth]:
        """Every account's polling health, in config order."""
        return list(self.engine.health.values())

    def now(self) -> datetime:
        """The workspace clock."""
        return self.workspace.ctx.clock()

    @on(ReplySettled)
    def _announce_reply(self, event: ReplySettled) -> None:
        reply = event.reply
        if reply.state is ReplyState.SENT:
            self.say(f"Reply sent: {reply.url or reply.external_id}")
        elif reply.state is ReplyState.FAILED:
            retry = self.keys_for("detail.retry")
            self.say(
                f"Reply failed: {reply.error}. Open the mention and press {retry} to retry.",
                severity="error",
                timeout=10,
            )
        self._deliver(lambda: ReplySettled(reply))

    @on(DeliverySettled)
    def _announce_delivery(self, event: DeliverySettled) -> None:
        d, retry = event.delivery, self.keys_for("content.retry")
        if d.state is DeliveryState.FAILED:
            line = f"Post failed on {d.account}: {d.error} ({retry} in Content retries)"
            self.say(line, severity="error", timeout=10)
        self._deliver(lambda: DeliverySettled(d))

    @on(HandoffSettled)
    def _announce_handoff(self, event: HandoffSettled) -> None:
        handoff = event.handoff
        if handoff.state is HandoffState.SENT:
            self.say(f"{handoff.ref}: handed to {handoff.department}")
        elif handoff.state is HandoffState.FAILED:
            resend = self.keys_for("ticket.resend")
            line = f"{handoff.ref}: handoff to {handoff.department} failed: {handoff.error}"
            later = " It is tried again by itself." if handoff.retry_at else ""
            self.say(
                f"{line}.{later} ({resend} on the ticket resends it)", severity="error", timeout=10
            )
        self._deliver(lambda: HandoffSettled(handoff))

    def _cases_settled(self, report: CaseReport) -> None:
        """Called by the tickets' background work (on the event loop) after a pass."""
        for handoff in report.handoffs:
            self.post_message(HandoffSettled(handoff))
        for line in review_news(self.workspace.ctx, report):
            self.say(line, timeout=10)

    @on(Worker.StateChanged)
    def _report_crashed_worker(self, event: Worker.StateChanged) -> None:
        """A worker that died of something unexpected is reported, never silent."""
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            log.error("worker %s failed", event.worker.name, exc_info=error)
            self.say(f"Something went wrong: {type(error).__name__}: {error}", severity="error")

    def say(
        self, message: str, *, severity: SeverityLevel = "information", timeout: float = 5
    ) -> None:
        """A one-line toast, cleaned and never markup (it may quote network text)."""
        self.notify(clean_identity(message), severity=severity, markup=False, timeout=timeout)

    # -- actions --------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        screen = self.screen
        rows = help_rows(screen.active_bindings, self.get_key_display)
        notes = screen.help_notes() if isinstance(screen, WorkspaceScreen) else []
        self.push_screen(HelpScreen(type(screen).__name__.removesuffix("Screen"), rows, notes))

    def action_accounts(self) -> None:
        if not isinstance(self.screen, AccountsScreen):
            self.push_screen(AccountsScreen(self.account_health, self.now))

    def action_alerts(self) -> None:
        if not isinstance(self.screen, AlertsScreen):
            self.push_screen(AlertsScreen())

    def action_incidents(self) -> None:
        if not isinstance(self.screen, IncidentsScreen):
            self.push_screen(IncidentsScreen())

    def keys_for(self, binding_id: str) -> str:
        """The keys a binding of the app or of a pane is bound to (after the keymap), as displayed.

        It answers whether or not the pane is on screen (a toast names a key of the
        detail view; the contests pane names one of the feed's).
        """
        owners: tuple[type[DOMNode], ...] = (type(self), *PANE_SCREENS.values(), MentionScreen)
        for binding in (b for owner in owners for b in owner.BINDINGS):
            if isinstance(binding, Binding) and binding.id == binding_id:
                keys = self._keymap_config.get(binding_id, binding.key).split(",")
                return "/".join(self.get_key_display(Binding(k.strip(), "")) for k in keys)
        return "?"

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for title, help_text, mode in _PANE_COMMANDS:
            yield SystemCommand(title, help_text, partial(self.switch_mode, mode))
        yield SystemCommand(
            "Accounts", "Health of every account: polls, budgets, problems", self.action_accounts
        )
        yield SystemCommand("Spike alerts", "Newest first", self.action_alerts)
        yield SystemCommand(
            "Incidents", "Near-duplicate complaints answered at once", self.action_incidents
        )
        yield SystemCommand("Help", "Keys for this screen", self.action_help)
        if isinstance(screen, WorkspaceScreen):
            yield from screen.palette_commands()
        yield from super().get_system_commands(screen)


#: The palette's commands that switch panes: title, help, mode.
_PANE_COMMANDS = (
    ("Go to the feed", "Mentions", "feed"),
    ("Go to the ticket board", "Tickets", "tickets"),
    ("Go to the contest manager", "Contests", "contests"),
    ("Report", "Response times and the share within target", "report"),
    ("Go to the content calendar", "Posts by day and hour, or as a list", "content"),
    ("Go to trends", "Terms and hashtags rising against the last 7 days", "trends"),
)
