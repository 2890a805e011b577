"""A contest's comments as rows: each one's status and, when rejected, the reason."""

from __future__ import annotations

from smm_tui.core.contest_reads import ContestReads
from smm_tui.core.contest_verdicts import Verdict
from smm_tui.core.models import Contest, ContestState, to_iso

#: ``contest export``'s fields, in order.
EXPORT_FIELDS = (
    "entry",
    "network",
    "handle",
    "written_at",
    "status",
    "reason",
    "override_note",
    "override_by",
    "notes",
)


def step_of(contest: Contest) -> str:
    """Where an audited contest stands: ``rules``, ``committed``, ``frozen``,
    ``drawn``, ``announced`` (or ``open``/``drawn`` for one without rules)."""
    if contest.announcement_reply_id is not None:
        return "announced"
    if contest.state is ContestState.DRAWN:
        return "drawn"
    if contest.frozen_at is not None:
        return "frozen"
    if contest.commitment is not None:
        return "committed"
    return "rules" if contest.rules_toml else "open"


def export_rows(audited: ContestReads, contest: Contest) -> list[dict[str, object]]:
    """Every comment on the contest's posts, oldest first, with its verdict.

    Once entries are frozen, the status is the frozen list's (what the draw used).
    """
    frozen = {e.mention_id for e in contest.frozen} if contest.frozen_at else None
    return [_row(v, frozen) for v in audited.verdicts(contest.id)]


def _row(verdict: Verdict, frozen: set[str] | None) -> dict[str, object]:
    comment, override = verdict.comment, verdict.override
    status, reason = verdict.status, verdict.reason
    if frozen is not None and (comment.id in frozen) != verdict.accepted:
        # Changed since the freeze (an edit, a late fetch): the frozen list stands.
        status = "entry" if comment.id in frozen else "rejected"
        reason = "" if comment.id in frozen else "not among the entries frozen at the close"
    return {
        "entry": comment.external_id,
        "network": comment.platform.value,
        "handle": comment.author.handle,
        "written_at": to_iso(comment.created_at),
        "status": status,
        "reason": reason,
        "override_note": override.note if override is not None else "",
        "override_by": override.by if override is not None else "",
        "notes": "; ".join(verdict.decision.notes),
    }
