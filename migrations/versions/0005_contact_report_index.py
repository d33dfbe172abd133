"""ticket_contacts: index (contact_id, ticket_id) for bounded "latest reports of a contact" look-ups

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

"""
from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_contacts", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_contacts_contact_ticket", ["contact_id", "ticket_id"], unique=False)
        batch_op.drop_index("ix_ticket_contacts_contact")


def downgrade() -> None:
    with op.batch_alter_table("ticket_contacts", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_contacts_contact", ["contact_id"], unique=False)
        batch_op.drop_index("ix_ticket_contacts_contact_ticket")
