"""Normalising indicator values: one spelling for each package, certificate, hash, host and IP.

Each `normalize_*` function returns the canonical form or raises `ValueError` with a short,
human-readable reason; the importer turns that reason into a reported problem, the strict model
into a refusal. No heavy imports here: the index loader uses these at scan time.
"""

from __future__ import annotations

import ipaddress
import re

# Android package names: dot-separated Java identifiers, at least two segments (PackageParser
# refuses one-segment names for apps). Case matters: `app.EasyLogger` and `app.Easylogger` are two
# different apps in the Echap feed.
_PACKAGE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_HEX = re.compile(r"[0-9A-Fa-f]+")
# Separators people paste into certificate digests: `AA:BB`, `AA BB`, `AA-BB`.
_CERT_SEPARATORS = re.compile(r"[\s:\-]")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_TLD = re.compile(r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?|xn--[a-z0-9-]{1,59}")

MAX_PACKAGE_LEN = 255
SHA1_HEX_LEN = 40
SHA256_HEX_LEN = 64


def normalize_package(value: str) -> str:
    """A package name as given (case kept), checked against Android's package-name syntax."""
    name = value.strip()
    if not name:
        raise ValueError("empty package name")
    if len(name) > MAX_PACKAGE_LEN:
        raise ValueError(f"package name longer than {MAX_PACKAGE_LEN} characters")
    if not _PACKAGE.fullmatch(name):
        raise ValueError(f"not an Android package name: {name!r}")
    return name


def normalize_certificate(value: str) -> str:
    """A certificate digest as 40 (SHA-1) or 64 (SHA-256) upper-case hex digits, no separators."""
    digest = _CERT_SEPARATORS.sub("", value.strip())
    if not digest or not _HEX.fullmatch(digest):
        raise ValueError(f"certificate digest is not hexadecimal: {value!r}")
    if len(digest) not in (SHA1_HEX_LEN, SHA256_HEX_LEN):
        raise ValueError(
            f"certificate digest has {len(digest)} hex digits; expected 40 (SHA-1) or 64 (SHA-256)"
        )
    return digest.upper()


def certificate_kind(digest: str) -> str:
    """'sha1' or 'sha256' for a normalised certificate digest (told apart by length)."""
    return "sha1" if len(digest) == SHA1_HEX_LEN else "sha256"


def normalize_sha256(value: str) -> str:
    """An APK SHA-256 as 64 lower-case hex digits."""
    digest = value.strip()
    if len(digest) != SHA256_HEX_LEN or not _HEX.fullmatch(digest):
        raise ValueError(f"not a SHA-256 (64 hex digits): {value[:80]!r}")
    return digest.lower()


def normalize_host(value: str) -> str:
    """A host name in lower case, no trailing dot, IDN in ASCII form; or an IP literal."""
    host = value.strip().lower().rstrip(".")
    if not host:
        raise ValueError("empty host name")
    if "://" in host or "/" in host:
        raise ValueError(f"a URL, not a host name: {value[:120]!r}")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as err:
            raise ValueError(f"not a valid international host name: {value[:120]!r}") from err
    if len(host) > 253:
        raise ValueError("host name longer than 253 characters")
    labels = host.split(".")
    if len(labels) < 2:
        raise ValueError(f"host name without a domain: {value[:120]!r}")
    if not all(_LABEL.fullmatch(label) for label in labels[:-1]) or not _TLD.fullmatch(labels[-1]):
        raise ValueError(f"not a host name: {value[:120]!r}")
    return host


def normalize_ip(value: str) -> str:
    """An IPv4 or IPv6 address in its canonical text form."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError as err:
        raise ValueError(f"not an IP address: {value[:80]!r}") from err


def is_ip_literal(value: str) -> bool:
    """True when `value` is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
