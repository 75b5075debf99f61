"""getprop: typed fields per Android version and vendor, multi-line values, Windows copies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from stalkerscan.evidence.getprop import parse_getprop

from ._device_checks import (
    FIXTURES,
    SAMPLE,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("getprop", "getprop.txt")
G = FIXTURES / "getprop"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("getprop", path, parse_getprop(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_getprop, path.read_bytes())


def test_real_android9_emulator() -> None:
    g = parse_getprop((SAMPLE / "getprop.txt").read_bytes())
    assert g.sdk == 28 and g.android_release == "9"
    assert g.model == "Android SDK built for x86"
    assert g.security_patch == date(2018, 9, 5)
    assert g.verified_boot_state == "orange"
    assert g.build_tags == ("release-keys",) and not g.test_keys
    assert g.debuggable is False
    assert g.crypto_state == "encrypted" and g.crypto_type == "block"
    assert g.vendor_os is None
    assert g.issues.unparsed_lines == 0
    assert len(g.props) > 300


@pytest.mark.parametrize(
    ("name", "vendor", "version", "sdk"),
    [
        ("android7_samsung", None, None, 24),
        ("android10_huawei_emui", "EMUI", "EmotionUI_10.1.0", 29),
        ("android11_xiaomi_miui", "MIUI", "V125", 30),
        ("android12_vivo_funtouch", "FuntouchOS", "12.0", 31),
        ("android13_oppo_coloros", "ColorOS", "V13.0", 33),
        ("android14_pixel", None, None, 34),
        ("android14_xiaomi_hyperos", "HyperOS", "OS1.0", 34),
        ("android16_samsung_oneui", "One UI", "80000", 36),
    ],
)
def test_vendor_os_and_sdk(name: str, vendor: str | None, version: str | None, sdk: int) -> None:
    g = parse_getprop((G / f"{name}.txt").read_bytes())
    assert g.sdk == sdk
    if vendor is None:
        assert g.vendor_os is None
    else:
        assert g.vendor_os is not None
        assert (g.vendor_os.name, g.vendor_os.version) == (vendor, version)


def test_bootloader_and_root_traces() -> None:
    rooted = parse_getprop((G / "android11_rooted_testkeys.txt").read_bytes())
    assert rooted.test_keys
    assert rooted.build_type == "userdebug"
    assert rooted.debuggable is True
    assert rooted.bootloader == "unlocked"
    assert rooted.verified_boot_state == "orange"
    pixel = parse_getprop((G / "android14_pixel.txt").read_bytes())
    assert pixel.bootloader == "locked" and pixel.verified_boot_state == "green"
    assert not pixel.test_keys
    huawei = parse_getprop((G / "android10_huawei_emui.txt").read_bytes())
    assert huawei.bootloader == "locked"  # from ro.boot.vbmeta.device_state only


def test_multiline_value_is_kept_whole() -> None:
    g = parse_getprop((G / "android14_pixel.txt").read_bytes())
    assert g.props["ro.fictional.multiline"] == "first line\nsecond line\nthird line"
    assert g.props["persist.sys.dalvik.vm.lib.2"] == "libart.so"
    assert g.issues.unparsed_lines == 0


def test_unknown_lines_are_counted_not_fatal() -> None:
    g = parse_getprop(
        "[ro.product.model]: [X]\nwarning: something odd\n[ro.build.version.sdk]: [x]\n"
    )
    assert g.model == "X"
    assert g.sdk is None  # not a number: left unset, never a crash
    assert g.issues.unparsed_lines == 1
    assert g.issues.examples == ("warning: something odd",)


def test_unclosed_multiline_value_is_counted() -> None:
    g = parse_getprop("[a]: [one\ntwo")
    assert g.props["a"] == "one\ntwo"
    assert g.issues.unparsed_lines == 1


def test_trailing_padding_is_ignored() -> None:
    g = parse_getprop("[ro.product.model]: [Pixel 7]   \n[ro.build.version.sdk]: [34]\t\n")
    assert (g.model, g.sdk) == ("Pixel 7", 34)
    assert g.issues.unparsed_lines == 0


def test_empty_input() -> None:
    g = parse_getprop(b"")
    assert g.props == {} and g.model is None and g.issues.unparsed_lines == 0


def test_bad_patch_date_is_none() -> None:
    assert parse_getprop("[ro.build.version.security_patch]: [2024-13-45]").security_patch is None


test_garbage_never_raises = never_raises_on_garbage(parse_getprop)
test_mutations_never_raise = never_raises_on_mutations(parse_getprop, FILES)
