"""Every shipped spec renders, loads in the simulator, answers every collector command, and is
deterministic; the scenario API lists the trainers' scenarios."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from gen_helpers import REGULAR, Rendered

from stalkerscan.errors import ProfileError, UsageError
from stalkerscan.simulator import scenarios
from stalkerscan.simulator.generate import load_spec_data, render_spec, spec_hash
from stalkerscan.simulator.profile import Profile

LAUNCHER = ("cmd package query-activities --brief --user {n} -a android.intent.action.MAIN "
            "-c android.intent.category.LAUNCHER")  # fmt: skip
PER_USER = ("pm list packages -f -i -U -u --user {n}", "pm list packages -d --user {n}", LAUNCHER,
            "settings --user {n} list secure", "settings --user {n} list system")  # fmt: skip
GLOBAL = ("getprop", "getenforce", "date +%s", "pm list users", "dumpsys package",
          "dumpsys device_policy", "dumpsys accessibility", "dumpsys notification",
          "dumpsys appops", "dumpsys input_method", "dumpsys role", "dumpsys deviceidle whitelist",
          "dumpsys connectivity", "dumpsys account", "dumpsys usagestats",
          "settings list global")  # fmt: skip


def test_list_scenarios_names_the_trainers_scenarios_in_order() -> None:
    infos = scenarios.list_scenarios()
    assert [i.name for i in infos] == ["clean", "covert", "dual-use", "removed", "work-profile"]
    for i in infos:
        assert i.trainer and i.title and len(i.description) > 40 and i.expected


def test_every_profile_is_listed_with_a_description() -> None:
    names = {i.name for i in scenarios.list_profiles()}
    assert {"typical", "typical-zero", "small", "huge", "hostile", "hostile-huge",
            "android7-samsung", "android9-huawei", "android11-xiaomi", "android13-samsung",
            "android14-oppo", "android16-pixel"} <= names  # fmt: skip
    for i in scenarios.list_profiles():
        assert i.description, i.name


def test_resolve_unknown_name_says_what_exists() -> None:
    with pytest.raises(UsageError) as err:
        scenarios.resolve("no-such-scenario")
    assert "covert" in str(err.value)


@pytest.mark.parametrize("name", REGULAR)
def test_profile_loads_and_answers_every_collector_command(
    name: str, render, cache_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    r: Rendered = render(name)
    profile = Profile.load(r.root)
    users = [
        int(line.split("{")[1].split(":")[0]) for line in r.text("pm list users").splitlines()[1:]
    ]
    assert 0 in users
    wanted = list(GLOBAL) + [c.format(n=n) for n in users for c in PER_USER]
    for cmd in wanted:
        assert profile.lookup_command(cmd.split()) is not None, f"{name}: no answer to {cmd!r}"
    # Every APK that pm list shows is served (sync and sha256sum work on it).
    listed = r.text("pm list packages -f -i -u --user 0")
    for line in listed.splitlines():
        path = line.removeprefix("package:").split("  installer=")[0].rsplit("=", 1)[0]
        if name != "hostile" and path != "null":  # null: uninstalled, data kept
            assert path in profile.files, f"{name}: {path} not served"


@pytest.mark.parametrize("name", ["small", "covert", "android7-samsung", "hostile", "work-profile"])
def test_rendering_is_deterministic(name: str, tmp_path: Path) -> None:
    spec = scenarios.load_scenario_spec(name)
    a, b = tmp_path / "a", tmp_path / "b"
    render_spec(spec, a)
    render_spec(spec, b)

    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}  # fmt: skip

    da, db = digest(a), digest(b)
    assert da == db and len(da) > 10


def test_cache_returns_the_same_folder_and_changes_with_the_spec(cache_dir: Path) -> None:
    first = scenarios.resolve("small", cache_dir)
    again = scenarios.resolve("small", cache_dir)
    assert first == again and (first / "profile.yaml").is_file()
    spec = scenarios.load_scenario_spec("small")
    other = spec.model_copy(update={"seed": spec.seed + 1})
    assert spec_hash(spec) != spec_hash(other)
    assert not str(first).startswith(str(Path(__file__).resolve().parents[2]))  # not in the repo


def test_extends_merges_apps_key_by_key() -> None:
    spec = scenarios.load_scenario_spec("removed")
    app = next(a for a in spec.apps if a.package == "org.stalkerscan.training.syncservice")
    assert app.removed is not None and app.removed.keep_data
    assert app.accessibility is not None and app.accessibility.enabled  # inherited from covert
    assert app.device_admin is not None and not app.device_admin.active  # overridden
    assert spec.settings.play_protect is False  # inherited


def test_spec_errors_name_the_key() -> None:
    with pytest.raises(ProfileError, match=r"device\.android"):
        load_spec_data({"name": "x", "device": {"android": 6}})
    with pytest.raises(ProfileError, match=r"apps\.0\.package"):
        load_spec_data({"name": "x", "apps": [{"label": "no package"}]})


def test_huge_profile_renders_5000_packages(tmp_path: Path) -> None:
    spec = scenarios.load_scenario_spec("huge")
    render_spec(spec, tmp_path)
    r = Rendered(tmp_path)
    lines = r.text("pm list packages -f -i -U -u --user 0").splitlines()
    assert len(lines) == 5000
    total = sum(int(f["generate"]["size"]) for f in r.data["files"].values() if "generate" in f)
    assert 3.5e9 < total < 4.5e9


@pytest.mark.skipif(
    not __import__("os").environ.get("STALKERSCAN_SLOW"), reason="writes 200 MB; STALKERSCAN_SLOW=1"
)
def test_hostile_huge_renders(tmp_path: Path) -> None:
    render_spec(scenarios.load_scenario_spec("hostile-huge"), tmp_path)
    r = Rendered(tmp_path)
    assert len(r.out("dumpsys package")) >= 200_000_000


def test_rendering_does_not_depend_on_the_process_hash_seed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from stalkerscan.simulator import scenarios; "
        "from stalkerscan.simulator.generate import render_spec; "
        "render_spec(scenarios.load_scenario_spec('work-profile'), Path(sys.argv[1]))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code, str(tmp_path / seed)], check=True, env=env)

    def digest(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    assert digest(tmp_path / "1") == digest(tmp_path / "2")


def test_derive_plants_an_app_on_a_shipped_phone(cache_dir: Path) -> None:
    spec = scenarios.derive(
        "small",
        "small-planted",
        apps=[{"package": "com.example.planted", "installer": None, "launcher": False}],
        settings={"play_protect": False},
    )
    folder = scenarios.render(spec, cache_dir)
    r = Rendered(folder)
    assert "=com.example.planted  installer=null uid:" in r.text(
        "pm list packages -f -i -U -u --user 0"
    )
    assert "package_verifier_enable=0" in r.text("settings list global")
    assert spec.device.android == 14  # inherited from small
    with pytest.raises(UsageError):
        scenarios.derive("no-such-base", "x")
