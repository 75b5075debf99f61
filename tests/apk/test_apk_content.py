"""Code entries, YARA on DEX and native code, and hosts inside the fixture APKs."""

from __future__ import annotations

import struct
import zipfile
from io import BytesIO

import pytest

from stalkerscan.evidence.apk_content import (
    ApkArchive,
    dex_strings,
    extract_hosts,
    hosts_in_strings,
    iter_code_entries,
    normalise_host,
)
from stalkerscan.rules import scan

from .conftest import APKS, TRAINING

ALL_DEX_RULES = {f"SS-YARA-00{i}" for i in range(1, 8)}


def rule_ids(rule_sets, apk) -> set[str]:  # type: ignore[no-untyped-def]
    found: set[str] = set()
    for name, data in iter_code_entries(apk):
        out = scan(rule_sets, data, timeout=5, target=name)
        assert out.timed_out == () and out.errors == ()
        found |= {h.rule_id for h in out.hits if h.rule_id}
    return found


def test_code_entries_of_the_training_apk() -> None:
    entries = list(iter_code_entries(TRAINING))
    assert [n for n, _ in entries] == ["classes.dex"]
    assert entries[0][1].startswith(b"dex\n")


def test_training_apk_hits_every_dex_rule(project_rules) -> None:  # type: ignore[no-untyped-def]
    assert rule_ids(project_rules, TRAINING) == ALL_DEX_RULES


def test_hits_carry_target_and_strings(project_rules) -> None:  # type: ignore[no-untyped-def]
    (name, data), *_ = iter_code_entries(TRAINING)
    out = scan(project_rules, data, target=name)
    hit = next(h for h in out.hits if h.rule_id == "SS-YARA-001")
    assert hit.target == "classes.dex" and hit.severity == "high" and hit.rule_set == "project"
    assert any(s.preview == "TYPE_VIEW_TEXT_CHANGED" for s in hit.strings)


def test_scanning_the_zip_itself_finds_nothing(project_rules) -> None:  # type: ignore[no-untyped-def]
    assert scan(project_rules, TRAINING.read_bytes()).hits == ()


@pytest.mark.parametrize(
    "name", ["benign.apk", "family-locator.apk", "v1-only.apk", "rotated.apk", "split-base.apk"]
)
def test_other_apks_hit_no_rule(project_rules, name: str) -> None:  # type: ignore[no-untyped-def]
    assert rule_ids(project_rules, APKS / name) == set()


def test_split_native_rule_hits(project_rules) -> None:  # type: ignore[no-untyped-def]
    split = APKS / "split_config.arm64_v8a.apk"
    assert [n for n, _ in iter_code_entries(split)] == ["lib/arm64-v8a/libtraining.so"]
    assert rule_ids(project_rules, split) == {"SS-YARA-008"}


def test_training_hosts() -> None:
    hosts = {h.host: h for h in extract_hosts(TRAINING)}
    assert set(hosts) == {
        "c2.trainingspy.example",
        "192.0.2.44",
        "panel.trainingspy.example",
        "backup.trainingspy.test",
    }
    c2 = hosts["c2.trainingspy.example"]
    assert c2.entry == "classes.dex" and c2.kind == "domain"
    assert c2.url == "https://c2.trainingspy.example/api/v1/upload"
    assert hosts["192.0.2.44"].kind == "ipv4"
    assert hosts["panel.trainingspy.example"].entry == "resources.arsc"
    assert hosts["backup.trainingspy.test"].entry == "assets/training-config.txt"


@pytest.mark.parametrize("name", ["benign.apk", "v1-only.apk", "rotated.apk", "split-base.apk"])
def test_benign_apks_yield_no_hosts(name: str) -> None:
    # Not even the manifest's XML namespace URI, nor reverse-DNS class names.
    assert extract_hosts(APKS / name) == []


def test_family_locator_host() -> None:
    assert [h.host for h in extract_hosts(APKS / "family-locator.apk")] == [
        "api.familylocator.example"
    ]


def test_dex_string_table_is_parsed_exactly() -> None:
    (_, data), *_ = iter_code_entries(TRAINING)
    strings = dex_strings(data)
    assert "https://c2.trainingspy.example/api/v1/upload" in strings
    assert "Landroid/accessibilityservice/AccessibilityService;" in strings
    (count,) = struct.unpack_from("<I", data, 0x38)
    assert len(strings) == count


