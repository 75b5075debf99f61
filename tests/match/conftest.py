"""Helpers to build Evidence by hand (fakes of real models, never mocks) and the demo index."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from stalkerscan.evidence.apk import ApkInfo, CertInfo
from stalkerscan.evidence.apk_content import HostRef
from stalkerscan.evidence.build import ApkEvidence, AppRecord, Evidence, RemovedTrace
from stalkerscan.indicators import load_demo_index
from stalkerscan.indicators.index import IndicatorIndex
from stalkerscan.match.base import MatchContext

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
DEVICE_NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
LONG_AGO = datetime(2026, 3, 1, 10, 0)
PLAY = "com.android.vending"
SIDELOAD = "com.google.android.packageinstaller"


def app(package: str = "org.example.app", **kw: Any) -> AppRecord:
    """An installed user app in user 0 with a launcher icon, from Play, installed long ago."""
    from stalkerscan.evidence.stores import classify_installer

    data: dict[str, Any] = {
        "package": package,
        "users": (0,),
        "installer": PLAY,
        "in_dumpsys": True,
        "code_path": f"/data/app/~~x==/{package}-y==",
        "first_install_time": LONG_AGO,
        "last_update_time": LONG_AGO,
        "launcher_users": (0,),
        "launcher_known_users": (0,),
    }
    data.update(kw)
    data["installer_kind"] = classify_installer(data.get("installer")).value
    return AppRecord(**data)


def apk(
    package: str,
    *,
    sha256: str = "0" * 64,
    certs: tuple[tuple[str, str], ...] = (),
    hosts: tuple[str, ...] = (),
    label: str | None = None,
    yara: tuple[Any, ...] = (),
) -> ApkEvidence:
    """A pulled, analysed APK with the given certificates (sha1, sha256) and hosts."""
    info = ApkInfo(
        sha256=sha256,
        package=package,
        label=label,
        signers=tuple(CertInfo(sha1=s1, sha256=s256) for s1, s256 in certs),
    )
    return ApkEvidence(
        package=package,
        remote_path=f"/data/app/{package}/base.apk",
        file="apks/0001.apk",
        sha256=sha256,
        trusted=True,
        verified=True,
        info=info,
        yara=yara,
        hosts=tuple(
            HostRef(host=h, kind="ipv4" if h[0].isdigit() else "domain", entry="classes.dex")
            for h in hosts
        ),
    )


def evidence(*apps: AppRecord, removed: tuple[RemovedTrace, ...] = (), **kw: Any) -> Evidence:
    """An Evidence of a complete acquisition holding these apps (Android 14 unless said)."""
    from stalkerscan.evidence.getprop import parse_getprop

    data: dict[str, Any] = {
        "acquisition": "acq",
        "complete": True,
        "device_time": DEVICE_NOW,
        "getprop": parse_getprop(
            "[ro.build.version.sdk]: [34]\n[ro.build.version.release]: [14]\n"
        ),
        "apps": apps,
        "removed": removed,
    }
    data.update(kw)
    return Evidence(**data)


def context(ev: Evidence, index: IndicatorIndex | None = None) -> MatchContext:
    """The context a matcher reads."""
    return MatchContext(evidence=ev, index=index, now=NOW)


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> IndicatorIndex:
    """The packaged fictional demo feed (TrainingSpy, FamilyLocator), nothing else."""
    return load_demo_index(tmp_path_factory.mktemp("indicators"))


def echap_snapshot_dir() -> Path | None:
    """The Echap snapshot: $STALKERSCAN_ECHAP_DIR or ../shared/echap beside the repository."""
    env = os.environ.get("STALKERSCAN_ECHAP_DIR")
    path = Path(env) if env else REPO.parent / "shared" / "echap"
    return path if (path / "ioc.yaml").is_file() else None
