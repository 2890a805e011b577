"""Network reads through the services: threads, contest entries, our own replies."""

from __future__ import annotations

import dataclasses

import pytest

from smm_tui.core.contests import ContestError, reach_caveat
from smm_tui.core.models import (
    Author,
    Mention,
    Platform,
)
from smm_tui.core.network import (
    Identity,
    MentionPage,
    PermanentError,
    RateBudget,
    TransientError,
    is_our_reply,
)
from smm_tui.core.threads import ThreadResult
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention
from tests.core.services_kit import FakeChannel, run

# -- network reads through services ----------------------------------------------------------------


class FakeSource(FakeChannel):
    """An account source whose thread and post comments are set by the test."""

    platform = Platform.VK
    reply_limit = 4096
    poll_interval: float | None = None

    def __init__(self, account: str = "bank-vk") -> None:
        super().__init__(account)
        self.comments: tuple[Mention, ...] = ()

    def reply_length(self, text: str) -> int:
        return len(text)

    def rate_budget(self) -> RateBudget | None:
        return None

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        if self.fail_with is not None:
            raise self.fail_with
        return self.thread

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        return MentionPage((), cursor)

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        if self.fail_with is not None:
            raise self.fail_with
        return self.comments

    async def verify(self) -> Identity:
        return Identity("brand-1", "@bank", "Bank")

    async def aclose(self) -> None:
        return None


HOSTILE = "down\x1b[31m\nagain \u202eevil"


def test_thread_service_fetches_and_sanitises(store: Store, clock: FakeClock) -> None:
    source = FakeSource()
    workspace = Workspace(store, actor="alice", sources={"bank-vk": source}, clock=clock)
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    source.thread = (make_mention(0, text="root\x1b]0;x\x07"), mention)

    result = run(workspace.threads.fetch(mention.id))
    assert result.error is None
    assert [m.external_id for m in result.thread] == ["c0", "c1"]
    assert "\x1b" not in result.thread[0].text and "\x07" not in result.thread[0].text

    source.fail_with = PermanentError(HOSTILE)
    failed = run(workspace.threads.fetch(mention.id))
    assert failed.thread == () and failed.error is not None
    assert "\n" not in failed.error and "\x1b" not in failed.error and "\u202e" not in failed.error
    assert "down" in failed.error and "again" in failed.error


def test_thread_service_reports_a_missing_adapter_or_mention(workspace: Workspace) -> None:
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    assert run(workspace.threads.fetch(mention.id)) == ThreadResult(
        (), "no adapter for account bank-vk"
    )
    missing = run(workspace.threads.fetch("nope"))
    assert missing.thread == () and "nope" in (missing.error or "")


def test_contest_entries_are_collected_from_the_network(store: Store, clock: FakeClock) -> None:
    source = FakeSource()
    workspace = Workspace(store, actor="alice", sources={"bank-vk": source}, clock=clock)
    contest = run(workspace.contests.create("Live", Platform.VK, "bank-vk", "post-contest"))
    brand = dataclasses.replace(make_mention(0).author, id="brand-1")
    source.comments = (
        *(
            make_mention(n, root_external_id="post-contest", author=make_mention(n % 3).author)
            for n in range(1, 7)
        ),
        make_mention(8, root_external_id="post-contest", author=brand, text="Good luck!"),
    )
    assert run(workspace.contests.collect_from_network(contest.id)) == 3
    assert run(workspace.contests.collect_from_network(contest.id)) == 0

    source.fail_with = TransientError(HOSTILE)
    with pytest.raises(ContestError) as caught:
        run(workspace.contests.collect_from_network(contest.id))
    message = str(caught.value)
    assert "\n" not in message and "\x1b" not in message and "\u202e" not in message
    assert "down" in message

    source.fail_with = None
    run(workspace.contests.run_draw(contest.id, seed="ab" * 32))
    source.comments = (make_mention(9, root_external_id="post-contest"),)
    with pytest.raises(ContestError, match="closed"):
        run(workspace.contests.collect_from_network(contest.id))
    assert len(workspace.contests.entries(contest.id)) == 3


def test_collecting_without_an_adapter_is_a_contest_error(workspace: Workspace) -> None:
    contest = run(workspace.contests.create("Live", Platform.VK, "bank-vk", "post-contest"))
    with pytest.raises(ContestError, match="no adapter for account bank-vk"):
        run(workspace.contests.collect_from_network(contest.id))


def test_our_reply_is_ours_by_author_parent_and_text_links_aside() -> None:
    mention = make_mention(1)
    ours = dataclasses.replace(make_mention(2).author, id="brand")
    stranger = make_mention(3).author

    def reply(text: str, author: Author = ours, parent: str = "c1") -> Mention:
        return make_mention(9, text=text, author=author, parent_external_id=parent)

    sent = "Details: https://bank.example/help/cards/limits — ask @support@bank.example"
    shown = "@alice Details: bank.example/help/cards/limi… — ask @support"
    assert is_our_reply(reply(shown), mention, sent, "brand")
    assert not is_our_reply(reply(shown, author=stranger), mention, sent, "brand")
    assert not is_our_reply(reply(shown, parent="c7"), mention, sent, "brand")
    assert not is_our_reply(reply("@alice Something else"), mention, sent, "brand")


def test_a_network_that_cannot_list_comments_is_not_asked(store: Store, clock: FakeClock) -> None:
    source = FakeSource()
    workspace = Workspace(store, actor="alice", sources={"bank-tg": source}, clock=clock)
    contest = run(workspace.contests.create("Live", Platform.TELEGRAM, "bank-tg", "-100:7"))
    source.comments = (make_mention(1, root_external_id="-100:7"),)
    with pytest.raises(ContestError, match="Telegram cannot list a post's comments: the Bot API"):
        run(workspace.contests.collect_from_network(contest.id))
    assert workspace.contests.entries(contest.id) == []


def test_only_a_partial_reach_has_a_caveat() -> None:
    assert reach_caveat(Platform.VK) == "" and reach_caveat(Platform.MASTODON) == ""
    assert "7 days" in reach_caveat(Platform.X)
    assert "only the comments the bot saw" in reach_caveat(Platform.TELEGRAM)
