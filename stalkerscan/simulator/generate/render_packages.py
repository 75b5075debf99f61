"""Package-manager outputs: `pm list users/packages`, launcher query, `dumpsys package`, `pm path`.

Formats follow AOSP: PackageManagerShellCommand (`package:PATH=PKG  installer=X uid:N`),
Settings.dumpPackageLPr per release (userId= before 13, appId= from 13; per-user
firstInstallTime and install-source lines from 13; `requested permissions:` from 11).
"""

from __future__ import annotations

from collections.abc import Iterator

from stalkerscan.simulator.generate import android
from stalkerscan.simulator.generate.model import Phone, Pkg, full_class


def pm_list_users(ph: Phone) -> str:
    """`pm list users`."""
    lines = ["Users:"]
    for u in ph.users:
        name = u.name
        run = " running" if u.running else ""
        lines.append(f"\tUserInfo{{{u.id}:{name}:{u.flags:x}}}{run}")
    return "\n".join(lines) + "\n"


def _listed(ph: Phone, p: Pkg, user: int, uninstalled: bool) -> bool:
    if p.removed_at is not None and not p.keep_data:
        return False
    if p.installed_for(user):
        return True
    # MATCH_UNINSTALLED_PACKAGES (PackageInfoUtils.checkUseInstalledOrHidden): system packages
    # in any state; a store app installed only for another user is not listed. Packages
    # uninstalled with their data kept (`pm uninstall -k`) are what `-u` exists for.
    return uninstalled and (p.is_system or p.keep_data)


def pm_list_packages(
    ph: Phone, user: int, *, with_uid: bool = True, uninstalled: bool = True
) -> str:
    """`pm list packages -f -i [-U] -u --user N`."""
    out = []
    for p in ph.packages:
        if not _listed(ph, p, user, uninstalled):
            continue
        # A package uninstalled with its data kept has no code any more: its ApplicationInfo
        # has no sourceDir, which pm prints as "null" (ComputerEngine.generatePackageInfo).
        path = "null" if p.removed_at is not None else p.base_apk
        line = f"package:{path}={p.name}  installer={p.installer or 'null'}"
        if with_uid:
            line += f" uid:{p.uid(user)}"
        out.append(line)
    return "\n".join(out) + ("\n" if out else "")


def pm_list_disabled(ph: Phone, user: int) -> str:
    """`pm list packages -d --user N` (enabled state 2, 3 or 4 for that user)."""
    out = []
    for p in ph.packages:
        st = p.users.get(user)
        if p.installed_for(user) and st is not None and st.enabled in (2, 3, 4):
            out.append(f"package:{p.name}")
    return "\n".join(out) + ("\n" if out else "")


def launcher_activities(ph: Phone, user: int) -> str:
    """`cmd package query-activities --brief --user N -a MAIN -c LAUNCHER`."""
    rows = []
    for p in ph.packages:
        st = p.users.get(user)
        if not p.launcher or not p.installed_for(user) or st is None:
            continue
        if st.enabled in (2, 3) or st.hidden:
            continue
        cls = p.launcher
        short = cls[len(p.name) :] if cls.startswith(p.name + ".") else cls
        rows.append(f"{p.name}/{short}")
    if not rows:
        return "No activities found\n"
    # Brief mode (PackageManagerShellCommand.printResolveInfo): a priority line, then the
    # component in its short form.
    out = [f"{len(rows)} activities found:"]
    for i, r in enumerate(rows):
        out.append(f"  Activity #{i}:")
        out.append(
            "    priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false"
        )
        out.append(f"    {r}")
    return "\n".join(out) + "\n"


def _hx(x: int) -> str:
    """A 7-digit hex like the identity hashes dumpsys prints (deterministic here)."""
    return f"{x % (1 << 28):07x}"


