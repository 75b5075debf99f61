"""The tolerant importer on the fictional feed: every upstream quirk, exact counts, and each
skipped entry reported with file, entry name and reason."""

from __future__ import annotations

from stalkerscan.indicators.echap import parse_echap
from stalkerscan.indicators.model import FeedCounts

from .conftest import GOOD, feed_files


def test_counts_of_the_fictional_feed() -> None:
    feed = parse_echap(feed_files(GOOD))
    # fixtures/feeds/README.md explains each number.
    assert feed.counts() == FeedCounts(
        families=9,
        stalkerware_families=7,
        watchware_families=2,
        packages=12,
        packages_with_samples=14,
        certificates=6,
        certificates_with_samples=9,
        sample_hashes=8,
        domains=10,
        hostnames=18,
        ips=4,
    )


def test_every_problem_is_reported_with_file_entry_and_reason() -> None:
    feed = parse_echap(feed_files(GOOD))
    assert [(p.severity, str(p)) for p in feed.problems] == [
        (
            "warning",
            "ioc.yaml: QuietEye: unknown key 'new_field_2030' (kept, not used for matching)",
        ),
        (
            "skipped",
            "ioc.yaml: QuietEye: websites: a URL, not a host name: "
            "'https://code.example/quieteye/source'",
        ),
        (
            "skipped",
            "ioc.yaml: LowNoise: certificates: certificate digest is not hexadecimal: "
            "'NOT-A-CERTIFICATE'",
        ),
        (
            "warning",
            "ioc.yaml: SingleValue: packages: a single value where a list was expected (accepted)",
        ),
        ("skipped", "ioc.yaml: entry 7: is not a mapping with name:, type:, packages: ..."),
        ("skipped", "ioc.yaml: entry 8: has no name"),
        ("skipped", "ioc.yaml: WrongKind: type must be stalkerware or watchware, not 'spyware'"),
        (
            "warning",
            "samples.csv: line 9: family 'GhostApp' is not in ioc.yaml or watchware.yaml; "
            "the sample is kept under that name as stalkerware",
        ),
        ("skipped", "samples.csv: line 11: not a SHA-256 (64 hex digits): 'not-a-hash'"),
        (
            "skipped",
            "samples.csv: line 12: sample 111111111111… names no family (App column empty)",
        ),
    ]


def test_quirks() -> None:
    feed = parse_echap(feed_files(GOOD))
    fams = {f.key: f for f in feed.families}
    phantom = fams["stalkerware:PhantomTrack"]
    # c2.ip (misspelt) merged with c2.ips; the inline comment is not part of the value.
    assert phantom.c2_ips == ("192.0.2.10", "192.0.2.11", "192.0.2.12")
    assert "upload.phantomtrack.example" in phantom.c2_domains
    # Unknown keys are kept; known upstream extras are kept silently.
    quiet = fams["stalkerware:QuietEye"]
    assert quiet.extra["new_field_2030"] == "something upstream added later"
    assert quiet.extra["certificate_cname_re"] == ["^QuietEye [0-9]+$"]
    # Lower-case certificate normalised; case-sensitive packages kept apart.
    assert "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA03" in quiet.certificates
    assert "app.DemoLogger" in quiet.packages
    assert "app.Demologger" in fams["stalkerware:LowNoise"].packages
    # The same app in both files under different types: both kept.
    assert fams["stalkerware:TwinWatch"].type == "stalkerware"
    assert fams["watchware:TwinWatch"].type == "watchware"
    # A family with no indicators is still a family.
    assert fams["stalkerware:EmptyShell"].packages == ()


def test_samples_csv_with_crlf_hash_only_rows_and_aliases() -> None:
    feed = parse_echap(feed_files(GOOD))
    by_hash = {}
    for s in feed.samples:
        by_hash.setdefault(s.sha256[-2:], []).append(s)
    hash_only = by_hash["03"][0]
    assert (hash_only.package, hash_only.certificate, hash_only.version) == (None, None, None)
    assert [r.name for r in hash_only.families] == ["PhantomTrack"]
    # "PT Pro" is an alias (names:) of PhantomTrack; "extra spy" matches "Extra Spy" by case.
    assert [r.name for r in by_hash["02"][0].families] == ["PhantomTrack"]
    assert [r.name for r in by_hash["06"][0].families] == ["ExtraSpy"]
    # A sample of a family that exists in both files belongs to both.
    assert {(r.name, r.type) for r in by_hash["07"][0].families} == {
        ("TwinWatch", "stalkerware"),
        ("TwinWatch", "watchware"),
    }
    assert not any(s.version and "\r" in s.version for s in feed.samples)


def test_lf_line_endings_give_the_same_feed() -> None:
    files = feed_files(GOOD)
    lf = dict(files, **{"samples.csv": files["samples.csv"].replace(b"\r\n", b"\n")})
    assert parse_echap(lf).counts() == parse_echap(files).counts()
