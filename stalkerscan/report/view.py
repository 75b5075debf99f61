"""The report's content in the reader's language, in the order it is read: `build_view()`.

A `ReportView` holds translated sentences and device data side by side but never mixed: a
`Sentence` is a tuple of `Part`s, and a part with `data=True` came from the phone or a feed
(label, package name, path, hash). Renderers escape data parts their own way (terminal:
`textsafe.for_terminal`; HTML: `textsafe.visible` then Jinja2 autoescape) and may style them.
The order of the sections is the report's order (issue 7): verdict, safety box, findings,
what the scan cannot see, after a safety plan, coverage, provenance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from stalkerscan.report import messages as M
from stalkerscan.report.config import OrgConfig
from stalkerscan.report.i18n import Translator
from stalkerscan.report.redact import REDACTED
from stalkerscan.result import (
    AppAssessment,
    CheckCoverage,
    CheckStatus,
    Finding,
    Reason,
    ScanResult,
    Severity,
    Verdict,
)


@dataclass(frozen=True)
class Part:
    """A piece of a sentence; `data` marks text from the phone or a feed (escape, monospace)."""

    text: str
    data: bool = False


Sentence = tuple[Part, ...]


def plain(text: str) -> Sentence:
    """A sentence with no device data."""
    return (Part(text),)


def datum(text: str) -> Sentence:
    """A sentence that is one piece of device data."""
    return (Part(text, data=True),)


@dataclass(frozen=True)
class Row:
    """A label and its value (a fact in the evidence or provenance list)."""

    label: str
    value: Sentence


@dataclass(frozen=True)
class FindingView:
    """One finding: rule, title, how bad, how sure."""

    rule: str
    title: str
    severity: str  # Severity value, for styling
    severity_text: str
    confidence: str
    confidence_text: str


@dataclass(frozen=True)
class AppView:
    """One app (or the phone itself) with everything found about it."""

    name: str  # label or package: device data
    package: str | None  # device data
    family: str | None  # feed data
    category_text: str
    risk: str  # Severity value, for styling
    risk_text: str
    confidence_text: str
    users_text: str | None
    capabilities: tuple[str, ...]
    findings: tuple[FindingView, ...]
    reasons: tuple[Sentence, ...]
    evidence: tuple[Row, ...]


@dataclass(frozen=True)
class CoverageView:
    """One row of the coverage table."""

    name: Sentence
    status: str  # CheckStatus value
    status_text: str
    reason: Sentence | None
    technical: str | None  # the check ID and tool detail (data)


@dataclass
class ReportView:
    """Everything a renderer shows, translated, in reading order."""

    lang: str
    title: str
    verdict: str  # Verdict value
    verdict_text: str
    verdict_notes: tuple[str, ...]
    summary: str
    redacted_note: str | None
    safety_title: str
    safety_items: tuple[str, ...]
    org_title: str
    org_name: str | None
    org_contacts: tuple[tuple[str, tuple[Row, ...]], ...]
    org_note: str | None
    org_default: str | None
    apps_title: str
    apps_intro: str
    apps: tuple[AppView, ...]
    # The terminal shows every app of medium concern or above, but at most TERMINAL_WEAK_APPS of
    # the others (a crafted phone can have thousands); `terminal_more` says how many more the
    # HTML has.
    terminal_apps: tuple[AppView, ...]
    terminal_more: str | None
    device_title: str
    device_findings: tuple[AppView, ...]
    none_found: str | None
    labels: dict[str, str]
    cannot_see_title: str
    cannot_see_intro: str
    cannot_see: tuple[str, ...]
    after_title: str
    after_items: tuple[str, ...]
    coverage_title: str
    coverage_intro: str
    coverage: tuple[CoverageView, ...]  # the analysis checks
    coverage_raw_title: str
    coverage_raw: tuple[CoverageView, ...]  # the raw data read from the phone
    coverage_counts: str
    provenance_title: str
    provenance: tuple[Row, ...]
    footer: str
    generated_at: str


TERMINAL_WEAK_APPS = 20

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_NUMBER_PARAMS = frozenset({"days", "count", "user"})
_TIME_PARAMS = frozenset({"when"})


def parse_time(value: str) -> datetime | None:
    """An ISO-like time from the phone ("2026-11-20 03:29:00", "2026-11-18T09:30:00")."""
    try:
        return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError:
        return None


def _is_unknown_time(when: datetime) -> bool:
    # pm reports a first-install time of 0 (1970) for apps of the factory image.
    return when.year < 1980


def format_parts(
    template: str, params: Mapping[str, str | int], tr: Translator
) -> tuple[Sentence, set[str]]:
    """Fill `{name}` placeholders with data parts; returns the sentence and the names used."""
    parts: list[Part] = []
    used: set[str] = set()
    pos = 0
    for m in _PLACEHOLDER.finditer(template):
        if m.start() > pos:
            parts.append(Part(template[pos : m.start()]))
        name = m.group(1)
        used.add(name)
        value = params.get(name)
        if value is None:
            parts.append(Part("?", data=True))
        elif isinstance(value, int) and name in _NUMBER_PARAMS:
            parts.append(Part(tr.number(value)))
        elif name in _TIME_PARAMS and isinstance(value, str) and (t := parse_time(value)):
            parts.append(Part(tr.datetime(t)))
        else:
            parts.append(Part(str(value), data=True))
        pos = m.end()
    if pos < len(template):
        parts.append(Part(template[pos:]))
    return tuple(parts), used


def reason_sentence(reason: Reason, tr: Translator, *, show_unused: bool = False) -> Sentence:
    """The sentence of one reason code with its parameters (unknown codes say their code)."""
    msg = M.REASON.get(reason.code)
    params: dict[str, str | int] = dict(reason.params)
    if msg is None:
        template = tr.gettext(M.UNKNOWN_REASON)
        params = {"code": reason.code, **params}
        show_unused = True
    elif isinstance(msg, tuple):
        n = params.get(M.PLURAL_PARAM.get(reason.code, "count"), 0)
        template = tr.ngettext(msg[0], msg[1], n if isinstance(n, int) else 0)
    else:
        template = tr.gettext(msg)
    sentence, used = format_parts(template, params, tr)
    # Parameters the sentence does not use are tool details; a redacted one says nothing.
    extra = [
        f"{k}: {v}" for k, v in params.items() if k not in used and str(v) not in ("", REDACTED)
    ]
    if show_unused and extra:
        sentence = (*sentence, Part(" "), Part("(" + "; ".join(extra) + ")", data=True))
    return sentence


def rule_title(rule: str, tr: Translator) -> str:
    """The short title of a rule ID (project YARA rules share the SS-YARA title)."""
    if rule in M.RULE:
        return tr.gettext(M.RULE[rule])
    if re.fullmatch(r"SS-YARA-\d{3}", rule):
        yara_title = M.RULE["SS-YARA"]
        return tr.gettext(yara_title)
    return tr.gettext(M.UNKNOWN_RULE).replace("{rule}", rule)


def check_name(check: str, tr: Translator) -> Sentence:
    """What a coverage row checked, in words."""
    if check in M.CHECK:
        return plain(tr.gettext(M.CHECK[check]))
    if check.startswith("indicators:missing:"):
        return plain(tr.gettext(M.CHECK_FEED_MISSING))
    if check.startswith("artifact:"):
        return datum(check.split(":", 1)[1])
    sentence, _used = format_parts(tr.gettext(M.UNKNOWN_CHECK), {"check": check}, tr)
    return sentence


def _users_text(users: Iterable[int], tr: Translator) -> str | None:
    _ = tr.gettext
    ids = sorted(set(users))
    if not ids or ids == [0]:
        return None
    names = [_("main user") if u == 0 else _("user {user}").replace("{user}", str(u)) for u in ids]
    return _("Installed for: {users}").replace("{users}", ", ".join(names))


def _time_value(value: object, tr: Translator) -> Sentence | None:
    if not isinstance(value, str):
        return None
    when = parse_time(value)
    if when is None:
        return datum(value)
    if _is_unknown_time(when):
        return plain(tr.gettext("unknown (factory image)"))
    return plain(tr.datetime(when))


def _evidence_rows(findings: tuple[Finding, ...], tr: Translator) -> tuple[Row, ...]:
    _ = tr.gettext
    ev: dict[str, Any] = {}
    for f in findings:
        for k, v in f.evidence.items():
            ev.setdefault(k, v)
    rows: list[Row] = []
    for key, label in (
        ("first_install_time", _("Installed on")),
        ("last_update_time", _("Last updated on")),
    ):
        if (when := _time_value(ev.get(key), tr)) is not None:
            rows.append(Row(label, when))
    installer = ev.get("installer")
    kind = ev.get("installer_kind")
    if installer or kind:
        value: list[Part] = []
        if isinstance(kind, str) and kind in M.INSTALLER_KIND:
            value.append(Part(tr.gettext(M.INSTALLER_KIND[kind])))
        if installer:
            value.extend([Part(" — " if value else ""), Part(str(installer), data=True)])
        rows.append(Row(_("Installed by"), tuple(value)))
    if ev.get("version"):
        rows.append(Row(_("App version"), datum(str(ev["version"]))))
    for key, label in (
        ("sha256", _("App file fingerprint (SHA-256)")),
        ("certificates_sha256", _("Signing certificate (SHA-256)")),
    ):
        values = ev.get(key)
        if isinstance(values, list | tuple):
            for v in values:
                rows.append(Row(label, datum(str(v))))
    seen: set[tuple[str, str]] = set()
    for f in findings:
        for m in f.matches:
            if (m.kind, m.value) in seen:
                continue
            seen.add((m.kind, m.value))
            kind = M.MATCH_KIND.get(m.kind)
            rows.append(
                Row(
                    _("Matched indicator"),
                    (
                        Part((tr.gettext(kind) if kind else m.kind) + ": "),
                        Part(m.value, data=True),
                        Part(" — " + _("listed for") + " "),
                        Part(", ".join(m.families), data=True),
                        Part(" — " + _("indicator list") + " "),
                        Part(m.feed, data=True),
                    ),
                )
            )
    return tuple(rows)


def _capabilities(findings: Iterable[Finding], tr: Translator) -> tuple[str, ...]:
    codes: dict[str, None] = {}
    for f in findings:
        codes.update(dict.fromkeys(f.capabilities))
    out = []
    for code in codes:
        msg = M.CAPABILITY.get(code)
        out.append(tr.gettext(msg) if msg else code)
    return tuple(out)


def _reasons(findings: Iterable[Finding], tr: Translator) -> tuple[Sentence, ...]:
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    out: list[Sentence] = []
    for f in findings:
        for r in f.reasons:
            key = (r.code, tuple(sorted((k, str(v)) for k, v in r.params.items())))
            if key in seen:
                continue
            seen.add(key)
            out.append(reason_sentence(r, tr))
    return tuple(out)


def _finding_view(f: Finding, tr: Translator) -> FindingView:
    return FindingView(
        rule=f.rule,
        title=rule_title(f.rule, tr),
        severity=f.severity.value,
        severity_text=tr.gettext(M.SEVERITY[f.severity.value]),
        confidence=f.confidence.value,
        confidence_text=tr.gettext(M.SEVERITY[f.confidence.value]),
    )


def app_view(app: AppAssessment, tr: Translator) -> AppView:
    """The view of one app's assessment."""
    top = [f for f in app.findings if f.severity == app.risk]
    confidence = max((f.confidence for f in top), key=lambda c: ["low", "medium", "high"].index(c))
    return AppView(
        name=app.label or app.package,
        package=app.package,
        family=app.family,
        category_text=tr.gettext(M.CATEGORY[app.category.value]),
        risk=app.risk.value,
        risk_text=tr.gettext(M.SEVERITY[app.risk.value]),
        confidence_text=tr.gettext(M.CONFIDENCE[confidence.value]),
        users_text=_users_text(app.users, tr),
        capabilities=_capabilities(app.findings, tr),
        findings=tuple(_finding_view(f, tr) for f in app.findings),
        reasons=_reasons(app.findings, tr),
        evidence=_evidence_rows(app.findings, tr),
    )


