"""The app's side of spike alerts: the poller's watch in workers, and the alert on the strip.

In the process that polls, :class:`LiveAlerts` warms an
:class:`~smm_tui.core.alert_watch.AlertWatch` in a thread once the archive is
read (after the first paint, so start-up does not wait on it), hands it the ids
each store change inserted, and checks it in a thread after each poll and at
least every minute. Every process, poller or not, shows the newest stored alert
on the health strip and announces each new one once, as a toast.

It holds no Textual widget: the app calls it and asks it what the strip shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from textual.app import App

from smm_tui.core.alert_watch import CHECK_EVERY, AlertWatch
from smm_tui.core.alerts import SpikeAlert, alert_line
from smm_tui.core.repository import Changed, RepositoryError
from smm_tui.core.workspace import Workspace
from smm_tui.screens.base import in_background
from smm_tui.screens.feed import FeedScreen

log = logging.getLogger(__name__)


class LiveAlerts:
    """Raises alerts in the poller, and says which one the strip shows in every process.

    ``announce`` shows a one-line toast (never markup: the line quotes network text).
    """

    def __init__(
        self, app: App[Any], workspace: Workspace, announce: Callable[[str], None]
    ) -> None:
        self._app = app
        self._workspace = workspace
        self._announce = announce
        self._watch: AlertWatch | None = None
        self._archive_read = False
        self._warming = False
        self._checking = False
        self._check_again = False
        self._announced: set[str] = set()
        #: The alerts that may be on the strip, most telling first (each leaves once
        #: dismissed or an hour old).
        self._fresh: list[SpikeAlert] = []

    # -- the poller's watch --------------------------------------------------------

    def start_watch(self) -> None:
        """This process polls now: raise alerts (once the archive is read)."""
        if self._watch is None:
            self._watch = self._workspace.alert_watch()
            self._app.set_interval(CHECK_EVERY, self.check)
            self._warm()

    def archive_read(self) -> None:
        """The stored mentions are all in: the watch may warm."""
        self._archive_read = True
        self._warm()

    def _warm(self) -> None:
        watch = self._watch
        if watch is None or not self._archive_read or watch.warmed or self._warming:
            return
        self._warming = True
        in_background(
            self._app,
            watch.warm,
            done=self._warmed,
            group="alerts",
            expected=(RepositoryError,),
            failed=self._warm_failed,
        )

    def _warmed(self, _count: int) -> None:
        self._warming = False
        self.check()

    def _warm_failed(self, error: Exception) -> None:
        # The store could not be read: the next check (a poll, or a minute) tries again.
        self._warming = False
        log.warning("spike watch not warmed: %s", error)

    def arrived(self, changed: Changed) -> None:
        """A store change (called from the writer thread): queue its new mentions."""
        if self._watch is not None:
            self._watch.arrived(changed)

    def check(self) -> None:
        """Check the watch in a thread (a check already running runs once more after)."""
        watch = self._watch
        if watch is None:
            return
        if not watch.warmed:
            self._warm()
            return
        if self._checking:
            self._check_again = True
            return
        self._checking, self._check_again = True, False
        in_background(
            self._app,
            watch.check,
            done=self._checked,
            group="alerts",
            expected=(RepositoryError,),
            failed=self._check_failed,
        )

    def _check_failed(self, error: Exception) -> None:
        # The store said no (a full disk, say): the next poll checks again.
        self._checking = False
        log.warning("spike check failed: %s", error)

    def _checked(self, _stored: list[SpikeAlert]) -> None:
        # What was stored comes back as a store change, to this process as to the others.
        self._checking = False
        if self._check_again:
            self.check()

    # -- what every process shows --------------------------------------------------

    @property
    def watching(self) -> bool:
        """Whether this process raises alerts now (it polls, and its watch is warm)."""
        return self._watch is not None and self._watch.warmed

    def changed(self) -> None:
        """The stored alerts changed (or were never read): announce the new ones, once."""
        self._fresh = self._workspace.alerts.on_strip()
        news = [alert for alert in self._fresh if alert.id not in self._announced]
        self._announced.update(alert.id for alert in news)
        if news:
            self._announce(_with_more(news[0], len(news) - 1))

    def strip_line(self) -> str:
        """The line the health strip shows now ("" for none)."""
        now = self._workspace.ctx.clock()
        fresh = [alert for alert in self._fresh if alert.on_strip(now)]
        return _with_more(fresh[0], len(fresh) - 1) if fresh else ""


def _with_more(alert: SpikeAlert, more: int) -> str:
    return alert_line(alert) + (f" (+{more} more)" if more else "")


def open_feed_on(app: App[Any], query: str) -> FeedScreen | None:
    """Switch to the feed showing every mention ``query`` finds; the feed, if it took it."""
    app.switch_mode("feed")
    feed = app.get_screen_stack("feed")[0]
    if isinstance(feed, FeedScreen) and feed.show_query(query):
        return feed
    return None
