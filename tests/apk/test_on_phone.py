"""Issue 5 end to end on the simulated phone serving the fixture APKs (`apk-zoo`, `covert`).

Each scenario is rendered, served over real TCP and the real ADB protocol, and collected by the
real pipeline; the tests then check the hashes the phone computed, the exact set of APKs pulled,
the certificates read from the pulled files (against `apksigner`), and what the analysis finds
in the training app and the benign app.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stalkerscan.collect import CollectOptions, collect
from stalkerscan.evidence.apk import analyse_apk
from stalkerscan.evidence.apk_content import analyse_content
from stalkerscan.simulator import scenarios
from stalkerscan.simulator.server import SimulatedPhone

from .conftest import APKS, EXPECTED, TRAINING_PACKAGE

# package -> the fixture files it is installed from (base first), per scenario.
FIXTURE_APPS: dict[str, dict[str, tuple[str, ...]]] = {
    "apk-zoo": {
        "org.stalkerscan.fixtures.notes": ("benign.apk",),
        "org.stalkerscan.fixtures.v1only": ("v1-only.apk",),
        "org.stalkerscan.fixtures.rotated": ("rotated.apk",),
        "org.stalkerscan.fixtures.corrupt": ("corrupt.apk",),
        "org.stalkerscan.fixtures.hostilelabel": ("hostile-label.apk",),
        "org.stalkerscan.training.splitdemo": ("split-base.apk", "split_config.arm64_v8a.apk"),
    },
    "covert": {TRAINING_PACKAGE: ("training-stalkerware.apk",)},
}
# Exactly what the selective pull must fetch: (package, file name on the phone).
EXPECTED_PULL: dict[str, set[tuple[str, str]]] = {
    "apk-zoo": {
        ("org.stalkerscan.fixtures.notes", "base.apk"),
        ("org.stalkerscan.fixtures.v1only", "base.apk"),
        ("org.stalkerscan.fixtures.rotated", "base.apk"),
        ("org.stalkerscan.fixtures.corrupt", "base.apk"),
        ("org.stalkerscan.fixtures.hostilelabel", "base.apk"),
        ("org.stalkerscan.training.splitdemo", "base.apk"),
        ("org.stalkerscan.training.splitdemo", "split_config.arm64_v8a.apk"),
    },
    "covert": {(TRAINING_PACKAGE, "base.apk")},
}
SAFE_NAME = re.compile(r"^apks/\d{4}\.apk$")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def acquired(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    """scenario -> (acquisition folder, manifest), collected from the simulated phone."""
    import os

    from stalkerscan.device.connect import open_transport

    data = tmp_path_factory.mktemp("data")
    old = os.environ.get("STALKERSCAN_DATA_DIR")
    os.environ["STALKERSCAN_DATA_DIR"] = str(data)  # a throwaway host key, never the user's
    cache = tmp_path_factory.mktemp("profiles")
    out: dict[str, tuple[Path, Any]] = {}
    try:
        for name in (*FIXTURE_APPS, "clean"):
            folder = tmp_path_factory.mktemp("acq") / name
            with SimulatedPhone(scenarios.resolve(name, cache), port=0) as phone:
                transport = open_transport(phone.serial_tcp, via="tcp", timeout=10)
                try:
                    result = collect(transport, folder, CollectOptions(max_pull_bytes=4 << 20))
                finally:
                    transport.close()
            assert result.complete, result.summary()
            out[name] = (folder, result.manifest)
    finally:
        if old is None:
            os.environ.pop("STALKERSCAN_DATA_DIR", None)
        else:
            os.environ["STALKERSCAN_DATA_DIR"] = old
    return out


@pytest.mark.parametrize("scenario", list(FIXTURE_APPS))
def test_on_phone_sha256_equals_host_sha256(acquired, scenario: str) -> None:  # type: ignore[no-untyped-def]
    folder, manifest = acquired[scenario]
    for package, files in FIXTURE_APPS[scenario].items():
        on_phone = sorted(h.sha256 for h in manifest.apk_hashes if h.package == package)
        assert on_phone == sorted(_sha256(APKS / f) for f in files), package
    for pulled in manifest.pulled_apks:
        # The pulled copy, hashed on the host, equals the phone's own hash of the original.
        assert pulled.verified and pulled.phone_sha256 == _sha256(folder / pulled.file)


@pytest.mark.parametrize("scenario", list(FIXTURE_APPS))
def test_selective_pull_fetches_exactly_the_expected_set(acquired, scenario: str) -> None:  # type: ignore[no-untyped-def]
    folder, manifest = acquired[scenario]
    got = {(p.package, p.remote_path.rsplit("/", 1)[1]) for p in manifest.pulled_apks}
    assert got == EXPECTED_PULL[scenario]
    # Safe names chosen by us, inside the acquisition folder; nothing else was written there.
    assert all(SAFE_NAME.match(p.file) for p in manifest.pulled_apks)
    on_disk = {str(p.relative_to(folder)) for p in (folder / "apks").iterdir()}
    assert on_disk == {p.file for p in manifest.pulled_apks}


def _pulled(acquired, scenario: str, package: str, name: str = "base.apk") -> Path:  # type: ignore[no-untyped-def]
    folder, manifest = acquired[scenario]
    (p,) = [
        p
        for p in manifest.pulled_apks
        if p.package == package and p.remote_path.endswith("/" + name)
    ]
    return Path(folder) / p.file


def _signed_pulls(acquired) -> list[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    out = []
    for scenario, apps in FIXTURE_APPS.items():
        for package, files in apps.items():
            for fixture in files:
                if fixture == "corrupt.apk":
                    continue
                remote = "base.apk" if fixture == files[0] else fixture
                out.append((fixture, _pulled(acquired, scenario, package, remote)))
    return out


def test_certificates_of_pulled_apks_equal_apksigner(acquired) -> None:  # type: ignore[no-untyped-def]
    pulls = _signed_pulls(acquired)
    assert len(pulls) == 7
    for fixture, path in pulls:
        info = analyse_apk(path)
        expected = EXPECTED[fixture]
        assert info.unparseable is None, (fixture, info.unparseable)
        want = {s["sha256"] for s in expected["signers"]} | {
            c["sha256"] for c in expected["lineage"]
        }
        assert set(info.certificate_sha256s()) == want, fixture
        assert {s["sha1"] for s in expected["signers"]} <= set(info.certificate_sha1s()), fixture


_DIGEST = re.compile(r"certificate SHA-(1|256) digest: ([0-9a-f]+)")


@pytest.mark.skipif(shutil.which("apksigner") is None, reason="apksigner is not installed")
def test_apksigner_on_the_pulled_files_agrees(acquired) -> None:  # type: ignore[no-untyped-def]
    for fixture, path in _signed_pulls(acquired):
        if EXPECTED[fixture]["lineage"]:
            continue  # --print-certs shows the current signer only; the lineage is compared above
        out = subprocess.run(
            ["apksigner", "verify", "--print-certs", str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        digests = {(bits, d) for bits, d in _DIGEST.findall(out)}
        info = analyse_apk(path)
        mine = {("1", d) for d in info.certificate_sha1s()} | {
            ("256", d) for d in info.certificate_sha256s()
        }
        assert digests and digests == mine, fixture


def test_training_app_rules_host_and_grants_are_found(acquired, project_rules) -> None:  # type: ignore[no-untyped-def]
    from stalkerscan.evidence.build import build_evidence
    from stalkerscan.indicators import load_demo_index

    path = _pulled(acquired, "covert", TRAINING_PACKAGE)
    content = analyse_content(path, project_rules)
    assert {h.rule_id for h in content.hits} == {f"SS-YARA-00{i}" for i in range(1, 8)}
    index = load_demo_index(Path(acquired["covert"][0]).parent / "no-feed")
    matched = {h.host for h in content.hosts if index.by_host(h.host) or index.by_ip(h.host)}
    assert "c2.trainingspy.example" in matched
    # Grants as the phone reports them, joined per app from the acquisition.
    evidence = build_evidence(acquired["covert"][0], rule_sets=project_rules)
    (app,) = [a for a in evidence.apps if a.package == TRAINING_PACKAGE]
    for perm in ("READ_SMS", "READ_CALL_LOG", "ACCESS_FINE_LOCATION", "RECORD_AUDIO"):
        assert f"android.permission.{perm}" in app.granted_permissions, perm
    assert app.accessibility and app.notification_listeners and app.device_admin_users
    assert app.boot_receiver and not app.launcher_users
    (apk,) = app.apks
    assert apk.verified and {h.rule_id for h in apk.yara} >= {"SS-YARA-001", "SS-YARA-005"}
    assert "c2.trainingspy.example" in {h.host for h in apk.hosts}


def test_benign_app_yields_nothing(acquired, project_rules) -> None:  # type: ignore[no-untyped-def]
    from stalkerscan.indicators import load_demo_index

    path = _pulled(acquired, "apk-zoo", "org.stalkerscan.fixtures.notes")
    content = analyse_content(path, project_rules)
    assert content.unparseable is None and content.code_entries
    assert content.hits == () and content.hosts == () and content.skipped == ()
    info = analyse_apk(path)
    assert info.permissions == () and info.services == () and info.receivers == ()
    index = load_demo_index(Path(acquired["apk-zoo"][0]).parent / "no-feed")
    assert index.by_package(info.package or "") == []
    assert all(index.by_certificate(d) == [] for d in info.certificate_sha256s())
    assert index.by_sample_hash(_sha256(path)) == []


def test_clean_phone_pulls_only_real_apks(acquired) -> None:  # type: ignore[no-untyped-def]
    """The clean phone's pulled apps are the stub APKs (real, parseable), never filler bytes."""
    folder, manifest = acquired["clean"]
    by_package: dict[str, set[str]] = {}
    for p in manifest.pulled_apks:
        info = analyse_apk(Path(folder) / p.file)
        assert info.unparseable is None, (p.package, info.unparseable)
        assert info.package == p.package
        by_package.setdefault(p.package, set()).add(p.remote_path.rsplit("/", 1)[1])
    assert by_package == {
        "com.google.android.marvin.talkback": {"base.apk"},
        "net.brightnest.familytime": {"base.apk"},
        "org.fdroid.fdroid": {"base.apk"},
        "com.x8bit.bitwarden": {
            "base.apk",
            "split_config.arm64_v8a.apk",
            "split_config.en.apk",
        },
    }
