"""``author_facts`` of each network against its fake: membership, creation dates, batching,
rate limits and malformed answers (the endpoints are :mod:`tests.fakes.author_facts`)."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from smm_tui.adapters.base import Adapter, PermanentError, RateLimited
from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author
from smm_tui.core.network import FactChannel
from tests.adapters.httpserver import running_server
from tests.conftest import FakeClock
from tests.fakes.author_facts import (
    ACCOUNTS,
    GET_PROFILES,
    GET_RELATIONSHIPS,
    RELATIONSHIPS,
    X_USERS,
    Entrant,
    Entrants,
    MastodonEntrants,
    TelegramEntrants,
    attach,
)
from tests.fakes.base import FakeNetwork, Fault
from tests.fakes.bluesky_shapes import BRAND_DID

NOW = datetime(2026, 11, 2, 18, 0, tzinfo=UTC)
CREATED = "2019-03-04T00:00:00.000Z"
CREATED_AT = datetime(2019, 3, 4, tzinfo=UTC)


@dataclass(frozen=True)
class Case:
    """One network: its ids, what it can tell, how it batches and what breaks its answer."""

    network: str
    ids: tuple[str, str, str]
    tells_membership: bool
    tells_creation: bool
    #: The batch size, and where the calls of one kind of batch go.
    batch: int
    batch_path: Callable[[Entrants], str]
    #: A malformed body for the next call, and the field the error must name.
    odd: Any
    field: str
    #: When the fake's rate limit says to come back, from the adapter's clock.
    retry_at: Callable[[datetime], datetime]


def _did(n: int) -> str:
    return f"did:plc:entrant{n:06d}"


CASES = (
    Case(
        "vk",
        ("512000001", "512000002", "512000003"),
        tells_membership=True,
        tells_creation=False,
        batch=500,
        batch_path=lambda _: "/method/groups.isMember",
        odd=[{"user_id": 512000001, "member": "yes"}],
        field="member",
        retry_at=lambda now: now + timedelta(hours=1),
    ),
    Case(
        "mastodon",
        ("109000001", "109000002", "109000003"),
        tells_membership=True,
        tells_creation=True,
        batch=40,
        batch_path=lambda _: RELATIONSHIPS,
        odd=[{"id": "109000001", "followed_by": "yes"}],
        field="followed_by",
        retry_at=lambda _: datetime.now(UTC) + timedelta(minutes=5),
    ),
    Case(
        "bluesky",
        (_did(1), _did(2), _did(3)),
        tells_membership=True,
        tells_creation=True,
        batch=30,
        batch_path=lambda _: GET_RELATIONSHIPS,
        odd={"actor": "did:plc:brand", "relationships": [{"did": _did(1), "followedBy": 7}]},
        field="followedBy",
        retry_at=lambda now: now + timedelta(seconds=60),
    ),
    Case(
        "telegram",
        ("600000901", "600000902", "600000903"),
        tells_membership=True,
        tells_creation=False,
        batch=1,
        batch_path=lambda entrants: entrants.path if isinstance(entrants, TelegramEntrants) else "",
        odd={"status": "subscriber"},
        field="status",
        retry_at=lambda now: now + timedelta(seconds=35),
    ),
    Case(
        "x",
        ("2244994945", "2244994946", "2244994947"),
        tells_membership=False,
        tells_creation=True,
        batch=100,
        batch_path=lambda _: X_USERS,
        odd={"data": [{"id": "2244994945", "created_at": "last spring"}]},
        field="created_at",
        retry_at=lambda _: datetime.now(UTC) + timedelta(seconds=60),
    ),
)


CASE = {case.network: case for case in CASES}


def only(*networks: str) -> pytest.MarkDecorator:
    """Run a test on these networks' rigs only."""
    return pytest.mark.parametrize("case", [CASE[n] for n in networks], indirect=True, ids=networks)


