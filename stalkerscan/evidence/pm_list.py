"""`pm list packages -f -i -U -u --user N` and `pm list packages -d --user N`.

AOSP `PackageManagerShellCommand.runListPackages` prints one line per package:

    package:[SOURCE_DIR=]NAME[ versionCode:N][ stopped=B][  installer=NAME|null][ uid:U[,U...]]

`-f` adds the base APK path and `=`. Since Android 11 the path holds random base64 folder names
that may contain `=` (`/data/app/~~AbC==/org.example-XyZ==/base.apk`), so the name is what follows
the *last* `=`. `-U` appeared in Android 8: Android 7 answers `Error: Unknown option: -U` and
lists nothing, which is recorded in `error` (the collector then retries without `-U`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import Field

from stalkerscan.evidence.common import Frozen, IssueCounter, ParseIssues
from stalkerscan.evidence.package import MAX_LINE, PARSER_STOPPED, iter_lines

MAX_ENTRIES = 20_000  # per call; a real phone lists < 5,000 (the evidence models 15,000 apps)

_PACKAGE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,254}$")
_UID_SUFFIX_RE = re.compile(r" uid:([0-9,]{1,200})$")
_INSTALLER_SUFFIX_RE = re.compile(r" {1,2}installer=(\S{0,512})$")
_STOPPED_SUFFIX_RE = re.compile(r" stopped=(true|false)$")
_VERSION_SUFFIX_RE = re.compile(r" versionCode:(-?\d{1,20})$")
_ERROR_PREFIXES = (
    "Error:",
    "Exception occurred",
    "Failure",
    "java.lang.",
    "Security exception",
    "cmd: ",
    "/system/bin/sh:",
)


class PmPackage(Frozen):
    """One `package:` line."""

    name: str
    path: str | None = None  # base APK (`-f`); splits are not listed here
    installer: str | None = None  # `installer=` value; None when absent or `null`
    installer_listed: bool = False  # the line carried `installer=` (the `-i` flag was honoured)
    uids: tuple[int, ...] = ()  # `-U` (Android 8+); several when listed for all users
    version_code: int | None = None  # `--show-versioncode`
    stopped: bool | None = None  # `--show-stopped` (Android 15+)


class PmPackageList(Frozen):
    """The packages of one `pm list packages` call."""

    packages: tuple[PmPackage, ...] = ()
    error: str | None = None  # the first error line the command printed (nothing listed then)
    truncated: bool = False  # more than MAX_ENTRIES packages: the rest was not read
    issues: ParseIssues = Field(default_factory=ParseIssues)

    def names(self) -> frozenset[str]:
        """The package names listed."""
        return frozenset(p.name for p in self.packages)

    def get(self, name: str) -> PmPackage | None:
        """The entry for one package name."""
        for p in self.packages:
            if p.name == name:
                return p
        return None


def parse_package_line(line: str) -> PmPackage | None:
    """One `package:...` line -> PmPackage, or None if it is not one."""
    line = line.strip()
    if not line.startswith("package:"):
        return None
    rest = line[len("package:") :]
    uids: tuple[int, ...] = ()
    installer: str | None = None
    installer_listed = False
    version_code: int | None = None
    stopped: bool | None = None
    m = _UID_SUFFIX_RE.search(rest)
    if m is not None:
        uids = tuple(int(u) for u in m.group(1).split(",") if u and len(u) <= 12)
        rest = rest[: m.start()]
    m = _INSTALLER_SUFFIX_RE.search(rest)
    if m is not None:
        installer_listed = True
        installer = None if m.group(1) in ("", "null") else m.group(1)
        rest = rest[: m.start()]
    m = _STOPPED_SUFFIX_RE.search(rest)
    if m is not None:
        stopped = m.group(1) == "true"
        rest = rest[: m.start()]
    m = _VERSION_SUFFIX_RE.search(rest)
    if m is not None:
        version_code = int(m.group(1))
        rest = rest[: m.start()]
    path: str | None = None
    if "=" in rest:
        # Android 11+ paths contain `=` (base64 folder names): split on the last one.
        path, _, name = rest.rpartition("=")
        path = path or None
    else:
        name = rest
    name = name.strip()
    if not _PACKAGE_NAME_RE.match(name):
        return None
    return PmPackage(
        name=name,
        path=path,
        installer=installer,
        installer_listed=installer_listed,
        uids=uids,
        version_code=version_code,
        stopped=stopped,
    )


def parse_pm_list_packages(source: str | bytes | Iterable[str]) -> PmPackageList:
    """Parse `pm list packages` output (any flags); never raises."""
    counter = IssueCounter()
    packages: list[PmPackage] = []
    seen: dict[str, int] = {}
    error: str | None = None
    truncated = False
    try:
        for raw in iter_lines(source):
            line = raw[:MAX_LINE].strip()
            if not line:
                continue
            entry = parse_package_line(line)
            if entry is None:
                if line.startswith(_ERROR_PREFIXES) and error is None:
                    error = line[:500]
                elif not line.startswith(("\tat ", "at ")):  # stack-trace lines follow errors
                    counter.add(line)
                continue
            if entry.name in seen:
                # Listed twice (e.g. once per user when no --user was given): merge the uids.
                i = seen[entry.name]
                old = packages[i]
                merged = tuple(dict.fromkeys(old.uids + entry.uids))
                packages[i] = old.model_copy(update={"uids": merged})
                continue
            if len(packages) >= MAX_ENTRIES:
                counter.add("(more entries than the cap)")
                truncated = True
                break
            seen[entry.name] = len(packages)
            packages.append(entry)
    except Exception as exc:  # last resort: keep what was parsed
        counter.add(f"{PARSER_STOPPED}: {type(exc).__name__}")
    return PmPackageList(
        packages=tuple(packages), error=error, truncated=truncated, issues=counter.freeze()
    )


def uninstalled_but_kept(
    with_uninstalled: PmPackageList, installed_only: PmPackageList
) -> tuple[str, ...]:
    """Names listed with `-u` but not without it: uninstalled for this user, data or APK kept.

    Needs a second listing (`pm list packages --user N` without `-u`). The same answer comes
    without an extra command from `PackageDump.uninstalled_but_kept(user_id)` (`installed=false`).
    """
    present = installed_only.names()
    return tuple(sorted(p.name for p in with_uninstalled.packages if p.name not in present))
