"""The real Echap snapshot (../shared/echap or STALKERSCAN_ECHAP_DIR): exact counts, the update
over HTTP (raw and zip layouts), refusals, diff, and index lookups. Skipped only when the
snapshot is absent; the snapshot is read in place, never copied into the project tree (tests
copy it to pytest's temporary folders only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stalkerscan.indicators import FeedSource, load_index
from stalkerscan.indicators.echap import parse_echap
from stalkerscan.indicators.fetch import LocalFetcher, ZipUrlFetcher
from stalkerscan.indicators.model import FeedCounts
from stalkerscan.indicators.store import FeedStore
from stalkerscan.indicators.update import diff_feeds, update_feed

from .conftest import FeedServer, Route, copy_feed, feed_files, run_cli, zip_feed

pytestmark = pytest.mark.echap

SNAPSHOT_COMMIT = "a04c5c1958bff93fec3b1b56edbb412b209f2a38"
AOSP = "61ED377E85D386A8DFEE6B864BD85B0BFAA5AF81"


@pytest.fixture(scope="module")
def snapshot_feed():
    from .conftest import echap_snapshot_dir

    path = echap_snapshot_dir()
    if path is None:
        pytest.skip("the Echap snapshot is absent")
    return parse_echap(feed_files(path))


def test_counts_are_exactly_those_of_source_md(snapshot_feed) -> None:
    assert snapshot_feed.counts() == FeedCounts(
        families=174,
        stalkerware_families=147,
        watchware_families=27,
        packages=641,
        packages_with_samples=698,
        certificates=484,
        certificates_with_samples=994,
        sample_hashes=3228,
        domains=989,
        hostnames=1558,
        ips=69,
    )


def test_only_the_two_urls_are_skipped(snapshot_feed) -> None:
    assert [(p.severity, p.entry) for p in snapshot_feed.problems] == [
        ("skipped", "Buhsam"),
        ("skipped", "AndroRat"),
    ]
    assert all("a URL, not a host name" in p.reason for p in snapshot_feed.problems)


def test_index_keeps_every_attribution(snapshot_feed, echap_dir: Path, tmp_path: Path) -> None:
    idx = load_index(
        [
            FeedSource(
                feed_id="echap", kind="echap", path=echap_dir, version="s", source=str(echap_dir)
            )
        ],
        cache_dir=tmp_path,
    )
    # Case-sensitive names are two packages.
    assert idx.by_package("app.EasyLogger") and idx.by_package("app.Easylogger")
    # WiseMo is in both files under different types; all claims kept.
    kinds = {(a.family, a.family_type) for a in idx.by_package("com.wisemo.host.v10")}
    assert kinds == {("WiseMo", "stalkerware"), ("WiseMo", "watchware")}
    shared = {a.family for a in idx.by_package("com.sc.spyier.v2")}
    assert shared == {"Spyier", "Cocospy"}
    cert = {
        (a.family, a.family_type)
        for a in idx.by_certificate("9B48840CBF93379410172B4B85989624D2B33D59")
    }
    assert ("FindMyKids", "stalkerware") in cert and ("WiseMo", "watchware") in cert
    # The AOSP test key is on 50 rows across 9 families, and never matches alone.
    assert idx.by_certificate(AOSP) == []
    assert len({a.family for a in idx.by_certificate(AOSP, include_public=True)}) == 9
    # c2.ip (misspelt) entries are indexed.
    assert {a.family for a in idx.by_ip("85.10.199.40")} == {"Ahmyth"}
    # A listed firebaseio project matches; the shared parent does not.
    assert idx.by_host("kaspersky-safe-kids.firebaseio.com")
    assert idx.by_host("firebaseio.com") == []
    counts = idx.provenance[0].counts
    assert (counts["packages_with_samples"], counts["certificates_with_samples"]) == (698, 994)


def test_update_over_http_raw_layout_cli(
    echap_dir: Path, feed_server: FeedServer, tmp_path: Path
) -> None:
    base = feed_server.serve_folder(
        f"/AssoEchap/stalkerware-indicators/{SNAPSHOT_COMMIT}/", echap_dir
    )
    store_dir = tmp_path / "store"
    out = run_cli("indicators", "update", "--source", base, store_dir=store_dir)
    assert out.returncode == 0, out.stderr
    assert "has no rules.yar" in out.stdout
    status = run_cli("indicators", "status", "--json", store_dir=store_dir)
    assert json.loads(status.stdout) == {
        "families": 174,
        "packages": 641,
        "certificates": 484,
        "sample_hashes": 3228,
        "domains": 989,
        "ips": 69,
    }
    info = FeedStore(store_dir).active()
    assert info is not None and not info.has_rules


def test_update_over_http_zip_layout(
    echap_dir: Path, feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.routes[f"/archive/{SNAPSHOT_COMMIT}.zip"] = Route(
        zip_feed(
            echap_dir,
            top=f"stalkerware-indicators-{SNAPSHOT_COMMIT}",
            comment=SNAPSHOT_COMMIT.encode(),
        ),
        "application/zip",
    )
    store = FeedStore(tmp_path / "store")
    result = update_feed(store, ZipUrlFetcher(feed_server.url(f"/archive/{SNAPSHOT_COMMIT}.zip")))
    assert result.version.commit == SNAPSHOT_COMMIT
    assert result.version.counts["sample_hashes"] == 3228


@pytest.mark.parametrize(
    ("name", "make", "expected"),
    [
        ("samples.csv", lambda b: Route(b[: len(b) // 3], declared_length=len(b)), "cut short"),
        ("ioc.yaml", lambda b: Route(b""), "ioc.yaml is empty"),
        (
            "ioc.yaml",
            lambda b: Route(b"<!DOCTYPE html><html>404</html>", "text/html"),
            "web page (HTML)",
        ),
        (
            "ioc.yaml",
            lambda b: Route(b[: len(b) // 12].rsplit(b"\n- name:", 1)[0] + b"\n"),
            "much smaller than the active one",
        ),
    ],
    ids=["truncated", "empty", "html", "shrunk-10x"],
)
def test_broken_snapshot_downloads_keep_the_previous_version(
    echap_dir: Path, feed_server: FeedServer, tmp_path: Path, name, make, expected
) -> None:
    store_dir = tmp_path / "store"
    before = update_feed(FeedStore(store_dir), LocalFetcher(echap_dir)).version.id
    base = feed_server.serve_folder("/bad/", echap_dir)
    feed_server.routes[f"/bad/{name}"] = make((echap_dir / name).read_bytes())
    out = run_cli("indicators", "update", "--source", base, store_dir=store_dir)
    assert out.returncode == 2, out.stdout + out.stderr
    assert expected in " ".join(out.stderr.split())
    assert FeedStore(store_dir).active_id() == before


def test_diff_snapshot_against_modified_copy(
    snapshot_feed, echap_dir: Path, tmp_path: Path
) -> None:
    ioc = (echap_dir / "ioc.yaml").read_text()
    assert "  - com.thetruth\n" in ioc and "    - 69.64.74.239\n" in ioc
    ioc = ioc.replace("  - com.thetruth\n", "  - com.thetruth.renamed\n", 1)
    ioc = ioc.replace("    - 69.64.74.239\n", "", 1)
    samples = (echap_dir / "samples.csv").read_bytes().split(b"\r\n")
    dropped = samples[1].split(b",")[0].decode()
    modified = copy_feed(
        echap_dir,
        tmp_path / "modified",
        {"ioc.yaml": ioc.encode(), "samples.csv": b"\r\n".join([samples[0], *samples[2:]])},
    )
    diff = diff_feeds(snapshot_feed, parse_echap(feed_files(modified)))
    assert {c: v for c, v in diff.added.items() if v} == {"packages": ["com.thetruth.renamed"]}
    removed = {c: v for c, v in diff.removed.items() if v}
    assert removed == {
        "packages": ["com.thetruth"],
        "ips": ["69.64.74.239"],
        "sample_hashes": [dropped],
    }
    out = run_cli(
        "indicators", "diff", str(echap_dir), str(modified), "--json", store_dir=tmp_path / "s"
    )
    doc = json.loads(out.stdout)
    assert doc["ips"]["removed"] == ["69.64.74.239"]
    assert doc["packages"]["added"] == ["com.thetruth.renamed"]
