"""`getprop` -> all properties plus the typed fields a stalkerware check needs.

Format (every Android version): one `[key]: [value]` per line. A value may span lines (a newline
inside a property, seen on some vendor builds): the value then ends at the first line ending
in `]`. Lines that are not properties are counted in `issues`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import Field

from stalkerscan.evidence._dumpsys import lines_of
from stalkerscan.evidence.common import Frozen, IssueCounter, ParseIssues, to_text

_PROP_START = re.compile(r"^\[([^\[\]]*)\]:\s*\[(.*)$")

VerifiedBootState = Literal["green", "yellow", "orange", "red"]
LockState = Literal["locked", "unlocked"]


class VendorOs(Frozen):
    """The vendor skin and its version, when the build says (None on AOSP/Pixel)."""

    name: str  # "MIUI", "HyperOS", "One UI", "EMUI", "MagicOS", "ColorOS", "FuntouchOS", "OriginOS"
    version: str


class Getprop(Frozen):
    """Parsed `getprop`: every property in `props`, and typed views of the useful ones."""

    props: dict[str, str] = Field(default_factory=dict)
    model: str | None = None
    manufacturer: str | None = None
    brand: str | None = None
    device: str | None = None
    android_release: str | None = None  # ro.build.version.release ("9", "14", "8.1.0")
    sdk: int | None = None  # ro.build.version.sdk
    security_patch: date | None = None  # ro.build.version.security_patch
    fingerprint: str | None = None
    build_type: str | None = None  # user / userdebug / eng
    build_tags: tuple[str, ...] = ()  # ("release-keys",) or ("test-keys",) ...
    incremental: str | None = None  # ro.build.version.incremental
    debuggable: bool | None = None  # ro.debuggable == "1"
    verified_boot_state: VerifiedBootState | None = None  # ro.boot.verifiedbootstate
    bootloader: LockState | None = None  # from ro.boot.flash.locked / vbmeta.device_state
    crypto_state: str | None = None  # ro.crypto.state: encrypted / unencrypted / unsupported
    crypto_type: str | None = None  # ro.crypto.type: file / block
    vendor_os: VendorOs | None = None
    issues: ParseIssues = ParseIssues()

    @property
    def test_keys(self) -> bool:
        """True when the build is signed with test keys (custom ROM or rooted build)."""
        return "test-keys" in self.build_tags


def parse_getprop(data: bytes | str) -> Getprop:
    """Parse `getprop` output (never raises)."""
    text = to_text(data)
    issues = IssueCounter()
    props: dict[str, str] = {}
    lines = lines_of(text)
    i = 0
    while i < len(lines):
        line = lines[i].rstrip(" \t")  # padding some Windows tools add after the "]"
        i += 1
        if not line:
            continue
        m = _PROP_START.match(line)
        if m is None:
            issues.add(line)
            continue
        key, rest = m.group(1), m.group(2)
        if rest.endswith("]"):
            props[key] = rest[:-1]
            continue
        # A multi-line value: gather until a line that ends with "]" (bounded to 50 lines).
        parts = [rest]
        closed = False
        while i < len(lines) and len(parts) < 50:
            nxt = lines[i].rstrip(" \t")
            if _PROP_START.match(nxt):
                break
            i += 1
            if nxt.endswith("]"):
                parts.append(nxt[:-1])
                closed = True
                break
            parts.append(nxt)
        if not closed:
            issues.add(line)
        props[key] = "\n".join(parts)
    return _typed(props, issues.freeze())


def _first(props: dict[str, str], *keys: str) -> str | None:
    for k in keys:
        v = props.get(k, "").strip()
        if v:
            return v
    return None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def _patch(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _bootloader(props: dict[str, str]) -> LockState | None:
    flash = props.get("ro.boot.flash.locked", "").strip()
    if flash == "1":
        return "locked"
    if flash == "0":
        return "unlocked"
    state = props.get("ro.boot.vbmeta.device_state", "").strip().lower()
    if state in ("locked", "unlocked"):
        return "locked" if state == "locked" else "unlocked"
    return None


def _verified_boot(props: dict[str, str]) -> VerifiedBootState | None:
    v = props.get("ro.boot.verifiedbootstate", "").strip().lower()
    if v == "green":
        return "green"
    if v == "yellow":
        return "yellow"
    if v == "orange":
        return "orange"
    if v == "red":
        return "red"
    return None


def vendor_os_of(props: dict[str, str]) -> VendorOs | None:
    """Which vendor skin the properties describe (HyperOS before MIUI: HyperOS keeps both)."""
    checks: tuple[tuple[str, str], ...] = (
        ("ro.mi.os.version.name", "HyperOS"),  # Xiaomi HyperOS (2023+), e.g. "OS1.0"
        ("ro.miui.ui.version.name", "MIUI"),  # Xiaomi MIUI, e.g. "V140"
        ("ro.build.version.oneui", "One UI"),  # Samsung, e.g. "60100" = One UI 6.1
        ("ro.build.version.magic", "MagicOS"),  # Honor
        ("ro.build.version.emui", "EMUI"),  # Huawei, e.g. "EmotionUI_12.0.0"
        ("ro.build.version.opporom", "ColorOS"),  # Oppo/Realme/OnePlus, e.g. "V13.1"
        ("ro.build.version.oplusrom", "ColorOS"),  # newer Oppo builds
        ("ro.vivo.os.version", "FuntouchOS"),  # Vivo, e.g. "13"
        ("ro.vivo.product.version", "FuntouchOS"),
    )
    for key, name in checks:
        value = props.get(key, "").strip()
        if value:
            if name == "FuntouchOS" and "origin" in props.get("ro.vivo.os.name", "").lower():
                name = "OriginOS"
            return VendorOs(name=name, version=value)
    return None


def _typed(props: dict[str, str], issues: ParseIssues) -> Getprop:
    tags = _first(props, "ro.build.tags")
    debuggable = props.get("ro.debuggable", "").strip()
    return Getprop(
        props=props,
        model=_first(props, "ro.product.model", "ro.product.vendor.model"),
        manufacturer=_first(props, "ro.product.manufacturer", "ro.product.vendor.manufacturer"),
        brand=_first(props, "ro.product.brand", "ro.product.vendor.brand"),
        device=_first(props, "ro.product.device", "ro.product.vendor.device"),
        android_release=_first(
            props, "ro.build.version.release", "ro.build.version.release_or_codename"
        ),
        sdk=_int(_first(props, "ro.build.version.sdk")),
        security_patch=_patch(_first(props, "ro.build.version.security_patch")),
        fingerprint=_first(props, "ro.build.fingerprint", "ro.vendor.build.fingerprint"),
        build_type=_first(props, "ro.build.type"),
        build_tags=tuple(t.strip() for t in tags.split(",") if t.strip()) if tags else (),
        incremental=_first(props, "ro.build.version.incremental"),
        debuggable=None if debuggable not in ("0", "1") else debuggable == "1",
        verified_boot_state=_verified_boot(props),
        bootloader=_bootloader(props),
        crypto_state=_first(props, "ro.crypto.state"),
        crypto_type=_first(props, "ro.crypto.type"),
        vendor_os=vendor_os_of(props),
        issues=issues,
    )
