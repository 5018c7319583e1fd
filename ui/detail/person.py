"""The person pane: name as written, roles now and before, contact points, consents,
tags, notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from crm.i18n import _
from crm.messages import value_label
from crm.services.rows import PersonDetail, RoleRow
from ui.detail.html import (
    RECORD_SCHEME,
    badge,
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


def person_html(person: PersonDetail, history: str = "", consents: str = "") -> str:
    """The whole pane as HTML; every value from the database is escaped. ``history`` is the
    ready-made section of the latest interactions (see ``ui.history_view.recent_html``),
    ``consents`` that of the consents (see :func:`consents_html`)."""
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
    if consents:
        parts.append(consents)
    if history:
        parts.append(history)
    if person.tags:
        parts.append(heading(_("Tags")))
        parts.append("<p>" + " · ".join(f'<span class="tag">{esc(t)}</span>'
                                        for t in person.tags) + "</p>")
    if person.notes.strip():
        parts.append(heading(_("Notes")) + f"<p>{multiline(person.notes)}</p>")
    return page(parts)


def consents_link(person_uid: str) -> str:
    """The link that opens the person's consents for editing (handled by the window)."""
    return f"{RECORD_SCHEME}:consents/{quote(person_uid)}"


def consents_html(person_uid: str, consents: Sequence[Any]) -> str:
    """The "Consents" section: purpose, given on, source; withdrawn ones marked with their
    date. ``consents`` are ``crm.services.privacy.ConsentRow`` (oldest first)."""
    rows = []
    for consent in consents:
        purpose = f"<b>{esc(value_label('consent_purpose', consent.purpose))}</b>"
        given = _("given on {date}").format(date=format_date(consent.given_on))
        source = _("Source: {source}").format(
            source=value_label("consent_source", consent.source))
        css = ""
        if consent.withdrawn_on is not None:
            css = ' class="former"'
            withdrawn = _("withdrawn on {date}").format(date=format_date(consent.withdrawn_on))
            purpose += f" · {badge(withdrawn)}"
        line = f'{purpose}<br><span class="muted">{esc(given)} · {esc(source)}</span>'
        rows.append(f"<tr{css}><td>{line}</td></tr>")
    body = f"<table>{''.join(rows)}</table>" if rows else empty(_("No consents recorded."))
    label = _("Manage consents …")
    link = f'<p><a href="{esc(consents_link(person_uid))}">{esc(label)}</a></p>'
    return heading(_("Consents")) + body + link


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
