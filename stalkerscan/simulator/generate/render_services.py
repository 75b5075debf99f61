"""System-service dumps and small commands: getprop, settings, device_policy, accessibility,
notification (listeners only), appops, input_method, role, deviceidle, connectivity, account,
usagestats.

Shapes follow AOSP's dump code (DevicePolicyManagerService, AccessibilityManagerService,
ManagedServices, AppOpsService, InputMethodManagerService, RoleService's proto-text dump,
DeviceIdleController, ConnectivityService, AccountManagerService, UsageStatsService); the
Android 9 emulator capture in ../shared/android-samples calibrates the older shapes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from stalkerscan.simulator.generate.model import Phone, Pkg, full_class


def _u(ph: Phone, p: Pkg, user: int) -> str:
    """`u0a123` as appops and activity dumps print a uid."""
    return f"u{user}a{p.app_id - 10000}" if p.app_id >= 10000 else str(p.uid(user))


def _ms_time(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S.000")


def _ago(now: int, t: int) -> str:
    d = max(0, now - t)
    days, rem = divmod(d, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    out = "-"
    if days:
        out += f"{days}d"
    if days or h:
        out += f"{h}h"
    if days or h or m:
        out += f"{m}m"
    return out + f"{s}s0ms"


def getprop(ph: Phone) -> str:
    """`getprop`: `[key]: [value]` lines, sorted."""
    return "".join(f"[{k}]: [{v}]\n" for k, v in sorted(ph.properties.items()))


def settings_list(ph: Phone, namespace: str, user: int) -> str:
    """`settings [--user N] list NAMESPACE`: `key=value` lines, sorted by key."""
    table = ph.settings[namespace].get(user if namespace != "global" else 0, {})
    return "".join(f"{k}={v}\n" for k, v in sorted(table.items()))


_ADMIN_POLICIES = (
    "limit-password",
    "watch-login",
    "reset-password",
    "force-lock",
    "wipe-data",
    "disable-camera",
    "disable-keyguard-features",
)


def device_policy(ph: Phone) -> str:
    """`dumpsys device_policy`: owners and enabled admins per user."""
    v = ph.android
    out = ["Current Device Policy Manager state:"]
    owners = [p for p in ph.packages if p.owner != "none" and p.admin]
    do = next((p for p in owners if p.owner == "device"), None)
    if do is not None:
        u0 = next(iter(sorted(u for u in do.users if do.installed_for(u))), 0)
        out += [
            "  Device Owner: ",
            f"    admin=ComponentInfo{{{do.name}/{full_class(do.name, do.admin)}}}",
            "    name=",
            f"    package={do.name}",
        ]
        if v >= 11:
            out.append("    isOrganizationOwnedDevice=true")
        out += [f"    User ID: {u0}", ""]
    for p in owners:
        if p.owner != "profile":
            continue
        for u in ph.users:
            if p.installed_for(u.id) and u.kind == "work":
                out += [
                    f"  Profile Owner (User {u.id}): ",
                    f"    admin=ComponentInfo{{{p.name}/{full_class(p.name, p.admin)}}}",
                    "    name=",
                    f"    package={p.name}",
                ]
                if v >= 11:
                    out.append("    isOrganizationOwnedDevice=false")
                out.append("")
    for u in ph.users:
        admins = [p for p in ph.packages if p.admin and p.admin_active and p.installed_for(u.id)]
        out.append("")
        out.append(
            f"  Enabled Device Admins (User {u.id}, "
            f"provisioningState: {3 if admins and u.kind == 'work' else 0}):"
        )
        for p in admins:
            out.append(f"    {p.name}/{p.admin}:")
            out.append(f"      uid={p.uid(u.id)}")
            out.append("      testOnlyAdmin=false")
            out.append("      policies:")
            out += [f"        {pol}" for pol in _ADMIN_POLICIES]
            out += [
                "      passwordQuality=0x0",
                "      minimumPasswordLength=0",
                "      disableCamera=false",
                "      disableScreenCapture=false",
                "      isParent=false",
            ]
        out.append(" ")
        out.append("    mPasswordOwner=-1")
    out += [
        "",
        "  Constants:",
        "    DAS_DIED_SERVICE_RECONNECT_BACKOFF_SEC: 3600",
        "",
        "  Encryption Status: " + ("per-user" if v >= 10 else "block default key"),
        "",
    ]
    return "\n".join(out) + "\n"


def _a11y_label(p: Pkg) -> str:
    return p.label


def accessibility(ph: Phone) -> str:
    """`dumpsys accessibility`: per user, installed / enabled / bound services."""
    v = ph.android
    out = ["ACCESSIBILITY MANAGER (dumpsys accessibility)", ""]
    if v >= 12:
        out.append(f"currentUserId={ph.users[0].id}")
    for u in ph.users:
        inst = [p for p in ph.packages if p.accessibility and p.installed_for(u.id)]
        on = [p for p in inst if p.accessibility_on]
        touch = any("talkback" in p.name for p in on)
        attrs = (
            f"id={u.id}, "
            + (f"currentUser={str(u.id == ph.users[0].id).lower()}, " if v < 11 else "")
            + f"touchExplorationEnabled={str(touch).lower()}, "
            + (
                "serviceHandlesDoubleTap=false, requestMultiFingerGestures=false, "
                "requestTwoFingerPassthrough=false, sendMotionEventsEnabledfalse, "
                if v >= 12
                else ""
            )
            + "displayMagnificationEnabled=false, autoclickEnabled=false"
            + (
                ", nonInteractiveUiTimeout=0, interactiveUiTimeout=0"
                f", installedServiceCount={len(inst)}"
                if v >= 11
                else ""
            )
        )
        # Android 11+ (AccessibilityUserState.dump) puts each further bound service on its
        # own line, aligned under the first.
        sep = ", \n                     " if v >= 11 else ", "
        bound = sep.join(
            f"Service[label={_a11y_label(p)}, feedbackType[FEEDBACK_GENERIC], "
            f"capabilities=1, eventTypes=TYPES_ALL_MASK, notificationTimeout=100, "
            f"requestA11yBtn=false]"
            for p in on
        )
        if v < 11:
            out.append(f"User state[attributes:{{{attrs}}}")
            out.append(f"           services:{{{bound}}}]")
            out.append("")
            continue
        out.append("User state[")
        out.append(f"     attributes:{{{attrs}}}")
        if v >= 12:
            out += ["     shortcut key:{}", "     button:{}", "     button target:{null}"]
        out.append(f"     Bound services:{{{bound}}}")
        enabled = ", ".join(f"{{{p.name}/{full_class(p.name, p.accessibility)}}}" for p in on)
        out.append(f"     Enabled services:{{{enabled}}}")
        out.append("     Binding services:{}")
        out.append("     Crashed services:{}")
        out.append("]")
        out.append("")
    return "\n".join(out) + "\n"


def notification(ph: Phone) -> str:
    """`dumpsys notification`: the listener sections only (never notification content)."""
    v = ph.android
    out = ["Current Notification Manager state:", "  Notification List:", "",
           "  Notification listeners:"]  # fmt: skip
    if v >= 8:  # ManagedServices prints the approved list from Android 8
        out.append("    Allowed notification listeners:")
    live = []
    for u in ph.users:
        mine = []
        for p in ph.packages:
            if p.listener and p.listener_on and p.installed_for(u.id):
                comp = f"{p.name}/{full_class(p.name, p.listener)}"
                mine.append(comp)
                live.append((u.id, comp))
        if v >= 10 and mine:  # Android 10+: a user's approved components joined with ':'
            out.append(f"      {':'.join(mine)} (user: {u.id} isPrimary: true)")
        elif v >= 8:
            out += [f"      {c} (user: {u.id} isPrimary: true)" for c in mine]
    comps = sorted({c for _, c in live})
    out.append(f"    All notification listeners ({len(comps)}) enabled for current profiles:")
    out += [f"      ComponentInfo{{{c}}}" for c in comps]
    out.append(f"    Live notification listeners ({len(live) + 1}):")
    out.append(
        "      ComponentInfo{com.android.systemui/"
        "com.android.systemui.statusbar.NotificationListener} "
        "(user -1): android.service.notification.INotificationListener$Stub$Proxy@5a1c0de SYSTEM"
    )
    for i, (uid, c) in enumerate(live):
        out.append(
            f"      ComponentInfo{{{c}}} (user {uid}): "
            f"android.service.notification.INotificationListener$Stub$Proxy@{0x1B2C3D4 + i:07x}"
        )
    out += [
        "    Snoozed notification listeners (0):",
        "    mListenerHints: 0",
        "    mListenersDisablingEffects: ()",
        "",
        "  Notification assistant services:",
        "    Allowed notification assistants:",
        "",
        "  Zen Mode:",
        "    mZenMode=ZEN_MODE_OFF",
        "",
    ]
    return "\n".join(out) + "\n"


def _ops_for(ph: Phone, p: Pkg) -> dict[str, str]:
    ops: dict[str, str] = {}
    granted = {perm for perm, ok in p.runtime.items() if ok}
    if granted & {
        "android.permission.ACCESS_FINE_LOCATION",
        "android.permission.ACCESS_COARSE_LOCATION",
    }:
        # Android 10+: "allow" = all the time (background location granted); a foreground-only
        # grant shows as "foreground". Before 10 every location grant is "allow".
        background = "android.permission.ACCESS_BACKGROUND_LOCATION" in granted
        mode = "allow" if ph.android < 10 or background else "foreground"
        if "android.permission.ACCESS_FINE_LOCATION" in granted:
            ops["FINE_LOCATION"] = mode
        ops["COARSE_LOCATION"] = mode
    if "android.permission.RECORD_AUDIO" in granted:
        ops["RECORD_AUDIO"] = "allow"
    if "android.permission.READ_SMS" in granted:
        ops["READ_SMS"] = "allow"
    ops.update(p.appops)
    return ops


_MODE_NUMBER = {"allow": 0, "ignore": 1, "deny": 2, "default": 3, "foreground": 4}


def _op_lines(v: int, op: str, mode: str, when: str, ago: str) -> list[str]:
    """One op of a package as AppOpsService.dump prints it in each release."""
    rel = "+" + ago.lstrip("-").removesuffix("0ms") + " ago"
    if v <= 7:  # numeric modes, relative times on one line
        return [f"      {op}: mode={_MODE_NUMBER.get(mode, 3)}; time={rel}"]
    if v == 8:  # word modes, still one line
        return [f"      {op}: mode={mode}; time={rel}"]
    if v == 9:  # per-state access times, Android 9 (8.1) layout
        return [f"      {op} ({mode}): ", f"          Access: bg    = {when} ({ago})"]
    if v == 10:
        return [f"      {op} ({mode}): ", f"          Access: [bg-s] {when} ({ago})"]
    # Android 11+: accesses grouped by attribution tag (`null` = the app's default).
    return [f"      {op} ({mode}):", "        null=[", f"          Access: [bg-s] {when} ({ago})",
            "        ]"]  # fmt: skip


def appops(ph: Phone) -> str:
    """`dumpsys appops`: per uid, the modes and last access of each package's ops."""
    v = ph.android
    out = ["Current AppOps Service state:", "  Settings:", "    top_state_settle_time=+5s0ms", ""]
    for u in ph.users:
        for p in ph.packages:
            if not (p.installed_for(u.id) or (p.keep_data and u.id in p.users)):
                continue
            ops = _ops_for(ph, p)
            if not ops:
                continue
            out.append(f"  Uid {_u(ph, p, u.id)}:")
            out.append("    state=cch")
            if v >= 11:
                out.append("    capability=LCMN")
            for op, mode in ops.items():
                if op in ("RUN_ANY_IN_BACKGROUND", "MANAGE_EXTERNAL_STORAGE"):
                    out.append(f"      {op}: mode={mode}")
            out.append(f"    Package {p.name}:")
            last = p.last_used or p.update_time
            if ph.vendor.key == "xiaomi" and p.partition == "data":
                # MIUI adds its own ops from 10000 up (10008: autostart), printed by number.
                ops = {**ops, "MIUIOP(10008)": "allow" if p.boot_receiver else "ignore"}
            for op, mode in ops.items():
                out += _op_lines(v, op, mode, _ms_time(last), _ago(ph.now, last))
    out.append("")
    return "\n".join(out) + "\n"


