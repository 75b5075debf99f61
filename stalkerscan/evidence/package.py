"""`dumpsys package`: installed packages, install source, flags, grants, declared components.

The output is read line by line (a hostile phone can print hundreds of megabytes), so the parser
keeps one package in progress at a time, caps every list, and cuts over-long lines. Formats follow
AOSP's `Settings.dumpPackageLPr` / `dumpSharedUsersLPr` and `IntentResolver.dump` for Android 7 to
16 (see docs/parsers.md for what changed per version); lines it does not know are counted in
`issues`, never raised.

Times are printed by the phone in its own local time zone without an offset
(`yyyy-MM-dd HH:mm:ss`), so they are kept as naive datetimes: compare them with the device clock,
not the host's.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Collection, Container, Iterable, Iterator
from datetime import datetime
from pathlib import Path

from pydantic import Field

from stalkerscan.evidence.common import Budget, Frozen, IssueCounter, ParseIssues

MAX_LINE = 64 * 1024  # characters; longer lines are cut and counted
MAX_PACKAGES = 50_000  # per section; a real phone has < 2,000
MAX_LIST = 2_000  # entries per list inside one package (permissions, components)
# List entries kept over the whole dump (a real phone: ~15,000-30,000; the 5,000-package huge
# profile 28,000; the 10,000-package hostile phone 94,000). Without it, a crafted 512 MB dump of
# distinct grant lines would be gigabytes of models; 200,000 distinct grants are about 90 MB.
MAX_ITEMS = 200_000
MAX_HANDLERS = 20_000  # intent handlers kept from the resolver tables
MAX_EXTRA = 32  # unknown key=value pairs kept per package / user state
MAX_VALUE = 4_096  # characters kept of one field value
MAX_ANOMALIES = 50
MAX_UNLISTED = 1_000  # blocks modelled of packages `pm list packages` did not print (see below)

# --- lines ---------------------------------------------------------------------------------------


def _clean(line: str) -> str:
    return line.rstrip("\r\n").replace("\x00", "").rstrip("\r")


def iter_lines(source: str | bytes | Iterable[str]) -> Iterator[str]:
    """Lines of `source` (a whole text, raw saved bytes, or an iterable of lines), without EOLs.

    CR, CRLF and LF all end a line; a leading BOM and NUL bytes (UTF-16 read as bytes) are dropped.
    """
    if isinstance(source, bytes):
        from stalkerscan.evidence.common import to_text

        source = to_text(source)
    if isinstance(source, str):
        text = source[1:] if source.startswith("\ufeff") else source
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        start = 0
        n = len(text)
        while start < n:
            end = text.find("\n", start)
            if end < 0:
                end = n
            yield text[start:end].replace("\x00", "")
            start = end + 1
        return
    first = True
    for raw in source:
        line = raw
        if first:
            first = False
            if line.startswith("\ufeff"):
                line = line[1:]
        # An iterable may hand over chunks holding several lines (or a lone CR as separator).
        if "\r" in line or "\n" in line.rstrip("\n"):
            parts = line.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if parts and parts[-1] == "":
                parts.pop()
            for part in parts:
                yield part.replace("\x00", "")
        else:
            yield _clean(line)


def iter_file_lines(path: str | Path, max_line: int = MAX_LINE) -> Iterator[str]:
    """Stream the lines of a saved output file (UTF-8, or UTF-16 from Windows), bounded per line.

    A line longer than `max_line` characters is yielded cut to `max_line`; the rest is skipped
    without being held in memory.
    """
    with open(path, "rb") as raw:
        yield from _iter_binary_lines(raw, max_line)


def _detect_encoding(head: bytes) -> str:
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    if len(head) >= 4 and head[1:4:2] == b"\x00\x00" and head[0:4:2] != b"\x00\x00":
        return "utf-16-le"
    return "utf-8"


def _iter_binary_lines(raw: io.BufferedReader, max_line: int) -> Iterator[str]:
    head = raw.peek(4)[:4]
    encoding = _detect_encoding(head)
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline=None)
    first = True
    while True:
        line = text.readline(max_line + 1)
        if not line:
            return
        if not line.endswith("\n") and len(line) > max_line:
            # Over-long: keep the head, drain the rest of the physical line in bounded reads.
            while True:
                rest = text.readline(max_line)
                if not rest or rest.endswith("\n"):
                    break
        if first:
            first = False
            if line.startswith("\ufeff"):
                line = line[1:]
        yield line.rstrip("\n").replace("\x00", "")


class _LineGuard:
    """Cuts over-long lines and counts them."""

    def __init__(self, max_line: int = MAX_LINE) -> None:
        self.max_line = max_line
        self.cut = 0

    def __call__(self, line: str) -> str:
        if len(line) > self.max_line:
            self.cut += 1
            return line[: self.max_line]
        return line


# --- models --------------------------------------------------------------------------------------


class PermissionGrant(Frozen):
    """One permission with its grant state, as printed under install or runtime permissions."""

    name: str
    granted: bool
    flags: tuple[str, ...] = ()  # e.g. USER_SET, GRANTED_BY_DEFAULT, POLICY_FIXED
    user_id: int | None = None  # Android 12+: install permission that differs for a secondary user


class SigningInfo(Frozen):
    """The signing summary `dumpsys package` prints (not certificates: those come from the APK)."""

    # `apkSigningVersion=` (Android 9+): the APK signature scheme (1 = JAR, 2, 3, 4).
    scheme_version: int | None = None
    # `PackageSignatures{... version:N ...}`: the same scheme number, printed inside the braces.
    signatures_version: int | None = None
    # Short hex fragments (Java identity hash codes of Signature objects, *not* cert digests):
    # only useful to see whether two packages on the same phone share a signer.
    digests: tuple[str, ...] = ()
    past_digests: tuple[str, ...] = ()  # key rotation (APK signature scheme v3)
    raw: str = ""


class InstallSource(Frozen):
    """Who installed a package, as far as the package manager recorded it."""

    installer: str | None = None  # installerPackageName (all versions; absent/"null" = none)
    installer_uid: int | None = None  # installerPackageUid (Android 14+)
    initiating: str | None = None  # initiatingPackageName (Android 11+)
    originating: str | None = None  # originatingPackageName (Android 11+)
    update_owner: str | None = None  # updateOwnerPackageName (Android 14+)
    installer_attribution_tag: str | None = None  # Android 12+
    package_source: int | None = None  # packageSource (Android 13+: 0 unspecified, 1 other,
    # 2 store, 3 local file, 4 downloaded file)


class UserState(Frozen):
    """The per-user state of one package (`User N:` line and what follows it)."""

    user_id: int
    installed: bool | None = None
    hidden: bool | None = None
    suspended: bool | None = None
    stopped: bool | None = None
    not_launched: bool | None = None
    # PackageManager.COMPONENT_ENABLED_STATE_*: 0 default, 1 enabled, 2 disabled,
    # 3 disabled by user, 4 disabled until used.
    enabled: int | None = None
    instant: bool | None = None
    virtual_preload: bool | None = None
    quarantined: bool | None = None  # Android 15+
    distraction_flags: int | None = None  # Android 10+
    ce_data_inode: int | None = None
    install_reason: int | None = None  # Android 12+ (own line): 0 unknown, 1 policy, 2 restore, 3
    # device setup, 4 user
    uninstall_reason: int | None = None
    first_install_time: datetime | None = None  # Android 12+: per user
    archived: bool = False  # Android 15+: `archiveTime=` present
    data_dir: str | None = None
    last_disabled_caller: str | None = None
    suspending_packages: tuple[str, ...] = ()
    gids: tuple[int, ...] = ()
    runtime_permissions: tuple[PermissionGrant, ...] = ()
    disabled_components: tuple[str, ...] = ()  # class names, as printed
    enabled_components: tuple[str, ...] = ()
    harmful_app_warning: str | None = None
    # key=value pairs of the User line this parser does not know (vendor builds add some).
    extra: tuple[tuple[str, str], ...] = ()


class PackageInfo(Frozen):
    """One `Package [name]` block of `Packages:` or `Hidden system packages:`."""

    name: str
    compat_name: str | None = None  # `compat name=` (renamed packages)
    # The app id: `userId=` up to Android 11, `appId=` from Android 12. For shared-uid packages
    # this is the shared user's id.
    app_id: int | None = None
    shared_user: str | None = None  # e.g. `android.uid.system`
    code_path: str | None = None
    resource_path: str | None = None
    legacy_native_library_dir: str | None = None
    primary_cpu_abi: str | None = None
    secondary_cpu_abi: str | None = None
    version_code: int | None = None
    min_sdk: int | None = None
    target_sdk: int | None = None
    version_name: str | None = None
    splits: tuple[str, ...] = ()  # `[base, config.arm64_v8a]`; revision codes removed
    flags: tuple[str, ...] = ()  # ApplicationInfo flags of the parsed APK (`flags=[ ... ]`)
    private_flags: tuple[str, ...] = ()
    pkg_flags: tuple[str, ...] = ()  # flags of the package setting (`pkgFlags=[ ... ]`)
    private_pkg_flags: tuple[str, ...] = ()  # Android 12+
    data_dir: str | None = None
    timestamp: datetime | None = None  # `timeStamp=`: modification time of the APK
    first_install_time: datetime | None = None  # package level (up to Android 11)
    last_update_time: datetime | None = None
    install_source: InstallSource = InstallSource()
    signing: SigningInfo = SigningInfo()
    declared_permissions: tuple[str, ...] = ()
    requested_permissions: tuple[str, ...] = ()  # printed only with `dumpsys package NAME`
    install_permissions: tuple[PermissionGrant, ...] = ()
    users: tuple[UserState, ...] = ()
    overlay_target: str | None = None
    apex_module_name: str | None = None
    hidden_system_package: bool = False  # from `Hidden system packages:` (the factory version)
    truncated: bool = False  # a list hit its cap or the block was cut off
    extra: tuple[tuple[str, str], ...] = ()  # key=value lines this parser does not model

    def user(self, user_id: int) -> UserState | None:
        """The state of this package for one user, if printed."""
        for u in self.users:
            if u.user_id == user_id:
                return u
        return None

    @property
    def is_system(self) -> bool:
        """Installed on a system partition (`SYSTEM` in flags or pkgFlags)."""
        return "SYSTEM" in self.pkg_flags or "SYSTEM" in self.flags

    @property
    def is_updated_system(self) -> bool:
        """A system app replaced by an update (`UPDATED_SYSTEM_APP`)."""
        return "UPDATED_SYSTEM_APP" in self.pkg_flags or "UPDATED_SYSTEM_APP" in self.flags

    @property
    def is_debuggable(self) -> bool:
        """Built debuggable (`DEBUGGABLE`)."""
        return "DEBUGGABLE" in self.flags or "DEBUGGABLE" in self.pkg_flags

    @property
    def is_privileged(self) -> bool:
        """A privileged system app (`PRIVILEGED` private flag)."""
        return "PRIVILEGED" in self.private_flags or "PRIVILEGED" in self.private_pkg_flags


class SharedUser(Frozen):
    """A `SharedUser [name]` block: grants of shared-uid packages are printed here."""

    name: str
    app_id: int | None = None
    install_permissions: tuple[PermissionGrant, ...] = ()
    users: tuple[UserState, ...] = ()  # only runtime_permissions and gids are filled
    truncated: bool = False


# What a matching intent in a resolver table says about the component (docs/parsers.md).
HANDLER_KINDS: dict[tuple[str, str], str] = {
    ("service", "android.accessibilityservice.AccessibilityService"): "accessibility_service",
    ("service", "android.service.notification.NotificationListenerService"): (
        "notification_listener"
    ),
    ("service", "android.view.InputMethod"): "input_method",
    ("service", "android.net.VpnService"): "vpn_service",
    ("service", "android.service.autofill.AutofillService"): "autofill_service",
    ("service", "android.telecom.InCallService"): "incall_service",
    ("service", "android.service.wallpaper.WallpaperService"): "wallpaper_service",
    ("receiver", "android.app.action.DEVICE_ADMIN_ENABLED"): "device_admin_receiver",
    ("receiver", "android.intent.action.BOOT_COMPLETED"): "boot_receiver",
    ("receiver", "android.intent.action.LOCKED_BOOT_COMPLETED"): "boot_receiver",
    ("receiver", "android.intent.action.QUICKBOOT_POWERON"): "boot_receiver",
    ("receiver", "android.provider.Telephony.SMS_RECEIVED"): "sms_receiver",
    ("receiver", "android.intent.action.NEW_OUTGOING_CALL"): "outgoing_call_receiver",
    ("receiver", "android.intent.action.PHONE_STATE"): "phone_state_receiver",
    ("activity", "android.intent.action.MAIN"): "main_activity",
}
_TABLES = {
    "Activity Resolver Table:": "activity",
    "Receiver Resolver Table:": "receiver",
    "Service Resolver Table:": "service",
    "Provider Resolver Table:": "provider",
}


class IntentHandler(Frozen):
    """A component that declares an intent filter for an action this tool cares about."""

    kind: str  # a value of HANDLER_KINDS, e.g. "accessibility_service"
    table: str  # activity / receiver / service
    action: str
    package: str
    component: str  # `pkg/full.ClassName`


class PackageDump(Frozen):
    """Everything this tool reads from one `dumpsys package` (all users)."""

    sdk_version: int | None = None  # from `Database versions:` (Internal)
    fingerprint: str | None = None
    packages: tuple[PackageInfo, ...] = ()
    hidden_system_packages: tuple[PackageInfo, ...] = ()
    shared_users: tuple[SharedUser, ...] = ()
    intent_handlers: tuple[IntentHandler, ...] = ()
    sections: tuple[str, ...] = ()  # top-level section titles seen, in order
    complete: bool = False  # a `Packages:` section was seen and the output did not stop inside it
    # Signs of crafted or corrupt output: a package printed twice, a section title in the middle
    # of a package block (AOSP prints versionName and other values raw, newlines included).
    anomalies: tuple[str, ...] = ()
    lines_cut: int = 0  # lines longer than MAX_LINE, cut
    capped: int = 0  # entries dropped because a cap was reached
    # Package blocks skipped because `pm list packages` (of every user) did not list them and
    # MAX_UNLISTED such blocks were already modelled (when the parser was given that list): how
    # many, and the first names.
    unlisted: tuple[str, ...] = ()
    unlisted_count: int = 0
    issues: ParseIssues = Field(default_factory=ParseIssues)

    def package(self, name: str) -> PackageInfo | None:
        """The installed package of that name (not the hidden system copy)."""
        for p in self.packages:
            if p.name == name:
                return p
        return None

    def handlers(self, kind: str, package: str | None = None) -> tuple[IntentHandler, ...]:
        """Intent handlers of one kind (e.g. "device_admin_receiver"), optionally of one package."""
        return tuple(
            h
            for h in self.intent_handlers
            if h.kind == kind and (package is None or h.package == package)
        )

    def not_installed_for(self, user_id: int) -> tuple[str, ...]:
        """Packages on the phone with `installed=false` for this user (other user, or kept data)."""
        out = []
        for p in self.packages:
            u = p.user(user_id)
            if u is not None and u.installed is False:
                out.append(p.name)
        return tuple(out)

    def uninstalled_but_kept(self, user_id: int) -> tuple[str, ...]:
        """Packages uninstalled for this user whose data or APK the phone kept (`pm uninstall -k`).

        `installed=false` alone also means "installed for another user only"; a package counts as
        kept when it is installed for no user at all, or when its credential-encrypted data
        directory still exists for this user (`ceDataInode` > 0, Android 7+).
        """
        out = []
        for p in self.packages:
            u = p.user(user_id)
            if u is None or u.installed is not False:
                continue
            anywhere = any(o.installed for o in p.users)
            if not anywhere or (u.ce_data_inode is not None and u.ce_data_inode > 0):
                out.append(p.name)
        return tuple(out)


# --- helpers -------------------------------------------------------------------------------------

_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
_PKG_HEADER_RE = re.compile(r"^  Package \[([^\]\s]{1,512})\] \(([0-9a-fA-F]{1,16})\):\s*$")
_SHARED_HEADER_RE = re.compile(r"^  SharedUser \[([^\]\s]{1,512})\] \(([0-9a-fA-F]{1,16})\):\s*$")
_USER_RE = re.compile(r"^(\s+)User (-?\d{1,9}):(.*)$")
_GRANT_RE = re.compile(
    r"^([^\s:]{1,512}): granted=(true|false)"
    r"(?:, flags=\[([^\]]*)\])?(?:, userId=(\d{1,9}))?\s*$"
)
_KV_TOKEN_RE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)=(\S*)")
_HANDLER_RE = re.compile(
    r"^\s+[0-9a-fA-F]{1,16} ([A-Za-z0-9_.\-]{1,512})/([A-Za-z0-9_.$\-]{1,1024})"
    r"(?: filter [0-9a-fA-F]{1,16})?(?: \(\d{1,9} filters?\))?\s*$"
)
_SIG_RE = re.compile(r"(?<!past )signatures:\[([^\]]*)\]")
_PAST_SIG_RE = re.compile(r"past signatures:\[([^\]]*)\]")
_OLD_SIG_RE = re.compile(r"^PackageSignatures\{[0-9a-fA-F]+ \[([^\]]*)\]\}")
_SIG_VERSION_RE = re.compile(r"version:(\d{1,3})")
_HEX_RE = re.compile(r"^[0-9a-fA-F]{1,64}$")
_SHARED_USER_RE = re.compile(r"^SharedUserSetting\{[0-9a-fA-F]+ ([^/\s]+)/(\d+)\}$")

# Top-level sections parsed for content.
_PACKAGES = "Packages:"
_HIDDEN = "Hidden system packages:"
_SHARED = "Shared users:"
_DB = "Database versions:"
# Top-level sections known and deliberately skipped (prefix match). AOSP 7 to 16.
_IGNORED_PREFIXES = (
    "Verifiers:",
    "Intent Filter Verifier:",
    "Domain Verifier:",
    "Libraries:",
    "Features:",
    "Preferred Activities User",
    "Persistent Preferred Activities User",
    "Persistent preferred activities User",
    "App verification status:",
    "App linkages for user",
    "Domain verification status:",
    "Permissions:",
    "AppOp Permissions:",
    "Registered ContentProviders:",
    "ContentProvider Authorities:",
    "Key Set Manager:",
    "Renamed packages:",
    "Package Changes:",
    "Frozen packages:",
    "Loaded volumes:",
    "Service permissions:",
    "Dexopt state:",
    "Compiler stats:",
    "Settings parse messages:",
    "Package warning messages:",
    "Active install sessions:",
    "Historical install sessions:",
    "Legacy install sessions:",
    "Queries:",
    "Active APEX packages:",
    "Inactive APEX packages:",
    "Factory APEX packages:",
    "APEX session state:",
    "Per UID read timeouts:",
    "Snapshot statistics:",
    "Protected broadcast actions:",
    "Known Packages:",
    "Mime Groups:",
    "Restored (pending) permission grants:",
    "Shared library versions:",
    "PackageInstaller:",
    "Package Installer",
    "ProcessList",
    "Installer",
    "Per-user",
    "Package Verification",
    "Static library",
    "Apex",
    "APEX",
    "Dex",
    "Read completed successfully",
    "Staged sessions:",
    "Historical staged sessions:",
    "Android Package",
    "Current Sessions",
)
# Lists printed at package level; opening one ends the `User N:` block before it.
_PACKAGE_LISTS = frozenset(
    {
        "declared permissions",
        "requested permissions",
        "install permissions",
        "usesLibraries",
        "usesOptionalLibraries",
        "usesLibraryFiles",
        "usesStaticLibraries",
        "usesSdkLibraries",
        "usesNativeLibraries",
        "usesOptionalNativeLibraries",
        "dynamic libraries",
        "static library",
        "SDK library",
        "processes",
        "activities",
        "services",
        "receivers",
        "providers",
        "instrumentations",
    }
)
_MAX_BLOCK_LINES = 200_000
# lines of one package block before it is considered garbage
PARSER_STOPPED = "parser stopped"  # prefix of the issue example recorded when input ended early


def _parse_time(value: str) -> datetime | None:
    value = value.strip()
    if not _TIME_RE.match(value):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _parse_int(value: str) -> int | None:
    value = value.strip()
    if not value or len(value) > 20:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _parse_bool(value: str) -> bool | None:
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def _none_if_null(value: str) -> str | None:
    value = value.strip()
    if value in ("", "null"):
        return None
    return value[:MAX_VALUE]


def parse_flag_list(value: str) -> tuple[str, ...]:
    """`[ SYSTEM HAS_CODE ]` or `[ USER_SET|USER_FIXED]` -> ("SYSTEM", "HAS_CODE")."""
    inner = value.strip()
    if inner.startswith("["):
        inner = inner[1:]
    if inner.endswith("]"):
        inner = inner[:-1]
    parts = re.split(r"[\s|,]+", inner)
    return tuple(p for p in parts if p)[:MAX_LIST]


def _parse_splits(value: str) -> tuple[str, ...]:
    inner = value.strip().strip("[]")
    out = []
    for part in inner.split(","):
        name = part.strip().split(":", 1)[0]  # `config.xhdpi:12` carries a revision code
        if name:
            out.append(name[:512])
    return tuple(out)[:MAX_LIST]


def _parse_signatures(value: str) -> SigningInfo:
    def digests(group: str) -> tuple[str, ...]:
        out = []
        for item in group.split(","):
            token = item.strip().split(" ", 1)[0]
            if token and _HEX_RE.match(token):
                out.append(token.lower())
        return tuple(out)[:MAX_LIST]

    current: tuple[str, ...] = ()
    past: tuple[str, ...] = ()
    m = _SIG_RE.search(value)
    if m is not None:
        current = digests(m.group(1))
        pm = _PAST_SIG_RE.search(value)
        if pm is not None:
            past = digests(pm.group(1))
    else:
        # Android 7/8: `PackageSignatures{hash [sig1, sig2]}`.
        om = _OLD_SIG_RE.match(value.strip())
        if om is not None:
            current = digests(om.group(1))
    vm = _SIG_VERSION_RE.search(value)
    return SigningInfo(
        signatures_version=int(vm.group(1)) if vm else None,
        digests=current,
        past_digests=past,
        raw=value.strip()[:512],
    )


def parse_grant(line: str) -> PermissionGrant | None:
    """`android.permission.X: granted=true, flags=[ USER_SET ]` -> PermissionGrant."""
    m = _GRANT_RE.match(line.strip())
    if m is None:
        return None
    return PermissionGrant(
        name=m.group(1),
        granted=m.group(2) == "true",
        flags=parse_flag_list(m.group(3)) if m.group(3) else (),
        user_id=int(m.group(4)) if m.group(4) else None,
    )


class _Shared:
    """What the package builders of one parse share: the list-entry budget (MAX_ITEMS) and a
    grant cache. The same grant line (`android.permission.INTERNET: granted=true`) repeats
    across hundreds of packages and the models are frozen, so one object serves all; the cache
    is bounded, so a phone printing only distinct lines cannot grow it past `limit` entries."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self.grants: dict[str, PermissionGrant | None] = {}
        self.items = Budget(MAX_ITEMS)

    def grant(self, body: str) -> PermissionGrant | None:
        """The grant of one list line (parsed once per distinct line, within the cache limit)."""
        try:
            return self.grants[body]
        except KeyError:
            parsed = parse_grant(body)
            if len(self.grants) < self.limit:
                self.grants[body] = parsed
            return parsed


