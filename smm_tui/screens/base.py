"""What every screen shares: typed access to the workspace, and safe toasts."""

from __future__ import annotations

from typing import Protocol, cast

from textual.app import SystemCommand
from textual.screen import Screen

from smm_tui.core.workspace import Workspace


class WorkspaceApp(Protocol):
    """The app as screens see it."""

    workspace: Workspace


class WorkspaceScreen(Screen[None]):
    """A screen over the workspace. It composes and routes; services do the work."""

    @property
    def workspace(self) -> Workspace:
        """The app's workspace."""
        return cast(WorkspaceApp, self.app).workspace

    def palette_commands(self) -> list[SystemCommand]:
        """Commands this screen adds to the command palette."""
        return []

    def say(self, message: str, *, error: bool = False) -> None:
        """A toast. Never markup: messages may quote network text."""
        self.notify(message, severity="error" if error else "information", markup=False)