def input_method(ph: Phone) -> str:
    """`dumpsys input_method`: installed methods and the current one (first user)."""
    owner = ph.users[0].id
    sec = ph.settings["secure"][owner]
    cur = sec.get("default_input_method", "")
    enabled = [c for c in sec.get("enabled_input_methods", "").split(":") if c]
    out = [
        "Current Input Method Manager state:",
        f"  Input Methods: mMethodMapUpdateCount={len(enabled) + 2} "
        "mBindInstantServiceAllowed=false",
    ]
    methods = []
    for p in ph.packages:
        if p.ime and p.installed_for(owner):
            methods.append(f"{p.name}/{p.ime}")
    kb = ph.vendor.keyboard
    if kb.split("/")[0] in ph.by_name() and kb not in methods:
        methods.insert(0, kb)
    for i, m in enumerate(methods):
        pkg, cls = m.split("/", 1)
        out += [
            f"  InputMethod #{i}:",
            f"    mId={m} mSettingsActivityName=null mIsVrOnly=false "
            "mSupportsSwitchingToNextInputMethod=true",
            "    mIsDefaultResId=0x0",
            "    Service:",
            "      priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false",
            "      ServiceInfo:",
            f"        name={full_class(pkg, cls)}",
            f"        packageName={pkg}",
            "        enabled=true exported=true directBootAware=false",
            "        permission=android.permission.BIND_INPUT_METHOD",
        ]
    # The keyboard in use: `mCurMethodId=` up to Android 13, `mSelectedMethodId=` from 14.
    cur_key = "mSelectedMethodId" if ph.android >= 14 else "mCurMethodId"
    out += ["  Clients:", f"  {cur_key}={cur}"]
    # InputMethodSettings.dumpLocked: enabled methods as `id;subtype:id2` (Android 15+ prints
    # one block per user; earlier releases the current user's only).
    for u in ph.users if ph.android >= 15 else ph.users[:1]:
        enabled_u = [
            c for c in ph.settings["secure"][u.id].get("enabled_input_methods", "").split(":") if c
        ]
        out += ["  mSettings:", f"    mCurrentUserId={u.id}",
                f"    mEnabledInputMethodsStrCache={':'.join(enabled_u)}"]  # fmt: skip
    out.append("")
    return "\n".join(out) + "\n"