def _flags(ph: Phone, p: Pkg) -> str:
    f = []
    if p.is_system:
        f.append("SYSTEM")
    if not p.overlay:
        f.append("HAS_CODE")
    f.append("ALLOW_CLEAR_USER_DATA")
    if p.updated_system:
        f.append("UPDATED_SYSTEM_APP")
    f.append("ALLOW_BACKUP")
    return "[ " + " ".join(f) + " ]"


def _private_flags(ph: Phone, p: Pkg) -> str:
    f = ["PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE_VIA_SDK_VERSION"]
    if ph.android >= 10:
        f.append("ALLOW_AUDIO_PLAYBACK_CAPTURE")
    part = p.partition
    if part in ("priv", "system_ext", "framework"):
        f.append("PRIVILEGED")
    if part == "product" and ph.android >= 9:
        f.append("PRODUCT")
    if part == "system_ext" and ph.android >= 11:
        f.append("SYSTEM_EXT")
    if part == "vendor":
        f.append("VENDOR")
    if ph.android >= 11:
        f.append("PRIVATE_FLAG_ALLOW_NATIVE_HEAP_POINTER_TAGGING")
    return "[ " + " ".join(f) + " ]"


def _user_line(ph: Phone, p: Pkg, uid: int) -> str:
    st = p.users.get(uid)
    installed = p.installed_for(uid)
    hidden = bool(st and st.hidden)
    stopped = bool(st and st.stopped)
    suspended = bool(st and st.suspended)
    enabled = st.enabled if st else 0
    v = ph.android
    data = installed and st is not None
    parts = [
        f"ceDataInode={p.ce_inode + uid if data or v < 15 else 0}",
        f"deDataInode={p.ce_inode + uid + 1 if data else 0}" if v >= 15 else "",
        f"installed={str(installed).lower()}",
        f"hidden={str(hidden).lower()}",
        f"suspended={str(suspended).lower()}",
    ]
    if v >= 10:
        parts.append("distractionFlags=0")
    parts += [f"stopped={str(stopped).lower()}", "notLaunched=false", f"enabled={enabled}"]
    if v >= 8:
        parts.append("instant=false")
    if v >= 9:
        parts.append("virtual=false")
    if v >= 15:
        parts.append("quarantined=false")
    return f"    User {uid}: " + " ".join(x for x in parts if x)


def _perm_flags(ph: Phone, p: Pkg, perm: str, granted: bool) -> str:
    """The flags of a runtime permission as each release prints them.

    Android 7-9 print `[ A B ]`; from 10 (which added USER_SENSITIVE_*) `[ A|B]`.
    """
    if p.is_system:
        flags = ["GRANTED_BY_DEFAULT"] if granted else []
    else:
        flags = ["USER_SET"] if granted else []
        if ph.android >= 10:
            flags += ["USER_SENSITIVE_WHEN_GRANTED", "USER_SENSITIVE_WHEN_DENIED"]
    if ph.android < 10:
        return "[ " + "".join(f + " " for f in flags) + "]"
    return "[ " + "|".join(flags) + "]"


