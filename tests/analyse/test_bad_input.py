"""Damaged acquisitions: a missing, truncated or tampered file (sha256 no longer matching the
manifest) is still analysed as far as possible, and the coverage says what was not trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stalkerscan.analyse import analyse
from stalkerscan.commands.check import exit_code_for
from stalkerscan.errors import AcquisitionError
from stalkerscan.evidence.build import build_evidence
from stalkerscan.result import CheckStatus, ScanResult, Verdict

from .conftest import NOW, copy_acquisition

SPY = "org.stalkerscan.training.syncservice"


def run(folder: Path, detection) -> ScanResult:  # type: ignore[no-untyped-def]
    index, rule_sets = detection
    ev = build_evidence(folder, rule_sets=rule_sets)
    return analyse(ev, index, now=NOW, rule_sets=[rs.info for rs in rule_sets])


def rows(result: ScanResult) -> dict[str, tuple[str, str | None]]:
    return {c.check: (c.status.value, c.reason.code if c.reason else None) for c in result.coverage}


def test_intact_acquisition_is_complete(acquisitions, detection) -> None:  # type: ignore[no-untyped-def]
    result = run(acquisitions["covert"], detection)
    assert result.complete
    assert not [c for c in result.coverage if c.status in ("failed", "untrusted")]


def test_missing_file(acquisitions, detection, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = copy_acquisition(acquisitions["covert"], tmp_path / "acq")
    (folder / "raw" / "accessibility.txt").unlink()
    result = run(folder, detection)
    r = rows(result)
    assert r["artifact:accessibility"] == ("failed", "artifact_missing")
    # The enabled service is also in the secure settings: still found, but the check that
    # reads the dump is not whole.
    assert r["accessibility_services"][0] == "failed"
    assert not result.complete and result.verdict == Verdict.FOUND
    assert ("SS-APP-COVERT", SPY) in {(f.rule, f.package) for f in result.findings}


def test_tampered_settings_are_marked_untrusted(acquisitions, detection, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = copy_acquisition(acquisitions["covert"], tmp_path / "acq")
    path = folder / "raw" / "settings_global.txt"
    path.write_bytes(
        path.read_bytes().replace(b"package_verifier_enable=0", b"package_verifier_enable=1")
    )
    result = run(folder, detection)
    r = rows(result)
    assert r["artifact:settings_global"] == ("untrusted", "artifact_tampered")
    assert r["play_protect"][0] == "untrusted"
    # Analysed as far as possible: the (tampered) setting is read as it now says.
    assert "SS-DEV-PLAY-PROTECT" not in {f.rule for f in result.findings}
    assert not result.complete


def test_truncated_package_dump(acquisitions, detection, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = copy_acquisition(acquisitions["covert"], tmp_path / "acq")
    path = folder / "raw" / "dumpsys_package.txt"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    result = run(folder, detection)
    r = rows(result)
    assert r["artifact:dumpsys_package"] == ("untrusted", "artifact_tampered")
    assert r["heuristics"][0] == "untrusted"
    # pm list, settings and the pulled APK still identify the app.
    rules = {f.rule for f in result.findings if f.package == SPY}
    assert {"SS-IOC-PKG", "SS-IOC-HASH", "SS-IOC-CERT"} <= rules
    assert exit_code_for(result) == 1


def test_output_cut_at_the_collectors_cap(acquisitions, detection, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = copy_acquisition(acquisitions["clean"], tmp_path / "acq")
    manifest = json.loads((folder / "manifest.json").read_text())
    for a in manifest["artifacts"]:
        if a["name"] == "appops":
            a["status"] = "truncated"
            a["truncated"] = True
            a["reason"] = "cut at 32 MiB"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = run(folder, detection)
    assert rows(result)["artifact:appops"] == ("untrusted", "artifact_truncated")
    assert result.verdict == Verdict.INCOMPLETE and exit_code_for(result) == 4


def test_tampered_pulled_apk(acquisitions, detection, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = copy_acquisition(acquisitions["covert"], tmp_path / "acq")
    manifest = json.loads((folder / "manifest.json").read_text())
    apk = next(p for p in manifest["pulled_apks"] if p["package"] == SPY)
    with (folder / apk["file"]).open("ab") as f:
        f.write(b"appended")
    result = run(folder, detection)
    r = rows(result)
    assert r["ioc_certificate"] == ("untrusted", "apk_untrusted")
    # The APK is still analysed: its certificate still names the family.
    assert "SS-IOC-CERT" in {f.rule for f in result.findings}


def test_nothing_found_but_a_file_missing_is_incomplete(
    acquisitions, detection, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = copy_acquisition(acquisitions["small"], tmp_path / "acq")
    (folder / "raw" / "notification.txt").unlink()
    result = run(folder, detection)
    assert result.verdict == Verdict.INCOMPLETE and not result.complete
    assert exit_code_for(result) == 4
    assert rows(result)["notification_listeners"][0] == CheckStatus.FAILED.value


def test_incomplete_collection_is_incomplete(acquisitions, detection, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = copy_acquisition(acquisitions["small"], tmp_path / "acq")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["complete"] = False
    manifest["stopped"] = {"stage": "hashing APKs on the phone", "reason": "disconnected"}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = run(folder, detection)
    assert result.verdict == Verdict.INCOMPLETE and exit_code_for(result) == 4


def test_unsafe_file_name_in_manifest_is_never_read(
    acquisitions, detection, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    folder = copy_acquisition(acquisitions["small"], tmp_path / "acq")
    manifest = json.loads((folder / "manifest.json").read_text())
    for a in manifest["artifacts"]:
        if a["name"] == "getprop":
            a["file"] = "../../../../etc/passwd"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    ev = build_evidence(folder)
    state = next(s for s in ev.artifacts if s.name == "getprop")
    assert state.problem == "unsafe-name" and not state.present and ev.getprop is None


def test_no_manifest_is_an_acquisition_error(tmp_path: Path) -> None:
    with pytest.raises(AcquisitionError):
        build_evidence(tmp_path)


def test_package_dump_that_stops_inside_the_package_list(
    acquisitions, detection, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Saved whole and matching its sha256, but the phone's output ended mid-list."""
    import hashlib

    folder = copy_acquisition(acquisitions["small"], tmp_path / "acq")
    path = folder / "raw" / "dumpsys_package.txt"
    data = path.read_bytes()
    start = data.index(b"\nPackages:\n")
    cut = data[: start + (len(data) - start) // 2]
    path.write_bytes(cut)
    manifest = json.loads((folder / "manifest.json").read_text())
    for a in manifest["artifacts"]:
        if a["name"] == "dumpsys_package":
            a["sha256"] = hashlib.sha256(cut).hexdigest()
            a["size"] = len(cut)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = run(folder, detection)
    assert rows(result)["artifact:dumpsys_package"] == ("untrusted", "artifact_partial")
    assert result.verdict == Verdict.INCOMPLETE and exit_code_for(result) == 4


def test_oversized_pulled_apk_is_not_read_into_memory(
    acquisitions, detection, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from stalkerscan.evidence.apk_content import DEFAULT_LIMITS

    folder = copy_acquisition(acquisitions["covert"], tmp_path / "acq")
    manifest = json.loads((folder / "manifest.json").read_text())
    apk = next(p for p in manifest["pulled_apks"] if p["package"] == SPY)
    with (folder / apk["file"]).open("r+b") as f:
        f.truncate(DEFAULT_LIMITS.max_file_bytes + 1)  # sparse: no disk used
    ev = build_evidence(folder, rule_sets=detection[1])
    (record,) = [a for a in ev.app(SPY).apks]  # type: ignore[union-attr]
    assert record.error is not None and "too big" in record.error and not record.trusted
    # The package name and the heuristics still find it.
    result = run(folder, detection)
    assert {"SS-IOC-PKG", "SS-APP-COVERT"} <= {f.rule for f in result.findings}


def test_a_pulled_apk_that_crashes_the_apk_parser_is_recorded(
    acquisitions, detection, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """One flipped byte in the signing block made androguard's adapter raise OverflowError
    (found by tests/apk fuzzing): the builder records it and the analysis goes on."""
    import hashlib

    benign = Path(__file__).resolve().parents[2] / "stalkerscan/simulator/apks/benign.apk"
    data = bytearray(benign.read_bytes())
    data[4111] = 0x80
    folder = copy_acquisition(acquisitions["covert"], tmp_path / "acq")
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = next(p for p in manifest["pulled_apks"] if p["package"] == SPY)
    (folder / entry["file"]).write_bytes(bytes(data))
    entry["sha256"] = hashlib.sha256(data).hexdigest()
    entry["size"] = len(data)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = run(folder, detection)  # must not raise
    assert {"SS-IOC-PKG", "SS-APP-COVERT"} <= {f.rule for f in result.findings}
