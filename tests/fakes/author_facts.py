"""What each fake network says about contest entrants: membership and account creation.

An :class:`Entrants` attaches to one of the five fakes and installs the
endpoints the adapters' ``author_facts`` call, answering in the network's
documented shapes (``docs/publishing-apis.md`` §5 of the research notes):

- VK ``groups.isMember`` (``user_ids``, ``extended=1``: ``[{user_id, member}]``);
- Mastodon ``/api/v1/accounts/relationships`` (``followed_by``), the 4.3 batch
  ``/api/v1/accounts?id[]=`` and, one by one, ``/api/v1/accounts/:id``;
- Bluesky ``app.bsky.graph.getRelationships`` (``followedBy``; ``notFoundActor``)
  and ``app.bsky.actor.getProfiles`` (``createdAt``, which may be missing);
- Telegram ``getChatMember`` on the brand's channel (``status``, ``is_member``);
- X ``GET /2/users?ids=`` (``created_at``; unknown ids in ``errors[]``).

Faults come through the fake's own queue under the operation ``"facts"``
(``fake.fail("facts", Fault.RATE_LIMIT)``), answered as the fake answers any
call. :attr:`Entrants.odd` is a body to answer the next call with instead, in
the network's envelope: a malformed answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.adapters.httpserver import Reply, Request, json_reply
from tests.fakes.base import FakeNetwork
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.bluesky_shapes import BRAND_DID, xrpc_error
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.telegram import CHANNEL, FakeTelegram
from tests.fakes.vk import FakeVK
from tests.fakes.vk_wall import error_reply, params_of
from tests.fakes.x import FakeX
from tests.fakes.x_shapes import PROBLEM_401

__all__ = ["Entrant", "Entrants", "attach"]

#: The batch limits the networks document.
VK_USER_IDS = 500
BLUESKY_OTHERS = 30
BLUESKY_ACTORS = 25
X_IDS = 100
#: Where Mastodon's relationships, accounts and X's users are.
RELATIONSHIPS = "/api/v1/accounts/relationships"
ACCOUNTS = "/api/v1/accounts"
X_USERS = "/2/users"
GET_RELATIONSHIPS = "/xrpc/app.bsky.graph.getRelationships"
GET_PROFILES = "/xrpc/app.bsky.actor.getProfiles"
_NOT_FOUND_ACTOR = "app.bsky.graph.defs#notFoundActor"
_NO_ANSWER = object()


@dataclass(frozen=True)
class Entrant:
    """Someone the network knows: a member or not, and their creation date as it sends it
    (None: the field is left out). Telegram's ``status`` overrides the member flag."""

    member: bool = True
    created_at: str | None = "2019-03-04T00:00:00.000Z"
    status: str = ""


class Entrants:
    """The people one fake network knows, by id, and the endpoints that tell about them."""

    def __init__(self, fake: FakeNetwork) -> None:
        self.fake = fake
        self.people: dict[str, Entrant] = {}
        #: A body the next call is answered with (inside the network's envelope).
        self.odd: Any = _NO_ANSWER

    def add(self, user_id: str, entrant: Entrant | None = None) -> str:
        """Someone the network knows; returns the id."""
        self.people[user_id] = entrant or Entrant()
        return user_id

    def calls(self, path: str) -> list[Request]:
        """The requests the server received at ``path``."""
        return [r for r in list(self.fake.server.requests) if r.path == path]

    def take_odd(self) -> Any:
        odd, self.odd = self.odd, _NO_ANSWER
        return odd

    def route(self, path: str, handler: Callable[[Request], Reply], *verbs: str) -> None:
        for verb in verbs or ("GET",):
            self.fake.server.route(verb, path, handler)


def attach(fake: FakeNetwork) -> Entrants:
    """The entrants of ``fake``, their endpoints installed on its server."""
    kinds: dict[type[FakeNetwork], Callable[[Any], Entrants]] = {
        FakeVK: VKEntrants,
        FakeMastodon: MastodonEntrants,
        FakeBluesky: BlueskyEntrants,
        FakeTelegram: TelegramEntrants,
        FakeX: XEntrants,
    }
    return kinds[type(fake)](fake)


