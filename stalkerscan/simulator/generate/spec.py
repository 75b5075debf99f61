"""The scenario/device spec: a compact YAML description of a phone that the generator renders.

Format reference: `docs/profiles.md`. A spec says what is on the phone (device, users,
settings, apps and what they were granted); the renderers derive every command's output from
it, so the artifacts always agree with each other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stalkerscan.errors import ProfileError

ANDROID_VERSIONS = (7, 8, 9, 10, 11, 12, 13, 14, 15, 16)
VENDORS = ("pixel", "aosp", "samsung", "xiaomi", "huawei", "oppo", "vivo")
Vendor = Literal["pixel", "aosp", "samsung", "xiaomi", "huawei", "oppo", "vivo"]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)i?[bB]?\s*$")
_REL = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_size(value: int | float | str) -> int:
    """Bytes from `1.5 GB`, `12MB`, `800k` or a number (decimal units: MB = 10**6)."""
    if isinstance(value, int | float):
        return int(value)
    m = _SIZE.match(value)
    if not m:
        raise ValueError(f"not a size: {value!r} (examples: 12MB, 1.5 GB, 800k)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def parse_offset(value: int | float | str) -> int:
    """Seconds relative to the scenario clock from `-3d`, `-2h`, `-90m` or a number of seconds."""
    if isinstance(value, int | float):
        return int(value)
    m = _REL.match(value)
    if not m:
        raise ValueError(f"not a relative time: {value!r} (examples: -3d, -2h, -400d)")
    return int(float(m.group(1)) * _SECONDS[m.group(2)])


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DeviceSpec(_M):
    """The phone itself: maker, model, Android version, build, boot and root state."""

    vendor: Vendor = "pixel"
    android: int = 14
    maker: str | None = None  # ro.product.manufacturer; default from the vendor
    brand: str | None = None
    model: str | None = None
    device: str | None = None  # ro.product.device (code name)
    security_patch: str | None = None  # YYYY-MM-DD; default from the Android version
    build_id: str | None = None
    build_type: Literal["user", "userdebug", "eng"] = "user"
    build_tags: str = "release-keys"
    verified_boot: Literal["green", "yellow", "orange", "red"] = "green"
    bootloader_locked: bool = True
    selinux: Literal["Enforcing", "Permissive", "Disabled"] = "Enforcing"
    rooted: bool = False  # su on PATH (`which su` answers)
    sha256sum: bool | None = None  # None: present on Android 8+ (toybox), absent on 7
    encrypted: bool = True
    timezone: str = "UTC"
    serial: str | None = None
    abi: str = "arm64-v8a"
    extra_properties: dict[str, str] = Field(default_factory=dict)

    @field_validator("android")
    @classmethod
    def _version(cls, v: int) -> int:
        if v not in ANDROID_VERSIONS:
            raise ValueError(f"Android {v} is not rendered (choose one of {ANDROID_VERSIONS})")
        return v


class UserSpec(_M):
    """One Android user: the owner (0), a managed work profile, or a secondary user."""

    id: int = Field(ge=0, le=999)
    name: str = "Owner"
    kind: Literal["owner", "work", "secondary"] = "owner"
    running: bool = True


class SettingsSpec(_M):
    """Settings the checks read, plus any extra keys per namespace."""

    play_protect: bool = True  # package_verifier_enable
    play_protect_upload: bool = True  # upload_apk_enable
    verifier_user_consent: int = 1  # package_verifier_user_consent
    dev_options: bool = True  # development_settings_enabled (USB debugging needs it)
    adb: bool = True
    unknown_sources: bool = False  # install_non_market_apps (Android 7; per-app after 8)
    location_mode: int = 3
    global_: dict[str, str] = Field(default_factory=dict, alias="global")
    secure: dict[str, str] = Field(default_factory=dict)
    system: dict[str, str] = Field(default_factory=dict)


class ServiceSpec(_M):
    """A declared service/receiver and whether the user turned it on."""

    name: str  # class name; `.X` is relative to the package
    enabled: bool = False  # accessibility on / listener approved / IME enabled / admin active


class AdminSpec(_M):
    """A device-admin receiver; `owner` makes the app device or profile owner."""

    name: str
    active: bool = False
    owner: Literal["none", "device", "profile"] = "none"


class ImeSpec(_M):
    """An input method service."""

    name: str
    enabled: bool = False
    default: bool = False


class VpnSpec(_M):
    """A VPN service; `active` = connected now; `always_on` = set as always-on VPN."""

    name: str
    active: bool = False
    always_on: bool = False
    lockdown: bool = False


class ApkSpec(_M):
    """Where an app's base.apk bytes come from: a real APK of the package, or generated bytes."""

    source: str | None = None  # a file name under stalkerscan/simulator/apks/
    size: int | str | None = None  # generated bytes of this size
    split_sources: dict[str, str] = Field(default_factory=dict)  # split name -> apk file


