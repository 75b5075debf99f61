"""Findings about the phone itself: Play Protect, device/profile owners, root, bootloader."""

from __future__ import annotations

from collections.abc import Iterable

from stalkerscan.match.base import MatchContext, Matcher, Rule, reason
from stalkerscan.match.capabilities import capabilities_of
from stalkerscan.match.heuristics import from_store, installer_reason, is_system
from stalkerscan.match.indicators import app_evidence
from stalkerscan.result import Category, Confidence, Finding, Reason, Severity

# Apps that give root (installed packages are a root trace even when `su` is hidden).
ROOT_PACKAGES = frozenset(
    {
        "com.topjohnwu.magisk",
        "io.github.vvb2060.magisk",
        "io.github.huskydg.magisk",
        "me.weishu.kernelsu",
        "me.bmax.apatch",
        "eu.chainfire.supersu",
        "com.noshufou.android.su",
        "com.koushikdutta.superuser",
        "com.kingroot.kinguser",
        "com.kingo.root",
        "com.zhiqupk.root.global",
        "com.thirdparty.superuser",
        "com.yellowes.su",
    }
)


class DeviceMatcher(Matcher):
    """The phone's own state that makes spying easier or shows someone set it up."""

    name = "device"
    rules = (
        Rule(
            "SS-DEV-PLAY-PROTECT",
            "Google Play Protect app scanning is turned off",
            Severity.MEDIUM,
            Confidence.HIGH,
            Category.DEVICE,
        ),
        Rule(
            "SS-DEV-OWNER",
            "A device or profile owner that is not a known store or system app manages the phone",
            Severity.HIGH,
            Confidence.MEDIUM,
            Category.DEVICE,
        ),
        Rule(
            "SS-DEV-MANAGED",
            "The phone or a work profile is managed by an organisation's app",
            Severity.INFO,
            Confidence.HIGH,
            Category.DEVICE,
        ),
        Rule(
            "SS-DEV-ROOT",
            "The phone is rooted (full control for any app given root)",
            Severity.MEDIUM,
            Confidence.HIGH,
            Category.DEVICE,
        ),
        Rule(
            "SS-DEV-BOOTLOADER",
            "The bootloader is unlocked (the system can be modified)",
            Severity.MEDIUM,
            Confidence.HIGH,
            Category.DEVICE,
        ),
    )

    def match(self, ctx: MatchContext) -> Iterable[Finding]:
        """Device-level findings."""
        ev = ctx.evidence
        out: list[Finding] = []
        g = ev.settings_global
        if g is not None and g.package_verifier_enable is False:
            reasons = [reason("play_protect_off", setting="package_verifier_enable")]
            if g.upload_apk_enable is False:
                reasons.append(reason("play_protect_upload_off", setting="upload_apk_enable"))
            out.append(self.finding("SS-DEV-PLAY-PROTECT", reasons=reasons))
        out.extend(self._owners(ctx))
        root: list[Reason] = []
        if ev.su is not None and ev.su.present:
            root.append(reason("su_on_path", path=ev.su.path or "su"))
        for app in ev.apps:
            if app.users and app.package in ROOT_PACKAGES:
                root.append(reason("root_app_installed", package=app.package))
        if ev.getprop is not None and "test-keys" in ev.getprop.build_tags:
            root.append(reason("test_keys_build"))
        if root and ev.selinux is not None and ev.selinux.mode == "permissive":
            root.append(reason("selinux_permissive"))
        if root:
            out.append(self.finding("SS-DEV-ROOT", reasons=root))
        gp = ev.getprop
        if gp is not None and (gp.bootloader == "unlocked" or gp.verified_boot_state == "orange"):
            boot: list[Reason] = []
            if gp.bootloader == "unlocked":
                boot.append(reason("bootloader_unlocked"))
            if gp.verified_boot_state == "orange":
                boot.append(reason("verified_boot_orange"))
            out.append(self.finding("SS-DEV-BOOTLOADER", reasons=boot))
        return out

    def _owners(self, ctx: MatchContext) -> list[Finding]:
        ev = ctx.evidence
        out: list[Finding] = []
        for app in ev.apps:
            if not (app.device_owner or app.profile_owner_users):
                continue
            reasons: list[Reason] = []
            if app.device_owner:
                reasons.append(reason("device_owner"))
            for user in app.profile_owner_users:
                reasons.append(reason("profile_owner", user=user))
            trusted = is_system(app) or from_store(app)
            if not trusted:
                reasons.append(installer_reason(app))
            users = tuple(app.profile_owner_users) or tuple(app.users)
            out.append(
                self.finding(
                    "SS-DEV-MANAGED" if trusted else "SS-DEV-OWNER",
                    app=app,
                    users=users,
                    reasons=reasons,
                    capabilities=capabilities_of(app, ev.sdk),
                    evidence=app_evidence(app),
                )
            )
        return out
