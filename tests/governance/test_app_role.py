"""The application connects to PostgreSQL as a role that can append to the audit log but
cannot empty, alter, drop or rewrite it (DPA 2018 s.62 logs kept whole); migrations run as
the owner. PostgreSQL only: SQLite has no roles."""

import secrets

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="roles are PostgreSQL's"),
]


@pytest.fixture
def app_role():
    role = f"ephedra_test_app_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


def connect_as(role: str) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=role,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        autocommit=True,
    )


def refused(db: psycopg.Connection, statement: str) -> bool:
    try:
        db.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_the_app_role_appends_to_the_audit_log_and_nothing_more(app_role):
    call_command("grant_app_role", app_role)

    with connect_as(app_role) as db:
        db.execute(
            "INSERT INTO governance_auditevent (at, actor_username, action, object_type, "
            "object_id, changes, detail) VALUES (now(), '', 'test.appended', '', '', '{}', '')"
        )
        assert db.execute("SELECT count(*) FROM governance_auditevent").fetchone()[0] >= 1
        assert db.execute("SELECT count(*) FROM referrals_person").fetchone()[0] >= 0
        assert refused(db, "TRUNCATE governance_auditevent")
        assert refused(db, "ALTER TABLE governance_auditevent ADD COLUMN forged text")
        assert refused(db, "ALTER TABLE governance_auditevent DISABLE TRIGGER ALL")
        assert refused(db, "DROP TABLE governance_auditevent")
        assert refused(db, "UPDATE governance_auditevent SET detail = 'forged'")
        assert refused(db, "DELETE FROM governance_auditevent")
        assert refused(db, "CREATE TABLE smuggled (id int)")
        # Ordinary tables: read and write (DELETE is refused only on the audit log).
        db.execute("DELETE FROM django_session WHERE expire_date < now() - interval '100 years'")


def test_a_role_that_owns_tables_is_refused(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            f'CREATE TABLE owned_by_app (id int); ALTER TABLE owned_by_app OWNER TO "{app_role}"'
        )
    try:
        with pytest.raises(CommandError, match="owns tables"):
            call_command("grant_app_role", app_role)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE owned_by_app")


def test_an_unknown_role_is_refused():
    with pytest.raises(CommandError, match="no role"):
        call_command("grant_app_role", "no_such_role_here")
