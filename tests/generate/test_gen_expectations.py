"""The machine-readable expectations of each scenario (`expect:`) match what was rendered:
a signal promised to the detection tests is really present in the phone's outputs."""

from __future__ import annotations

import pytest
from gen_helpers import Rendered

from stalkerscan.evidence import device_policy, launcher, package, pm_list, settings, usagestats
from stalkerscan.simulator import scenarios
from stalkerscan.simulator.generate.android import STORES

WITH_EXPECT = [i.name for i in scenarios.list_profiles() if i.expect and i.expect.get("apps")]
LAUNCHER = (
    "cmd package query-activities --brief --user {n} -a android.intent.action.MAIN "
    "-c android.intent.category.LAUNCHER"
)


def test_every_trainer_scenario_states_its_expected_outcome() -> None:
    for info in scenarios.list_scenarios():
        assert info.expect is not None and info.expect.get("max_level"), info.name


@pytest.mark.parametrize("name", WITH_EXPECT)
def test_promised_signals_are_in_the_outputs(name: str, render) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render(name)
    spec = scenarios.load_scenario_spec(name)
    assert spec.expect is not None
    pkgs = {p.name: p for p in r.parsed("dumpsys package", package.parse_dumpsys_package).packages}
    dp = device_policy.parse_device_policy(r.out("dumpsys device_policy"))
    for pkg, exp in spec.expect.apps.items():
        u = exp.user
        info = pkgs[pkg]
        sec = dict(settings.parse_settings(r.out(f"settings --user {u} list secure")).values)
        installer = info.install_source.installer if info.install_source else None
        states = {s.user_id: s for s in info.users}
        grants = {g.name for g in states[u].runtime_permissions if g.granted}
        for sig in exp.signals:
            if sig == "sideloaded":
                assert installer not in STORES, (pkg, installer)
            elif sig == "store":
                assert installer in STORES, (pkg, installer)
            elif sig == "accessibility":
                assert pkg in sec.get("enabled_accessibility_services", "")
            elif sig == "notification-listener":
                assert pkg in sec.get("enabled_notification_listeners", "")
            elif sig == "device-admin":
                assert any(a.package == pkg and a.user == u for a in dp.admins)
            elif sig == "profile-owner":
                assert any(o.package == pkg and o.user == u for o in dp.profile_owners)
            elif sig == "no-launcher":
                q = launcher.parse_launcher_query(r.out(LAUNCHER.format(n=u)))
                assert pkg not in {a.package for a in q.activities}
            elif sig == "background-location":
                assert "android.permission.ACCESS_BACKGROUND_LOCATION" in grants
            elif sig == "sms":
                assert "android.permission.READ_SMS" in grants
            elif sig == "microphone":
                assert "android.permission.RECORD_AUDIO" in grants
            elif sig == "removed-trace":
                assert not any(s.installed for s in info.users)
                usage = usagestats.parse_usagestats(r.out("dumpsys usagestats")).packages
                assert any(x.package == pkg for x in usage)
                listed = pm_list.parse_pm_list_packages(
                    r.out(f"pm list packages -f -i -U -u --user {u}")
                ).packages
                assert any(x.name == pkg for x in listed)
            elif sig == "battery-exempt":
                assert f"user,{pkg}," in r.text("dumpsys deviceidle whitelist")
            elif sig == "usage-access":
                assert "GET_USAGE_STATS" in r.text("dumpsys appops")
            elif sig == "work-profile":
                assert u != 0
        if "removed-trace" not in exp.signals:
            assert states[u].installed, (pkg, u)
    glob = dict(settings.parse_settings(r.out("settings list global")).values)
    if "play-protect-off" in spec.expect.device:
        assert glob["package_verifier_enable"] == "0"
