"""What every screen shares: typed access to the workspace, safe toasts, and background work.

Background work has one idiom, :func:`in_background`, used by the app and every
screen: a service call (an awaitable) or a blocking call (a function, run in a
thread with :func:`asyncio.to_thread`) runs in a Textual worker, and its result
is handed to a ``done`` callback back on the event loop, which updates widgets or
posts a past-tense message. Why this one: most of the work is the services'
async calls, which a thread worker could not await; a blocking call wrapped in
``to_thread`` fits the same shape, so the result always returns the same way, on
the UI thread, with no ``call_from_thread``; and one place decides which errors
become a toast (the rest reach the app's crashed-worker report).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any, ClassVar, Protocol, TypeVar, cast, overload

from textual.app import SystemCommand
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.worker import Worker

from smm_tui.core.contests import ContestError
from smm_tui.core.context import NotFound
from smm_tui.core.handoffs import NoHandoff
from smm_tui.core.incidents import IncidentError
from smm_tui.core.network import AdapterError
from smm_tui.core.outbox import AlreadySending
from smm_tui.core.planning import PostProblem
from smm_tui.core.repository import RepositoryError
from smm_tui.core.sanitize import clean_identity
from smm_tui.core.workspace import Workspace
from smm_tui.messages import ThreadFetched
from smm_tui.widgets.status_bar import PANES

T = TypeVar("T")

#: Failures a user can act on: shown as one line, never a crash.
USER_ERRORS: tuple[type[Exception], ...] = (
    RepositoryError,
    AdapterError,
    ContestError,
    NotFound,
    AlreadySending,
    PostProblem,
    NoHandoff,
    IncidentError,
)


class WorkspaceApp(Protocol):
    """The app as screens see it."""

    workspace: Workspace
    #: When the last key was pressed (``time.monotonic``): background work yields to typing.
    last_key_at: float

    def send_reply(self, reply_id: str, *, force: bool = False) -> None:
        """Send a queued reply in the background; its outcome arrives as ReplySettled."""
        ...

    def send_handoff(self, handoff_id: str) -> None:
        """Deliver a recorded handoff in the background; the outcome arrives as HandoffSettled."""
        ...

    def keys_for(self, binding_id: str) -> str:
        """The keys a binding of the app or of a pane is bound to (after the keymap)."""
        ...


@overload
def in_background(
    node: DOMNode,
    work: Callable[[], Awaitable[T]],
    *,
    done: Callable[[T], object] | None = None,
    group: str,
    exclusive: bool = False,
    expected: tuple[type[Exception], ...] = (),
    failed: Callable[[Exception], object] | None = None,
) -> Worker[None]: ...


@overload
def in_background(
    node: DOMNode,
    work: Awaitable[T] | Callable[[], T],
    *,
    done: Callable[[T], object] | None = None,
    group: str,
    exclusive: bool = False,
    expected: tuple[type[Exception], ...] = (),
    failed: Callable[[Exception], object] | None = None,
) -> Worker[None]: ...


def in_background(
    node: DOMNode,
    work: Awaitable[Any] | Callable[[], Any],
    *,
    done: Callable[[Any], object] | None = None,
    group: str,
    exclusive: bool = False,
    expected: tuple[type[Exception], ...] = (),
    failed: Callable[[Exception], object] | None = None,
) -> Worker[None]:
    """Run ``work`` in a worker of ``node``; ``done`` gets its result on the event loop.

    ``work`` is an awaitable (a service call), an async function to call with no
    arguments (``functools.partial`` of a service method), or a function that
    blocks (run in a thread). An async function creates its coroutine only once
    the worker starts, so work cancelled before then (an exclusive group, a
    closing screen) leaves none behind un-awaited. ``exclusive`` cancels the
    group's earlier work. An ``expected`` error goes to ``failed``; any other
    reaches the app's report of crashed workers. Returns the worker.
    """

    async def run() -> None:
        try:
            if isinstance(work, Awaitable):
                result = await work
            elif _is_async(work):
                result = await work()
            else:
                result = await asyncio.to_thread(work)
        except expected as exc:
            if failed is not None:
                failed(exc)
            return
        if done is not None:
            done(result)

    return node.run_worker(run, group=group, exclusive=exclusive, exit_on_error=False)


def _is_async(work: object) -> bool:
    """Whether ``work`` is an async function, bare or with its arguments bound by ``partial``."""
    function = work.func if isinstance(work, partial) else work
    return inspect.iscoroutinefunction(function)


class WorkspaceMixin(DOMNode):
    """Workspace access, toasts and guarded service calls for any screen."""

    @property
    def workspace(self) -> Workspace:
        """The app's workspace."""
        return cast(WorkspaceApp, self.app).workspace

    def last_key_at(self) -> float:
        """When the last key was pressed (``time.monotonic``); safe from any thread."""
        return cast(WorkspaceApp, self.app).last_key_at

    def send_reply(self, reply_id: str, *, force: bool = False) -> None:
        """Hand a queued reply to the app's outbox worker."""
        cast(WorkspaceApp, self.app).send_reply(reply_id, force=force)

    def send_handoff(self, handoff_id: str) -> None:
        """Hand a recorded handoff to the app's worker, which delivers it."""
        cast(WorkspaceApp, self.app).send_handoff(handoff_id)

    def pane_keys(self) -> Mapping[str, str]:
        """The keys that switch to each pane (for the status bar), by binding id."""
        app = cast(WorkspaceApp, self.app)
        return {binding_id: app.keys_for(binding_id) for binding_id, _ in PANES}

    def keys_for(self, binding_id: str) -> str:
        """How the keys bound to ``binding_id`` on this screen are shown (after any remapping)."""
        return keys_of(self.screen, binding_id, separator="/")

    def app_keys_for(self, binding_id: str) -> str:
        """How the keys of a binding of the app or of any pane are shown, on screen or not."""
        return cast(WorkspaceApp, self.app).keys_for(binding_id)

    def say(self, message: str, *, error: bool = False) -> None:
        """A one-line toast. Never markup, and cleaned: messages may quote network text."""
        self.app.notify(
            clean_identity(message), severity="error" if error else "information", markup=False
        )

    def act(
        self,
        work: Awaitable[T],
        *,
        done: Callable[[T], object] | None = None,
        group: str = "actions",
        failed: Callable[[Exception], object] | None = None,
    ) -> None:
        """Run a service call in the background; a user-facing failure becomes one toast.

        ``failed`` is told of that failure too (after the toast), to undo what waited on it.
        """

        def say_failed(error: Exception) -> None:
            self.say(str(error) or type(error).__name__, error=True)
            if failed is not None:
                failed(error)

        in_background(self, work, done=done, group=group, expected=USER_ERRORS, failed=say_failed)