def device_view(finding: Finding, tr: Translator) -> AppView:
    """The view of one finding about the phone itself."""
    return AppView(
        name=rule_title(finding.rule, tr),
        package=None,
        family=None,
        category_text=tr.gettext(M.CATEGORY[finding.category.value]),
        risk=finding.severity.value,
        risk_text=tr.gettext(M.SEVERITY[finding.severity.value]),
        confidence_text=tr.gettext(M.CONFIDENCE[finding.confidence.value]),
        users_text=None,
        capabilities=_capabilities([finding], tr),
        findings=(_finding_view(finding, tr),),
        reasons=_reasons([finding], tr),
        evidence=(),
    )


def coverage_view(row: CheckCoverage, tr: Translator) -> CoverageView:
    """One coverage row in words."""
    detail = "; ".join(f"{k}: {v}" for k, v in row.detail.items())
    if row.check.startswith("artifact:"):
        technical = detail or None  # the name is already the row's name
    else:
        technical = row.check + (f" ({detail})" if detail else "")
    reason = reason_sentence(row.reason, tr, show_unused=True) if row.reason else None
    return CoverageView(
        name=check_name(row.check, tr),
        status=row.status.value,
        status_text=tr.gettext(M.STATUS[row.status.value]),
        reason=reason,
        technical=technical,
    )


