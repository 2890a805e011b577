"""Store: hostile mentions are written to disk and read back exactly, by another store too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from smm_tui.core.ingest import IngestService
from smm_tui.core.models import Mention
from smm_tui.core.repository import Collection
from smm_tui.core.sanitize import clean_identity, clean_text, clean_url
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.fuzz.checks import assert_stored_safe
from tests.fuzz.strategies import Fields, examples, fields, large_texts


class RoundTrip:
    """Ingest mentions, read them back from disk through the second store, check them.

    Each batch is deleted in the commit of the next one, so the open-mentions
    shard stays small however many examples run, at one commit an example.
    """

    def __init__(self, ingest: IngestService, writer: Store, reader: Store) -> None:
        self.ingest, self.writer, self.reader = ingest, writer, reader
        self.previous: list[str] = []

    def __call__(self, raws: list[Mention]) -> None:
        changes = self.ingest.changes_for(raws)
        for mention_id in self.previous:
            changes.delete(Collection.MENTIONS, mention_id)
        self.previous = [raw.id for raw in raws]
        self.writer.commit(changes)
        self.reader.refresh().result()
        for raw in raws:
            record = self.reader.get(Collection.MENTIONS, raw.id)
            assert record is not None, "not on disk"
            assert record == self.writer.get(Collection.MENTIONS, raw.id)
            stored = Mention.from_record(record)
            assert stored.to_record() == record
            assert_stored_safe(raw, stored)
            assert stored.text == clean_text(raw.text) and stored.url == clean_url(raw.url)
            assert stored.author.handle == clean_identity(raw.author.handle)
            assert stored.author.display_name == clean_identity(raw.author.display_name)


@contextmanager
def round_trips(data_dir: Path) -> Iterator[RoundTrip]:
    """A store that writes and a second one on the same dir that only reads what is on disk."""
    with Store.open(data_dir) as writer, Store.open(data_dir) as reader:
        ingest = Workspace(writer, actor="alice", sources={}, clock=FakeClock()).ingest
        yield RoundTrip(ingest, writer, reader)


def test_hostile_mentions_read_back_from_disk_as_written(scratch: Path) -> None:
    with round_trips(scratch / "data") as round_trip:

        @given(st.lists(fields, min_size=1, max_size=2))
        def check(batch: list[Fields]) -> None:
            round_trip([sent.mention() for sent in batch])

        check()
        kept = round_trip.previous
    with Store.open(scratch / "data") as reopened:
        assert not reopened.warnings
        assert {r["id"] for r in reopened.records(Collection.MENTIONS)} == set(kept)


def test_large_texts_read_back_from_disk_as_written(scratch: Path) -> None:
    with round_trips(scratch / "data") as round_trip:

        @settings(max_examples=examples(ci=4, fuzz=100))
        @given(large_texts)
        def check(text: str) -> None:
            round_trip([Fields(text, "@anna", "Anna", "").mention()])

        check()