class RemovedSpec(_M):
    """The app was uninstalled: when, and whether its data was kept (`pm uninstall -k`)."""

    at: str | int = "-1d"
    keep_data: bool = False


class AppSpec(_M):
    """One package on the phone and everything it was granted."""

    package: str
    label: str | None = None
    version_code: int = 1
    version_name: str | None = None
    min_sdk: int = 24
    target_sdk: int | None = None
    installer: str | None = "com.android.vending"
    initiator: str | None = None  # installing app (Android 11+ prints it); default = installer
    originator: str | None = None  # e.g. the browser that downloaded the APK
    system: Literal["no", "system", "priv", "product", "vendor", "system_ext"] = "no"
    system_dir: str | None = None  # folder name under /system/app etc.
    updated_system: bool = False
    users: list[int] = Field(default_factory=lambda: [0])
    enabled: Literal["default", "enabled", "disabled", "disabled-user", "disabled-until-used"] = (
        "default"
    )
    hidden: bool = False
    suspended: bool = False
    stopped: bool = False
    installed: str | int = "-200d"
    updated: str | int | None = None
    launcher: bool | str = True  # False: no launcher activity; a string: the activity class
    permissions: list[str] = Field(default_factory=list)  # requested and granted
    denied: list[str] = Field(default_factory=list)  # requested, not granted
    accessibility: ServiceSpec | None = None
    notification_listener: ServiceSpec | None = None
    device_admin: AdminSpec | None = None
    input_method: ImeSpec | None = None
    vpn: VpnSpec | None = None
    boot_receiver: bool = False
    roles: list[str] = Field(default_factory=list)  # e.g. android.app.role.SMS
    battery_exempt: bool = False
    appops: dict[str, str] = Field(default_factory=dict)  # e.g. GET_USAGE_STATS: allow
    accounts: list[str] = Field(default_factory=list)  # account types this app owns (one each)
    apk: ApkSpec | None = None
    splits: list[str] = Field(default_factory=list)
    removed: RemovedSpec | None = None
    used: str | int | None = None  # last time the app was used (usage stats)
    shared_user: str | None = None
    signing_version: int = 3

    @field_validator("package")
    @classmethod
    def _pkg(cls, v: str) -> str:
        # Hostile specs use odd names on purpose; only emptiness is refused.
        if not v:
            raise ValueError("package must not be empty")
        return v


class BackgroundSpec(_M):
    """Realistic filler: the vendor's system apps and generic user apps up to a total."""

    preset: Vendor | None = None  # default: the device vendor
    total_packages: int = Field(default=300, ge=0, le=20000)
    user_apps: int = Field(default=80, ge=0, le=20000)
    apk_bytes: int | str = "1.5GB"  # total declared APK bytes of the whole phone
    split_fraction: float = Field(default=0.6, ge=0, le=1)


class AccountSpec(_M):
    """An account on the phone, by type (names are fictional and masked by the collector)."""

    type: str
    name: str = "user@example.org"
    user: int = 0


class MutationSpec(_M):
    """Hostile tweaks applied after rendering (issue 9): see generate/hostile.py."""

    hostile: bool = False
    huge_dumpsys_mb: int = Field(default=0, ge=0, le=4096)
    long_line_mb: int = Field(default=0, ge=0, le=1024)


SIGNALS = (
    # per app
    "indicator-package", "sideloaded", "accessibility", "notification-listener", "device-admin",
    "device-owner", "profile-owner", "no-launcher", "recent-install", "battery-exempt",
    "usage-access", "background-location", "sms", "call-log", "microphone", "boot",
    "input-method", "vpn", "removed-trace", "dual-use", "store", "work-profile",
    # device
    "play-protect-off", "unknown-sources", "root", "bootloader-unlocked", "test-keys",
    "selinux-permissive",
)  # fmt: skip
Level = Literal["none", "info", "low", "medium", "high"]