_DEFAULT_ROLES = (
    "android.app.role.ASSISTANT",
    "android.app.role.BROWSER",
    "android.app.role.DIALER",
    "android.app.role.SMS",
    "android.app.role.HOME",
    "android.app.role.EMERGENCY",
    "android.app.role.CALL_SCREENING",
)


def role(ph: Phone) -> str:
    """`dumpsys role` (Android 10+): the proto-text dump of each user's role holders."""
    v = ph.vendor
    names = ph.by_name()
    defaults = {
        "android.app.role.ASSISTANT": "com.google.android.googlequicksearchbox",
        "android.app.role.BROWSER": v.browser,
        "android.app.role.DIALER": v.dialer,
        "android.app.role.SMS": v.sms_app,
        "android.app.role.HOME": v.launcher,
        "android.app.role.EMERGENCY": "com.android.emergency",
        "android.app.role.CALL_SCREENING": v.dialer,
    }
    out = []
    for u in ph.users:
        holders = {r: ([defaults[r]] if defaults.get(r) in names else []) for r in _DEFAULT_ROLES}
        for p in ph.packages:
            if not p.installed_for(u.id):
                continue
            for r in p.roles:
                holders[r] = [p.name]
        out += [
            "user_states={",
            f"  user_id={u.id}",
            "  version=8",
            f"  packages_hash={abs(len(ph.packages) * 2654435761 + u.id) % (1 << 60):016X}",
        ]
        for r in sorted(holders):
            out.append("  roles={")
            out.append(f"    name={r}")
            for h in holders[r]:
                out.append(f"    holders={h}")
            out.append("  }")
        out.append("}")
    return "\n".join(out) + "\n"


