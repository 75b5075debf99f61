"""`dumpsys connectivity` -> the VPNs up at collection time (and who owns them). Nothing else.

A VPN app sees (and can redirect) all traffic. Only ``NetworkAgentInfo{...}`` lines of the
``Current Networks:`` section are read (one line per network in every version), and of those
only the VPN ones; addresses, DNS servers, SSIDs and routes are never kept. Formats:

- Android 7-9: ``NetworkAgentInfo{ ni{[type: VPN[], state: CONNECTED/CONNECTED, ...]}
  network{100} ... nc{[ Transports: VPN Capabilities: ...]} ...}``; no owner printed.
- Android 10: ``ni{VPN CONNECTED extra: VPN:org.example.vpn}``; ``EstablishingAppUid: 10123``.
- Android 11+: ``OwnerUid: 10123`` and ``AdminUids: [10123]`` in ``nc{...}``;
  Android 12+ adds ``VpnTransportInfo{type=1, sessionId=...}``.

A ``VPNs:`` block with ``  0: org.example.vpn`` lines (user: package), printed by builds that
include the VPN manager's dump, is read too. Secure settings `always_on_vpn_app` and
`always_on_vpn_lockdown` are read by `stalkerscan.evidence.settings`.
"""

from __future__ import annotations

import re

from stalkerscan.evidence._dumpsys import PACKAGE_RE, indent_of, iter_lines_of, unavailable_reason
from stalkerscan.evidence.common import Budget, Frozen, IssueCounter, ParseIssues, to_text

# A real phone has at most one VPN up per user (a few with work and private profiles).
MAX_NETWORKS = 1_000  # VPN networks kept
MAX_VPN_APPS = 1_000  # "VPNs:" entries kept


class VpnNetwork(Frozen):
    """One VPN network that was connected; only what identifies its owner."""

    network_id: int | None = None
    package: str | None = None  # from ``extra: VPN:pkg`` (Android 10+)
    owner_uid: int | None = None  # OwnerUid / EstablishingAppUid
    admin_uids: tuple[int, ...] = ()
    interface: str | None = None  # e.g. "tun0" (an interface name, not an address)
    state: str | None = None  # CONNECTED, CONNECTING, ...


class VpnManagerEntry(Frozen):
    """A ``VPNs:`` line: the app that holds the VPN slot of a user."""

    user: int
    package: str


class ConnectivityVpns(Frozen):
    """The VPN part of `dumpsys connectivity`."""

    networks: tuple[VpnNetwork, ...] = ()
    vpn_apps: tuple[VpnManagerEntry, ...] = ()
    current_networks_found: bool = False
    unavailable: str | None = None
    issues: ParseIssues = ParseIssues()
    truncated: bool = False  # more networks or VPN entries than a MAX_* cap: the rest not kept


_NAI = "NetworkAgentInfo{"
_NET_ID = re.compile(r"network\{(\d+)\}")
_IS_VPN = re.compile(r"(?:type: VPN\b|ni\{VPN\b|Transports: (?:[A-Z_|]*\|)?VPN\b|TRANSPORT_VPN)")
_EXTRA = re.compile(r"extra: VPN:([A-Za-z0-9_.\-]+)")
_OWNER = re.compile(r"(?:OwnerUid|Owner Uid|EstablishingAppUid):\s*(\d+)")
_ADMINS = re.compile(r"(?:AdminUids|AdministratorUids|Administrator uids):\s*\[([0-9,\s]*)\]")
_IFACE = re.compile(r"InterfaceName: ([A-Za-z0-9_.\-]+)")
_STATE_NEW = re.compile(r"ni\{VPN ([A-Z_]+)")
_STATE_OLD = re.compile(r"state: ([A-Z_]+)/")
_VPN_LINE = re.compile(r"^\s*(\d+): (\S+)\s*$")


def _vpn_network(line: str) -> VpnNetwork:
    def first(rx: re.Pattern[str]) -> str | None:
        m = rx.search(line)
        return m.group(1) if m else None

    net = first(_NET_ID)
    owner = first(_OWNER)
    admins = first(_ADMINS) or ""
    state = first(_STATE_NEW) or first(_STATE_OLD)
    return VpnNetwork(
        network_id=int(net) if net else None,
        package=first(_EXTRA),
        owner_uid=int(owner) if owner else None,
        admin_uids=tuple(int(a) for a in re.findall(r"\d+", admins)[:20]),
        interface=first(_IFACE),
        state=state,
    )


def parse_connectivity_vpns(data: bytes | str) -> ConnectivityVpns:
    """Parse the VPN networks out of `dumpsys connectivity` (never raises).

    Past the MAX_* caps nothing more is kept and the result is `truncated`.
    """
    text = to_text(data)
    unavailable = unavailable_reason(text)
    if unavailable is not None:
        return ConnectivityVpns(unavailable=unavailable)
    issues = IssueCounter()
    has_section = any(line.strip() == "Current Networks:" for line in iter_lines_of(text))
    networks: dict[int | None, VpnNetwork] = {}
    apps: list[VpnManagerEntry] = []
    net_budget, app_budget = Budget(MAX_NETWORKS), Budget(MAX_VPN_APPS)
    section: str | None = None
    section_indent = 0
    for line in iter_lines_of(text):
        s = line.strip()
        if not s:
            continue
        if s in ("Current Networks:", "VPNs:"):
            section, section_indent = s, indent_of(line)
            continue
        if section is not None and indent_of(line) <= section_indent and _NAI not in s:
            section = None
        if section == "VPNs:":
            m = _VPN_LINE.match(line)
            if m and PACKAGE_RE.match(m.group(2)):
                if app_budget.take():
                    apps.append(VpnManagerEntry(user=int(m.group(1)), package=m.group(2)))
            else:
                issues.add(line)
            continue
        if _NAI not in s:
            continue
        if has_section and section != "Current Networks:":
            continue  # history and request logs mention past networks: not "up now"
        if _IS_VPN.search(s) is None:
            continue
        vpn = _vpn_network(s)
        if vpn.network_id is None and vpn.package is None and vpn.owner_uid is None:
            issues.add(line)
        if vpn.network_id in networks or net_budget.take():
            networks.setdefault(vpn.network_id, vpn)
    return ConnectivityVpns(
        networks=tuple(networks.values()),
        vpn_apps=tuple(apps),
        current_networks_found=has_section,
        issues=issues.freeze(),
        truncated=net_budget.truncated or app_budget.truncated,
    )
