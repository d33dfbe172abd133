# triage worker/CLI image. Build: docker build -t triage:local .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TRIAGE_VAR_DIR=/var/lib/triage TRIAGE_LOG_FORMAT=json

RUN useradd --create-home --uid 10001 triage && mkdir -p /var/lib/triage && chown triage /var/lib/triage
WORKDIR /app

# Dependencies first for layer caching; the project itself second.
COPY pyproject.toml README.md alembic.ini ./
COPY triage ./triage
COPY migrations ./migrations
COPY config ./config
RUN pip install -e '.[flower]'

USER triage
CMD ["triage", "worker"]
