"""`dumpsys device_policy` -> device owner, profile owners and active device admins per user.

A device admin is hard to uninstall and may lock or wipe the phone; a device or profile owner
controls it (or a work profile) entirely. Formats (DevicePolicyManagerService.dump, Owners.dump,
ActiveAdmin.dump):

- owners, Android 7-16: ``  Device Owner: `` then ``    admin=ComponentInfo{pkg/cls}``,
  ``    name=...``, ``    package=pkg``, (Android 11+ ``isOrganizationOwnedDevice=``),
  ``    User ID: 0``; ``  Profile Owner (User 10): `` with the same fields. Android 12+ prints
  ``  Device Owner Type: N`` beside them.
- admins, every version: ``  Enabled Device Admins (User 0, provisioningState: 3):`` then
  ``    pkg/.Receiver:`` and its fields (``uid=``, ``testOnlyAdmin=``, ``policies:`` followed by
  one policy name per line such as ``wipe-data``, ``organizationName=`` when set, ...).
  Android 14+ (the policy engine) adds large sections of its own; they are skipped.
"""

from __future__ import annotations

import re

from stalkerscan.evidence._dumpsys import (
    indent_of,
    iter_lines_of,
    normalise_component,
    package_of,
    unavailable_reason,
)
from stalkerscan.evidence.common import (
    Budget,
    Frozen,
    Interner,
    IssueCounter,
    ParseIssues,
    to_text,
)

# A real phone has a handful of device admins, at most a few profile owners (one per work or
# private profile) and AOSP defines about a dozen admin policies.
MAX_ADMINS = 2_000  # active admins kept over every user
MAX_PROFILE_OWNERS = 256
MAX_POLICIES_PER_ADMIN = 64
# Owner fields the result uses; others are not kept (a hostile block could print millions).
_OWNER_FIELDS = frozenset({"admin", "package", "name", "isOrganizationOwnedDevice"})


class Owner(Frozen):
    """A device owner or a profile owner."""

    kind: str  # "device" or "profile"
    user: int | None = None
    component: str | None = None
    package: str | None = None
    name: str | None = None  # the admin's label as the owner record stores it
    organization_owned: bool | None = None  # Android 11+ (work profile on a company phone)


class ActiveAdmin(Frozen):
    """One active device admin of one user."""

    user: int | None = None
    component: str
    package: str
    uid: int | None = None
    test_only: bool | None = None
    policies: tuple[str, ...] = ()  # e.g. ("wipe-data", "reset-password", "force-lock")
    organization_name: str | None = None


class DevicePolicyDump(Frozen):
    """Parsed `dumpsys device_policy`."""

    device_owner: Owner | None = None
    profile_owners: tuple[Owner, ...] = ()
    admins: tuple[ActiveAdmin, ...] = ()
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # a MAX_* cap was reached: admins, owners or policies not kept

    def admin_packages(self) -> tuple[str, ...]:
        """Every package holding device-admin rights (deduplicated)."""
        out: list[str] = []
        for a in self.admins:
            if a.package not in out:
                out.append(a.package)
        return tuple(out)


_DEVICE_OWNER = re.compile(r"^\s*Device Owner:\s*$")
_PROFILE_OWNER = re.compile(r"^\s*Profile Owner \(User (\d+)\):\s*$")
_ADMINS = re.compile(r"^\s*Enabled Device Admins \(User (\d+)(?:,[^)]*)?\):\s*$")
_ADMIN_HEAD = re.compile(r"^\s*([A-Za-z0-9_.\-]+/[A-Za-z0-9_.$\-]+):\s*$")
_POLICY = re.compile(r"^[a-z][a-z0-9\-_]*$")


class _AdminBuilder:
    def __init__(self, user: int, component: str, indent: int) -> None:
        self.user = user
        self.component = component
        self.indent = indent
        self.uid: int | None = None
        self.test_only: bool | None = None
        self.policies: list[str] = []
        self.org: str | None = None

    def freeze(self) -> ActiveAdmin:
        return ActiveAdmin(
            user=self.user,
            component=self.component,
            package=package_of(self.component),
            uid=self.uid,
            test_only=self.test_only,
            policies=tuple(self.policies),
            organization_name=self.org,
        )


