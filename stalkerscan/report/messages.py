"""Every sentence a report shows, in English: the msgids of the translation catalogs.

Codes in the `ScanResult` (reason codes, capability codes, rule IDs, check IDs, statuses) map to
English sentences here; `N_` and `Np_` only mark them for extraction (`stalkerscan.report.catalogs`
builds `locale/messages.pot` from this module and `view.py`). A sentence holds `{name}`
placeholders filled from the reason's parameters; parameter values are device or feed data and
each renderer escapes them (they are never part of the translated text).

Written for a frightened, non-technical reader and a support worker: plain words, short
sentences. The tests fail when a code used by `stalkerscan.match` or `stalkerscan.analyse` has no
sentence here, or when a catalog lacks a translation.
"""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction; returns it unchanged (translated later)."""
    return message


def Np_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction."""
    return (singular, plural)


Message = str | tuple[str, str]

VERDICT: dict[str, str] = {
    "found": N_("Something was found on this phone that may let someone watch you."),
    "nothing_found": N_("Nothing suspicious was found."),
    "incomplete": N_(
        "The scan is incomplete: some checks could not run, so this result is not final."
    ),
}
NOT_CLEAN = N_("This does not prove that the phone is clean.")
# Shown in the verdict area of a real scan or check when no real indicator feed (Echap) is
# installed: only the fictional training feed and the behaviour heuristics were used.
NO_FEED = N_(
    "No stalkerware indicator feed is installed, so known stalkerware could only be "
    "recognised by its behaviour. To install it, run: stalkerscan indicators update"
)
# After the demo feed in the provenance list: its entries are fictional.
TRAINING_FEED = N_("training feed: fictional apps only, for demonstrations")

SEVERITY: dict[str, str] = {
    "info": N_("For information"),
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
}

CONFIDENCE: dict[str, str] = {
    "high": N_("High: strong evidence"),
    "medium": N_("Medium: likely, worth a closer look"),
    "low": N_("Low: a hint only"),
}

CATEGORY: dict[str, str] = {
    "stalkerware": N_("Known stalkerware"),
    "watchware": N_("Known monitoring app (visible, often installed with consent)"),
    "dual-use": N_("Tracking app (it can be legitimate)"),
    "suspicious": N_("Suspicious app"),
    "device": N_("Phone setting"),
}

STATUS: dict[str, str] = {
    "performed": N_("Done"),
    "skipped": N_("Skipped"),
    "failed": N_("Failed"),
    "untrusted": N_("Not trusted"),
}

INSTALLER_KIND: dict[str, str] = {
    "store": N_("a known app store"),
    "sideloaded": N_("an app file opened on the phone (not from a store)"),
    "adb": N_("a computer, or the factory image (no installer recorded)"),
    "system": N_("a system component"),
    "unknown": N_("another app (not a known store)"),
}

# Capability codes (stalkerscan.match.capabilities) -> what the app can do, in plain words.
CAPABILITY: dict[str, str] = {
    "screen_content_and_typing": N_("It can see everything on your screen and what you type."),
    "read_notifications": N_("It can read your notifications, including messages."),
    "read_sms": N_("It can read your text messages."),
    "call_log": N_("It can see who you call and who calls you."),
    "contacts": N_("It can read your contacts."),
    "record_audio": N_("It can use the microphone."),
    "camera": N_("It can use the camera."),
    "location": N_("It knows where you are."),
    "location_background": N_("It knows where you are, even when you are not using it."),
    "hard_to_uninstall": N_("It is hard to uninstall (it is a device administrator)."),
    "manages_device": N_("It controls the phone or a work profile (device or profile owner)."),
    "usage_history": N_("It can see which apps you use and when."),
    "install_apps": N_("It can install other apps."),
    "draw_over_apps": N_("It can show things on top of other apps."),
    "keyboard_input": N_("It sees everything you type with its keyboard."),
    "network_traffic": N_("It can see and redirect your internet traffic (VPN)."),
    "runs_at_boot": N_("It starts by itself when the phone starts."),
    "never_sleeps": N_("It is exempt from battery saving, so it can run all the time."),
    "default_sms_app": N_("It is your default text-message app."),
    "default_dialer": N_("It is your default phone app."),
}

