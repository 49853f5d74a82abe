"""lemur_requests: LeMUR answers, kept so that GET /lemur/v3/{request_id} can return them and
DELETE can purge them; owned by a project

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lemur_requests",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("project_id", sa.String(32), sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("endpoint", sa.String(32), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("response", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_lemur_requests_project_id", "lemur_requests", ["project_id"])


def downgrade() -> None:
    op.drop_index("ix_lemur_requests_project_id", "lemur_requests")
    op.drop_table("lemur_requests")
