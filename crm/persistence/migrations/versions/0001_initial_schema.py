"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "distribution_list",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_distribution_list")),
        sa.UniqueConstraint("name", name=op.f("uq_distribution_list_name")),
    )
    with op.batch_alter_table("distribution_list", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_distribution_list_uid"), ["uid"], unique=True)

    op.create_table(
        "municipality",
        sa.Column("ags", sa.String(length=12), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=32), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.Column("user_modified", sa.Boolean(), nullable=False),
        sa.Column("sort_key", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["municipality.id"], name=op.f("fk_municipality_parent_id_municipality")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
        sa.UniqueConstraint("ags", name=op.f("uq_municipality_ags")),
    )
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_municipality_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_municipality_sort_key"), ["sort_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_municipality_uid"), ["uid"], unique=True)

    op.create_table(
        "person",
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("given_name", sa.String(length=200), nullable=True),
        sa.Column("family_name", sa.String(length=200), nullable=True),
        sa.Column("transliteration", sa.String(length=300), nullable=True),
        sa.Column("salutation", sa.String(length=32), nullable=False),
        sa.Column("languages", sa.String(length=200), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.Column("sort_key", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_archived_at"), ["archived_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_sort_key"), ["sort_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_person_uid"), ["uid"], unique=True)

    op.create_table(
        "staff_member",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("initials", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_member")),
        sa.UniqueConstraint("initials", name=op.f("uq_staff_member_initials")),
    )
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_member_uid"), ["uid"], unique=True)

    op.create_table(
        "tag",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("colour", sa.String(length=9), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("name", name=op.f("uq_tag_name")),
    )
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tag_uid"), ["uid"], unique=True)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_uid", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name=op.f("fk_audit_entry_staff_id_staff_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("uid", name=op.f("uq_audit_entry_uid")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_record_uid"), ["record_uid"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("short_name", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("member_since", sa.Date(), nullable=True),
        sa.Column("member_until", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=True),
        sa.Column("sort_key", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_organisation_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["organisation.id"], name=op.f("fk_organisation_parent_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_archived_at"), ["archived_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organisation_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_organisation_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_organisation_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_sort_key"), ["sort_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_organisation_uid"), ["uid"], unique=True)

    op.create_table(
        "person_tag",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_tag_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_person_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", "tag_id", name=op.f("pk_person_tag")),
    )
    with op.batch_alter_table("person_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_tag_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "organisation_tag",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_tag_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tag.id"], name=op.f("fk_organisation_tag_tag_id_tag"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("organisation_id", "tag_id", name=op.f("pk_organisation_tag")),
    )
    with op.batch_alter_table("organisation_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_tag_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "project",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("funder_id", sa.Integer(), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=True),
        sa.Column("end_on", sa.Date(), nullable=True),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["funder_id"], ["organisation.id"], name=op.f("fk_project_funder_id_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["staff_member.id"],
            name=op.f("fk_project_responsible_id_staff_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
    )
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_project_uid"), ["uid"], unique=True)

    op.create_table(
        "role",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_role_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_role_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
    )
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_end_date"), ["end_date"], unique=False)
        batch_op.create_index(
            "ix_role_org_title_end", ["organisation_id", "title", "end_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_role_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_role_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_uid"), ["uid"], unique=True)

    op.create_table(
        "contact_point",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("role_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(CASE WHEN person_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN role_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_contact_point_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_contact_point_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_contact_point_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_contact_point_role_id_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_point")),
    )
    with op.batch_alter_table("contact_point", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_point_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contact_point_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_point_role_id"), ["role_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_point_uid"), ["uid"], unique=True)

    op.create_table(
        "event",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_event_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_event_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_event_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_uid"), ["uid"], unique=True)

    op.create_table(
        "interaction",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["logged_by_id"],
            ["staff_member.id"],
            name=op.f("fk_interaction_logged_by_id_staff_member"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_interaction_municipality_id_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name=op.f("fk_interaction_project_id_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction")),
    )
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interaction_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_interaction_logged_by_id"), ["logged_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interaction_municipality_id"), ["municipality_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interaction_occurred_at"), ["occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interaction_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_interaction_uid"), ["uid"], unique=True)

    op.create_table(
        "event_attendee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_attendee_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_event_attendee_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_attendee")),
        sa.UniqueConstraint("event_id", "person_id", name=op.f("uq_event_attendee_event_id")),
    )
    with op.batch_alter_table("event_attendee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_attendee_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_event_attendee_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "event_organiser",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_organiser_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_event_organiser_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("event_id", "organisation_id", name=op.f("pk_event_organiser")),
    )
    with op.batch_alter_table("event_organiser", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_organiser_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "follow_up",
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff_member.id"], name=op.f("fk_follow_up_assignee_id_staff_member")
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interaction.id"],
            name=op.f("fk_follow_up_interaction_id_interaction"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_follow_up_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_follow_up_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_done_at"), ["done_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_due_on"), ["due_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_follow_up_interaction_id"), ["interaction_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_follow_up_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_follow_up_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_uid"), ["uid"], unique=True)

    op.create_table(
        "interaction_organisation",
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interaction.id"],
            name=op.f("fk_interaction_organisation_interaction_id_interaction"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_interaction_organisation_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint(
            "interaction_id", "organisation_id", name=op.f("pk_interaction_organisation")
        ),
    )
    with op.batch_alter_table("interaction_organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interaction_organisation_organisation_id"),
            ["organisation_id"],
            unique=False,
        )

    op.create_table(
        "interaction_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("role_id", sa.Integer(), nullable=True),
        sa.Column("role_title", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interaction.id"],
            name=op.f("fk_interaction_participant_interaction_id_interaction"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_interaction_participant_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_interaction_participant_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_interaction_participant_role_id_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_participant")),
    )
    with op.batch_alter_table("interaction_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interaction_participant_interaction_id"),
            ["interaction_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_interaction_participant_person_id"), ["person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("interaction_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_participant_person_id"))
        batch_op.drop_index(batch_op.f("ix_interaction_participant_interaction_id"))

    op.drop_table("interaction_participant")
    with op.batch_alter_table("interaction_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_organisation_organisation_id"))

    op.drop_table("interaction_organisation")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_uid"))
        batch_op.drop_index(batch_op.f("ix_follow_up_person_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_interaction_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_due_on"))
        batch_op.drop_index(batch_op.f("ix_follow_up_done_at"))
        batch_op.drop_index(batch_op.f("ix_follow_up_assignee_id"))

    op.drop_table("follow_up")
    with op.batch_alter_table("event_organiser", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_organiser_organisation_id"))

    op.drop_table("event_organiser")
    with op.batch_alter_table("event_attendee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_attendee_person_id"))
        batch_op.drop_index(batch_op.f("ix_event_attendee_event_id"))

    op.drop_table("event_attendee")
    with op.batch_alter_table("interaction", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interaction_uid"))
        batch_op.drop_index(batch_op.f("ix_interaction_project_id"))
        batch_op.drop_index(batch_op.f("ix_interaction_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_interaction_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_interaction_logged_by_id"))
        batch_op.drop_index(batch_op.f("ix_interaction_kind"))

    op.drop_table("interaction")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_uid"))
        batch_op.drop_index(batch_op.f("ix_event_starts_at"))
        batch_op.drop_index(batch_op.f("ix_event_project_id"))
        batch_op.drop_index(batch_op.f("ix_event_municipality_id"))

    op.drop_table("event")
    with op.batch_alter_table("contact_point", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_point_uid"))
        batch_op.drop_index(batch_op.f("ix_contact_point_role_id"))
        batch_op.drop_index(batch_op.f("ix_contact_point_person_id"))
        batch_op.drop_index(batch_op.f("ix_contact_point_organisation_id"))

    op.drop_table("contact_point")
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_uid"))
        batch_op.drop_index(batch_op.f("ix_role_person_id"))
        batch_op.drop_index(batch_op.f("ix_role_organisation_id"))
        batch_op.drop_index("ix_role_org_title_end")
        batch_op.drop_index(batch_op.f("ix_role_end_date"))

    op.drop_table("role")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_uid"))

    op.drop_table("project")
    with op.batch_alter_table("organisation_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_tag_tag_id"))

    op.drop_table("organisation_tag")
    with op.batch_alter_table("person_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_tag_tag_id"))

    op.drop_table("person_tag")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_uid"))
        batch_op.drop_index(batch_op.f("ix_organisation_sort_key"))
        batch_op.drop_index(batch_op.f("ix_organisation_parent_id"))
        batch_op.drop_index(batch_op.f("ix_organisation_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_organisation_kind"))
        batch_op.drop_index(batch_op.f("ix_organisation_archived_at"))

    op.drop_table("organisation")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_record_uid"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tag_uid"))

    op.drop_table("tag")
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_member_uid"))

    op.drop_table("staff_member")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_uid"))
        batch_op.drop_index(batch_op.f("ix_person_sort_key"))
        batch_op.drop_index(batch_op.f("ix_person_archived_at"))

    op.drop_table("person")
    with op.batch_alter_table("municipality", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_municipality_uid"))
        batch_op.drop_index(batch_op.f("ix_municipality_sort_key"))
        batch_op.drop_index(batch_op.f("ix_municipality_parent_id"))

    op.drop_table("municipality")
    with op.batch_alter_table("distribution_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_distribution_list_uid"))

    op.drop_table("distribution_list")
