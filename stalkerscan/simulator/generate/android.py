"""What differs between Android versions and vendor builds, in one table.

Facts (from AOSP's dump code per release): SDK levels, the APK path style (`/data/app/pkg-1`
on 7, `/data/app/pkg-<b64>==` on 8-10, `/data/app/~~<b64>==/pkg-<b64>==` on 11+), which
services exist (`role` from 10), and per-vendor build properties and system apps.
"""

from __future__ import annotations

from dataclasses import dataclass

SDK = {7: 25, 8: 27, 9: 28, 10: 29, 11: 30, 12: 32, 13: 33, 14: 34, 15: 35, 16: 36}
RELEASE = {
    7: "7.1.2",
    8: "8.1.0",
    9: "9",
    10: "10",
    11: "11",
    12: "12",
    13: "13",
    14: "14",
    15: "15",
    16: "16",
}
DEFAULT_PATCH = {
    7: "2018-10-05",
    8: "2019-10-05",
    9: "2020-12-05",
    10: "2022-01-05",
    11: "2023-02-05",
    12: "2024-03-05",
    13: "2025-05-01",
    14: "2026-09-05",
    15: "2026-10-05",
    16: "2026-11-05",
}
# AOSP build ids per release (the first letter is the release's code letter).
BUILD_ID = {
    7: "N2G48C",
    8: "OPM8.190605.005",
    9: "PQ3A.190801.002",
    10: "QQ3A.200805.001",
    11: "RQ3A.211001.001",
    12: "SQ3A.220705.004",
    13: "TQ3A.230901.001",
    14: "AP2A.240905.003",
    15: "BP1A.250505.005",
    16: "BP3A.251105.015",
}


@dataclass(frozen=True)
class Vendor:
    """Build identity and skin of a vendor family."""

    key: str
    maker: str
    brand: str
    model: str
    device: str
    name: str
    skin_props: tuple[tuple[str, str], ...] = ()
    installer_store: str | None = None  # the vendor's own store package
    package_installer: str = "com.google.android.packageinstaller"
    launcher: str = "com.google.android.apps.nexuslauncher"
    launcher_activity: str = "com.google.android.apps.nexuslauncher.NexusLauncherActivity"
    keyboard: str = "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"
    sms_app: str = "com.google.android.apps.messaging"
    dialer: str = "com.google.android.dialer"
    browser: str = "com.android.chrome"


