"""A contest's public replies (its commitment, its frozen entries, its announcement),
as the Contest pane and the proof view handle one made before."""

from __future__ import annotations

from smm_tui.core.models import Reply, ReplyState
from smm_tui.screens.base import WorkspaceScreen


def send_again_or_say(screen: WorkspaceScreen, reply: Reply, what: str, done: str) -> None:
    """A contest's public reply made before: sent again if it failed (the same reply, so
    never twice), else said where it stands."""
    if reply.state is ReplyState.FAILED:
        screen.send_reply(reply.id)
        screen.say(f"Sending {what} again.")
    else:
        screen.say(f"{done} ({reply.state.value}): {reply.text}")
