"""transcripts.unredacted: the transcript before PII redaction (redact_pii_return_unredacted)

Kept in its own column, apart from ``result``, so that nothing that renders or exports the result can
carry it by mistake; it goes with the row when the transcript is deleted.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcripts") as batch:
        batch.add_column(sa.Column("unredacted", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transcripts") as batch:
        batch.drop_column("unredacted")