def flatten_component(package: str, cls: str) -> str:
    """`pkg` + `.Cls` -> `pkg/pkg.Cls`; a full class name is kept."""
    if cls.startswith("."):
        cls = package + cls
    return f"{package}/{cls}"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# --- builders (mutable, one package at a time) ---------------------------------------------------


class _UserBuilder:
    def __init__(self, user_id: int) -> None:
        self.user_id = user_id
        self.fields: dict[str, object] = {}
        self.extra: list[tuple[str, str]] = []
        self.runtime: list[PermissionGrant] = []
        self.disabled: list[str] = []
        self.enabled: list[str] = []
        self.suspending: list[str] = []
        self.gids: tuple[int, ...] = ()
        self.capped = 0

    def add_tokens(self, rest: str, counter: IssueCounter) -> None:
        for key, value in _KV_TOKEN_RE.findall(rest):
            self.set_field(key, value)

    def set_field(self, key: str, value: str) -> None:
        bools = {
            "installed": "installed",
            "hidden": "hidden",
            "suspended": "suspended",
            "stopped": "stopped",
            "notLaunched": "not_launched",
            "instant": "instant",
            "virtual": "virtual_preload",
            "quarantined": "quarantined",
        }
        ints = {
            "enabled": "enabled",
            "distractionFlags": "distraction_flags",
            "ceDataInode": "ce_data_inode",
            "installReason": "install_reason",
            "uninstallReason": "uninstall_reason",
        }
        if key in bools:
            self.fields[bools[key]] = _parse_bool(value)
        elif key in ints:
            self.fields[ints[key]] = _parse_int(value)
        elif key == "firstInstallTime":
            self.fields["first_install_time"] = _parse_time(value)
        elif key == "dataDir":
            self.fields["data_dir"] = _none_if_null(value)
        elif key == "archiveTime":
            self.fields["archived"] = True
        elif key == "suspendingPackage":
            if len(self.suspending) < MAX_LIST:
                self.suspending.append(value[:512])
        elif key in ("deDataInode", "dialogInfo", "unarchiveInstallerTitle"):
            pass  # printed, not needed (unarchiveInstallerTitle is store text: not kept)
        elif len(self.extra) < MAX_EXTRA:
            self.extra.append((key[:64], value[:256]))
        else:
            self.capped += 1

    def build(self) -> UserState:
        return UserState(
            user_id=self.user_id,
            suspending_packages=tuple(self.suspending),
            gids=self.gids,
            runtime_permissions=tuple(self.runtime),
            disabled_components=tuple(self.disabled),
            enabled_components=tuple(self.enabled),
            extra=tuple(self.extra),
            **self.fields,  # type: ignore[arg-type]
        )


