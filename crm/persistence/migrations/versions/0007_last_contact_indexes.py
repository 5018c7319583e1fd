"""last contact indexes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25

The organisation and municipality lists show each record's last contact: the newest
interaction linked to the organisation or with one of its people taking part (for a
place: held there, or of an organisation located there). With 1,000 interactions per
organisation, reading each one's ``occurred_at`` from the wide ``interaction`` table took
1.3 s for a page of organisations and 2.2 s for a page of places; an index alone cannot
avoid those look-ups. So both link tables get a copy of their interaction's
``occurred_at``, kept by triggers on both engines (set on insert and when a link moves to
another interaction, updated when an interaction's time changes), and an index
``(organisation_id, occurred_at)``: the newest contact is then one seek. ``interaction``
gets ``(municipality_id, occurred_at)`` for places (it replaces the index on
``municipality_id`` alone), ``interaction_organisation`` loses its index on
``organisation_id`` alone (the new one starts with it), and
``interaction_participant.role_id`` gets an index (erasure looks participants up by role;
deleting a role or an organisation no longer scans all participants for its foreign key).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LINKS = ("interaction_participant", "interaction_organisation")

SQLITE_TRIGGERS = (
    "CREATE TRIGGER tr_interaction_participant_at AFTER INSERT ON interaction_participant "
    "BEGIN UPDATE interaction_participant SET occurred_at = (SELECT occurred_at FROM "
    "interaction WHERE id = NEW.interaction_id) WHERE rowid = NEW.rowid; END",
    "CREATE TRIGGER tr_interaction_participant_moved AFTER UPDATE OF interaction_id ON "
    "interaction_participant BEGIN UPDATE interaction_participant SET occurred_at = (SELECT "
    "occurred_at FROM interaction WHERE id = NEW.interaction_id) WHERE rowid = NEW.rowid; END",
    "CREATE TRIGGER tr_interaction_organisation_at AFTER INSERT ON interaction_organisation "
    "BEGIN UPDATE interaction_organisation SET occurred_at = (SELECT occurred_at FROM "
    "interaction WHERE id = NEW.interaction_id) WHERE rowid = NEW.rowid; END",
    "CREATE TRIGGER tr_interaction_organisation_moved AFTER UPDATE OF interaction_id ON "
    "interaction_organisation BEGIN UPDATE interaction_organisation SET occurred_at = (SELECT "
    "occurred_at FROM interaction WHERE id = NEW.interaction_id) WHERE rowid = NEW.rowid; END",
    "CREATE TRIGGER tr_interaction_occurred_at AFTER UPDATE OF occurred_at ON interaction "
    "WHEN NEW.occurred_at IS NOT OLD.occurred_at BEGIN "
    "UPDATE interaction_participant SET occurred_at = NEW.occurred_at "
    "WHERE interaction_id = NEW.id; "
    "UPDATE interaction_organisation SET occurred_at = NEW.occurred_at "
    "WHERE interaction_id = NEW.id; END",
)
SQLITE_DROP = ("tr_interaction_participant_at", "tr_interaction_participant_moved",
               "tr_interaction_organisation_at", "tr_interaction_organisation_moved",
               "tr_interaction_occurred_at")

PG_TRIGGERS = (
    "CREATE FUNCTION interaction_link_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.occurred_at := (SELECT occurred_at FROM interaction WHERE id = NEW.interaction_id); "
    "RETURN NEW; END $$",
    "CREATE TRIGGER tr_interaction_participant_at BEFORE INSERT OR UPDATE OF interaction_id "
    "ON interaction_participant FOR EACH ROW EXECUTE FUNCTION interaction_link_at()",
    "CREATE TRIGGER tr_interaction_organisation_at BEFORE INSERT OR UPDATE OF interaction_id "
    "ON interaction_organisation FOR EACH ROW EXECUTE FUNCTION interaction_link_at()",
    "CREATE FUNCTION interaction_occurred_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE interaction_participant SET occurred_at = NEW.occurred_at "
    "WHERE interaction_id = NEW.id; "
    "UPDATE interaction_organisation SET occurred_at = NEW.occurred_at "
    "WHERE interaction_id = NEW.id; RETURN NULL; END $$",
    "CREATE TRIGGER tr_interaction_occurred_at AFTER UPDATE OF occurred_at ON interaction "
    "FOR EACH ROW WHEN (OLD.occurred_at IS DISTINCT FROM NEW.occurred_at) "
    "EXECUTE FUNCTION interaction_occurred_at()",
)
PG_DROP = (
    "DROP TRIGGER IF EXISTS tr_interaction_occurred_at ON interaction",
    "DROP TRIGGER IF EXISTS tr_interaction_organisation_at ON interaction_organisation",
    "DROP TRIGGER IF EXISTS tr_interaction_participant_at ON interaction_participant",
    "DROP FUNCTION IF EXISTS interaction_occurred_at()",
    "DROP FUNCTION IF EXISTS interaction_link_at()",
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in LINKS:
        op.add_column(table, sa.Column("occurred_at", sa.DateTime(), nullable=True))
        if postgresql:
            op.execute(f"UPDATE {table} AS link SET occurred_at = interaction.occurred_at "
                       "FROM interaction WHERE interaction.id = link.interaction_id")
        else:
            op.execute(f"UPDATE {table} SET occurred_at = (SELECT occurred_at FROM interaction "
                       f"WHERE interaction.id = {table}.interaction_id)")
    for statement in PG_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)
    op.create_index("ix_interaction_participant_organisation_at", "interaction_participant",
                    ["organisation_id", "occurred_at"])
    op.create_index("ix_interaction_organisation_organisation_at", "interaction_organisation",
                    ["organisation_id", "occurred_at"])
    op.drop_index("ix_interaction_organisation_organisation_id",
                  table_name="interaction_organisation")
    op.create_index("ix_interaction_participant_role_id", "interaction_participant",
                    ["role_id"])
    op.create_index("ix_interaction_municipality_at", "interaction",
                    ["municipality_id", "occurred_at"])
    op.drop_index("ix_interaction_municipality_id", table_name="interaction")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_index("ix_interaction_municipality_id", "interaction", ["municipality_id"])
    op.drop_index("ix_interaction_municipality_at", table_name="interaction")
    op.drop_index("ix_interaction_participant_role_id", table_name="interaction_participant")
    op.create_index("ix_interaction_organisation_organisation_id", "interaction_organisation",
                    ["organisation_id"])
    op.drop_index("ix_interaction_organisation_organisation_at",
                  table_name="interaction_organisation")
    op.drop_index("ix_interaction_participant_organisation_at",
                  table_name="interaction_participant")
    if postgresql:
        for statement in PG_DROP:
            op.execute(statement)
    else:
        for name in SQLITE_DROP:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in LINKS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("occurred_at")