def _provenance(
    result: ScanResult, tr: Translator, *, generated: str, full_serial: str | None
) -> tuple[Row, ...]:
    _ = tr.gettext
    p, d = result.provenance, result.device
    rows: list[Row] = [
        Row(_("Tool version"), datum(f"stalkerscan {p.tool_version}")),
        Row(_("Report format version"), datum(result.schema_version)),
    ]
    if not result.redacted:
        rows.append(Row(_("Scan time"), plain(tr.datetime(p.scan_time))))
        rows.append(Row(_("Report written"), plain(generated)))
    phone = " ".join(x for x in (d.manufacturer, d.model) if x)
    if phone:
        rows.append(Row(_("Phone"), datum(phone)))
    if d.android_version:
        sdk = f" (SDK {d.sdk})" if d.sdk else ""
        rows.append(Row(_("Android version"), datum(d.android_version + sdk)))
    if d.security_patch:
        try:
            patch: Sentence = plain(tr.date(date.fromisoformat(d.security_patch)))
        except ValueError:
            patch = datum(d.security_patch)
        rows.append(Row(_("Security patch level"), patch))
    serial = full_serial or d.serial_short
    if serial and not result.redacted:
        rows.append(
            Row(
                _("Serial number (shortened)") if not full_serial else _("Serial number"),
                datum(serial),
            )
        )
    for feed in p.feeds:
        bits = [feed.id]
        if feed.version:
            bits.append(f"version {feed.version}")
        if feed.commit:
            bits.append(f"commit {feed.commit}")
        value: list[Part] = [
            Part(" — ".join(bits), data=True),
            Part(" — "),
            Part(feed.source, data=True),
        ]
        if feed.id == DEMO_FEED_ID:
            value.append(Part(f" ({tr.gettext(M.TRAINING_FEED)})"))
        rows.append(Row(_("Indicator list"), tuple(value)))
        for name, sha in sorted(feed.files.items()):
            rows.append(Row(_("Indicator file (SHA-256)"), datum(f"{name}: {sha}")))
    if not p.feeds:
        rows.append(Row(_("Indicator list"), plain(_("none loaded"))))
    for rs in p.rule_sets:
        count = tr.ngettext("{count} rule", "{count} rules", rs.rules).replace(
            "{count}", tr.number(rs.rules)
        )
        rows.append(
            Row(
                _("Detection rules (YARA)"),
                (Part(rs.name, data=True), Part(f" ({count}) "), Part(rs.sha256, data=True)),
            )
        )
    if p.acquisition and not result.redacted:
        rows.append(Row(_("Acquisition (raw data folder)"), datum(p.acquisition)))
    if p.manifest_sha256 and not result.redacted:
        rows.append(Row(_("Acquisition manifest (SHA-256)"), datum(p.manifest_sha256)))
    return tuple(rows)


