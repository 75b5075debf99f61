"""Normalising indicator values: one spelling per certificate, hash, host, package, IP."""

from __future__ import annotations

import pytest

from stalkerscan.indicators.normalize import (
    certificate_kind,
    normalize_certificate,
    normalize_host,
    normalize_ip,
    normalize_package,
    normalize_sha256,
)

SHA1 = "61ED377E85D386A8DFEE6B864BD85B0BFAA5AF81"


@pytest.mark.parametrize(
    "raw",
    [
        SHA1,
        SHA1.lower(),
        ":".join(SHA1[i : i + 2] for i in range(0, 40, 2)),
        " ".join(SHA1[i : i + 2].lower() for i in range(0, 40, 2)),
        f"  {SHA1}\n",
    ],
)
def test_certificate_spellings_normalise_to_one(raw: str) -> None:
    assert normalize_certificate(raw) == SHA1
    assert certificate_kind(normalize_certificate(raw)) == "sha1"


def test_sha256_certificate_is_told_apart_by_length() -> None:
    digest = "a40da80a59d170caa950cf15c18c454d47a39b26989d8b640ecd745ba71bf5dc"
    assert certificate_kind(normalize_certificate(digest)) == "sha256"


@pytest.mark.parametrize("raw", ["", "XYZ", "AB" * 19, "AB" * 21, "AB" * 16, "G" * 40])
def test_bad_certificates_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_certificate(raw)


def test_hosts() -> None:
    assert normalize_host("C2.Example.COM.") == "c2.example.com"
    assert normalize_host("xn--bcher-kva.example") == "xn--bcher-kva.example"
    assert normalize_host("bücher.example") == "xn--bcher-kva.example"
    assert normalize_host(" 192.0.2.1 ") == "192.0.2.1"
    for bad in ("https://x.example/a", "localhost", "a..example", "-a.example", "a b.example"):
        with pytest.raises(ValueError):
            normalize_host(bad)


def test_packages_keep_case_and_need_two_segments() -> None:
    assert normalize_package("app.EasyLogger") == "app.EasyLogger"
    for bad in ("single", "com..x", "1com.x", "com.x-y", "com.x/../y", "com.x\ny"):
        with pytest.raises(ValueError):
            normalize_package(bad)


def test_sha256_and_ip() -> None:
    assert normalize_sha256("AB" * 32) == "ab" * 32
    with pytest.raises(ValueError):
        normalize_sha256("ab" * 31)
    assert normalize_ip("2001:DB8::1") == "2001:db8::1"
    with pytest.raises(ValueError):
        normalize_ip("192.0.2.300")
