# syntax=docker/dockerfile:1
#
# Ephedra: one image for the web server (gunicorn), the Celery worker, Celery beat
# and the one-shot `migrate` job (see docker-compose.yml). Every setting comes from
# the environment at run time (ephedra/settings.py); secrets arrive as *_FILE paths.
#
#   docker build -t ephedra .

# Front-end assets (GOV.UK/MOJ Frontend, htmx, Leaflet) from npm, compiled once.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY assets ./assets
RUN npm run --silent build

FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# System libraries WeasyPrint (PDF reports) loads at run time: Pango for text layout,
# HarfBuzz subsetting for embedded fonts, and a font so PDFs never fall back to nothing.
# Not version-pinned on purpose: bookworm's security updates should land on rebuild.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user with a fixed UID/GID, so volume and secret-file ownership can be
# arranged on the host (see secrets/README.md). The code itself stays owned by root.
RUN groupadd --system --gid 10001 ephedra \
    && useradd --system --uid 10001 --gid ephedra --home-dir /home/ephedra \
        --create-home --shell /usr/sbin/nologin ephedra

WORKDIR /app

# Dependencies first, from the runtime lock alone (requirements/run.lock: exact versions,
# every file's hash checked), so this layer is reused until the lock changes.
COPY requirements/run.lock ./requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/run.lock

# The project (what .dockerignore lets through), then the app itself: no dependencies,
# the lock already installed them.
COPY . .
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build ./*.egg-info

# Run from the source tree in /app: settings find templates/ and static/ relative to
# the ephedra package (BASE_DIR), and those live at the repository root, not in the wheel.
ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=ephedra.settings \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    WEB_CONCURRENCY=3

# Static files are baked into the image by the one production build (the same script CI
# runs before starting gunicorn): collectstatic with the manifest storage. The dummy key
# and host only let settings load for this step: they are set for this RUN alone, never
# stored in the image's environment, and nothing is signed with them.
COPY --from=assets /app/static/build ./static/build
RUN SECRET_KEY=build-only-dummy-key-not-used-at-run-time \
    ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=sqlite:////tmp/build-unused.sqlite3 \
    MIGRATE=false PYTHON=python \
    scripts/build-production \
    && rm -f /tmp/build-unused.sqlite3

# Uploaded files live on a volume; create the mount point owned by the app user so a
# fresh named volume inherits that ownership.
RUN mkdir -p /data/media && chown ephedra:ephedra /data/media

# Numeric, so runtimes can verify it is not root (e.g. Kubernetes runAsNonRoot).
USER 10001:10001

EXPOSE 8000

# gunicorn reads its worker count from WEB_CONCURRENCY (3 above; override per host,
# about 2 x cores + 1). --no-control-socket: gunicorn 27 otherwise opens a per-user
# control socket. The heartbeat file goes to /dev/shm (tmpfs) so a slow overlay disk
# cannot get workers killed. Slow work (PDF reports) belongs in Celery, so 60 s is
# ample for a request. No access log: URLs and query strings can carry identifying
# details, and personal data must never reach a log line (see settings.LOGGING).
CMD ["gunicorn", "ephedra.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--no-control-socket", \
     "--worker-tmp-dir", "/dev/shm", \
     "--timeout", "60", \
     "--graceful-timeout", "30", \
     "--keep-alive", "5", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100"]
