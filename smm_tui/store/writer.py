"""The store's writer thread: it serves queued writes in batches and acknowledges them.

Callers never block on each other: the writer drains whatever is queued into
one commit, so a burst of a thousand ingested mentions costs a few writes. A
caller's future resolves only once its changes are durable (the commit returned),
then every subscriber hears what changed.

The writer outlives its callers' mistakes: changes whose future was cancelled
(an awaiting task cancelled at exit) are still written, and a subscriber that
raises is logged, not fatal. Should the writer die anyway, every waiting future
fails and :meth:`Writer.close` raises instead of pretending all was written.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError
from dataclasses import dataclass
from pathlib import Path

from smm_tui.core.repository import Changed, ChangeSet, Subscriber
from smm_tui.store.storage import StoreError

logger = logging.getLogger(__name__)

#: Commits a batch of change sets: what they changed together, and each one's outcome.
CommitBatch = Callable[[list[ChangeSet]], tuple[Changed, list[Changed]]]


@dataclass(slots=True)
class Request:
    """One queued call: changes to write (None: only pick up other processes' writes)."""

    changes: ChangeSet | None
    future: Future[Changed]


class Writer:
    """One background thread that serves every write and refresh of a store, in order."""

    def __init__(
        self,
        data_dir: Path,
        *,
        commit: CommitBatch,
        refresh: Callable[[], Changed],
        first: Callable[[], None] | None = None,
    ) -> None:
        """``commit`` and ``refresh`` serve the requests (in the writer thread, one batch
        at a time); ``first`` runs in the thread before it serves any."""
        self.data_dir = data_dir
        self._commit = commit
        self._refresh = refresh
        self._first = first
        self._queue: queue.SimpleQueue[Request | None] = queue.SimpleQueue()
        self._subscribers: list[Subscriber] = []
        # Guards _thread, _crash and putting on the queue, so that nothing is queued
        # behind the stop marker or after the writer died (it would never resolve).
        self._life = threading.Lock()
        self._crash: BaseException | None = None
        self._crash_reported = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread: until then (and once closed) every request is refused."""
        thread = threading.Thread(target=self._run, name="store-writer", daemon=True)
        with self._life:
            self._thread = thread
        thread.start()

    def submit(self, changes: ChangeSet | None) -> Future[Changed]:
        """Queue a request; its future resolves once it has been served."""
        future: Future[Changed] = Future()
        with self._life:
            if self._thread is not None and self._crash is None:
                self._queue.put(Request(changes, future))
                return future
        if self._crash is not None:
            future.set_exception(self._died())
        else:
            future.set_exception(StoreError(f"store at {self.data_dir} is closed"))
        return future

    def subscribe(self, subscriber: Subscriber) -> None:
        """Call ``subscriber`` from the writer thread after every durable change."""
        self._subscribers.append(subscriber)

    def notify(self, changed: Changed) -> None:
        """Tell every subscriber; one that raises is logged and the others still hear."""
        for subscriber in list(self._subscribers):
            try:
                subscriber(changed)
            except Exception:
                logger.exception("a subscriber of store %s failed", self.data_dir)

    def close(self, before_stop: Callable[[], None]) -> None:
        """Serve what is queued, then stop the thread (``before_stop`` runs just before
        the stop is queued, the first time only).

        Raises StoreError if the writer had died: requests queued since then were
        not served (their futures failed too).
        """
        with self._life:
            thread, self._thread = self._thread, None
            if thread is not None:
                before_stop()
                self._queue.put(None)
        if thread is not None:
            thread.join()
            self._reject_queued(StoreError(f"store at {self.data_dir} is closed"))
        if self._crash is not None and not self._crash_reported:
            self._crash_reported = True
            raise self._died() from self._crash

    def _died(self) -> StoreError:
        reason = " ".join(str(self._crash).split()) or type(self._crash).__name__
        return StoreError(
            f"the writer of store {self.data_dir} stopped ({reason}); "
            "changes made since then were not saved"
        )

    def _reject_queued(self, error: StoreError) -> None:
        """Fail every request still queued (nothing will serve them)."""
        while True:
            try:
                request = self._queue.get_nowait()
            except queue.Empty:
                return
            if request is not None:
                _fail(request.future, error)

    def _run(self) -> None:
        batch: list[Request] = []
        try:
            if self._first is not None:
                self._first()
            stopping = False
            while not stopping:
                batch, stopping = self._next_batch()
                if batch:
                    self.serve(batch)
        except BaseException as exc:
            logger.exception("the writer of store %s stopped", self.data_dir)
            with self._life:
                self._crash = exc
            error = self._died()
            for request in batch:
                _fail(request.future, error)
            self._reject_queued(error)

    def _next_batch(self) -> tuple[list[Request], bool]:
        """Wait for work, then take all that is queued; True once the stop marker was taken."""
        first = self._queue.get()
        if first is None:
            return [], True
        batch = [first]
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False
            if item is None:
                return batch, True
            batch.append(item)

    def serve(self, batch: list[Request]) -> None:
        """Serve a batch as one commit (or one refresh), resolve its futures, then notify."""
        # A future cancelled by now (its waiter gave up) is still written, just not
        # resolved; once marked running, a future can no longer be cancelled.
        waiting = [request for request in batch if request.future.set_running_or_notify_cancel()]
        writes = [(id(r), r.changes) for r in batch if r.changes is not None]
        per_request: dict[int, Changed] = {}
        try:
            if writes:
                changed, outcomes = self._commit([changes for _, changes in writes])
                per_request = {
                    key: outcome for (key, _), outcome in zip(writes, outcomes, strict=True)
                }
            else:
                changed = self._refresh()
        except Exception as exc:
            for request in waiting:
                request.future.set_exception(exc)
            return
        for request in waiting:
            request.future.set_result(per_request.get(id(request), changed))
        if changed or changed.warnings:
            self.notify(changed)


def _fail(future: Future[Changed], error: StoreError) -> None:
    """Fail a future unless it is already settled (or its waiter cancelled it)."""
    with contextlib.suppress(InvalidStateError):
        future.set_exception(error)