def _summary(result: ScanResult, tr: Translator) -> str:
    _ = tr.gettext
    worrying = [a for a in result.apps if a.risk.rank >= Severity.MEDIUM.rank]
    low = [a for a in result.apps if a.risk.rank < Severity.MEDIUM.rank]
    device = [f for f in result.findings if f.package is None]
    parts: list[str] = []
    if worrying:
        parts.append(
            tr.ngettext(
                "{count} app needs a closer look.",
                "{count} apps need a closer look.",
                len(worrying),
            ).replace("{count}", tr.number(len(worrying)))
        )
    elif low:
        parts.append(
            tr.ngettext(
                "{count} app has only a weak sign.", "{count} apps have only weak signs.", len(low)
            ).replace("{count}", tr.number(len(low)))
        )
    if low and worrying:
        parts.append(
            tr.ngettext(
                "{count} other app has a weaker sign.",
                "{count} other apps have weaker signs.",
                len(low),
            ).replace("{count}", tr.number(len(low)))
        )
    if device:
        parts.append(
            tr.ngettext(
                "{count} phone setting is worth checking.",
                "{count} phone settings are worth checking.",
                len(device),
            ).replace("{count}", tr.number(len(device)))
        )
    return " ".join(parts)


# The ids of the feeds that are not a real stalkerware feed (stalkerscan.indicators'
# DEMO_FEED_ID and LOCAL_FEED_ID; not imported: the report does not load the indicator code).
DEMO_FEED_ID = "demo"
LOCAL_FEED_ID = "local"


