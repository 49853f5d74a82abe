"""transcripts.webhook_due_at, webhook_attempts: the webhook outbox

A finished transcript that owes a webhook gets ``webhook_due_at`` in the same statement that stores
its outcome; delivery clears it. The reaper re-queues deliveries left overdue by a process that
died, so a webhook survives a crash between storing the result and sending it.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcripts") as batch:
        batch.add_column(sa.Column("webhook_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("webhook_attempts", sa.Integer, nullable=False, server_default="0"))
        batch.create_index("ix_transcripts_webhook_due_at", ["webhook_due_at"])


def downgrade() -> None:
    with op.batch_alter_table("transcripts") as batch:
        batch.drop_index("ix_transcripts_webhook_due_at")
        batch.drop_column("webhook_attempts")
        batch.drop_column("webhook_due_at")
