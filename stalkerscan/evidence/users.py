"""`pm list users`: the users and profiles on the phone (work profiles and clones hide apps).

Android 7 (`Pm.runListUsers`) and Android 8+ (`UserManagerService` shell `list`) print the same
thing:

    Users:
    \tUserInfo{0:Owner:c13} running
    \tUserInfo{10:Work profile:1030} running

`UserInfo.toString()` is `UserInfo{ID:NAME:HEXFLAGS}`; NAME is chosen by the phone's owner and may
itself contain `:` or `}` (so the id is cut at the first `:`, the flags at the last) and is `null`
when unset (Android 13+ often prints `UserInfo{0:null:4c13}`). The verbose form (`pm list users
-v`, `cmd user list -v`: `0: id=0, name=Owner, type=full.SYSTEM, flags=ADMIN|FULL|... (running)`)
is read as well. Vendor builds add users with their own ids and flag bits (Samsung Secure Folder
150+, Dual Messenger 95; Xiaomi/Oppo/Vivo app clones 999): unknown bits are kept as hex.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import Field

from stalkerscan.evidence.common import Frozen, IssueCounter, ParseIssues
from stalkerscan.evidence.package import MAX_LINE, PARSER_STOPPED, iter_lines

MAX_USERS = 1_000

# android.content.pm.UserInfo FLAG_* (AOSP 7 to 16).
USER_FLAGS: dict[int, str] = {
    0x1: "PRIMARY",
    0x2: "ADMIN",
    0x4: "GUEST",
    0x8: "RESTRICTED",
    0x10: "INITIALIZED",
    0x20: "MANAGED_PROFILE",
    0x40: "DISABLED",
    0x80: "QUIET_MODE",
    0x100: "EPHEMERAL",
    0x200: "DEMO",
    0x400: "FULL",  # Android 11+
    0x800: "SYSTEM",  # Android 11+
    0x1000: "PROFILE",  # Android 11+
    0x2000: "EPHEMERAL_ON_CREATE",  # Android 12+
    0x4000: "MAIN",  # Android 14+
    0x8000: "FOR_TESTING",  # Android 15+
}
_NAME_TO_FLAG = {name: bit for bit, name in USER_FLAGS.items()}

_USERINFO_RE = re.compile(r"^UserInfo\{(-?\d{1,9}):(.*):([0-9a-fA-F]{1,16})\}(.*)$")
_VERBOSE_RE = re.compile(
    r"^\d{1,6}: id=(-?\d{1,9}), name=(.*?), type=([^,]*), flags=([A-Z_|]*)(.*)$"
)


class AndroidUser(Frozen):
    """One user or profile."""

    id: int
    # Chosen by the phone's owner (often their first name): personal data. Keep it out of shared
    # reports and logs; it is here so the support worker can tell profiles apart on screen.
    name: str | None = Field(default=None, json_schema_extra={"sensitive": True})
    flags: int = 0
    flag_names: tuple[str, ...] = ()  # known bits; unknown bits as `0x...`
    user_type: str | None = None  # verbose form only (Android 11+), e.g. `profile.MANAGED`
    running: bool = False
    parent_id: int | None = None  # verbose form only

    @property
    def is_managed_profile(self) -> bool:
        """A work profile (FLAG_MANAGED_PROFILE)."""
        return bool(self.flags & 0x20) or (self.user_type or "").endswith("MANAGED")

    @property
    def is_profile(self) -> bool:
        """Any profile of another user (work, clone, private space)."""
        return bool(self.flags & 0x1020) or (self.user_type or "").startswith("profile.")

    @property
    def is_guest(self) -> bool:
        """A guest user."""
        return bool(self.flags & 0x4)


class UserList(Frozen):
    """The result of `pm list users`."""

    users: tuple[AndroidUser, ...] = ()
    error: str | None = None
    issues: ParseIssues = Field(default_factory=ParseIssues)

    def ids(self) -> tuple[int, ...]:
        """User ids in the order printed."""
        return tuple(u.id for u in self.users)


def decode_user_flags(flags: int) -> tuple[str, ...]:
    """Names of the set UserInfo flag bits; unknown bits as hex strings."""
    names = []
    for bit in range(64):
        mask = 1 << bit
        if flags & mask:
            names.append(USER_FLAGS.get(mask, f"0x{mask:x}"))
    return tuple(names)


def _parse_userinfo(line: str) -> AndroidUser | None:
    m = _USERINFO_RE.match(line)
    if m is None:
        return None
    flags = int(m.group(3), 16)
    name = m.group(2)
    tail = m.group(4).strip()
    return AndroidUser(
        id=int(m.group(1)),
        name=None if name == "null" else name[:256],
        flags=flags,
        flag_names=decode_user_flags(flags),
        running=tail.split()[:1] == ["running"],
    )


def _parse_verbose(line: str) -> AndroidUser | None:
    m = _VERBOSE_RE.match(line)
    if m is None:
        return None
    names = tuple(n for n in m.group(4).split("|") if n)
    flags = 0
    for n in names:
        flags |= _NAME_TO_FLAG.get(n, 0)
    tail = m.group(5)
    parent = re.search(r"\(parentId=(\d{1,9})\)", tail)
    return AndroidUser(
        id=int(m.group(1)),
        name=None if m.group(2) == "null" else m.group(2)[:256],
        flags=flags,
        flag_names=names[:32],
        user_type=m.group(3)[:128] or None,
        running="(running)" in tail,
        parent_id=int(parent.group(1)) if parent else None,
    )


def parse_pm_list_users(source: str | bytes | Iterable[str]) -> UserList:
    """Parse `pm list users` (plain or verbose); never raises."""
    counter = IssueCounter()
    users: list[AndroidUser] = []
    error: str | None = None
    try:
        for raw in iter_lines(source):
            line = raw[:MAX_LINE].strip()
            if not line or line == "Users:" or re.fullmatch(r"\d{1,6} users:", line):
                continue
            user = _parse_userinfo(line) or _parse_verbose(line)
            if user is None:
                if line.startswith(("Error", "Exception", "Failure", "java.")) and error is None:
                    error = line[:500]
                else:
                    counter.add(line)
                continue
            if any(u.id == user.id for u in users):
                counter.add(line)  # the same id twice: keep the first
                continue
            if len(users) >= MAX_USERS:
                counter.add("(more users than the cap)")
                break
            users.append(user)
    except Exception as exc:  # last resort: keep what was parsed
        counter.add(f"{PARSER_STOPPED}: {type(exc).__name__}")
    return UserList(users=tuple(users), error=error, issues=counter.freeze())
