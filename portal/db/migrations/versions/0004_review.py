"""Review by account: the versions approved or returned (their text, to compare a later one
with), and the audit log of every approval and return.

Revision ID: 0004
Revises: 0003
Created: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Migrations name the stored type, never the model's, so they stay as they ran.
MOMENT = sa.DateTime()
SLUG = sa.String(length=200)
DIGEST = sa.String(length=80)


def upgrade() -> None:
    op.create_table(
        "reviewed_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", SLUG, nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("recorded_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewed_versions")),
        sa.UniqueConstraint("slug", "digest", name=op.f("uq_reviewed_versions_slug")),
    )
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("slug", SLUG, nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("voided_earlier", sa.Boolean(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "action IN ('approve', 'return')", name=op.f("ck_review_actions_known_action")
        ),
        sa.CheckConstraint(
            "stage IN ('初审', '复审', '终审', '保密审查')",
            name=op.f("ck_review_actions_known_stage"),
        ),
        sa.CheckConstraint(
            "action = 'approve' OR comment IS NOT NULL",
            name=op.f("ck_review_actions_return_says_why"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_review_actions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["reviewed_versions.id"],
            name=op.f("fk_review_actions_version_id_reviewed_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_actions")),
    )
    op.create_index(op.f("ix_review_actions_account_id"), "review_actions", ["account_id"])
    op.create_index("ix_review_actions_slug_id", "review_actions", ["slug", "id"])


def downgrade() -> None:
    op.drop_table("review_actions")
    op.drop_table("reviewed_versions")