# Reason codes (Finding.reasons and CheckCoverage.reason) -> why, with the reason's parameters.
REASON: dict[str, Message] = {
    # Indicator matches (the family may be stalkerware or a visible monitoring app).
    "ioc_sample_hash": N_("The app file is identical to a known copy of {family}."),
    "ioc_certificate": N_("The app is signed with a certificate known to be used by {family}."),
    "ioc_package": N_("Its package name is listed for {family}."),
    "ioc_package_casefold": N_(
        "Its package name is the same as one listed for {family}, except for capital letters. "
        "This is only a hint."
    ),
    "ioc_host": N_("The app contains the server address {value}, known to be used by {family}."),
    "ioc_also_claimed_by": N_("The same indicator is also listed for {family}."),
    # Heuristics.
    "installer_not_store": N_(
        "It was not installed from a known app store (installer recorded: {installer})."
    ),
    "power_screen_content_and_typing": N_(
        "It has accessibility access: it can see everything on the screen and what is typed."
    ),
    "power_read_notifications": N_(
        "It has notification access: it can read notifications, including messages."
    ),
    "power_hard_to_uninstall": N_(
        "It is a device administrator, which makes it hard to uninstall."
    ),
    "power_usage_history": N_("It has usage access: it can see which apps are used and when."),
    "power_location_background": N_("It can see the phone's location, even in the background."),
    "power_location": N_("It can see the phone's location."),
    "no_launcher_icon": N_("It has no icon on the home screen, so it is easy to miss."),
    "system_like_package": N_(
        "Its package name {package} looks like part of Android or of the phone maker's "
        "software, but it is not a system app."
    ),
    "system_like_label": N_(
        "Its name {label} sounds like part of the system, but it is not a system app."
    ),
    "recently_installed": Np_(
        "It was installed recently: on {when} ({days} day before the scan).",
        "It was installed recently: on {when} ({days} days before the scan).",
    ),
    "recently_updated": Np_(
        "It was updated recently: on {when} ({days} day before the scan).",
        "It was updated recently: on {when} ({days} days before the scan).",
    ),
    "battery_exempt": N_("It is exempt from battery saving, so it can run all the time."),
    "keyboard_enabled": N_(
        "It is turned on as a keyboard, so it can see everything typed with it."
    ),
    "vpn_active": N_("It runs a VPN: it can see and redirect internet traffic."),
    "vpn_always_on": N_("It is set as an always-on VPN."),
    "tracking_purpose_name": N_(
        "Its name suggests it is made to track someone (for example parental control or a "
        "family locator)."
    ),
    "yara_rule": N_("The app's code matches the detection rule {rule}: {description}"),
    # Traces of a removed app.
    "trace_usagestats": N_("The phone's app-usage records still mention it."),
    "trace_appops": N_("The phone's permission records still mention it."),
    "trace_kept": N_("Its data was kept on the phone when it was removed."),
    "last_used": N_("It was last used on {when}."),
    # The phone itself.
    "play_protect_off": N_("Google Play Protect app scanning is turned off."),
    "play_protect_upload_off": N_("Sending unknown apps to Google for checking is turned off too."),
    "device_owner": N_("It is the device owner: it controls the whole phone."),
    "profile_owner": N_("It is the profile owner of user {user} (for example a work profile)."),
    "su_on_path": N_("A root tool (su) is on the phone: {path}."),
    "root_app_installed": N_("A rooting app is installed: {package}."),
    "test_keys_build": N_("The system is signed with public test keys, not the maker's keys."),
    "selinux_permissive": N_(
        "SELinux, a key Android protection, is not enforcing (permissive mode)."
    ),
    "bootloader_unlocked": N_("The bootloader is unlocked, so the system can be changed."),
    "verified_boot_orange": N_(
        "Verified boot says the system is not the maker's original (state: orange)."
    ),
    # Coverage (why a check was skipped, failed or is not trusted).
    "artifact_skipped": N_("Not available on this phone."),
    "artifact_not_collected": N_("Not collected: the collection stopped before it."),
    "artifact_failed": N_("Reading it from the phone failed."),
    "artifact_missing": N_("The saved file is missing."),
    "artifact_tampered": N_(
        "The saved file does not match its recorded fingerprint (sha256), so it is not trusted."
    ),
    "artifact_truncated": N_("The saved output was cut off at the size limit."),
    "artifact_partial": N_("Only part of it could be read."),
    "input_missing": N_("The data this check needs was not collected."),
    "input_failed": N_("The data this check needs ({artifact}) could not be read."),
    "input_untrusted": N_("The data this check needs ({artifact}) is not trusted."),
    "input_skipped": N_("The data this check needs ({artifact}) is not available on this phone."),
    "no_indicator_feed": N_("No list of known stalkerware was loaded."),
    "feed_not_used": N_("An indicator list was not used."),
    "hashing_skipped": N_("App files were not fingerprinted."),
    "hashing_failed": N_("Fingerprinting the app files failed."),
    "hashing_not_collected": N_("App files were not fingerprinted: the collection stopped first."),
    "hashing_truncated": N_("Only some app files were fingerprinted."),
    "hashing_running": N_("Fingerprinting the app files did not finish."),
    "no_apk_selected": N_("No app looked unusual enough to copy its file for a closer look."),
    "no_apk_pulled": N_("No app file was copied from the phone for a closer look."),
    "apk_untrusted": Np_(
        "{count} copied app file could not be trusted.",
        "{count} copied app files could not be trusted.",
    ),
    "no_rule_sets": N_("No code-detection rules (YARA) were loaded."),
    "yara_problems": Np_(
        "The code scan failed on {count} file.",
        "The code scan failed on {count} files.",
    ),
}
# The parameter that picks the plural form of a Np_ reason.
PLURAL_PARAM: dict[str, str] = {
    "recently_installed": "days",
    "recently_updated": "days",
    "apk_untrusted": "count",
    "yara_problems": "count",
}
# Fallback for a reason code this version does not know (a newer matcher): shown with its code.
UNKNOWN_REASON = N_("Reason code {code}.")

