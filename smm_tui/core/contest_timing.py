"""When each step of an audited contest may happen, so that nobody can choose the winners.

The draw's randomness is public from the moment the committed drand round is out.
Anything that changes who is in the draw must therefore be over before then, and
be public before then:

- the commitment is published before entries close (it fixes the rules and the round);
- the round is at least :data:`FREEZE_WITHIN` after the close (a person has that long to
  check the entrants and override verdicts);
- asking the networks about entrants, overriding a verdict and freezing the entries are
  refused once the round is out;
- the frozen entries' hash is published before the round is out.

A draw that breaks any of these is refused (only the labelled, unverifiable local-seed
draw is left). A replay (the demo, on a round recorded long ago) is exempt from the
clock, and says so in public and in its proof.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from smm_tui.core import beacon as drand
from smm_tui.core.contest_proof import commit_round
from smm_tui.core.contest_rules import ContestRules
from smm_tui.core.contests import ContestError
from smm_tui.core.models import Contest, ContestCommitment, Reply, ReplyState, to_iso

#: How long after entries close the committed round is: the time to check and freeze.
FREEZE_WITHIN = timedelta(hours=1)


def draw_round(rules: ContestRules, freeze_within: timedelta = FREEZE_WITHIN) -> int:
    """The round a commitment made now names: the first at least ``freeze_within`` after
    the close (and at least one beacon period after it)."""
    if freeze_within < timedelta(0):
        raise ContestError("the time to freeze the entries cannot be negative")
    return commit_round(rules.closes + freeze_within)


def before_round(contest: Contest, now: datetime, doing: str) -> None:
    """Refuse ``doing`` once the committed round is out (a replay excepted)."""
    committed = contest.commitment
    if committed is None or committed.replay:
        return
    out_at = drand.time_of(committed.round)
    if now >= out_at:
        raise ContestError(
            f"drand round {committed.round} is out since {to_iso(out_at)}: {doing} now could "
            "choose the winners; only an unverifiable draw is left"
        )


def check_published_in_time(
    contest: Contest,
    rules: ContestRules,
    commitment: ContestCommitment,
    committed: Reply,
    frozen: Reply | None,
) -> None:
    """Refuse a beacon draw unless the commitment went out before the close and the
    frozen entries' hash before the round (a replay: only that both went out)."""
    if committed.state is not ReplyState.SENT or committed.sent_at is None:
        raise ContestError(
            f"the commitment is not published yet ({committed.state.value}): send it first"
        )
    if frozen is None or frozen.state is not ReplyState.SENT or frozen.sent_at is None:
        state = frozen.state.value if frozen is not None else "not made"
        raise ContestError(f"the frozen entries are not published yet ({state}): send them first")
    if commitment.replay:
        return
    if committed.sent_at >= rules.closes:
        raise ContestError(
            f"the commitment was published at {to_iso(committed.sent_at)}, after entries "
            f"closed at {to_iso(rules.closes)}: only an unverifiable draw is left"
        )
    out_at = drand.time_of(commitment.round)
    if contest.frozen_at is None or contest.frozen_at >= out_at or frozen.sent_at >= out_at:
        raise ContestError(
            f"the entries were not frozen and published before drand round {commitment.round} "
            "was out: only an unverifiable draw is left"
        )
