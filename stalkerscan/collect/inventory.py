"""What the collection itself must know from saved artifacts, read with bounded memory.

Hashing and the selective pull need, while the phone is still attached: the user ids, each
app's APK paths and installer, the system flags, launcher icons and a few sensitive grants.
These readers are thin adapters over the evidence parsers (`stalkerscan.evidence`), run on the
saved files (streamed, every line bounded), so each format is known in one place.
Everything read here is device text: it is validated before use and never becomes a host path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_MAX_LINE = 64 * 1024
_PACKAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
_SPLIT_NAME = re.compile(r"^[A-Za-z0-9_.]{1,200}$")


def iter_lines(path: Path, max_line: int = _MAX_LINE) -> Iterator[str]:
    """The file's lines as text (UTF-8, invalid bytes replaced), each cut at `max_line` bytes."""
    try:
        f = path.open("rb")
    except OSError:
        return
    with f:
        while True:
            raw = f.readline(max_line)
            if not raw:
                return
            if not raw.endswith(b"\n") and len(raw) == max_line:
                # Skip the rest of an over-long line.
                while True:
                    rest = f.readline(max_line)
                    if not rest or rest.endswith(b"\n"):
                        break
            yield raw.decode("utf-8", "replace").rstrip("\r\n")


@dataclass
class App:
    """One installed package as the collection sees it (merged over users)."""

    package: str
    base_path: str | None = None
    installer: str | None = None
    users: list[int] = field(default_factory=list)
    code_path: str | None = None
    splits: list[str] = field(default_factory=list)  # split names, not file names
    system: bool | None = None
    updated_system: bool = False

    @property
    def on_data(self) -> bool:
        """Installed on /data (user apps and updates of system apps), not the system image."""
        path = self.base_path or self.code_path or ""
        return path.startswith(("/data/app/", "/mnt/expand/", "/mnt/asec/"))

    def apk_paths(self) -> list[str]:
        """Base APK and split APK paths on the phone (split names from dumpsys package)."""
        paths: list[str] = []
        if self.base_path:
            paths.append(self.base_path)
        folder = self.code_path
        if folder is None and self.base_path and "/" in self.base_path:
            folder = self.base_path.rsplit("/", 1)[0]
        if folder and folder.endswith(".apk"):
            folder = None  # an old single-file install (Android < 5): no splits
        for split in self.splits:
            if split != "base" and _SPLIT_NAME.match(split) and folder:
                # PackageInstallerSession names split files "split_<name>.apk".
                paths.append(f"{folder}/split_{split}.apk")
        return paths


def read_packages(files: dict[int, Path]) -> dict[str, App]:
    """Apps from `pm list packages -f -i -U -u --user N` of every user (streamed)."""
    from stalkerscan.evidence.pm_list import parse_package_line

    apps: dict[str, App] = {}
    for user, path in files.items():
        for line in iter_lines(path):
            entry = parse_package_line(line)
            if entry is None:
                continue
            app = apps.setdefault(entry.name, App(package=entry.name))
            if entry.path and not app.base_path:
                app.base_path = entry.path
            if entry.installer and not app.installer:
                app.installer = entry.installer
            if user not in app.users:
                app.users.append(user)
    return apps


def read_dumpsys_package(path: Path, apps: dict[str, App]) -> None:
    """Add code path, split names and system flags from the saved `dumpsys package`.

    The evidence parser reads it (streamed, bounded); in `scan` the evidence stage gets the same
    parse back, so the dump is parsed once. Only "Packages:" counts: "Hidden system packages:"
    lists the factory versions of updated system apps, whose paths are on /system.
    """
    from stalkerscan.evidence.package import parse_dumpsys_package_file

    # Given the packages `pm list` printed, the parser models at most MAX_UNLISTED others (the
    # rest are only counted), so a padded dump costs time, not memory.
    for info in parse_dumpsys_package_file(path, listed=apps.keys()).packages:
        app = apps.get(info.name)
        if app is None:
            continue
        if info.code_path and app.code_path is None:
            app.code_path = info.code_path
        if info.splits:
            app.splits = list(info.splits[:100])
        flags = set(info.pkg_flags) | set(info.flags)
        if "SYSTEM" in flags:
            app.system = True
        elif info.pkg_flags and app.system is None:
            app.system = False
        if "UPDATED_SYSTEM_APP" in flags:
            app.updated_system = True


# Special-access readers: thin adapters over the evidence parsers (which follow AOSP's dump
# formats per Android version), on saved files whose size the collectors already capped.


def _read(path: Path) -> bytes:
    return path.read_bytes()


def launcher_packages(path: Path) -> set[str]:
    """Packages with a launcher activity (`cmd package query-activities --brief`)."""
    from stalkerscan.evidence.launcher import parse_launcher_query

    return set(parse_launcher_query(_read(path)).packages())


def _package_of(component: str) -> str | None:
    pkg = component.split("/", 1)[0].strip()
    return pkg if _PACKAGE.match(pkg) else None


def sensitive_grants_from_settings(path: Path) -> dict[str, set[str]]:
    """Package -> grants from `settings list secure` (accessibility, notification listeners)."""
    from stalkerscan.evidence.settings import parse_settings

    settings = parse_settings(_read(path), "secure")
    out: dict[str, set[str]] = {}
    for label, components in (
        ("accessibility service enabled", settings.enabled_accessibility_services),
        ("notification listener enabled", settings.enabled_notification_listeners),
    ):
        for component in components:
            pkg = _package_of(component)
            if pkg is not None:
                out.setdefault(pkg, set()).add(label)
    return out


def device_admins(path: Path) -> set[str]:
    """Packages of active device admins and device/profile owners (`dumpsys device_policy`)."""
    from stalkerscan.evidence.device_policy import parse_device_policy

    dump = parse_device_policy(_read(path))
    found = set(dump.admin_packages())
    owners = [dump.device_owner, *dump.profile_owners]
    found |= {o.package for o in owners if o is not None and o.package}
    return {p for p in found if _PACKAGE.match(p)}


# App-ops that make an app worth pulling when allowed.
_SENSITIVE_OPS = {
    "GET_USAGE_STATS": "usage access",
    "SYSTEM_ALERT_WINDOW": "draw over other apps",
    "REQUEST_INSTALL_PACKAGES": "can install other apps",
}
# Android 10+: location ops in mode "allow" (not "foreground") mean "allowed all the time".
# Before Android 10 every location grant shows as "allow", so they say nothing there.
_LOCATION_OPS = ("FINE_LOCATION", "COARSE_LOCATION")


def sensitive_appops(path: Path, *, sdk: int | None = None) -> dict[str, set[str]]:
    """Package -> sensitive app-ops in mode allow, from `dumpsys appops`."""
    from stalkerscan.evidence.appops import parse_appops

    dump = parse_appops(_read(path))
    wanted = dict(_SENSITIVE_OPS)
    if sdk is not None and sdk >= 29:
        wanted.update({op: "background location" for op in _LOCATION_OPS})
    out: dict[str, set[str]] = {}
    for op, label in wanted.items():
        for pkg in dump.holders(op):
            if _PACKAGE.match(pkg):
                out.setdefault(pkg, set()).add(label)
    return out
