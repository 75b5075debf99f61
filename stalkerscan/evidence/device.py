"""Small device facts: SELinux mode, the phone's clock, `which su`, `which sha256sum`.

Commands (docs/architecture.md): `getenforce`, `date +%s`, `which su`, `which sha256sum`.
`which` prints the path and exits 0, or prints nothing and exits 1 (toybox, Android 6+); some
vendor builds print "which: no su in (...)" instead, which we read as "absent".
"""

from __future__ import annotations

import re
from typing import Literal

from stalkerscan.evidence._dumpsys import lines_of, unavailable_reason
from stalkerscan.evidence.common import Frozen, IssueCounter, ParseIssues, to_text

SelinuxMode = Literal["enforcing", "permissive", "disabled"]


class Selinux(Frozen):
    """`getenforce`: the SELinux mode, None when the output was not understood."""

    mode: SelinuxMode | None = None
    issues: ParseIssues = ParseIssues()


class DeviceTime(Frozen):
    """`date +%s`: the phone's clock, and its skew against the host clock when one was given."""

    epoch_seconds: int | None = None
    host_epoch_seconds: float | None = None
    skew_seconds: float | None = None  # device minus host; positive = phone clock ahead
    issues: ParseIssues = ParseIssues()


class WhichResult(Frozen):
    """`which NAME`: whether the program is on the phone's PATH and where."""

    name: str
    present: bool
    path: str | None = None
    issues: ParseIssues = ParseIssues()


def parse_getenforce(data: bytes | str) -> Selinux:
    """Parse `getenforce` ("Enforcing", "Permissive" or "Disabled")."""
    issues = IssueCounter()
    mode: SelinuxMode | None = None
    for line in lines_of(to_text(data)):
        word = line.strip().lower()
        if not word:
            continue
        if mode is None and word in ("enforcing", "permissive", "disabled"):
            mode = (
                "enforcing"
                if word == "enforcing"
                else ("permissive" if word == "permissive" else "disabled")
            )
        else:
            issues.add(line)
    return Selinux(mode=mode, issues=issues.freeze())


_EPOCH = re.compile(r"^\d{1,12}$")


def parse_device_time(data: bytes | str, host_epoch_seconds: float | None = None) -> DeviceTime:
    """Parse `date +%s`; with the host's time at collection, also the clock skew."""
    issues = IssueCounter()
    epoch: int | None = None
    for line in lines_of(to_text(data)):
        s = line.strip()
        if not s:
            continue
        if epoch is None and _EPOCH.match(s):
            epoch = int(s)
        else:
            issues.add(line)
    skew = None
    if epoch is not None and host_epoch_seconds is not None:
        skew = round(epoch - host_epoch_seconds, 3)
    return DeviceTime(
        epoch_seconds=epoch,
        host_epoch_seconds=host_epoch_seconds,
        skew_seconds=skew,
        issues=issues.freeze(),
    )


def parse_which(data: bytes | str, name: str) -> WhichResult:
    """Parse `which NAME`: an absolute path means present; nothing or "no NAME in" means absent."""
    issues = IssueCounter()
    path: str | None = None
    text = to_text(data)
    if unavailable_reason(text) is None:
        for line in lines_of(text):
            s = line.strip()
            if not s:
                continue
            if path is None and s.startswith("/") and s.rsplit("/", 1)[-1] == name:
                path = s[:4096]
            elif s.startswith("which: no ") or s.endswith(": not found"):
                continue
            else:
                issues.add(line)
    return WhichResult(name=name, present=path is not None, path=path, issues=issues.freeze())


def parse_which_su(data: bytes | str) -> WhichResult:
    """Parse `which su` (a root trace when present)."""
    return parse_which(data, "su")


def parse_which_sha256sum(data: bytes | str) -> WhichResult:
    """Parse `which sha256sum` (whether the phone can hash APKs itself)."""
    return parse_which(data, "sha256sum")
