"""Every reason code a finding or a coverage row may carry, with its English sentence.

A `Reason` is a stable code plus parameters; the report layer translates the sentence below
(the translation source) and fills in the parameters, escaped. Codes are part of the JSON
report: never rename one, only add. `power_<capability>` exists for every capability code
(`stalkerscan.match.capabilities.CAPABILITIES`). docs/findings.md lists the same table, and
tests check that every code the matchers emit is here.
"""

from __future__ import annotations

from stalkerscan.match.capabilities import CAPABILITIES

REASONS: dict[str, str] = {
    # -- indicators ---------------------------------------------------------------------------
    "ioc_sample_hash": "The APK file is identical to a known sample of {family} ({feed}).",
    "ioc_certificate": "The app is signed with a certificate of {family} ({value}; {feed}).",
    "ioc_package": "The package name {value} is listed for {family} ({feed}).",
    "ioc_package_casefold": (
        "The package name matches {value} of {family} except for upper/lower case ({feed})."
    ),
    "ioc_host": "The app contains the server address {value}, listed for {family} ({feed}).",
    "ioc_also_claimed_by": "The same value is also listed for {family}.",
    # -- YARA -----------------------------------------------------------------------------------
    "yara_rule": "Its code matches the rule {rule} ({description}) in {targets}.",
    # -- how the app arrived, how it hides ------------------------------------------------------
    "installer_not_store": "It was not installed from a known app store (installer: {installer}).",
    "no_launcher_icon": "It has no icon on the home screen or in the app list.",
    "system_like_package": "Its package name {package} looks like part of the system.",
    "system_like_label": "Its name \u201c{label}\u201d looks like part of the system.",
    "recently_installed": "It was installed {days} day(s) before the scan ({when}).",
    "recently_updated": "It was installed or updated {days} day(s) before the scan ({when}).",
    "battery_exempt": "It is exempt from battery optimisation, so it can run all the time.",
    "keyboard_enabled": "It is an enabled keyboard.",
    "vpn_active": "It is running a VPN.",
    "vpn_always_on": "It is set as an always-on VPN.",
    "tracking_purpose_name": "Its name says it is made to track or monitor someone.",
    # -- removed apps ---------------------------------------------------------------------------
    "trace_kept": "It was uninstalled but its data was kept on the phone.",
    "trace_usagestats": "Android's usage records still mention it.",
    "trace_appops": "Android's permission-use records still mention it.",
    "last_used": "It was last active at {when} (phone time).",
    # -- device -------------------------------------------------------------------------------
    "play_protect_off": "Google Play Protect app scanning is off ({setting}).",
    "play_protect_upload_off": "Sending unknown apps to Google for checking is off ({setting}).",
    "device_owner": "It is the device owner: it controls the whole phone.",
    "profile_owner": "It is the owner of profile {user}: it controls that profile.",
    "su_on_path": "A root tool (su) is installed at {path}.",
    "root_app_installed": "A root manager app is installed ({package}).",
    "test_keys_build": "The system is signed with public test keys.",
    "selinux_permissive": "The SELinux security protection is in permissive mode.",
    "bootloader_unlocked": "The bootloader is unlocked.",
    "verified_boot_orange": "Verified boot reports a modifiable system (orange).",
    # -- coverage -----------------------------------------------------------------------------
    "artifact_skipped": "Not available on this phone: {detail}.",
    "artifact_missing": "The saved output is missing from the acquisition.",
    "artifact_failed": "The command failed on the phone: {detail}.",
    "artifact_not_collected": "The collection stopped before this output was read.",
    "artifact_tampered": "The saved output no longer matches its recorded checksum ({problem}).",
    "artifact_truncated": "The output was cut at the size limit: {detail}.",
    "artifact_partial": "Only part of the output was read: {detail}.",
    "input_missing": "The outputs this check needs were not collected ({artifacts}).",
    "input_failed": "An output this check needs is missing or failed ({artifact}).",
    "input_untrusted": "An output this check needs could not be trusted ({artifact}).",
    "input_skipped": "The outputs this check needs are not available on this phone ({artifact}).",
    "no_indicator_feed": "No indicator feed was loaded.",
    "feed_not_used": "An indicator feed was not used: {detail}",
    "hashing_skipped": "APK checksums were not computed: {detail}.",
    "hashing_failed": "Computing APK checksums failed: {detail}.",
    "hashing_not_collected": "APK checksums were not computed (the collection stopped).",
    "no_apk_selected": "No app looked unusual enough to examine its APK file.",
    "no_apk_pulled": "No APK file was copied for examination ({status}).",
    "apk_untrusted": "{count} APK file(s) no longer match their recorded checksum.",
    "no_rule_sets": "No YARA rules were loaded.",
    "yara_problems": "The YARA scan ran into {count} time-out(s) or error(s).",
}

for _code, _sentence in CAPABILITIES.items():
    REASONS.setdefault(f"power_{_code}", "It " + _sentence + ".")
