"""Readable text blocks for ``show``: every line a whole translated sentence or label."""

from __future__ import annotations

from collections.abc import Sequence

from crm.cli.output import show_date, write
from crm.i18n import _
from crm.messages import value_label
from crm.services.rows import ContactPointRow, OrganisationDetail, PersonDetail, RoleRow


def period(role: RoleRow) -> str:
    since, until = show_date(role.since), show_date(role.until)
    if since and until:
        return _("{start} to {end}").format(start=since, end=until)
    if since:
        return _("since {date}").format(date=since)
    if until:
        return _("until {date}").format(date=until)
    return ""


def role_line(role: RoleRow, *, other: str) -> str:
    """``other`` is the organisation (in a person's view) or the person (in an org's)."""
    when = period(role)
    if role.current:
        if when:
            return _("{title}, {other} ({period})").format(title=role.title, other=other,
                                                        period=when)
        return _("{title}, {other}").format(title=role.title, other=other)
    if when:
        return _("{title}, {other} ({period}) (former)").format(title=role.title, other=other,
                                                                period=when)
    return _("{title}, {other} (former)").format(title=role.title, other=other)


def contact_line(cp: ContactPointRow, *, mark_preferred: bool = False) -> str:
    text = _("{kind} ({label}): {value}").format(
        kind=value_label("contact_kind", cp.kind),
        label=value_label("contact_label", cp.label),
        value=cp.display,
    )
    if mark_preferred and cp.preferred:
        return _("{line} (preferred)").format(line=text)
    return text


def contact_lines(points: Sequence[ContactPointRow]) -> list[str]:
    """One line each; "preferred" is only worth saying when there are several of a kind."""
    kinds = [cp.kind for cp in points]
    return [contact_line(cp, mark_preferred=kinds.count(cp.kind) > 1) for cp in points]


def _section(title: str, lines: Sequence[str]) -> None:
    if not lines:
        return
    write(title)
    for line in lines:
        for index, part in enumerate(line.split("\n")):
            write(("  " if index == 0 else "    ") + part)


def _roles(roles: Sequence[RoleRow], *, by_person: bool) -> None:
    def other(r: RoleRow) -> str:
        return r.person.name if by_person else r.organisation.name

    _section(_("Current roles:"), [role_line(r, other=other(r)) for r in roles if r.current])
    _section(_("Former roles:"), [role_line(r, other=other(r)) for r in roles if not r.current])


def _tags_and_notes(tags: Sequence[str], notes: str, uid: str) -> None:
    if tags:
        write(_("Tags: {tags}").format(tags=", ".join(tags)))
    if notes:
        _section(_("Notes:"), [notes])
    write(_("ID: {uid}").format(uid=uid))


def person_block(p: PersonDetail) -> None:
    write(p.name)
    if p.archived:
        write(_("(archived)"))
    if p.transliteration:
        write(_("Transliteration: {value}").format(value=p.transliteration))
    if p.given_name or p.family_name:
        write(_("Given name: {given}; family name: {family}").format(
            given=p.given_name or "–", family=p.family_name or "–"))
    if p.salutation != "none":
        write(_("Salutation: {value}").format(value=value_label("salutation", p.salutation)))
    if p.languages:
        write(_("Languages: {value}").format(value=p.languages))
    _section(_("Contact:"), contact_lines(p.contact_points))
    _roles(p.roles, by_person=False)
    _tags_and_notes(p.tags, p.notes, p.uid)


def organisation_block(o: OrganisationDetail) -> None:
    write(o.name)
    if o.archived:
        write(_("(archived)"))
    if o.short_name:
        write(_("Short name: {value}").format(value=o.short_name))
    write(_("Kind: {value}").format(value=value_label("organisation_kind", o.kind)))
    if o.municipality:
        write(_("Municipality: {value}").format(value=o.municipality.name))
    if o.parent:
        write(_("Part of: {value}").format(value=o.parent.name))
    if o.member_since:
        write(_("Member since: {date}").format(date=show_date(o.member_since)))
    if o.member_until:
        write(_("Member until: {date}").format(date=show_date(o.member_until)))
    _section(_("Contact:"), contact_lines(o.contact_points))
    _roles(o.roles, by_person=True)
    _tags_and_notes(o.tags, o.notes, o.uid)