class _PackageBuilder:
    """Collects one `Package [..]` or `SharedUser [..]` block."""

    def __init__(
        self,
        name: str,
        *,
        hidden_system: bool = False,
        shared: bool = False,
        common: _Shared | None = None,
    ) -> None:
        self.name = name
        self.common = common if common is not None else _Shared()
        self.hidden_system = hidden_system
        self.shared = shared
        self.fields: dict[str, object] = {}
        self.install: dict[str, str | None] = {}
        self.signing: SigningInfo = SigningInfo()
        self.scheme_version: int | None = None
        self.extra: list[tuple[str, str]] = []
        self.declared: list[str] = []
        self.requested: list[str] = []
        self.install_perms: list[PermissionGrant] = []
        self.users: list[_UserBuilder] = []
        self.user: _UserBuilder | None = None
        # The list being filled: (name, indent of its header, owner is user?)
        self.list_name: str | None = None
        self.list_indent = 0
        self.capped = 0
        self.lines = 0
        self.anomalies: list[str] = []

    # -- line dispatch --
    def feed(self, line: str, counter: IssueCounter) -> None:
        self.lines += 1
        indent = _indent(line)
        body = line.strip()
        if not body:
            return
        if indent == 1 and body.startswith("optional:"):
            # AOSP 14+ prints ` optional:B` of a `usesSdkLibraries:` entry on its own line.
            return
        if self.list_name is not None:
            # Android 14+ prints `Suspend params:` at the same depth as the user block and its
            # entries at the depth of the user's own lines: only `suspendingPackage=` belongs to it.
            suspend_end = self.list_name == "Suspend params" and not body.startswith(
                "suspendingPackage="
            )
            if indent > self.list_indent and not suspend_end:
                self._list_item(body, counter)
                return
            self.list_name = None
        um = _USER_RE.match(line)
        if um is not None and len(um.group(1)) == 4:
            # `User N:` opens a user block, in packages and in shared users alike.
            uid = int(um.group(2))
            if any(u.user_id == uid for u in self.users):
                # AOSP prints each user once, after every package field: an earlier copy was
                # injected through a raw value (e.g. a versionName with newlines). The last wins.
                self.anomalies.append(f"user {uid} printed twice in {self.name}")
                self.users = [u for u in self.users if u.user_id != uid]
            self.user = _UserBuilder(uid)
            self.users.append(self.user)
            self.user.add_tokens(um.group(3), counter)
            return
        if body.endswith(":") and "=" not in body:
            self._open_list(body[:-1], indent)
            return
        if self.shared and body == "Packages":
            # Android 13+: a shared user lists its member packages (no colon).
            self.list_name = "shared-packages"
            self.list_indent = indent
            return
        if self.user is not None and indent >= 6:
            self._user_line(body, counter)
            return
        self._field_line(body, indent, counter)

    def _open_list(self, name: str, indent: int) -> None:
        self.list_name = name
        self.list_indent = indent
        # A package-level list (4 spaces) closes the user block: it cannot belong to a user.
        if indent <= 4 and name in _PACKAGE_LISTS:
            self.user = None

    def _room(self, filled: int) -> bool:
        """True when one more entry fits a list holding `filled` (MAX_LIST per list, MAX_ITEMS
        per dump); otherwise the entry is counted as capped."""
        if filled >= MAX_LIST or not self.common.items.take():
            self.capped += 1
            return False
        return True

    def _list_item(self, body: str, counter: IssueCounter) -> None:
        name = self.list_name
        user = self.user
        if name == "install permissions":
            grant = self.common.grant(body)
            if grant is None:
                counter.add(body)
            elif self._room(len(self.install_perms)):
                self.install_perms.append(grant)
        elif name == "runtime permissions" and user is not None:
            grant = self.common.grant(body)
            if grant is None:
                counter.add(body)
            elif self._room(len(user.runtime)):
                user.runtime.append(grant)
        elif name == "declared permissions":
            perm = body.split(":", 1)[0].strip()
            if self._room(len(self.declared)):
                self.declared.append(perm[:512])
        elif name == "requested permissions":
            # Android 10+ may append `, restricted=true` or `  restricted=true`.
            perm = re.split(r"[\s,:]", body, maxsplit=1)[0]
            if self._room(len(self.requested)):
                self.requested.append(perm[:512])
        elif name in ("disabledComponents", "enabledComponents") and user is not None:
            target = user.disabled if name == "disabledComponents" else user.enabled
            if self._room(len(target)):
                target.append(body[:1024])
        elif name == "Suspend params" and user is not None:
            for key, value in _KV_TOKEN_RE.findall(body):
                if key == "suspendingPackage":
                    user.set_field(key, value)
        # Other lists (libraries, overlay paths, processes, components, member packages) are
        # printed for context and not needed.

    def _user_line(self, body: str, counter: IssueCounter) -> None:
        user = self.user
        assert user is not None
        if body.startswith("gids="):
            gids = []
            for part in body[5:].strip("[] ").split(","):
                gid = _parse_int(part)
                if gid is not None:
                    gids.append(gid)
            user.gids = tuple(gids)[:MAX_LIST]
            return
        for label in ("lastDisabledCaller:", "harmfulAppWarning:"):
            if body.startswith(label):
                value = body[len(label) :].strip()[:512]
                if label == "lastDisabledCaller:":
                    user.fields["last_disabled_caller"] = value
                else:
                    user.fields["harmful_app_warning"] = value
                return
        if "=" in body:
            key, _, value = body.partition("=")
            if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key):
                if key == "firstInstallTime":
                    user.set_field(key, value)  # value holds a space: not tokenised
                    return
                user.add_tokens(body, counter)
                return
        counter.add(body)

    def _field_line(self, body: str, indent: int, counter: IssueCounter) -> None:
        key, sep, value = body.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_ ]{0,63}", key):
            counter.add(body)
            return
        f = self.fields
        if key == "versionCode":
            # `versionCode=27 minSdk=24 targetSdk=24` (minSdk absent when the APK is missing).
            tokens = dict(_KV_TOKEN_RE.findall(body))
            f["version_code"] = _parse_int(tokens.get("versionCode", ""))
            if "minSdk" in tokens:
                f["min_sdk"] = _parse_int(tokens["minSdk"])
            if "targetSdk" in tokens:
                f["target_sdk"] = _parse_int(tokens["targetSdk"])
            return
        simple_str = {
            "codePath": "code_path",
            "resourcePath": "resource_path",
            "legacyNativeLibraryDir": "legacy_native_library_dir",
            "primaryCpuAbi": "primary_cpu_abi",
            "secondaryCpuAbi": "secondary_cpu_abi",
            "versionName": "version_name",
            "dataDir": "data_dir",
            "overlayTarget": "overlay_target",
            "apexModuleName": "apex_module_name",
            "compat name": "compat_name",
        }
        if key in simple_str:
            f[simple_str[key]] = _none_if_null(value)
        elif key in ("userId", "appId"):
            f["app_id"] = _parse_int(value)
        elif key == "sharedUser":
            m = _SHARED_USER_RE.match(value.strip())
            f["shared_user"] = m.group(1) if m else _none_if_null(value)
        elif key in ("flags", "privateFlags", "pkgFlags", "privatePkgFlags"):
            target = {
                "flags": "flags",
                "privateFlags": "private_flags",
                "pkgFlags": "pkg_flags",
                "privatePkgFlags": "private_pkg_flags",
            }[key]
            f[target] = parse_flag_list(value)
        elif key == "splits":
            f["splits"] = _parse_splits(value)
        elif key in ("timeStamp", "firstInstallTime", "lastUpdateTime"):
            parsed = _parse_time(value)
            if parsed is None and value.strip():
                counter.add(body)
            target = {
                "timeStamp": "timestamp",
                "firstInstallTime": "first_install_time",
                "lastUpdateTime": "last_update_time",
            }[key]
            f[target] = parsed
        elif key in (
            "installerPackageName",
            "initiatingPackageName",
            "installInitiatingPackageName",
            "originatingPackageName",
            "installOriginatingPackageName",
            "updateOwnerPackageName",
            "installerAttributionTag",
        ):
            target = {
                "installerPackageName": "installer",
                "initiatingPackageName": "initiating",
                "installInitiatingPackageName": "initiating",
                "originatingPackageName": "originating",
                "installOriginatingPackageName": "originating",
                "updateOwnerPackageName": "update_owner",
                "installerAttributionTag": "installer_attribution_tag",
            }[key]
            self.install[target] = _none_if_null(value)
        elif key == "installerPackageUid":
            self.install["installer_uid"] = value.strip()
        elif key == "packageSource":
            self.install["package_source"] = value.strip()
        elif key == "signatures":
            self.signing = _parse_signatures(value)
        elif key == "apkSigningVersion":
            self.scheme_version = _parse_int(value)
        elif key in (
            "pkg",
            "applicationInfo",
            "supportsScreens",
            "installPermissionsFixed",
            "overlayCategory",
            "minExtensionVersions",
            "hiddenApiEnforcementPolicy",
            "usesNonSdkApi",
            "forceQueryable",
            "queriesPackages",
            "queriesIntents",
            "scannedAsStoppedSystemApp",
            "extractNativeLibs",
            "cpuAbiOverride",
            "pageSizeCompat",
            "appMetadataFilePath",
            "appMetadataSource",
            "volumeUuid",
            "isOrphaned",
            "loadingProgress",
            "loadingCompletedTime",
            "mimeGroups",
            "pendingRestore",
            "updatableSystem",
            "hasPreserveLegacyExternalStorage",
            "emergencyInstaller",
            "oldCodePath",
            "stopped",
            "notLaunched",
            "developerVerificationStatus",
            "installStatus",  # Android 7 and earlier
            "category",  # Samsung One UI 7: `category=manifest: N, override: N, by user: X`
            "componentsDeclared",  # Samsung One UI 7
        ):
            pass  # printed by AOSP, not needed here
        elif len(self.extra) < MAX_EXTRA:
            self.extra.append((key[:64], value.strip()[:256]))
        else:
            self.capped += 1

    # -- results --
    def _install_source(self) -> InstallSource:
        src = self.install
        return InstallSource(
            installer=src.get("installer"),
            installer_uid=_parse_int(src.get("installer_uid") or ""),
            initiating=src.get("initiating"),
            originating=src.get("originating"),
            update_owner=src.get("update_owner"),
            installer_attribution_tag=src.get("installer_attribution_tag"),
            package_source=_parse_int(src.get("package_source") or ""),
        )

    def total_capped(self) -> int:
        return self.capped + sum(u.capped for u in self.users)

    def build_package(self, cut_off: bool) -> PackageInfo:
        signing = self.signing.model_copy(update={"scheme_version": self.scheme_version})
        return PackageInfo(
            name=self.name,
            install_source=self._install_source(),
            signing=signing,
            declared_permissions=tuple(self.declared),
            requested_permissions=tuple(self.requested),
            install_permissions=tuple(self.install_perms),
            users=tuple(u.build() for u in self.users),
            hidden_system_package=self.hidden_system,
            truncated=cut_off or self.total_capped() > 0,
            extra=tuple(self.extra),
            **self.fields,  # type: ignore[arg-type]
        )

    def build_shared(self, cut_off: bool) -> SharedUser:
        return SharedUser(
            name=self.name,
            app_id=self.fields.get("app_id"),  # type: ignore[arg-type]
            install_permissions=tuple(self.install_perms),
            users=tuple(u.build() for u in self.users),
            truncated=cut_off or self.total_capped() > 0,
        )


