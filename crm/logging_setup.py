"""Brücke's log file: a rotating file in the user log folder, free of personal data.

What is logged names records by uid and says how many, never who: no names, e-mail
addresses, phone numbers or notes. :class:`ScrubFilter` is the safety net for a slip: it
replaces anything shaped like an e-mail address or a phone number, and exceptions are
logged by type and place only (their messages may quote values, e.g. SQL parameters).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

from crm.paths import user_log_dir

LOG_ENV = "BRUECKE_LOG_DIR"
LOGGER = "bruecke"
FILE_NAME = "bruecke.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone-like: starts with + or 0, at least 6 more digits, separators allowed; not part of
# a uid or word (uids hold long digit runs too).
PHONE = re.compile(r"(?<![\w-])(?:\+|00?)\d[\d /().-]{4,}\d(?![\w-])")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def scrub(text: str) -> str:
    return PHONE.sub("[phone]", EMAIL.sub("[email]", text))


class ScrubFilter(logging.Filter):
    """Formats the message once, scrubbed; drops arguments so nothing re-inserts them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not end the program
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        return True


class SafeFormatter(logging.Formatter):
    """Tracebacks without exception messages: type, file and line are enough to debug."""

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full traceback (with its message) on the
        # record: format our own, and leave theirs as it was.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei: Any) -> str:  # noqa: N802 - logging's name
        exc_type, _exc, tb = ei
        # File, line and function only: source lines and locals are left out.
        frames = "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
                         for f in traceback.extract_tb(tb)) if tb is not None else ""
        name = exc_type.__name__ if exc_type is not None else "Exception"
        return f"Traceback (most recent call last):\n{frames}{name} (message omitted)"


class _PrivateRotatingHandler(RotatingFileHandler):
    """Every log file, also each rotated one, is created owner-only (0600)."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)


def log_folder() -> Path:
    override = os.environ.get(LOG_ENV)
    return Path(override) if override else user_log_dir()


def setup_logging(folder: str | os.PathLike[str] | None = None, level: int = logging.INFO
                  ) -> Path | None:
    """Send Brücke's loggers (``bruecke.*``) to the rotating file; returns its path.

    Calling it again replaces the handler (tests, a second start in one process). A
    folder that cannot be written gives no log file, never an error.
    """
    directory = Path(folder) if folder is not None else log_folder()
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if isinstance(handler, _PrivateRotatingHandler):
            logger.removeHandler(handler)
            handler.close()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _PrivateRotatingHandler(directory / FILE_NAME, maxBytes=MAX_BYTES,
                                          backupCount=BACKUP_COUNT, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(SafeFormatter(FORMAT))
    handler.addFilter(ScrubFilter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return directory / FILE_NAME


def command_name(args: argparse.Namespace) -> str:
    """The command and action only ("person add"): arguments may be names."""
    command = str(getattr(args, "command", "") or "")
    action = getattr(args, f"{command}_command", None)
    return f"{command} {action}" if action else command


def start_cli_logging(args: argparse.Namespace) -> None:
    """Log that a command ran (its name, never its arguments)."""
    with contextlib.suppress(Exception):
        setup_logging()
        logging.getLogger("bruecke.cli").info("command %s", command_name(args))
