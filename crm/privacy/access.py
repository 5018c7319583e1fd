"""Auskunft (DSGVO Art. 15): everything Brücke holds about one person, as PDF and JSON.

:func:`collect` reads the person's record, contact points, roles, the interactions they
took part in (with their notes), event attendances, follow-ups, consents and the audit
entries about their records. Other people named in an interaction are not disclosed
(Art. 15(4)): the export says how many others took part, not who.

Files are written atomically with mode 0600 (:func:`crm.reports.document.atomic_output`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from crm.domain import (
    AuditEntry,
    Consent,
    Event,
    EventAttendee,
    FollowUp,
    Interaction,
    InteractionParticipant,
    Person,
    StaffMember,
)
from crm.i18n import _
from crm.messages import field_label, value_label
from crm.privacy.erasure import load_person, record_uids
from crm.reports.document import (
    CONTENT_WIDTH,
    ReportMeta,
    atomic_output,
    build_pdf,
    format_day,
    format_moment,
    value_text,
)
from crm.reports.styles import cell, escape, grid, para, section, styles
from crm.validation import display_phone

Json = dict[str, Any]
FORMAT_VERSION = 1


@dataclass(frozen=True)
class AccessReport:
    """Plain data: the JSON export is exactly this, the PDF shows the same."""

    generated_at: datetime
    person: Json
    contact_points: list[Json] = field(default_factory=list)
    roles: list[Json] = field(default_factory=list)
    consents: list[Json] = field(default_factory=list)
    interactions: list[Json] = field(default_factory=list)
    events: list[Json] = field(default_factory=list)
    follow_ups: list[Json] = field(default_factory=list)
    audit: list[Json] = field(default_factory=list)

    def as_json(self) -> Json:
        return {"format": "bruecke-access-request", "version": FORMAT_VERSION,
                "generated_at": self.generated_at.isoformat(), "person": self.person,
                "contact_points": self.contact_points, "roles": self.roles,
                "consents": self.consents, "interactions": self.interactions,
                "events": self.events, "follow_ups": self.follow_ups, "audit": self.audit}


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _point(cp: Any) -> Json:
    phone = cp.kind.value in ("phone", "mobile", "fax")
    return {"uid": cp.uid, "kind": cp.kind.value, "label": cp.label.value, "value": cp.value,
            "display": display_phone(cp.value) if phone else cp.value,
            "preferred": cp.preferred, "verified_on": _iso(cp.verified_on)}


def collect(session: Session, person: Person, now: datetime | None = None) -> AccessReport:
    person = load_person(session, person.id)
    return AccessReport(
        generated_at=now or datetime.now(UTC),
        person={"uid": person.uid, "full_name": person.full_name,
                "given_name": person.given_name, "family_name": person.family_name,
                "transliteration": person.transliteration,
                "salutation": person.salutation.value, "languages": person.languages,
                "notes": person.notes, "tags": [t.name for t in person.tags],
                "archived_at": _iso(person.archived_at), "created_at": _iso(person.created_at),
                "updated_at": _iso(person.updated_at)},
        contact_points=[_point(cp) for cp in person.contact_points],
        roles=[{"uid": r.uid, "title": r.title, "organisation": r.organisation.name,
                "start_date": _iso(r.start_date), "end_date": _iso(r.end_date),
                "verified_on": _iso(r.verified_on),
                "contact_points": [_point(cp) for cp in r.contact_points]}
               for r in person.roles],
        consents=_consents(session, person.id),
        interactions=_interactions(session, person.id),
        events=_events(session, person.id),
        follow_ups=_follow_ups(session, person.id),
        audit=_audit(session, record_uids(session, person)),
    )


def _consents(session: Session, person_id: int) -> list[Json]:
    rows = session.scalars(select(Consent).where(Consent.person_id == person_id)
                           .order_by(Consent.given_on, Consent.id))
    return [{"uid": c.uid, "purpose": c.purpose.value, "given_on": _iso(c.given_on),
             "source": c.source.value, "withdrawn_on": _iso(c.withdrawn_on), "notes": c.notes}
            for c in rows]


def _interactions(session: Session, person_id: int) -> list[Json]:
    mine = select(InteractionParticipant.interaction_id).where(
        InteractionParticipant.person_id == person_id)
    found = session.scalars(
        select(Interaction).where(Interaction.id.in_(mine))
        .options(selectinload(Interaction.participants), selectinload(Interaction.organisations),
                 selectinload(Interaction.municipality))
        .order_by(Interaction.occurred_at, Interaction.id))
    result = []
    for i in found:
        own = next(p for p in i.participants if p.person_id == person_id)
        result.append({
            "uid": i.uid, "occurred_at": _iso(i.occurred_at), "kind": i.kind.value,
            "subject": i.subject, "notes": i.notes, "duration_minutes": i.duration_minutes,
            "role_title": own.role_title,
            "organisations": [o.name for o in i.organisations],
            "municipality": i.municipality.name if i.municipality else None,
            "other_participants": len(i.participants) - 1})
    return result


def _events(session: Session, person_id: int) -> list[Json]:
    rows = session.execute(
        select(Event, EventAttendee.status).join(EventAttendee, EventAttendee.event_id == Event.id)
        .where(EventAttendee.person_id == person_id).order_by(Event.starts_at))
    return [{"uid": e.uid, "title": e.title, "kind": e.kind.value,
             "starts_at": _iso(e.starts_at), "venue": e.venue, "status": status.value}
            for e, status in rows]


def _follow_ups(session: Session, person_id: int) -> list[Json]:
    rows = session.scalars(select(FollowUp).where(FollowUp.person_id == person_id)
                           .order_by(FollowUp.due_on, FollowUp.id))
    return [{"uid": f.uid, "due_on": _iso(f.due_on), "text": f.text,
             "done_at": _iso(f.done_at)} for f in rows]


def _audit(session: Session, uids: set[str]) -> list[Json]:
    rows = session.execute(
        select(AuditEntry, StaffMember.initials)
        .outerjoin(StaffMember, StaffMember.id == AuditEntry.staff_id)
        .where(AuditEntry.record_uid.in_(uids)).order_by(AuditEntry.at, AuditEntry.id))
    result = []
    for entry, initials in rows:
        try:
            changes = json.loads(entry.changes or "{}")
        except ValueError:
            changes = {}
        result.append({"at": _iso(entry.at), "staff": initials, "action": entry.action,
                       "record_type": entry.record_type, "record_uid": entry.record_uid,
                       "changes": changes})
    return result


# -- writing ----------------------------------------------------------------------------------

def write_json(report: AccessReport, path: str | os.PathLike[str]) -> None:
    with atomic_output(path) as tmp:
        Path(tmp).write_text(json.dumps(report.as_json(), ensure_ascii=False, indent=2),
                             encoding="utf-8")


def write_pdf(report: AccessReport, path: str | os.PathLike[str], network: str,
              retention_years: int, logo_path: str = "") -> int:
    """The readable version; returns the number of pages."""
    name = report.person["full_name"]
    meta = ReportMeta(title=_("Access request (Art. 15 GDPR): {name}").format(name=name),
                      network=network, stand=report.generated_at.date(), subtitle=name,
                      logo_path=logo_path)
    return build_pdf(path, story(report, network, retention_years), meta)


def story(report: AccessReport, network: str, retention_years: int) -> list[Flowable]:
    st = styles()
    flow: list[Flowable] = [
        para(_("Information about your data (Art. 15 GDPR)"), st.title),
        para(report.person["full_name"], st.subtitle),
        para(_("This document lists every piece of information that {network} stores about "
               "you in its contact database Brücke, as of {date}.").format(
                   network=network, date=format_day(report.generated_at)), st.body),
    ]
    flow += _facts(report.person)
    flow += _table_section(_("Contact details"), [_("Kind"), _("Value"), _("Label")],
                           [[value_label("contact_kind", p["kind"]), p["display"],
                             value_label("contact_label", p["label"])]
                            for p in report.contact_points], [30 * mm, 0, 30 * mm])
    flow += _table_section(_("Roles"), [_("Role"), _("Organisation"), _("Period")],
                           [[r["title"], r["organisation"], _period(r)] for r in report.roles],
                           [50 * mm, 0, 45 * mm])
    flow += _table_section(
        _("Consents"), [_("Purpose"), _("Given on"), _("Source"), _("Withdrawn on")],
        [[value_label("consent_purpose", c["purpose"]), _day(c["given_on"]),
          value_label("consent_source", c["source"]), _day(c["withdrawn_on"])]
         for c in report.consents], [0, 30 * mm, 30 * mm, 30 * mm])
    flow += _interaction_section(report.interactions)
    flow += _table_section(_("Events"), [_("Date"), _("Event"), _("Status")],
                           [[_day(e["starts_at"]), e["title"],
                             value_text("attendee_status", e["status"])]
                            for e in report.events], [30 * mm, 0, 30 * mm])
    flow += _table_section(_("Follow-ups"), [_("Due"), _("Task")],
                           [[_day(f["due_on"]), f["text"]] for f in report.follow_ups],
                           [30 * mm, 0])
    flow += _table_section(_("Change log"), [_("When"), _("Who"), _("What")],
                           [[_moment(a["at"]), a["staff"] or "", _audit_text(a)]
                            for a in report.audit], [32 * mm, 18 * mm, 0])
    flow += _rights(retention_years)
    return flow


def _day(value: str | None) -> str:
    return format_day(date.fromisoformat(value[:10])) if value else ""


def _moment(value: str | None) -> str:
    return format_moment(datetime.fromisoformat(value)) if value else ""


def _period(role: Json) -> str:
    return f"{_day(role['start_date']) or '…'} – {_day(role['end_date']) or '…'}"


def _facts(person: Json) -> list[Flowable]:
    st = styles()
    keys = ("full_name", "given_name", "family_name", "transliteration", "languages")
    rows = [(field_label(k), str(person[k])) for k in keys if person.get(k)]
    if person["salutation"] != "none":
        rows.append((field_label("salutation"), value_label("salutation",
                                                            person["salutation"])))
    if person["tags"]:
        rows.append((field_label("tags"), ", ".join(person["tags"])))
    rows.append((_("Recorded on"), _moment(person["created_at"])))
    if person["notes"]:
        rows.append((field_label("notes"), person["notes"]))
    width = 40 * mm
    table = [[cell(label, st.cell_bold), cell(value, st.cell, CONTENT_WIDTH - width)]
             for label, value in rows]
    return [*section(_("Your record")),
            grid(table, [width, CONTENT_WIDTH - width], header=False, zebra=False)]


def _table_section(title: str, head: list[str], rows: list[list[str]],
                   widths: list[float]) -> list[Flowable]:
    st = styles()
    if not rows:
        return [*section(title), para(_("None recorded."), st.muted)]
    free = CONTENT_WIDTH - sum(widths)
    widths = [w or free for w in widths]
    body: list[list[Any]] = [head] + [[cell(v, st.cell, w) for v, w in zip(row, widths,
                                                                           strict=True)]
                                      for row in rows]
    return [*section(title), grid(body, widths, split_in_row=True)]


def _interaction_section(items: list[Json]) -> list[Flowable]:
    st = styles()
    flow: list[Flowable] = [*section(_("Conversations and contacts"))]
    if not items:
        return [*flow, para(_("None recorded."), st.muted)]
    for item in items:
        head = "<b>{}</b> · {} · {}".format(
            escape(_moment(item["occurred_at"])),
            escape(value_text("interaction_kind", item["kind"])), escape(item["subject"]))
        facts = [x for x in (item["role_title"], ", ".join(item["organisations"]),
                             item["municipality"] or "") if x]
        if item["other_participants"]:
            facts.append(_("{n} other participants").format(n=item["other_participants"]))
        parts: list[Flowable] = [para(None, st.body, prefix=head)]
        if facts:
            parts.append(para(" · ".join(facts), st.muted))
        if item["notes"]:
            parts.append(para(item["notes"], st.small, align_rtl=True))
        flow.append(KeepTogether([*parts, Spacer(1, 1.5 * mm)]))
    return flow


def _audit_text(entry: Json) -> str:
    kind = value_label("record_type", entry["record_type"])
    fields = ", ".join(field_label(k) for k in entry["changes"])
    action = value_label("audit_action", entry["action"])
    return f"{kind}: {action}" + (f" ({fields})" if fields else "")


def _rights(retention_years: int) -> list[Flowable]:
    st = styles()
    texts = [
        _("Purpose: the data is used to keep in touch with you in your role and to document "
          "the network's cooperation with municipalities and organisations."),
        _("Storage period: records without any contact, role or consent for {n} years are "
          "reviewed and deleted.").format(n=retention_years),
        _("Your rights: you can ask for corrections (Art. 16), erasure (Art. 17), restriction "
          "(Art. 18) and a copy of your data (Art. 20), object to the processing (Art. 21), "
          "withdraw a consent at any time with effect for the future, and complain to a data "
          "protection supervisory authority (Art. 77)."),
        _("The data is not passed on automatically; nothing in Brücke sends data over a "
          "network."),
    ]
    return [*section(_("Purposes and your rights")), *[para(t, st.body) for t in texts]]
