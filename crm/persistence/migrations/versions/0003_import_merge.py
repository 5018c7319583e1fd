"""import batches and merged uids

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("source_name", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("created_count", sa.Integer(), nullable=False),
        sa.Column("updated_count", sa.Integer(), nullable=False),
        sa.Column("skipped_count", sa.Integer(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_member.id"],
                                name=op.f("fk_import_batch_staff_id_staff_member")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
        sa.UniqueConstraint("uid", name=op.f("uq_import_batch_uid")),
    )
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batch_created_at"), ["created_at"],
                              unique=False)
    op.create_table(
        "imported_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("record_uid", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batch.id"], ondelete="CASCADE",
                                name=op.f("fk_imported_record_batch_id_import_batch")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_record")),
    )
    with op.batch_alter_table("imported_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imported_record_batch_id"), ["batch_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_imported_record_record_uid"), ["record_uid"],
                              unique=False)
    op.create_table(
        "merged_uid",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=36), nullable=False),
        sa.Column("kept_uid", sa.String(length=36), nullable=False),
        sa.Column("record_type", sa.String(length=40), nullable=False),
        sa.Column("merge_uid", sa.String(length=36), nullable=False),
        sa.Column("merged_at", sa.DateTime(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merged_uid")),
        sa.UniqueConstraint("uid", name=op.f("uq_merged_uid_uid")),
        sa.UniqueConstraint("merge_uid", name=op.f("uq_merged_uid_merge_uid")),
    )
    with op.batch_alter_table("merged_uid", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_merged_uid_kept_uid"), ["kept_uid"], unique=False)


def downgrade() -> None:
    op.drop_table("merged_uid")
    op.drop_table("imported_record")
    op.drop_table("import_batch")