_IDLE_SYSTEM = (
    "com.android.phone",
    "com.android.providers.downloads",
    "com.android.vending",
    "com.google.android.gms",
    "com.android.bluetooth",
    "com.android.shell",
)


def deviceidle_whitelist(ph: Phone) -> str:
    """`dumpsys deviceidle whitelist`: `system-excidle,`, `system,` and `user,` entries."""
    out = []
    for p in ph.packages:
        if p.name in _IDLE_SYSTEM and p.present():
            out.append(f"system-excidle,{p.name},{p.app_id}")
    for p in ph.packages:
        if p.name in _IDLE_SYSTEM and p.present():
            out.append(f"system,{p.name},{p.app_id}")
    for p in ph.packages:
        if p.battery_exempt and p.removed_at is None:
            out.append(f"user,{p.name},{p.app_id}")
    return "\n".join(out) + "\n"


def _network_line(ph: Phone, net_id: int, vpn: Pkg | None, owner_uid: int) -> str:
    """One `NetworkAgentInfo{...}` line as each release prints it (Wi-Fi or a VPN)."""
    v = ph.android
    if vpn is None:
        transports = "WIFI"
        caps = "NOT_METERED&INTERNET&NOT_RESTRICTED&TRUSTED&NOT_VPN&VALIDATED"
        iface, addr = "wlan0", "192.0.2.15/24"
    else:
        transports = "VPN"
        caps = "INTERNET&NOT_RESTRICTED&TRUSTED&VALIDATED"
        iface, addr = "tun0", "10.8.0.2/32"
    lp = f"lp{{{{InterfaceName: {iface} LinkAddresses: [ {addr} ] }}}}"
    if v <= 9:
        # Android 7-9: `ni{[type: X[], state: ...]}`; the VPN's owner is not printed.
        kind = "WIFI" if vpn is None else "VPN"
        return (
            f"  NetworkAgentInfo{{ ni{{[type: {kind}[], state: CONNECTED/CONNECTED, "
            f"reason: (unspecified), extra: (none), failover: false, available: true, "
            f"roaming: false]}}  network{{{net_id}}}  nethandle{{{430242797581 + net_id}}}  "
            f"{lp}  nc{{[ Transports: {transports} Capabilities: {caps}]}}  "
            f"Score{{{60 if vpn is None else 101}}}  everValidated{{true}}  "
            "lastValidated{true}  created{true} lingering{false} explicitlySelected{false} }"
        )
    extra = "" if vpn is None else f"VPN:{vpn.name}"
    owner = ""
    if vpn is not None:
        if v == 10:
            owner = f" EstablishingAppUid: {owner_uid}"
        else:
            owner = f" OwnerUid: {owner_uid} AdminUids: [{owner_uid}]"
        if v >= 12:
            owner += f" TransportInfo: <VpnTransportInfo{{type=1, sessionId={vpn.name}}}>"
    kind = "WIFI" if vpn is None else "VPN"
    return (
        f"  NetworkAgentInfo{{network{{{net_id}}}  handle{{{430242797581 + net_id}}}  "
        f"ni{{{kind} CONNECTED extra: {extra}}}  created{{2026-11-19T08:00:00Z}}  {lp}  "
        f"nc{{[ Transports: {transports} Capabilities: {caps} "
        f"LinkUpBandwidth>=12000Kbps LinkDnBandwidth>=48000Kbps{owner}]}}  "
        f"Score({'IS_VALIDATED&IS_DEFAULT' if vpn is None else 'IS_VALIDATED&IS_VPN'}) }}"
    )


