"""The demo's departments: they hear about tickets at once, and nothing leaves the machine."""

from __future__ import annotations

from smm_tui.core.network import HandoffChannel, HandoffMessage


class DemoDepartment:
    """A department of the demo bank: a handoff is "delivered" to a made-up mailbox."""

    kind = "demo"

    def __init__(self, department: str) -> None:
        self.department = department
        mailbox = "-".join(department.lower().split()) or "desk"
        self.target = f"{mailbox}@bank.example (demo)"
        self.delivered: list[HandoffMessage] = []

    async def deliver(self, message: HandoffMessage) -> str:
        """Keep the message; the receipt says it was a demo."""
        self.delivered.append(message)
        return f"demo: delivered to {self.target}"


class DemoDepartments:
    """The demo's handoff lookup: every department hears through a :class:`DemoDepartment`."""

    def __init__(self) -> None:
        self._made: dict[str, DemoDepartment] = {}

    def __call__(self, department: str) -> HandoffChannel | str:
        if department not in self._made:
            self._made[department] = DemoDepartment(department)
        return self._made[department]