class AppExpectation(_M):
    """What the scan should say about one app: the highest level and the signals behind it."""

    level: Level
    user: int = 0
    signals: list[str] = Field(default_factory=list)

    @field_validator("signals")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        for sig in v:
            if sig not in SIGNALS:
                raise ValueError(f"unknown signal {sig!r} (known: {', '.join(SIGNALS)})")
        return v


class Expectation(_M):
    """Machine-readable expected outcome (the detection tests map signals to their rule IDs)."""

    max_level: Level | None = None  # the highest finding level on the phone (None: not stated)
    apps: dict[str, AppExpectation] = Field(default_factory=dict)
    device: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)  # packages that must have no finding >= low

    @field_validator("device")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        for sig in v:
            if sig not in SIGNALS:
                raise ValueError(f"unknown signal {sig!r}")
        return v


class ScenarioSpec(_M):
    """The whole spec file."""

    schema_: int = Field(default=1, alias="schema")
    name: str
    title: str = ""
    description: str = ""
    trainer: bool = False  # listed by `stalkerscan demo --list`
    expected: list[str] = Field(default_factory=list)  # human notes on the expected findings
    expect: Expectation | None = None  # the same, machine-readable
    extends: str | None = None  # another spec's name; this one overrides its keys
    seed: int = 1
    clock: str = "2026-11-20T09:30:00Z"  # the phone's "now" (date +%s); all times are relative
    device: DeviceSpec = Field(default_factory=DeviceSpec)
    users: list[UserSpec] = Field(default_factory=lambda: [UserSpec(id=0)])
    settings: SettingsSpec = Field(default_factory=SettingsSpec)
    background: BackgroundSpec | None = Field(default_factory=BackgroundSpec)
    apps: list[AppSpec] = Field(default_factory=list)
    accounts: list[AccountSpec] = Field(default_factory=list)
    link: str | dict[str, float] = "zero"  # "standard", "zero" or explicit knobs
    mvt: bool = False  # also answer MVT's per-package commands (pm path, dumpsys package PKG)
    mutations: MutationSpec = Field(default_factory=MutationSpec)
    auth: dict[str, Any] = Field(default_factory=dict)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge mappings; lists and scalars of `over` replace the base's (apps: appended)."""
    out = dict(base)
    for k, v in over.items():
        if k == "apps" and isinstance(v, list) and isinstance(out.get(k), list):
            # An app of the child with the same package updates the parent's app key by key.
            merged = list(out[k])
            for app in v:
                pkg = app.get("package") if isinstance(app, dict) else None
                idx = next((i for i, a in enumerate(merged) if a.get("package") == pkg), None)
                if idx is None or not isinstance(app, dict):
                    merged.append(app)
                else:
                    merged[idx] = _merge(merged[idx], app)
            out[k] = merged
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def load_spec_data(
    data: dict[str, Any], *, source: str = "<memory>", search: list[Path] | None = None
) -> ScenarioSpec:
    """Validate a spec dict, resolving `extends:` against the spec files in `search`."""
    import yaml

    seen = {data.get("name")}
    while isinstance(data.get("extends"), str):
        parent_name = data["extends"]
        if parent_name in seen:
            raise ProfileError(f"{source}: extends: loop through {parent_name!r}.")
        seen.add(parent_name)
        parent = None
        for d in search or []:
            cand = d / f"{parent_name}.yaml"
            if cand.is_file():
                parent = yaml.safe_load(cand.read_text(encoding="utf-8"))
                break
        if not isinstance(parent, dict):
            raise ProfileError(f"{source}: extends: no spec named {parent_name!r}.")
        child = {k: v for k, v in data.items() if k != "extends"}
        for k in ("trainer", "title", "description", "expected", "expect"):
            parent.pop(k, None)
        data = _merge(parent, child)
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as err:
        parts = []
        for e in err.errors()[:5]:
            loc = ".".join(str(p) for p in e["loc"])
            parts.append(f"{loc}: {e['msg']}")
        raise ProfileError(f"{source}: " + "; ".join(parts)) from None


def load_spec(path: Path, search: list[Path] | None = None) -> ScenarioSpec:
    """Load and validate one spec file (YAML, safe loader)."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise ProfileError(f"{path}: cannot read the spec: {err}".replace("\n", " ")) from None
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: the top level must be a mapping.")
    return load_spec_data(data, source=str(path), search=[path.parent, *(search or [])])
