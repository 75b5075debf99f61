"""vpn: VPN networks in `dumpsys connectivity` (Android 9, 10, 12, 14); no addresses kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from stalkerscan.evidence.settings import parse_settings
from stalkerscan.evidence.vpn import parse_connectivity_vpns

from ._device_checks import (
    FIXTURES,
    check_golden,
    check_windows_variants,
    fixture_files,
    never_raises_on_garbage,
    never_raises_on_mutations,
)

FILES = fixture_files("connectivity")
C = FIXTURES / "connectivity"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden("connectivity", path, parse_connectivity_vpns(path.read_bytes()))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_windows_copies_parse_identically(path: Path) -> None:
    check_windows_variants(parse_connectivity_vpns, path.read_bytes())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_addresses_or_ssids_kept(path: Path) -> None:
    dumped = parse_connectivity_vpns(path.read_bytes()).model_dump_json()
    for private in ("192.0.2.", "10.0.0.", "10.1.0.", "10.2.0.", "FictionalWifi", "02:00:00"):
        assert private not in dumped


def test_android9_vpn_without_owner_and_history_ignored() -> None:
    d = parse_connectivity_vpns((C / "android9_vpn.txt").read_bytes())
    # network 99 appears only in a blocking log: not up now.
    assert [(n.network_id, n.interface, n.state, n.package) for n in d.networks] == [
        (102, "tun0", "CONNECTED", None)
    ]


def test_android10_owner_package() -> None:
    (n,) = parse_connectivity_vpns((C / "android10_vpn_owner.txt").read_bytes()).networks
    assert (n.package, n.owner_uid) == ("org.example.vpnhelper", 10190)


def test_android14_two_users_and_vpns_block() -> None:
    d = parse_connectivity_vpns((C / "android14_vpn_two_users.txt").read_bytes())
    assert [(n.package, n.owner_uid, n.admin_uids) for n in d.networks] == [
        ("org.example.tracker", 10200, (10200,)),
        ("org.example.workvpn", 1010030, (1010030,)),
    ]
    assert [(e.user, e.package) for e in d.vpn_apps] == [
        (0, "org.example.tracker"),
        (10, "org.example.workvpn"),
    ]


def test_android12_no_vpn() -> None:
    d = parse_connectivity_vpns((C / "android12_no_vpn.txt").read_bytes())
    assert d.networks == () and d.current_networks_found


def test_always_on_vpn_settings() -> None:
    s = parse_settings(
        (FIXTURES / "settings" / "android14_secure_u0.txt").read_bytes(), "secure", 0
    )
    assert s.always_on_vpn_app == "org.example.tracker"
    assert s.always_on_vpn_lockdown is True


def test_without_section_header_lines_still_read() -> None:
    line = (
        "NetworkAgentInfo{network{7}  ni{VPN CONNECTED extra: VPN:org.example.v}"
        "  nc{[ Transports: VPN OwnerUid: 10007]}}"
    )
    d = parse_connectivity_vpns(line)
    assert d.networks[0].package == "org.example.v" and not d.current_networks_found
    assert parse_connectivity_vpns("").networks == ()


test_garbage_never_raises = never_raises_on_garbage(parse_connectivity_vpns)
test_mutations_never_raise = never_raises_on_mutations(parse_connectivity_vpns, FILES)


def _vpns(networks: int, apps: int) -> str:
    out = ["Current Networks:"]
    out += [
        f"  NetworkAgentInfo{{network{{{200 + n}}}  ni{{VPN CONNECTED extra: VPN:org.example.v{n}}}"
        f"  nc{{[ Transports: VPN OwnerUid: {10200 + n}]}}}}"
        for n in range(networks)
    ]
    out += ["VPNs:"] + [f"  {a}: org.example.v{a}" for a in range(apps)]
    return "\n".join(out) + "\n"


def test_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    import stalkerscan.evidence.vpn as vpn

    assert (
        parse_connectivity_vpns((C / "android14_vpn_two_users.txt").read_bytes()).truncated is False
    )
    assert parse_connectivity_vpns(_vpns(3, 3)).truncated is False
    monkeypatch.setattr(vpn, "MAX_NETWORKS", 2)
    d = parse_connectivity_vpns(_vpns(5, 1))
    assert [n.network_id for n in d.networks] == [200, 201] and d.truncated is True
    monkeypatch.setattr(vpn, "MAX_NETWORKS", 1_000)
    monkeypatch.setattr(vpn, "MAX_VPN_APPS", 3)
    d = parse_connectivity_vpns(_vpns(1, 6))
    assert len(d.vpn_apps) == 3 and d.truncated is True
