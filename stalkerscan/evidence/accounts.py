"""`dumpsys account` -> account types and counts per user; `mask_account_dump` hides the names.

An extra Google account on a phone is a common way to share its location with someone else, so
the types matter; the names (e-mail addresses, phone numbers, user names) are personal data and
must not be kept. The collector calls `mask_account_dump` on the raw output **before saving it**.

Format (AccountManagerService.dump, Android 7-16)::

    User UserInfo{0:Owner:c13}:
      Accounts: 2
        Account {name=someone@example.com, type=com.google}
        Account {name=+15550100, type=org.example.chat}

      Active Sessions: 0
      RegisteredServicesCache: 3 services
        ServiceInfo: AuthenticatorDescription {type=com.google}, ComponentInfo{...}, uid 10008

Android 8+ may print the same ``Account {name=..., type=...}`` again in visibility and
history tables; every occurrence is masked.
"""

from __future__ import annotations

import re

from stalkerscan.evidence._dumpsys import iter_lines_of, unavailable_reason
from stalkerscan.evidence.common import Budget, Frozen, IssueCounter, ParseIssues, to_text

# A real phone has 1-4 users (Android allows a few dozen), some tens of account types and some
# tens of authenticators (one per app that can add accounts).
MAX_USERS = 256  # "User UserInfo{...}" blocks kept
MAX_TYPES = 5_000  # (user, account type) counts kept over every user
MAX_AUTHENTICATORS = 5_000  # authenticator types kept


class AccountTypeCount(Frozen):
    """How many accounts of one type a user has."""

    type: str
    count: int


class UserAccounts(Frozen):
    """The accounts of one Android user (types and counts only)."""

    user: int
    declared_count: int | None = None  # the "Accounts: N" line
    types: tuple[AccountTypeCount, ...] = ()


class AccountsDump(Frozen):
    """Parsed `dumpsys account` (no account names are kept)."""

    users: tuple[UserAccounts, ...] = ()
    authenticator_types: tuple[str, ...] = ()  # account types some installed app can add
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # a MAX_* cap was reached: users, types or authenticators not kept

    def types(self) -> tuple[str, ...]:
        """Every account type present on any user."""
        out: list[str] = []
        for u in self.users:
            out.extend(t.type for t in u.types if t.type not in out)
        return tuple(out)


# "Account {name=<anything>, type=<type>}": the name is matched up to the *last* ", type=" of
# the line so a crafted name containing ", type=" cannot leak its tail.
_ACCOUNT = re.compile(r"Account \{name=(.*), type=([^,{}\s]*)\}")
_USER = re.compile(r"^User UserInfo\{(\d+):(.*):([0-9a-fA-Fx]+)\}:\s*$")
_USERINFO_ANY = re.compile(r"UserInfo\{(\d+):(.*):([0-9a-fA-Fx]+)\}")
_COUNT = re.compile(r"^\s*Accounts: (\d+)\s*$")
_AUTH = re.compile(r"AuthenticatorDescription \{type=([^,{}\s]+)\}")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# International numbers ("+44 7700 900123") and long digit runs (national numbers).
_PHONE = re.compile(r"(?<![\w/.])(?:\+\d[\d \-]{5,}\d|\d{8,15})(?![\w/.])")
_MASK = re.compile(r"^<masked:\d+>$")
_MAX_MASK_LINE = 600
_MAX_NAME_LINES = 20  # a name with newlines is masked over at most this many more lines
_NAME_TAIL = re.compile(r", type=[^,{}\s]*\}\s*$")
_UNCLOSED = re.compile(r"Account \{name=(?!<masked:\d+>, type=[^,{}\s]*\})")


class _Masker:
    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, value: str) -> str:
        if _MASK.match(value):
            return value
        if value not in self.seen:
            self.seen[value] = f"<masked:{len(self.seen) + 1}>"
        return self.seen[value]


