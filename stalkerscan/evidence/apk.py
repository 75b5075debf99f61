"""APK manifest and signing certificates, through androguard (the only module that imports it).

`analyse_apk` never raises for a bad APK: a corrupt, truncated, hostile or oversized file gives an
`ApkInfo` with `unparseable` set to the reason. The zip is checked by `apk_content.ApkArchive`
first (zip bombs, absurd sizes) because androguard decompresses the manifest and resources without
bounds. Nothing is written to disk. Labels and names are stored as found: they may be crafted
(escape them when displaying, never interpret them).

Certificates: SHA-1 and SHA-256 of the DER encoding, for each signer of the v1 (JAR), v2, v3 and
v3.1 schemes; the v3 proof-of-rotation attribute is parsed here (androguard keeps it as raw
bytes) to list the past signing certificates, oldest first, as `apksigner lineage` does.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from stalkerscan.errors import ApkError
from stalkerscan.evidence.apk_content import DEFAULT_LIMITS, ApkArchive, ZipLimits
from stalkerscan.evidence.common import Frozen

# androguard hands out lxml elements; lxml has no type stubs here.
_Element = Any
NS_ANDROID = "{http://schemas.android.com/apk/res/android}"
MAX_TEXT = 1000  # labels, names and version strings are cut to this many characters
# Resolving the label parses the whole resource table (framework-res's 32 MB table: ~12 s).
MAX_LABEL_RESOURCES_BYTES = 16 * 1024 * 1024

# Binding permissions that give a service a special power over the phone, by kind.
SERVICE_KINDS: dict[str, str] = {
    "android.permission.BIND_ACCESSIBILITY_SERVICE": "accessibility",
    "android.permission.BIND_NOTIFICATION_LISTENER_SERVICE": "notification_listener",
    "android.permission.BIND_NOTIFICATION_ASSISTANT_SERVICE": "notification_assistant",
    "android.permission.BIND_VPN_SERVICE": "vpn",
    "android.permission.BIND_INPUT_METHOD": "input_method",
    "android.permission.BIND_DEVICE_ADMIN": "device_admin",
    "android.permission.BIND_AUTOFILL_SERVICE": "autofill",
    "android.permission.BIND_VOICE_INTERACTION": "voice_interaction",
    "android.permission.BIND_INCALL_SERVICE": "incall",
    "android.permission.BIND_SCREENING_SERVICE": "call_screening",
    "android.permission.BIND_CARRIER_SERVICES": "carrier",
    "android.permission.BIND_COMPANION_DEVICE_SERVICE": "companion_device",
    "android.permission.BIND_JOB_SERVICE": "job",
    "android.permission.BIND_WALLPAPER": "wallpaper",
    "android.permission.BIND_QUICK_SETTINGS_TILE": "quick_settings_tile",
}
BOOT_ACTIONS = frozenset(
    {
        "android.intent.action.BOOT_COMPLETED",
        "android.intent.action.LOCKED_BOOT_COMPLETED",  # Android 7+ (direct boot)
        "android.intent.action.QUICKBOOT_POWERON",  # vendor variant (HTC, others)
        "com.htc.intent.action.QUICKBOOT_POWERON",
        "android.intent.action.REBOOT",
    }
)
DEVICE_ADMIN_ACTION = "android.app.action.DEVICE_ADMIN_ENABLED"
DEVICE_ADMIN_META = "android.app.device_admin"

_V3_ID = 0xF05368C0
_V31_ID = 0x1B93AD61
_PROOF_OF_ROTATION_ATTR = 0x3BA06F8C

Scheme = Literal["v1", "v2", "v3", "v3.1"]


class CertInfo(Frozen):
    """One signing certificate: digests of its DER bytes and the schemes that use it."""

    sha1: str
    sha256: str
    subject: str | None = None
    schemes: tuple[str, ...] = ()


class ComponentInfo(Frozen):
    """A service or receiver declared in the manifest."""

    name: str
    permission: str | None = None  # android:permission (the binding permission for services)
    kind: str | None = None  # services: accessibility, notification_listener, vpn, ...
    actions: tuple[str, ...] = ()
    enabled: bool = True  # android:enabled="false" in the manifest
    exported: bool | None = None


class ApkInfo(Frozen):
    """What one APK declares and who signed it; `unparseable` gives the reason when unreadable."""

    sha256: str | None = None
    size: int | None = None
    package: str | None = None
    label: str | None = None
    version_code: int | None = None
    version_name: str | None = None
    min_sdk: int | None = None
    target_sdk: int | None = None
    split: str | None = None  # the split name of a split APK ("config.arm64_v8a")
    permissions: tuple[str, ...] = ()
    services: tuple[ComponentInfo, ...] = ()
    receivers: tuple[ComponentInfo, ...] = ()
    device_admin_receivers: tuple[str, ...] = ()
    boot_receivers: tuple[str, ...] = ()
    launcher_activity: bool = False
    launcher_activities: tuple[str, ...] = ()
    signing_schemes: tuple[str, ...] = ()
    signers: tuple[CertInfo, ...] = ()  # current signers over all schemes (deduplicated)
    lineage: tuple[CertInfo, ...] = ()  # v3 proof-of-rotation, oldest first (includes current)
    problems: tuple[str, ...] = ()  # things seen but not fatal (traversal names, bad label ...)
    unparseable: str | None = None

    def services_of_kind(self, kind: str) -> tuple[str, ...]:
        """Names of the declared services of one kind (e.g. "accessibility")."""
        return tuple(s.name for s in self.services if s.kind == kind)

    def certificate_sha1s(self) -> tuple[str, ...]:
        """SHA-1 of every signer and past (lineage) certificate, lower-case hex, no duplicates."""
        return tuple(dict.fromkeys(c.sha1 for c in (*self.signers, *self.lineage)))

    def certificate_sha256s(self) -> tuple[str, ...]:
        """SHA-256 of every signer and past (lineage) certificate, lower-case hex, no duplicates."""
        return tuple(dict.fromkeys(c.sha256 for c in (*self.signers, *self.lineage)))


class _DropLibraryWarnings(logging.Filter):
    """Drops records that apkInspector (androguard's zip reader) logs on the root logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "apkInspector" not in record.pathname


_ROOT_FILTER = _DropLibraryWarnings()


def _quiet_androguard() -> None:
    # androguard 4 logs DEBUG lines to stderr through loguru, for every APK.
    from loguru import logger

    logger.disable("androguard")
    # apkInspector warns through the root logger ("Does not seem to be the start of a local
    # header!") for each damaged zip entry: without a handler Python prints that to stderr.
    root = logging.getLogger()
    if _ROOT_FILTER not in root.filters:
        root.addFilter(_ROOT_FILTER)


@contextlib.contextmanager
def _no_library_prints() -> Iterator[None]:
    """androguard `print()`s on some damaged resource tables ("We are out of bound ..."); a
    crafted APK must not write into our stdout (a JSON report may be going there)."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def analyse_apk(
    source: Path | str | bytes,
    *,
    limits: ZipLimits = DEFAULT_LIMITS,
    max_label_resources_bytes: int = MAX_LABEL_RESOURCES_BYTES,
) -> ApkInfo:
    """Parse an APK's manifest and signatures; never raises for a bad APK (see `unparseable`).

    The label is resolved through `resources.arsc` only when that table is at most
    `max_label_resources_bytes` (androguard parses it at ~3 MB/s); otherwise `label` is None and
    `problems` says why.
    """
    if isinstance(source, str):
        source = Path(source)
    try:
        data = _read_bounded(source, limits.max_file_bytes)
    except ApkError as err:
        return ApkInfo(unparseable=err.message)
    sha256 = hashlib.sha256(data).hexdigest()
    base: dict[str, Any] = {"sha256": sha256, "size": len(data)}
    problems: list[str] = []
    try:
        with ApkArchive(data, limits) as arc:
            problems.extend(arc.notes())
            names = set(arc.names)
            arsc_size = max(
                (i.file_size for i in arc.infos if i.filename == "resources.arsc"), default=0
            )
    except ApkError as err:
        return ApkInfo(**base, unparseable=err.message)
    if "AndroidManifest.xml" not in names:
        return ApkInfo(**base, problems=tuple(problems), unparseable="No AndroidManifest.xml.")

    _quiet_androguard()
    with _no_library_prints():
        return _androguard_info(data, base, problems, arsc_size, max_label_resources_bytes)


def _androguard_info(
    data: bytes,
    base: dict[str, Any],
    problems: list[str],
    arsc_size: int,
    max_label_resources_bytes: int,
) -> ApkInfo:
    """The androguard part of `analyse_apk` (manifest, label, signatures)."""
    from androguard.core.apk import APK

    try:
        apk = APK(data, raw=True)
    except Exception as err:  # androguard raises many types (zipfile, struct, its own, lxml)
        return ApkInfo(**base, problems=tuple(problems), unparseable=_reason(err))
    if not apk.is_valid_APK():
        return ApkInfo(
            **base, problems=tuple(problems), unparseable="The manifest could not be parsed."
        )
    try:
        resolve_label = arsc_size <= max_label_resources_bytes
        if not resolve_label:
            problems.append(
                f"label not resolved: resources.arsc is {arsc_size} bytes, over the "
                f"{max_label_resources_bytes}-byte limit for label resolution"
            )
        fields = _manifest_fields(apk, problems, resolve_label=resolve_label)
    except Exception as err:
        return ApkInfo(**base, problems=tuple(problems), unparseable=_reason(err))
    schemes, signers, lineage = _signatures(apk, data, problems)
    return ApkInfo(
        **base,
        **fields,
        signing_schemes=schemes,
        signers=signers,
        lineage=lineage,
        problems=tuple(problems),
    )


def _read_bounded(source: Path | bytes, max_bytes: int) -> bytes:
    if isinstance(source, bytes):
        if len(source) > max_bytes:
            raise ApkError(f"The APK is {len(source)} bytes, over the {max_bytes}-byte limit.")
        return source
    try:
        size = source.stat().st_size
        if size > max_bytes:
            raise ApkError(f"The APK is {size} bytes, over the {max_bytes}-byte limit.")
        with source.open("rb") as fh:
            return fh.read(max_bytes + 1)[:max_bytes]
    except OSError as err:
        raise ApkError(f"The APK could not be read: {err.strerror or err}.") from err


def _reason(err: BaseException) -> str:
    text = str(err).strip().replace("\n", " ")[:300]
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text[:MAX_TEXT] if text else None


def _int(value: object) -> int | None:
    text = str(value).strip() if value is not None else ""
    for base in (10, 0):  # "7", "007", then "0x7"
        try:
            return int(text, base)
        except ValueError:
            continue
    return None


def _full_name(package: str, name: str) -> str:
    # Manifest shorthand: ".Foo" and "Foo" both mean package + ".Foo".
    if name.startswith("."):
        return package + name
    if "." not in name:
        return f"{package}.{name}"
    return name


def _actions(el: _Element) -> tuple[str, ...]:
    out = []
    for flt in el.findall("intent-filter"):
        for action in flt.findall("action"):
            name = action.get(NS_ANDROID + "name")
            if name:
                out.append(name[:MAX_TEXT])
    return tuple(dict.fromkeys(out))


def _bool_attr(el: _Element, attr: str) -> bool | None:
    value = el.get(NS_ANDROID + attr)
    if value is None:
        return None
    return value.strip().lower() not in ("false", "0")


def _component(el: _Element, package: str) -> ComponentInfo | None:
    name = el.get(NS_ANDROID + "name")
    if not name:
        return None
    permission = el.get(NS_ANDROID + "permission")
    enabled = _bool_attr(el, "enabled")
    return ComponentInfo(
        name=_full_name(package, name)[:MAX_TEXT],
        permission=permission[:MAX_TEXT] if permission else None,
        kind=SERVICE_KINDS.get(permission or ""),
        actions=_actions(el),
        enabled=enabled is not False,
        exported=_bool_attr(el, "exported"),
    )


def _is_launcher(el: _Element) -> bool:
    for flt in el.findall("intent-filter"):
        actions = {a.get(NS_ANDROID + "name") for a in flt.findall("action")}
        cats = {c.get(NS_ANDROID + "name") for c in flt.findall("category")}
        if "android.intent.action.MAIN" in actions and "android.intent.category.LAUNCHER" in cats:
            return True
    return False


def _manifest_fields(apk: Any, problems: list[str], *, resolve_label: bool) -> dict[str, Any]:
    package = _text(apk.get_package()) or ""
    manifest = apk.get_android_manifest_xml()
    app = manifest.find("application") if manifest is not None else None
    services: list[ComponentInfo] = []
    receivers: list[ComponentInfo] = []
    launchers: list[str] = []
    admins: list[str] = []
    boots: list[str] = []
    if app is not None:
        for el in app.findall("service"):
            comp = _component(el, package)
            if comp:
                services.append(comp)
        for el in app.findall("receiver"):
            comp = _component(el, package)
            if comp is None:
                continue
            receivers.append(comp)
            metas = {m.get(NS_ANDROID + "name") for m in el.findall("meta-data")}
            if (
                comp.permission == "android.permission.BIND_DEVICE_ADMIN"
                or DEVICE_ADMIN_ACTION in comp.actions
                or DEVICE_ADMIN_META in metas
            ):
                admins.append(comp.name)
            if BOOT_ACTIONS.intersection(comp.actions):
                boots.append(comp.name)
        for el in [*app.findall("activity"), *app.findall("activity-alias")]:
            name = el.get(NS_ANDROID + "name")
            if name and _is_launcher(el):
                launchers.append(_full_name(package, name)[:MAX_TEXT])
    label = None
    try:
        if resolve_label:
            label = _text(apk.get_app_name())
    except Exception as err:  # a crafted resource table must not sink the rest
        problems.append(f"label not resolved: {_reason(err)}")
    split = manifest.get("split") if manifest is not None else None
    return {
        "package": package or None,
        "label": label,
        "version_code": _int(apk.get_androidversion_code()),
        "version_name": _text(apk.get_androidversion_name()),
        "min_sdk": _int(apk.get_min_sdk_version()),
        "target_sdk": _int(apk.get_target_sdk_version()),
        "split": _text(split),
        "permissions": tuple(sorted({p[:MAX_TEXT] for p in apk.get_permissions()})),
        "services": tuple(services),
        "receivers": tuple(receivers),
        "device_admin_receivers": tuple(admins),
        "boot_receivers": tuple(boots),
        "launcher_activity": bool(launchers),
        "launcher_activities": tuple(launchers),
    }


# --- signatures ------------------------------------------------------------------------------


def _cert_info(der: bytes, scheme: str | None = None) -> CertInfo:
    subject: str | None
    try:
        from cryptography import x509

        # A crafted certificate (e.g. a negative serial) makes cryptography warn on stderr.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cert = x509.load_der_x509_certificate(der)
        subject = cert.subject.rfc4514_string()[:MAX_TEXT]
    except Exception:  # a malformed certificate still has digests
        subject = None
    return CertInfo(
        sha1=hashlib.sha1(der, usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(der).hexdigest(),
        subject=subject,
        schemes=(scheme,) if scheme else (),
    )


def _signatures(
    apk: Any, data: bytes, problems: list[str]
) -> tuple[tuple[str, ...], tuple[CertInfo, ...], tuple[CertInfo, ...]]:
    schemes: list[str] = []
    by_digest: dict[str, CertInfo] = {}

    def add(der: bytes, scheme: str) -> None:
        info = _cert_info(der, scheme)
        old = by_digest.get(info.sha256)
        if old is None:
            by_digest[info.sha256] = info
        elif scheme not in old.schemes:
            by_digest[info.sha256] = old.model_copy(update={"schemes": (*old.schemes, scheme)})

    steps: list[tuple[str, Any, Any]] = [
        ("v1", apk.is_signed_v1, lambda: [c.dump() for c in apk.get_certificates_v1()]),
        ("v2", apk.is_signed_v2, apk.get_certificates_der_v2),
        ("v3", apk.is_signed_v3, apk.get_certificates_der_v3),
        ("v3.1", apk.is_signed_v31, apk.get_certificates_der_v31),
    ]
    for scheme, is_signed, certs in steps:
        try:
            if not is_signed():
                continue
            schemes.append(scheme)
            for der in certs():
                add(bytes(der), scheme)
        except Exception as err:  # one broken scheme must not hide the others
            problems.append(f"{scheme} signature not read: {_reason(err)}")
    lineage: list[CertInfo] = []
    try:
        lineage = signing_lineage(data)
    except ValueError as err:
        problems.append(f"v3 key-rotation lineage not read: {err}")
    return tuple(schemes), tuple(by_digest.values()), tuple(lineage)


def _lp(buf: io.BytesIO, what: str) -> bytes:
    """A uint32-length-prefixed slice (the APK signing block's framing)."""
    raw = buf.read(4)
    if len(raw) != 4:
        raise ValueError(f"truncated length of {what}")
    (n,) = struct.unpack("<I", raw)
    out = buf.read(n)
    if len(out) != n:
        raise ValueError(f"truncated {what}")
    return out


def _signing_block_pairs(data: bytes) -> dict[int, bytes]:
    """ID → value of the APK Signing Block (before the central directory), empty if none."""
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if eocd < 0 or eocd + 22 > len(data):
        return {}
    (cd_offset,) = struct.unpack_from("<I", data, eocd + 16)
    if (
        cd_offset < 32
        or cd_offset > len(data)
        or data[cd_offset - 16 : cd_offset] != (b"APK Sig Block 42")
    ):
        return {}
    (size,) = struct.unpack_from("<Q", data, cd_offset - 24)
    start = cd_offset - size - 8
    if start < 0:
        raise ValueError("signing block size points before the file")
    body = data[start + 8 : cd_offset - 24]
    buf = io.BytesIO(body)
    pairs: dict[int, bytes] = {}
    while True:
        head = buf.read(8)
        if len(head) < 8:
            break
        (n,) = struct.unpack("<Q", head)
        # A crafted uint64 length can exceed what BytesIO.read accepts (OverflowError): check it
        # against the bytes left first.
        if n < 4 or n > len(body) - buf.tell():
            raise ValueError("truncated signing block pair")
        value = buf.read(n)
        (pid,) = struct.unpack_from("<I", value)
        pairs.setdefault(pid, value[4:])
    return pairs


def signing_lineage(data: bytes) -> list[CertInfo]:
    """Certificates of the v3/v3.1 proof-of-rotation attribute, oldest first ([] if no rotation)."""
    pairs = _signing_block_pairs(data)
    for block_id in (_V31_ID, _V3_ID):  # v3.1 carries the newest lineage when present
        block = pairs.get(block_id)
        if block is None:
            continue
        signers = io.BytesIO(_lp(io.BytesIO(block), "signer sequence"))
        while signers.tell() < len(signers.getbuffer()):
            signer = io.BytesIO(_lp(signers, "signer"))
            signed = io.BytesIO(_lp(signer, "signed data"))
            _lp(signed, "digests")
            _lp(signed, "certificates")
            signed.read(8)  # min and max SDK
            attrs = io.BytesIO(_lp(signed, "additional attributes"))
            while attrs.tell() < len(attrs.getbuffer()):
                attr = _lp(attrs, "attribute")
                if len(attr) >= 4 and struct.unpack_from("<I", attr)[0] == _PROOF_OF_ROTATION_ATTR:
                    return _parse_lineage(attr[4:])
    return []


def _parse_lineage(value: bytes) -> list[CertInfo]:
    buf = io.BytesIO(value)
    if len(buf.read(4)) != 4:  # format version
        raise ValueError("truncated lineage")
    out: list[CertInfo] = []
    while buf.tell() < len(value) and len(out) < 100:
        node = io.BytesIO(_lp(buf, "lineage node"))
        signed = io.BytesIO(_lp(node, "lineage signed data"))
        out.append(_cert_info(_lp(signed, "lineage certificate"), "v3-lineage"))
    return out