def test_not_a_dex_falls_back_to_printable_runs() -> None:
    assert dex_strings(b"\x00\x01see https://x.example/a\x00") == ["see https://x.example/a"]


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("EXAMPLE.com", "example.com"),
        ("user:pw@Api.Example.org:8443", "api.example.org"),
        ("c2.host.xyz.", "c2.host.xyz"),
        ("10.0.0.1:80", "10.0.0.1"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("300.1.1.1", None),
        ("-bad-.example", None),
        ("localhost", None),
        ("a..b.com", None),
        ("[::1]:80", None),
        ("x" * 64 + ".com", None),
        ("host.123", None),
    ],
)
def test_normalise_host(text: str, host: str | None) -> None:
    assert normalise_host(text) == host


def test_bare_strings_tell_hosts_from_java_names_and_files() -> None:
    got = {
        h.host
        for h in hosts_in_strings(
            [
                "www.c2-panel.online",
                "com.whatsapp",
                "org.telegram.messenger",
                "android.intent.action.MAIN",
                "notes.db",
                "libfoo.so",
                "Intent.ACTION_VIEW",
                "8.8.4.4",
                "see ftp://files.example.net/x and more",
                "http://schemas.android.com/apk/res/android",
            ],
            "classes.dex",
        )
    }
    assert got == {"www.c2-panel.online", "8.8.4.4", "files.example.net"}


def test_archive_reads_are_bounded() -> None:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("classes.dex", b"dex\n035\x00" + b"A" * 5000)
        z.writestr("classes2.dex", b"dex\n035\x00" + b"B" * 50)
    from stalkerscan.evidence.apk_content import ZipLimits

    arc = ApkArchive(buf.getvalue(), ZipLimits(max_entry_bytes=1000))
    assert [n for n, _ in arc.code_entries()] == ["classes2.dex"]
    assert arc.skipped and "classes.dex" in arc.skipped[0]


@pytest.mark.parametrize(
    ("host", "listed", "match"),
    [
        ("c2.trainingspy.example", "c2.trainingspy.example", True),
        ("a.c2.trainingspy.example", "C2.TrainingSpy.Example.", True),
        ("trainingspy.example", "c2.trainingspy.example", False),
        ("evilc2.trainingspy.example", "c2.trainingspy.example", False),
        ("192.0.2.44", "192.0.2.44", True),
        ("1.192.0.2.44", "192.0.2.44", False),
        ("not a host", "x.example", False),
    ],
)
def test_host_matches_exact_or_subdomain_never_parent(host: str, listed: str, match: bool) -> None:
    from stalkerscan.evidence.apk_content import host_matches

    assert host_matches(host, listed) is match


def test_analyse_content_in_one_pass(project_rules) -> None:  # type: ignore[no-untyped-def]
    from stalkerscan.evidence.apk_content import analyse_content

    out = analyse_content(TRAINING, project_rules)
    assert out.unparseable is None and out.timed_out == () and out.errors == ()
    assert {h.rule_id for h in out.hits} == ALL_DEX_RULES
    assert {h.target for h in out.hits} == {"classes.dex"}
    assert [h.host for h in out.hosts] == [h.host for h in extract_hosts(TRAINING)]
    (entry,) = out.code_entries
    assert entry.name == "classes.dex" and len(entry.sha256) == 64
    benign = analyse_content(APKS / "benign.apk", project_rules)
    assert benign.hits == () and benign.hosts == () and benign.unparseable is None
    corrupt = analyse_content(APKS / "corrupt.apk", project_rules)
    assert corrupt.unparseable and corrupt.hits == ()


def test_code_hidden_in_assets_is_scanned_too(project_rules) -> None:  # type: ignore[no-untyped-def]
    from stalkerscan.evidence.apk_content import analyse_content

    with zipfile.ZipFile(TRAINING) as z:
        dex = z.read("classes.dex")
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("AndroidManifest.xml", b"not parsed here")
        z.writestr("assets/update/payload.dex", dex)
        z.writestr("assets/readme.txt", b"nothing")
    out = analyse_content(buf.getvalue(), project_rules)
    assert [e.name for e in out.code_entries] == ["assets/update/payload.dex"]
    assert {h.rule_id for h in out.hits} == ALL_DEX_RULES
    assert "c2.trainingspy.example" in {h.host for h in out.hosts}
