"""`dumpsys accessibility` -> per user: enabled, bound, binding and crashed accessibility services.

Formats (AccessibilityManagerService / AccessibilityUserState `dump`):

- Android 7-10: ``User state[attributes:{id=0, currentUser=true, touchExplorationEnabled=false,
  ...}`` then ``           services:{Service[label=Example, feedbackType[...], ...]}]``: only the
  *bound* services, by label (no component names).
- Android 11+: ``User state[`` then ``     attributes:{id=0, touchExplorationEnabled=false, ...,
  installedServiceCount=3, ...}``, ``     Bound services:{Service[label=...]...}``,
  ``     Enabled services:{{pkg/.Cls}, {pkg2/.Cls2}}`` (ComponentName.toShortString),
  ``     Binding services:{...}``, ``     Crashed services:{...}``, ``     Client list info:{``.
  Android 12+ prints ``currentUserId=0`` first; vendor builds add lines of their own.

Bound services are printed by *label* (Service[label=...]), which an app chooses freely: use the
enabled components (or the `enabled_accessibility_services` secure setting) to name apps.
"""

from __future__ import annotations

import re

from stalkerscan.evidence._dumpsys import (
    lines_of,
    normalise_component,
    split_colon_components,
    unavailable_reason,
)
from stalkerscan.evidence.common import Budget, Frozen, IssueCounter, ParseIssues, to_text

# A real phone has 1-4 users (Android allows a few dozen) and some tens of accessibility services.
MAX_USERS = 1_000  # "User state" blocks kept
MAX_SERVICES = 5_000  # components kept over every list of every user
MAX_LABELS = 5_000  # bound-service labels kept over the dump


class AccessibilityUser(Frozen):
    """The accessibility state of one Android user."""

    user: int
    enabled_services: tuple[str, ...] = ()  # flattened components (Android 11+ dump)
    bound_service_labels: tuple[str, ...] = ()  # labels of running services (every version)
    binding_services: tuple[str, ...] = ()
    crashed_services: tuple[str, ...] = ()
    installed_services: tuple[str, ...] = ()  # only when a build prints them
    installed_service_count: int | None = None  # Android 11+ attributes
    touch_exploration_enabled: bool | None = None
    current_user: bool | None = None  # Android 7-10 attributes


class AccessibilityDump(Frozen):
    """Parsed `dumpsys accessibility`."""

    users: tuple[AccessibilityUser, ...] = ()
    current_user: int | None = None
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # a MAX_* cap was reached: users, services or labels past it dropped

    def enabled_components(self) -> tuple[str, ...]:
        """Every enabled service component over all users (deduplicated, in order)."""
        out: list[str] = []
        for u in self.users:
            for c in u.enabled_services:
                if c not in out:
                    out.append(c)
        return tuple(out)


def parse_enabled_accessibility_services(value: str | None) -> tuple[str, ...]:
    """Secure setting `enabled_accessibility_services` (`pkg/.A:pkg2/pkg2.B`) -> components."""
    return split_colon_components(value)


_ATTR = re.compile(r"attributes:\{([^}]*)\}?")
_LIST = re.compile(
    r"^\s*(Bound|Enabled|Binding|Crashed|Installed|installed)\s+services\s*:\s*\{(.*)$"
)
_OLD_SERVICES = re.compile(r"^\s*services:\{(.*)$")
_LABEL = re.compile(r"Service\[label=(.*?)(?:, feedbackType|, capabilities|\]|$)")
_CURRENT = re.compile(r"^\s*currentUserId=(\d+)")
_BRACED = re.compile(r"\{([^{}]*)\}")
# Lines the dump prints that we do not need: keep them out of the unparsed count.
_KNOWN = re.compile(
    r"^\s*(ACCESSIBILITY MANAGER|shortcut key:|button:|button target:|gesture:|qs shortcut|"
    r"a11y tiles|Client list|Registered clients|\[|\]|\}|hasWindowMagnificationConnection|"
    r"Display\[|Window\[|Windows|Proxy|Accessibility|A11yWindow|Magnification|mA11y|"
    r"Global client|mUser|mIs|mSecurity|mTrace|Touch|TouchExplorer|\S+=)"
)


