"""Brücke's command line: ``bruecke`` / ``python -m crm``.

Exit status: 0 on success; 1 on a user error (a bad value, an unknown or ambiguous record,
a database that cannot be used), with one translated line on stderr and nothing written;
2 for an unknown command or option or a missing argument; 130 on Ctrl+C.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Sequence

from crm.cli import (
    copying,
    encryption,
    events,
    interactions,
    io,
    municipalities,
    organisations,
    people,
    privacy,
    projects,
    reports,
    roles,
    search,
    setup,
    tasks,
)
from crm.cli.context import CommandContext, UsageError, choice
from crm.cli.output import never_fail_on_encoding, use_utf8_stdout
from crm.cli.parser import build_parser, prescan_language
from crm.config import Preferences, load_preferences
from crm.errors import BrueckeError, DatabaseError
from crm.i18n import DEFAULT_LANGUAGE, LANGUAGES, _, set_language
from crm.logging_setup import start_cli_logging
from crm.messages import error_message

AREAS = (setup.register, municipalities.register, organisations.register, people.register,
         roles.register, search.register, interactions.register, tasks.register,
         events.register, projects.register, reports.register, privacy.register,
         io.register, encryption.register, copying.register)
DEBUG_ENV = "BRUECKE_DEBUG"
EXIT_OK, EXIT_USER_ERROR, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status (never raises, never prints a traceback)."""
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE


def _run(argv: list[str]) -> int:
    never_fail_on_encoding()
    prefs = load_preferences()
    wanted = prescan_language(argv)
    _use_language(wanted, prefs)
    parser = build_parser(AREAS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (status 2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    ctx = CommandContext(args, prefs)
    start_cli_logging(args)
    try:
        if args.lang is not None:
            choice("language", args.lang, LANGUAGES)
        if args.json:
            use_utf8_stdout()
        args.handler(ctx)
        sys.stdout.flush()
        return EXIT_OK
    except UsageError as exc:
        exc.parser.print_usage(sys.stderr)
        _fail(f"{exc.parser.prog}: error: {exc.message}")
        return EXIT_USAGE
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as exc:  # noqa: BLE001 - every error becomes one line, never a traceback
        error = _as_user_error(exc, ctx)
        message = error_message(error)
        known = isinstance(error, BrueckeError | OSError)
        _fail(_("Error: {message}").format(message=message) if known else message)
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        return EXIT_USER_ERROR
    finally:
        ctx.close()


def _use_language(wanted: str | None, prefs: Preferences) -> None:
    for language in (wanted, prefs.language, DEFAULT_LANGUAGE):
        if language in LANGUAGES:
            set_language(language)
            return


def _as_user_error(exc: Exception, ctx: CommandContext) -> BaseException:
    """Database driver errors that escaped a service become a DatabaseError."""
    if isinstance(exc, BrueckeError):
        return exc
    from sqlite3 import Error as SqliteError

    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError | SqliteError):
        where = ctx.location or str(ctx.args.db or "")
        text = str(getattr(exc, "orig", None) or exc)
        lowered = text.lower()
        if "readonly" in lowered or "read-only" in lowered:
            return DatabaseError("read_only", where)
        if "locked" in lowered or "busy" in lowered:
            return DatabaseError("locked", where)
        if "malformed" in lowered or "not a database" in lowered:
            return DatabaseError("damaged", where, text)
        from crm.persistence import dialect

        if dialect.is_connection_failure(getattr(exc, "orig", None)):
            return DatabaseError("unreachable", where, text.splitlines()[0])
        return DatabaseError("operational", where, text.splitlines()[0] if text else "")
    return exc


def _fail(line: str) -> None:
    sys.stderr.write(line.replace("\n", " ") + "\n")
    sys.stderr.flush()


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at devnull so the final flush cannot fail."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
