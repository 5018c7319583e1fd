"""The argument parser: global options before or after the command, one module per area.

Global options live on the main parser with their real defaults and again, through a
parent parser, on every sub-parser with ``default=SUPPRESS``: given after the command they
override, not given they leave the main parser's value alone.

Values are taken as plain strings here and checked by the command (exit status 1 with a
translated message); argparse itself only rejects unknown commands and options and missing
arguments (exit status 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any

from crm.cli import argparse_texts
from crm.i18n import _

Register = Callable[[Any, argparse.ArgumentParser], None]


class Subcommands:
    """Adds command parsers that share the global options."""

    def __init__(self, action: Any, common: argparse.ArgumentParser) -> None:
        self._action = action
        self.common = common

    def add(self, name: str, help_text: str, handler: Callable[..., Any] | None = None,
            **kwargs: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self._action.add_parser(
            name, help=help_text, description=help_text, parents=[self.common], **kwargs
        )
        if handler is not None:
            parser.set_defaults(handler=handler, command_parser=parser)
        return parser

    def group(self, name: str, help_text: str) -> Subcommands:
        """A command with its own sub-commands (``org add``, ``org list`` …)."""
        parser = self.add(name, help_text)
        action = parser.add_subparsers(dest=f"{name}_command", metavar=_("ACTION"),
                                       required=True)
        return Subcommands(action, self.common)


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    def default(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group(_("global options"))
    group.add_argument("--db", metavar=_("PATH|URL"), default=default(None),
                       help=_("database file or SQLAlchemy URL"))
    group.add_argument("--json", action="store_true", default=default(False),
                       help=_("machine-readable output (JSON, UTF-8) on stdout"))
    group.add_argument("--lang", metavar="de|en", default=default(None),
                       help=_("language of messages (default: from the configuration)"))
    group.add_argument("--as", dest="as_staff", metavar=_("INITIALS"), default=default(None),
                       help=_("act as this staff member (default: the configured one)"))


def build_parser(areas: Sequence[Register]) -> argparse.ArgumentParser:
    argparse_texts.translate()
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    parser = argparse.ArgumentParser(
        prog="bruecke",
        description=_("Brücke: contacts of the network, from the command line."),
    )
    parser.add_argument("--version", action="version", version=f"bruecke {_version()}",
                        help=_("show the version number and exit"))
    _global_options(parser, suppress=False)
    action = parser.add_subparsers(dest="command", metavar=_("COMMAND"), required=True)
    commands = Subcommands(action, common)
    for register in areas:
        register(commands, common)
    return parser


def _version() -> str:
    # The installed distribution, not crm.__version__: under pytest, tests/crm can shadow
    # the package's __init__.
    try:
        return metadata.version("bruecke")
    except metadata.PackageNotFoundError:
        return "unknown"


def prescan_language(argv: Sequence[str]) -> str | None:
    """The --lang value, read before the parser is built so that its help is translated."""
    for index, token in enumerate(argv):
        if token == "--":
            break
        if token == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if token.startswith("--lang="):
            return token.split("=", 1)[1]
    return None
