"""`dumpsys deviceidle whitelist` -> apps exempt from battery optimisation (Doze).

Format (DeviceIdleController shell command ``whitelist`` with no argument, Android 6-16):
one ``kind,package,uid`` line per entry, where kind is ``system-excidle`` (system, exempt
except in idle), ``system`` (built-in list) or ``user`` (the user — or someone holding the
phone — chose "Don't optimise"). Stalkerware asks for the ``user`` kind to keep running.
"""

from __future__ import annotations

import re
from typing import Literal

from stalkerscan.evidence._dumpsys import lines_of, unavailable_reason
from stalkerscan.evidence.common import Frozen, IssueCounter, ParseIssues, to_text

WhitelistKind = Literal["system-excidle", "system", "user"]

_LINE = re.compile(r"^(system-excidle|system|user),([A-Za-z0-9_.\-]+),(-?\d+)$")


class WhitelistEntry(Frozen):
    """One battery-optimisation exemption."""

    kind: WhitelistKind
    package: str
    uid: int


class DeviceIdleWhitelist(Frozen):
    """Parsed `dumpsys deviceidle whitelist`."""

    entries: tuple[WhitelistEntry, ...] = ()
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()

    def user_exempted(self) -> tuple[str, ...]:
        """Packages exempted by a user choice (kind ``user``)."""
        return tuple(e.package for e in self.entries if e.kind == "user")


def parse_deviceidle_whitelist(data: bytes | str) -> DeviceIdleWhitelist:
    """Parse `dumpsys deviceidle whitelist` (never raises)."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return DeviceIdleWhitelist(unavailable=unavailable)
    issues = IssueCounter()
    entries: list[WhitelistEntry] = []
    for line in lines_of(text):
        s = line.strip()
        if not s:
            continue
        m = _LINE.match(s)
        if m is None:
            issues.add(line)
            continue
        kind: WhitelistKind
        if m.group(1) == "system-excidle":
            kind = "system-excidle"
        elif m.group(1) == "system":
            kind = "system"
        else:
            kind = "user"
        entries.append(WhitelistEntry(kind=kind, package=m.group(2), uid=int(m.group(3))))
    return DeviceIdleWhitelist(entries=tuple(entries), issues=issues.freeze())
