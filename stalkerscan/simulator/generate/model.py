"""From a spec to one consistent phone state: uids, paths, times, grants, files.

Every renderer reads this state, never the spec, so the same fact (a uid, an enabled
accessibility service) is printed identically by every command that shows it.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from stalkerscan.errors import ProfileError
from stalkerscan.simulator.generate import android, library
from stalkerscan.simulator.generate.android import Vendor
from stalkerscan.simulator.generate.spec import AppSpec, ScenarioSpec, parse_offset, parse_size

APK_DIR = Path(__file__).resolve().parent.parent / "apks"
SYSTEM_TIME = 1230768000  # 2009-01-01 00:00:00 UTC: the mtime of files in a system image

# Runtime ("dangerous") permissions: granted per user; everything else is an install permission.
RUNTIME_PERMISSIONS = frozenset(
    "android.permission." + p
    for p in (
        "READ_CALENDAR",
        "WRITE_CALENDAR",
        "CAMERA",
        "READ_CONTACTS",
        "WRITE_CONTACTS",
        "GET_ACCOUNTS",
        "ACCESS_FINE_LOCATION",
        "ACCESS_COARSE_LOCATION",
        "ACCESS_BACKGROUND_LOCATION",
        "RECORD_AUDIO",
        "READ_PHONE_STATE",
        "READ_PHONE_NUMBERS",
        "CALL_PHONE",
        "READ_CALL_LOG",
        "WRITE_CALL_LOG",
        "ADD_VOICEMAIL",
        "USE_SIP",
        "PROCESS_OUTGOING_CALLS",
        "ANSWER_PHONE_CALLS",
        "BODY_SENSORS",
        "SEND_SMS",
        "RECEIVE_SMS",
        "READ_SMS",
        "RECEIVE_WAP_PUSH",
        "RECEIVE_MMS",
        "READ_EXTERNAL_STORAGE",
        "WRITE_EXTERNAL_STORAGE",
        "ACTIVITY_RECOGNITION",
        "POST_NOTIFICATIONS",
        "READ_MEDIA_IMAGES",
        "READ_MEDIA_VIDEO",
        "READ_MEDIA_AUDIO",
        "NEARBY_WIFI_DEVICES",
        "BLUETOOTH_CONNECT",
        "BLUETOOTH_SCAN",
    )
)
# Permissions that only exist from some SDK level (not printed on older phones).
_PERM_MIN_SDK = {
    "android.permission.ACCESS_BACKGROUND_LOCATION": 29,
    "android.permission.ACTIVITY_RECOGNITION": 29,
    "android.permission.POST_NOTIFICATIONS": 33,
    "android.permission.READ_MEDIA_IMAGES": 33,
    "android.permission.READ_MEDIA_VIDEO": 33,
    "android.permission.READ_MEDIA_AUDIO": 33,
    "android.permission.NEARBY_WIFI_DEVICES": 33,
    "android.permission.BLUETOOTH_CONNECT": 31,
    "android.permission.BLUETOOTH_SCAN": 31,
    "android.permission.FOREGROUND_SERVICE": 28,
}
_SHARED_UIDS = {
    "android.uid.system": 1000,
    "android.uid.phone": 1001,
    "android.uid.bluetooth": 1002,
    "android.uid.nfc": 1027,
    "android.uid.shell": 2000,
}


def full_permission(name: str) -> str:
    """`READ_SMS` -> `android.permission.READ_SMS`; dotted names are kept."""
    return name if "." in name else f"android.permission.{name}"


def component(package: str, name: str) -> str:
    """The flattened component name `pkg/.Cls` or `pkg/full.Cls` as Android prints it."""
    return f"{package}/{name}"


def full_class(package: str, name: str) -> str:
    """`.Cls` -> `pkg.Cls`."""
    return package + name if name.startswith(".") else name


@dataclass
class UserState:
    """A package's state for one user."""

    installed: bool = True
    hidden: bool = False
    stopped: bool = False
    suspended: bool = False
    enabled: int = (
        0  # COMPONENT_ENABLED_STATE_*: 0 default, 1 enabled, 2 disabled, 3 user, 4 until used
    )
    first_install: int = 0
    not_launched: bool = False


