"""The compiled index: lookups, every attribution kept, public keys, host rules, cache."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stalkerscan.indicators import FeedSource, load_active_index, load_index
from stalkerscan.indicators.index import load_part
from stalkerscan.indicators.store import FeedStore

from .conftest import GOOD, copy_feed

AOSP_SHA1 = "61ED377E85D386A8DFEE6B864BD85B0BFAA5AF81"
AOSP_SHA256 = "A40DA80A59D170CAA950CF15C18C454D47A39B26989D8B640ECD745BA71BF5DC"


@pytest.fixture
def index(tmp_path: Path):
    src = FeedSource(feed_id="test", kind="echap", path=GOOD, version="v1", source=str(GOOD))
    return load_index([src], cache_dir=tmp_path / "cache")


def families(attrs) -> set[tuple[str, str, str]]:
    return {(a.family, a.family_type, a.field) for a in attrs}


def test_package_exact_and_casefold(index) -> None:
    assert families(index.by_package("app.DemoLogger")) == {("QuietEye", "stalkerware", "packages")}
    assert families(index.by_package("app.Demologger")) == {("LowNoise", "stalkerware", "packages")}
    assert index.by_package("APP.DEMOLOGGER") == []
    hints = index.by_package_casefold("APP.DEMOLOGGER")
    assert {(a.family, a.value, a.match) for a in hints} == {
        ("QuietEye", "app.DemoLogger", "casefold"),
        ("LowNoise", "app.Demologger", "casefold"),
    }
    # An exact spelling is not repeated as a case hint.
    assert {a.value for a in index.by_package_casefold("app.DemoLogger")} == {"app.Demologger"}


def test_every_family_claiming_a_value_is_kept(index) -> None:
    assert families(index.by_package("com.shared.helper")) == {
        ("QuietEye", "stalkerware", "packages"),
        ("LowNoise", "stalkerware", "packages"),
    }
    assert families(index.by_package("com.twinwatch.client")) == {
        ("TwinWatch", "stalkerware", "packages"),
        ("TwinWatch", "watchware", "packages"),
        ("TwinWatch", "stalkerware", "samples.csv"),
        ("TwinWatch", "watchware", "samples.csv"),
    }
    assert families(index.by_certificate("b" * 38 + "99")) == {
        ("QuietEye", "stalkerware", "certificates"),
        ("LowNoise", "stalkerware", "certificates"),
    }


def test_package_and_certificate_known_only_from_samples(index) -> None:
    assert families(index.by_package("com.phantomtrack.agent.v3")) == {
        ("PhantomTrack", "stalkerware", "samples.csv")
    }
    assert families(index.by_certificate("A" * 38 + "04")) == {
        ("PhantomTrack", "stalkerware", "samples.csv")
    }


def test_certificate_spellings(index) -> None:
    digest = "AA:" * 19 + "01"
    attrs = index.by_certificate(digest.lower())
    assert {a.value for a in attrs} == {"A" * 38 + "01"}
    assert ("PhantomTrack", "stalkerware", "certificates") in families(attrs)
    assert index.by_certificate("not a digest") == []


def test_public_test_key_never_matches_alone(index) -> None:
    assert index.by_certificate(AOSP_SHA1) == []
    assert index.by_certificate(AOSP_SHA1.lower()) == []
    assert index.public_certificate(AOSP_SHA1)
    assert index.public_certificate(AOSP_SHA256)
    assert index.public_certificate("A" * 40) is None
    listed = index.by_certificate(AOSP_SHA1, include_public=True)
    assert {a.family for a in listed} == {"QuietEye", "ExtraSpy"}


def test_sample_hash(index) -> None:
    attrs = index.by_sample_hash(("11" * 31 + "01").upper())
    assert families(attrs) == {("PhantomTrack", "stalkerware", "samples.csv")}
    assert index.by_sample_hash("11" * 31 + "09") == []  # the row without a family was skipped


def test_hosts_match_exactly_or_below_a_listed_host_never_above(index) -> None:
    exact = index.by_host("API.phantomtrack.example.")
    assert [(a.family, a.field, a.value, a.match) for a in exact] == [
        ("PhantomTrack", "c2.domains", "api.phantomtrack.example", "exact"),
        ("PhantomTrack", "websites", "phantomtrack.example", "subdomain"),
    ]
    below = index.by_host("eu.api.phantomtrack.example")
    assert ("PhantomTrack", "c2.domains", "api.phantomtrack.example", "subdomain") in [
        (a.family, a.field, a.value, a.match) for a in below
    ]
    # Listed x.firebaseio.com: the project and its subdomains match, the shared parent never.
    assert index.by_host("phantom-1a2b3.firebaseio.com")
    assert index.by_host("a.phantom-1a2b3.firebaseio.com")
    assert index.by_host("firebaseio.com") == []
    assert index.by_host("other-project.firebaseio.com") == []
    # A parent of a listed host is not a match.
    assert index.by_host("extraspy.example")[0].field == "websites"  # listed as a website
    assert index.by_host("quieteye.test") == []  # only c2.quieteye.test is listed
    assert index.by_host("https://x.example/") == []


def test_shared_parent_listed_by_itself_matches_only_exactly(tmp_path: Path) -> None:
    folder = copy_feed(GOOD, tmp_path / "feed")
    ioc = (folder / "ioc.yaml").read_text()
    shared = ioc.replace("- lownoise.test", "- lownoise.test\n    - appspot.com")
    (folder / "ioc.yaml").write_text(shared)
    src = FeedSource(feed_id="t", kind="echap", path=folder, version="v", source="t")
    idx = load_index([src], cache_dir=None)
    assert idx.by_host("appspot.com")[0].family == "LowNoise"
    assert idx.by_host("anyone.appspot.com") == []


def test_ips(index) -> None:
    assert families(index.by_ip("192.0.2.12")) == {("PhantomTrack", "stalkerware", "c2.ips")}
    assert families(index.by_host("198.51.100.7")) == {("ExtraSpy", "stalkerware", "c2.ips")}
    assert index.by_ip("192.0.2.99") == []
    assert index.by_ip("not an ip") == []


def test_provenance(index) -> None:
    (prov,) = index.provenance
    assert prov.feed_id == "test" and prov.version == "v1"
    assert set(prov.files) == {"ioc.yaml", "watchware.yaml", "samples.csv"}
    assert prov.counts["families"] == 9
    assert json.loads(json.dumps(prov.as_dict()))["files"] == prov.files


def test_several_feeds_merge_with_their_source_tag(tmp_path: Path) -> None:
    real = FeedSource(feed_id="echap", kind="echap", path=GOOD, version="v1", source="x")
    local = FeedSource(
        feed_id="local", kind="local", path=GOOD.parent / "local-good", version="l1", source="y"
    )
    idx = load_index([real, local], cache_dir=tmp_path)
    assert [a.feed for a in idx.by_host("collect.casetracker.example")] == ["local"]
    assert [a.feed for a in idx.by_package("com.quieteye.monitor")] == ["echap", "echap"]


def test_load_active_index_reports_what_is_missing(tmp_path: Path) -> None:
    idx = load_active_index(tmp_path / "empty", local_dir=tmp_path / "none")
    assert idx.is_empty
    assert idx.missing == ["No indicator feed is installed: run `stalkerscan indicators update`."]
    bad_local = tmp_path / "bad-local"
    copy = bad_local / "typo.yaml"
    bad_local.mkdir()
    copy.write_bytes((GOOD.parent / "local-bad" / "typo.yaml").read_bytes())
    idx = load_active_index(tmp_path / "empty", local_dir=bad_local)
    assert any("local indicators were not used" in m and "typo.yaml" in m for m in idx.missing)


def test_a_feed_file_changed_on_disk_is_not_trusted(store: FeedStore) -> None:
    from stalkerscan.indicators.fetch import LocalFetcher
    from stalkerscan.indicators.update import update_feed

    update_feed(store, LocalFetcher(GOOD))
    info = store.active()
    assert info is not None
    (info.path / "ioc.yaml").chmod(0o600)
    with (info.path / "ioc.yaml").open("ab") as fh:
        fh.write(b"\n- name: Injected\n  packages: [com.injected.app]\n")
    idx = load_active_index(store.root)
    assert idx.is_empty
    assert "changed on disk" in idx.missing[0]


def test_cache_is_used_and_loading_needs_no_yaml(store: FeedStore) -> None:
    from stalkerscan.indicators.fetch import LocalFetcher
    from stalkerscan.indicators.update import update_feed

    update_feed(store, LocalFetcher(GOOD))
    assert list(store.cache_dir.glob("index-*.json"))
    code = (
        "import sys\nfrom stalkerscan.indicators import load_active_index\n"
        f"i = load_active_index({str(store.root)!r}, include_local=False)\n"
        "print(len(i.by_package('com.shared.helper')), i.missing,"
        " 'yaml' in sys.modules, 'pydantic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "2 [] False False", out.stderr


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    src = FeedSource(feed_id="t", kind="echap", path=GOOD, version="v", source="t")
    load_part(src, tmp_path)
    (cache,) = tmp_path.glob("index-*.json")
    cache.write_text("{not json")
    assert load_part(src, tmp_path).provenance.counts["families"] == 9


def test_entries_enumerate_every_value(index) -> None:
    packages = dict(index.entries("packages"))
    assert len(packages) == 14
    assert {a.family for a in packages["com.shared.helper"]} == {"QuietEye", "LowNoise"}
    assert len(dict(index.entries("samples"))) == 8
    assert len(dict(index.entries("hosts"))) == 18
    with pytest.raises(ValueError):
        list(index.entries("nope"))
