"""`settings list <namespace>` -> a dict, plus typed accessors for the settings stalkerware touches.

Commands: `settings list global`, `settings --user N list secure`, `settings --user N list system`.
Format (Android 7-16, SettingsService.dump of `list`): one `key=value` line per setting, sorted;
the value is everything after the first `=` (it may contain `=`), `null` for a null value.
A value holding a newline continues on the next line(s) without `=`: those lines are appended.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field

from stalkerscan.evidence._dumpsys import (
    iter_lines_of,
    split_colon_components,
    unavailable_reason,
)
from stalkerscan.evidence.accessibility import parse_enabled_accessibility_services
from stalkerscan.evidence.common import Budget, Frozen, IssueCounter, ParseIssues, to_text
from stalkerscan.evidence.input_method import (
    parse_default_input_method,
    parse_enabled_input_methods,
)
from stalkerscan.evidence.notification import parse_enabled_notification_listeners

Namespace = Literal["global", "secure", "system"]
_KEY = re.compile(r"^[A-Za-z0-9_.:\-@/]+$")

# A real phone has some hundreds of settings per namespace, with values of at most a few KB.
MAX_SETTINGS = 10_000  # keys kept per namespace
MAX_VALUE_CHARS = 4_000_000  # characters of values kept over the namespace


class Settings(Frozen):
    """One namespace of settings as `settings list` printed it (`None` = the setting is null)."""

    namespace: Namespace | None = None
    user: int | None = None  # None for global
    values: dict[str, str | None] = Field(default_factory=dict)
    unavailable: str | None = None  # "Permission Denial ..." etc. when nothing was listed
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # past MAX_SETTINGS keys or MAX_VALUE_CHARS: the rest not kept

    def get(self, key: str) -> str | None:
        """The raw value of `key`, or None when absent or null."""
        return self.values.get(key)

    def flag(self, key: str) -> bool | None:
        """An integer setting as a boolean (non-zero = True); None when absent or not a number."""
        raw = self.values.get(key)
        if raw is None:
            return None
        try:
            return int(raw.strip()) != 0
        except ValueError:
            return None

    def integer(self, key: str) -> int | None:
        """An integer setting, or None when absent or not a number."""
        raw = self.values.get(key)
        if raw is None:
            return None
        try:
            return int(raw.strip())
        except ValueError:
            return None

    # --- Play Protect (global namespace) ---------------------------------------------------
    @property
    def package_verifier_enable(self) -> bool | None:
        """Play Protect app scanning (global `package_verifier_enable`); None when absent,
        which Android treats as on."""
        return self.flag("package_verifier_enable")

    @property
    def package_verifier_user_consent(self) -> int | None:
        """Play Protect "improve harmful app detection" consent (1 yes, -1 no, 0 not asked)."""
        return self.integer("package_verifier_user_consent")

    @property
    def upload_apk_enable(self) -> bool | None:
        """Play Protect may upload unknown apps for analysis (global `upload_apk_enable`)."""
        return self.flag("upload_apk_enable")

    @property
    def verifier_verify_adb_installs(self) -> bool | None:
        """Apps installed over ADB are verified (global `verifier_verify_adb_installs`)."""
        return self.flag("verifier_verify_adb_installs")

    # --- unknown sources, developer options, ADB --------------------------------------------
    @property
    def install_non_market_apps(self) -> bool | None:
        """Unknown sources allowed (secure/global `install_non_market_apps`, Android 7 and older;
        Android 8+ uses the per-app REQUEST_INSTALL_PACKAGES app-op instead)."""
        return self.flag("install_non_market_apps")

    @property
    def development_settings_enabled(self) -> bool | None:
        """Developer options switched on (global)."""
        return self.flag("development_settings_enabled")

    @property
    def adb_enabled(self) -> bool | None:
        """USB debugging on (global)."""
        return self.flag("adb_enabled")

    @property
    def adb_wifi_enabled(self) -> bool | None:
        """Wireless debugging on (global, Android 11+)."""
        return self.flag("adb_wifi_enabled")

    # --- special access (secure namespace) --------------------------------------------------
    @property
    def enabled_accessibility_services(self) -> tuple[str, ...]:
        """Accessibility services the user switched on (flattened component names)."""
        return parse_enabled_accessibility_services(self.get("enabled_accessibility_services"))

    @property
    def accessibility_enabled(self) -> bool | None:
        """The accessibility master switch (secure `accessibility_enabled`)."""
        return self.flag("accessibility_enabled")

    @property
    def enabled_notification_listeners(self) -> tuple[str, ...]:
        """Notification listeners with notification access (flattened component names)."""
        return parse_enabled_notification_listeners(self.get("enabled_notification_listeners"))

    @property
    def enabled_notification_assistant(self) -> str | None:
        """The notification assistant (it reads every notification too)."""
        comps = split_colon_components(self.get("enabled_notification_assistant"))
        return comps[0] if comps else None

    @property
    def enabled_input_methods(self) -> tuple[str, ...]:
        """Enabled keyboards (input method ids, subtypes dropped)."""
        return parse_enabled_input_methods(self.get("enabled_input_methods"))

    @property
    def default_input_method(self) -> str | None:
        """The keyboard in use (secure `default_input_method`)."""
        return parse_default_input_method(self.get("default_input_method"))

    @property
    def always_on_vpn_app(self) -> str | None:
        """The package set as always-on VPN for this user (secure `always_on_vpn_app`)."""
        raw = self.get("always_on_vpn_app")
        return raw.strip() or None if raw is not None else None

    @property
    def always_on_vpn_lockdown(self) -> bool | None:
        """Always-on VPN blocks traffic outside the VPN (secure `always_on_vpn_lockdown`)."""
        return self.flag("always_on_vpn_lockdown")

    @property
    def location_mode(self) -> int | None:
        """Secure `location_mode`: 0 off, 1 sensors only, 2 battery saving, 3 high accuracy."""
        return self.integer("location_mode")

    @property
    def location_providers_allowed(self) -> tuple[str, ...]:
        """Secure `location_providers_allowed` (Android 7-9): e.g. ("gps", "network")."""
        raw = self.get("location_providers_allowed")
        if raw is None:
            return ()
        return tuple(p.strip() for p in raw.split(",") if p.strip())


def parse_settings(
    data: bytes | str, namespace: Namespace | None = None, user: int | None = None
) -> Settings:
    """Parse `settings list <namespace>` output (never raises); past the caps it is `truncated`."""
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return Settings(namespace=namespace, user=user, unavailable=unavailable)
    issues = IssueCounter()
    # Parts of each value; None = null. Joined at the end so long multi-line values stay linear.
    parts: dict[str, list[str] | None] = {}
    last: str | None = None
    skipping = False  # continuation lines of a setting past MAX_SETTINGS
    keys, chars = Budget(MAX_SETTINGS), Budget(MAX_VALUE_CHARS)
    for line in iter_lines_of(text):
        current = parts.get(last) if last is not None else None
        if not line:
            if current is not None and chars.take():  # counted: a flood of them costs too
                current.append("")  # an empty line inside a multi-line value
            continue
        key, sep, value = line.partition("=")
        if sep and _KEY.match(key):
            skipping = key not in parts and not keys.take()
            if skipping:
                last = None
                continue
            parts[key] = None if value == "null" else [value[: chars.take_some(len(value))]]
            last = key
        elif current is not None:
            kept = chars.take_some(len(line))
            if kept:
                current.append(line[:kept])
        elif not skipping:
            issues.add(line)
    cleaned = {k: ("\n".join(v).rstrip("\n") if v is not None else None) for k, v in parts.items()}
    return Settings(
        namespace=namespace,
        user=user,
        values=cleaned,
        issues=issues.freeze(),
        truncated=keys.truncated or chars.truncated,
    )
