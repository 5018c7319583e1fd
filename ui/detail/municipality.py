"""The municipality pane: the Kommune's contact directory.

Who is the integration officer now, who chairs the advisory council, whom to call in the
administration, which member organisations are based there; current holders first with
phone and email, and who held the role before. A district lists its towns.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QLocale

from crm.i18n import _, ngettext
from crm.messages import value_label
from crm.services.listing_rows import PersonContacts
from crm.services.rows import DirectoryOrganisation, MunicipalityDirectory, RoleRow
from ui.detail.html import (
    badge,
    capitalised,
    contact_table,
    empty,
    esc,
    mailto_link,
    page,
    period,
    record_link,
    tel_link,
)

# Headings of the directory's groups, in the order the service sorts organisations.
_GROUPS = {
    "administration": lambda: _("Administration"),
    "council": lambda: _("Advisory councils"),
    "member": lambda: _("Member organisations"),
    "public-body": lambda: _("Public bodies"),
    "network": lambda: _("Networks"),
    "funder": lambda: _("Funders"),
    "other": lambda: _("Other organisations"),
}


def municipality_html(directory: MunicipalityDirectory,
                      contacts: Mapping[str, PersonContacts], history: str = "") -> str:
    """The directory as HTML; ``contacts`` are the holders' own email and phone by uid,
    ``history`` the ready-made section of the latest interactions there."""
    place = directory.municipality
    parts = [f"<h1>{esc(place.name)}</h1>", _facts(directory)]
    if not directory.organisations:
        parts.append(empty(_("No organisations or contacts recorded here yet.")))
    group = None
    for entry in directory.organisations:
        if entry.organisation.kind != group:
            group = entry.organisation.kind
            heading = _GROUPS.get(group, _GROUPS["other"])()
            parts.append(f"<h2>{esc(heading)}</h2>")
        parts.append(_organisation(entry, directory, contacts))
    if directory.towns:
        parts.append(_towns(directory))
    if history:
        parts.append(history)
    return page(parts)


def _facts(directory: MunicipalityDirectory) -> str:
    place = directory.municipality
    facts = [capitalised(value_label("municipality_level", place.level))]
    if place.ags:
        facts.append(_("AGS {key}").format(key=place.ags))
    if place.population:
        facts.append(_("{number} inhabitants").format(
            number=QLocale().toString(place.population)))
    line = " · ".join(esc(f) for f in facts)
    if place.parent and place.level == "municipality":
        line += " · " + record_link("municipality", place.parent.uid, place.parent.name)
    return f'<p class="sub">{line}</p>'


def _organisation(entry: DirectoryOrganisation, directory: MunicipalityDirectory,
                  contacts: Mapping[str, PersonContacts]) -> str:
    org = entry.organisation
    heading = record_link("organisation", org.uid, org.name)
    if org.municipality and org.municipality != directory.municipality.name:
        heading += f' <span class="muted">· {esc(org.municipality)}</span>'
    parts = [f"<h3>{heading}</h3>"]
    parts.append(contact_table(entry.contact_points))
    rows = [_holder(role, contacts) for role in entry.current]
    rows += [_former(role) for role in entry.former]
    if rows:
        parts.append(f"<table>{''.join(rows)}</table>")
    else:
        parts.append(empty(_("No contact person recorded.")))
    return "".join(parts)


def _holder(role: RoleRow, contacts: Mapping[str, PersonContacts]) -> str:
    """Name and title on the left, phone and e-mail on the right: short cells, no wrapping
    in the middle of an address."""
    own = contacts.get(role.person.uid, PersonContacts(None, None))
    email = next((p.value for p in role.contact_points if p.kind == "email"), own.email)
    phone_point = next((p for p in role.contact_points if p.kind in ("phone", "mobile")), None)
    if phone_point is not None:
        phone = tel_link(phone_point.value, phone_point.display)
    else:
        phone = tel_link(own.phone, own.phone_display or own.phone) if own.phone else ""
    reach = "<br>".join(part for part in (phone, mailto_link(email) if email else "") if part)
    return (f"<tr><td><b>{record_link('person', role.person.uid, role.person.name)}</b><br>"
            f'<span class="muted">{esc(role.title)}</span></td><td>{reach}</td></tr>')


def _former(role: RoleRow) -> str:
    before = badge(_("before"))
    return (f'<tr class="former"><td>{before} '
            f"{record_link('person', role.person.uid, role.person.name)}<br>"
            f"{esc(role.title)}</td><td>{period(role.since, role.until)}</td></tr>")


def _towns(directory: MunicipalityDirectory) -> str:
    count = len(directory.towns)
    title = ngettext("{n} town", "{n} towns", count).format(n=count)
    links = ", ".join(record_link("municipality", t.uid, t.name) for t in directory.towns)
    return f"<h2>{esc(title)}</h2><p>{links}</p>"
