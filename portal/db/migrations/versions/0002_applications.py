"""Online applications and the attempts their rate limits count (until now in their own SQLite
file, APPLICATIONS_DB; `portal applications import-sqlite` brings such a file in).

Revision ID: 0002
Revises: 0001
Created: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Migrations name the stored type, never the model's, so they stay as they ran.
MOMENT = sa.DateTime()
KEY = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("received", sa.Date(), nullable=False),
        sa.Column("organisation", KEY, nullable=False),
        sa.Column("applicant_kind", KEY, nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("id_type", KEY, nullable=True),
        sa.Column("id_number", KEY, nullable=True),
        sa.Column("phone", KEY, nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("doc_number", sa.Text(), nullable=True),
        sa.Column("index_number", sa.Text(), nullable=True),
        sa.Column("form", KEY, nullable=False),
        sa.Column("delivery", KEY, nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("calendar_known", sa.Boolean(), nullable=False),
        sa.Column("correction_requested", sa.Date(), nullable=True),
        sa.Column("corrected", sa.Date(), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("outcome", KEY, nullable=True),
        sa.Column("replied", sa.Date(), nullable=True),
        sa.Column("purged", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "(outcome IS NULL) = (replied IS NULL)",
            name=op.f("ck_applications_answered_with_date"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_applications")),
    )
    op.create_index(op.f("ix_applications_received"), "applications", ["received"])
    op.create_index(op.f("ix_applications_organisation"), "applications", ["organisation"])
    op.create_table(
        "rate_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_attempts")),
    )
    op.create_index("ix_rate_attempts_scope_client_at", "rate_attempts", ["scope", "client", "at"])


def downgrade() -> None:
    op.drop_table("rate_attempts")
    op.drop_table("applications")
