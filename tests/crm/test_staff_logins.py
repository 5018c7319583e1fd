"""Staff connect to the office server as themselves: the login names the staff member,
and the audit trail records who did what (docs/office.md, "Staff logins")."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from crm.app import open_app
from crm.config import Preferences
from crm.services.people import PersonInput
from crm.services.privacy import AuditFilter

GROUP = "bruecke_staff"


def _create_login(pg_cluster, name: str) -> None:  # noqa: ANN001
    pg_cluster.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN "
        f"CREATE ROLE {name} LOGIN IN ROLE {GROUP}; END IF; END $$")


def _grant(pg_cluster, database: str) -> None:  # noqa: ANN001
    """The grants of docs/office.md, for the group role every staff login belongs to."""
    pg_cluster.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{GROUP}') THEN "
        f"CREATE ROLE {GROUP} NOLOGIN; END IF; END $$")
    for statement in (
        f"GRANT CONNECT ON DATABASE {database} TO {GROUP}",
        f"GRANT USAGE ON SCHEMA public TO {GROUP}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {GROUP}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {GROUP}",
    ):
        pg_cluster.execute(statement, database)


def test_each_login_is_its_own_staff_member_in_the_audit(pg_cluster, pg_url: str) -> None:  # noqa: ANN001
    database = str(make_url(pg_url).database)
    _grant(pg_cluster, database)
    for login in ("anna", "ben"):
        _create_login(pg_cluster, login)

    anna = open_app(pg_cluster.url(database, user="anna"), prefs=Preferences())
    ben = open_app(pg_cluster.url(database, user="ben"), prefs=Preferences())
    try:
        assert anna.current_staff is not None and anna.current_staff.initials == "ANNA"
        assert ben.current_staff is not None and ben.current_staff.initials == "BEN"
        person = anna.people.create(PersonInput(full_name="Amina Haddad"))
        ben.people.save(person.uid, {"notes": "Rückruf erbeten"}, expected_version=1)
        ben.people.create(PersonInput(full_name="Dawit Tesfaye"))

        trail = anna.privacy.audit(AuditFilter(record=person.uid))
        assert sorted((a.action, a.staff) for a in trail) == [("create", "ANNA"),
                                                               ("update", "BEN")]
        assert {a.staff for a in ben.privacy.audit(AuditFilter(staff="BEN"))} == {"BEN"}
        assert ben.search.search("Amina Haddad")[0].uid == person.uid
    finally:
        anna.close()
        ben.close()

    # --as and the configured initials still win over the login
    chosen = open_app(pg_cluster.url(database, user="anna"), staff="XY", prefs=Preferences())
    try:
        assert chosen.current_staff is not None and chosen.current_staff.initials == "XY"
    finally:
        chosen.close()


def test_a_local_file_still_names_the_system_user(db_path) -> None:  # noqa: ANN001
    app = open_app(db_path, prefs=Preferences())
    try:
        assert app.current_staff is not None and app.current_staff.initials not in ("", "XX")
    finally:
        app.close()


def test_logins_with_the_same_initials_stay_two_people(pg_cluster, pg_url: str) -> None:  # noqa: ANN001
    """amina.haddad and anton.hahn both shorten to AH: the second gets AH2, never the
    first one's staff record, and each keeps their own on the next start."""
    database = str(make_url(pg_url).database)
    _grant(pg_cluster, database)
    for login in ("amina.haddad", "anton.hahn"):
        pg_cluster.execute(f'CREATE ROLE "{login}" LOGIN IN ROLE {GROUP}')
    seen: dict[str, set[str]] = {}
    for _round in range(2):
        for login in ("amina.haddad", "anton.hahn"):
            app = open_app(pg_cluster.url(database, user=login), prefs=Preferences())
            try:
                assert app.current_staff is not None
                seen.setdefault(login, set()).add(app.current_staff.initials)
            finally:
                app.close()
    assert seen == {"amina.haddad": {"AH"}, "anton.hahn": {"AH2"}}


def test_a_staff_login_can_carry_out_an_erasure(pg_cluster, pg_url: str) -> None:  # noqa: ANN001
    """Erasure rebuilds the search index; a staff login (not the tables' owner) may empty
    and refill it, so Art. 17 requests do not need the owner."""
    database = str(make_url(pg_url).database)
    _grant(pg_cluster, database)
    _create_login(pg_cluster, "anna")
    app = open_app(pg_cluster.url(database, user="anna"), prefs=Preferences())
    try:
        person = app.people.create(PersonInput(full_name="Olena Şahin"))
        assert app.search.search("Olena Sahin")[0].uid == person.uid
        plan = app.privacy.erasure_plan(person.uid)
        app.privacy.erase(plan.person_uid, set(), expected_version=plan.version)
        assert app.search.search("Olena Sahin") == [] or all(
            hit.uid != person.uid for hit in app.search.search("Olena Sahin"))
        assert app.search.search("Erfurt")  # the rest of the index was rebuilt
    finally:
        app.close()
