"""The demo's giveaway, run audited: its rules file, and a commitment to the replayed round.

The demo cannot reach drand, so its contest commits to a real round recorded
long ago (:data:`REPLAY_ROUND`, which :mod:`smm_tui.adapters.replay_beacon`
carries) and says so in public: the commitment reads "[replay]", and the proof
it ends in is labelled a replay. Everything else is what a real contest does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from smm_tui.core.contest_rules import ContestPost, ContestRules, EntryRules, Exclusions
from smm_tui.core.models import Platform

#: The quicknet round the demo replays (published 2023-09-15 11:00:03 UTC).
REPLAY_ROUND = 657413
#: How long after the app opens the demo's entries close.
CLOSES_AFTER = timedelta(minutes=8)


def demo_rules(
    platform: Platform, post: str, opens: datetime, now: datetime, staff: Sequence[str]
) -> str:
    """The rules file of the demo's giveaway: entries close a few minutes after ``now``."""
    closes = (now + CLOSES_AFTER).replace(second=0, microsecond=0) + timedelta(minutes=1)
    rules = ContestRules(
        posts=(ContestPost(platform, post),),
        opens=opens.replace(microsecond=0),
        closes=closes,
        entry=EntryRules(min_tagged_friends=1, membership=True, min_account_age_days=30),
        exclusions=Exclusions(staff=tuple(sorted(staff)), earlier_winners_within_days=90),
        winners=3,
        reserves=2,
    )
    return rules.to_toml()
