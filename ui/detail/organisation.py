"""The organisation pane: kind, seat, membership, its people now and before, contacts."""

from __future__ import annotations

from crm.i18n import _
from crm.messages import value_label
from crm.services.rows import OrganisationDetail, RoleRow
from ui.detail.html import (
    badge,
    capitalised,
    contact_table,
    empty,
    esc,
    format_date,
    heading,
    multiline,
    page,
    paragraph,
    period,
    record_link,
)


def organisation_html(org: OrganisationDetail, history: str = "") -> str:
    """The whole pane as HTML; every value from the database is escaped. ``history`` is the
    ready-made section of the interactions with it (see ``ui.history_view.recent_html``)."""
    parts = [f"<h1>{esc(org.name)}</h1>"]
    if org.short_name:
        parts.append(f'<p class="sub">{esc(org.short_name)}</p>')
    if org.archived:
        parts.append(paragraph(_("Archived"), "archived"))
    parts.append(_facts(org))
    parts.append(heading(_("People")))
    parts.append(people_table(org.current_roles) or empty(_("Nobody holds a role here.")))
    if org.former_roles:
        parts.append(heading(_("Formerly")))
        parts.append(people_table(org.former_roles))
    parts.append(heading(_("Contact")))
    parts.append(contact_table(org.contact_points) or empty(_("No contact details.")))
    if history:
        parts.append(history)
    if org.tags:
        parts.append(heading(_("Tags")))
        parts.append("<p>" + " · ".join(f'<span class="tag">{esc(t)}</span>'
                                        for t in org.tags) + "</p>")
    if org.notes.strip():
        parts.append(heading(_("Notes")) + f"<p>{multiline(org.notes)}</p>")
    return page(parts)


def _facts(org: OrganisationDetail) -> str:
    rows = [(_("Kind"), esc(capitalised(value_label("organisation_kind", org.kind))))]
    if org.municipality:
        rows.append((_("Municipality"), record_link("municipality", org.municipality.uid,
                                                     org.municipality.name)))
    if org.parent:
        rows.append((_("Part of"), record_link("organisation", org.parent.uid,
                                               org.parent.name)))
    if org.member_since:
        rows.append((_("Member since"), esc(format_date(org.member_since))))
    if org.member_until:
        rows.append((_("Member until"), esc(format_date(org.member_until))))
    cells = "".join(f'<tr><td class="muted">{esc(label)}</td><td>{value}</td></tr>'
                    for label, value in rows)
    return f"<table>{cells}</table>"


def people_table(roles: tuple[RoleRow, ...]) -> str:
    """Title, person (linked) and the role's own contacts; former roles marked and dated."""
    rows = []
    for role in roles:
        person = record_link("person", role.person.uid, role.person.name)
        title = esc(role.title)
        css = ""
        if not role.current:
            css = ' class="former"'
            title = badge(_("former")) + " " + title
        rows.append(f"<tr{css}><td>{person}<br>{title}</td>"
                    f"<td>{contact_table(role.contact_points)}</td>"
                    f'<td class="muted">{period(role.since, role.until)}</td></tr>')
    return f"<table>{''.join(rows)}</table>" if rows else ""