@dataclass
class ApkFile:
    """One APK file on the phone and where its bytes come from."""

    path: str
    size: int
    source: Path | None = None  # a real APK (copied into the profile)
    seed: int = 0


@dataclass
class Pkg:
    """One package as every renderer sees it."""

    name: str
    label: str
    app_id: int
    partition: str  # data | system | priv | product | system_ext | vendor | framework
    code_path: str
    apks: list[ApkFile]
    splits: list[str]
    version_code: int
    version_name: str
    min_sdk: int
    target_sdk: int
    installer: str | None
    initiator: str | None
    originator: str | None
    install_time: int
    update_time: int
    timestamp: int
    users: dict[int, UserState]
    requested: list[str]
    install_granted: list[str]
    runtime: dict[str, bool]  # permission -> granted (same in every user)
    shared_user: str = ""
    updated_system: bool = False
    system_code_path: str = ""
    launcher: str = ""  # launcher activity class ("" = none)
    accessibility: str = ""
    accessibility_on: bool = False
    listener: str = ""
    listener_on: bool = False
    admin: str = ""
    admin_active: bool = False
    owner: str = "none"
    ime: str = ""
    ime_enabled: bool = False
    ime_default: bool = False
    vpn: str = ""
    vpn_active: bool = False
    vpn_always_on: bool = False
    vpn_lockdown: bool = False
    boot_receiver: bool = False
    roles: list[str] = field(default_factory=list)
    battery_exempt: bool = False
    appops: dict[str, str] = field(default_factory=dict)
    removed_at: int | None = None
    keep_data: bool = False
    last_used: int | None = None
    signing_version: int = 3
    signature: str = "00000000"
    overlay: bool = False
    ce_inode: int = 0
    apk_spec_source: str | None = None

    @property
    def is_system(self) -> bool:
        """FLAG_SYSTEM: a package from a read-only partition (updated or not)."""
        return self.partition != "data" or self.updated_system

    def uid(self, user: int) -> int:
        """The kernel uid of the package in `user` (userId * 100000 + appId)."""
        return user * 100000 + self.app_id

    def present(self) -> bool:
        """The package is still on the phone (not fully removed)."""
        return self.removed_at is None or self.keep_data

    def installed_for(self, user: int) -> bool:
        """Installed (code present and marked installed) for `user`."""
        st = self.users.get(user)
        return self.removed_at is None and st is not None and st.installed

    @property
    def base_apk(self) -> str:
        """The path of base.apk (what `pm list packages -f` prints)."""
        return self.apks[0].path if self.apks else f"{self.code_path}/base.apk"


@dataclass
class User:
    """An Android user as `pm list users` shows it."""

    id: int
    name: str
    kind: str
    running: bool
    flags: int
    parent: int | None = None


@dataclass
class Phone:
    """The whole derived state the renderers print."""

    spec: ScenarioSpec
    android: int
    sdk: int
    vendor: Vendor
    now: int
    boot_time: int
    properties: dict[str, str]
    users: list[User]
    packages: list[Pkg]
    settings: dict[str, dict[int, dict[str, str]]]  # namespace -> user -> key -> value
    accounts: list[tuple[int, str, str]]  # (user, type, name)
    rooted: bool
    has_sha256sum: bool
    _by_name: dict[str, Pkg] | None = field(default=None, repr=False)

    def by_name(self) -> dict[str, Pkg]:
        """Packages by name (cached: the package list is final once the phone is built)."""
        if self._by_name is None or len(self._by_name) != len(self.packages):
            self._by_name = {p.name: p for p in self.packages}
        return self._by_name

    def fmt_time(self, t: int) -> str:
        """Device-local `yyyy-MM-dd HH:mm:ss` (dumpsys package's date format)."""
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _version_name(rng: random.Random) -> str:
    return f"{rng.randrange(1, 30)}.{rng.randrange(0, 20)}.{rng.randrange(0, 99)}"


