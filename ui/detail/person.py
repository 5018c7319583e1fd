"""The person pane: name as written, roles now and before, contact points, tags, notes."""

from __future__ import annotations

from crm.i18n import _
from crm.services.rows import PersonDetail, RoleRow
from ui.detail.html import (
    badge,
    contact_table,
    empty,
    esc,
    heading,
    multiline,
    page,
    paragraph,
    period,
    record_link,
)


def person_html(person: PersonDetail, history: str = "") -> str:
    """The whole pane as HTML; every value from the database is escaped. ``history`` is the
    ready-made section of the latest interactions (see ``ui.history_view.recent_html``)."""
    parts = [f"<h1>{esc(person.name)}</h1>"]
    if person.transliteration and person.transliteration != person.name:
        parts.append(f'<p class="sub">{esc(person.transliteration)}</p>')
    parts.append(_facts(person))
    parts.append(heading(_("Current roles")))
    parts.append(_roles(person.current_roles) or empty(_("No current role.")))
    if person.former_roles:
        parts.append(heading(_("Former roles")))
        parts.append(_roles(person.former_roles))
    parts.append(heading(_("Contact")))
    parts.append(contact_table(person.contact_points) or empty(_("No contact details.")))
    if history:
        parts.append(history)
    if person.tags:
        parts.append(heading(_("Tags")))
        parts.append("<p>" + " · ".join(f'<span class="tag">{esc(t)}</span>'
                                        for t in person.tags) + "</p>")
    if person.notes.strip():
        parts.append(heading(_("Notes")) + f"<p>{multiline(person.notes)}</p>")
    return page(parts)


def _facts(person: PersonDetail) -> str:
    rows = []
    if person.archived:
        rows.append(paragraph(_("Archived"), "archived"))
    if person.salutation != "none":
        address = _greeting(person)
        rows.append(_fact(_("Form of address"), address))
    if person.languages.strip():
        rows.append(_fact(_("Languages"), person.languages))
    return "".join(rows)


def _greeting(person: PersonDetail) -> str:
    family = person.family_name or person.name
    if person.salutation == "frau":
        return _("Ms {name}").format(name=family)
    if person.salutation == "herr":
        return _("Mr {name}").format(name=family)
    return _("{name} (neutral, without Ms or Mr)").format(name=person.name)


def _fact(label: str, value: str) -> str:
    return f'<p><span class="muted">{esc(label)}:</span> {esc(value)}</p>'


def _roles(roles: tuple[RoleRow, ...]) -> str:
    rows = []
    for role in roles:
        where = record_link("organisation", role.organisation.uid, role.organisation.name)
        if role.municipality:
            where += " · " + record_link("municipality", role.municipality.uid,
                                         role.municipality.name)
        title = esc(role.title)
        css = ""
        if not role.current:
            css = ' class="former"'
            title = badge(_("former")) + " " + title
        dates = period(role.since, role.until)
        if dates:
            title += f' <span class="muted">· {dates}</span>'
        contacts = contact_table(role.contact_points)
        # One column: the title line carries the dates, so addresses get the full width.
        rows.append(f"<tr{css}><td>{title}<br>{where}{contacts}</td></tr>")
    return f"<table>{''.join(rows)}</table>" if rows else ""