class VKEntrants(Entrants):
    """``groups.isMember`` of the fake community."""

    def __init__(self, fake: FakeVK) -> None:
        super().__init__(fake)
        self.vk = fake
        self.route("/method/groups.isMember", self._is_member, "GET", "POST")

    def _is_member(self, request: Request) -> Reply:
        params = params_of(request)
        fault = self.vk.take_fault("facts")
        if fault is not None:
            return self.vk._method_fault(fault, "facts", "groups.isMember", params)
        if request.headers.get("authorization") != f"Bearer {self.vk.token}":
            return error_reply(5, "groups.isMember", params)
        ids = [i for i in params.get("user_ids", "").split(",") if i]
        if params.get("group_id") != str(self.vk.group_id) or len(ids) > VK_USER_IDS:
            return error_reply(100, "groups.isMember", params, "group_id or user_ids is invalid")
        odd = self.take_odd()
        if odd is not _NO_ANSWER:
            return json_reply({"response": odd})
        people = self.people
        answer = [{"user_id": int(i), "member": int(i in people and people[i].member)} for i in ids]
        if params.get("extended") == "1":
            answer = [dict(item, request=0, invitation=0) for item in answer]
        return json_reply({"response": answer})


class MastodonEntrants(Entrants):
    """Relationships and accounts of the fake instance; ``batch`` False: a server before 4.3."""

    def __init__(self, fake: FakeMastodon) -> None:
        super().__init__(fake)
        self.mastodon = fake
        self.batch = True
        self.route(RELATIONSHIPS, self._relationships)
        self.route(ACCOUNTS, self._accounts)

    def add(self, user_id: str, entrant: Entrant | None = None) -> str:
        """Someone on the instance, whose account page answers too."""
        self.route(f"{ACCOUNTS}/{user_id}", lambda request: self._account(request, user_id))
        return super().add(user_id, entrant)

    def _guard(self, request: Request) -> Reply | None:
        fault = self.mastodon.take_fault("facts")
        if fault is not None:
            return self.mastodon._fault_reply(fault)
        if request.headers.get("authorization") != f"Bearer {self.mastodon.token}":
            return json_reply({"error": "The access token is invalid"}, 401)
        odd = self.take_odd()
        return None if odd is _NO_ANSWER else json_reply(odd)

    def _relationships(self, request: Request) -> Reply:
        ids = request.query.get("id[]", [])
        return self._guard(request) or json_reply(
            [
                {"id": i, "following": False, "followed_by": self.people[i].member}
                for i in ids
                if i in self.people
            ]
        )

    def _accounts(self, request: Request) -> Reply:
        if not self.batch:
            return json_reply({"error": "Not Found"}, 404)
        ids = request.query.get("id[]", [])
        return self._guard(request) or json_reply([self._shown(i) for i in ids if i in self.people])

    def _account(self, request: Request, user_id: str) -> Reply:
        return self._guard(request) or json_reply(self._shown(user_id))

    def _shown(self, user_id: str) -> dict[str, Any]:
        account: dict[str, Any] = {"id": user_id, "acct": f"user{user_id}"}
        created = self.people[user_id].created_at
        if created is not None:
            account["created_at"] = created
        return account


