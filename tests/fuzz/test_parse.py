"""Parse: hostile fields from the wire become stored mentions that are safe and still complete."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from smm_tui.core.ingest import sanitize_mention
from smm_tui.core.sanitize import clean_identity, clean_text, clean_url, is_clean
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.fuzz.checks import (
    assert_safe_identity,
    assert_safe_text,
    assert_safe_url,
    assert_stored_safe,
    expected_clean,
)
from tests.fuzz.networks import NETWORKS, Network
from tests.fuzz.strategies import (
    Fields,
    examples,
    fields,
    identities,
    large_texts,
    texts,
    urls,
)


@given(texts)
def test_clean_text_shows_every_character_and_no_control(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned == expected_clean(text, identity=False)
    assert_safe_text(text, cleaned)
    assert is_clean(cleaned) and clean_text(cleaned) == cleaned


@given(identities)
def test_clean_identity_shows_every_character_on_one_line(identity: str) -> None:
    cleaned = clean_identity(identity)
    assert cleaned == expected_clean(identity, identity=True)
    assert_safe_identity(identity, cleaned)
    assert clean_identity(cleaned) == cleaned


@given(urls)
def test_clean_url_keeps_only_safe_http_urls(url: str) -> None:
    cleaned = clean_url(url)
    if cleaned:
        assert_safe_url(url, cleaned)
        assert clean_url(cleaned) == cleaned
    else:
        assert (
            not expected_clean(url.strip(), identity=True)
            .lower()
            .startswith(("http://", "https://"))
        )


def test_large_texts_are_cleaned_whole() -> None:
    @settings(max_examples=examples(ci=4, fuzz=100))
    @given(large_texts)
    def check(text: str) -> None:
        cleaned = clean_text(text)
        assert cleaned == expected_clean(text, identity=False)
        assert_safe_text(text, cleaned)

    check()


def test_networks_hand_over_hostile_fields_that_ingest_makes_safe(tmp_path: Path) -> None:
    """Through each adapter's own HTTP and JSON handling, then ingest's preparation."""
    networks = [kind() for kind in NETWORKS]
    with asyncio.Runner() as runner, Store.open(tmp_path / "data") as store:
        ingest = Workspace(store, actor="alice", sources={}, clock=FakeClock()).ingest

        @given(st.sampled_from(networks), fields, st.booleans())
        def check(network: Network, sent: Fields, ascii_only: bool) -> None:
            network.serve(sent, ascii_only=ascii_only)
            found = runner.run(network.fetch())
            expected = network.expected_text()
            if expected is None:
                assert found == []
                return
            (raw,) = found
            assert raw.text == expected
            assert network.arrives.name in raw.author.display_name
            assert network.arrives.handle in raw.author.handle
            stored = ingest.prepared(raw)
            assert sanitize_mention(stored) == stored, "cleaning twice changed it"
            assert_stored_safe(raw, stored)
            assert stored.text == clean_text(raw.text)
            assert stored.author.handle == clean_identity(raw.author.handle)

        try:
            check()
        finally:
            for network in networks:
                runner.run(network.adapter.aclose())
