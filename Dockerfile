# The production image: gunicorn serves the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends gettext make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .
RUN python manage.py compilemessages -v0 --ignore '.venv' \
    && SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
       DJANGO_SETTINGS_MODULE=config.settings_production python manage.py collectstatic --no-input -v0
RUN useradd --create-home app && mkdir -p /data && chown app /data
USER app
EXPOSE 8000
# Workers, threads, timeouts and the database pool per worker: config/gunicorn.conf.py (environment).
CMD ["gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"]
