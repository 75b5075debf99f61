"""The fictional demo feed: packaged, fictional, and in step with the training APKs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stalkerscan.indicators import demo_feed_source, load_demo_index, load_index
from stalkerscan.indicators.echap import parse_echap

from .conftest import REPO, feed_files

RESERVED = re.compile(r"(\.example|\.test|\.invalid)$")


def test_demo_feed_is_packaged_and_fictional() -> None:
    src = demo_feed_source()
    assert src.path.is_relative_to(Path(__import__("stalkerscan").__file__).parent)
    feed = parse_echap(feed_files(src.path))
    assert feed.problems == ()
    assert {(f.name, f.type) for f in feed.families} == {
        ("TrainingSpy (fictional)", "stalkerware"),
        ("FamilyLocator (fictional)", "watchware"),
    }
    for fam in feed.families:
        for host in (*fam.c2_domains, *fam.websites, *fam.distribution):
            assert RESERVED.search(host), host
        for ip in fam.c2_ips:
            assert ip.startswith(("192.0.2.", "198.51.100.", "203.0.113.")), ip
        assert all(p.startswith("org.stalkerscan.training.") for p in fam.packages)


def test_demo_feed_matches_the_training_apks(tmp_path: Path) -> None:
    expected_file = REPO / "fixtures" / "apks" / "expected.json"
    if not expected_file.is_file():
        pytest.fail("fixtures/apks/expected.json is missing: the demo feed cannot be checked")
    expected = json.loads(expected_file.read_text())
    index = load_index([demo_feed_source()], cache_dir=tmp_path)
    for apk, family in (
        ("training-stalkerware.apk", "TrainingSpy (fictional)"),
        ("family-locator.apk", "FamilyLocator (fictional)"),
    ):
        entry = expected[apk]
        assert {a.family for a in index.by_sample_hash(entry["sha256"])} == {family}, apk
        for signer in entry["signers"]:
            for digest in (signer["sha1"], signer["sha256"]):
                assert {a.family for a in index.by_certificate(digest)} == {family}, apk


def test_demo_index_adds_the_real_feed_when_installed(tmp_path: Path) -> None:
    idx = load_demo_index(tmp_path / "store")
    assert [p.feed_id for p in idx.provenance] == ["demo"]
    assert idx.missing == ["No indicator feed is installed: run `stalkerscan indicators update`."]
    assert idx.by_host("c2.trainingspy.example")[0].family_type == "stalkerware"
    assert idx.by_package("org.stalkerscan.training.familylocator")[0].family_type == "watchware"
