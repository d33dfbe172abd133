"""`celery -A triage.celery worker` entry point: the app built from settings."""

from triage.worker import create_app

app = create_app()