def _b64(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.randbytes(16)).decode()


def _code_path(style: str, pkg: str, rng: random.Random) -> str:
    if style == "numbered":
        return f"/data/app/{pkg}-1"
    if style == "suffix":
        return f"/data/app/{pkg}-{_b64(rng)}"
    return f"/data/app/~~{_b64(rng)}/{pkg}-{_b64(rng)}"


_PARTITION_DIR = {
    "system": "/system/app",
    "priv": "/system/priv-app",
    "product": "/product/app",
    "system_ext": "/system_ext/priv-app",
    "vendor": "/vendor/app",
    "framework": "/system/framework",
}


def _system_path(partition: str, folder: str, android_version: int) -> str:
    if partition == "framework":
        return "/system/framework/framework-res.apk"
    base = _PARTITION_DIR[partition]
    if android_version < 9 and partition in ("product", "system_ext"):
        base = "/system/app"  # no product/system_ext partitions before Android 9/11
    if android_version < 11 and partition == "system_ext":
        base = "/system/priv-app"
    return f"{base}/{folder}"


def _size_draw(rng: random.Random, user_app: bool) -> int:
    # Log-normal sizes: user apps ~30 MB median, system apps ~8 MB, overlays tiny.
    median = 30e6 if user_app else 8e6
    return max(20_000, int(rng.lognormvariate(0, 1.0) * median))


def _apk_meta(name: str) -> Path | None:
    p = APK_DIR / name
    return p if p.is_file() else None


def _user_flags(kind: str, android_version: int) -> int:
    # UserInfo flags: PRIMARY 0x1, ADMIN 0x2, INITIALIZED 0x10, MANAGED_PROFILE 0x20,
    # FULL 0x400, SYSTEM 0x800, PROFILE 0x1000 (FULL/SYSTEM/PROFILE printed from Android 11).
    if kind == "owner":
        return 0xC13 if android_version >= 11 else 0x13
    if kind == "work":
        return 0x1030 if android_version >= 11 else 0x30
    return 0x410 if android_version >= 11 else 0x10