def dump_package_block(
    ph: Phone, p: Pkg, *, hidden_system: bool = False, dump_all: bool = False
) -> Iterator[str]:
    """The `Package [name] (hash):` block of one package (Settings.dumpPackageLPr).

    `dump_all` is AOSP's flag for `dumpsys package NAME`: only then (every release) are the
    `requested permissions:` printed; the full dump shows grants only.
    """
    v = ph.android
    code = p.system_code_path if hidden_system else p.code_path
    yield f"  Package [{p.name}] ({p.ce_inode * 2654435761 % (1 << 28):07x}):"
    yield f"    {'appId' if v >= 13 else 'userId'}={p.app_id}"
    if p.shared_user:
        shared = f"{_hx(p.app_id * 7919)} {p.shared_user}/{p.app_id}"
        yield f"    sharedUser=SharedUserSetting{{{shared}}}"
    yield f"    pkg=Package{{{p.ce_inode * 40503 % (1 << 28):07x} {p.name}}}"
    yield f"    codePath={code}"
    yield f"    resourcePath={code}"
    if not code.endswith(".apk"):
        yield f"    legacyNativeLibraryDir={code}/lib"
    if v >= 11:
        yield "    extractNativeLibs=false"
    abi = ph.spec.device.abi if not p.overlay else "null"
    yield f"    primaryCpuAbi={abi if p.partition == 'data' else 'null'}"
    yield "    secondaryCpuAbi=null"
    if v >= 11:
        yield "    cpuAbiOverride=null"
    yield f"    versionCode={p.version_code} minSdk={p.min_sdk} targetSdk={p.target_sdk}"
    if v >= 11:
        yield "    minExtensionVersions=[]"
    yield f"    versionName={p.version_name}"
    if v >= 11:
        yield "    usesNonSdkApi=false"
    yield "    splits=[" + ", ".join(["base", *p.splits]) + "]"
    if v >= 9:  # the signing-scheme version is printed from Android 9
        yield f"    apkSigningVersion={p.signing_version}"
    if v < 14:
        yield f"    applicationInfo=ApplicationInfo{{{_hx(p.ce_inode * 69069)} {p.name}}}"
    yield f"    flags={_flags(ph, p)}"
    yield f"    privateFlags={_private_flags(ph, p)}"
    if v >= 11:
        yield "    forceQueryable=false"
        if v >= 15:
            yield "    scannedAsStoppedSystemApp=false"
        yield "    queriesPackages=[]"
    if v < 15:  # Android 15 prints the data folder per user instead
        yield f"    dataDir=/data/user/0/{p.name}"
    yield "    supportsScreens=[small, medium, large, xlarge, resizeable, anyDensity]"
    yield f"    timeStamp={ph.fmt_time(p.timestamp)}"
    if v < 13:
        yield f"    firstInstallTime={ph.fmt_time(p.install_time)}"
    yield f"    lastUpdateTime={ph.fmt_time(p.update_time)}"
    if v >= 13:
        yield f"    installerPackageName={p.installer or 'null'}"
        if v >= 14:
            installer = ph.by_name().get(p.installer or "")
            inst_uid = installer.app_id if installer is not None else -1
            yield f"    installerPackageUid={inst_uid}"
        yield f"    initiatingPackageName={p.initiator or 'null'}"
        yield f"    originatingPackageName={p.originator or 'null'}"
        if ph.vendor.key == "samsung" and v >= 15:  # One UI 7 (Samsung framework code)
            yield "    category=manifest: -1, override: -1, by user: null"
        source = 0 if p.is_system else (2 if p.installer == "com.android.vending" else 1)
        yield f"    packageSource={source}"
        if v >= 14:
            yield "    appMetadataFilePath=null"
        if v >= 15:
            yield "    appMetadataSource=0"
    elif p.installer:
        yield f"    installerPackageName={p.installer}"
        if v >= 11 and p.initiator and p.initiator != p.installer:
            yield f"    installInitiatingPackageName={p.initiator}"
    sig_id = _hx(p.ce_inode * 1103515245)
    if v >= 9:
        yield (
            f"    signatures=PackageSignatures{{{sig_id} version:{p.signing_version}, "
            f"signatures:[{p.signature}], past signatures:[]}}"
        )
    else:  # Android 7-8: no scheme version, no rotation history
        yield f"    signatures=PackageSignatures{{{sig_id} [{p.signature}]}}"
    yield "    installPermissionsFixed=true"
    yield f"    pkgFlags={_flags(ph, p)}"
    if v >= 14:
        yield f"    privatePkgFlags={_private_flags(ph, p)}"
        yield "    apexModuleName=null"
        if ph.vendor.key == "samsung" and v >= 15:
            declared = sum(
                bool(x) for x in (p.launcher, p.accessibility, p.listener, p.admin, p.ime, p.vpn)
            )
            yield f"    componentsDeclared={declared + p.boot_receiver}"
    if p.overlay:
        yield "    overlayTarget=android"
        yield "    overlayCategory=null"
    if dump_all and p.requested:
        yield "    requested permissions:"
        for perm in p.requested:
            yield f"      {perm}"
    if p.install_granted and not p.shared_user:
        yield "    install permissions:"
        for perm in p.install_granted:
            yield f"      {perm}: granted=true"
    for u in ph.users:
        yield _user_line(ph, p, u.id)
        st = p.users.get(u.id)
        if v >= 13:
            # INSTALL_REASON_USER (4) for apps the user installed; 0 (unknown) otherwise.
            reason = 4 if p.partition == "data" and p.installed_for(u.id) else 0
            yield f"      installReason={reason}"
            if v >= 15:
                data_dir = f"/data/user/{u.id}/{p.name}" if p.installed_for(u.id) else "null"
                yield f"      dataDir={data_dir}"
            first = st.first_install if st and st.first_install else 0
            yield f"      firstInstallTime={ph.fmt_time(first) if first else '1970-01-01 00:00:00'}"
            yield "      uninstallReason=0"
        if p.runtime and not p.shared_user and p.installed_for(u.id):
            yield "      runtime permissions:"
            for perm, granted in p.runtime.items():
                flags = _perm_flags(ph, p, perm, granted)
                yield f"        {perm}: granted={str(granted).lower()}, flags={flags}"
        if st and st.enabled == 3:
            yield "      lastDisabledCaller: com.android.settings"


