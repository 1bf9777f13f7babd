"""docker-compose.yml is valid offline and describes the stack the app needs (no database)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat", "migrate")
SECRET_FILES = (
    "django_secret_key.txt",
    "database_url.txt",
    "app_database_url.txt",
    "app_db_password.txt",
    "email_url.txt",
    "postgres_password.txt",
)


def _check_jsonschema() -> str | None:
    """check-jsonschema from this venv's bin/ (a dev dependency), else from PATH."""
    beside_python = Path(sys.executable).parent / "check-jsonschema"
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("check-jsonschema")


def _load_yaml(path: Path) -> dict:
    try:
        import yaml
    except ImportError:
        try:
            from ruamel.yaml import YAML
        except ImportError:
            pytest.skip("neither PyYAML nor ruamel.yaml is installed")
        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict:
    return _load_yaml(COMPOSE_FILE)


def test_compose_file_matches_the_compose_spec():
    checker = _check_jsonschema()
    if checker is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[dev]')")
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [checker, "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_defines_the_stack(compose):
    assert "version" not in compose  # the compose spec has no version key
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)


def test_app_services_share_one_image_and_build(compose):
    services = compose["services"]
    images = {services[name].get("image") for name in APP_SERVICES}
    builds = {repr(services[name].get("build")) for name in APP_SERVICES}
    assert len(images) == 1, images
    assert len(builds) == 1, builds
    assert services["web"].get("build") is not None


def test_app_services_run_the_right_commands(compose):
    services = compose["services"]
    assert "command" not in services["web"]  # the image's gunicorn CMD
    migrate = services["migrate"]["command"]
    assert migrate[:2] == ["sh", "-c"]
    assert migrate[2] == (
        "python manage.py migrate --noinput && python manage.py grant_app_role ephedra_app"
    )
    assert services["worker"]["command"][:4] == ["celery", "-A", "ephedra", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "ephedra", "beat"]


def test_startup_order_waits_for_health_and_migrations(compose):
    services = compose["services"]
    for name in ("web", "worker"):
        depends_on = services[name]["depends_on"]
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert depends_on["db"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "healthcheck" in services["redis"]


def test_secrets_come_from_files_not_the_environment(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert "SECRET_KEY" not in environment
        assert "DATABASE_URL" not in environment
        assert environment["SECRET_KEY_FILE"] == "/run/secrets/django_secret_key"
        assert environment["EMAIL_URL_FILE"] == "/run/secrets/email_url"
        # Only the migrate job connects as the owner; the rest as the application's role,
        # which may only append to the audit log (governance grant_app_role).
        database = "database_url" if name == "migrate" else "app_database_url"
        assert environment["DATABASE_URL_FILE"] == f"/run/secrets/{database}"
        assert set(services[name]["secrets"]) == {"django_secret_key", database, "email_url"}
    assert services["db"]["environment"]["POSTGRES_PASSWORD_FILE"] == (
        "/run/secrets/postgres_password"
    )
    assert services["db"]["environment"]["APP_DB_PASSWORD_FILE"] == ("/run/secrets/app_db_password")
    init = "./scripts/db-create-app-role.sh:/docker-entrypoint-initdb.d/10-app-role.sh:ro"
    assert init in services["db"]["volumes"]
    assert (ROOT / "scripts" / "db-create-app-role.sh").stat().st_mode & 0o111  # executable
    files = {secret["file"] for secret in compose["secrets"].values()}
    assert files == {f"./secrets/{name}" for name in SECRET_FILES}


def test_web_and_worker_share_the_media_volume(compose):
    services = compose["services"]
    for name in ("web", "worker"):
        assert "media:/data/media" in services[name]["volumes"]
        assert services[name]["environment"]["MEDIA_ROOT"] == "/data/media"
    assert "media" in compose["volumes"]


def test_dockerfile_serves_with_gunicorn_without_control_socket():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.13-slim-bookworm" in dockerfile
    assert '"ephedra.wsgi:application"' in dockerfile
    assert '"--no-control-socket"' in dockerfile
    # The image runs the same production build as CI's smoke test (scripts/production-smoke).
    assert "scripts/build-production" in dockerfile
    build = (ROOT / "scripts" / "build-production").read_text(encoding="utf-8")
    assert "STATIC_MANIFEST=true" in build
    assert "collectstatic --noinput" in build
    assert "npm run --silent build" in dockerfile
    # Exactly the runtime lock, hashes checked; the app itself without resolving again.
    assert "pip install --no-cache-dir --require-hashes -r requirements/run.lock" in dockerfile
    assert "pip install --no-cache-dir --no-deps ." in dockerfile
    assert "\nUSER " in dockerfile


def _docker_compose() -> list[str] | None:
    standalone = shutil.which("docker-compose")
    if standalone:
        return [standalone]
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(  # noqa: S603 - fixed argv, no shell
            [docker, "compose", "version"], capture_output=True, check=False, timeout=30
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    return None


def test_docker_compose_config_accepts_the_file(tmp_path):
    """Where a compose CLI is installed: it resolves the file offline, with no env set."""
    command = _docker_compose()
    if command is None:
        pytest.skip("no docker-compose or `docker compose` on PATH")
    # A copy beside dummy secret files, so real secrets are never needed or touched.
    shutil.copy(COMPOSE_FILE, tmp_path / "docker-compose.yml")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")
    (tmp_path / "secrets").mkdir()
    for name in SECRET_FILES:
        (tmp_path / "secrets" / name).write_text("dummy-for-tests\n", encoding="utf-8")
    environment = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [*command, "-f", "docker-compose.yml", "config", "-q"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_backup_service_dumps_the_app_database_nightly_into_a_volume(compose):
    backup = compose["services"]["backup"]
    # The postgres image's own pg_dump: the same major version as the database server.
    assert backup["image"] == compose["services"]["db"]["image"]
    assert backup["entrypoint"] == ["/bin/sh", "/usr/local/bin/backup-db"]
    assert "./scripts/backup-db:/usr/local/bin/backup-db:ro" in backup["volumes"]
    assert "backups:/backups" in backup["volumes"]
    assert "backups" in compose["volumes"]
    environment = backup["environment"]
    assert environment["PGHOST"] == "db"
    assert environment["PGDATABASE"] == compose["services"]["db"]["environment"]["POSTGRES_DB"]
    assert environment["PGUSER"] == compose["services"]["db"]["environment"]["POSTGRES_USER"]
    assert environment["BACKUP_DIR"] == "/backups"
    assert environment["BACKUP_KEEP_DAYS"] == "${BACKUP_KEEP_DAYS:-14}"  # configurable
    # The password from the secret file, never the environment or this file.
    assert "PGPASSWORD" not in environment
    assert environment["PGPASSWORD_FILE"] == "/run/secrets/postgres_password"
    assert backup["secrets"] == ["postgres_password"]
    assert backup["depends_on"]["db"]["condition"] == "service_healthy"
    assert backup["restart"] == "unless-stopped"
    script = (ROOT / "scripts" / "backup-db").read_text(encoding="utf-8")
    assert "pg_dump --format=custom" in script