# Screen comes first in every class below: Textual takes a class's CSS (its DEFAULT_CSS and
# the type selectors that match it) through the first base that is a DOM node, so with the
# mixin first a dialog would miss ModalScreen's styles (centred, the screen below dimmed).
class MentionScreenBase(Screen[None], WorkspaceMixin):
    """A screen about one mention, which fetches that mention's thread for context."""

    def __init__(self, mention_id: str) -> None:
        super().__init__()
        self.mention_id = mention_id

    def fetch_thread(self) -> None:
        """Ask the mention's network for its thread; the answer comes as ThreadFetched."""
        mention_id = self.mention_id
        in_background(
            self,
            partial(self.workspace.threads.fetch, mention_id),
            done=lambda got: self.post_message(ThreadFetched(mention_id, got.thread, got.error)),
            group="thread",
            exclusive=True,
        )


def bound_keys(screen: Screen[Any], binding_id: str) -> list[str]:
    """The keys bound to ``binding_id`` on ``screen`` now (after the keymap), as displayed."""
    return [
        screen.app.get_key_display(item.binding)
        for item in screen.active_bindings.values()
        if item.binding.id == binding_id
    ]


def keys_of(screen: Screen[Any], binding_id: str, *, separator: str = " / ") -> str:
    """Every key bound to ``binding_id`` on ``screen`` now, as ``y / enter`` ("?" if none)."""
    return separator.join(dict.fromkeys(bound_keys(screen, binding_id))) or "?"


def first_key_for(screen: Screen[Any], binding_id: str) -> str:
    """The first key bound to ``binding_id`` on ``screen`` now, as displayed ("?" if none)."""
    return next(iter(bound_keys(screen, binding_id)), "?")


class WorkspaceScreen(Screen[None], WorkspaceMixin):
    """A pane over the workspace. It composes and routes; services do the work."""

    #: Whether the screen must see every change, even while another pane is shown
    #: (it keeps a model updated change by change); others re-read when they return.
    FOLLOWS_EVERY_CHANGE: ClassVar[bool] = False

    def palette_commands(self) -> list[SystemCommand]:
        """Commands this screen adds to the command palette."""
        return []

    def help_notes(self) -> list[str]:
        """What help should say about this screen beyond its keys (plain text)."""
        return []


class WorkspaceModal(ModalScreen[None], WorkspaceMixin):
    """A dialog over the workspace."""