def dumpsys_package(ph: Phone) -> Iterator[str]:
    """The whole `dumpsys package` (sections a parser needs, in AOSP's order), line by line."""
    v = ph.android
    fp = ph.properties["ro.build.fingerprint"]
    yield "Database versions:"
    yield "  Internal:"
    yield f"    sdkVersion={ph.sdk} databaseVersion=3"
    yield f"    fingerprint={fp}"
    yield "  External:"
    yield f"    sdkVersion={ph.sdk} databaseVersion=3"
    yield f"    fingerprint={fp}"
    yield ""
    names = ph.by_name()
    if "com.android.vending" in names:
        yield "Verifiers:"
        yield f"  Required: com.android.vending (uid={names['com.android.vending'].app_id})"
        yield ""
    yield "Libraries:"
    yield "  android.test.base -> (jar) /system/framework/android.test.base.jar"
    yield "  org.apache.http.legacy -> (jar) /system/framework/org.apache.http.legacy.jar"
    yield ""
    yield "Features:"
    for feat in (
        "android.hardware.touchscreen",
        "android.hardware.wifi",
        "android.software.device_admin",
        "android.software.managed_users",
        "android.software.input_methods",
        "android.hardware.telephony",
        "android.hardware.location.gps",
    ):
        yield f"  {feat}"
    yield ""
    yield "Activity Resolver Table:"
    yield "  Non-Data Actions:"
    yield "      android.intent.action.MAIN:"
    for p in ph.packages:
        if p.launcher and p.present():
            short = p.launcher[len(p.name) :] if p.launcher.startswith(p.name + ".") else p.launcher
            yield f"        {_hx(p.ce_inode * 97)} {p.name}/{short} filter {_hx(p.ce_inode * 31)}"
            yield '          Action: "android.intent.action.MAIN"'
            yield '          Category: "android.intent.category.LAUNCHER"'
    yield ""
    yield "Receiver Resolver Table:"
    yield "  Non-Data Actions:"
    admins = [p for p in ph.packages if p.admin and p.present()]
    if admins:
        yield "      android.app.action.DEVICE_ADMIN_ENABLED:"
        for p in admins:
            yield f"        {_hx(p.ce_inode * 89)} {p.name}/{p.admin} filter {_hx(p.ce_inode * 37)}"
            yield '          Action: "android.app.action.DEVICE_ADMIN_ENABLED"'
    boots = [p for p in ph.packages if p.boot_receiver and p.present()]
    if boots:
        yield "      android.intent.action.BOOT_COMPLETED:"
        for p in boots:
            filt = _hx(p.ce_inode * 41)
            yield f"        {_hx(p.ce_inode * 83)} {p.name}/.BootReceiver filter {filt}"
            yield '          Action: "android.intent.action.BOOT_COMPLETED"'
    yield ""
    yield "Service Resolver Table:"
    yield "  Non-Data Actions:"
    for action, attr in (
        ("android.accessibilityservice.AccessibilityService", "accessibility"),
        ("android.service.notification.NotificationListenerService", "listener"),
        ("android.view.InputMethod", "ime"),
        ("android.net.VpnService", "vpn"),
    ):
        holders = [p for p in ph.packages if getattr(p, attr) and p.present()]
        if not holders:
            continue
        yield f"      {action}:"
        for p in holders:
            filt = _hx(p.ce_inode * 43)
            yield f"        {_hx(p.ce_inode * 79)} {p.name}/{getattr(p, attr)} filter {filt}"
            yield f'          Action: "{action}"'
    yield ""
    yield "Key Set Manager:"
    for p in ph.packages:
        if p.partition == "data" and p.present():
            yield f"  [{p.name}]"
            yield f"      Signing KeySets: {p.app_id % 97 + 1}"
    yield ""
    yield "Packages:"
    for p in ph.packages:
        if p.removed_at is not None and not p.keep_data:
            continue
        yield from dump_package_block(ph, p)
    updated = [p for p in ph.packages if p.updated_system]
    if updated:
        yield ""
        yield "Hidden system packages:"
        for p in updated:
            yield from dump_package_block(ph, p, hidden_system=True)
    yield ""
    shared = sorted({(p.shared_user, p.app_id) for p in ph.packages if p.shared_user})
    if shared:
        yield "Shared users:"
        for name, app_id in shared:
            yield f"  SharedUser [{name}] ({app_id * 7919 % (1 << 28):07x}):"
            yield f"    {'appId' if v >= 13 else 'userId'}={app_id}"
            if v >= 13:  # Android 13+ lists the members under a `Packages` line (no colon)
                yield "    Packages"
                for q in ph.packages:
                    if q.shared_user == name and q.present():
                        yield f"      {q.name}"
        yield ""
    removed = [p for p in ph.packages if p.removed_at is not None]
    yield "Package Changes:"
    yield f"  Sequence number={len(ph.packages) + 40}"
    for u in ph.users:
        yield f"  User {u.id}:"
        seq = 1
        for p in sorted(ph.packages, key=lambda q: q.update_time):
            if p.partition == "data" and ph.now - p.update_time < 7 * 86400 and u.id in p.users:
                yield f"    seq={seq}, package={p.name}"
                seq += 1
        for p in removed:
            yield f"    seq={seq}, package={p.name}"
            seq += 1
    yield ""
    yield ""
    yield "Frozen packages:"
    yield "  (none)"
    yield ""
    yield ""
    yield "Dexopt state:"
    for p in ph.packages:
        if p.partition == "data" and p.present() and p.removed_at is None:
            yield f"  [{p.name}]"
            yield f"    path: {p.base_apk}"
            reason = "install" if ph.android >= 9 else "bg-dexopt"
            yield f"      arm64: [status=speed-profile] [reason={reason}]"
    yield ""
    yield "Compiler stats:"
    yield ""


def dumpsys_package_one(ph: Phone, p: Pkg) -> str:
    """`dumpsys package PKG` (the per-package form MVT uses)."""
    lines = ["Packages:", *dump_package_block(ph, p, dump_all=True), ""]
    return "\n".join(lines) + "\n"


def pm_path(p: Pkg) -> str:
    """`pm path PKG`: one `package:PATH` line per APK file (base first, then splits)."""
    return "".join(f"package:{f.path}\n" for f in p.apks)


def launcher_class(p: Pkg) -> str:
    """The launcher activity's full class name."""
    return full_class(p.name, p.launcher) if p.launcher else ""


def pm_list_unknown_option(opt: str) -> str:
    """What Android 7's pm prints for an option it does not know (`-U`)."""
    return f"Error: Unknown option: {opt}\n"


__all__ = ["android"]
