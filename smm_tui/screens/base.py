"""What every screen shares: typed access to the workspace, safe toasts, and guarded actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar, cast

from textual import work
from textual.app import SystemCommand
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from smm_tui.core.contests import ContestError
from smm_tui.core.context import NotFound
from smm_tui.core.network import AdapterError
from smm_tui.core.repository import RepositoryError
from smm_tui.core.sanitize import clean_identity
from smm_tui.core.workspace import Workspace
from smm_tui.messages import ThreadFetched

T = TypeVar("T")

#: Failures a user can act on: shown as one line, never a crash.
USER_ERRORS: tuple[type[Exception], ...] = (RepositoryError, AdapterError, ContestError, NotFound)


class WorkspaceApp(Protocol):
    """The app as screens see it."""

    workspace: Workspace
    #: When the last key was pressed (``time.monotonic``): background work yields to typing.
    last_key_at: float

    def send_reply(self, reply_id: str, *, force: bool = False) -> None:
        """Send a queued reply in the background; its outcome arrives as ReplySettled."""
        ...


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

    def keys_for(self, binding_id: str) -> str:
        """How the keys bound to ``binding_id`` are shown (after any remapping)."""
        return "/".join(dict.fromkeys(bound_keys(self.screen, binding_id))) or "?"

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
    ) -> None:
        """Run a service call in a worker; a user-facing failure becomes one toast."""

        async def run() -> None:
            try:
                result = await work
            except USER_ERRORS as exc:
                self.say(str(exc) or type(exc).__name__, error=True)
                return
            if done is not None:
                done(result)

        self.run_worker(run(), group=group, exit_on_error=False)


class MentionScreenBase(WorkspaceMixin, Screen[None]):
    """A screen about one mention, which fetches that mention's thread for context."""

    def __init__(self, mention_id: str) -> None:
        super().__init__()
        self.mention_id = mention_id

    @work(exclusive=True, group="thread", exit_on_error=False)
    async def fetch_thread(self) -> None:
        """Ask the mention's network for its thread; the answer comes as ThreadFetched."""
        result = await self.workspace.threads.fetch(self.mention_id)
        self.post_message(ThreadFetched(self.mention_id, result.thread, result.error))


def bound_keys(screen: Screen[Any], binding_id: str) -> list[str]:
    """The keys bound to ``binding_id`` on ``screen`` now (after the keymap), as displayed."""
    return [
        screen.app.get_key_display(item.binding)
        for item in screen.active_bindings.values()
        if item.binding.id == binding_id
    ]


def first_key_for(screen: Screen[Any], binding_id: str) -> str:
    """The first key bound to ``binding_id`` on ``screen`` now, as displayed ("?" if none)."""
    return next(iter(bound_keys(screen, binding_id)), "?")


class WorkspaceScreen(WorkspaceMixin, Screen[None]):
    """A pane over the workspace. It composes and routes; services do the work."""

    def palette_commands(self) -> list[SystemCommand]:
        """Commands this screen adds to the command palette."""
        return []

    def help_notes(self) -> list[str]:
        """What help should say about this screen beyond its keys (plain text)."""
        return []


class WorkspaceModal(WorkspaceMixin, ModalScreen[None]):
    """A dialog over the workspace."""
