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
    from crm.app import App, open_app, passphrase_from_env
    from ui.app import run

    def opener(initials: str | None, name: str | None, passphrase: str | None = None) -> App:
        return open_app(args.db, staff=initials, staff_name=name,
                        passphrase=passphrase or passphrase_from_env())

    return run(opener, _demo_loader(), [sys.argv[0]])


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
