"""Heuristics that find stalkerware no feed knows yet, each finding explained by reason codes.

Stalkerware arrives the same way whatever its name: sideloaded from a file (or over ADB), then
given the powers that let it watch a person (accessibility, notification access, device admin,
usage access, background location), with its icon hidden and a name that looks like part of the
system. One of these signals alone is common in legitimate apps; together they are not. The
rules below combine them:

- SS-APP-COVERT (high): sideloaded + a strong power + (another strong power, or hidden, or
  posing as the system);
- SS-APP-SIDELOAD-POWER (medium): sideloaded + any spying power (when not SS-APP-COVERT);
- SS-APP-HIDDEN, SS-APP-RECENT (low), SS-APP-POSING (medium): the individual signals, for
  sideloaded apps or apps with a spying power;
- SS-APP-IME (medium), SS-APP-VPN (low/medium): keyboards and VPNs that see everything typed or
  sent, when not from a known store;
- SS-DUAL-PURPOSE (low): apps whose purpose is tracking someone (parental control, family
  locator), from their name, when they hold location or usage powers.

System apps (on the system image, or system apps updated from a store) are never flagged by
these rules: a screen reader such as TalkBack holds accessibility for a good reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from stalkerscan.evidence.build import AppRecord
from stalkerscan.match.base import MatchContext, Matcher, Rule, reason
from stalkerscan.match.capabilities import STRONG_POWERS, capabilities_of, spying_powers
from stalkerscan.match.indicators import app_evidence
from stalkerscan.result import Category, Confidence, Finding, Reason, Severity

STORE = "store"

# Package prefixes that belong to the platform or a phone maker; a user app using one while not
# being a system app is posing as the system.
SYSTEM_PREFIXES = (
    "android.",
    "com.android.",
    "com.google.android.",
    "com.samsung.android.",
    "com.sec.android.",
    "com.miui.",
    "com.xiaomi.",
    "com.huawei.",
    "com.hihonor.",
    "com.coloros.",
    "com.oplus.",
    "com.vivo.",
    "com.qualcomm.",
    "com.mediatek.",
)
# Labels of system components stalkerware hides behind ("System Service", "WiFi", "Sync").
SYSTEM_LABEL = re.compile(
    r"\b(system|android|google|services?|update[rs]?|sync|wi-?fi|settings|security|"
    r"battery|device|framework|backup|play|phone|sim|bluetooth)\b",
    re.IGNORECASE,
)
# Tracking purpose (dual-use): parental control, family or phone locators, monitors.
TRACKING_PURPOSE = re.compile(
    r"(parental|family|kids|child|guardian|locator|tracker|tracking|findmy|find my|"
    r"monitor|spy|watcher)",
    re.IGNORECASE,
)
_TRACKING_POWERS = frozenset(
    {
        "location",
        "location_background",
        "usage_history",
        "hard_to_uninstall",
        "screen_content_and_typing",
        "read_notifications",
    }
)


def is_system(app: AppRecord) -> bool:
    """On the system image (possibly updated): the phone maker shipped it."""
    return app.system or app.updated_system


ADB_SHELL = "com.android.shell"


def from_store(app: AppRecord) -> bool:
    """Installed by a known app store (a hint, never proof: ADB installs can fake it).

    `pm install -i com.android.vending` over ADB records a store as the installer, but Android
    11+ also records who really started the install (`initiatingPackageName`): the shell.
    """
    return app.installer_kind == STORE and app.initiating != ADB_SHELL


def installer_reason(app: AppRecord) -> Reason:
    """The `installer_not_store` reason, naming the shell when a store name was faked."""
    installer = app.installer or "none"
    if app.installer_kind == STORE and app.initiating == ADB_SHELL:
        installer = f"{ADB_SHELL} (recorded as {installer})"
        return reason("installer_not_store", installer=installer, kind="adb")
    return reason("installer_not_store", installer=installer, kind=app.installer_kind)


def is_hidden(app: AppRecord) -> bool:
    """No launcher icon in any user where it is installed and the launcher list was read."""
    known = set(app.users) & set(app.launcher_known_users)
    return bool(known) and not (set(app.launcher_users) & known)


def posing_reasons(app: AppRecord) -> list[Reason]:
    """Reasons the app looks like part of the system while it is not a system app."""
    out: list[Reason] = []
    if app.package.startswith(SYSTEM_PREFIXES):
        out.append(reason("system_like_package", package=app.package))
    if app.label and SYSTEM_LABEL.search(app.label):
        out.append(reason("system_like_label", label=app.label[:100]))
    return out


def recent_reason(app: AppRecord, now: datetime, days: int) -> Reason | None:
    """A reason when the app was installed or updated in the last `days` days (phone clock)."""
    since = now - timedelta(days=days)
    for code, when in (
        ("recently_installed", app.first_install_time),
        ("recently_updated", app.last_update_time),
    ):
        if when is not None and since <= when.replace(tzinfo=None) <= now + timedelta(days=1):
            age = max(0, (now - when.replace(tzinfo=None)).days)
            return reason(code, days=age, when=when.isoformat())
    return None


def power_reasons(app: AppRecord, powers: Iterable[str]) -> list[Reason]:
    """One reason per spying power the app holds."""
    return [reason(f"power_{p}") for p in powers]


class AppHeuristics(Matcher):
    """Unknown stalkerware, from how an app arrived, what it may do and how it hides."""

    name = "heuristics"
    rules = (
        Rule(
            "SS-APP-COVERT",
            "Sideloaded app with strong spying powers that hides or looks like the system",
            Severity.HIGH,
            Confidence.MEDIUM,
            Category.SUSPICIOUS,
        ),
        Rule(
            "SS-APP-SIDELOAD-POWER",
            "Sideloaded app with a power that lets it watch you",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            Category.SUSPICIOUS,
        ),
        Rule(
            "SS-APP-HIDDEN",
            "App with no icon on the home screen",
            Severity.LOW,
            Confidence.LOW,
            Category.SUSPICIOUS,
        ),
        Rule(
            "SS-APP-POSING",
            "App that looks like part of the system but is not",
            Severity.MEDIUM,
            Confidence.LOW,
            Category.SUSPICIOUS,
        ),
        Rule(
            "SS-APP-RECENT",
            "Sideloaded app installed or updated recently",
            Severity.LOW,
            Confidence.LOW,
            Category.SUSPICIOUS,
        ),
        Rule(
            "SS-APP-IME",
            "Keyboard not from a known store (it sees everything typed)",
            Severity.MEDIUM,
            Confidence.MEDIUM,
            Category.SUSPICIOUS,
        ),
        Rule(
            "SS-APP-VPN",
            "VPN app (it can see and redirect internet traffic)",
            Severity.LOW,
            Confidence.LOW,
            Category.SUSPICIOUS,
        ),
        Rule(
            "SS-DUAL-PURPOSE",
            "App made for tracking someone (parental control, family locator)",
            Severity.LOW,
            Confidence.LOW,
            Category.DUAL_USE,
        ),
    )

    def match(self, ctx: MatchContext) -> Iterable[Finding]:
        """Heuristic findings for every installed app that is not a system app."""
        out: list[Finding] = []
        known_watchware = _feed_listed(ctx)
        for app in ctx.evidence.apps:
            if not app.users or is_system(app):
                continue
            out.extend(self.app_findings(app, ctx, known_watchware))
        return out

    def app_findings(self, app: AppRecord, ctx: MatchContext, listed: set[str]) -> list[Finding]:
        """The heuristic findings of one app."""
        sdk = ctx.evidence.sdk
        caps = capabilities_of(app, sdk)
        powers = spying_powers(caps)
        strong = [p for p in powers if p in STRONG_POWERS]
        sideloaded = not from_store(app)
        hidden = is_hidden(app)
        posing = posing_reasons(app)
        recent = recent_reason(app, ctx.device_now, ctx.recent_days)
        ev = app_evidence(app)
        install = installer_reason(app)
        out: list[Finding] = []

        def add(rule_id: str, reasons: list[Reason], severity: Severity | None = None) -> None:
            out.append(
                self.finding(
                    rule_id,
                    app=app,
                    reasons=reasons,
                    capabilities=caps,
                    evidence=ev,
                    severity=severity,
                )
            )

        context: list[Reason] = []
        if hidden:
            context.append(reason("no_launcher_icon"))
        context.extend(posing)
        if recent is not None:
            context.append(recent)
        if app.battery_exempt:
            context.append(reason("battery_exempt"))
        if sideloaded and powers:
            covert = len(strong) >= 2 or (bool(strong) and (hidden or bool(posing)))
            add(
                "SS-APP-COVERT" if covert else "SS-APP-SIDELOAD-POWER",
                [install, *power_reasons(app, powers), *context],
            )
        if hidden and (sideloaded or powers):
            add("SS-APP-HIDDEN", [reason("no_launcher_icon"), *([install] if sideloaded else [])])
        if posing and sideloaded:
            # A look-alike name matters most with a power to abuse; alone it is a hint.
            add(
                "SS-APP-POSING",
                [*posing, install, *power_reasons(app, powers)],
                severity=None if powers else Severity.LOW,
            )
        if recent is not None and sideloaded:
            add("SS-APP-RECENT", [recent, install])
        if (app.input_method_users or app.default_input_method_users) and sideloaded:
            add("SS-APP-IME", [reason("keyboard_enabled"), install])
        if app.vpn_active or app.vpn_always_on_users:
            vpn_reasons = [reason("vpn_active" if app.vpn_active else "vpn_always_on")]
            if app.vpn_always_on_users:
                vpn_reasons.append(reason("vpn_always_on"))
            if sideloaded:
                add("SS-APP-VPN", [*vpn_reasons, install], severity=Severity.MEDIUM)
            else:
                add("SS-APP-VPN", vpn_reasons)
        tracking_caps = [c for c in caps if c in _TRACKING_POWERS]
        name = f"{app.package} {app.label or ''}"
        if app.package not in listed and tracking_caps and TRACKING_PURPOSE.search(name):
            add(
                "SS-DUAL-PURPOSE",
                [reason("tracking_purpose_name"), *power_reasons(app, tracking_caps)],
            )
        return out


def _feed_listed(ctx: MatchContext) -> set[str]:
    """Packages the feeds name (their dual-use finding comes from the indicator matcher)."""
    if ctx.index is None:
        return set()
    return {a.package for a in ctx.evidence.apps if ctx.index.by_package(a.package)}
