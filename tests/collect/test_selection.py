"""Which APKs are pulled, and why; how installers are classified; what the readers take."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.collect.inventory import (
    App,
    device_admins,
    read_dumpsys_package,
    read_packages,
    sensitive_appops,
)
from stalkerscan.collect.selection import select_apps
from stalkerscan.evidence.stores import (
    STORES,
    InstallerKind,
    classify_installer,
    is_known_store,
)

STORE = "com.android.vending"
SIDELOAD = "com.google.android.packageinstaller"


class FakeIndicators:
    """An indicator index that knows one package name and one APK hash."""

    def by_package(self, name: str) -> list[str]:
        return ["fictional-family"] if name == "org.example.flagged" else []

    def by_sample_hash(self, sha256: str) -> list[str]:
        return ["fictional-family"] if sha256 == "ab" * 32 else []


def app(name: str, installer: str | None = STORE, *, path: str | None = None, **kw: object) -> App:
    base = path or f"/data/app/~~x==/{name}-y==/base.apk"
    a = App(package=name, base_path=base, installer=installer, users=[0])
    for k, v in kw.items():
        setattr(a, k, v)
    return a


def names(apps: list[App], **kw: object) -> list[str]:
    by_name = {a.package: a for a in apps}
    args: dict[str, object] = {"hashes": {}, "grants": {}, "launcher": set(by_name)}
    args.update(kw)
    return [c.app.package for c in select_apps(by_name, **args)]  # type: ignore[arg-type]


def test_store_apps_with_an_icon_and_no_grant_are_not_pulled() -> None:
    assert names([app("org.example.plain")]) == []


def test_sideloaded_hidden_granted_and_indicator_apps_are_pulled() -> None:
    apps = [
        app("org.example.plain"),
        app("org.example.sideloaded", SIDELOAD),
        app("org.example.adb", None),
        app("org.example.hidden"),
        app("org.example.a11y"),
        app("org.example.flagged"),
        app("org.example.byhash"),
    ]
    launcher = {a.package for a in apps} - {"org.example.hidden"}
    grants = {"org.example.a11y": {"accessibility service enabled"}}
    hashes = {apps[-1].base_path: "ab" * 32}
    got = names(apps, launcher=launcher, grants=grants, hashes=hashes, indicators=FakeIndicators())
    assert set(got) == {a.package for a in apps} - {"org.example.plain"}
    # Indicator matches come first, so a size cap never drops them.
    assert set(got[:2]) == {"org.example.flagged", "org.example.byhash"}


def test_background_location_alone_does_not_select_but_adds_weight() -> None:
    apps = [
        app("org.example.maps"),
        app("org.example.side", SIDELOAD),
        app("org.example.side2", SIDELOAD),
    ]
    grants = {
        "org.example.maps": {"background location"},
        "org.example.side2": {"background location"},
    }
    assert names(apps, grants=grants) == ["org.example.side2", "org.example.side"]


def test_system_image_apps_are_never_pulled_and_deep_takes_all_on_data() -> None:
    apps = [
        app("com.example.system", None, path="/system/app/Sys/Sys.apk"),
        app("org.example.one"),
        app("org.example.two"),
    ]
    assert names(apps, deep=True) == ["org.example.one", "org.example.two"]
    assert "com.example.system" not in names(apps, launcher=set(), deep=True)


def test_unknown_launcher_state_never_claims_hidden() -> None:
    assert names([app("org.example.any")], launcher=None) == []


def test_updated_system_apps_are_not_sideloaded() -> None:
    updated = app("com.example.updated", None, updated_system=True)
    assert names([updated], launcher=set()) == []


@pytest.mark.parametrize(
    ("installer", "kind"),
    [
        ("com.android.vending", InstallerKind.STORE),
        ("com.sec.android.app.samsungapps", InstallerKind.STORE),
        ("com.huawei.appmarket", InstallerKind.STORE),
        ("org.fdroid.fdroid", InstallerKind.STORE),
        ("com.google.android.packageinstaller", InstallerKind.SIDELOADED),
        ("com.android.packageinstaller", InstallerKind.SIDELOADED),
        ("null", InstallerKind.ADB),
        (None, InstallerKind.ADB),
        ("", InstallerKind.ADB),
        ("com.evil;rm -rf /", InstallerKind.UNKNOWN),
        ("org.example.dropper", InstallerKind.UNKNOWN),
    ],
)
def test_installer_classification(installer: str | None, kind: InstallerKind) -> None:
    assert classify_installer(installer) is kind
    assert is_known_store(installer) is (kind is InstallerKind.STORE)


def test_store_list_is_well_formed() -> None:
    packages = [s.package for s in STORES]
    assert len(packages) == len(set(packages))
    assert all(s.note and s.name for s in STORES)


def test_package_lists_of_all_users_are_merged(tmp_path: Path) -> None:
    owner, work = tmp_path / "u0.txt", tmp_path / "u10.txt"
    owner.write_text(
        "package:/data/app/~~aGk==/org.example.x-Ymll==/base.apk=org.example.x"
        "  installer=null uid:10100\n"
        "package:/data/app/x;reboot/base.apk=org.example;reboot  installer=null\n"
        "garbage line\n"
    )
    work.write_text(
        "package:/data/app/~~aGk==/org.example.x-Ymll==/base.apk=org.example.x"
        "  installer=com.android.vending uid:1010100\n"
    )
    apps = read_packages({0: owner, 10: work})
    assert list(apps) == ["org.example.x"]
    x = apps["org.example.x"]
    assert x.base_path == "/data/app/~~aGk==/org.example.x-Ymll==/base.apk"
    assert x.installer == "com.android.vending" and x.users == [0, 10]


def test_dumpsys_package_reader_takes_splits_and_ignores_hidden_system_packages(
    tmp_path: Path,
) -> None:
    dump = tmp_path / "dumpsys_package.txt"
    dump.write_text(
        "Packages:\n"
        "  Package [org.example.x] (1a):\n"
        "    codePath=/data/app/~~aGk==/org.example.x-Ymll==\n"
        "    splits=[base, config.en, ../../evil]\n"
        "    pkgFlags=[ HAS_CODE ]\n"
        "  Package [com.example.upd] (2b):\n"
        "    codePath=/data/app/~~b==/com.example.upd-c==\n"
        "    pkgFlags=[ SYSTEM HAS_CODE UPDATED_SYSTEM_APP ]\n"
        "\n"
        "Hidden system packages:\n"
        "  Package [com.example.upd] (3c):\n"
        "    codePath=/system/app/Upd\n"
    )
    apps = {n: App(package=n) for n in ("org.example.x", "com.example.upd")}
    read_dumpsys_package(dump, apps)
    x, upd = apps["org.example.x"], apps["com.example.upd"]
    assert x.apk_paths() == [
        "/data/app/~~aGk==/org.example.x-Ymll==/split_config.en.apk",
    ]  # no base path known from pm: only the split; "../../evil" is not a split name
    assert x.system is False
    assert upd.system is True and upd.updated_system is True
    assert upd.code_path == "/data/app/~~b==/com.example.upd-c=="


def test_appops_background_location_only_counts_on_android_10_and_later(tmp_path: Path) -> None:
    dump = tmp_path / "appops.txt"
    dump.write_text(
        "  Uid 10100:\n    Package org.example.x:\n      FINE_LOCATION (allow):\n"
        "      GET_USAGE_STATS (allow):\n    Package org.example.y:\n"
        "      COARSE_LOCATION (foreground):\n"
    )
    assert sensitive_appops(dump, sdk=34) == {
        "org.example.x": {"background location", "usage access"}
    }
    assert sensitive_appops(dump, sdk=28) == {"org.example.x": {"usage access"}}


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dumpsys"


def test_device_admins_in_aosp_format_and_owners_are_read() -> None:
    """Active admins print as ``pkg/.Receiver:`` (ActiveAdmin.dump, Android 7-16)."""
    work = device_admins(FIXTURES / "device_policy" / "android11_work_profile.txt")
    assert {"org.example.helper", "org.example.work"} <= work
    owner = device_admins(FIXTURES / "device_policy" / "android14_device_owner.txt")
    assert "org.example.kiosk" in owner


def test_device_admins_of_a_phone_without_any_is_empty(tmp_path: Path) -> None:
    dump = tmp_path / "device_policy.txt"
    dump.write_text(
        "Current Device Policy Manager state:\n"
        "  Enabled Device Admins (User 0, provisioningState: 0):\n"
        "    mPasswordOwner=-1\n"
    )
    assert device_admins(dump) == set()


def test_appops_android7_numeric_modes_count_as_allow() -> None:
    """Android 7 prints ``mode=0`` (MODE_ALLOWED) rather than ``mode=allow``."""
    got = sensitive_appops(FIXTURES / "appops" / "android7_numeric_modes.txt", sdk=24)
    assert got == {"org.example.helper": {"usage access", "draw over other apps"}}


def test_dumpsys_package_reader_drops_split_revision_codes(tmp_path: Path) -> None:
    """`splits=[base, config.xhdpi:12]`: the split's file is split_config.xhdpi.apk."""
    dump = tmp_path / "dumpsys_package.txt"
    dump.write_text(
        "Packages:\n"
        "  Package [org.example.x] (1a):\n"
        "    codePath=/data/app/org.example.x-1\n"
        "    splits=[base, config.xhdpi:12]\n"
        "    pkgFlags=[ HAS_CODE ]\n"
    )
    apps = {
        "org.example.x": App(
            package="org.example.x", base_path="/data/app/org.example.x-1/base.apk"
        )
    }
    read_dumpsys_package(dump, apps)
    assert apps["org.example.x"].apk_paths() == [
        "/data/app/org.example.x-1/base.apk",
        "/data/app/org.example.x-1/split_config.xhdpi.apk",
    ]


def test_collection_and_evidence_share_one_parse_of_dumpsys_package(tmp_path: Path) -> None:
    """`scan` reads the saved dump for hashing, then for the evidence: parsed once (issue 10)."""
    from stalkerscan.evidence.package import parse_dumpsys_package_file

    dump = tmp_path / "dumpsys_package.txt"
    dump.write_text("Packages:\n  Package [org.example.x] (1a):\n    codePath=/data/app/x-1\n")
    read_dumpsys_package(dump, {"org.example.x": App(package="org.example.x")})
    first = parse_dumpsys_package_file(dump)
    assert parse_dumpsys_package_file(dump) is first
    # A different file (or the same file rewritten) is parsed again.
    dump.write_text("Packages:\n  Package [org.example.y] (1b):\n    codePath=/data/app/y-1\n")
    again = parse_dumpsys_package_file(dump)
    assert [p.name for p in again.packages] == ["org.example.y"]
