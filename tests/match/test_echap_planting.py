"""With the real Echap feed snapshot: plant one package name, certificate or sample hash of each
family into evidence and check that the matcher names that family (and every other family that
claims the same value). The AOSP test key alone must give nothing.

The snapshot is read from ../shared/echap (or $STALKERSCAN_ECHAP_DIR) and never copied into the
repository; the tests are skipped only when it is absent.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from stalkerscan.indicators.echap import parse_echap
from stalkerscan.indicators.index import FeedSource, IndicatorIndex, load_index
from stalkerscan.indicators.model import Feed
from stalkerscan.indicators.normalize import normalize_certificate, normalize_sha256
from stalkerscan.indicators.publickeys import PUBLIC_CERTIFICATES
from stalkerscan.match.indicators import IndicatorMatcher
from stalkerscan.result import Finding

from .conftest import apk, app, context, echap_snapshot_dir, evidence

pytestmark = pytest.mark.echap
FILES = ("ioc.yaml", "watchware.yaml", "samples.csv")


@pytest.fixture(scope="module")
def snapshot() -> Path:
    path = echap_snapshot_dir()
    if path is None:
        pytest.skip("the Echap snapshot (../shared/echap or STALKERSCAN_ECHAP_DIR) is absent")
    return path


@pytest.fixture(scope="module")
def feed(snapshot: Path) -> Feed:
    return parse_echap({n: (snapshot / n).read_bytes() for n in FILES if (snapshot / n).is_file()})


@pytest.fixture(scope="module")
def index(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> IndicatorIndex:
    src = FeedSource(
        feed_id="echap", kind="echap", path=snapshot, version="snapshot", source=str(snapshot)
    )
    return load_index([src], cache_dir=tmp_path_factory.mktemp("cache"))


def claims(feed: Feed) -> dict[tuple[str, str], set[str]]:
    """(kind, normalised value) -> every family that lists it (families and samples.csv)."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for fam in feed.families:
        for p in fam.packages:
            out[("package", p)].add(fam.name)
        for c in fam.certificates:
            out[("certificate", normalize_certificate(c))].add(fam.name)
    for s in feed.samples:
        for ref in s.families:
            out[("sample_hash", normalize_sha256(s.sha256))].add(ref.name)
            if s.package:
                out[("package", s.package)].add(ref.name)
            if s.certificate:
                out[("certificate", normalize_certificate(s.certificate))].add(ref.name)
    return out


def plants(feed: Feed) -> list[tuple[str, str, str]]:
    """(family, kind, value): one package, one certificate and one sample hash per family."""
    samples: dict[str, str] = {}
    for s in feed.samples:
        for ref in s.families:
            samples.setdefault(ref.name, normalize_sha256(s.sha256))
    out: list[tuple[str, str, str]] = []
    for fam in feed.families:
        if fam.packages:
            out.append((fam.name, "package", fam.packages[0]))
        certs = [normalize_certificate(c) for c in fam.certificates]
        certs = [c for c in certs if c not in PUBLIC_CERTIFICATES]
        if certs:
            out.append((fam.name, "certificate", certs[0]))
        if fam.name in samples:
            out.append((fam.name, "sample_hash", samples[fam.name]))
    return out


def run(index: IndicatorIndex, kind: str, value: str) -> list[Finding]:
    if kind == "package":
        record = app(value)
    elif kind == "certificate":
        pair = (value.lower(), "0" * 64) if len(value) == 40 else ("0" * 40, value.lower())
        record = app("org.example.planted", apks=(apk("org.example.planted", certs=(pair,)),))
    else:
        record = app("org.example.planted", apks=(apk("org.example.planted", sha256=value),))
    return list(IndicatorMatcher().match(context(evidence(record), index)))


def test_planting_any_value_names_the_right_families(feed: Feed, index: IndicatorIndex) -> None:
    claimed = claims(feed)
    planted = plants(feed)
    families = {f for f, _, _ in planted}
    assert len(families) >= 100, len(families)
    kinds = {
        "package": ("SS-IOC-PKG",),
        "certificate": ("SS-IOC-CERT",),
        "sample_hash": ("SS-IOC-HASH",),
    }
    wrong: list[str] = []
    for family, kind, value in planted:
        found = run(index, kind, value)
        named = {f for finding in found for f in finding.families}
        rules = {finding.rule for finding in found}
        if family not in named:
            wrong.append(f"{family}: {kind} {value} -> {sorted(named)}")
            continue
        # Every family that claims the value is named, and nothing else.
        if named != claimed[(kind, value)]:
            wrong.append(
                f"{family}: {kind} {value} names {sorted(named)}, "
                f"feed says {sorted(claimed[(kind, value)])}"
            )
        if not rules <= {*kinds[kind], "SS-DUAL-IOC"} or len(rules) != 1:
            wrong.append(f"{family}: {kind} {value} gave rules {sorted(rules)}")
    assert not wrong, "\n".join(wrong[:20])


def test_stalkerware_and_watchware_types(feed: Feed, index: IndicatorIndex) -> None:
    stalker = next(f for f in feed.families if f.type == "stalkerware" and f.packages)
    watch = next(f for f in feed.families if f.type == "watchware" and f.packages)
    (s,) = run(index, "package", stalker.packages[0])
    assert s.rule == "SS-IOC-PKG" and s.category == "stalkerware"
    found = run(index, "package", watch.packages[0])
    assert {f.rule for f in found} <= {"SS-DUAL-IOC", "SS-IOC-PKG"}
    if all(t == "watchware" for f in found for m in f.matches for t in m.types):
        assert [f.rule for f in found] == ["SS-DUAL-IOC"]


@pytest.mark.parametrize("digest", sorted(PUBLIC_CERTIFICATES))
def test_aosp_test_key_alone_gives_nothing(index: IndicatorIndex, digest: str) -> None:
    if len(digest) == 40:  # the feed lists the SHA-1 (on sample rows of several families)
        assert index.by_certificate(digest, include_public=True)
    assert run(index, "certificate", digest) == []