def connectivity(ph: Phone) -> str:
    """`dumpsys connectivity`: the default network and the current networks (VPNs included)."""
    vpns = [p for p in ph.packages if p.vpn and p.vpn_active and p.removed_at is None]
    out = ["NetworkProviders for:", "  WifiNetworkProvider", "", "Active default network: 100",
           "", "Current Networks:", _network_line(ph, 100, None, 0)]  # fmt: skip
    owners: list[tuple[int, Pkg]] = []
    for i, p in enumerate(vpns):
        owner = next((u.id for u in ph.users if p.installed_for(u.id)), 0)
        owners.append((owner, p))
        out.append(_network_line(ph, 101 + i, p, p.uid(owner)))
    out += ["", "Legacy VPN: none", ""]
    # The VPN manager's per-user slots (`user: package`), printed by builds that include it.
    if owners:
        out.append("VPNs:")
        out += [f"  {u}: {p.name}" for u, p in owners]
        out.append("")
    return "\n".join(out) + "\n"


_AUTHENTICATORS = {
    "com.google": "com.google.android.gms/"
    "com.google.android.gms.auth.account.authenticator.GoogleAccountAuthenticatorService",
    "com.samsung.android.mobileservice": "com.samsung.android.mobileservice/.AuthenticatorService",
    "com.whatsapp": "com.whatsapp/.accountsync.AccountAuthenticatorService",
}


def account(ph: Phone) -> str:
    """`dumpsys account`: accounts per user (the collector masks the names)."""
    out = []
    for u in ph.users:
        mine = [(t, n) for uid, t, n in ph.accounts if uid == u.id]
        out.append(f"User UserInfo{{{u.id}:{u.name}:{u.flags:x}}}:")
        out.append(f"  Accounts: {len(mine)}")
        for t, n in mine:
            out.append(f"    Account {{name={n}, type={t}}}")
        out += ["", "  Active Sessions: 0", ""]
        types = sorted({t for t, _ in mine} | {"com.google"})
        out.append(f"  RegisteredServicesCache: {len(types)} services")
        for t in types:
            comp = _AUTHENTICATORS.get(t, f"{t}/.AuthenticatorService")
            out.append(
                f"    ServiceInfo: AuthenticatorDescription {{type={t}}}, "
                f"ComponentInfo{{{comp}}}, uid 10134"
            )
        out.append("")
    return "\n".join(out) + "\n"


