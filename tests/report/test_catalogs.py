"""Catalog completeness: every message translated in every language, every code has words.

Fails when a `.po` lacks a msgid of the template, has a fuzzy or empty translation, or breaks a
placeholder; when `messages.pot` is out of date with the sources; and when a reason code,
capability code, rule ID or coverage check that stalkerscan.match / stalkerscan.analyse can
produce has no sentence in stalkerscan.report.messages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from stalkerscan.report import catalogs
from stalkerscan.report import messages as M
from stalkerscan.report.i18n import LANGS, load_messages
from stalkerscan.result import CheckStatus

from .conftest import REPO

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
MATCH_DIR = REPO / "stalkerscan" / "match"
ANALYSE = REPO / "stalkerscan" / "analyse.py"


def template_ids() -> set[str | tuple[str, str]]:
    catalog = catalogs.extract()
    out: set[str | tuple[str, str]] = set()
    for msg in catalog:  # type: ignore[attr-defined]
        if msg.id:
            out.add(tuple(msg.id) if isinstance(msg.id, tuple | list) else msg.id)
    return out


def test_pot_is_up_to_date() -> None:
    pot = catalogs.LOCALE_DIR / "messages.pot"
    assert pot.read_text("utf-8") == catalogs.pot_text(), (
        "messages.pot is stale: run python -m stalkerscan.report.catalogs update"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_complete(lang: str) -> None:
    with catalogs.po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    ids = set()
    problems = []
    for msg in catalog:
        if not msg.id:
            continue
        key = tuple(msg.id) if isinstance(msg.id, tuple | list) else msg.id
        ids.add(key)
        if msg.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        strings = msg.string if isinstance(msg.string, tuple | list) else (msg.string,)
        sources = key if isinstance(key, tuple) else (key,)
        if not all(strings):
            problems.append(f"empty: {key!r}")
            continue
        for i, s in enumerate(strings):
            src = sources[min(i, len(sources) - 1)]
            if sorted(PLACEHOLDER.findall(s)) != sorted(PLACEHOLDER.findall(src)):
                problems.append(f"placeholders differ: {key!r} -> {s!r}")
    missing = template_ids() - ids
    assert not missing, f"{lang}: missing msgids {sorted(map(str, missing))[:10]}"
    assert not problems, f"{lang}: {problems[:10]}"
    # And the runtime loader sees all of them (no silent English fallback).
    assert len(load_messages(lang)) == len(template_ids())


def test_empty_translation_is_detected(tmp_path: Path) -> None:
    """The check above is not vacuous: a catalog with a gap fails it."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale="fr")
    catalog.add("Low", "")
    catalog.add("High", "Élevé", flags=("fuzzy",))
    gaps = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert gaps == ["Low", "High"]


def _reason_calls(path: Path) -> tuple[set[str], set[str]]:
    """(literal codes, f-string/concatenation prefixes) of reason()/_reason() calls."""
    codes: set[str] = set()
    prefixes: set[str] = set()
    tree = ast.parse(path.read_text("utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in ("reason", "_reason") or not node.args:
            continue
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            codes.add(arg.value)
        elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
            prefixes.add(str(arg.values[0].value))
        elif (
            isinstance(arg, ast.BinOp)
            and isinstance(arg.left, ast.Constant)
            and isinstance(arg.left.value, str)
        ):
            prefixes.add(arg.left.value)
    return codes, prefixes


def produced_reason_codes() -> set[str]:
    """Every reason code the matchers and the analysis can produce."""
    from stalkerscan.match.capabilities import SPYING_POWERS
    from stalkerscan.match.heuristics import _TRACKING_POWERS
    from stalkerscan.match.indicators import KIND_RULES

    codes: set[str] = set()
    prefixes: set[str] = set()
    for path in [*sorted(MATCH_DIR.glob("*.py")), ANALYSE]:
        c, p = _reason_calls(path)
        codes |= c
        prefixes |= p
    # Codes passed through a variable: recent_reason() in heuristics.py, and the artifact
    # status table in analyse.py.
    source = (MATCH_DIR / "heuristics.py").read_text("utf-8")
    codes |= set(re.findall(r'\("(recently_[a-z]+)",', source))
    codes |= set(
        re.findall(r'(?::\s*|\.get\([^)]*,\s*)"(artifact_[a-z_]+)"', ANALYSE.read_text("utf-8"))
    )
    expansions = {
        "ioc_": {*KIND_RULES, "also_claimed_by"},
        "power_": {*SPYING_POWERS, *_TRACKING_POWERS},
        "trace_": {"usagestats", "appops", "kept"},
        "hashing_": {"skipped", "failed", "not_collected", "truncated", "running"},
        "input_": {s.value for s in CheckStatus if s != CheckStatus.PERFORMED},
    }
    unknown = prefixes - set(expansions)
    assert not unknown, f"new dynamic reason codes {unknown}: add their expansions here"
    for prefix in prefixes:
        codes |= {prefix + s for s in expansions[prefix]}
    assert {"recently_installed", "recently_updated", "artifact_missing"} <= codes
    return codes


def test_every_reason_code_has_a_sentence() -> None:
    codes = produced_reason_codes()
    assert len(codes) > 40  # the scan above really found the codes
    missing = sorted(c for c in codes if c not in M.REASON)
    assert not missing, f"reason codes without a sentence in messages.REASON: {missing}"


def test_every_capability_has_a_sentence() -> None:
    from stalkerscan.match.capabilities import CAPABILITIES

    assert set(CAPABILITIES) <= set(M.CAPABILITY)


def test_every_rule_has_a_title() -> None:
    from stalkerscan.match import all_rules

    ids = {r.id for r in all_rules()}
    assert len(ids) >= 20
    assert ids <= set(M.RULE), sorted(ids - set(M.RULE))


def test_every_coverage_check_has_a_name() -> None:
    tree = ast.parse(ANALYSE.read_text("utf-8"))
    checks: set[str] = set()
    for node in ast.walk(tree):
        # add("check", ...) calls and ("check", (artifacts...)) tuples of check_rows()
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "add"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            checks.add(str(node.args[0].value))
        if (
            isinstance(node, ast.Tuple)
            and len(node.elts) == 2
            and isinstance(node.elts[0], ast.Constant)
            and isinstance(node.elts[0].value, str)
            and isinstance(node.elts[1], ast.Tuple)
        ):
            checks.add(node.elts[0].value)
    for_loop = {"ioc_certificate", "ioc_host", "yara"}  # added through a loop variable
    checks |= for_loop
    assert len(checks) > 12
    missing = sorted(c for c in checks if c not in M.CHECK)
    assert not missing, f"coverage checks without a name in messages.CHECK: {missing}"


def test_every_code_in_the_fixture_results_has_words() -> None:
    from .conftest import SCENARIOS, load_result

    for name in (*SCENARIOS, "scan-removed"):
        result = load_result(name)
        for f in result.findings:
            assert f.rule in M.RULE or re.fullmatch(r"SS-YARA-\d{3}", f.rule)
            assert all(r.code in M.REASON for r in f.reasons), f.reasons
            assert all(c in M.CAPABILITY for c in f.capabilities)
        for row in result.coverage:
            assert row.reason is None or row.reason.code in M.REASON, row
            assert row.check in M.CHECK or row.check.startswith(
                ("artifact:", "indicators:missing:")
            ), row.check
