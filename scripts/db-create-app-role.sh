#!/bin/sh
# Run by the postgres image on its first start (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d/): the role the application connects as. It owns nothing;
# the migrate job (as the owner) grants it its rights with `manage.py grant_app_role`.
# On a database made before this existed, run the same by hand (README, "Database roles").
set -eu
password=$(cat "${APP_DB_PASSWORD_FILE:?}")
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$password" <<'SQL'
CREATE ROLE ephedra_app LOGIN PASSWORD :'password';
SQL
