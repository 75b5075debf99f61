"""accessibility: bound labels (7-10), enabled/binding/crashed components (11+), two users."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.evidence.accessibility import (
    parse_accessibility,
    parse_enabled_accessibility_services,
)

from ._device_checks import (
    FIXTURES,
    SAMPLE,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("accessibility", "dumpsys_accessibility.txt")
A = FIXTURES / "accessibility"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("accessibility", path, parse_accessibility(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_accessibility, path.read_bytes())


def test_real_android9_nothing_enabled() -> None:
    d = parse_accessibility((SAMPLE / "dumpsys_accessibility.txt").read_bytes())
    (u,) = d.users
    assert (u.user, u.current_user, u.touch_exploration_enabled) == (0, True, False)
    assert u.bound_service_labels == () and u.enabled_services == ()
    assert d.enabled_components() == ()


def test_android7_and_10_bound_labels() -> None:
    assert parse_accessibility((A / "android7_bound.txt").read_bytes()).users[
        0
    ].bound_service_labels == ("Device Health",)
    d10 = parse_accessibility((A / "android10_two_bound.txt").read_bytes())
    assert d10.users[0].bound_service_labels == ("Sync Service", "Switch Access")
    assert d10.issues.unparsed_lines == 0


def test_android13_samsung_two_users() -> None:
    d = parse_accessibility((A / "android13_samsung_two_users.txt").read_bytes())
    assert d.current_user == 0
    owner, work = d.users
    assert "org.example.helper/org.example.helper.a11y.HelperService" in owner.enabled_services
    assert owner.bound_service_labels == ("Voice Assistant", "Battery Helper")
    assert owner.installed_service_count == 6
    assert work.user == 10
    assert work.crashed_services == ("org.example.workhelper/org.example.workhelper.ScreenReader",)
    # A vendor line we do not know is counted, not fatal.
    assert d.issues.unparsed_lines == 1
    assert d.issues.examples == ("Microphone mute: false",)


def test_android14_and_16() -> None:
    d14 = parse_accessibility((A / "android14_pixel.txt").read_bytes())
    assert d14.enabled_components() == ("org.example.phonecare/org.example.phonecare.CareService",)
    assert d14.users[0].bound_service_labels == ("Phone Care",)
    d16 = parse_accessibility((A / "android16_none.txt").read_bytes())
    assert d16.enabled_components() == () and d16.users[0].installed_service_count == 3


def test_label_with_newlines_cannot_pose_as_enabled_list() -> None:
    text = (
        "User state[\n"
        "     attributes:{id=0, touchExplorationEnabled=false, installedServiceCount=1}\n"
        "     Bound services:{Service[label=Helper\n"
        "     Enabled services:{{org.example.innocent/.Framed}}\n"
        "end, feedbackType[FEEDBACK_GENERIC], capabilities=1]}\n"
        "     Enabled services:{{org.example.real/.Svc}}\n"
        "     Binding services:{}\n"
        "     Crashed services:{}\n"
    )
    d = parse_accessibility(text)
    assert d.enabled_components() == ("org.example.real/org.example.real.Svc",)
    assert d.users[0].bound_service_labels[0].startswith("Helper")
    assert d.issues.unparsed_lines == 1  # the odd label is reported


def test_secure_setting_helper() -> None:
    value = "org.example.a/.Svc:org.example.b/org.example.b.Other::garbage"
    assert parse_enabled_accessibility_services(value) == (
        "org.example.a/org.example.a.Svc",
        "org.example.b/org.example.b.Other",
    )
    assert parse_enabled_accessibility_services(None) == ()
    assert parse_enabled_accessibility_services("") == ()


def test_unavailable_and_empty() -> None:
    assert parse_accessibility("Can't find service: accessibility").unavailable
    assert parse_accessibility("").users == ()


test_garbage_never_raises = never_raises_on_garbage(parse_accessibility)
test_mutations_never_raise = never_raises_on_mutations(parse_accessibility, FILES)


def _states(users: int, comps: int, labels: int) -> str:
    out = ["ACCESSIBILITY MANAGER (dumpsys accessibility)", "", "currentUserId=0"]
    for u in range(users):
        enabled = ", ".join(f"{{org.example.s{u}x{c}/.Svc}}" for c in range(comps))
        bound = "".join(
            f"Service[label=L{u}x{i}, feedbackType[FEEDBACK_GENERIC]]" for i in range(labels)
        )
        out += [
            "User state[",
            f"     attributes:{{id={u}, touchExplorationEnabled=false, installedServiceCount=1}}",
            f"     Bound services:{{{bound}}}",
            f"     Enabled services:{{{enabled}}}",
            "]",
        ]
    return "\n".join(out) + "\n"


def test_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.accessibility as accessibility

    assert (
        parse_accessibility((A / "android13_samsung_two_users.txt").read_bytes()).truncated is False
    )
    assert parse_accessibility(_states(3, 3, 3)).truncated is False
    monkeypatch.setattr(accessibility, "MAX_USERS", 2)
    d = parse_accessibility(_states(5, 1, 1))
    assert [u.user for u in d.users] == [0, 1] and d.truncated is True
    assert d.issues.unparsed_lines == 0  # the skipped states are not "unknown lines"
    monkeypatch.setattr(accessibility, "MAX_USERS", 1_000)
    monkeypatch.setattr(accessibility, "MAX_SERVICES", 4)
    d = parse_accessibility(_states(2, 3, 1))
    assert len(d.enabled_components()) == 4 and d.truncated is True
    monkeypatch.setattr(accessibility, "MAX_SERVICES", 5_000)
    monkeypatch.setattr(accessibility, "MAX_LABELS", 5)
    d = parse_accessibility(_states(2, 1, 3))
    assert sum(len(u.bound_service_labels) for u in d.users) == 5 and d.truncated is True