def mask_account_dump(text: str) -> str:
    """Replace account names (and user names, e-mails, phone numbers) with stable `<masked:N>`."""
    mask = _Masker()

    def account(m: re.Match[str]) -> str:
        return f"Account {{name={mask(m.group(1))}, type={m.group(2)}}}"

    def userinfo(m: re.Match[str]) -> str:
        return f"UserInfo{{{m.group(1)}:{mask(m.group(2))}:{m.group(3)}}}"

    out: list[str] = []
    continuation = 0  # lines left of a name that contained a newline
    for line in text.split("\n"):
        if continuation:
            # The rest of a multi-line name: mask up to its ", type=...}" end, keep the type.
            continuation -= 1
            end = _NAME_TAIL.search(line) if len(line) <= _MAX_MASK_LINE else None
            if end is None:
                out.append(mask(line) if line.strip() else line)
                continue
            continuation = 0
            out.append(f"{mask(line[: end.start()])}{end.group(0)}")
            continue
        if len(line) > _MAX_MASK_LINE and "name=" in line:
            # Real account lines are short; a huge one is hostile or corrupt. Masking it whole
            # keeps the work linear (the name pattern backtracks) and leaks nothing.
            out.append(mask(line))
            continue
        line = _USERINFO_ANY.sub(userinfo, line)
        line = _ACCOUNT.sub(account, line)
        open_name = _UNCLOSED.search(line)
        if open_name is not None:
            # A name the pattern could not close (cut output, odd characters): hide the rest.
            line = f"{line[: open_name.end()]}{mask(line[open_name.end() :])}"
            continuation = _MAX_NAME_LINES
        # Anything else that looks like an e-mail or a phone number (history tables, vendor lines).
        line = _EMAIL.sub(lambda m: mask(m.group(0)), line)
        line = _PHONE.sub(lambda m: mask(m.group(0)), line)
        out.append(line)
    return "\n".join(out)


def parse_accounts(data: bytes | str) -> AccountsDump:
    """Parse `dumpsys account` (masked or not) into types and counts per user (never raises).

    Past the MAX_* caps nothing more is kept and the result is `truncated`.
    """
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return AccountsDump(unavailable=unavailable)
    issues = IssueCounter()
    users: list[tuple[int, int | None, dict[str, int]]] = []
    auth: dict[str, None] = {}  # ordered, deduplicated in constant time
    user_budget, type_budget = Budget(MAX_USERS), Budget(MAX_TYPES)
    auth_budget = Budget(MAX_AUTHENTICATORS)
    in_accounts = False
    skipping = False  # inside a user block past MAX_USERS
    for line in iter_lines_of(text):
        s = line.strip()
        if not s:
            in_accounts = False
            continue
        m = _USER.match(s)
        if m:
            skipping = not user_budget.take()
            if not skipping:
                users.append((int(m.group(1)), None, {}))
            in_accounts = False
            continue
        m = _COUNT.match(line)
        if m and users:
            if not skipping:
                uid, _, types = users[-1]
                users[-1] = (uid, int(m.group(1)), types)
            in_accounts = True
            continue
        am = _ACCOUNT.search(s)
        if am and in_accounts and users:
            if not skipping:
                types = users[-1][2]
                name = am.group(2)
                if name in types:
                    types[name] += 1
                elif type_budget.take():
                    types[name] = 1
            continue
        au = _AUTH.search(s)
        if au:
            if au.group(1) not in auth and auth_budget.take():
                auth[au.group(1)] = None
            continue
        if in_accounts and s.startswith("Account") and not skipping:
            issues.add(line)
        # Sessions, caches, history tables: not needed.
    return AccountsDump(
        users=tuple(
            UserAccounts(
                user=uid,
                declared_count=count,
                types=tuple(AccountTypeCount(type=t, count=n) for t, n in types.items()),
            )
            for uid, count, types in users
        ),
        authenticator_types=tuple(auth),
        issues=issues.freeze(),
        truncated=user_budget.truncated or type_budget.truncated or auth_budget.truncated,
    )
