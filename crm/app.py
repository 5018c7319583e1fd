"""The wiring: open the database and build every service. main.py and the CLI both use it."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from crm.config import Preferences, load_preferences
from crm.domain import Municipality
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

DB_ENV = "BRUECKE_DB"
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

    @property
    def location(self) -> str:
        return self.ctx.location

    def close(self) -> None:
        self.db.dispose()


def database_target(explicit: str | None, prefs: Preferences) -> str:
    """--db, then $BRUECKE_DB, then the configured database, then the default file."""
    for candidate in (explicit, os.environ.get(DB_ENV), prefs.database):
        if candidate:
            return candidate
    return str(default_database_path())


def open_app(db: str | os.PathLike[str] | None = None, *, staff: str | None = None,
             prefs: Preferences | None = None, staff_name: str | None = None,
             passphrase: str | None = None) -> App:
    """Open the app; ``passphrase`` opens (or creates) an encrypted database."""
    prefs = prefs or load_preferences()
    database = open_database(database_target(os.fspath(db) if db else None, prefs),
                             passphrase=passphrase)
    install_audit(database.sessions)
    install_index_maintenance(database.sessions)
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
    )
    initials = staff or prefs.staff_initials or initials_from_name(_system_user())
    current = app.staff.ensure(initials, staff_name or (
        None if (staff or prefs.staff_initials) else _system_user()))
    app.current_staff = current
    holder["id"] = app.staff.id_of(current.initials)
    return app


def passphrase_from_env() -> str | None:
    """$BRUECKE_PASSPHRASE, if set and not empty."""
    return os.environ.get(PASSPHRASE_ENV) or None


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
