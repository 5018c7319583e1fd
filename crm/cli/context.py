"""What every command receives: its arguments, the preferences and the app, opened late.

The database is opened only when a command first needs it, after its own values have been
checked: a bad number or date is refused before anything is created or written.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

from crm import validation
from crm.config import Preferences
from crm.errors import ValidationError

if TYPE_CHECKING:
    from crm.app import App


class UsageError(Exception):
    """A missing or conflicting argument: exit status 2, like argparse's own errors."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class CommandContext:
    def __init__(self, args: argparse.Namespace, prefs: Preferences) -> None:
        self.args = args
        self.prefs = prefs
        self._app: App | None = None

    @property
    def json(self) -> bool:
        return bool(getattr(self.args, "json", False))

    @property
    def app(self) -> App:
        if self._app is None:
            from crm.app import open_app, passphrase_from_env

            self._app = open_app(self.args.db, staff=self.args.as_staff, prefs=self.prefs,
                                 passphrase=passphrase_from_env())
        return self._app

    @property
    def location(self) -> str | None:
        return self._app.location if self._app is not None else None

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None

    def usage_error(self, message: str) -> NoReturn:
        raise UsageError(self.args.command_parser, message)


def integer(field: str, text: str | None, *, minimum: int = 0, maximum: int = 10**9,
            default: int | None = None) -> int | None:
    """A whole number typed by the user, or a ValidationError naming the option."""
    if text is None:
        return default
    try:
        value = int(text.strip())
    except ValueError as exc:
        raise ValidationError.single(field, "invalid_number", value=text) from exc
    if not minimum <= value <= maximum:
        raise ValidationError.single(field, "out_of_range", value=value, minimum=minimum,
                                     maximum=maximum)
    return value


def choice(field: str, text: str | None, choices: tuple[str, ...]) -> str | None:
    if text is None or text in choices:
        return text
    raise ValidationError.single(field, "invalid_choice_of", value=text,
                                 choices=", ".join(choices))


def check_date(field: str, text: str | None) -> date | None:
    return validation.parse_date(field, text)


def check_all(*checks: Any) -> list[Any]:
    """Run every check (a callable); report all their field errors together."""
    return validation.collect(*checks)
