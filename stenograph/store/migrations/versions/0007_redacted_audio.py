"""Redacted audio: its state and file on the transcript, its webhook outbox, the transcript's
origin URL, and server_secrets with the key that signs redacted-audio URLs

The signing key is made here, once, by whichever process of a fleet migrates first (migrations are
serialised), so every server and worker sharing the database signs and checks with the same key.

Revision ID: 0007
Revises: 0006
"""

import datetime as dt
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
URL_SIGNING_KEY = "redacted_audio_url_signing"


def upgrade() -> None:
    with op.batch_alter_table("transcripts") as batch:
        batch.add_column(sa.Column("origin_url", sa.Text, nullable=True))
        batch.add_column(sa.Column("redacted_audio_status", sa.String(16), nullable=True))
        batch.add_column(sa.Column("redacted_audio_file", sa.String(64), nullable=True))
        batch.add_column(sa.Column("redacted_audio_webhook_due_at", TZ, nullable=True))
        batch.add_column(
            sa.Column("redacted_audio_webhook_attempts", sa.Integer, nullable=False, server_default="0")
        )
        batch.create_index("ix_transcripts_redacted_audio_webhook_due_at", ["redacted_audio_webhook_due_at"])
    table = op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    now = dt.datetime.now(dt.UTC)
    created = now.replace(tzinfo=None) if op.get_context().dialect.name == "sqlite" else now
    op.bulk_insert(
        table, [{"name": URL_SIGNING_KEY, "value": secrets.token_urlsafe(32), "created_at": created}]
    )


def downgrade() -> None:
    op.drop_table("server_secrets")
    with op.batch_alter_table("transcripts") as batch:
        batch.drop_index("ix_transcripts_redacted_audio_webhook_due_at")
        batch.drop_column("redacted_audio_webhook_attempts")
        batch.drop_column("redacted_audio_webhook_due_at")
        batch.drop_column("redacted_audio_file")
        batch.drop_column("redacted_audio_status")
        batch.drop_column("origin_url")
