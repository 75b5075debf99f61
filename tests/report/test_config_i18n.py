"""Organisation config loading, language default, locale-aware formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from stalkerscan.errors import ConfigError, UsageError
from stalkerscan.report.config import default_config_path, load_org_config
from stalkerscan.report.i18n import default_lang, translator


def test_org_config_from_file(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(
        'name: "Example Service"\ncontacts:\n  - name: Helpline\n    phone: "+00 0000"\n',
        "utf-8",
    )
    org = load_org_config(path)
    assert org is not None and org.name == "Example Service"
    assert org.contacts[0].phone == "+00 0000"


@pytest.mark.parametrize(
    "text", ["contacts: [{name: x, fax: 1}]\n", "!!python/object:os.system x\n", "name: [\n"]
)
def test_bad_org_config_is_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError):
        load_org_config(path)


def test_missing_explicit_config_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_org_config(tmp_path / "nope.yaml")


def test_default_config_path_is_in_the_user_config_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_config_path() == tmp_path / "stalkerscan" / "organisation.yaml"
    assert load_org_config() is None
    (tmp_path / "stalkerscan").mkdir()
    default_config_path().write_text("name: Office\n", "utf-8")
    org = load_org_config()
    assert org is not None and org.name == "Office"


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LC_ALL": "de_CH.UTF-8", "LANG": "fr_FR.UTF-8"}, "de"),
        ({"LANGUAGE": "it:en", "LANG": "en_US.UTF-8"}, "it"),
        ({"LANG": "es_ES@euro"}, "es"),
        ({"LANG": "pt_BR.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_default_lang(env: dict[str, str], lang: str) -> None:
    assert default_lang(env) == lang


def test_dates_and_numbers_follow_the_locale() -> None:
    when = datetime(2026, 11, 18, 9, 30, tzinfo=UTC)
    assert translator("en").datetime(when) == "Nov 18, 2026, 9:30:00\u202fAM UTC"
    assert translator("fr").datetime(when).startswith("18 nov. 2026")
    assert translator("de").datetime(when).startswith("18.11.2026")
    assert translator("de").number(12345) == "12.345"
    assert translator("fr").number(12345) == "12\u202f345"
    assert translator("en").number(12345) == "12,345"


def test_plural_forms() -> None:
    fr = translator("fr")
    assert fr.ngettext("{count} rule", "{count} rules", 1) == "{count} règle"
    assert fr.ngettext("{count} rule", "{count} rules", 8) == "{count} règles"
    assert translator("de").ngettext("{count} rule", "{count} rules", 0) == "{count} Regeln"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        translator("xx")


def test_report_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from stalkerscan.report.options import report_settings, resolve_lang

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "it_IT.UTF-8")
    assert resolve_lang(None) == "it"
    assert resolve_lang(" FR ") == "fr"
    with pytest.raises(UsageError):
        resolve_lang("xx")
    org = tmp_path / "org.yaml"
    org.write_text("name: Office\n", "utf-8")
    settings = report_settings("de", redact=True, org_config=org)
    assert settings.render_kwargs()["lang"] == "de" and settings.redact
    assert settings.org is not None and settings.org.name == "Office"
    # No config file: an empty config, so render_all does not look for one again.
    assert report_settings(None).org is not None
