"""row-level security on PostgreSQL: a second wall between practices

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 16:20:00

The application's own scoping (every query names its practice) is the first wall; on
PostgreSQL the database enforces a second: the workbench's requests and jobs run as the role
otbill_app, which sees only the rows of the practices named in the transaction's setting
otbill.practices (no setting: no rows), and may not change or delete the audit log. The owner
(migrations, the command line) is not subject to it. SQLite has no row-level security: there
the application's scoping stands alone.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ROLE = "otbill_app"
# Tables with the practice's id, and the one key to the practice itself.
DIRECT = (
    "authorization", "batch", "claim", "claim_edit", "contract_rate", "coverage", "job",
    "patient", "patient_payment", "payer", "payer_edit", "plan_of_care", "provider",
    "remittance", "unmatched", "visit", "work_item", "appeal",
)  # fmt: skip
# Tables without it, seen through the row they belong to (itself behind the wall).
CHILDREN = {
    "claim_line": ("claim", "claim_id"),
    "claim_event": ("claim", "claim_id"),
    "posting": ("claim", "claim_id"),
    "adjustment": ("claim", "claim_id"),
    "work_item_event": ("work_item", "item_id"),
}
PRACTICES = "otbill_practices()"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
                CREATE ROLE {ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        END $$;
        CREATE OR REPLACE FUNCTION otbill_practices() RETURNS integer[] LANGUAGE sql STABLE AS
            $f$ SELECT string_to_array(nullif(current_setting('otbill.practices', true), ''),
                                       ',')::integer[] $f$;
        GRANT USAGE ON SCHEMA public TO {ROLE};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE};
        REVOKE UPDATE, DELETE ON audit_event FROM {ROLE};
        GRANT EXECUTE ON FUNCTION otbill_practices() TO {ROLE};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public
            GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {ROLE};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {ROLE};
        """
    )
    # The migrating user must be able to become the role (SET LOCAL ROLE in each request).
    op.execute(
        f"""
        DO $$ BEGIN
            IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                EXECUTE format('GRANT {ROLE} TO %I', current_user);
            END IF;
        END $$;
        """
    )
    op.execute(
        "ALTER TABLE practice ENABLE ROW LEVEL SECURITY; "
        f"CREATE POLICY tenant ON practice TO {ROLE} "
        f"USING (id = ANY ({PRACTICES})) WITH CHECK (id = ANY ({PRACTICES}))"
    )
    for table in DIRECT:
        op.execute(
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY; '
            f'CREATE POLICY tenant ON "{table}" TO {ROLE} '
            f"USING (practice_id = ANY ({PRACTICES})) "
            f"WITH CHECK (practice_id = ANY ({PRACTICES}))"
        )
    for table, (parent, key) in CHILDREN.items():
        seen = f'EXISTS (SELECT 1 FROM "{parent}" p WHERE p.id = "{table}".{key})'
        op.execute(
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY; '
            f'CREATE POLICY tenant ON "{table}" TO {ROLE} USING ({seen}) WITH CHECK ({seen})'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("practice", *DIRECT, *CHILDREN):
        op.execute(f'DROP POLICY IF EXISTS tenant ON "{table}"')
        op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')
    op.execute("DROP FUNCTION IF EXISTS otbill_practices()")