VENDORS: dict[str, Vendor] = {
    "pixel": Vendor("pixel", "Google", "google", "Pixel 7", "panther", "panther"),
    "aosp": Vendor(
        "aosp",
        "Google",
        "Android",
        "AOSP on ARM64",
        "generic_arm64",
        "aosp_arm64",
        package_installer="com.android.packageinstaller",
        launcher="com.android.launcher3",
        launcher_activity="com.android.launcher3.uioverrides.QuickstepLauncher",
        keyboard="com.android.inputmethod.latin/.LatinIME",
        sms_app="com.android.messaging",
        dialer="com.android.dialer",
        browser="org.chromium.webview_shell",
    ),
    "samsung": Vendor(
        "samsung",
        "samsung",
        "samsung",
        "SM-S911B",
        "dm1q",
        "dm1qxeea",
        skin_props=(
            ("ro.build.version.oneui", "60100"),
            ("ro.config.knox", "v40"),
            ("ro.boot.warranty_bit", "0"),
            ("ro.csc.sales_code", "EUX"),
        ),
        installer_store="com.sec.android.app.samsungapps",
        launcher="com.sec.android.app.launcher",
        launcher_activity="com.sec.android.app.launcher.activities.LauncherActivity",
        keyboard="com.samsung.android.honeyboard/.service.HoneyBoardService",
        sms_app="com.samsung.android.messaging",
        dialer="com.samsung.android.dialer",
        browser="com.sec.android.app.sbrowser",
    ),
    "xiaomi": Vendor(
        "xiaomi",
        "Xiaomi",
        "Redmi",
        "23090RA98G",
        "sapphire",
        "sapphire_eea",
        skin_props=(
            ("ro.miui.ui.version.name", "V140"),
            ("ro.miui.ui.version.code", "14"),
            ("ro.mi.os.version.name", "OS1.0"),
            ("ro.miui.region", "EU"),
        ),
        installer_store="com.xiaomi.mipicks",
        package_installer="com.miui.packageinstaller",
        launcher="com.miui.home",
        launcher_activity="com.miui.home.launcher.Launcher",
        keyboard="com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME",
        browser="com.mi.globalbrowser",
    ),
    "huawei": Vendor(
        "huawei",
        "HUAWEI",
        "HUAWEI",
        "ELE-L29",
        "HWELE",
        "ELE-L29EEA",
        skin_props=(
            ("ro.build.version.emui", "EmotionUI_10.1.0"),
            ("ro.build.hw_emui_api_level", "23"),
            ("ro.huawei.build.display.id", "ELE-L29 10.1.0.150(C431E8R1P3)"),
        ),
        installer_store="com.huawei.appmarket",
        package_installer="com.android.packageinstaller",
        launcher="com.huawei.android.launcher",
        launcher_activity="com.huawei.android.launcher.unihome.UniHomeLauncher",
        keyboard="com.baidu.input_huawei/.ImeService",
        sms_app="com.android.mms",
        dialer="com.android.contacts",
        browser="com.huawei.browser",
    ),
    "oppo": Vendor(
        "oppo",
        "OPPO",
        "OPPO",
        "CPH2451",
        "OP5913L1",
        "CPH2451EEA",
        skin_props=(
            ("ro.build.version.opporom", "V13.1"),
            ("ro.build.version.oplusrom", "V13.1.0"),
        ),
        installer_store="com.heytap.market",
        package_installer="com.android.packageinstaller",
        launcher="com.android.launcher",
        launcher_activity="com.android.launcher.Launcher",
        sms_app="com.android.mms",
        dialer="com.android.contacts",
        browser="com.heytap.browser",
    ),
    "vivo": Vendor(
        "vivo",
        "vivo",
        "vivo",
        "V2254",
        "PD2254",
        "PD2254F_EX",
        skin_props=(("ro.vivo.os.version", "13.0"), ("ro.vivo.os.name", "Funtouch")),
        installer_store="com.bbk.appstore",
        package_installer="com.android.packageinstaller",
        launcher="com.bbk.launcher2",
        launcher_activity="com.bbk.launcher2.Launcher",
        sms_app="com.android.mms",
        dialer="com.android.dialer",
        browser="com.vivo.browser",
    ),
}

# Stores whose installs the detection treats as known (for the docs; the matchers own the list).
STORES = (
    "com.android.vending",
    "com.sec.android.app.samsungapps",
    "com.huawei.appmarket",
    "com.amazon.venezia",
    "com.xiaomi.mipicks",
    "org.fdroid.fdroid",
    "com.aurora.store",
    "com.heytap.market",
    "com.bbk.appstore",
)


def path_style(android: int) -> str:
    """`numbered` (7), `suffix` (8-10) or `nested` (11+): how /data/app folders are named."""
    if android <= 7:
        return "numbered"
    if android <= 10:
        return "suffix"
    return "nested"


def has_role_service(android: int) -> bool:
    """`dumpsys role` exists from Android 10 (RoleManagerService)."""
    return android >= 10


def has_sha256sum(android: int) -> bool:
    """toybox ships sha256sum from Android 8 (toybox 0.7.3); Android 7 has md5sum/sha1sum only."""
    return android >= 8


def pm_list_knows_uid(android: int) -> bool:
    """`pm list packages -U` (show uid) exists from Android 8; 7 answers `Unknown option`."""
    return android >= 8
