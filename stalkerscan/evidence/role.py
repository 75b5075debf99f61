"""`dumpsys role` (Android 10+) -> role holders per user (default SMS, dialer, assistant, home...).

Format: RoleUserState.dump through DualDumpOutputStream in text mode, indented by two spaces:
``user_states={`` (or ``user_states=[`` with one ``{`` per user when several users exist),
``user_id=0``, ``version=..``, ``packages_hash=..``, then ``roles=[`` holding ``{`` ``name=
android.app.role.SMS`` ``holders=org.example.sms`` ``}`` blocks. Several holders of one role
print as ``holders=[`` followed by one package per line and ``]``. A role with no holder has
no ``holders`` line. Android 11+ (the role service moved into the permission module) keeps
this format and may add fields (``bypassing_role_qualification``, ``fallback_enabled`` ...).

Android 7-9 answer ``Can't find service: role``: the result is then `unavailable`.
"""

from __future__ import annotations

import re

from stalkerscan.evidence._dumpsys import PACKAGE_RE, iter_lines_of, unavailable_reason
from stalkerscan.evidence.common import (
    Budget,
    Frozen,
    Interner,
    IssueCounter,
    ParseIssues,
    to_text,
)

# A real phone has about 30-60 roles per user and one holder each (a few for some system roles).
MAX_ROLES = 5_000  # role entries kept, over all users
MAX_HOLDERS_PER_ROLE = 1_000
MAX_HOLDERS = 20_000  # holders kept over the dump

# The roles a stalkerware check looks at (names as Android defines them).
ROLE_SMS = "android.app.role.SMS"
ROLE_DIALER = "android.app.role.DIALER"
ROLE_ASSISTANT = "android.app.role.ASSISTANT"
ROLE_HOME = "android.app.role.HOME"
ROLE_BROWSER = "android.app.role.BROWSER"
ROLE_CALL_SCREENING = "android.app.role.CALL_SCREENING"
ROLE_CALL_REDIRECTION = "android.app.role.CALL_REDIRECTION"


class RoleHolder(Frozen):
    """One role of one user and the packages holding it (usually one, or none)."""

    user: int | None = None
    role: str
    holders: tuple[str, ...] = ()


class RoleDump(Frozen):
    """Parsed `dumpsys role`; `unavailable` says why there is nothing (Android 7-9)."""

    roles: tuple[RoleHolder, ...] = ()
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # a MAX_* cap was reached: roles or holders past it were not kept

    def holders_of(self, role: str, user: int | None = 0) -> tuple[str, ...]:
        """Packages holding `role` for `user` (None: any user)."""
        out: list[str] = []
        for r in self.roles:
            if r.role == role and (user is None or r.user == user):
                out.extend(h for h in r.holders if h not in out)
        return tuple(out)


_KV = re.compile(r"^([A-Za-z_]+)=(.*)$")


def parse_role(data: bytes | str) -> RoleDump:
    """Parse `dumpsys role` (never raises); past the MAX_* caps the result is `truncated`."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return RoleDump(unavailable=unavailable)
    issues = IssueCounter()
    out: list[RoleHolder] = []
    user: int | None = None
    role: str | None = None
    holders: dict[str, None] = {}  # ordered, deduplicated in constant time
    in_holders_list = False
    roles_budget, holders_budget = Budget(MAX_ROLES), Budget(MAX_HOLDERS)
    per_role_cap = MAX_HOLDERS_PER_ROLE
    truncated = False
    intern = Interner()

    def flush() -> None:
        nonlocal role, holders
        if role is not None and roles_budget.take():
            out.append(RoleHolder(user=user, role=intern(role), holders=tuple(holders)))
        role, holders = None, {}

    def hold(name: str) -> None:
        nonlocal truncated
        if name in holders:
            return
        if len(holders) >= per_role_cap or not holders_budget.take():
            truncated = True
            return
        holders[name] = None

    for line in iter_lines_of(text):
        s = line.strip()
        if not s:
            continue
        if in_holders_list:
            if s == "]":
                in_holders_list = False
            elif PACKAGE_RE.match(s):
                hold(s)
            else:
                issues.add(line)
            continue
        if s in ("{", "}", "[", "]") or s.endswith(("={", "=[")):
            if s == "holders=[":
                in_holders_list = True
            elif s == "}" or s.startswith(("roles", "user_states")):
                flush()  # the end of a role block, or the start of the next list
            continue
        m = _KV.match(s)
        if m is None:
            issues.add(line)
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "user_id":
            flush()
            user = int(value) if value.isdigit() else None
        elif key == "name":
            flush()
            role = value
        elif key == "holders":
            if PACKAGE_RE.match(value):
                hold(value)
            else:
                issues.add(line)
        # version, packages_hash and fields added later are not needed.
    flush()
    truncated = truncated or roles_budget.truncated
    return RoleDump(roles=tuple(out), issues=issues.freeze(), truncated=truncated)
