"""`indicators status / list / diff / rollback / validate` through the real CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stalkerscan.indicators.echap import parse_echap
from stalkerscan.indicators.fetch import LocalFetcher
from stalkerscan.indicators.store import FeedStore
from stalkerscan.indicators.update import diff_feeds, update_feed

from .conftest import FEEDS, GOOD, copy_feed, feed_files, run_cli


def _modified_copy(tmp_path: Path) -> Path:
    """GOOD with known edits: one family, package, certificate, domain, IP and hash changed."""
    ioc = (GOOD / "ioc.yaml").read_text()
    ioc = ioc.replace("  - com.phantomtrack.agent.v2\n", "  - com.phantomtrack.agent.v9\n")
    ioc = ioc.replace("  - DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD01\n", "")
    ioc = ioc.replace("    - c.extraspy.example\n", "    - d.extraspy.example\n")
    ioc = ioc.replace("    - 198.51.100.7\n", "    - 203.0.113.9\n")
    ioc += "\n- name: NewcomerSpy\n  type: stalkerware\n  packages:\n  - com.newcomer.spy\n"
    samples = (GOOD / "samples.csv").read_bytes().decode()
    samples = samples.replace(
        "1111111111111111111111111111111111111111111111111111111111111104",
        "2222222222222222222222222222222222222222222222222222222222222204",
    )
    return copy_feed(
        GOOD, tmp_path / "modified", {"ioc.yaml": ioc.encode(), "samples.csv": samples.encode()}
    )


EXPECTED_ADDED = {
    "families": ["NewcomerSpy (stalkerware)"],
    "packages": ["com.newcomer.spy", "com.phantomtrack.agent.v9"],
    "certificates": [],
    "sample_hashes": ["22" * 31 + "04"],
    "domains": ["d.extraspy.example"],
    "websites": [],
    "ips": ["203.0.113.9"],
}
EXPECTED_REMOVED = {
    "families": [],
    "packages": ["com.phantomtrack.agent.v2"],
    "certificates": ["D" * 38 + "01"],
    "sample_hashes": ["11" * 31 + "04"],
    "domains": ["c.extraspy.example"],
    "websites": [],
    "ips": ["198.51.100.7"],
}


def test_diff_lists_exactly_the_added_and_removed_entries(tmp_path: Path) -> None:
    modified = _modified_copy(tmp_path)
    diff = diff_feeds(parse_echap(feed_files(GOOD)), parse_echap(feed_files(modified)))
    assert diff.added == EXPECTED_ADDED
    assert diff.removed == EXPECTED_REMOVED


def test_diff_cli_between_folders_json(tmp_path: Path) -> None:
    modified = _modified_copy(tmp_path)
    out = run_cli(
        "indicators", "diff", str(GOOD), str(modified), "--json", store_dir=tmp_path / "store"
    )
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert {c: doc[c]["added"] for c in EXPECTED_ADDED} == EXPECTED_ADDED
    assert {c: doc[c]["removed"] for c in EXPECTED_REMOVED} == EXPECTED_REMOVED


def test_update_shows_diff_then_rollback_and_list(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    first = update_feed(FeedStore(store_dir), LocalFetcher(GOOD)).version
    modified = _modified_copy(tmp_path)
    out = run_cli("indicators", "update", "--source", str(modified), store_dir=store_dir)
    assert out.returncode == 0, out.stderr
    assert f"Changes against version {first.id}" in out.stdout
    assert "+ packages: com.newcomer.spy" in out.stdout
    assert "- ips: 198.51.100.7" in out.stdout
    second = FeedStore(store_dir).active_id()
    # diff with no argument: previous -> active
    out = run_cli("indicators", "diff", store_dir=store_dir)
    assert "+ families: NewcomerSpy (stalkerware)" in out.stdout
    assert "- certificates: " + "D" * 38 + "01" in out.stdout
    listed = json.loads(run_cli("indicators", "list", "--json", store_dir=store_dir).stdout)
    assert [(v["id"], v["active"]) for v in listed] == [(first.id, False), (second, True)]
    out = run_cli("indicators", "rollback", store_dir=store_dir)
    assert out.returncode == 0, out.stderr
    assert f"Active version: {first.id} (was {second})" in out.stdout
    assert FeedStore(store_dir).active_id() == first.id
    out = run_cli("indicators", "diff", store_dir=store_dir)  # the version left -> active
    assert "- families: NewcomerSpy (stalkerware)" in out.stdout
    out = run_cli("indicators", "rollback", store_dir=store_dir)
    assert out.returncode == 2
    assert "no earlier feed version" in out.stderr


def test_status_text_warns_when_old(tmp_path: Path) -> None:
    store = FeedStore(tmp_path / "store")
    files = feed_files(GOOD)
    info = store.install(
        files,
        source="https://feeds.example/echap/",
        ref="main",
        commit="ab" * 20,
        counts=parse_echap(files).counts().as_dict(),
        problems=[],
        downloaded_at=datetime.now(UTC) - timedelta(days=40),
    )
    store.activate(info.id)
    out = run_cli("indicators", "status", store_dir=store.root)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert f"Active feed version: {info.id}" in text
    assert "commit: " + "ab" * 20 in text
    assert "(40 days ago)" in text
    assert "9 families (7 stalkerware, 2 watchware), 12 packages (14 with samples)" in text
    assert "Warning: the feed is 40 days old." in text


def test_status_shows_local_indicators(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    update_feed(FeedStore(store_dir), LocalFetcher(GOOD))
    local = store_dir / "local"
    local.mkdir()
    (local / "ours.yaml").write_bytes((FEEDS / "local-bad" / "typo.yaml").read_bytes())
    out = run_cli("indicators", "status", store_dir=store_dir)
    text = " ".join(out.stdout.split())
    assert "are not used" in text and "unknown key 'package'" in text
    (local / "ours.yaml").write_bytes((FEEDS / "local-good" / "our-cases.yaml").read_bytes())
    out = run_cli("indicators", "status", store_dir=store_dir)
    assert "1 families" in out.stdout


def test_status_without_a_feed(tmp_path: Path) -> None:
    out = run_cli("indicators", "status", "--json", store_dir=tmp_path / "none")
    assert out.returncode == 2
    assert "No indicator feed is installed" in out.stderr
    assert out.stdout == ""


def test_validate(tmp_path: Path) -> None:
    out = run_cli("indicators", "validate", str(GOOD), store_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "OK: 9 families, 14 packages" in out.stdout
    out = run_cli("indicators", "validate", "--local", str(FEEDS / "local-bad"), store_dir=tmp_path)
    assert out.returncode == 2
    assert "Local indicators refused" in out.stderr
    assert not (tmp_path / "versions").exists()


def test_feed_text_is_escaped_in_the_terminal(tmp_path: Path) -> None:
    ioc = (
        (GOOD / "ioc.yaml")
        .read_text()
        .replace("- name: EmptyShell", '- name: "[bold red]Evil\\e[31m\\u202e"')
    )
    folder = copy_feed(GOOD, tmp_path / "evil", {"ioc.yaml": ioc.encode()})
    out = run_cli("indicators", "diff", str(GOOD), str(folder), store_dir=tmp_path / "s")
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\u202e" not in out.stdout
    assert "[bold red]Evil" in out.stdout


def test_status_flags_files_changed_on_disk(tmp_path: Path) -> None:
    store = FeedStore(tmp_path / "store")
    info = update_feed(store, LocalFetcher(GOOD)).version
    with (info.path / "samples.csv").open("ab") as fh:
        fh.write(b"3333333333333333333333333333333333333333333333333333333333333333,,,,X\r\n")
    out = run_cli("indicators", "status", store_dir=store.root)
    text = " ".join(out.stdout.split())
    assert "samples.csv changed on disk since it was installed" in text
    assert "Scans will not use it." in text