@pytest.fixture(params=CASES, ids=[case.network for case in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


@dataclass
class Rig:
    case: Case
    fake: FakeNetwork
    entrants: Entrants
    adapter: Adapter
    clock: FakeClock

    async def facts(self, ids: list[str]) -> dict[str, AuthorFacts]:
        channel: FactChannel = self.adapter
        return await channel.author_facts([Author(i, f"@{i[-6:]}") for i in ids])


@pytest.fixture
async def rig(case: Case) -> AsyncIterator[Rig]:
    module = importlib.import_module(f"tests.fakes.{case.network}")
    for server in running_server():
        fake: FakeNetwork = module.FAKE(server)
        clock = FakeClock(NOW)
        adapter = fake.adapter(clock=clock)
        yield Rig(case, fake, attach(fake), adapter, clock)
        await adapter.aclose()
        await fake.aclose()


def _many(case: Case, count: int) -> list[str]:
    if case.network == "bluesky":
        return [_did(100 + n) for n in range(count)]
    return [str(int(case.ids[0]) + 1000 + n) for n in range(count)]


async def test_a_member_a_non_member_a_date_and_a_missing_one(rig: Rig) -> None:
    member, outsider, stranger = rig.case.ids
    rig.entrants.add(member, Entrant(member=True, created_at=CREATED))
    rig.entrants.add(outsider, Entrant(member=False, created_at=CREATED))
    if rig.case.network == "telegram":
        # Telegram refuses an id it does not know, as any network refuses a bad id.
        with pytest.raises(PermanentError, match="user not found"):
            await rig.facts([stranger])
        rig.entrants.add(stranger, Entrant(status="kicked"))

    facts = await rig.facts([member, outsider, stranger, "not an id"])

    can_tell = rig.case.tells_membership
    created = CREATED_AT if rig.case.tells_creation else None
    assert facts[member] == AuthorFacts(True if can_tell else None, created, NOW)
    assert facts[outsider] == AuthorFacts(False if can_tell else None, created, NOW)
    # Someone the network does not show (gone, suspended: no facts; VK answers for any id,
    # and on Telegram they were banned from the channel), and an id it could not have.
    assert facts[stranger].created_at is None
    assert facts[stranger].is_member is (False if rig.case.network in ("vk", "telegram") else None)
    assert facts["not an id"] == AuthorFacts(None, None, NOW)


@only("bluesky", "x")
async def test_an_account_shown_without_a_creation_date_has_none(rig: Rig) -> None:
    undated = rig.case.ids[0]
    rig.entrants.add(undated, Entrant(member=True, created_at=None))

    facts = await rig.facts([undated])

    assert facts[undated].created_at is None
    assert len(rig.entrants.calls(rig.case.batch_path(rig.entrants))) == 1


async def test_asks_in_batches_as_the_network_allows(rig: Rig) -> None:
    size = rig.case.batch
    ids = _many(rig.case, size + 1)
    for author_id in ids:
        rig.entrants.add(author_id)

    facts = await rig.facts(ids)

    assert len(rig.entrants.calls(rig.case.batch_path(rig.entrants))) == (
        2 if size > 1 else size + 1
    )
    assert set(facts) == set(ids)
    assert all(f.is_member is (True if rig.case.tells_membership else None) for f in facts.values())


async def test_a_rate_limit_says_when_to_come_back(rig: Rig) -> None:
    rig.entrants.add(rig.case.ids[0])
    rig.fake.fail("facts", Fault.RATE_LIMIT)

    with pytest.raises(RateLimited) as caught:
        await rig.facts([rig.case.ids[0]])

    expected = rig.case.retry_at(NOW)
    assert abs(caught.value.retry_at - expected) <= timedelta(seconds=3)


async def test_a_malformed_answer_is_refused_naming_the_field(rig: Rig) -> None:
    rig.entrants.add(rig.case.ids[0])
    rig.entrants.odd = rig.case.odd

    with pytest.raises(PermanentError, match=rig.case.field):
        await rig.facts([rig.case.ids[0]])


@only("mastodon")
async def test_mastodon_before_4_3_is_asked_one_account_at_a_time(rig: Rig) -> None:
    assert isinstance(rig.entrants, MastodonEntrants)
    rig.entrants.batch = False
    first, second, gone = rig.case.ids
    rig.entrants.add(first, Entrant(created_at=CREATED))
    rig.entrants.add(second, Entrant(member=False, created_at="2026-10-30T00:00:00.000Z"))

    facts = await rig.facts([first, second, gone])
    again = await rig.facts([first])

    assert facts[first].created_at == CREATED_AT
    assert facts[second] == AuthorFacts(False, datetime(2026, 10, 30, tzinfo=UTC), NOW)
    assert facts[gone] == AuthorFacts(None, None, NOW)
    assert again[first].is_member is True
    # The batch lookup was asked once; afterwards every account goes one by one.
    assert len(rig.entrants.calls(ACCOUNTS)) == 1
    assert len(rig.entrants.calls(f"{ACCOUNTS}/{first}")) == 2


@only("mastodon", "bluesky")
async def test_creation_dates_are_batched_too(rig: Rig) -> None:
    profiles = {"mastodon": (ACCOUNTS, 40), "bluesky": (GET_PROFILES, 25)}
    path, size = profiles[rig.case.network]
    ids = _many(rig.case, size + 1)
    for author_id in ids:
        rig.entrants.add(author_id)

    facts = await rig.facts(ids)

    assert len(rig.entrants.calls(path)) == 2
    assert {f.created_at for f in facts.values()} == {CREATED_AT}


@only("vk")
async def test_vk_asks_the_community_about_many_users_at_once(rig: Rig) -> None:
    ids = list(rig.case.ids)

    await rig.facts(ids)

    (call,) = rig.entrants.calls("/method/groups.isMember")
    params = {k: v[0] for k, v in call.form().items()}
    assert params["user_ids"] == ",".join(ids)
    assert params["extended"] == "1"
    assert params["group_id"] == str(rig.fake.keys()["group_id"])


@only("telegram")
@pytest.mark.parametrize(
    ("entrant", "member"),
    [
        (Entrant(status="creator"), True),
        (Entrant(status="administrator"), True),
        (Entrant(status="restricted", member=True), True),
        (Entrant(status="restricted", member=False), False),
        (Entrant(status="left"), False),
        (Entrant(status="kicked"), False),
    ],
)
async def test_telegram_reads_every_status(rig: Rig, entrant: Entrant, member: bool) -> None:
    user = rig.entrants.add(rig.case.ids[0], entrant)

    facts = await rig.facts([user])

    assert facts[user] == AuthorFacts(member, None, NOW)


@only("telegram")
async def test_telegram_restricted_without_is_member_is_malformed(rig: Rig) -> None:
    rig.entrants.add(rig.case.ids[0])
    rig.entrants.odd = {"status": "restricted", "user": {"id": 1}}

    with pytest.raises(PermanentError, match="is_member"):
        await rig.facts([rig.case.ids[0]])


@only("bluesky")
async def test_bluesky_asks_about_the_brand_s_followers(rig: Rig) -> None:
    await rig.facts(list(rig.case.ids))

    (call,) = rig.entrants.calls(GET_RELATIONSHIPS)
    assert call.query["actor"] == [BRAND_DID]
    assert call.query["others"] == list(rig.case.ids)


async def test_checked_at_is_the_adapter_s_clock_at_the_answer(rig: Rig) -> None:
    rig.entrants.add(rig.case.ids[0])
    rig.clock.advance(90)

    facts = await rig.facts([rig.case.ids[0]])

    assert facts[rig.case.ids[0]].checked_at == NOW + timedelta(seconds=90)
