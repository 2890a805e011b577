"""What the app says about an incident's replies as the poller sends them.

Hundreds of replies go out per incident: a toast for each would bury the screen. One is
said when every reply of an incident is sent, and one the first time a reply of it
fails for a person to look at; the incident's screen shows the rest as it moves.
"""

from __future__ import annotations

from collections.abc import Callable

from smm_tui.core.incident_sender import SendEvent
from smm_tui.core.models import ReplyState
from smm_tui.core.wording import plural


class IncidentNews:
    """Turns the sender's events into at most two toasts per incident and phase."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self._say = say
        #: (incident id, what was said) already said in this process.
        self._said: set[tuple[str, str]] = set()

    def settled(self, event: SendEvent) -> None:
        """Called on the event loop for each reply the sender settled."""
        reply, progress = event.reply, event.progress
        phase = "follow-up" if reply.id.startswith(f"{event.incident_id}.f.") else "reply"
        if reply.state is ReplyState.FAILED and not reply.retry_at:
            self._once(
                event.incident_id,
                f"failed {phase}",
                f"{event.incident_id}: a {phase} failed: {reply.error}. "
                "Open the incident (Incidents in the palette) to see which.",
            )
        elif reply.state is ReplyState.SENT and progress.done:
            sent = plural(progress.sent, phase, "follow-ups" if phase == "follow-up" else "replies")
            self._once(event.incident_id, f"done {phase}", f"{event.incident_id}: {sent} sent.")

    def stuck(self, account: str, error: BaseException) -> None:
        """The sender met an error it did not expect on ``account`` (told once while it
        repeats); it goes on with the other accounts and tries again."""
        self._say(f"Incident replies to {account} stopped: {type(error).__name__}: {error}")

    def _once(self, incident_id: str, what: str, line: str) -> None:
        if (incident_id, what) not in self._said:
            self._said.add((incident_id, what))
            self._say(line)
