"""Which database to use, as the settings dialog asks it: a local file or a server URL,
the password kept apart from what is shown, and a connection test with a clear answer.

Importing this module loads no SQLAlchemy (the window imports it); the functions do.
Passwords never appear in what these functions return for display or in their messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from crm.i18n import _

TEST_TIMEOUT = 5  # seconds the connection test waits for a server


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str  # one translated sentence, without the password
    problem: str = ""  # "", "host", "login", "database", "not_bruecke", "invalid", "other"


def is_server(target: str) -> bool:
    return "://" in target and not target.strip().lower().startswith("sqlite")


def split_password(target: str) -> tuple[str, str]:
    """``(target without its password, the password or "")``: the first is safe to show."""
    if not is_server(target):
        return target, ""
    url = _url(target)
    if url is None or url.password is None:
        return target, ""
    bare = url._replace(password=None)  # URL.set() ignores None
    return bare.render_as_string(hide_password=False), str(url.password)


def with_password(target: str, password: str) -> str:
    """``target`` with ``password`` set (unchanged for a file or an empty password)."""
    if not password or not is_server(target):
        return target
    url = _url(target)
    if url is None:
        return target
    return url.set(password=password).render_as_string(hide_password=False)


def shown(target: str) -> str:
    """``target`` for messages and logs: the password replaced by ***."""
    if not is_server(target):
        return target
    url = _url(target)
    return unquote(url.render_as_string(hide_password=True)) if url is not None else target


def _url(target: str):  # noqa: ANN202 - sqlalchemy.engine.URL, imported late
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(target.strip())
    except (ArgumentError, ValueError):
        return None


def check_connection(target: str, timeout: int = TEST_TIMEOUT) -> ConnectionCheck:
    """Try the database at ``target`` without changing anything (nothing is created)."""
    text = target.strip()
    if not text:
        return ConnectionCheck(False, _("Enter a database file or a server address."),
                               "invalid")
    if not is_server(text):
        return _check_file(text)
    url = _url(text)
    if url is None:
        return ConnectionCheck(False, _("This is not a database address: {target}").format(
            target=shown(text)), "invalid")
    return _check_server(url, timeout)


def _check_file(text: str) -> ConnectionCheck:
    from crm.persistence import dialect
    from crm.persistence.database import resolve_url

    path = Path(str(resolve_url(text).database or ""))
    if path.is_dir():
        return ConnectionCheck(False, _("{path} is a folder, not a database file.").format(
            path=path), "invalid")
    if not path.exists():
        if path.parent.is_dir():
            return ConnectionCheck(True, _("{path} does not exist yet: Brücke creates it at "
                                           "the next start.").format(path=path))
        return ConnectionCheck(False, _("The folder {path} does not exist.").format(
            path=path.parent), "host")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(dialect.SQLITE_HEADER))
    except OSError as exc:
        return ConnectionCheck(False, _("The database {path} cannot be read: {detail}")
                               .format(path=path, detail=exc.strerror or exc), "other")
    if header and not dialect.looks_like_sqlite(header):
        return ConnectionCheck(False, _("{path} is not a database file.").format(path=path),
                               "not_bruecke")
    return ConnectionCheck(True, _("The database file {path} can be used.").format(path=path))


def _check_server(url, timeout: int) -> ConnectionCheck:  # noqa: ANN001 - a SQLAlchemy URL
    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    from crm.persistence import dialect

    where = unquote(url.render_as_string(hide_password=True))  # "/tmp", not "%2Ftmp"
    name = url.database or ""
    try:
        engine = create_engine(url, poolclass=NullPool,
                               connect_args=dialect.connect_args(url, timeout))
    except Exception as exc:  # noqa: BLE001 - unknown driver, bad option
        return ConnectionCheck(False, _("This is not a database address: {target}").format(
            target=where) + f" ({_first_line(exc)})", "invalid")
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
    except Exception as exc:  # noqa: BLE001 - every failure becomes one sentence
        problem = dialect.connection_problem(exc)
        messages = {
            "host": _("The server cannot be reached ({target}). Check the host name and "
                      "port, and that the server is running."),
            "login": _("The server refused the login: wrong user name or password "
                       "({target})."),
            "database": _("The server has no database “{name}”. Create it first "
                          "(see docs/office.md)."),
            "other": _("The connection failed ({target}): {detail}"),
        }
        return ConnectionCheck(False, messages[problem].format(
            target=where, name=name, detail=_first_line(exc)), problem)
    finally:
        engine.dispose()
    if "alembic_version" in tables:
        return ConnectionCheck(True, _("Connected: {target} is a Brücke database.").format(
            target=where))
    if not tables:
        return ConnectionCheck(True, _("Connected: the database {target} is empty; Brücke "
                                       "sets it up at the next start.").format(target=where))
    return ConnectionCheck(False, _("{target} is a database of another program, not of "
                                    "Brücke.").format(target=where), "not_bruecke")


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
