"""Kontaktblatt: one person or organisation on (ideally) one page, to take to a visit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from crm.i18n import _
from crm.messages import field_label, value_label
from crm.reports.data import ContactLine, ContactSheetData, InteractionLine, RoleLine
from crm.reports.document import CONTENT_WIDTH, format_day, format_moment, value_text
from crm.reports.styles import cell, escape, grid, markup, para, section, styles


def letter_greeting(salutation: str, name: str, family_name: str | None) -> str:
    """The greeting of a letter: "Sehr geehrte Frau Yılmaz," / "Guten Tag Alex Kim,"."""
    family = family_name or name
    if salutation == "frau":
        return _("Dear Ms {name},").format(name=family)
    if salutation == "herr":
        return _("Dear Mr {name},").format(name=family)
    return _("Hello {name},").format(name=name)


def story(data: ContactSheetData) -> list[Flowable]:
    st = styles()
    flow: list[Flowable] = [para(data.name, st.title)]
    if data.transliteration:
        flow.append(para(data.transliteration, st.subtitle,
                         prefix=escape(_("Transliteration:")) + " "))
    flow.append(_facts(data))
    flow += _section(_("Current roles") if data.kind == "person" else _("Current contacts"),
                     _roles_table(data.current_roles, data.kind, current=True))
    if data.contacts:
        flow += _section(_("Contact details"), _contacts_table(data.contacts))
    if data.notes:
        flow += _section(_("Notes"), [para(data.notes, st.body, align_rtl=True)])
    if data.former_roles:
        flow += _section(_("Former roles") if data.kind == "person" else _("Former contacts"),
                         _roles_table(data.former_roles, data.kind, current=False))
    flow += _section(_("Last interactions"), _interactions(data))
    if data.follow_ups:
        flow += _section(_("Open follow-ups"), [_follow_ups(data)])
    return flow


def _section(title: str, body: list[Flowable]) -> list[Flowable]:
    return [*section(title), *body]


def _facts(data: ContactSheetData) -> Flowable:
    st = styles()
    rows: list[tuple[str, Any]] = []
    if data.kind == "person":
        family = dict(data.details).get("family_name")
        if data.salutation in ("frau", "herr", "neutral"):
            rows.append((_("Form of address"), "{} · {}".format(
                value_label("salutation", data.salutation),
                letter_greeting(data.salutation, data.name, family))))
    for key, value in data.details:
        if key == "kind":
            value = value_label("organisation_kind", value)
        elif key in ("member_since", "member_until"):
            value = format_day(value)
        rows.append((field_label(key), value))
    if data.tags:
        rows.append((_("Tags"), ", ".join(data.tags)))
    if not rows:
        return Spacer(1, 2 * mm)
    label_width = 38 * mm
    table = [[cell(label, st.cell_bold), cell(value, st.cell, CONTENT_WIDTH - label_width)]
             for label, value in rows]
    return grid(table, [label_width, CONTENT_WIDTH - label_width], header=False, zebra=False,
                extra=[("LINEBELOW", (0, 0), (-1, -1), 0, "white"),
                       ("TEXTCOLOR", (0, 0), (0, -1), "#555555")])


def _roles_table(roles: Iterable[RoleLine], kind: str, *, current: bool) -> list[Flowable]:
    st = styles()
    roles = list(roles)
    if not roles:
        return [para(_("None recorded."), st.muted)]
    who = _("Organisation") if kind == "person" else _("Person")
    widths = [40 * mm, 52 * mm, 30 * mm, 52 * mm]
    widths[-1] = CONTENT_WIDTH - sum(widths[:-1])
    # On an organisation's sheet every row is in the same place: show since when instead.
    third = _("Municipality") if kind == "person" else _("Since")
    head = [_("Role"), who, third, _("Contact") if current else _("Period")]
    rows: list[list[Any]] = [head]
    for r in roles:
        last = _contact_lines(r.contacts) if current else _period(r)
        where = r.place if kind == "person" else format_day(r.since)
        rows.append([cell(r.title, st.cell, widths[0]), cell(r.name, st.cell, widths[1]),
                     cell(where, st.cell, widths[2]), cell(last, st.cell, widths[3])])
    return [grid(rows, widths)]


def _period(role: RoleLine) -> str:
    return f"{format_day(role.since) or '…'} – {format_day(role.until) or '…'}"


def _contact_lines(points: Iterable[ContactLine]) -> str:
    return "\n".join(p.display for p in points if p.kind != "postal")


def _contacts_table(points: Iterable[ContactLine]) -> list[Flowable]:
    st = styles()
    widths = [30 * mm, CONTENT_WIDTH - 55 * mm, 25 * mm]
    rows: list[list[Any]] = [[_("Kind"), _("Value"), _("Label")]]
    for p in points:
        kind = value_label("contact_kind", p.kind) + (" ★" if p.preferred else "")
        rows.append([kind, cell(p.display, st.cell, widths[1]),
                     value_label("contact_label", p.label)])
    return [grid(rows, widths)]


def _interactions(data: ContactSheetData) -> list[Flowable]:
    st = styles()
    if not data.interactions:
        return [para(_("No interactions recorded."), st.muted)]
    flow: list[Flowable] = []
    if data.interaction_total > len(data.interactions):
        flow.append(para(_("The last {n} of {total} interactions.").format(
            n=len(data.interactions), total=data.interaction_total), st.muted))
    for item in data.interactions:
        flow.extend(_interaction(item))
    return flow


def _interaction(item: InteractionLine) -> list[Flowable]:
    st = styles()
    head = "<b>{}</b> · {} · {}".format(
        escape(format_moment(item.occurred_at)), escape(value_text("interaction_kind", item.kind)),
        markup(item.subject))
    meta = [x for x in (
        ", ".join(item.participants), ", ".join(item.organisations), item.place,
        _("Project: {name}").format(name=item.project) if item.project else "",
        _("logged by {name}").format(name=item.logged_by) if item.logged_by else "",
    ) if x]
    parts: list[Flowable] = [para(None, st.body, prefix=head)]
    if meta:
        parts.append(para(" · ".join(meta), st.muted))
    if len(item.notes) > 600:
        # Long notes flow on and break across pages; only the heading lines stay together.
        return [KeepTogether(parts), para(item.notes, st.small, align_rtl=True),
                Spacer(1, 1.5 * mm)]
    if item.notes:
        parts.append(para(item.notes, st.small, align_rtl=True))
    return [KeepTogether([*parts, Spacer(1, 1.5 * mm)])]


def _follow_ups(data: ContactSheetData) -> Flowable:
    st = styles()
    widths = [24 * mm, CONTENT_WIDTH - 64 * mm, 40 * mm]
    rows: list[list[Any]] = [[_("Due"), _("Task"), _("Assigned to")]]
    for f in data.follow_ups:
        text = f.text if not f.about else f"{f.text}\n({f.about})"
        rows.append([format_day(f.due_on), para(text, st.cell), cell(f.assignee, st.cell)])
    return grid(rows, widths, split_in_row=True)
