"""`pm list packages` parser: Android 7 to 16 forms, `=` in paths, errors, encodings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from stalkerscan.evidence.pm_list import (
    parse_package_line,
    parse_pm_list_packages,
    uninstalled_but_kept,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "dumpsys" / "pm_list"
CASES = sorted(FIXTURES.glob("*.txt"))
REGEN = os.environ.get("STALKERSCAN_REGEN_GOLDEN") == "1"


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.name)
def test_golden_and_encodings(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    result = parse_pm_list_packages(text)
    golden = source.with_suffix(".golden.json")
    data = result.model_dump(mode="json")
    if REGEN:
        golden.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert data == json.loads(golden.read_text(encoding="utf-8"))
    assert result.issues.unparsed_lines == 0
    crlf = text.replace("\n", "\r\n")
    assert parse_pm_list_packages(crlf) == result
    assert parse_pm_list_packages(crlf.encode("utf-16-le")) == result
    assert parse_pm_list_packages(b"\xff\xfe" + crlf.encode("utf-16-le")) == result


def test_android11_path_with_equals_splits_on_last() -> None:
    result = parse_pm_list_packages((FIXTURES / "android14-pixel-u0.txt").read_text())
    spy = result.get("org.example.wifiservice")
    assert spy is not None
    assert spy.path == "/data/app/~~q9=Lk2=Zw0a8==/org.example.wifiservice-YWJj=ZGVm==/base.apk"
    assert spy.installer == "com.google.android.packageinstaller" and spy.installer_listed
    assert spy.uids == (10244,)
    kb = result.get("org.example.keyboard")
    assert kb is not None and kb.installer is None and kb.installer_listed


def test_android7_without_U_is_an_error_not_an_empty_list() -> None:
    result = parse_pm_list_packages((FIXTURES / "android7-samsung-no-U.txt").read_text())
    assert result.packages == () and result.error == "Error: Unknown option: -U"
    fallback = parse_pm_list_packages((FIXTURES / "android7-samsung-fallback.txt").read_text())
    assert fallback.error is None and len(fallback.packages) == 5
    assert all(p.uids == () for p in fallback.packages)


def test_all_users_listing_with_version_codes_and_several_uids() -> None:
    result = parse_pm_list_packages((FIXTURES / "android16-pixel-all-users.txt").read_text())
    notes = result.get("org.example.notes")
    assert notes is not None and notes.version_code == 5003 and notes.uids == (10301, 1110301)


def test_disabled_listing_and_uninstalled_but_kept() -> None:
    disabled = parse_pm_list_packages((FIXTURES / "android14-pixel-disabled-u10.txt").read_text())
    assert disabled.names() == {"org.example.browser"}
    assert disabled.get("org.example.browser").path is None  # type: ignore[union-attr]
    with_u = parse_pm_list_packages((FIXTURES / "android14-pixel-u0.txt").read_text())
    plain = parse_pm_list_packages((FIXTURES / "android14-pixel-u0-installed-only.txt").read_text())
    assert uninstalled_but_kept(with_u, plain) == ("org.example.oldtracker",)


@pytest.mark.parametrize(
    ("line", "name", "path", "installer", "uids"),
    [
        ("package:org.example.a", "org.example.a", None, None, ()),
        (
            "package:/x/base.apk=org.example.a uid:10001",
            "org.example.a",
            "/x/base.apk",
            None,
            (10001,),
        ),
        (
            "package:/a=b/=c==/base.apk=org.example.a  installer=",
            "org.example.a",
            "/a=b/=c==/base.apk",
            None,
            (),
        ),
        (
            "package:org.example.a  installer=org.example.store",
            "org.example.a",
            None,
            "org.example.store",
            (),
        ),
    ],
)
def test_line_forms(
    line: str, name: str, path: str | None, installer: str | None, uids: tuple[int, ...]
) -> None:
    entry = parse_package_line(line)
    assert entry is not None
    assert (entry.name, entry.path, entry.installer, entry.uids) == (name, path, installer, uids)


def test_junk_is_counted_and_duplicates_merge() -> None:
    text = (
        "package:org.example.a uid:1\nWARNING: linker: odd\n"
        "package:org.example.a uid:2\npackage:bad name\n"
    )
    result = parse_pm_list_packages(text)
    assert result.get("org.example.a").uids == (1, 2)  # type: ignore[union-attr]
    assert result.issues.unparsed_lines == 2
    assert parse_pm_list_packages("").packages == ()
