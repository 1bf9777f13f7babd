"""``manage.py grant_app_role ROLE``: let the application's PostgreSQL role read and write
Ephedra's tables, and append to the audit log but never change, empty or remove it.

Run it as the owner of the tables (the role that runs ``migrate``), after each ``migrate``
(new tables need their grants). The application then connects as ROLE (DATABASE_URL), a
role that owns nothing: PostgreSQL lets only a table's owner ALTER or DROP it, and ROLE is
given no TRUNCATE, UPDATE or DELETE on the audit table (the append-only trigger refuses the
last two anyway). README, "Database roles", shows the whole setup.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql

from governance.models import AuditEvent

APPEND_ONLY_REVOKED = "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"


class Command(BaseCommand):
    help = "Grant the application's PostgreSQL role what it needs, and no more on the audit log."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the application connects as")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are a PostgreSQL setting; this is not PostgreSQL.")
        audit_table = AuditEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no role {role!r}: create it first (README).")
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
                [role],
            )
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"{role!r} owns tables: the application's role must own nothing, or it "
                    "could alter or drop the audit log. Run migrate as another role."
                )
            name = sql.Identifier(role)
            for statement in (
                "GRANT USAGE ON SCHEMA public TO {role}",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
                f"REVOKE {APPEND_ONLY_REVOKED} ON {{table}} FROM {{role}}",
                "REVOKE CREATE ON SCHEMA public FROM {role}",
            ):
                cursor.execute(
                    sql.SQL(statement).format(role=name, table=sql.Identifier(audit_table))
                )
        self.stdout.write(
            f"{role} may read and write Ephedra's tables; on {audit_table}, read and append only."
        )
