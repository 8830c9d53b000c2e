"""The applications desk: what an applicant is asked to correct, the pause while a third party
is consulted (第三十二条), the reply's text, author and attachments, and every view of a case.

Revision ID: 0003
Revises: 0002
Created: 2026-12-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Migrations name the stored type, never the model's, so they stay as they ran.
MOMENT = sa.DateTime()


def upgrade() -> None:
    # Batch mode: SQLite adds a column with a foreign key only by rebuilding the table.
    with op.batch_alter_table("applications") as table:
        table.add_column(sa.Column("correction_note", sa.Text(), nullable=True))
        table.add_column(sa.Column("consultation_started", sa.Date(), nullable=True))
        table.add_column(sa.Column("consultation_ended", sa.Date(), nullable=True))
        table.add_column(sa.Column("paused_days", sa.Integer(), server_default="0", nullable=False))
        table.add_column(sa.Column("reply_text", sa.Text(), nullable=True))
        table.add_column(sa.Column("replied_by", sa.Integer(), nullable=True))
        table.create_foreign_key(
            op.f("fk_applications_replied_by_accounts"), "accounts", ["replied_by"], ["id"]
        )
    op.create_table(
        "reply_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", MOMENT, nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"],
            ["applications.code"],
            name=op.f("fk_reply_attachments_code_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by"], ["accounts.id"], name=op.f("fk_reply_attachments_added_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_attachments")),
    )
    op.create_index(op.f("ix_reply_attachments_code"), "reply_attachments", ["code"])
    op.create_table(
        "case_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["code"],
            ["applications.code"],
            name=op.f("fk_case_views_code_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_case_views_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_views")),
    )
    op.create_index(op.f("ix_case_views_code"), "case_views", ["code"])


def downgrade() -> None:
    op.drop_table("case_views")
    op.drop_table("reply_attachments")
    with op.batch_alter_table("applications") as table:
        table.drop_constraint(op.f("fk_applications_replied_by_accounts"), type_="foreignkey")
        for column in (
            "replied_by",
            "reply_text",
            "paused_days",
            "consultation_ended",
            "consultation_started",
            "correction_note",
        ):
            table.drop_column(column)
