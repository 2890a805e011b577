"""The feed model's incremental updates agree with a full re-scan."""

from __future__ import annotations

import random
from pathlib import Path

from smm_tui.core.feed import FeedFilter, FeedModel, FeedScope
from smm_tui.core.models import Status
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import make_mention


def test_incremental_apply_matches_rebuild(store: Store) -> None:
    rng = random.Random(5)
    model = FeedModel(store)
    model.set_filter(FeedFilter.parsed(FeedScope.OPEN, "card"))
    statuses = list(Status)
    for step in range(60):
        changes = ChangeSet()
        for n in rng.sample(range(40), 5):
            mention = make_mention(n, text="card" if n % 3 else "other")
            changes.insert_new(Collection.MENTIONS, mention.to_record())
            if step % 2:
                changes.patch(
                    Collection.MENTIONS, mention.id, {"status": rng.choice(statuses).value}
                )
        if step % 7 == 0:
            changes.delete(Collection.MENTIONS, make_mention(rng.randrange(40)).id)
        model.apply(store.commit(changes))
        fresh = FeedModel(store)
        fresh.set_filter(model.filter)
        assert list(model.ids) == list(fresh.ids)
        assert model.unread == fresh.unread
    for row, mention_id in enumerate(model.ids):
        assert model.index_of(mention_id) == row
    assert model.ids[-1] == list(model.ids)[-1]


def test_typing_on_narrows_what_is_shown_to_the_same_result_as_a_rescan(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        workspace = Workspace(store, actor="anna", sources={})
        texts = ["карта не работает", "картошка", "карп", "кредит", "карта заблокирована"]
        store.commit(
            workspace.ingest.changes_for([make_mention(i, text=t) for i, t in enumerate(texts)])
        )
        feed = workspace.feed
        feed.rebuild()
        for typed in ("к", "ка", "кар", "карт", "карта"):
            feed.set_filter(FeedFilter.parsed(FeedScope.OPEN, typed))
            narrowed = list(feed.ids)
            feed.rebuild()
            assert narrowed == list(feed.ids), typed
        assert len(feed.ids) == 2


def test_retesting_the_open_queue_matches_a_full_rebuild(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        workspace = Workspace(store, actor="anna", sources={})
        mentions = [make_mention(i) for i in range(8)]
        store.commit(workspace.ingest.changes_for(mentions))
        store.commit(workspace.triage.status_changes([mentions[0].id], Status.DONE))
        feed = workspace.feed
        feed.rebuild()  # the app keeps the model current through apply()
        feed.set_filter(FeedFilter.parsed(FeedScope.OPEN, "older:1m"))
        feed.retest()
        retested = list(feed.ids)
        feed.rebuild()
        assert retested == list(feed.ids) and len(retested) == 7
