"""An acquisition folder -> one frozen `Evidence`: every parser run, apps joined across artifacts.

`build_evidence(folder)` reads `manifest.json`, checks every listed file against its size and
sha256, runs the parser of each saved artifact (per user where the command is per user), and
joins what each artifact says about a package into one `AppRecord` per package: install source,
system flags, times, grants, launcher icon per user, special accesses (accessibility,
notification listener, device admin/owner, app-ops, keyboard, roles, battery exemption, VPN),
usage traces, on-phone APK hashes and the analysis of pulled APKs (androguard manifest and
certificates, YARA on DEX/native code, hosts in the code).

Nothing is refused for being imperfect: a missing file, a truncated output or a file whose
sha256 no longer matches the manifest is still analysed as far as it goes, and `artifacts`
records its state (`ArtifactState.trusted` false) so the coverage table says what could not be
trusted. Device text stays data: nothing here builds a host path from it (pulled APK file names
come from the manifest and are checked to stay inside the folder).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field

from stalkerscan.evidence.accessibility import AccessibilityDump, parse_accessibility
from stalkerscan.evidence.accounts import AccountsDump, parse_accounts
from stalkerscan.evidence.appops import AppOpsDump, parse_appops
from stalkerscan.evidence.common import Frozen
from stalkerscan.evidence.device import (
    DeviceTime,
    Selinux,
    WhichResult,
    parse_device_time,
    parse_getenforce,
    parse_which_su,
)
from stalkerscan.evidence.device_policy import DevicePolicyDump, parse_device_policy
from stalkerscan.evidence.deviceidle import DeviceIdleWhitelist, parse_deviceidle_whitelist
from stalkerscan.evidence.getprop import Getprop, parse_getprop
from stalkerscan.evidence.input_method import InputMethodDump, parse_input_method
from stalkerscan.evidence.launcher import LauncherQuery, parse_launcher_query
from stalkerscan.evidence.notification import NotificationDump, parse_notification
from stalkerscan.evidence.package import (
    PackageDump,
    PackageInfo,
    forget_file_parse,
    parse_dumpsys_package_file,
)
from stalkerscan.evidence.pm_list import PmPackageList, parse_pm_list_packages
from stalkerscan.evidence.role import RoleDump, parse_role
from stalkerscan.evidence.settings import Settings, parse_settings
from stalkerscan.evidence.stores import classify_installer
from stalkerscan.evidence.usagestats import UsageStatsDump, parse_usagestats
from stalkerscan.evidence.users import AndroidUser, UserList, parse_pm_list_users
from stalkerscan.evidence.vpn import ConnectivityVpns, parse_connectivity_vpns

if TYPE_CHECKING:
    from stalkerscan.collect.manifest import Manifest
    from stalkerscan.evidence.apk import ApkInfo
    from stalkerscan.evidence.apk_content import HostRef
    from stalkerscan.rules import RuleHit, RuleSet

MAX_TEXT_BYTES = 64 * 1024 * 1024  # one artifact read into memory (dumpsys package is streamed)
PER_USER_UID = 100_000  # Android uid = user * 100000 + app id
# Apps modelled from `dumpsys package` and `pm list packages` (a real phone has < 5,000; the
# hostile-huge profile 10,000). Past it, listed packages are left out and the listing marked
# partial, so a crafted listing cannot grow the analysis and reports without bound. Packages
# another artifact names (a special access such as accessibility or device admin, an app-op, an
# APK hash) are still modelled.
MAX_APPS = 15_000
# All apps, whatever names them: past it, a special access naming one more package is left out
# and its artifact marked partial (only a crafted phone names thousands of holders).
MAX_ALL_APPS = 20_000
# Packages only the usage records still mention, reported as traces of removed apps.
MAX_USAGE_ONLY_TRACES = 2_000
# Read-only partitions of the system image (an APK there came with the phone).
SYSTEM_PATHS = (
    "/system/",
    "/system_ext/",
    "/product/",
    "/vendor/",
    "/odm/",
    "/apex/",
    "/oem/",
    "/preload/",
)

# App-ops that are a special access the user grants in Settings (Android 6+ names).
SENSITIVE_APPOPS = (
    "GET_USAGE_STATS",
    "SYSTEM_ALERT_WINDOW",
    "REQUEST_INSTALL_PACKAGES",
    "FINE_LOCATION",
    "COARSE_LOCATION",
    "ACCESS_BACKGROUND_LOCATION",
    "RECORD_AUDIO",
    "CAMERA",
    "READ_SMS",
    "RECEIVE_SMS",
    "READ_CALL_LOG",
    "READ_CONTACTS",
    "PROJECT_MEDIA",
    "MANAGE_EXTERNAL_STORAGE",
    "RUN_ANY_IN_BACKGROUND",
    "BIND_ACCESSIBILITY_SERVICE",
)


# --- models ----------------------------------------------------------------------------------


class ArtifactState(Frozen):
    """What became of one artifact on its way from the phone to the analysis."""

    name: str  # logical name, e.g. "packages_u0"
    artifact: str  # registry name, e.g. "packages"
    user: int | None = None
    status: str  # manifest status: ok / truncated / failed / skipped / not_collected
    reason: str | None = None
    present: bool = False  # the file is there and was read
    trusted: bool = False  # present and its size and sha256 equal the manifest's
    problem: str | None = None  # "missing", "sha256", "size", "unsafe-name", "unreadable"
    parsed: bool = False  # a parser ran over it
    unparsed_lines: int = 0
    parse_limited: str | None = None  # the parser stopped at a limit or the output ended early


class ApkEvidence(Frozen):
    """One pulled APK file and what its analysis found."""

    package: str
    remote_path: str
    file: str | None = None
    sha256: str | None = None  # host-computed, of the saved file
    phone_sha256: str | None = None
    verified: bool = False  # host sha256 equals the phone's
    trusted: bool = False  # the file still matches the manifest
    status: str = "ok"
    info: ApkInfo | None = None
    yara: tuple[RuleHit, ...] = ()
    yara_problems: tuple[str, ...] = ()  # timeouts and scan errors
    hosts: tuple[HostRef, ...] = ()
    error: str | None = None  # why it could not be analysed
    pull_reasons: tuple[str, ...] = ()
    skipped_entries: tuple[str, ...] = ()  # archive entries refused (zip bomb, over a limit)


class AppRecord(Frozen):
    """Everything the acquisition says about one package, joined over artifacts and users."""

    package: str
    users: tuple[int, ...] = ()  # users it is installed for
    kept_users: tuple[int, ...] = ()  # users where it is uninstalled but its data/APK was kept
    label: str | None = None  # from a pulled APK (dumpsys does not print labels)
    installer: str | None = None
    initiating: str | None = None
    originating: str | None = None
    installer_kind: str = "unknown"  # stores.InstallerKind value
    system: bool = False
    updated_system: bool = False
    in_dumpsys: bool = False
    code_path: str | None = None
    version_code: int | None = None
    version_name: str | None = None
    first_install_time: datetime | None = None  # device local time as printed
    last_update_time: datetime | None = None
    requested_permissions: tuple[str, ...] = ()
    granted_permissions: tuple[str, ...] = ()  # install + runtime granted in any user
    launcher_users: tuple[int, ...] = ()  # users where it has a launcher icon
    launcher_known_users: tuple[int, ...] = ()  # users whose launcher query was read
    disabled_users: tuple[int, ...] = ()
    hidden_users: tuple[int, ...] = ()
    accessibility: tuple[str, ...] = ()  # "user:component" enabled
    accessibility_declared: bool = False
    notification_listeners: tuple[str, ...] = ()  # "user:component" with notification access
    device_admin_users: tuple[int, ...] = ()
    device_admin_policies: tuple[str, ...] = ()
    device_owner: bool = False
    profile_owner_users: tuple[int, ...] = ()
    appops: dict[str, str] = Field(default_factory=dict)  # sensitive op -> mode (most open)
    input_method_users: tuple[int, ...] = ()  # users where one of its keyboards is enabled
    default_input_method_users: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()  # role names it holds (any user)
    battery_exempt: bool = False  # user-added Doze whitelist entry
    vpn_always_on_users: tuple[int, ...] = ()
    vpn_active: bool = False
    vpn_declared: bool = False
    boot_receiver: bool = False
    last_used: str | None = None  # usagestats, device local time as printed
    apk_hashes: tuple[tuple[str, str], ...] = ()  # (path on phone, sha256 from the phone)
    apks: tuple[ApkEvidence, ...] = ()

    @property
    def on_data(self) -> bool:
        """Installed (or updated) on /data rather than only on the system image."""
        return bool(self.code_path and self.code_path.startswith(("/data/", "/mnt/")))

    def certificate_sha1s(self) -> tuple[str, ...]:
        """Signing certificate SHA-1s from every analysed APK of this app."""
        out: dict[str, None] = {}
        for apk in self.apks:
            if apk.info is not None:
                out.update(dict.fromkeys(apk.info.certificate_sha1s()))
        return tuple(out)

    def certificate_sha256s(self) -> tuple[str, ...]:
        """Signing certificate SHA-256s from every analysed APK of this app."""
        out: dict[str, None] = {}
        for apk in self.apks:
            if apk.info is not None:
                out.update(dict.fromkeys(apk.info.certificate_sha256s()))
        return tuple(out)

    def sample_hashes(self) -> tuple[str, ...]:
        """Every APK sha256 known for this app (phone hashes and pulled files)."""
        out: dict[str, None] = dict.fromkeys(h for _, h in self.apk_hashes)
        for apk in self.apks:
            if apk.sha256:
                out[apk.sha256] = None
        return tuple(out)


class RemovedTrace(Frozen):
    """A package that is no longer installed but left traces."""

    package: str
    users: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()  # "usagestats", "appops", "kept"
    last_used: str | None = None


class ApkAnalysisSummary(Frozen):
    """How the pulled-APK analysis went (for the coverage table)."""

    selected: int = 0
    pulled: int = 0
    analysed: int = 0
    unparseable: int = 0
    untrusted: int = 0
    yara_rule_sets: tuple[str, ...] = ()
    yara_scanned: int = 0
    yara_problems: int = 0
    hosts_scanned: int = 0
    enabled: bool = True
    reason: str | None = None


class Evidence(Frozen):
    """Everything parsed from one acquisition, ready for the matchers."""

    acquisition: str  # folder name (never a full host path in reports)
    acquisition_id: str | None = None
    manifest_sha256: str | None = None
    complete: bool = False
    stopped: dict[str, str] | None = None
    device_serial: str | None = None
    device_time: datetime | None = None  # the phone's clock (UTC), or the host time of collection
    getprop: Getprop | None = None
    selinux: Selinux | None = None
    clock: DeviceTime | None = None
    su: WhichResult | None = None
    users: tuple[AndroidUser, ...] = ()
    user_ids: tuple[int, ...] = (0,)
    settings_global: Settings | None = None
    settings_secure: dict[int, Settings] = Field(default_factory=dict)
    device_policy: DevicePolicyDump | None = None
    accessibility: AccessibilityDump | None = None
    notification: NotificationDump | None = None
    appops: AppOpsDump | None = None
    input_method: InputMethodDump | None = None
    role: RoleDump | None = None
    deviceidle: DeviceIdleWhitelist | None = None
    vpn: ConnectivityVpns | None = None
    accounts: AccountsDump | None = None
    usagestats: UsageStatsDump | None = None
    package_dump_complete: bool = False
    apps: tuple[AppRecord, ...] = ()
    removed: tuple[RemovedTrace, ...] = ()
    artifacts: tuple[ArtifactState, ...] = ()
    hashing: dict[str, Any] = Field(default_factory=dict)
    pull: dict[str, Any] = Field(default_factory=dict)  # the manifest's pull summary
    apk_analysis: ApkAnalysisSummary = ApkAnalysisSummary()

    @property
    def sdk(self) -> int | None:
        """The Android SDK level, when getprop was read."""
        return self.getprop.sdk if self.getprop is not None else None

    def app(self, package: str) -> AppRecord | None:
        """The record of one package, or None."""
        for a in self.apps:
            if a.package == package:
                return a
        return None

    def artifact_states(self, artifact: str) -> tuple[ArtifactState, ...]:
        """Every state of a registry artifact (one per user for per-user artifacts)."""
        return tuple(a for a in self.artifacts if a.artifact == artifact)


# --- reading files ---------------------------------------------------------------------------


class _Reader:
    """Checks and reads the files of one acquisition, remembering each artifact's state."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = root
        self.manifest = manifest
        self.states: dict[str, ArtifactState] = {}

    def _safe(self, rel: str) -> Path | None:
        from stalkerscan.collect.store import check_relative_name
        from stalkerscan.errors import AcquisitionError

        try:
            check_relative_name(rel)
        except AcquisitionError:
            return None
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root.resolve()):
            return None
        return path

    def check(
        self, rel: str | None, size: int, sha256: str | None
    ) -> tuple[Path | None, str | None]:
        """(path to read or None, problem or None) for a file listed in the manifest."""
        if rel is None:
            return None, "missing"
        path = self._safe(rel)
        if path is None:
            return None, "unsafe-name"
        if not path.is_file():
            return None, "missing"
        digest = hashlib.sha256()
        actual = 0
        try:
            with path.open("rb") as f:
                while chunk := f.read(1024 * 1024):
                    digest.update(chunk)
                    actual += len(chunk)
        except OSError:
            return None, "unreadable"
        if sha256 is None or digest.hexdigest() != sha256:
            return path, "sha256"
        if actual != size:
            return path, "size"
        return path, None

    def read(self, name: str) -> tuple[Path | None, ArtifactState | None]:
        """Check one logical artifact; its path (even when untrusted) and its state."""
        record = self.manifest.artifact(name)
        if record is None:
            return None, None
        path, problem = (None, None)
        if record.file is not None:
            path, problem = self.check(record.file, record.size, record.sha256)
        elif record.status in ("ok", "truncated"):
            problem = "missing"
        state = ArtifactState(
            name=name,
            artifact=record.artifact,
            user=record.user,
            status=str(record.status),
            reason=record.reason,
            present=path is not None,
            trusted=path is not None and problem is None,
            problem=problem,
        )
        self.states[name] = state
        return path, state

    def parse(self, name: str, parser: Callable[[bytes], Any]) -> Any | None:
        """Run `parser` on the bytes of one artifact (None when nothing could be read)."""
        path, state = self.read(name)
        if path is None or state is None:
            return None
        try:
            with path.open("rb") as f:
                data = f.read(MAX_TEXT_BYTES)
        except OSError:
            self.states[name] = state.model_copy(update={"present": False, "trusted": False})
            return None
        result = parser(data)
        self._mark_parsed(name, result)
        return result

    def parse_path(self, name: str, parser: Callable[[Path], Any]) -> Any | None:
        """Run a streaming `parser` on the file of one artifact."""
        path, state = self.read(name)
        if path is None or state is None:
            return None
        result = parser(path)
        self._mark_parsed(name, result)
        return result

    def _mark_parsed(self, name: str, result: Any) -> None:
        issues = getattr(result, "issues", None)
        count = int(getattr(issues, "unparsed_lines", 0) or 0)
        self.states[name] = self.states[name].model_copy(
            update={"parsed": True, "unparsed_lines": count}
        )
        # A parser that reached one of its entry caps (a flooded output) says so with
        # `truncated`; what it did not keep was not checked.
        if getattr(result, "truncated", False) is True:
            _mark_limited(self, name, "the output was cut at the parser's limit")


