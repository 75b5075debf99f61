"""`dumpsys deviceidle whitelist` -> apps exempt from battery optimisation (Doze).

Format (DeviceIdleController shell command ``whitelist`` with no argument, Android 6-16):
one ``kind,package,uid`` line per entry, where kind is ``system-excidle`` (system, exempt
except in idle), ``system`` (built-in list) or ``user`` (the user — or someone holding the
phone — chose "Don't optimise"). Stalkerware asks for the ``user`` kind to keep running.
"""

from __future__ import annotations

import re
from typing import Literal

from stalkerscan.evidence._dumpsys import iter_lines_of, unavailable_reason
from stalkerscan.evidence.common import Budget, Frozen, IssueCounter, ParseIssues, to_text

WhitelistKind = Literal["system-excidle", "system", "user"]

# A real phone lists some tens of system entries and a few user ones; a package appears at most
# once per kind, so three entries per package of the 10,000-package hostile-huge phone fit.
MAX_ENTRIES = 30_000

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
    truncated: bool = False  # more than MAX_ENTRIES lines: the rest were not kept

    def user_exempted(self) -> tuple[str, ...]:
        """Packages exempted by a user choice (kind ``user``)."""
        return tuple(e.package for e in self.entries if e.kind == "user")


def parse_deviceidle_whitelist(data: bytes | str) -> DeviceIdleWhitelist:
    """Parse `dumpsys deviceidle whitelist` (never raises); at most MAX_ENTRIES are kept."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return DeviceIdleWhitelist(unavailable=unavailable)
    issues = IssueCounter()
    entries: list[WhitelistEntry] = []
    budget = Budget(MAX_ENTRIES)
    for line in iter_lines_of(text):
        s = line.strip()
        if not s:
            continue
        m = _LINE.match(s)
        if m is None:
            issues.add(line)
            continue
        if not budget.take():
            continue
        kind: WhitelistKind
        if m.group(1) == "system-excidle":
            kind = "system-excidle"
        elif m.group(1) == "system":
            kind = "system"
        else:
            kind = "user"
        entries.append(WhitelistEntry(kind=kind, package=m.group(2), uid=int(m.group(3))))
    return DeviceIdleWhitelist(
        entries=tuple(entries), issues=issues.freeze(), truncated=budget.truncated
    )
