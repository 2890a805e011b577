"""Every network's fake, through a contest: membership and account age give their reasons, and
where a network cannot tell, the entry stands with a note saying so."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from smm_tui.core.models import Author, Contest, Platform
from smm_tui.core.platforms import spec
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.adapters.test_author_facts import NOW, Rig, case, rig
from tests.conftest import make_mention
from tests.fakes.author_facts import Entrant

__all__ = ["case", "rig"]  # the fixtures, shared with test_author_facts

RULES = """
opens = "2026-10-31T18:00:00Z"
closes = "2026-11-02T17:30:00Z"

[[posts]]
network = "{network}"
post = "post-1"

[entry]
membership = true
min_account_age_days = 30
"""


def iso(moment: object) -> str:
    return f"{moment:%Y-%m-%dT%H:%M:%S}.000Z"


async def judged(rig: Rig, workspace: Workspace) -> dict[str, tuple[str, tuple[str, ...]]]:
    platform = Platform(rig.case.network)
    old, outsider, young = rig.case.ids
    rig.entrants.add(old, Entrant(member=True, created_at=iso(NOW - timedelta(days=900))))
    rig.entrants.add(outsider, Entrant(member=False, created_at=iso(NOW - timedelta(days=900))))
    rig.entrants.add(young, Entrant(member=True, created_at=iso(NOW - timedelta(days=3, hours=2))))
    comments = [
        make_mention(
            n,
            platform=platform,
            account=rig.adapter.account,
            external_id=f"c{n}",
            author=Author(author_id, f"user{n}"),
            created_at=NOW - timedelta(hours=1),
        )
        for n, author_id in enumerate((old, outsider, young))
    ]
    await workspace.ingest.ingest(comments)
    contest: Contest = await workspace.contests.create(
        "Giveaway", platform, rig.adapter.account, "post-1"
    )
    await workspace.audited.set_rules(contest.id, RULES.format(network=platform.value))
    asked = await workspace.audited.ask_facts(contest.id, {rig.adapter.account: rig.adapter})
    assert asked.left == 0 and not asked.failed, asked
    return {
        v.comment.author.handle: (v.reason, v.decision.notes)
        for v in workspace.audited.verdicts(contest.id)
    }


async def test_membership_and_account_age_on_each_network(rig: Rig, tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        accounts = {rig.adapter.account: rig.adapter}
        workspace = Workspace(store, actor="alice", sources=accounts, clock=rig.clock)
        found = await judged(rig, workspace)
    name = spec(Platform(rig.case.network)).name
    assert found["user0"][0] == "", "a member with an old account enters"
    if rig.case.tells_membership:
        assert found["user1"][0] == "not a member of the community at 18:00"
    else:
        assert found["user1"] == ("", (f"membership not checked: {name} cannot tell",))
    if rig.case.tells_creation:
        assert found["user2"][0] == "account created 3 days ago"
    else:
        note = f"account age not checked: {name} gives no creation date"
        assert found["user2"] == ("", (note,))
