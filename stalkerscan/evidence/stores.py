"""Known app stores, by installer package name, and what an installer name says about an app.

Android records, per package, the package that installed it (`pm list packages -i`
`installer=...`; `dumpsys package` `installerPackageName=`, and on Android 11+ also
`initiatingPackageName`/`installingPackageName`). An app installed by a store went through
that store's review (however light); an app installed by the system package installer was
sideloaded from a file, which is how most stalkerware arrives; an app with no installer was
installed over ADB (`adb install`) or by a tool on a computer.

The list is data with a note per entry; `classify_installer` is the one function the
detection and selection code calls. A stalkerware vendor can set any installer name when it
installs over ADB (`pm install -i com.android.vending`), so "store" is a hint, never proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class InstallerKind(StrEnum):
    """What the installer package name says about how an app arrived."""

    STORE = "store"  # a known app store
    SIDELOADED = "sideloaded"  # the system package installer: a file opened on the phone
    ADB = "adb"  # no installer recorded: `adb install`, a computer, or a factory image
    SYSTEM = "system"  # a system component that installs packages (updates, restores)
    UNKNOWN = "unknown"  # another app installed it (a third-party installer or a dropper)


@dataclass(frozen=True)
class KnownInstaller:
    """One installer package name we recognise, with a note for the report."""

    package: str
    name: str
    kind: InstallerKind
    note: str


STORES: tuple[KnownInstaller, ...] = (
    KnownInstaller(
        "com.android.vending",
        "Google Play Store",
        InstallerKind.STORE,
        "Google's store; apps are reviewed, but stalkerware has passed review before.",
    ),
    KnownInstaller(
        "com.sec.android.app.samsungapps",
        "Samsung Galaxy Store",
        InstallerKind.STORE,
        "Samsung's store, preinstalled on Samsung phones.",
    ),
    KnownInstaller(
        "com.huawei.appmarket",
        "Huawei AppGallery",
        InstallerKind.STORE,
        "Huawei's store; the main store on Huawei phones without Google services.",
    ),
    KnownInstaller(
        "com.amazon.venezia",
        "Amazon Appstore",
        InstallerKind.STORE,
        "Amazon's store (Fire devices and some phones).",
    ),
    KnownInstaller(
        "com.xiaomi.mipicks",
        "Xiaomi GetApps",
        InstallerKind.STORE,
        "Xiaomi's store (MIUI / HyperOS), current name.",
    ),
    KnownInstaller(
        "com.xiaomi.market",
        "Xiaomi Mi Market",
        InstallerKind.STORE,
        "Xiaomi's store, older package name still seen on MIUI.",
    ),
    KnownInstaller(
        "com.heytap.market",
        "Oppo / OnePlus App Market (HeyTap)",
        InstallerKind.STORE,
        "Oppo's store on ColorOS, also OnePlus and realme.",
    ),
    KnownInstaller(
        "com.oppo.market",
        "Oppo App Market (old)",
        InstallerKind.STORE,
        "Oppo's store on older ColorOS versions.",
    ),
    KnownInstaller(
        "com.bbk.appstore",
        "Vivo App Store",
        InstallerKind.STORE,
        "Vivo's store (Funtouch OS / OriginOS).",
    ),
    KnownInstaller(
        "com.hihonor.appmarket",
        "Honor App Market",
        InstallerKind.STORE,
        "Honor's store, on Honor phones after the split from Huawei.",
    ),
    KnownInstaller(
        "org.fdroid.fdroid",
        "F-Droid",
        InstallerKind.STORE,
        "Free-software store; builds apps from source.",
    ),
    KnownInstaller(
        "org.fdroid.fdroid.privileged",
        "F-Droid Privileged Extension",
        InstallerKind.STORE,
        "Lets F-Droid install without prompts; found on custom ROMs.",
    ),
    KnownInstaller(
        "com.aurora.store",
        "Aurora Store",
        InstallerKind.STORE,
        "An alternative client for Google Play's catalogue (same apps as Play).",
    ),
    KnownInstaller(
        "com.aurora.adroid",
        "Aurora Droid",
        InstallerKind.STORE,
        "An alternative client for F-Droid repositories.",
    ),
    KnownInstaller(
        "com.machiav3lli.fdroid",
        "Neo Store / Droid-ify",
        InstallerKind.STORE,
        "An F-Droid client (Neo Store); installs from F-Droid repositories.",
    ),
    KnownInstaller(
        "com.looker.droidify",
        "Droid-ify",
        InstallerKind.STORE,
        "An F-Droid client; installs from F-Droid repositories.",
    ),
    KnownInstaller(
        "dev.imranr.obtainium",
        "Obtainium",
        InstallerKind.SIDELOADED,
        "Installs APKs straight from any release page or URL (GitHub etc.) with no store "
        "review: counted as sideloaded.",
    ),
    KnownInstaller(
        "com.google.android.packageinstaller",
        "Package installer (Google)",
        InstallerKind.SIDELOADED,
        "The system installer that opens an APK file: the app was sideloaded.",
    ),
    KnownInstaller(
        "com.android.packageinstaller",
        "Package installer (AOSP)",
        InstallerKind.SIDELOADED,
        "The system installer that opens an APK file: the app was sideloaded.",
    ),
    KnownInstaller(
        "com.miui.packageinstaller",
        "Package installer (Xiaomi)",
        InstallerKind.SIDELOADED,
        "Xiaomi's replacement of the system installer: the app was sideloaded.",
    ),
    KnownInstaller(
        "com.samsung.android.packageinstaller",
        "Package installer (Samsung)",
        InstallerKind.SIDELOADED,
        "Samsung's system installer: the app was sideloaded.",
    ),
    KnownInstaller(
        "com.android.shell",
        "ADB shell",
        InstallerKind.ADB,
        "Installed from a computer over ADB (`adb install` on Android 10+ records the shell).",
    ),
    KnownInstaller(
        "android",
        "Android system",
        InstallerKind.SYSTEM,
        "Installed or updated by the system itself.",
    ),
)

_BY_PACKAGE: dict[str, KnownInstaller] = {entry.package: entry for entry in STORES}

# Android prints "null" for no installer (pm list packages -i: `installer=null`).
_NO_INSTALLER = frozenset({"", "null", "none"})


def lookup_installer(installer: str | None) -> KnownInstaller | None:
    """The known entry for an installer package name, or None."""
    if installer is None:
        return None
    return _BY_PACKAGE.get(installer.strip())


def classify_installer(installer: str | None) -> InstallerKind:
    """Say how an app arrived, from the installer package name Android recorded."""
    if installer is None or installer.strip().lower() in _NO_INSTALLER:
        return InstallerKind.ADB
    entry = lookup_installer(installer)
    return entry.kind if entry is not None else InstallerKind.UNKNOWN


def is_known_store(installer: str | None) -> bool:
    """True when the installer is a known app store."""
    return classify_installer(installer) is InstallerKind.STORE
