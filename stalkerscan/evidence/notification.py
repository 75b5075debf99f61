"""`dumpsys notification` -> notification listeners and assistants (apps that read notifications).

Only the ``Notification listeners:`` and ``Notification assistant services:`` blocks are read
(ManagedServices.dump); everything else in the dump — notification records, which hold message
text — is skipped without being looked at or stored. Formats:

- Android 7: ``    All notification listeners (N) enabled for current profiles:`` with
  ``      ComponentInfo{pkg/cls}`` lines, and ``    Live notification listeners (N):`` with
  ``      ComponentInfo{pkg/cls} (user 0): <binder> SYSTEM``.
- Android 8+: adds ``    Allowed notification listeners:`` with ``      pkg/cls (user: 0
  isPrimary: true)``; Android 10+ joins several approved entries of a user with ``:`` on one line.
- Android 12+: ``Snoozed``, ``Requested``/``Disallowed`` lines may follow; they are not needed.
"""

from __future__ import annotations

import re

from stalkerscan.evidence._dumpsys import (
    indent_of,
    iter_lines_of,
    normalise_component,
    split_colon_components,
    unavailable_reason,
)
from stalkerscan.evidence.common import Budget, Frozen, IssueCounter, ParseIssues, to_text

# A real phone has some tens of notification listeners and one or two assistants.
MAX_ENTRIES = 5_000  # entries kept per kind (listeners, assistants) over its four lists


class ApprovedListener(Frozen):
    """A component the user granted notification access to (the "Allowed"/approved list)."""

    component: str
    user: int | None = None
    primary: bool | None = None


class LiveListener(Frozen):
    """A listener bound right now (``user -1`` = bound for all users, e.g. System UI)."""

    component: str
    user: int | None = None
    system: bool = False


class ManagedServiceState(Frozen):
    """What ManagedServices printed for one kind (listeners or assistants)."""

    approved: tuple[ApprovedListener, ...] = ()
    approved_packages: tuple[str, ...] = ()  # approved entries that name a package, not a component
    enabled_for_current_profiles: tuple[str, ...] = ()
    live: tuple[LiveListener, ...] = ()

    def components(self) -> tuple[str, ...]:
        """Every component named in any list (deduplicated, in order)."""
        out: list[str] = []
        for c in (
            *(a.component for a in self.approved),
            *self.enabled_for_current_profiles,
            *(li.component for li in self.live),
        ):
            if c not in out:
                out.append(c)
        return tuple(out)


class NotificationDump(Frozen):
    """Parsed listener part of `dumpsys notification`; message content is never read."""

    listeners: ManagedServiceState = ManagedServiceState()
    assistants: ManagedServiceState = ManagedServiceState()
    listeners_section_found: bool = False
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # more than MAX_ENTRIES entries of one kind: the rest not kept


def parse_enabled_notification_listeners(value: str | None) -> tuple[str, ...]:
    """Secure setting `enabled_notification_listeners` (`pkg/.A:pkg2/.B`) -> components."""
    return split_colon_components(value)


_SECTION = re.compile(r"^\s*Notification (listeners|assistant services|assistants):\s*$")
_SUB = re.compile(
    r"^\s*(Allowed|Approved|All|Live|Snoozed|Requested|Disallowed|Default|Has user set)\b"
)
_APPROVED = re.compile(r"^(.*?)\s*\(user:\s*(-?\d+)(?:\s+isPrimary:\s*(true|false))?\)\s*$")
_PKG_NAME = re.compile(r"[A-Za-z0-9_.]+")
_LIVE = re.compile(r"^(ComponentInfo\{[^}]*\})\s*\(user\s*(-?\d+)\)\s*:?\s*(.*)$")


class _Builder:
    def __init__(self) -> None:
        self.approved: list[ApprovedListener] = []
        self.approved_pkgs: list[str] = []
        self.enabled: list[str] = []
        self.live: list[LiveListener] = []
        self.budget = Budget(MAX_ENTRIES)

    def freeze(self) -> ManagedServiceState:
        return ManagedServiceState(
            approved=tuple(self.approved),
            approved_packages=tuple(self.approved_pkgs),
            enabled_for_current_profiles=tuple(self.enabled),
            live=tuple(self.live),
        )


def parse_notification(data: bytes | str) -> NotificationDump:
    """Parse the listener/assistant blocks of `dumpsys notification` (never raises).

    At most MAX_ENTRIES entries of each kind are kept; past that the result is `truncated`.
    """
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return NotificationDump(unavailable=unavailable)
    issues = IssueCounter()
    builders = {"listeners": _Builder(), "assistants": _Builder()}
    found = False
    section: str | None = None
    section_indent = 0
    sub: str | None = None
    sub_indent = 0
    for line in iter_lines_of(text):
        if not line.strip():
            continue
        m = _SECTION.match(line)
        if m:
            section = "listeners" if m.group(1) == "listeners" else "assistants"
            section_indent = indent_of(line)
            found = found or section == "listeners"
            sub = None
            continue
        if section is None:
            continue  # outside the blocks we read: never inspected (records hold message text)
        if indent_of(line) <= section_indent:
            section = None
            continue
        s = line.strip()
        sm = _SUB.match(s)
        if sm and s.endswith(":"):
            sub = sm.group(1)
            sub_indent = indent_of(line)
            continue
        if sub is not None and indent_of(line) <= sub_indent:
            sub = None  # e.g. "mListenerHints: 0" after the Live list (Android 7)
        b = builders[section]
        if sub in ("Allowed", "Approved"):
            am = _APPROVED.match(s)
            entries = am.group(1) if am else s
            user = int(am.group(2)) if am else None
            primary = (am.group(3) == "true") if am and am.group(3) else None
            for entry in entries.split(":"):
                entry = entry.strip()
                if not entry:
                    continue
                comp = normalise_component(entry)
                if (comp is not None or _PKG_NAME.fullmatch(entry)) and not b.budget.take():
                    continue
                if comp is not None:
                    b.approved.append(ApprovedListener(component=comp, user=user, primary=primary))
                elif _PKG_NAME.fullmatch(entry):
                    b.approved_pkgs.append(entry)
                else:
                    issues.add(line)
            continue
        if sub == "All":
            comp = normalise_component(s)
            if comp is not None:
                if b.budget.take():
                    b.enabled.append(comp)
            else:
                issues.add(line)
            continue
        if sub == "Live":
            lm = _LIVE.match(s)
            comp = normalise_component(lm.group(1)) if lm else None
            if lm and comp is not None:
                if not b.budget.take():
                    continue
                b.live.append(
                    LiveListener(
                        component=comp,
                        user=int(lm.group(2)),
                        system=" SYSTEM" in f" {lm.group(3)}",
                    )
                )
            else:
                issues.add(line)
            continue
        # Snoozed/Requested/Disallowed lists, mListenerHints=..., key: value lines: not needed.
    return NotificationDump(
        listeners=builders["listeners"].freeze(),
        assistants=builders["assistants"].freeze(),
        listeners_section_found=found,
        issues=issues.freeze(),
        truncated=any(b.budget.truncated for b in builders.values()),
    )