def _kv(attrs: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in attrs.split(","):
        k, sep, v = part.strip().partition("=")
        if sep:
            out[k.strip()] = v.strip()
    return out


def _bool(v: str | None) -> bool | None:
    if v == "true":
        return True
    if v == "false":
        return False
    return None


def _components(body: str) -> tuple[str, ...]:
    out: dict[str, None] = {}  # ordered, deduplicated in constant time
    pieces = _BRACED.findall(body) or [p for p in body.split(",")]
    for piece in pieces:
        comp = normalise_component(piece)
        if comp is not None:
            out[comp] = None
    return tuple(out)


class _UserBuilder:
    def __init__(self, user: int) -> None:
        self.user = user
        # Ordered and deduplicated in constant time (dicts keep insertion order).
        self.lists: dict[str, dict[str, None]] = {
            "Enabled": {},
            "Binding": {},
            "Crashed": {},
            "Installed": {},
        }
        self.labels: list[str] = []
        self.installed_count: int | None = None
        self.touch: bool | None = None
        self.current: bool | None = None

    def freeze(self) -> AccessibilityUser:
        return AccessibilityUser(
            user=self.user,
            enabled_services=tuple(self.lists["Enabled"]),
            bound_service_labels=tuple(self.labels),
            binding_services=tuple(self.lists["Binding"]),
            crashed_services=tuple(self.lists["Crashed"]),
            installed_services=tuple(self.lists["Installed"]),
            installed_service_count=self.installed_count,
            touch_exploration_enabled=self.touch,
            current_user=self.current,
        )


def _join_multiline_labels(lines: list[str], issues: IssueCounter) -> list[str]:
    """Put a service label that contains newlines back on one line.

    AccessibilityServiceConnection.dump prints `Service[label=<label>, feedbackType...` and the
    label is the app's own text: a newline in it would otherwise start lines of its own, which
    could pose as "Enabled services:{...}". The label ends at ", feedbackType" (Android 7-16).
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        start = line.rfind("Service[label=")
        if start < 0 or ", feedbackType" in line[start:]:
            out.append(line)
            continue
        end = next(
            (j for j in range(i, min(i + 49, len(lines))) if ", feedbackType" in lines[j]), None
        )
        if end is None:
            out.append(line)  # no end in sight (cut output, another format): leave lines alone
            continue
        issues.add(f"service label spans {end - i + 2} lines: {line.strip()}")
        out.append(" ".join(lines[i - 1 : end + 1]))
        i = end + 1
    return out


def parse_accessibility(data: bytes | str) -> AccessibilityDump:
    """Parse `dumpsys accessibility` (never raises); past the MAX_* caps it is `truncated`."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return AccessibilityDump(unavailable=unavailable)
    issues = IssueCounter()
    users: list[_UserBuilder] = []
    cur: _UserBuilder | None = None
    current_user: int | None = None
    in_bound = False  # inside a multi-line "Bound services:{" / "services:{" list
    skipping = False  # inside a user state past MAX_USERS: its lines are not read
    user_budget = Budget(MAX_USERS)
    services, labels = Budget(MAX_SERVICES), Budget(MAX_LABELS)

    for line in _join_multiline_labels(lines_of(text), issues):
        s = line.strip()
        if not s:
            continue
        m = _CURRENT.match(line)
        if m:
            current_user = int(m.group(1))
            continue
        if "User state[" in s or s.startswith("attributes:{"):
            am = _ATTR.search(s)
            if am is None:
                continue  # "User state[" alone: the attributes follow (Android 11+)
            attrs = _kv(am.group(1))
            try:
                uid = int(attrs.get("id", ""))
            except ValueError:
                issues.add(line)
                cur, skipping = None, False
                continue
            in_bound = False
            skipping = not user_budget.take()
            if skipping:
                cur = None
                continue
            cur = _UserBuilder(uid)
            users.append(cur)
            cur.touch = _bool(attrs.get("touchExplorationEnabled"))
            cur.current = _bool(attrs.get("currentUser"))
            if cur.current and current_user is None:
                current_user = uid
            count = attrs.get("installedServiceCount")
            if count is not None and count.isdigit():
                cur.installed_count = int(count)
            continue
        lm = _LIST.match(line)
        om = _OLD_SERVICES.match(line) if lm is None else None
        if lm or om:
            if cur is None:
                if not skipping:
                    issues.add(line)
                continue
            kind = lm.group(1).capitalize() if lm else "Bound"
            body = lm.group(2) if lm else (om.group(1) if om else "")
            if kind == "Bound":
                found = _LABEL.findall(body)
                cur.labels.extend(found[: labels.take_some(len(found))])
                in_bound = not body.rstrip().endswith(("}", "}]"))
            else:
                kept = cur.lists[kind]
                for comp in _components(body):
                    if comp not in kept and services.take():
                        kept[comp] = None
                in_bound = False
            continue
        if in_bound and cur is not None:
            # Continuation of the bound list: one "Service[label=...]" per line.
            found = _LABEL.findall(s)
            cur.labels.extend(found[: labels.take_some(len(found))])
            if s.endswith(("}", "}]")):
                in_bound = False
            continue
        if skipping or _KNOWN.match(line):
            continue
        issues.add(line)
    return AccessibilityDump(
        users=tuple(u.freeze() for u in users),
        current_user=current_user,
        issues=issues.freeze(),
        truncated=user_budget.truncated or services.truncated or labels.truncated,
    )
