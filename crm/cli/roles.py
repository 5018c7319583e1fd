"""``role add | end``."""

from __future__ import annotations

import argparse

from crm.cli import serialize
from crm.cli.context import CommandContext, check_date
from crm.cli.output import write, write_json
from crm.cli.parser import Subcommands
from crm.cli.render import role_line
from crm.i18n import _


def register(commands: Subcommands, common: argparse.ArgumentParser) -> None:
    group = commands.group("role", _("roles of persons in organisations: add and end"))
    add = group.add("add", _("give a person a role in an organisation"), handler=add_role)
    add.add_argument("person", metavar="PERSON", help=_("the person (uid or name)"))
    add.add_argument("org", metavar="ORG", help=_("the organisation (uid or name)"))
    add.add_argument("--title", required=True, metavar="T", help=_("title of the role"))
    add.add_argument("--since", metavar=_("DATE"), help=_("start of the role"))

    end = group.add("end", _("end a person's current roles in an organisation"),
                    handler=end_role)
    end.add_argument("person", metavar="PERSON", help=_("the person (uid or name)"))
    end.add_argument("org", metavar="ORG", help=_("the organisation (uid or name)"))
    end.add_argument("--on", metavar=_("DATE"), help=_("last day (default: today)"))
    end.add_argument("--title", metavar="T", help=_("only the role with this title"))


def add_role(ctx: CommandContext) -> None:
    args = ctx.args
    check_date("since", args.since)
    role = ctx.app.roles.add(args.person, args.org, args.title, args.since)
    if ctx.json:
        write_json({"uid": role.uid})
    else:
        write(_("Role added: {person}: {role}").format(
            person=role.person.name, role=role_line(role, other=role.organisation.name)))


def end_role(ctx: CommandContext) -> None:
    args = ctx.args
    check_date("on", args.on)
    roles = ctx.app.roles.end(args.person, args.org, args.on, title=args.title)
    if ctx.json:
        write_json([serialize.role(r) for r in roles])
        return
    for role in roles:
        write(_("Role ended: {person}: {role}").format(
            person=role.person.name, role=role_line(role, other=role.organisation.name)))
