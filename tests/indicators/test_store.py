"""The feed store: versions side by side, private modes, atomic switch, rollback."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stalkerscan.errors import FeedError
from stalkerscan.indicators import active_feed_source, active_rules_path
from stalkerscan.indicators.fetch import LocalFetcher
from stalkerscan.indicators.store import FeedStore
from stalkerscan.indicators.update import update_feed

from .conftest import GOOD, copy_feed


def _second_feed(tmp_path: Path) -> Path:
    ioc = (GOOD / "ioc.yaml").read_text()
    return copy_feed(
        GOOD,
        tmp_path / "v2",
        {
            "ioc.yaml": ioc.replace("- com.kindermap.child", "")
            .replace("  - com.extraspy.core\n", "  - com.extraspy.core\n  - com.extraspy.newer\n")
            .encode()
        },
    )


def test_modes_and_layout(store: FeedStore) -> None:
    result = update_feed(store, LocalFetcher(GOOD))
    info = result.version
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    assert stat.S_IMODE((store.root / "versions").stat().st_mode) == 0o700
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o700
    for f in info.path.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert stat.S_IMODE(store.state_file.stat().st_mode) == 0o600
    manifest = json.loads((info.path / "manifest.json").read_text())
    assert set(manifest["files"]) == {"ioc.yaml", "watchware.yaml", "samples.csv", "rules.yar"}
    assert manifest["source"] == str(GOOD.resolve())
    assert manifest["counts"]["families"] == 9
    assert manifest["problem_count"] == 10
    assert info.rules_path == info.path / "rules.yar"
    assert active_rules_path(store.root) == info.rules_path
    src = active_feed_source(store.root)
    assert src is not None and src.version == info.id and src.rules_path == info.rules_path


def test_feed_without_rules_records_it(store: FeedStore, tmp_path: Path) -> None:
    folder = copy_feed(GOOD, tmp_path / "norules")
    (folder / "rules.yar").unlink()
    result = update_feed(store, LocalFetcher(folder))
    assert not result.version.has_rules
    assert result.version.rules_path is None
    assert active_rules_path(store.root) is None
    assert "The feed has no rules.yar; this version has no rule file." in result.notes


def test_update_rollback_and_history(store: FeedStore, tmp_path: Path) -> None:
    first = update_feed(store, LocalFetcher(GOOD)).version
    second = update_feed(store, LocalFetcher(_second_feed(tmp_path))).version
    assert first.id != second.id
    assert store.active_id() == second.id
    assert [v.id for v in store.list_versions()] == [first.id, second.id]  # oldest first
    was, now = store.rollback()
    assert (was.id if was else None, now.id) == (second.id, first.id)
    assert store.active_id() == first.id
    with pytest.raises(FeedError, match="no earlier feed version"):
        store.rollback()
    _, now = store.rollback(to=second.id)
    assert store.active_id() == second.id
    with pytest.raises(FeedError, match="No installed feed version"):
        store.rollback(to="20000101T000000Z-0123456789")
    with pytest.raises(FeedError, match="not a feed version id"):
        store.rollback(to="../../etc")


def test_same_feed_again_changes_nothing(store: FeedStore) -> None:
    first = update_feed(store, LocalFetcher(GOOD))
    again = update_feed(store, LocalFetcher(GOOD))
    assert not again.changed
    assert again.version.id == first.version.id
    assert len(store.list_versions()) == 1


def test_age_resets_when_an_update_finds_the_feed_current(store: FeedStore) -> None:
    from stalkerscan.indicators.echap import parse_echap

    files = {n: (GOOD / n).read_bytes() for n in ("ioc.yaml", "watchware.yaml", "samples.csv")}
    old = datetime.now(UTC) - timedelta(days=45)
    info = store.install(
        files,
        source="s",
        ref=None,
        commit=None,
        counts=parse_echap(files).counts().as_dict(),
        problems=[],
        downloaded_at=old,
    )
    store.activate(info.id)
    assert info.age_days > 44
    assert (datetime.now(UTC) - store.last_checked(info.id)).days >= 44
    folder = GOOD.parent / "good"
    # The same content without rules.yar: identical to the installed version.
    tmp = store.root.parent / "same"
    copy_feed(folder, tmp)
    (tmp / "rules.yar").unlink()
    assert not update_feed(store, LocalFetcher(tmp)).changed
    assert (datetime.now(UTC) - store.last_checked(info.id)).days == 0


class FailingStore(FeedStore):
    """A store whose disk fails after the first staged file (fake, not a mock)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.writes = 0

    def _write_file(self, path: Path, data: bytes) -> None:
        self.writes += 1
        if self.writes > 1:
            raise OSError(28, "No space left on device")
        super()._write_file(path, data)


def test_failure_mid_update_leaves_the_old_version_active(store_dir: Path, tmp_path: Path) -> None:
    first = update_feed(FeedStore(store_dir), LocalFetcher(GOOD)).version
    failing = FailingStore(store_dir)
    with pytest.raises(OSError, match="No space left"):
        update_feed(failing, LocalFetcher(_second_feed(tmp_path)))
    fresh = FeedStore(store_dir)
    assert fresh.active_id() == first.id
    assert [v.id for v in fresh.list_versions()] == [first.id]
    assert list((store_dir / ".tmp").iterdir()) == []


def test_leftovers_of_a_crash_are_ignored_and_cleaned(store_dir: Path, tmp_path: Path) -> None:
    store = FeedStore(store_dir)
    first = update_feed(store, LocalFetcher(GOOD)).version
    # A crash after staging, before the rename: a half-written folder in .tmp/.
    half = store_dir / ".tmp" / "20990101T000000Z-0000000000.dead"
    half.mkdir(parents=True)
    (half / "ioc.yaml").write_text("- name: Half")
    # A crash after the rename, before the switch: a complete but inactive version.
    assert store.active_id() == first.id
    assert [v.id for v in store.list_versions()] == [first.id]
    second = update_feed(store, LocalFetcher(_second_feed(tmp_path))).version
    assert not half.exists()
    assert store.active_id() == second.id


def test_state_file_damage_is_a_clear_error(store: FeedStore) -> None:
    update_feed(store, LocalFetcher(GOOD))
    store.state_file.write_text("{broken")
    with pytest.raises(FeedError, match=r"state\.json is unreadable"):
        store.active()


def test_new_parent_folders_are_private_too(tmp_path: Path) -> None:
    store = FeedStore(tmp_path / "data" / "stalkerscan" / "indicators")
    update_feed(store, LocalFetcher(GOOD))
    for folder in (tmp_path / "data", tmp_path / "data" / "stalkerscan", store.root):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