# IndicatorMatch.kind -> what kind of value matched.
MATCH_KIND: dict[str, str] = {
    "sample_hash": N_("App file fingerprint"),
    "certificate": N_("Signing certificate"),
    "package": N_("Package name"),
    "package_casefold": N_("Package name (capitals ignored)"),
    "host": N_("Server address"),
    "ip": N_("Server address"),
    "yara": N_("Code rule"),
}

# Rule IDs -> short title of the finding.
RULE: dict[str, str] = {
    "SS-IOC-HASH": N_("App file identical to known stalkerware"),
    "SS-IOC-CERT": N_("Signed with a known stalkerware certificate"),
    "SS-IOC-PKG": N_("Package name of known stalkerware"),
    "SS-IOC-PKG-CASE": N_("Package name close to known stalkerware (a hint)"),
    "SS-IOC-HOST": N_("Contains a known stalkerware server address"),
    "SS-DUAL-IOC": N_("Known monitoring app (visible, often installed with consent)"),
    "SS-YARA": N_("App code matches a stalkerware detection rule"),
    "SS-YARA-FEED": N_("App code matches a detection rule of the indicator list"),
    "SS-APP-COVERT": N_("Hidden app with strong spying powers, not from an app store"),
    "SS-APP-SIDELOAD-POWER": N_("App not from an app store, with a power to watch you"),
    "SS-APP-HIDDEN": N_("App with no icon on the home screen"),
    "SS-APP-POSING": N_("App that looks like part of the system, but is not"),
    "SS-APP-RECENT": N_("App not from an app store, installed or updated recently"),
    "SS-APP-IME": N_("Keyboard not from an app store (it sees everything typed)"),
    "SS-APP-VPN": N_("VPN app (it can see and redirect internet traffic)"),
    "SS-DUAL-PURPOSE": N_("App made for tracking someone (parental control, family locator)"),
    "SS-REMOVED-IOC": N_("Known stalkerware was on the phone recently and was removed"),
    "SS-REMOVED-POWER": N_("An app with spying powers was removed recently"),
    "SS-DEV-PLAY-PROTECT": N_("Google Play Protect scanning is turned off"),
    "SS-DEV-OWNER": N_("An app not from a store controls the phone or a profile"),
    "SS-DEV-MANAGED": N_("The phone or a work profile is managed by an organisation's app"),
    "SS-DEV-ROOT": N_("The phone is rooted (any app given root has full control)"),
    "SS-DEV-BOOTLOADER": N_("The bootloader is unlocked (the system can be changed)"),
}
UNKNOWN_RULE = N_("Finding {rule}")

# Coverage check IDs (stalkerscan.analyse.check_rows) -> what was checked.
CHECK: dict[str, str] = {
    "indicators": N_("Lists of known stalkerware"),
    "ioc_package": N_("Known stalkerware app names"),
    "ioc_sample_hash": N_("Known stalkerware app files (fingerprints)"),
    "ioc_certificate": N_("Known stalkerware signing certificates"),
    "ioc_host": N_("Known stalkerware server addresses in app code"),
    "yara": N_("Stalkerware code patterns (YARA rules)"),
    "heuristics": N_("Unusual apps (how installed, hidden icon, name)"),
    "accessibility_services": N_("Accessibility access"),
    "notification_listeners": N_("Notification access"),
    "device_admins_and_owners": N_("Device administrators and owners"),
    "usage_access_and_location": N_("Usage access and location"),
    "keyboards": N_("Keyboards"),
    "vpn": N_("VPNs"),
    "battery_exemptions": N_("Battery-saving exemptions"),
    "removed_traces": N_("Traces of removed apps"),
    "play_protect": N_("Google Play Protect"),
    "root_and_bootloader": N_("Root and bootloader"),
}
CHECK_FEED_MISSING = N_("Lists of known stalkerware (one list not used)")
UNKNOWN_CHECK = N_("Check {check}")
