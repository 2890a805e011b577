"""Noticing that the app's terminal has gone, whoever was sent the SIGHUP.

When an SSH connection drops or a tmux session is killed, the kernel hangs up
the terminal and signals only the session leader. If that is the app, it gets
SIGHUP; if it is a shell, the shell passes SIGHUP on; but ``make run`` as the
leader passes nothing on, and the app would live on with no terminal.

Textual (8.2) does not notice either: its input thread reads end-of-file from
the hung-up terminal in a busy loop, and its writer thread dies on the first
write that fails with EIO, after which the app blocks once the writer's queue
is full. Working around that without touching Textual's internals, this module:

- watches the terminal's descriptors for a hang-up with ``poll`` and no read
  events, so it never takes a byte of input from Textual's own reader;
- detaches from the dead terminal at once, pointing the descriptors at
  ``/dev/null``, so that nothing more is written to it and no write can fail;
- then calls back, so that the app leaves the way ``q`` does (drafts kept,
  writes committed, the poller lock released).

It also offers what keeps the signals that end the app (:data:`LEAVE_SIGNALS`)
from killing it half-way: they are held (blocked, pending) from the start of
the process until the app's handlers are in place, and ignored once the app
has left, while the store commits its last writes.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import threading
from collections.abc import Callable, Iterable, Sequence

log = logging.getLogger(__name__)

#: The standard descriptors: the terminal the app reads keys from and draws on.
TERMINAL_FDS = (0, 1, 2)
#: The signals after which the app leaves as ``q`` does.
LEAVE_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
_GONE = select.POLLHUP | select.POLLERR | select.POLLNVAL


def hold_signals(signals: Iterable[signal.Signals]) -> None:
    """Block ``signals`` in this thread: they wait, pending, until released.

    Threads started afterwards inherit the block, and a signal sent to the
    process goes to a thread that does not block it: hold before starting any.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, list(signals))


def release_signals(signals: Iterable[signal.Signals]) -> None:
    """Unblock ``signals``: one that was held pending is delivered now."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, list(signals))


def ignore_signals(signals: Iterable[signal.Signals]) -> None:
    """Ignore ``signals`` from now on, in every thread (for a clean-up that must finish)."""
    for sig in signals:
        signal.signal(sig, signal.SIG_IGN)


def terminal_fds(candidates: Sequence[int] = TERMINAL_FDS) -> list[int]:
    """Those of ``candidates`` that are open on a terminal."""
    found = []
    for fd in candidates:
        try:
            if os.isatty(fd):
                found.append(fd)
        except OSError:
            continue
    return found


def detach_from_terminal(fds: Sequence[int] = TERMINAL_FDS) -> None:
    """Point ``fds`` at ``/dev/null``: reads see end-of-file, writes go nowhere.

    The descriptor numbers stay valid, so code holding them (Textual's reader
    and writer threads) carries on harmlessly until the app has left. Input
    must end (not merely stay silent): Textual's reader may already be between
    its ``select`` and its blocking ``read`` of the old terminal.
    """
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in fds:
            os.dup2(null, fd)
    finally:
        os.close(null)


class TerminalWatch:
    """A daemon thread that calls ``on_gone`` once when the terminal hangs up.

    ``on_gone`` runs in the watch's thread after the descriptors have been
    detached; it should only hand the news to the app's event loop.
    """

    def __init__(self, on_gone: Callable[[], None], fds: Sequence[int] | None = None) -> None:
        self._on_gone = on_gone
        self._fds = terminal_fds() if fds is None else list(fds)
        self._stopped = threading.Event()
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._watch, name="smm-terminal-watch", daemon=True)

    def start(self) -> None:
        """Begin watching (nothing happens when there is no terminal)."""
        if self._fds:
            self._thread.start()

    def stop(self) -> None:
        """Stop watching at once; ``on_gone`` is not called after this returns."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        os.write(self._wake_write, b"x")
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()
        os.close(self._wake_read)
        os.close(self._wake_write)

    def gone(self) -> bool:
        """Whether the terminal has hung up, asked now without waiting."""
        return self._gone(self._terminal_poller().poll(0))

    def detach(self) -> None:
        """Stop using the terminal (see :func:`detach_from_terminal`)."""
        detach_from_terminal(self._fds)

    def _terminal_poller(self) -> select.poll:
        poller = select.poll()
        for fd in self._fds:
            # No read events asked for: a hang-up or an error is reported regardless,
            # and Textual's reader keeps every byte of input.
            poller.register(fd, 0)
        return poller

    def _gone(self, events: list[tuple[int, int]]) -> bool:
        return any(fd != self._wake_read and mask & _GONE for fd, mask in events)

    def _watch(self) -> None:
        poller = self._terminal_poller()
        poller.register(self._wake_read, select.POLLIN)
        while not self._stopped.is_set():
            if self._gone(poller.poll()):
                break
        else:
            return
        log.info("the terminal hung up: leaving")
        self.detach()
        if not self._stopped.is_set():
            self._on_gone()