def build_phone(spec: ScenarioSpec, apk_dir: Path | None = None) -> Phone:
    """Derive the phone state from a spec (deterministic for the spec's seed)."""
    rng = random.Random(spec.seed)  # noqa: S311 - reproducible fixtures, not secrets
    apk_dir = apk_dir or APK_DIR
    dev = spec.device
    v = android.VENDORS[dev.vendor]
    ver = dev.android
    try:
        now = int(datetime.fromisoformat(spec.clock.replace("Z", "+00:00")).timestamp())
    except ValueError as err:
        raise ProfileError(f"{spec.name}: clock: {err}") from None
    boot_time = now - 3 * 86400 - 4 * 3600
    first_boot = now - 400 * 86400
    style = android.path_style(ver)

    users = []
    owner_ids = [u.id for u in spec.users if u.kind == "owner"]
    for u in spec.users:
        parent = owner_ids[0] if u.kind == "work" and owner_ids else None
        flags = _user_flags(u.kind, ver)
        if dev.vendor == "samsung" and u.kind == "work" and u.id >= 150:
            flags |= 0x10000000  # Samsung's Knox flag on Secure Folder (user 150+)
        users.append(User(u.id, u.name, u.kind, u.running, flags, parent))
    user_ids = [u.id for u in users]

    packages: list[Pkg] = []
    next_app_id = 10000
    used_names: set[str] = set()

    def new_app_id(shared: str) -> int:
        nonlocal next_app_id
        if shared in _SHARED_UIDS:
            return _SHARED_UIDS[shared]
        next_app_id += 1
        return next_app_id

    # --- background: system packages, overlays, user apps -----------------------------------
    bg = spec.background
    spec_names = {a.package for a in spec.apps}
    bg_system: list[library.BackgroundApp] = []
    bg_user: list[library.BackgroundApp] = []
    if bg is not None:
        preset = bg.preset or dev.vendor
        bg_system = [a for a in library.system_apps(preset) if a.package not in spec_names]
        n_user = min(bg.user_apps, bg.total_packages)
        n_sys_target = max(0, bg.total_packages - n_user - len(spec.apps))
        if len(bg_system) > n_sys_target:
            keep = {
                "android",
                "com.android.settings",
                "com.android.systemui",
                "com.android.shell",
                "com.android.vending",
                "com.google.android.gms",
                "com.android.phone",
                "com.android.providers.settings",
                v.launcher,
                v.package_installer,
                v.keyboard.split("/")[0],
                v.sms_app,
                v.dialer,
                v.browser,
            }
            must = [a for a in bg_system if a.package in keep]
            rest = [a for a in bg_system if a.package not in keep]
            bg_system = must + rest[: max(0, n_sys_target - len(must))]
        else:
            bg_system += library.overlay_apps(n_sys_target - len(bg_system), rng)
        bg_user = [
            a
            for a in library.user_apps(n_user, rng, bg.split_fraction)
            if a.package not in spec_names
        ]

    sizes: list[ApkFile] = []  # generated files, scaled to the declared total afterwards

    def add_system(a: library.BackgroundApp) -> None:
        if a.package in used_names:
            return
        used_names.add(a.package)
        code = _system_path(a.partition, a.folder, ver)
        apk_path = code if code.endswith(".apk") else f"{code}/{a.folder}.apk"
        f = ApkFile(
            apk_path, 20_000 if a.overlay else _size_draw(rng, False), None, rng.randrange(1 << 30)
        )
        sizes.append(f)
        launcher = a.launcher
        if launcher.startswith("."):
            launcher = a.package + launcher
        st = {uid: UserState(True, first_install=first_boot) for uid in user_ids}
        packages.append(
            Pkg(
                name=a.package,
                label=a.label,
                app_id=new_app_id(a.shared_user),
                partition=a.partition,
                code_path=code,
                apks=[f],
                splits=[],
                version_code=ver * 1000 + rng.randrange(1000),
                version_name=android.RELEASE[ver],
                min_sdk=android.SDK[ver],
                target_sdk=android.SDK[ver],
                installer=None,
                initiator=None,
                originator=None,
                install_time=first_boot,
                update_time=SYSTEM_TIME,
                timestamp=SYSTEM_TIME,
                users=st,
                requested=[],
                install_granted=[],
                runtime={},
                shared_user=a.shared_user,
                launcher=launcher,
                overlay=a.overlay,
                signature=f"{rng.randrange(1 << 32):08x}",
            )
        )

    for a in bg_system:
        add_system(a)

    def add_user_bg(a: library.BackgroundApp) -> None:
        used_names.add(a.package)
        t_inst = now - rng.randrange(20 * 86400, 380 * 86400)
        t_upd = min(now - 3600, t_inst + rng.randrange(0, 300 * 86400))
        code = _code_path(style, a.package, rng)
        files = [ApkFile(f"{code}/base.apk", _size_draw(rng, True), None, rng.randrange(1 << 30))]
        for s in a.splits:
            files.append(
                ApkFile(
                    f"{code}/split_{s}.apk",
                    max(20_000, files[0].size // 40),
                    None,
                    rng.randrange(1 << 30),
                )
            )
        sizes.extend(files)
        runtime = {p: rng.random() < 0.7 for p in a.permissions if p in RUNTIME_PERMISSIONS}
        inst = [p for p in a.permissions if p not in RUNTIME_PERMISSIONS]
        packages.append(
            Pkg(
                name=a.package,
                label=a.label,
                app_id=new_app_id(""),
                partition="data",
                code_path=code,
                apks=files,
                splits=list(a.splits),
                version_code=rng.randrange(10, 900000),
                version_name=_version_name(rng),
                min_sdk=24,
                target_sdk=min(android.SDK[ver], 34),
                installer=a.installer,
                initiator=a.installer,
                originator=None,
                install_time=t_inst,
                update_time=t_upd,
                timestamp=t_upd,
                users={0: UserState(True, first_install=t_inst)},
                requested=list(a.permissions),
                install_granted=inst,
                runtime=runtime,
                launcher=a.launcher,
                last_used=now - rng.randrange(600, 20 * 86400),
                signature=f"{rng.randrange(1 << 32):08x}",
            )
        )

    for a in bg_user:
        add_user_bg(a)

    # --- the spec's own apps ----------------------------------------------------------------
    for app in spec.apps:
        packages[:] = [p for p in packages if p.name != app.package]
        packages.append(
            _spec_app(
                app, spec, ver, style, rng, now, first_boot, user_ids, apk_dir, new_app_id, sizes
            )
        )

    # Scale generated sizes so that the whole phone declares the requested APK bytes.
    if bg is not None and sizes:
        want = parse_size(bg.apk_bytes)
        real = sum(
            p.apks[i].size
            for p in packages
            for i in range(len(p.apks))
            if p.apks[i].source is not None
        )
        gen_total = sum(f.size for f in sizes)
        if want > real and gen_total > 0:
            k = (want - real) / gen_total
            for f in sizes:
                f.size = max(4096, int(f.size * k))

    for i, p in enumerate(packages):
        p.ce_inode = 4000 + i * 7 + rng.randrange(7)

    props = _properties(spec, v, ver, now, boot_time)
    settings = _settings(spec, packages, user_ids, ver, v)
    accounts = [(a.user, a.type, a.name) for a in spec.accounts]
    if not spec.accounts and any(p.name == "com.google.android.gms" for p in packages):
        accounts.append((0, "com.google", "owner.fictional@example.org"))
    return Phone(
        spec=spec,
        android=ver,
        sdk=android.SDK[ver],
        vendor=v,
        now=now,
        boot_time=boot_time,
        properties=props,
        users=users,
        packages=packages,
        settings=settings,
        accounts=accounts,
        rooted=dev.rooted,
        has_sha256sum=dev.sha256sum if dev.sha256sum is not None else android.has_sha256sum(ver),
    )


def _spec_app(
    app: AppSpec,
    spec: ScenarioSpec,
    ver: int,
    style: str,
    rng: random.Random,
    now: int,
    first_boot: int,
    user_ids: list[int],
    apk_dir: Path,
    new_app_id: object,
    sizes: list[ApkFile],
) -> Pkg:
    """One app of the spec, with its grants."""
    assert callable(new_app_id)
    sdk = android.SDK[ver]
    t_inst = now + parse_offset(app.installed)
    t_upd = now + parse_offset(app.updated) if app.updated is not None else t_inst
    if app.system != "no":
        folder = app.system_dir or app.package.split(".")[-1].capitalize()
        sys_code = _system_path(app.system, folder, ver)
        code = _code_path(style, app.package, rng) if app.updated_system else sys_code
        partition: str = app.system
        t_inst = first_boot
    else:
        sys_code = ""
        code = _code_path(style, app.package, rng)
        partition = "data"
    base_name = "base.apk" if code.startswith("/data/") else f"{code.rsplit('/', 1)[-1]}.apk"
    files: list[ApkFile] = []
    src = None
    if app.apk and app.apk.source:
        src = apk_dir / app.apk.source
        if not src.is_file():
            src = None  # the APK helper's file is missing: fall back to generated bytes
    if src is not None:
        files.append(ApkFile(f"{code}/{base_name}", src.stat().st_size, src))
    else:
        size = parse_size(app.apk.size) if app.apk and app.apk.size is not None else None
        f = ApkFile(
            f"{code}/{base_name}", size or _size_draw(rng, True), None, rng.randrange(1 << 30)
        )
        files.append(f)
        if size is None:
            sizes.append(f)
    for s in app.splits:
        ssrc = (
            apk_dir / app.apk.split_sources[s] if app.apk and s in app.apk.split_sources else None
        )
        if ssrc is not None and ssrc.is_file():
            files.append(ApkFile(f"{code}/split_{s}.apk", ssrc.stat().st_size, ssrc))
        else:
            f = ApkFile(f"{code}/split_{s}.apk", 200_000, None, rng.randrange(1 << 30))
            files.append(f)
    perms = [full_permission(p) for p in app.permissions]
    denied = [full_permission(p) for p in app.denied]
    requested = [p for p in perms + denied if _PERM_MIN_SDK.get(p, 0) <= sdk]
    runtime = {p: p in perms for p in requested if p in RUNTIME_PERMISSIONS}
    inst = [p for p in perms if p not in RUNTIME_PERMISSIONS and p in requested]
    enabled = {
        "default": 0,
        "enabled": 1,
        "disabled": 2,
        "disabled-user": 3,
        "disabled-until-used": 4,
    }[app.enabled]
    states: dict[int, UserState] = {}
    for u in user_ids:
        inst_u = u in app.users
        if app.system != "no" and not inst_u and u not in app.users:
            inst_u = False
        states[u] = UserState(
            inst_u,
            app.hidden,
            app.stopped,
            app.suspended,
            enabled,
            first_install=t_inst if inst_u else 0,
        )
    launcher = ""
    if app.launcher is True:
        launcher = f"{app.package}.MainActivity"
    elif isinstance(app.launcher, str):
        launcher = full_class(app.package, app.launcher)
    p = Pkg(
        name=app.package,
        label=app.label or app.package.rsplit(".", 1)[-1],
        app_id=new_app_id(app.shared_user or ""),
        partition=partition,
        code_path=code,
        apks=files,
        splits=list(app.splits),
        version_code=app.version_code,
        version_name=app.version_name or str(app.version_code),
        min_sdk=app.min_sdk,
        target_sdk=app.target_sdk or min(sdk, 34),
        installer=app.installer if (app.system == "no" or app.updated_system) else None,
        initiator=app.initiator or (app.installer if app.system == "no" else None),
        originator=app.originator,
        install_time=t_inst,
        update_time=t_upd,
        timestamp=t_upd,
        users=states,
        requested=requested,
        install_granted=inst,
        runtime=runtime,
        shared_user=app.shared_user or "",
        updated_system=app.updated_system,
        system_code_path=sys_code,
        launcher=launcher,
        boot_receiver=app.boot_receiver,
        roles=list(app.roles),
        battery_exempt=app.battery_exempt,
        appops=dict(app.appops),
        signing_version=app.signing_version,
        signature=hashlib.sha256(app.package.encode("utf-8", "surrogateescape")).hexdigest()[:8],
        apk_spec_source=app.apk.source if app.apk else None,
    )
    if app.accessibility:
        p.accessibility, p.accessibility_on = app.accessibility.name, app.accessibility.enabled
    if app.notification_listener:
        p.listener, p.listener_on = (
            app.notification_listener.name,
            app.notification_listener.enabled,
        )
    if app.device_admin:
        p.admin, p.admin_active = app.device_admin.name, app.device_admin.active
        p.owner = app.device_admin.owner
        if p.owner != "none":
            p.admin_active = True
    if app.input_method:
        p.ime, p.ime_enabled, p.ime_default = (
            app.input_method.name,
            app.input_method.enabled,
            app.input_method.default,
        )
    if app.vpn:
        p.vpn, p.vpn_active = app.vpn.name, app.vpn.active
        p.vpn_always_on, p.vpn_lockdown = app.vpn.always_on, app.vpn.lockdown
    if app.removed is not None:
        p.removed_at = now + parse_offset(app.removed.at)
        p.keep_data = app.removed.keep_data
        for st in p.users.values():
            st.installed = False
    if app.used is not None:
        p.last_used = now + parse_offset(app.used)
    elif app.system == "no":
        p.last_used = max(t_upd, now - 3600)
    return p


def _properties(
    spec: ScenarioSpec, v: android.Vendor, ver: int, now: int, boot: int
) -> dict[str, str]:
    dev = spec.device
    maker = dev.maker or v.maker
    brand = dev.brand or v.brand
    model = dev.model or v.model
    device = dev.device or v.device
    name = v.name
    release = android.RELEASE[ver]
    build_id = dev.build_id or android.BUILD_ID[ver]
    incremental = str(9_000_000 + ver * 1117)
    build = f"{dev.build_type}/{dev.build_tags}"
    fp = f"{brand}/{name}/{device}:{release}/{build_id}/{incremental}:{build}"
    patch = dev.security_patch or android.DEFAULT_PATCH[ver]
    debuggable = "1" if dev.build_type != "user" else "0"
    p: dict[str, str] = {
        "ro.build.version.release": release,
        "ro.build.version.sdk": str(android.SDK[ver]),
        "ro.build.version.security_patch": patch,
        "ro.build.version.incremental": incremental,
        "ro.build.id": build_id,
        "ro.build.display.id": f"{build_id} {dev.build_tags}"
        if dev.build_tags != "release-keys"
        else build_id,
        "ro.build.type": dev.build_type,
        "ro.build.tags": dev.build_tags,
        "ro.build.fingerprint": fp,
        "ro.build.date.utc": str(now - 200 * 86400),
        "ro.product.manufacturer": maker,
        "ro.product.brand": brand,
        "ro.product.model": model,
        "ro.product.name": name,
        "ro.product.device": device,
        "ro.product.cpu.abi": dev.abi,
        "ro.product.locale": "en-GB",
        "ro.debuggable": debuggable,
        "ro.secure": "1" if dev.build_type == "user" else "0",
        "ro.adb.secure": "1",
        "ro.boot.verifiedbootstate": dev.verified_boot,
        "ro.boot.flash.locked": "1" if dev.bootloader_locked else "0",
        "ro.boot.vbmeta.device_state": "locked" if dev.bootloader_locked else "unlocked",
        "ro.boot.selinux": "enforcing" if dev.selinux == "Enforcing" else "permissive",
        "ro.crypto.state": "encrypted" if dev.encrypted else "unencrypted",
        "ro.crypto.type": "file" if ver >= 10 else "block",
        "persist.sys.timezone": dev.timezone,
        "persist.sys.usb.config": "mtp,adb",
        "sys.usb.config": "mtp,adb",
        "sys.usb.state": "mtp,adb",
        "service.adb.root": "0",
        "init.svc.adbd": "running",
        "ro.kernel.qemu": "0",
        "ro.hardware": device,
        "ro.sf.lcd_density": "420",
        "gsm.sim.operator.alpha": "Example Mobile",
        "gsm.operator.alpha": "Example Mobile",
        "ro.runtime.firstboot": str((now - 400 * 86400) * 1000),
        "ro.boottime.init": str(3_000_000_000),
        "dalvik.vm.heapsize": "512m",
        "ro.vendor.build.security_patch": patch,
        "ro.product.first_api_level": str(android.SDK[ver]),
    }
    if ver >= 11:
        p["ro.build.version.release_or_codename"] = release
    if ver < 9:  # AVB 2.0's vbmeta state property arrived with Android 9 on most devices
        del p["ro.boot.vbmeta.device_state"]
    for k, val in v.skin_props:
        p[k] = val
    if dev.rooted:
        p["ro.magisk.hide"] = "0"
    p.update(dev.extra_properties)
    # ro.serialno must be deterministic: replace hash() (salted per process) by sha256.
    sn = dev.serial or "SIM" + hashlib.sha256(spec.name.encode()).hexdigest()[:8].upper()
    p["ro.serialno"] = p["ro.boot.serialno"] = sn
    return dict(sorted(p.items()))


def _settings(
    spec: ScenarioSpec, pkgs: list[Pkg], user_ids: list[int], ver: int, v: android.Vendor
) -> dict[str, dict[int, dict[str, str]]]:
    s = spec.settings
    g: dict[str, str] = {
        "adb_enabled": "1" if s.adb else "0",
        "development_settings_enabled": "1" if s.dev_options else "0",
        "package_verifier_enable": "1" if s.play_protect else "0",
        "upload_apk_enable": "1" if s.play_protect_upload else "0",
        "package_verifier_user_consent": str(s.verifier_user_consent),
        "verifier_verify_adb_installs": "1" if s.play_protect else "0",
        "airplane_mode_on": "0",
        "auto_time": "1",
        "auto_time_zone": "1",
        "bluetooth_on": "1",
        "boot_count": "41",
        "data_roaming": "0",
        "device_name": spec.device.model or v.model,
        "mobile_data": "1",
        "stay_on_while_plugged_in": "0",
        "usb_mass_storage_enabled": "1",
        "wifi_on": "1",
        "window_animation_scale": "1.0",
        "transition_animation_scale": "1.0",
        "animator_duration_scale": "1.0",
        "database_creation_buildid": android.BUILD_ID[ver],
        "default_install_location": "0",
        "webview_provider": "com.android.chrome" if v.key != "aosp" else "com.android.webview",
    }
    if ver >= 11:
        g["adb_wifi_enabled"] = "0"
    g.update(s.global_)
    out: dict[str, dict[int, dict[str, str]]] = {"global": {0: g}, "secure": {}, "system": {}}
    for u in user_ids:
        inst = [p for p in pkgs if p.installed_for(u)]
        a11y = [
            component(p.name, p.accessibility)
            for p in inst
            if p.accessibility and p.accessibility_on
        ]
        listeners = [component(p.name, p.listener) for p in inst if p.listener and p.listener_on]
        imes = [p for p in inst if p.ime and (p.ime_enabled or p.ime_default)]
        default_ime = next((component(p.name, p.ime) for p in imes if p.ime_default), v.keyboard)
        enabled_imes = [v.keyboard] + [component(p.name, p.ime) for p in imes]
        enabled_imes = list(dict.fromkeys(enabled_imes))
        sec: dict[str, str] = {
            "android_id": hashlib.sha256(f"{spec.name}/{u}".encode()).hexdigest()[:16],
            "accessibility_enabled": "1" if a11y else "0",
            "enabled_accessibility_services": ":".join(a11y),
            "touch_exploration_enabled": "1" if any("talkback" in c for c in a11y) else "0",
            "enabled_notification_listeners": ":".join(listeners),
            "default_input_method": default_ime,
            "enabled_input_methods": ":".join(enabled_imes),
            "install_non_market_apps": "1" if s.unknown_sources else "0",
            "location_mode": str(s.location_mode),
            "lock_screen_owner_info_enabled": "0",
            "screensaver_enabled": "1",
            "skip_first_use_hints": "1",
            "user_setup_complete": "1",
            "backup_enabled": "1",
            "backup_transport": "com.google.android.gms/.backup.BackupTransportService",
            "bluetooth_name": spec.device.model or v.model,
            "sms_default_application": v.sms_app,
            "dialer_default_application": v.dialer,
        }
        vpn = next((p for p in inst if p.vpn and p.vpn_always_on), None)
        if vpn is not None:
            sec["always_on_vpn_app"] = vpn.name
            sec["always_on_vpn_lockdown"] = "1" if vpn.vpn_lockdown else "0"
        sms = next((p for p in inst if "android.app.role.SMS" in p.roles), None)
        if sms is not None:
            sec["sms_default_application"] = sms.name
        if ver >= 8:
            del sec["install_non_market_apps"]  # per-app "install unknown apps" from Android 8
        sec.update(s.secure)
        out["secure"][u] = sec
        out["system"][u] = {
            "screen_brightness": "102",
            "screen_brightness_mode": "1",
            "screen_off_timeout": "30000",
            "font_scale": "1.0",
            "haptic_feedback_enabled": "1",
            "sound_effects_enabled": "0",
            "volume_music": "7",
            "volume_ring": "5",
            "time_12_24": "24",
            "notification_sound": "content://media/internal/audio/media/27",
            "ringtone": "content://media/internal/audio/media/31",
            **s.system,
        }
    return out
