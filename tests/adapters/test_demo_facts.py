"""The demo's answers about contest entrants: the same every time, and a believable mix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smm_tui.adapters.demo import DemoAdapter
from smm_tui.core.models import Author, Platform
from tests.conftest import FakeClock

NOW = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
AUTHORS = [Author(f"id{n}", f"@person{n}") for n in range(400)]


def _demo(platform: Platform, seed: int = 7) -> DemoAdapter:
    return DemoAdapter("demo", simulate=platform, seed=seed, backlog=0, clock=FakeClock(NOW))


async def test_the_same_author_gets_the_same_facts_every_time() -> None:
    first = await _demo(Platform.MASTODON).author_facts(AUTHORS)
    again = await _demo(Platform.MASTODON, seed=99).author_facts(list(reversed(AUTHORS)))

    assert first == again


async def test_most_are_old_members_and_a_few_are_not() -> None:
    facts = (await _demo(Platform.BLUESKY).author_facts(AUTHORS)).values()

    outsiders = [f for f in facts if f.is_member is False]
    young = [f for f in facts if f.created_at is not None and NOW - f.created_at < timedelta(7)]
    old = [f for f in facts if f.created_at is not None and NOW - f.created_at > timedelta(180)]
    assert 20 <= len(outsiders) <= 80
    assert 15 <= len(young) <= 70
    assert len(old) + len(young) == len(AUTHORS)
    assert all(f.checked_at == NOW for f in facts)
    assert all(f.created_at is not None and f.created_at.hour == 0 for f in facts)


async def test_each_network_says_only_what_it_can() -> None:
    x = await _demo(Platform.X).author_facts(AUTHORS)
    vk = await _demo(Platform.VK).author_facts(AUTHORS)
    telegram = await _demo(Platform.TELEGRAM).author_facts(AUTHORS)

    assert {f.is_member for f in x.values()} == {None}
    assert all(f.created_at is not None for f in x.values())
    for facts in (vk, telegram):
        assert {f.created_at for f in facts.values()} == {None}
        assert {f.is_member for f in facts.values()} == {True, False}
