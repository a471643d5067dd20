FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
RUN useradd --system --create-home openclear
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings to load, but no real database or secret: these values live only in this step.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret-0123456789abcdef OPENCLEAR_SANDBOX_WEBHOOK_SECRET=build-only-0123456789abcdef0123 \
    OPENCLEAR_ALLOW_SANDBOX_PAYMENTS=true DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput && mkdir -p /app/var/media/private && chown -R openclear /app/var
USER openclear
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4"]
