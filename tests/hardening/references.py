"""Rows of docs/reliability.md proven by tests outside tests/hardening (not duplicated here).

Each row: (area, input or fault, expected outcome, node-id prefixes). A prefix matches every
test (and parameter) whose node id starts with it; the row is green when all matched tests
passed. `scripts/reliability_table.py --run` runs these node ids with tests/hardening.
"""

from __future__ import annotations

Row = tuple[str, str, str, tuple[str, ...]]

REFERENCES: tuple[Row, ...] = (
    # --- hostile device, transport level ---------------------------------------------------
    ("hostile device", "ADB packets that break the protocol (bad magic/checksum, oversized, "
     "out of order) sent to the transports", "refused with DeviceProtocolError, never trusted",
     ("tests/device/test_device_hostile.py::test_hostile_packets_are_refused",)),
    ("hostile device", "sync RECV longer than the announced size (transport)",
     "cut at the announced size / refused before writing",
     ("tests/device/test_device_hostile.py::test_a_file_longer_than_announced_is_cut_at_the_announced_size",
      "tests/device/test_device_wire.py::test_more_than_announced_is_refused_before_writing",
      "tests/collect/test_edge_cases.py::test_sync_server_sending_more_than_announced_keeps_nothing")),
    ("hostile device", "one command that never answers (hang) mid-collection",
     "that session fails at --session-timeout, the rest goes on, recorded with the reason",
     ("tests/collect/test_edge_cases.py::test_a_session_that_times_out_is_failed_and_the_rest_goes_on",)),
    ("hostile device", "outputs over the per-command cap", "cut at the cap, marked truncated",
     ("tests/collect/test_edge_cases.py::test_outputs_over_the_cap_are_truncated_and_say_so",)),
    ("hostile device", "hostile APKs (zip bombs, bad manifests, crafted entries)",
     "refused or reported with a reason; no crash",
     ("tests/apk/test_hostile_apks.py", "tests/apk/test_apk_content_fuzz.py")),
    ("hostile device", "acquisition manifest naming a file outside the folder / tampered files",
     "never read; reported as tampered",
     ("tests/analyse/test_bad_input.py::test_unsafe_file_name_in_manifest_is_never_read",
      "tests/collect/test_acquisition_folder.py::test_manifest_naming_a_file_outside_the_folder_is_refused",
      "tests/analyse/test_bad_input.py::test_tampered_pulled_apk")),
    ("hostile device", "hostile text in the terminal summary of `check`",
     "escaped (\\u001b shown, never raw ESC)",
     ("tests/analyse/test_commands.py::test_hostile_text_is_escaped_in_the_summary",)),
    ("hostile device", "a flooded dump: more entries than a parser keeps (every parser of "
     "stalkerscan/evidence with its caps set small; `dumpsys package` padded with fake blocks "
     "and distinct grant lines past the whole-dump budget)",
     "each parser keeps exactly its cap and says `truncated` (or counts `capped`/`unlisted`); a "
     "normal output is not truncated",
     ("tests/evidence/test_accessibility.py::test_caps",
      "tests/evidence/test_accounts.py::test_caps",
      "tests/evidence/test_accounts.py::test_many_authenticators_capped_at_the_default",
      "tests/evidence/test_appops.py::test_normal_dump_is_not_truncated",
      "tests/evidence/test_appops.py::test_uid_and_package_caps",
      "tests/evidence/test_appops.py::test_op_caps_and_shared_ops",
      "tests/evidence/test_device_policy.py::test_caps",
      "tests/evidence/test_deviceidle.py::test_entry_cap",
      "tests/evidence/test_input_method.py::test_caps",
      "tests/evidence/test_launcher.py::test_activity_cap",
      "tests/evidence/test_notification.py::test_entry_cap",
      "tests/evidence/test_role.py::test_caps",
      "tests/evidence/test_settings.py::test_caps", "tests/evidence/test_usagestats.py::test_caps",
      "tests/evidence/test_vpn.py::test_caps",
      "tests/evidence/test_package.py::test_padding_cannot_push_listed_packages_past_the_cap",
      "tests/evidence/test_package.py::test_list_entries_have_a_budget_over_the_whole_dump",
      "tests/evidence/test_package.py::test_repeated_grant_lines_share_one_object")),
    ("hostile device", "more apps than the evidence models (caps set small on a real acquisition)",
     "listed packages past MAX_APPS and any past MAX_ALL_APPS left out, usage-only traces past "
     "their cap not listed; each cut named on the artifact that named them (coverage: partial)",
     ("tests/analyse/test_build.py::test_apps_past_the_cap_are_left_out_but_special_access_holders_stay",
      "tests/analyse/test_build.py::test_a_hard_cap_on_all_apps_names_the_artifacts_it_cut",
      "tests/analyse/test_build.py::test_usage_only_traces_are_capped")),
    ("hostile device", "thousands of weakly flagged apps in one report",
     "the terminal shows every app of medium concern or above and 20 weak ones, and a translated "
     "line counting the rest; the HTML lists all",
     ("tests/report/test_many_apps.py",)),
    # --- faults ------------------------------------------------------------------------------
    ("faults", "disconnect mid-collection (`collect`), at 3 points and mid-artifact",
     "exit 4, valid partial acquisition, partial output kept and marked",
     ("tests/collect/test_faults.py::test_disconnect_mid_collection_exits_4_with_a_partial_acquisition",
      "tests/collect/test_faults.py::test_disconnect_in_the_middle_of_an_artifact_keeps_its_partial_output",
      "tests/collect/test_faults.py::test_disconnect_during_a_pull")),
    ("faults", "`collect --resume` after a disconnect (also while hashing)",
     "collects only what is missing; complete acquisition",
     ("tests/collect/test_faults.py::test_resume_collects_only_what_is_missing",
      "tests/collect/test_faults.py::test_disconnect_while_hashing_then_resume")),
    ("faults", "SIGKILL of `collect` between writes",
     "manifest on disk always whole and parseable; listed files verify",
     ("tests/collect/test_acquisition_folder.py::test_a_crash_between_writes_leaves_a_parseable_manifest",)),
    ("faults", "real full disk (ENOSPC, 192 KiB tmpfs in a user namespace) during `collect`",
     "exit 4, 'disk is full', what was written kept and verifies",
     ("tests/collect/test_acquisition_folder.py::test_a_full_disk_gives_a_clear_message_and_keeps_what_was_written",
      "tests/collect/test_acquisition_folder.py::test_writer_reports_a_full_disk")),
    ("data at rest", "a symlink planted where an output goes", "refused, never written through",
     ("tests/collect/test_acquisition_folder.py::test_a_planted_symlink_is_not_followed",)),
    ("data at rest", "acquisition written under any umask", "0700 folders, 0600 files",
     ("tests/collect/test_acquisition_folder.py::test_modes_are_private_whatever_the_umask",)),
    # --- read-only -----------------------------------------------------------------------------
    ("read-only", "every command outside the allowlist (install, pm clear, settings put, "
     "reboot, pipes, substitutions, ...)", "refused by the Transport base class before any "
     "subclass sees it; never reaches the simulated phone",
     ("tests/device/test_device_readonly.py", "tests/test_allowlist.py",
      "tests/device/test_device_allowlist.py")),
    # --- network -------------------------------------------------------------------------------
    ("no network", "`indicators update` over HTTPS: untrusted or wrong-host certificate, "
     "verification off, plain HTTP, redirect to HTTP", "refused",
     ("tests/indicators/test_https.py",
      "tests/indicators/test_update_http.py::test_certificate_verification_cannot_be_turned_off",
      "tests/indicators/test_update_http.py::test_plain_http_only_to_loopback",
      "tests/indicators/test_update_http.py::test_non_https_source_is_a_usage_error",
      "tests/indicators/test_update_http.py::test_redirect_to_plain_http_elsewhere_is_refused")),
    ("no network", "`indicators update`: oversized file, total size, truncated download, "
     "unreachable server", "size limits stop reading; clear message; old feed kept",
     ("tests/indicators/test_update_http.py::test_file_over_the_size_limit_is_not_read_to_the_end",
      "tests/indicators/test_update_http.py::test_total_size_limit",
      "tests/indicators/test_update_http.py::test_truncated_download",
      "tests/indicators/test_update_http.py::test_unreachable_server")),
    # --- bad feeds and rules ---------------------------------------------------------------------
    ("bad feeds", "malformed YAML, duplicate keys, wrong types, control characters",
     "refused with the file and entry named",
     ("tests/indicators/test_yaml_and_files.py::test_broken_yaml_files_are_refused_with_file_and_entry",
      "tests/indicators/test_yaml_and_files.py::test_wrong_types_skip_the_entry_or_field_and_say_which",
      "tests/indicators/test_yaml_and_files.py::test_control_characters_are_refused_as_invalid_yaml",
      "tests/indicators/test_yaml_and_files.py::test_unusable_files_are_refused")),
    ("bad feeds", "YAML bomb (anchors/aliases), locally and served over HTTPS",
     "refused without expanding",
     ("tests/indicators/test_yaml_and_files.py::test_alias_bomb_is_refused_without_expanding",
      "tests/indicators/test_yaml_and_files.py::test_a_single_alias_is_refused_too",
      "tests/indicators/test_update_http.py::test_alias_bomb_served")),
    ("bad feeds", "huge feed file", "refused before parsing",
     ("tests/indicators/test_yaml_and_files.py::test_huge_file_is_refused_before_parsing",)),
    ("bad feeds", "update failing mid-way, HTML error page, a feed 10x smaller",
     "last good version stays active",
     ("tests/indicators/test_store.py::test_failure_mid_update_leaves_the_old_version_active",
      "tests/indicators/test_store.py::test_leftovers_of_a_crash_are_ignored_and_cleaned",
      "tests/indicators/test_update_http.py::test_html_error_page",
      "tests/indicators/test_update_http.py::test_ten_times_smaller_feed_is_refused_unless_forced")),
    ("bad rules", "YARA rule file that does not compile / imports an unavailable module / "
     "uses include", "RuleError naming the file and line",
     ("tests/rules/test_rules_engine.py::test_compile_error_names_the_file_and_line",
      "tests/rules/test_rules_engine.py::test_unavailable_module_is_a_rule_error",
      "tests/rules/test_rules_engine.py::test_includes_are_refused",
      "tests/rules/test_rules_engine.py::test_cli_rules_check_exit_2_naming_the_file")),
    ("bad rules", "feed update whose rules.yar does not compile, imports an unavailable "
     "module, or is pathologically slow", "update refused naming rules.yar and the reason; "
     "the last good feed version stays active",
     ("tests/indicators/test_feed_rules.py::test_bad_rules_file_keeps_the_last_good_version",)),
    ("bad rules", "pathologically slow YARA rule", "timeout recorded; guarded worker killed; "
     "scan goes on", ("tests/rules/test_rules_engine.py::test_slow_rule_is_recorded_as_a_timeout",
                      "tests/rules/test_rules_engine.py::test_guarded_set_kills_a_rule_that_overruns_yara_timeout")),
    # --- fuzzing ---------------------------------------------------------------------------------
    ("fuzzing", "ADB packet decoder of the simulated phone: arbitrary bytes, any split, "
     "corrupted payload/magic", "only ProtocolError; never a crash or a wrong message",
     ("tests/simulator/test_sim_protocol.py",)),
    ("fuzzing", "transports' wire parsers (sync RECV, exit markers, shell v2 framing)",
     "never overflow the announced size; markers stripped whatever the chunking",
     ("tests/device/test_device_wire.py",)),
    ("fuzzing", "parser property tests of tests/evidence (package, accounts, device, settings) "
     "and the indicator normaliser", "no crash; invariants hold",
     ("tests/evidence/test_package_hypothesis.py", "tests/evidence/test_accounts.py",
      "tests/evidence/test_device.py", "tests/evidence/test_settings.py",
      "tests/indicators/test_properties.py")),
)  # fmt: skip
