"""The wiring: open the database and build every service. main.py and the CLI both use it."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from crm.changes import ChangeListener, install_change_notices
from crm.config import Preferences, load_preferences
from crm.domain import Municipality
from crm.first_page import DB_ENV as DB_ENV  # the names live where the window reads them
from crm.first_page import database_target
from crm.paths import default_database_path
from crm.persistence.database import Database, open_database
from crm.search.index import install_index_maintenance
from crm.seed import seed_municipalities
from crm.services.audit import install_audit
from crm.services.base import ServiceContext
from crm.services.duplicates import DuplicateService
from crm.services.events import EventService
from crm.services.exports import ExportService
from crm.services.followups import FollowUpService
from crm.services.imports import ImportService
from crm.services.interactions import InteractionService
from crm.services.listing import ListingService
from crm.services.municipalities import MunicipalityService
from crm.services.organisations import OrganisationService
from crm.services.people import PersonService
from crm.services.privacy import PrivacyService
from crm.services.projects import ProjectService
from crm.services.reports import ReportService
from crm.services.roles import RoleService
from crm.services.rows import StaffRow
from crm.services.search import SearchService
from crm.services.staff import StaffService, initials_from_name

PASSPHRASE_ENV = "BRUECKE_PASSPHRASE"  # the passphrase of an encrypted database (SQLCipher)


@dataclass
class App:
    """An open database with all its services and the current staff member."""

    db: Database
    ctx: ServiceContext
    prefs: Preferences
    people: PersonService
    organisations: OrganisationService
    roles: RoleService
    municipalities: MunicipalityService
    staff: StaffService
    search: SearchService
    listing: ListingService
    interactions: InteractionService
    followups: FollowUpService
    projects: ProjectService
    events: EventService
    reports: ReportService
    imports: ImportService
    exports: ExportService
    duplicates: DuplicateService
    privacy: PrivacyService
    current_staff: StaffRow | None = None
    origin: str = ""  # tags this app's change notices (crm.changes)
    offline: Any = None  # crm.offline.OfflineState when running on the offline copy
    outbox_report: Any = None  # crm.offline.SendReport of entries sent at the start
    offline_copy: Any = None  # crm.offline.SnapshotKeeper keeping the offline copy current

    @property
    def location(self) -> str:
        return self.ctx.location

    def close(self) -> None:
        if self.offline_copy is not None:
            self.offline_copy.stop()
        if self.offline is not None:
            self.offline.outbox.close()
        self.db.dispose()

    def watch_changes(self, on_change: Callable[[set[str]], None], *,
                      on_status: Callable[[bool], None] | None = None,
                      interval: float = 0.5) -> ChangeListener:
        """Call ``on_change(tables)`` (on a thread of its own) whenever another client
        commits; ``on_status(connected)`` when the server goes away and comes back.
        ``stop()`` the result when done (see crm.changes)."""
        return ChangeListener(self.db, on_change, origin=self.origin, interval=interval,
                              on_status=on_status).start()

    @property
    def read_only(self) -> bool:
        return self.ctx.read_only

    def set_read_only(self) -> None:
        """From now on nothing is written: the services refuse every change
        ("opened_read_only"), and every connection runs with ``PRAGMA query_only``."""
        from crm.lockfile import set_read_only

        self.ctx.read_only = True
        set_read_only(self.db.engine)


def open_app(db: str | os.PathLike[str] | None = None, *, staff: str | None = None,
             prefs: Preferences | None = None, staff_name: str | None = None,
             passphrase: str | None = None) -> App:
    """Open the app; ``passphrase`` opens (or creates) an encrypted database."""
    prefs = prefs or load_preferences()
    database = open_database(database_target(os.fspath(db) if db else None, prefs),
                             passphrase=passphrase)
    install_audit(database.sessions)
    install_index_maintenance(database.sessions)
    origin = install_change_notices(database)
    _seed_if_empty(database)
    holder: dict[str, int | None] = {"id": None}
    location = str(database.path) if database.path else database.url.render_as_string(
        hide_password=True)
    ctx = ServiceContext(database.sessions, lambda: holder["id"], location)
    app = App(
        db=database,
        ctx=ctx,
        prefs=prefs,
        people=PersonService(ctx),
        organisations=OrganisationService(ctx),
        roles=RoleService(ctx),
        municipalities=MunicipalityService(ctx),
        staff=StaffService(ctx),
        search=SearchService(ctx),
        listing=ListingService(ctx),
        interactions=InteractionService(ctx),
        followups=FollowUpService(ctx),
        projects=ProjectService(ctx),
        events=EventService(ctx),
        reports=ReportService(ctx, prefs),
        imports=ImportService(ctx),
        exports=ExportService(ctx),
        duplicates=DuplicateService(ctx),
        privacy=PrivacyService(ctx, prefs),
        origin=origin,
    )
    # On a server each staff member logs in as themselves: the login names who acts.
    login = _server_login(database) if not (staff or prefs.staff_initials) else None
    if login:
        current = app.staff.for_login(login)
    else:
        initials = staff or prefs.staff_initials or initials_from_name(_system_user())
        current = app.staff.ensure(initials, staff_name or (
            None if (staff or prefs.staff_initials) else _system_user()))
    app.current_staff = current
    holder["id"] = app.staff.id_of(current.initials)
    return app


def passphrase_from_env() -> str | None:
    """$BRUECKE_PASSPHRASE, if set and not empty."""
    return os.environ.get(PASSPHRASE_ENV) or None


def _server_login(database: Database) -> str | None:
    """The server login of a PostgreSQL database (None for a local file)."""
    if database.path is not None:
        return None
    from crm.persistence.dialect import server_login

    with database.engine.connect() as connection:
        return server_login(connection)


def _system_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "Brücke"


def _seed_if_empty(database: Database) -> None:
    with database.sessions.begin() as session:
        if session.scalar(select(func.count(Municipality.id))):
            return
        session.info["audit_disabled"] = True
        seed_municipalities(session)


def default_database() -> Path:
    return default_database_path()