def _left_out(count: int, limit: int) -> str:
    return f"{count} packages past the {limit:,} apps this tool models were left out"


def _mark_limited(reader: _Reader, name: str, note: str) -> None:
    """Record that the parsed content of artifact `name` is partial (the check is then not
    trusted: see analyse.artifact_row)."""
    state = reader.states.get(name)
    if state is None:
        return
    text = note if state.parse_limited is None else f"{state.parse_limited}; {note}"
    reader.states[name] = state.model_copy(update={"parse_limited": text})


def _manifest_digest(root: Path) -> str | None:
    try:
        return hashlib.sha256((root / "manifest.json").read_bytes()).hexdigest()
    except OSError:
        return None


def _device_time(manifest: Manifest, clock: DeviceTime | None) -> datetime | None:
    epoch = clock.epoch_seconds if clock is not None else None
    if epoch is None:
        epoch = manifest.device_time
    if epoch is not None:
        try:
            return datetime.fromtimestamp(epoch, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    stamp = manifest.host_time_at_device_time or manifest.started_at
    try:
        return datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None


# --- joining ---------------------------------------------------------------------------------


class _App:
    """Mutable builder of one AppRecord."""

    def __init__(self, package: str) -> None:
        self.package = package
        self.data: dict[str, Any] = {"package": package}
        self.sets: dict[str, set[Any]] = {}
        self.appops: dict[str, str] = {}

    def add(self, key: str, value: Any) -> None:
        self.sets.setdefault(key, set()).add(value)

    def set_first(self, key: str, value: Any) -> None:
        if value is not None and self.data.get(key) is None:
            self.data[key] = value

    def op(self, name: str, mode: str | None) -> None:
        rank = {"allow": 3, "foreground": 2, "default": 1}
        mode = mode or "default"
        old = self.appops.get(name)
        if old is None or rank.get(mode, 0) > rank.get(old, 0):
            self.appops[name] = mode

    def freeze(self, apks: tuple[ApkEvidence, ...]) -> AppRecord:
        d = dict(self.data)
        for key, values in self.sets.items():
            d[key] = tuple(sorted(values, key=str))
        d["appops"] = dict(sorted(self.appops.items()))
        d["apks"] = apks
        label = next((a.info.label for a in apks if a.info is not None and a.info.label), None)
        if label is not None:
            d["label"] = label
        d["installer_kind"] = classify_installer(d.get("installer")).value
        if not d.get("in_dumpsys") and str(d.get("code_path") or "").startswith(SYSTEM_PATHS):
            # dumpsys package missing, cut or without this package: the APK's partition
            # (from pm list -f) still says it came with the phone.
            d["system"] = True
        return AppRecord(**d)


def _user_of_uid(uid: int | None) -> int | None:
    return uid // PER_USER_UID if uid is not None and uid >= 0 else None


def _join(
    reader: _Reader,
    users: list[int],
    pm: dict[int, PmPackageList],
    disabled: dict[int, PmPackageList],
    launcher: dict[int, LauncherQuery],
    secure: dict[int, Settings],
    dump: PackageDump | None,
    policy: DevicePolicyDump | None,
    a11y: AccessibilityDump | None,
    notif: NotificationDump | None,
    appops: AppOpsDump | None,
    ime: InputMethodDump | None,
    role: RoleDump | None,
    idle: DeviceIdleWhitelist | None,
    vpn: ConnectivityVpns | None,
    usage: UsageStatsDump | None,
    sdk: int | None,
) -> tuple[dict[str, _App], list[RemovedTrace], int]:
    apps: dict[str, _App] = {}
    installed: dict[str, set[int]] = {}
    kept: dict[str, set[int]] = {}

    source = "dumpsys_package"  # the artifact being joined (get() counts a cut app under it)
    overflow: dict[str, int] = {}

    def get(name: str) -> _App:
        if name not in apps:
            if len(apps) >= MAX_ALL_APPS:
                overflow[source] = overflow.get(source, 0) + 1
                return _App(name)  # not kept
            apps[name] = _App(name)
        return apps[name]

    def room_for(name: str) -> bool:
        """False (and counted) when `name` would be an app past MAX_APPS."""
        if name in apps or len(apps) < MAX_APPS:
            return True
        left_out.add(name)
        return False

    left_out: set[str] = set()
    # dumpsys package first: it knows per-user install state.
    info_by_name: dict[str, PackageInfo] = {}
    if dump is not None:
        for info in dump.packages:
            if not room_for(info.name):
                continue
            info_by_name[info.name] = info
            a = get(info.name)
            a.data["in_dumpsys"] = True
            a.data["system"] = info.is_system
            a.data["updated_system"] = info.is_updated_system
            a.set_first("code_path", info.code_path)
            a.set_first("version_code", info.version_code)
            a.set_first("version_name", info.version_name)
            src = info.install_source
            a.set_first("installer", src.installer)
            a.set_first("initiating", src.initiating)
            a.set_first("originating", src.originating)
            a.set_first("last_update_time", info.last_update_time)
            a.set_first("first_install_time", first_install_time(info))
            for perm in info.requested_permissions:
                a.add("requested_permissions", perm)
            for g in info.install_permissions:
                if g.granted:
                    a.add("granted_permissions", g.name)
            for state in info.users:
                if state.installed is False:
                    kept.setdefault(info.name, set()).add(state.user_id)
                    continue
                installed.setdefault(info.name, set()).add(state.user_id)
                if state.hidden:
                    a.add("hidden_users", state.user_id)
                if state.enabled in (2, 3, 4):  # COMPONENT_ENABLED_STATE_DISABLED*
                    a.add("disabled_users", state.user_id)
                for g in state.runtime_permissions:
                    if g.granted:
                        a.add("granted_permissions", g.name)
        for handler in dump.intent_handlers:
            if handler.package not in apps:
                continue
            if handler.kind == "accessibility_service":
                apps[handler.package].data["accessibility_declared"] = True
            elif handler.kind == "boot_receiver":
                apps[handler.package].data["boot_receiver"] = True
            elif handler.kind == "vpn_service":
                apps[handler.package].data["vpn_declared"] = True

    # pm list packages per user (authoritative for "listed for this user").
    for user, plist in pm.items():
        for p in plist.packages:
            if not room_for(p.name):
                continue
            a = get(p.name)
            a.set_first("installer", p.installer)
            if p.path:
                a.set_first(
                    "code_path", p.path.rsplit("/", 1)[0] if p.path.endswith(".apk") else p.path
                )
            # Listed for this user; dumpsys package (when it has the user) says whether it
            # is installed or only kept (`pm list packages -u` lists both).
            known = p.name in info_by_name and info_by_name[p.name].user(user) is not None
            if not known:
                installed.setdefault(p.name, set()).add(user)
    for user, plist in disabled.items():
        for p in plist.packages:
            if p.name in apps:
                apps[p.name].add("disabled_users", user)
    for user, query in launcher.items():
        for act in query.activities:
            if act.package in apps:
                apps[act.package].add("launcher_users", user)
    launcher_known = sorted(u for u, q in launcher.items() if q.error is None)

    # Special accesses.
    for user, s in secure.items():
        source = f"settings_secure_u{user}"
        for comp in s.enabled_accessibility_services:
            get(comp.split("/", 1)[0]).add("accessibility", f"{user}:{comp}")
        for comp in s.enabled_notification_listeners:
            get(comp.split("/", 1)[0]).add("notification_listeners", f"{user}:{comp}")
        assistant = s.enabled_notification_assistant
        for comp in s.enabled_input_methods:
            get(comp.split("/", 1)[0]).add("input_method_users", user)
        default_ime = s.default_input_method
        if default_ime:
            get(default_ime.split("/", 1)[0]).add("default_input_method_users", user)
        vpn_app = s.always_on_vpn_app
        if vpn_app:
            get(vpn_app).add("vpn_always_on_users", user)
        del assistant  # the assistant is the system's ranker on almost every phone
    if a11y is not None:
        source = "accessibility"
        for au in a11y.users:
            for comp in au.enabled_services:
                get(comp.split("/", 1)[0]).add("accessibility", f"{au.user}:{comp}")
    if notif is not None:
        source = "notification"
        for ap in notif.listeners.approved:
            if "/" in ap.component:
                user = ap.user if ap.user is not None else 0
                get(ap.component.split("/", 1)[0]).add(
                    "notification_listeners", f"{user}:{ap.component}"
                )
    if policy is not None:
        source = "device_policy"
        for adm in policy.admins:
            a = get(adm.package)
            a.add("device_admin_users", adm.user if adm.user is not None else 0)
            for pol in adm.policies:
                a.add("device_admin_policies", pol)
        if policy.device_owner is not None and policy.device_owner.package:
            get(policy.device_owner.package).data["device_owner"] = True
        for po in policy.profile_owners:
            if po.package:
                get(po.package).add("profile_owner_users", po.user if po.user is not None else 0)
    if appops is not None:
        source = "appops"
        uid_names: dict[int, set[str]] = {}
        for plist in pm.values():
            for p in plist.packages:
                for uid in p.uids:
                    uid_names.setdefault(uid, set()).add(p.name)
        # Android 7's pm has no -U: the uid is user * 100000 + the app id dumpsys prints.
        for info in info_by_name.values():
            if info.app_id is not None:
                for state in info.users:
                    uid = state.user_id * PER_USER_UID + info.app_id
                    uid_names.setdefault(uid, set()).add(info.name)
        for uo in appops.uids:
            for pk in uo.packages:
                for op in pk.ops:
                    if op.op in SENSITIVE_APPOPS:
                        get(pk.package).op(op.op, op.mode)
            for op in uo.uid_modes:
                if op.op in SENSITIVE_APPOPS and uo.uid is not None:
                    for name in sorted(uid_names.get(uo.uid, ())):
                        get(name).op(op.op, op.mode)
    if ime is not None:
        source = "input_method"
        for ime_user in ime.per_user:
            for comp in ime_user.enabled:
                get(comp.split("/", 1)[0]).add(
                    "input_method_users", ime_user.user if ime_user.user is not None else 0
                )
    if role is not None:
        source = "role"
        for rh in role.roles:
            for holder in rh.holders:
                get(holder).add("roles", rh.role)
    if idle is not None:
        source = "deviceidle"
        for entry in idle.entries:
            if entry.kind == "user":
                get(entry.package).data["battery_exempt"] = True
    if vpn is not None:
        source = "connectivity"
        for net in vpn.networks:
            if net.package:
                get(net.package).data["vpn_active"] = True
        for ventry in vpn.vpn_apps:
            get(ventry.package).data["vpn_active"] = True
    last_used: dict[str, str] = {}
    if usage is not None:
        for pu in usage.packages:
            if pu.last_used and (
                pu.package not in last_used or pu.last_used > last_used[pu.package]
            ):
                last_used[pu.package] = pu.last_used
    for name, when in last_used.items():
        if name in apps:
            apps[name].data["last_used"] = when

    # Install state per user; what is left over are traces of removed packages.
    removed: list[RemovedTrace] = []
    for name, a in apps.items():
        us = installed.get(name, set())
        for u in us:
            a.add("users", u)
        for k in kept.get(name, set()) - us:
            a.add("kept_users", k)
        for k in launcher_known:
            a.add("launcher_known_users", k)
    for name in sorted(apps):
        if installed.get(name):
            continue
        sources = []
        if kept.get(name):
            sources.append("kept")
        if name in last_used:
            sources.append("usagestats")
        if apps[name].appops:
            sources.append("appops")
        if sources:
            removed.append(
                RemovedTrace(
                    package=name,
                    users=tuple(sorted(kept.get(name, set()))),
                    sources=tuple(sources),
                    last_used=last_used.get(name),
                )
            )
    # Packages only the usage records still mention: fully uninstalled (no data kept).
    usage_only = sorted(set(last_used) - set(apps))
    for name in usage_only[:MAX_USAGE_ONLY_TRACES]:
        removed.append(
            RemovedTrace(package=name, sources=("usagestats",), last_used=last_used[name])
        )
    for name, count in overflow.items():
        _mark_limited(reader, name, _left_out(count, MAX_ALL_APPS))
    if len(usage_only) > MAX_USAGE_ONLY_TRACES:
        left = len(usage_only) - MAX_USAGE_ONLY_TRACES
        note = f"{left} more packages only the usage records mention were not listed as removed"
        _mark_limited(reader, "usagestats", note)
    del sdk, users
    return apps, removed, len(left_out)


# --- pulled APKs -----------------------------------------------------------------------------


def _analyse_pulled(
    reader: _Reader,
    manifest: Manifest,
    rule_sets: Sequence[RuleSet] | None,
    analyse_apks: bool,
) -> tuple[dict[str, list[ApkEvidence]], ApkAnalysisSummary]:
    out: dict[str, list[ApkEvidence]] = {}
    counts = {"analysed": 0, "unparseable": 0, "untrusted": 0, "yara": 0, "yara_problems": 0}
    counts["hosts"] = 0
    pulled = 0
    for rec in manifest.pulled_apks:
        if rec.status not in ("ok", "truncated") or rec.file is None:
            continue
        pulled += 1
        path, problem = reader.check(rec.file, rec.size, rec.sha256)
        base: dict[str, Any] = {
            "package": rec.package,
            "remote_path": rec.remote_path,
            "file": rec.file,
            "sha256": rec.sha256,
            "phone_sha256": rec.phone_sha256,
            "verified": rec.verified,
            "trusted": path is not None and problem is None,
            "status": str(rec.status),
            "pull_reasons": tuple(rec.reasons),
        }
        if problem is not None:
            counts["untrusted"] += 1
        if path is None:
            out.setdefault(rec.package, []).append(ApkEvidence(**base, error=f"file {problem}"))
            continue
        if not analyse_apks:
            out.setdefault(rec.package, []).append(ApkEvidence(**base))
            continue
        out.setdefault(rec.package, []).append(_analyse_one(path, base, rule_sets, counts))
    summary = ApkAnalysisSummary(
        selected=len(manifest.pulled_apks),
        pulled=pulled,
        analysed=counts["analysed"],
        unparseable=counts["unparseable"],
        untrusted=counts["untrusted"],
        yara_rule_sets=tuple(rs.name for rs in rule_sets or ()),
        yara_scanned=counts["yara"],
        yara_problems=counts["yara_problems"],
        hosts_scanned=counts["hosts"],
        enabled=analyse_apks,
        reason=None if analyse_apks else "APK analysis switched off",
    )
    return out, summary


def _analyse_one(
    path: Path, base: dict[str, Any], rule_sets: Sequence[RuleSet] | None, counts: dict[str, int]
) -> ApkEvidence:
    from stalkerscan.evidence.apk import analyse_apk
    from stalkerscan.evidence.apk_content import DEFAULT_LIMITS, ApkContent, analyse_content

    try:
        size = path.stat().st_size
        if size > DEFAULT_LIMITS.max_file_bytes:
            counts["unparseable"] += 1
            return ApkEvidence(**base, error=f"too big to analyse ({size} bytes)")
        data = path.read_bytes()
    except OSError as err:
        return ApkEvidence(**base, error=f"unreadable: {err.strerror}")
    try:
        info = analyse_apk(data)
    except Exception as err:  # a hostile APK must never stop the analysis of the phone
        from stalkerscan.evidence.apk import ApkInfo

        info = ApkInfo(unparseable=f"analysis failed: {type(err).__name__}")
    if info.unparseable is not None:
        counts["unparseable"] += 1
    else:
        counts["analysed"] += 1
    error = info.unparseable
    # One pass over the archive: YARA on every DEX/.so and the hosts in code and resources.
    try:
        content = analyse_content(data, rule_sets or ())
    except Exception as err:  # same: a crafted archive is recorded, never raised
        content = ApkContent(unparseable=f"content analysis failed: {type(err).__name__}")
    if content.unparseable is not None:
        error = error or content.unparseable
    else:
        if rule_sets:
            counts["yara"] += 1
        counts["hosts"] += 1
    problems = [f"timeout: {n}" for n in content.timed_out] + list(content.errors)
    counts["yara_problems"] += len(problems)
    return ApkEvidence(
        **base,
        info=info,
        yara=content.hits,
        yara_problems=tuple(problems),
        hosts=content.hosts,
        skipped_entries=content.skipped,
        error=error,
    )


# --- the entry point -------------------------------------------------------------------------


def first_install_time(info: PackageInfo) -> datetime | None:
    """When the app was first installed: package-level (up to Android 11), else the earliest
    per-user time (Android 12+) among the users that have it installed; None when unknown.

    Android 12+ prints `firstInstallTime` for every user, also those without the app, and 0
    (printed as 1970-01-01 in the phone's time zone) means "not known": never a date. (A
    package-level 0 is kept: the report shows it as a factory-image app's unknown time.)
    """
    if info.first_install_time is not None:
        return info.first_install_time
    firsts = [
        u.first_install_time
        for u in info.users
        if u.installed is not False
        and u.first_install_time is not None
        and u.first_install_time.year > 1970
    ]
    return min(firsts) if firsts else None


def build_evidence(
    folder: Path | str,
    *,
    rule_sets: Sequence[RuleSet] | None = None,
    analyse_apks: bool = True,
) -> Evidence:
    """Parse every artifact of an acquisition folder and join them per app (never refuses a
    damaged acquisition: what could not be read or trusted is recorded in `artifacts`).

    Raises AcquisitionError only when the folder has no readable manifest.
    """
    from stalkerscan.collect.manifest import load_manifest

    root = Path(folder)
    manifest = load_manifest(root)
    reader = _Reader(root, manifest)

    getprop: Getprop | None = reader.parse("getprop", parse_getprop)
    selinux: Selinux | None = reader.parse("selinux", parse_getenforce)
    clock: DeviceTime | None = reader.parse("device_time", parse_device_time)
    su: WhichResult | None = reader.parse("su_path", parse_which_su)
    reader.read("sha256sum_path")
    user_list: UserList | None = reader.parse("users", parse_pm_list_users)
    users = sorted({u.id for u in user_list.users}) if user_list is not None else []
    for u in manifest.users:
        if u not in users:
            users.append(u)
    # Artifacts saved for users that `pm list users` did not print still count.
    for rec in manifest.artifacts:
        if rec.user is not None and rec.user not in users:
            users.append(rec.user)
    users = sorted(users) or [0]

    pm: dict[int, PmPackageList] = {}
    disabled: dict[int, PmPackageList] = {}
    launcher: dict[int, LauncherQuery] = {}
    secure: dict[int, Settings] = {}
    for u in users:
        if (r := reader.parse(f"packages_u{u}", parse_pm_list_packages)) is not None:
            pm[u] = r
        if (r := reader.parse(f"packages_disabled_u{u}", parse_pm_list_packages)) is not None:
            disabled[u] = r
        if (r := reader.parse(f"launcher_u{u}", parse_launcher_query)) is not None:
            launcher[u] = r
        if (r := reader.parse(f"settings_secure_u{u}", _settings("secure", u))) is not None:
            secure[u] = r
        reader.parse(f"settings_system_u{u}", _settings("system", u))
    settings_global: Settings | None = reader.parse("settings_global", _settings("global", None))
    policy: DevicePolicyDump | None = reader.parse("device_policy", parse_device_policy)
    a11y: AccessibilityDump | None = reader.parse("accessibility", parse_accessibility)
    notif: NotificationDump | None = reader.parse("notification", parse_notification)
    appops: AppOpsDump | None = reader.parse("appops", parse_appops)
    ime: InputMethodDump | None = reader.parse("input_method", parse_input_method)
    role: RoleDump | None = reader.parse("role", parse_role)
    idle: DeviceIdleWhitelist | None = reader.parse("deviceidle", parse_deviceidle_whitelist)
    vpn: ConnectivityVpns | None = reader.parse("connectivity", parse_connectivity_vpns)
    accounts: AccountsDump | None = reader.parse("account", parse_accounts)
    usage: UsageStatsDump | None = reader.parse("usagestats", parse_usagestats)
    # With `pm list packages -u` of every user, package blocks of names it did not print are
    # only counted: the same names collection used (so the dump is parsed once per scan).
    listed = (
        {p.name for plist in pm.values() for p in plist.packages}
        if pm.keys() >= set(users)
        else None
    )
    dump: PackageDump | None = reader.parse_path(
        "dumpsys_package", lambda path: parse_dumpsys_package_file(path, listed=listed)
    )
    if dump is not None and "dumpsys_package" in reader.states:
        limited = []
        if dump.capped:
            limited.append(f"{dump.capped} entries beyond the parser's limits were dropped")
        if dump.unlisted_count:
            limited.append(
                f"{dump.unlisted_count} package blocks of packages `pm list packages` did not "
                f"list were skipped (first: {', '.join(dump.unlisted[:3])})"
            )
        if not dump.complete:
            limited.append("the package list did not end normally")
        if limited:
            _mark_limited(reader, "dumpsys_package", "; ".join(limited))
    hash_parts = [a for a in manifest.artifacts if a.artifact == "apk_hashes"]
    for rec in hash_parts:
        key = rec.name if rec.part is None else f"{rec.name}#{rec.part}"
        path, problem = (
            (None, "missing") if rec.file is None else reader.check(rec.file, rec.size, rec.sha256)
        )
        reader.states[key] = ArtifactState(
            name=key,
            artifact="apk_hashes",
            status=str(rec.status),
            reason=rec.reason,
            present=path is not None,
            trusted=path is not None and problem is None,
            problem=problem,
            parsed=path is not None,
        )

    apps, removed, left_out = _join(
        reader,
        users,
        pm,
        disabled,
        launcher,
        secure,
        dump,
        policy,
        a11y,
        notif,
        appops,
        ime,
        role,
        idle,
        vpn,
        usage,
        getprop.sdk if getprop is not None else None,
    )
    forget_file_parse()  # `dump` goes when this function returns: nothing after needs it
    if left_out:
        note = _left_out(left_out, MAX_APPS)
        for name in ("dumpsys_package", *(f"packages_u{u}" for u in pm)):
            _mark_limited(reader, name, note)
    hashes: dict[str, list[tuple[str, str]]] = {}
    for h in manifest.apk_hashes:
        if h.sha256:
            hashes.setdefault(h.package, []).append((h.remote_path, h.sha256.lower()))
    hashes_left_out = 0
    for name, pairs in hashes.items():
        if name not in apps:
            if len(apps) >= MAX_ALL_APPS:
                hashes_left_out += 1
                continue
            apps[name] = _App(name)
        apps[name].data["apk_hashes"] = tuple(pairs)
    if hashes_left_out:
        for key, state in list(reader.states.items()):
            if state.artifact == "apk_hashes":
                _mark_limited(reader, key, _left_out(hashes_left_out, MAX_ALL_APPS))
    pulled, summary = _analyse_pulled(reader, manifest, rule_sets, analyse_apks)
    for name in pulled:
        if name not in apps:
            apps[name] = _App(name)

    records = tuple(apps[name].freeze(tuple(pulled.get(name, ()))) for name in sorted(apps))
    return Evidence(
        acquisition=root.resolve().name,
        acquisition_id=manifest.acquisition_id,
        manifest_sha256=_manifest_digest(root),
        complete=manifest.complete,
        stopped=manifest.stopped,
        device_serial=manifest.device.device_serial or manifest.device.serial,
        device_time=_device_time(manifest, clock),
        getprop=getprop,
        selinux=selinux,
        clock=clock,
        su=su,
        users=user_list.users if user_list is not None else (),
        user_ids=tuple(users),
        settings_global=settings_global,
        settings_secure=secure,
        device_policy=policy,
        accessibility=a11y,
        notification=notif,
        appops=appops,
        input_method=ime,
        role=role,
        deviceidle=idle,
        vpn=vpn,
        accounts=accounts,
        usagestats=usage,
        package_dump_complete=bool(dump is not None and dump.complete),
        apps=records,
        removed=tuple(removed),
        artifacts=tuple(reader.states.values()),
        hashing=dict(manifest.hashing),
        pull=dict(manifest.pull),
        apk_analysis=summary,
    )


def _settings(namespace: str, user: int | None) -> Callable[[bytes], Settings]:
    def parse(data: bytes) -> Settings:
        return parse_settings(data, namespace, user)  # type: ignore[arg-type]

    return parse


def _rebuild() -> None:
    # The APK and rules models are imported lazily (androguard/yara stay out of `--help`);
    # their pydantic models are plain, so resolving the forward references here is cheap.
    from stalkerscan.evidence.apk import ApkInfo
    from stalkerscan.evidence.apk_content import HostRef
    from stalkerscan.rules import RuleHit

    ApkEvidence.model_rebuild(
        _types_namespace={"ApkInfo": ApkInfo, "HostRef": HostRef, "RuleHit": RuleHit}
    )
    AppRecord.model_rebuild()
    Evidence.model_rebuild()


_rebuild()

__all__ = [
    "ApkAnalysisSummary",
    "ApkEvidence",
    "AppRecord",
    "ArtifactState",
    "Evidence",
    "RemovedTrace",
    "build_evidence",
]
