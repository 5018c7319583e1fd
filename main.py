"""Start Brücke's window:  python main.py [--db PATH|URL]

This is where the database side (crm.app) is wired to the window (ui.app): ui/ itself never
imports anything that talks SQL.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="main.py", description="Brücke: contacts of the network of migrant organisations.")
    parser.add_argument("--db", metavar="PATH|URL",
                        help="the database file or URL (default: BRUECKE_DB, the settings, "
                             "or bruecke.db in the user data folder)")
    return parser.parse_args(argv)


def display_problem(environ: dict[str, str] | None = None,
                    platform: str | None = None) -> str | None:
    """Why the window cannot open here, or None. Qt itself would abort with a core dump."""
    env = os.environ if environ is None else environ
    if (platform or sys.platform) != "linux" or env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return None
    return ("No display found: Brücke's window needs a desktop session (DISPLAY or "
            "WAYLAND_DISPLAY is not set).\n"
            f"Use the command line instead, e.g.  {sys.executable} -m crm --help")


def install_network_guard() -> None:
    """No connection to another machine from the window, ever (loopback and Unix sockets,
    which Qt uses, stay allowed): the same audit hook as ``BRUECKE_FORBID_NETWORK=1``."""
    from crm.privacy import forbid_network  # light: loads nothing that could connect

    forbid_network()


def main(argv: list[str] | None = None) -> int:
    install_network_guard()  # before anything else is loaded
    args = parse_args(sys.argv[1:] if argv is None else argv)
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    early = _FirstPageReader(args.db)  # reads while Qt loads: sqlite3 releases the GIL
    from ui.app import run

    def opener(initials: str | None, name: str | None, passphrase: str | None = None) -> Any:
        from crm.app import passphrase_from_env  # SQLAlchemy: after the first paint
        from crm.offline import open_with_offline_fallback, start_offline_copy

        # A server that cannot be reached opens its offline copy (read-only, an outbox for
        # the quick log); a reachable one keeps that copy current (issue 10).
        app = open_with_offline_fallback(args.db, staff=initials, staff_name=name,
                                         passphrase=passphrase or passphrase_from_env())
        start_offline_copy(app)
        return app

    return run(opener, _demo_loader(), [sys.argv[0]], first_page=early.result)


class _FirstPageReader:
    """The persons list's first page of a plain local file at the current schema, read
    without the ORM on a thread of its own while Qt starts (crm.first_page, issue 9): the
    window paints it and opens the database right after. None: the normal start."""

    def __init__(self, db: str | None) -> None:
        import threading

        from crm.config import load_preferences

        self._db = db
        self._prefs = load_preferences()
        self._page: Any = None
        self._thread = threading.Thread(target=self._read, name="first-page", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            self._page = self._read_for(self._prefs)
        except Exception:  # noqa: BLE001 - the normal start opens it and tells what is wrong
            self._page = None

    def _read_for(self, prefs: Any) -> Any:
        from crm.first_page import database_target, read_first_page

        return read_first_page(database_target(self._db, prefs))

    def result(self, prefs: Any) -> Any:
        """The page for these preferences (read again if they name another database)."""
        from crm.first_page import database_target

        self._thread.join()
        if database_target(self._db, prefs) != database_target(self._db, self._prefs):
            return self._read_for(prefs)
        return self._page


def _demo_loader() -> Any:
    """Build the demo network into an (empty) database, if this Brücke ships it."""
    from importlib.util import find_spec

    if find_spec("crm.demo") is None:  # looked up, not imported: that waits for a click
        return None

    def load(app: Any) -> None:
        from crm.demo import build_demo

        build_demo(app.db.sessions, seed=1)

    return load


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl+C before the window's own handling is in place
        sys.exit(130)
