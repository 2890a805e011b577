"""The platform registry covers every network once, with facts the rest of the app can rely on."""

from __future__ import annotations

from smm_tui.core.models import Platform
from smm_tui.core.platforms import PLATFORMS, ContestReach, networks, spec
from smm_tui.core.polling import DEFAULT_POLICIES
from smm_tui.core.query_fields import SPELLINGS


def test_every_platform_has_exactly_one_entry_keyed_by_itself() -> None:
    assert set(PLATFORMS) == set(Platform)
    assert all(entry.platform is platform for platform, entry in PLATFORMS.items())


def test_labels_and_names_tell_the_networks_apart() -> None:
    labels = [entry.label for entry in PLATFORMS.values()]
    names = [entry.name for entry in PLATFORMS.values()]
    assert len(set(labels)) == len(labels) and len(set(names)) == len(names)
    # The feed's network column is three cells wide: a label and a space.
    assert all(1 <= len(label) <= 2 for label in labels)


def test_networks_leave_out_only_the_demo() -> None:
    assert [entry.platform for entry in networks()] == [
        p for p in PLATFORMS if p is not Platform.DEMO
    ]


def test_a_partial_contest_reach_always_says_why() -> None:
    for entry in PLATFORMS.values():
        partial = entry.capabilities.contests is ContestReach.PARTIAL
        assert not partial or entry.capabilities.caveat, entry.name


def test_config_keys_are_unique_per_platform_and_found_by_name() -> None:
    for entry in PLATFORMS.values():
        names = [key.name for key in entry.config_keys]
        assert len(set(names)) == len(names)
        assert all(entry.key(name) is not None for name in names)
    assert spec(Platform.VK).key("group_id") is not None
    assert spec(Platform.VK).key("handle") is None


def test_only_the_demo_needs_no_token_and_only_mastodon_names_its_server() -> None:
    assert [e.platform for e in PLATFORMS.values() if not e.needs_token] == [Platform.DEMO]
    assert [e.platform for e in PLATFORMS.values() if e.needs_base_url] == [Platform.MASTODON]


def test_polling_and_query_spellings_follow_the_registry() -> None:
    assert {p: policy.interval for p, policy in DEFAULT_POLICIES.items()} == {
        p: entry.poll_interval for p, entry in PLATFORMS.items()
    }
    spellings = SPELLINGS["platform"]
    for platform, entry in PLATFORMS.items():
        assert spellings[platform.value] == platform.value
        assert all(spellings[alias] == platform.value for alias in entry.aliases)
    assert spellings["twitter"] == "x" and spellings["tg"] == "telegram"
