"""A recorded drand quicknet round, replayed where drand cannot be reached (the demo).

The value is real: round 657413 of quicknet, as drand's relays publish it (from
the README of mcdcam/python-drand-verify; ``tests/fixtures/drand/`` has the same
value, with its source and licence). Its BLS signature verifies against the chain's key, so a
draw on it goes through every check a live one does. It was published on
2023-09-15, long before any contest here, so a draw on it is a **replay**: the
commitment says so in public and the proof carries it (see ``docs/draw.md``).
"""

from __future__ import annotations

from smm_tui.core.beacon import Beacon
from smm_tui.core.demo_contest import REPLAY_ROUND
from smm_tui.core.network import PermanentError

RECORDED = Beacon(
    round=REPLAY_ROUND,
    randomness=bytes.fromhex("fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587"),
    signature=bytes.fromhex(
        "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be"
        "41076862b98fad56e91a6b85b89cd97b"
    ),
)


class ReplayBeacon:
    """A beacon source that knows one recorded round and nothing else."""

    def __init__(self, recorded: Beacon = RECORDED) -> None:
        self.recorded = recorded

    async def fetch(self, round_number: int) -> Beacon:
        """The recorded round; any other is refused (a replay cannot make one up)."""
        if round_number != self.recorded.round:
            raise PermanentError(
                f"the replay knows only drand round {self.recorded.round}, not {round_number}"
            )
        return self.recorded