class _OwnerBuilder:
    def __init__(self, kind: str, user: int | None, indent: int) -> None:
        self.kind = kind
        self.user = user
        self.indent = indent
        self.fields: dict[str, str] = {}

    def freeze(self) -> Owner:
        admin = self.fields.get("admin")
        comp = normalise_component(admin) if admin else None
        pkg = self.fields.get("package") or (package_of(comp) if comp else None)
        org = self.fields.get("isOrganizationOwnedDevice")
        return Owner(
            kind=self.kind,
            user=self.user,
            component=comp,
            package=pkg,
            name=self.fields.get("name") or None,
            organization_owned=None if org not in ("true", "false") else org == "true",
        )


def parse_device_policy(data: bytes | str) -> DevicePolicyDump:
    """Parse `dumpsys device_policy` (never raises); past the MAX_* caps it is `truncated`."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return DevicePolicyDump(unavailable=unavailable)
    issues = IssueCounter()
    device_owner: _OwnerBuilder | None = None
    profile_owners: list[_OwnerBuilder] = []
    admins: list[_AdminBuilder] = []
    owner: _OwnerBuilder | None = None
    admins_user: int | None = None
    admins_indent = 0
    admin: _AdminBuilder | None = None
    in_policies = False
    policies_indent = 0
    admin_budget, owner_budget = Budget(MAX_ADMINS), Budget(MAX_PROFILE_OWNERS)
    policy_cap = MAX_POLICIES_PER_ADMIN
    truncated = False
    intern = Interner()  # policy names repeat for every admin
    for line in iter_lines_of(text):
        s = line.strip()
        if not s:
            continue
        ind = indent_of(line)
        if _DEVICE_OWNER.match(line):
            owner = _OwnerBuilder("device", None, ind)
            device_owner = owner
            admins_user, admin = None, None
            continue
        m = _PROFILE_OWNER.match(line)
        if m:
            owner = _OwnerBuilder("profile", int(m.group(1)), ind)
            if owner_budget.take():
                profile_owners.append(owner)  # past the cap it is read but not kept
            admins_user, admin = None, None
            continue
        m = _ADMINS.match(line)
        if m:
            admins_user, admins_indent = int(m.group(1)), ind
            owner, admin, in_policies = None, None, False
            continue
        if owner is not None:
            if ind <= owner.indent:
                owner = None  # fall through: this line belongs to another section
            else:
                if s.startswith("User ID:"):
                    value = s.split(":", 1)[1].strip()
                    owner.user = int(value) if value.isdigit() else owner.user
                else:
                    key, sep, value = s.partition("=")
                    if sep:
                        if key.strip() in _OWNER_FIELDS:
                            owner.fields.setdefault(key.strip(), value.strip())
                    else:
                        issues.add(line)
                continue
        if admins_user is None:
            continue  # other sections: constants, stats, policy engine, ...
        if ind <= admins_indent:
            admins_user, admin, in_policies = None, None, False
            continue
        hm = _ADMIN_HEAD.match(line)
        if hm and (admin is None or ind <= admin.indent):
            comp = normalise_component(hm.group(1))
            if comp is None:
                issues.add(line)
                continue
            admin = _AdminBuilder(admins_user, comp, ind)
            if admin_budget.take():
                admins.append(admin)  # past the cap it is read but not kept
            in_policies = False
            continue
        if admin is None:
            if "=" in s or s.startswith(("mPasswordOwner", "mAffiliationIds")):
                continue  # per-user fields printed after the admins
            issues.add(line)
            continue
        if ind <= admin.indent:
            # Per-user fields after the admin list (mPasswordOwner=..., Android 7-16).
            admin, in_policies = None, False
            continue
        if in_policies:
            if ind > policies_indent and _POLICY.match(s):
                if len(admin.policies) < policy_cap:
                    admin.policies.append(intern(s))
                else:
                    truncated = True
                continue
            in_policies = False
        if s == "policies:":
            in_policies, policies_indent = True, ind
            continue
        key, sep, value = s.partition("=")
        if sep:
            key = key.strip()
            if key == "uid" and value.strip().isdigit():
                admin.uid = int(value.strip())
            elif key == "testOnlyAdmin":
                admin.test_only = value.strip() == "true"
            elif key == "organizationName" and value.strip() not in ("", "null"):
                admin.org = value.strip()[:200]
            continue
        # Nested values (userRestrictions: Bundle..., policy lists): not needed.
        if s.endswith(":") or s in ("null", "{}") or s.startswith(("Bundle", "[", "{")):
            continue
        issues.add(line)
    return DevicePolicyDump(
        device_owner=device_owner.freeze() if device_owner else None,
        profile_owners=tuple(o.freeze() for o in profile_owners),
        admins=tuple(a.freeze() for a in admins),
        issues=issues.freeze(),
        truncated=truncated or admin_budget.truncated or owner_budget.truncated,
    )