# --- the parser ----------------------------------------------------------------------------------


class _DumpParser:
    def __init__(self, listed: Container[str] | None = None) -> None:
        self.listed = listed
        self.skipping = False  # inside the block of a package `listed` does not have
        self.unlisted: list[str] = []
        self.unlisted_count = 0
        self.unlisted_seen = 0
        self.common = _Shared()
        self.counter = IssueCounter()
        self.guard = _LineGuard()
        self.section: str | None = None
        self.sections: list[str] = []
        self.packages: list[PackageInfo] = []
        self.hidden: list[PackageInfo] = []
        self.shared: list[SharedUser] = []
        self.handlers: list[IntentHandler] = []
        self.handler_keys: set[tuple[str, str, str]] = set()
        self.current: _PackageBuilder | None = None
        self.table: str | None = None
        self.table_action: str | None = None  # the action key being listed, if it is of interest
        self.in_action_part = False
        self.sdk_version: int | None = None
        self.fingerprint: str | None = None
        self.db_internal = False
        self.capped = 0
        self.saw_packages = False
        self.pending_title: str | None = None
        self.anomalies: list[str] = []
        self.names_seen: set[tuple[bool, str]] = set()

    # -- section switching --
    def _finish_block(self, cut_off: bool = False) -> None:
        self.skipping = False
        cur = self.current
        if cur is None:
            return
        self.current = None
        self.capped += cur.total_capped()
        for text in cur.anomalies[:MAX_ANOMALIES]:
            self._anomaly(text)
        try:
            if cur.shared:
                if len(self.shared) < MAX_PACKAGES:
                    self.shared.append(cur.build_shared(cut_off))
                else:
                    self.capped += 1
            else:
                target = self.hidden if cur.hidden_system else self.packages
                if len(target) < MAX_PACKAGES:
                    target.append(cur.build_package(cut_off))
                else:
                    self.capped += 1
        except ValueError:
            # A field the model refused (should not happen: builders only hold typed values).
            self.counter.add(f"Package [{cur.name}]")

    @staticmethod
    def _is_title(line: str) -> bool:
        # A title starts with a letter and ends with a colon; `3/30/19 2:12 PM: ...` lines of
        # the warning-message section do not.
        title = line.rstrip()
        return title.endswith(":") and title[:1].isalpha() and "=" not in title

    def _anomaly(self, text: str) -> None:
        if len(self.anomalies) < MAX_ANOMALIES:
            self.anomalies.append(text[:200])
        self.counter.add(text)

    def _top_level(self, line: str) -> bool:
        """Handle a column-0 line; True if it was a section title."""
        title = line.rstrip()
        if not self._is_title(title):
            return False
        self._finish_block()
        self.section = title
        if len(self.sections) < 200:
            self.sections.append(title[:120])
        self.table = _TABLES.get(title)
        self.table_action = None
        self.in_action_part = False
        self.db_internal = False
        if title == _PACKAGES:
            self.saw_packages = True
        elif (
            title not in (_HIDDEN, _SHARED, _DB)
            and self.table is None
            and not title.startswith(_IGNORED_PREFIXES)
        ):
            self.counter.add(title)  # an unknown section: counted once, body skipped
        return True

    # -- per line --
    def feed(self, raw: str) -> None:
        line = self.guard(raw)
        if not line.strip():
            return
        if self.pending_title is not None:
            title, self.pending_title = self.pending_title, None
            if _indent(line) >= 4 and not line.startswith("\t"):
                # The package block goes on after a "title": a value printed raw by AOSP (e.g.
                # a crafted versionName holding a newline) injected it. Keep the block.
                self._anomaly(f"section title inside a package block: {title}")
            else:
                self._top_level(title)
        if not line.startswith((" ", "\t")):
            if (
                (self.current is not None or self.skipping)
                and self.section in (_PACKAGES, _HIDDEN)
                and self._is_title(line)
            ):
                self.pending_title = line  # decided by the next line (see above)
                return
            if self._top_level(line):
                return
            if self.section in (_PACKAGES, _HIDDEN, _SHARED) or self.section is None:
                self.counter.add(line)
            return
        section = self.section
        if self.table is not None:
            self._resolver_line(line)
        elif section in (_PACKAGES, _HIDDEN):
            self._package_line(line, hidden=section == _HIDDEN)
        elif section == _SHARED:
            self._shared_line(line)
        elif section == _DB:
            self._db_line(line)
        elif section is None:
            self.counter.add(line)
        # Lines of ignored sections are skipped without counting.

    def _db_line(self, line: str) -> None:
        body = line.strip()
        if body == "Internal:":
            self.db_internal = True
        elif body.endswith(":"):
            self.db_internal = False
        elif self.db_internal:
            tokens = dict(_KV_TOKEN_RE.findall(body))
            if "sdkVersion" in tokens and self.sdk_version is None:
                self.sdk_version = _parse_int(tokens["sdkVersion"])
            if "fingerprint" in tokens and self.fingerprint is None:
                self.fingerprint = tokens["fingerprint"][:512]

    def _package_line(self, line: str, *, hidden: bool) -> None:
        if line.startswith("  Package ["):
            m = _PKG_HEADER_RE.match(line)
            if m is not None:
                self._finish_block()
                key = (hidden, m.group(1))
                if key in self.names_seen:
                    # AOSP prints each package once per section: a second block is injected
                    # text (or a corrupt dump); both are kept, `package()` returns the first.
                    self._anomaly(f"package listed twice: {m.group(1)}")
                elif len(self.names_seen) < MAX_PACKAGES:
                    self.names_seen.add(key)
                if self.listed is not None and m.group(1) not in self.listed:
                    # Not a package `pm list packages` printed (or one whose name it refused).
                    # The first MAX_UNLISTED are modelled, so crafted names stay visible; past
                    # that, blocks are counted and named only: a dump padded with fake blocks
                    # can neither push the listed packages past the cap nor fill the memory.
                    self.unlisted_seen += 1
                    if self.unlisted_seen <= MAX_UNLISTED:
                        self.current = _PackageBuilder(
                            m.group(1), hidden_system=hidden, common=self.common
                        )
                        return
                    self.unlisted_count += 1
                    if len(self.unlisted) < MAX_ANOMALIES:
                        self.unlisted.append(m.group(1)[:200])
                    self.skipping = True
                    return
                self.current = _PackageBuilder(m.group(1), hidden_system=hidden, common=self.common)
                return
        if self.skipping:
            return
        self._feed_current(line)

    def _feed_current(self, line: str) -> None:
        """A line inside the current package or shared-user block (capped per block)."""
        cur = self.current
        if cur is None:
            self.counter.add(line)
            return
        if cur.lines > _MAX_BLOCK_LINES:
            self.capped += 1
            return
        cur.feed(line, self.counter)

    def _shared_line(self, line: str) -> None:
        if line.startswith("  SharedUser ["):
            m = _SHARED_HEADER_RE.match(line)
            if m is not None:
                self._finish_block()
                self.current = _PackageBuilder(m.group(1), shared=True, common=self.common)
                return
        self._feed_current(line)

    def _resolver_line(self, line: str) -> None:
        indent = _indent(line)
        body = line.strip()
        if indent <= 2:
            # `Non-Data Actions:` and `MIME Typed Actions:` are keyed by action; the other parts
            # (`Full MIME Types:`, `Schemes:`, ...) by type or scheme and are skipped.
            self.in_action_part = body in ("Non-Data Actions:", "MIME Typed Actions:")
            self.table_action = None
            return
        if not self.in_action_part:
            return
        if body.endswith(":") and " " not in body:
            key = body[:-1]
            self.table_action = key if (self.table or "", key) in HANDLER_KINDS else None
            return
        action = self.table_action
        if action is None:
            return  # an entry under an action this tool does not need: skip cheaply
        m = _HANDLER_RE.match(line)
        if m is None:
            if body.startswith(("Action:", "Category:", "Scheme:", "Type:", "Authority:")):
                return  # `dumpsys package -f` prints the filters; not needed
            self.counter.add(line)
            return
        table = self.table or ""
        package, cls = m.group(1), m.group(2)
        component = flatten_component(package, cls)
        handler_key = (table, action, component)
        if handler_key in self.handler_keys:
            return  # the same component listed again (e.g. MIME-typed and non-data filters)
        if len(self.handlers) >= MAX_HANDLERS:
            self.capped += 1
            return
        self.handler_keys.add(handler_key)
        self.handlers.append(
            IntentHandler(
                kind=HANDLER_KINDS[(table, action)],
                table=table,
                action=action,
                package=package,
                component=component,
            )
        )

    def result(self) -> PackageDump:
        if self.pending_title is not None:
            title, self.pending_title = self.pending_title, None
            self._top_level(title)
        # Output that ends inside a package block may have been cut mid-package.
        cut_off = self.current is not None and self.section in (_PACKAGES, _HIDDEN)
        ended_in_packages = self.section == _PACKAGES
        self._finish_block(cut_off=cut_off)
        return PackageDump(
            sdk_version=self.sdk_version,
            fingerprint=self.fingerprint,
            packages=tuple(self.packages),
            hidden_system_packages=tuple(self.hidden),
            shared_users=tuple(self.shared),
            intent_handlers=tuple(self.handlers),
            sections=tuple(self.sections),
            complete=self.saw_packages and not ended_in_packages,
            anomalies=tuple(self.anomalies),
            lines_cut=self.guard.cut,
            capped=self.capped,
            unlisted=tuple(self.unlisted),
            unlisted_count=self.unlisted_count,
            issues=self.counter.freeze(),
        )