class BlueskyEntrants(Entrants):
    """``getRelationships`` to the brand and ``getProfiles`` of the fake AppView."""

    def __init__(self, fake: FakeBluesky) -> None:
        super().__init__(fake)
        self.bluesky = fake
        self.route(GET_RELATIONSHIPS, self._relationships)
        self.route(GET_PROFILES, self._profiles)

    def _answer(self, request: Request, limit: int, answer: Callable[[], Any]) -> Reply:
        denied = self.bluesky._denied(request)
        if denied is not None:
            return denied

        def shaped() -> Reply:
            asked = request.query.get("others", request.query.get("actors", []))
            if len(asked) > limit:
                return xrpc_error(400, "InvalidRequest", f"Array is too long (max {limit})")
            odd = self.take_odd()
            return self.bluesky._ok(answer() if odd is _NO_ANSWER else odd)

        return self.bluesky._faulted("facts", shaped)

    def _relationships(self, request: Request) -> Reply:
        if request.query.get("actor", [""])[0] != BRAND_DID:
            return xrpc_error(400, "InvalidRequest", "actor must be the brand")
        others = request.query.get("others", [])
        return self._answer(
            request,
            BLUESKY_OTHERS,
            lambda: {"actor": BRAND_DID, "relationships": [self._relation(d) for d in others]},
        )

    def _relation(self, did: str) -> dict[str, Any]:
        if did not in self.people:
            return {"$type": _NOT_FOUND_ACTOR, "actor": did, "notFound": True}
        relation: dict[str, Any] = {"$type": "app.bsky.graph.defs#relationship", "did": did}
        if self.people[did].member:
            relation["followedBy"] = f"at://{did}/app.bsky.graph.follow/3kfollowrecord"
        return relation

    def _profiles(self, request: Request) -> Reply:
        actors = request.query.get("actors", [])
        return self._answer(
            request,
            BLUESKY_ACTORS,
            lambda: {"profiles": [self._profile(d) for d in actors if d in self.people]},
        )

    def _profile(self, did: str) -> dict[str, Any]:
        profile: dict[str, Any] = {"did": did, "handle": f"{did[-6:]}.bsky.social"}
        created = self.people[did].created_at
        if created is not None:
            profile["createdAt"] = created
        return profile


class TelegramEntrants(Entrants):
    """``getChatMember`` of the brand's channel."""

    def __init__(self, fake: FakeTelegram) -> None:
        super().__init__(fake)
        self.telegram = fake
        self.path = fake.paths["me"].removesuffix("getMe") + "getChatMember"
        self.route(self.path, self._chat_member, "GET", "POST")

    def _chat_member(self, request: Request) -> Reply:
        fault = self.telegram.take_fault("facts")
        if fault is not None:
            return self.telegram._faulted(fault)
        params = json.loads(request.body) if request.body else {}
        if params.get("chat_id") != f"@{CHANNEL['username']}":
            return _telegram_error("Bad Request: chat not found")
        user_id = str(params.get("user_id"))
        odd = self.take_odd()
        if odd is not _NO_ANSWER:
            return json_reply({"ok": True, "result": odd})
        entrant = self.people.get(user_id)
        if entrant is None:
            return _telegram_error("Bad Request: user not found")
        status = entrant.status or ("member" if entrant.member else "left")
        member: dict[str, Any] = {"status": status, "user": {"id": int(user_id), "is_bot": False}}
        if status == "restricted":
            member["is_member"] = entrant.member
        return json_reply({"ok": True, "result": member})


class XEntrants(Entrants):
    """``GET /2/users?ids=`` of the fake X."""

    def __init__(self, fake: FakeX) -> None:
        super().__init__(fake)
        self.x = fake
        self.route(X_USERS, self._users)

    def _users(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {self.x.token}":
            return self.x._json(PROBLEM_401, 401)
        fault = self.x.take_fault("facts")
        if fault is not None:
            return self.x._fault(fault, request, self._users)
        ids = request.query.get("ids", [""])[0].split(",")
        if len(ids) > X_IDS:
            return self.x._problem(400, "Invalid Request", "ids: at most 100")
        odd = self.take_odd()
        if odd is not _NO_ANSWER:
            return self.x._json(odd)
        fields = request.query.get("user.fields", [""])[0].split(",")
        data = [self._user(i, fields) for i in ids if i in self.people]
        errors = [_x_not_found(i) for i in ids if i not in self.people]
        body: dict[str, Any] = {"data": data} if data else {}
        if errors:
            body["errors"] = errors
        return self.x._json(body)

    def _user(self, user_id: str, fields: list[str]) -> dict[str, Any]:
        user = {"id": user_id, "name": f"User {user_id}", "username": f"user{user_id}"}
        created = self.people[user_id].created_at
        if created is not None and "created_at" in fields:
            user["created_at"] = created
        return user


def _telegram_error(description: str) -> Reply:
    return json_reply({"ok": False, "error_code": 400, "description": description}, 400)


def _x_not_found(user_id: str) -> dict[str, Any]:
    return {
        "value": user_id,
        "detail": f"Could not find user with ids: [{user_id}].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": "ids",
        "resource_id": user_id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    }