def real_feed_used(result: ScanResult) -> bool:
    """Whether a real stalkerware indicator feed (not the training or local one) was used."""
    return any(f.id not in (DEMO_FEED_ID, LOCAL_FEED_ID) for f in result.provenance.feeds)


def build_view(
    result: ScanResult,
    tr: Translator,
    *,
    generated_at: datetime,
    org: OrgConfig | None = None,
    full_serial: str | None = None,
) -> ReportView:
    """The report content for `result` in the translator's language."""
    _ = tr.gettext
    verdict = result.verdict
    notes: list[str] = []
    if verdict == Verdict.INCOMPLETE:
        notes.append(_("Nothing was found in the checks that could run."))
    if verdict != Verdict.FOUND:
        notes.append(tr.gettext(M.NOT_CLEAN))
    if verdict == Verdict.FOUND and not result.complete:
        notes.append(_("Some checks could not run: see the coverage table."))
    if not result.provenance.training and not real_feed_used(result):
        notes.append(tr.gettext(M.NO_FEED))
    safety = (
        _("Do not remove, uninstall or reset anything yet."),
        _(
            "Why: the person who installed it may be told when it stops working. They may "
            "react, and the danger can grow."
        ),
        _(
            "The app is also evidence. It may be needed later, for example by the police or a "
            "court."
        ),
        _("First, talk to a specialist support service and make a safety plan together."),
        _(
            "For sensitive contact (support services, plans, passwords), use a safer device: "
            "one the other person has never had access to."
        ),
        _(
            "The phone may also be watched through shared accounts (for example a Google or "
            "Apple account someone else knows the password of). Removing an app does not "
            "close that."
        ),
    )
    org_contacts: list[tuple[str, tuple[Row, ...]]] = []
    if org is not None:
        for c in org.contacts:
            rows = [
                Row(label, datum(value))
                for label, value in (
                    (_("Phone"), c.phone),
                    (_("Website"), c.web),
                    (_("Email"), c.email),
                    (_("Hours"), c.hours),
                    (_("Note"), c.note),
                )
                if value
            ]
            org_contacts.append((c.name, tuple(rows)))
    org_default = None
    if not org_contacts:
        org_default = _(
            "Contact a domestic-abuse or victim-support service in your country. If you are in "
            "danger right now, call your local emergency number."
        )
    apps = tuple(app_view(a, tr) for a in result.apps)
    terminal_apps: list[AppView] = []
    weak = 0
    for assessed, shown in zip(result.apps, apps, strict=True):
        if assessed.risk.rank < Severity.MEDIUM.rank:
            weak += 1
            if weak > TERMINAL_WEAK_APPS:
                continue
        terminal_apps.append(shown)
    hidden = weak - TERMINAL_WEAK_APPS
    terminal_more = None
    if hidden > 0:
        terminal_more = tr.ngettext(
            "{count} more app with only a weak sign is listed in the HTML report.",
            "{count} more apps with only weak signs are listed in the HTML report.",
            hidden,
        ).replace("{count}", tr.number(hidden))
    device = tuple(device_view(f, tr) for f in result.findings if f.package is None)
    none_found = None
    if not apps and not device:
        none_found = _("No app or phone setting was flagged by the checks that ran.")
    coverage = tuple(
        coverage_view(r, tr) for r in result.coverage if not r.check.startswith("artifact:")
    )
    coverage_raw = tuple(
        coverage_view(r, tr) for r in result.coverage if r.check.startswith("artifact:")
    )
    counts = {s: sum(1 for r in result.coverage if r.status == s) for s in CheckStatus}
    coverage_counts = _(
        "{performed} done, {skipped} skipped, {failed} failed, {untrusted} not trusted."
    )
    for s in CheckStatus:
        coverage_counts = coverage_counts.replace("{" + s.value + "}", tr.number(counts[s]))
    generated = tr.datetime(generated_at)
    labels = {
        "package": _("Package name"),
        "family": _("Known as"),
        "category": _("Kind"),
        "risk": _("Concern"),
        "confidence": _("How sure we are"),
        "sure_short": _("certainty"),
        "can_do": _("What it can do"),
        "why": _("Why it was flagged"),
        "findings": _("Findings"),
        "evidence": _("Evidence"),
        "rule": _("Rule"),
        "check": _("Check"),
        "status": _("Result"),
        "reason": _("Why"),
        "technical": _("Technical detail"),
        # TRANSLATORS: the separator after a label ("Package name: ..."); French puts a space.
        "colon": _(":"),
        "device_data_note": _(
            "Text in typewriter style comes from the phone or an indicator list, exactly as found."
        ),
    }
    return ReportView(
        lang=tr.lang,
        title=_("Stalkerware check report"),
        verdict=verdict.value,
        verdict_text=tr.gettext(M.VERDICT[verdict.value]),
        verdict_notes=tuple(notes),
        summary=_summary(result, tr) if (apps or device) else "",
        redacted_note=_(
            "Redacted copy for training: serial number, times, labels and names of unknown "
            "apps, fingerprints of the acquisition and account details were removed."
        )
        if result.redacted
        else None,
        safety_title=_("Before you do anything: stay safe"),
        safety_items=safety,
        org_title=_("Where to get help"),
        org_name=org.name if org else None,
        org_contacts=tuple(org_contacts),
        org_note=org.note if org else None,
        org_default=org_default,
        apps_title=_("What was found"),
        apps_intro=_(
            "A finding is the start of a conversation, not a verdict: some of these apps can "
            "be legitimate (for example an app the client installed on purpose)."
        ),
        apps=apps,
        terminal_apps=tuple(terminal_apps),
        terminal_more=terminal_more,
        device_title=_("Phone settings"),
        device_findings=device,
        none_found=none_found,
        labels=labels,
        cannot_see_title=_("What this scan cannot see"),
        cannot_see_intro=_("Check these with a support worker, from a safer device:"),
        cannot_see=(
            _(
                "Shared Google or Apple accounts: whoever knows the password can see photos, "
                "location, messages and backups from another device."
            ),
            _(
                "Location sharing in maps apps (for example Google Maps) and family-locator "
                "services."
            ),
            _("Cloud backups of messages, photos and contacts."),
            _("Smart-home devices and car apps (speakers, cameras, connected cars)."),
            _(
                "Another person who knows the phone's PIN, pattern or password, or who has had "
                "the phone in their hands."
            ),
            _("Other devices: tablets, computers, iPhones and hidden location trackers."),
        ),
        after_title=_("After you have a safety plan"),
        after_items=(
            _(
                "Keep the evidence first: this report and the acquisition folder. Store them "
                "where the other person cannot reach them."
            ),
            _(
                "If the plan is to remove an app, do it with a specialist: first switch off its "
                "device administrator access (Settings, Security, Device admin apps), then "
                "uninstall it in Settings, Apps."
            ),
            _(
                "A factory reset removes apps but also the evidence. Do it only as part of the "
                "plan, and do not restore a backup that may bring the app back."
            ),
            _(
                "From a safer device, change the passwords of your accounts and check which "
                "devices are signed in."
            ),
            _(
                "Switch USB debugging off again: Settings, System, Developer options, USB "
                "debugging. Tap \u201cRevoke USB debugging authorisations\u201d so this computer "
                "is no longer trusted."
            ),
        ),
        coverage_title=_("What was checked"),
        coverage_intro=_(
            "Every check, and what happened to it. A skipped or failed check is not a clean "
            "result: it means that part was not looked at."
        ),
        coverage=coverage,
        coverage_raw_title=_("Data read from the phone"),
        coverage_raw=coverage_raw,
        coverage_counts=coverage_counts,
        provenance_title=_("Where this report comes from"),
        provenance=_provenance(result, tr, generated=generated, full_serial=full_serial),
        footer=_(
            "Made by stalkerscan, which reads the phone without changing it. The acquisition "
            "manifest fingerprint lets anyone check later that the raw data was not changed."
        ),
        generated_at=generated,
    )