def parse_dumpsys_package(
    source: str | bytes | Iterable[str], *, listed: Container[str] | None = None
) -> PackageDump:
    """Parse `dumpsys package` output (text, saved bytes or an iterable of lines); never raises.

    `listed`: the package names `pm list packages -u` printed for every user, when known. Past
    MAX_UNLISTED blocks of other packages, those are only counted (`unlisted`): a real phone has
    none, and a crafted dump cannot push the listed packages past the parser's caps with fake
    ones.
    """
    parser = _DumpParser(listed)
    try:
        for line in iter_lines(source):
            parser.feed(line)
    except Exception as exc:  # last resort: keep what was parsed, say why
        # A line iterator that fails mid-way (I/O, bad item type) or a parser bug ends the input;
        # the tests assert this never happens on any text, so it only guards real-world surprises.
        parser.counter.add(f"{PARSER_STOPPED}: {type(exc).__name__}")
    return parser.result()


# The last file parsed, keyed by its identity on disk. `scan` reads the saved dump twice in one
# process (collection needs code paths and splits to hash APKs; the evidence needs everything):
# the second call gets the same frozen result, so the dump is parsed once (issue 10). One entry
# only, so memory stays that of one parse; a rewritten file has another mtime/size/inode.
_last_file_parse: (
    tuple[tuple[str, int, int, int, int], frozenset[str] | None, PackageDump] | None
) = None


def forget_file_parse() -> None:
    """Drop the cached parse (the evidence calls this once it has joined the dump: on a big phone
    the parsed dump is the largest thing in memory, and analysis and reports do not need it)."""
    global _last_file_parse
    _last_file_parse = None


def _file_identity(path: str | Path) -> tuple[str, int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (os.path.realpath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def parse_dumpsys_package_file(
    path: str | Path, *, listed: Collection[str] | None = None
) -> PackageDump:
    """Parse a saved `dumpsys package` file by streaming it (bounded memory per line).

    The same unchanged file parsed twice in one process, with the same `listed` names, is parsed
    once (the result is frozen).
    """
    global _last_file_parse
    wanted = frozenset(listed) if listed is not None else None
    identity = _file_identity(path)
    cached = _last_file_parse
    if identity is not None and cached is not None and cached[:2] == (identity, wanted):
        return cached[2]
    _last_file_parse = None  # let the previous result go before building the next one
    dump = parse_dumpsys_package(iter_file_lines(path), listed=wanted)
    if identity is not None and identity == _file_identity(path):  # unchanged while read
        _last_file_parse = (identity, wanted, dump)
    return dump