def usagestats(ph: Phone) -> str:
    """`dumpsys usagestats`: last-24-hour events and daily package stats, per user."""
    v = ph.android
    fg, bg = (
        ("ACTIVITY_RESUMED", "ACTIVITY_PAUSED")
        if v >= 10
        else ("MOVE_TO_FOREGROUND", "MOVE_TO_BACKGROUND")
    )
    out = []
    start = ph.now - 86400
    for u in ph.users:
        out.append(f"user={u.id} ")
        out.append(f'  Last 24 hour events (timeRange="{_fmt_range(start, ph.now)}" )')
        events: list[tuple[int, str]] = []
        for p in ph.packages:
            if u.id not in p.users or p.last_used is None:
                continue
            t = p.last_used
            if p.removed_at is not None:
                t = min(t, p.removed_at - 600)
            if t < start:
                continue  # only the last 24 hours are in the events list
            cls = p.launcher or full_class(p.name, ".MainActivity")
            if not p.launcher and p.accessibility:
                events.append(
                    (
                        t,
                        f"type=FOREGROUND_SERVICE_START package={p.name} "
                        f"class={full_class(p.name, p.accessibility)} flags=0x0",
                    )
                )
                continue
            events.append((t, f"type={fg} package={p.name} class={cls} flags=0x0"))
            events.append((t + 37, f"type={bg} package={p.name} class={cls} flags=0x0"))
        for p in ph.packages:
            if p.removed_at is not None and u.id in p.users:
                events.append(
                    (
                        p.removed_at - 60,
                        f"type=NOTIFICATION_INTERRUPTION package={p.name} flags=0x0",
                    )
                )
        for t, e in sorted(events):
            if t >= start:
                out.append(f'    time="{_fmt_t(t)}" {e} ')
        out.append("  In-memory daily stats")
        out.append(f'  timeRange="{_fmt_range(ph.now - 9 * 3600, ph.now)}" ')
        out.append("    packages")
        for p in ph.packages:
            if u.id not in p.users or p.last_used is None:
                continue
            total = "00:00" if not p.launcher else "02:13"
            last = _fmt_t(p.last_used)
            launches = 1 if p.launcher else 0
            if v <= 7:  # IntervalStats before appLaunchCount (Android 8)
                line = f'package={p.name} totalTime="{total}" lastTime="{last}" '
            elif v <= 9:
                line = f'package={p.name} totalTime="{total}" lastTime="{last}" '
                line += f"appLaunchCount={launches} "
            else:  # Android 10: time used/visible/foreground-service; 11+: component used
                line = (
                    f'package={p.name} totalTimeUsed="{total}" lastTimeUsed="{last}" '
                    f'totalTimeVisible="{total}" lastTimeVisible="{last}" '
                    f'totalTimeFS="00:00" lastTimeFS="{last}" '
                )
                if v >= 11:
                    line += f'lastTimeComponentUsed="{last}" '
                line += f"appLaunchCount={launches} "
            out.append("      " + line)
        out.append("")
    if v >= 9:
        # AppStandbyController.dumpUsers: the standby bucket of every installed package.
        # Android 9 layout, as in the emulator capture: one block, the user in `u=`.
        out.append("  App Standby States:")
        for u in ph.users:
            for p in ph.packages:
                if not p.installed_for(u.id) or p.last_used is None:
                    continue
                age = ph.now - p.last_used
                bucket = 10 if age < 12 * 3600 else 20 if age < 86400 else 30
                if p.battery_exempt:
                    bucket = 5
                out.append(
                    f"    package={p.name} u={u.id} bucket={bucket} reason=u-mu "
                    f"used={_ago(ph.now, p.last_used)} idle={'n' if bucket <= 20 else 'y'}"
                )
        out.append("")
    return "\n".join(out) + "\n"


def _fmt_t(t: int) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _fmt_range(a: int, b: int) -> str:
    fa = datetime.fromtimestamp(a, UTC)
    fb = datetime.fromtimestamp(b, UTC)
    return f"{fa.month}/{fa.day}/{fa.year}, {fa:%H:%M} – {fb.month}/{fb.day}/{fb.year}, {fb:%H:%M}"
