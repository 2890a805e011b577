"""The demo's week of content: posts out with their numbers, posts to come, drafts, growth.

Given the demo accounts as channels over a clock this module moves,
:func:`rehearse_week` plays through the real services what a team did with
its content plan, each at the time it did it: posts written (by the planning
service) and published when they fell due (by the publishing engine's own
pass), counters read at their checkpoints and every account's follower count
read hourly over the last 30 days. The week is in Russian on VK and Telegram
and in English elsewhere: bank news, tips, a giveaway and the "spring"
campaign. Like :mod:`smm_tui.core.demo_day` it plays against a
:class:`~smm_tui.core.rehearsal.RehearsalRepository`, for the store to commit
at once, and the same seed, accounts and clock give the same records.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from smm_tui.core.growth import GrowthService, by_account
from smm_tui.core.planning import PlanningService, PostDraft, PublishingSettings
from smm_tui.core.platforms import Platform
from smm_tui.core.publisher import Publisher
from smm_tui.core.rehearsal import Rehearsal
from smm_tui.core.repository import ChangeSet
from smm_tui.core.scheduler import PublishingEngine
from smm_tui.core.sources import AccountSource

#: A demo account as a channel whose clock is the one given (same seed, same numbers).
ChannelAt = Callable[[Callable[[], datetime]], AccountSource]

#: How far back the follower line goes.
GROWTH_SPAN = timedelta(days=30)
#: The oldest a scheduled post may be written, and the youngest (hours before its time).
_WRITTEN_HOURS = (3.0, 40.0)
#: A post to come is at least this far ahead, a post that went out at least this far back.
_MARGIN = timedelta(minutes=10)
_VK, _TG, _MASTODON, _BLUESKY, _X = (
    Platform.VK,
    Platform.TELEGRAM,
    Platform.MASTODON,
    Platform.BLUESKY,
    Platform.X,
)
_SPRING = "spring"


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """One post of the week: when (days from today, local time), where, and what.

    A ``draft`` was written at that time and never scheduled. ``versions`` maps
    a network's name to its own text.
    """

    day: int
    at: time
    networks: tuple[Platform, ...]
    text: str
    versions: Mapping[str, str] = field(default_factory=dict)
    campaign: str = ""
    draft: bool = False


#: The week, oldest first: 8 posts out, 6 to come (one on two networks with a version
#: each), 2 drafts.
WEEK: tuple[PlannedPost, ...] = (
    PlannedPost(
        -8,
        time(10, 0),
        (_VK,),
        "Обновили мобильное приложение: перевод по номеру телефона теперь в два касания, "
        "а выписку за любой период можно сохранить в PDF. Обновитесь в App Store или Google Play.",
    ),
    PlannedPost(
        -6,
        time(12, 30),
        (_X,),
        "Tip: never share the code from our SMS, not even with someone who says they are "
        "from the bank. We will never ask you for it.",
    ),
    PlannedPost(
        -5,
        time(9, 30),
        (_TG,),
        "Совет недели: включите уведомления о каждом списании — так вы сразу заметите "
        "подозрительную операцию. Профиль → Безопасность → Уведомления.",
    ),
    PlannedPost(
        -4,
        time(11, 0),
        (_VK, _TG),
        "Весна пришла, а с ней кешбэк 5% на путешествия и отдых по всем нашим картам, "
        "весь апрель. Подробности: https://bank.example/spring",
        campaign=_SPRING,
    ),
    PlannedPost(
        -4,
        time(16, 0),
        (_MASTODON,),
        "Our branches open an hour later on Monday while the staff are in training. "
        "Online banking, the app and ATMs work as usual.",
    ),
    PlannedPost(
        -3,
        time(18, 0),
        (_BLUESKY,),
        "Spring is here, and so is 5% cashback on travel with any of our cards, all April "
        "long. Details: https://bank.example/spring",
        campaign=_SPRING,
    ),
    PlannedPost(
        -2,
        time(12, 0),
        (_VK,),
        "Конкурс! Напишите в комментариях, куда вы поедете этой весной, и 15 апреля мы "
        "разыграем три сертификата на путешествие по 5 000 ₽. Условия: "
        "https://bank.example/contest",
        campaign=_SPRING,
    ),
    PlannedPost(
        -1,
        time(19, 0),
        (_X,),
        "Spring giveaway: reply with where you are heading this spring, and on April 15 we "
        "draw three travel vouchers. Rules: https://bank.example/contest",
        campaign=_SPRING,
    ),
    PlannedPost(
        -2,
        time(14, 0),
        (_MASTODON, _BLUESKY),
        "We are hiring support specialists who speak Russian and English, remote or in "
        "our offices. Apply at https://bank.example/careers",
        draft=True,
    ),
    PlannedPost(
        -1,
        time(16, 30),
        (_VK, _TG),
        "Итоги весеннего конкурса: поздравляем победителей! Имена и фото призов — …",
        campaign=_SPRING,
        draft=True,
    ),
    PlannedPost(
        0,
        time(17, 30),
        (_TG,),
        "В ночь на воскресенье с 02:00 до 04:00 по Москве — плановые работы. Переводы в это "
        "время могут задерживаться, карты работают как обычно.",
    ),
    PlannedPost(
        1,
        time(10, 0),
        (_VK, _X),
        "Весенний кешбэк: осталось две недели.",
        versions={
            "vk": "Осталось две недели весеннего кешбэка: 5% на билеты, отели и туры по "
            "любой нашей карте до 30 апреля. Подробности: https://bank.example/spring",
            "x": "Two weeks left of spring cashback: 5% on flights, hotels and tours with "
            "any of our cards until April 30. https://bank.example/spring",
        },
        campaign=_SPRING,
    ),
    PlannedPost(
        2,
        time(17, 0),
        (_MASTODON,),
        "Ask us anything: on Thursday at 17:00 our security team answers your questions "
        "about fraud and safe payments. Reply to this post with yours.",
    ),
    PlannedPost(
        3,
        time(9, 30),
        (_BLUESKY,),
        "Tip: set a monthly limit on online payments in the app (Cards → Limits). If a card "
        "number ever leaks, the damage stays small.",
    ),
    PlannedPost(
        4,
        time(12, 0),
        (_VK,),
        "Пять правил семейного бюджета, которые работают: новая статья в нашем блоге. "
        "https://bank.example/blog/budget",
    ),
    PlannedPost(
        5,
        time(11, 0),
        (_X,),
        "New in the app: round up every card payment and send the change to savings. "
        "Turn it on in Savings → Round-ups.",
    ),
)


@dataclass(frozen=True, slots=True)
class WeekPlan:
    """What the week is played with: the accounts, the team (the demo's user first), when."""

    accounts: Mapping[str, ChannelAt]
    team: Sequence[str]
    publishing: PublishingSettings
    now: datetime
    seed: int
    posts: Sequence[PlannedPost] = WEEK


def rehearse_week(plan: WeekPlan) -> ChangeSet:
    """Everything the week did, for a store to commit at once (runs on a loop of its own)."""
    week = _Week(plan)
    return week.stage.play(week.play())


_Action = Callable[[], Awaitable[object]]


class _Week:
    def __init__(self, plan: WeekPlan) -> None:
        self.plan = plan
        self.stage = Rehearsal(plan.now, f"{plan.seed}\x1fposts")
        self.clock = self.stage.clock
        self.channels = {name: at(self.clock) for name, at in plan.accounts.items()}
        ctx = self.stage.context(plan.team[0])
        self.publisher = Publisher(ctx, retry_delays=())
        self.growth = GrowthService(ctx, self.channels, every=plan.publishing.growth_every)
        self.engine = PublishingEngine(self.publisher, self.growth, self.channels, self.clock)
        self.events: list[tuple[datetime, int, _Action]] = []
        self.zone = plan.publishing.zone

    def _planner(self, actor: str) -> PlanningService:
        return PlanningService(self.stage.context(actor), self.channels, self.plan.publishing)

    async def play(self) -> None:
        self._growth_events()
        for index, post in enumerate(self.plan.posts):
            self._post_events(index, post)
        for moment, _order, action in sorted(self.events, key=lambda e: (e[0], e[1])):
            if moment < self.plan.now:
                self.clock.now = moment
                await action()
        self.clock.now = self.plan.now

    def _at(self, moment: datetime, action: _Action) -> None:
        self.events.append((moment, len(self.events), action))

    def _growth_events(self) -> None:
        """The engine's slow beat: follower counts and due counters, hourly for 30 days."""
        every = max(self.growth.every, timedelta(hours=1))
        moment = self.plan.now - every
        while moment >= self.plan.now - GROWTH_SPAN - every:
            self._at(moment, self._read_numbers)
            moment -= every

    async def _read_numbers(self) -> None:
        # As PublishingEngine.read_numbers, without scanning every reading for what is due:
        # on this beat every account is.
        for name, channel in self.channels.items():
            await self.growth.read_followers(name, channel)
        for name, deliveries in by_account(self.growth.counters_due(self.clock.now)).items():
            await self.growth.read_counters(deliveries, self.channels[name])

    def _post_events(self, index: int, post: PlannedPost) -> None:
        accounts = tuple(
            name
            for network in post.networks
            for name, channel in self.channels.items()
            if channel.platform is network
        )
        if not accounts:
            return  # a demo without that network
        rng = random.Random(f"{self.plan.seed}\x1fpost\x1f{index}")
        moment = self._moment(post, rng)
        author = rng.choice(list(self.plan.team))
        draft = PostDraft(post.text, accounts, post.versions, post.campaign)
        planner = self._planner(author)
        if post.draft:
            self._at(moment, lambda: planner.create(draft))
            return
        written = min(moment, self.plan.now) - timedelta(hours=rng.uniform(*_WRITTEN_HOURS))
        self._at(written, lambda: planner.create(draft, moment))
        # The engine wakes for it within its second, and sends it then.
        self._at(moment + timedelta(seconds=rng.uniform(0.2, 1.0)), self.engine.publish_due)

    def _moment(self, post: PlannedPost, rng: random.Random) -> datetime:
        """The post's time: its day and local time, a few minutes either way.

        One to come that would already be past today goes tomorrow; one out that
        would not yet be, the day before.
        """
        today = self.plan.now.astimezone(self.zone).date()
        minutes = rng.choice((0, 0, 0, 5, 10, 15, 20))
        moment = _local(today + timedelta(days=post.day), post.at, self.zone)
        moment += timedelta(minutes=minutes)
        if post.day >= 0 and not post.draft:
            while moment < self.plan.now + _MARGIN:
                moment += timedelta(days=1)
        else:
            while moment > self.plan.now - _MARGIN:
                moment -= timedelta(days=1)
        return moment


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(ZoneInfo("UTC"))
