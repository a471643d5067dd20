"""Settings shared by every environment; values come from config.env only."""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab
from kombu import Queue

from config.env import (
    BASE_DIR,
    VAR_DIR,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
    parse_database_url,
    redis_url_with_db,
    served_url,
    service_urls,
    validate_redis_url,
)

SECRET_KEY = env_secret("DJANGO_SECRET_KEY", required=False, default="openclear-development-key-not-for-production")
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "config",
    "core.admin_site.OpenClearAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "core",
    "clearance",
    "law",
    "payments",
    "risk",
    "postal",
    "simulation",
    "agencies",
    "officer",
    "performance",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # Money, numbers and scores formatted for the page's language (core/templatetags/openclear.py).
            "builtins": ["core.templatetags.openclear"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------
DATABASE_URL, REDIS_URL = service_urls()
REDIS_URL = validate_redis_url(REDIS_URL)
DATABASES = {"default": parse_database_url(DATABASE_URL).as_django()}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DJANGO_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Every foreign key to the item table is checked against a partitioned table.
# PostgreSQL runs each check with a cached plan and, left to choose, plans it
# afresh every time (~57 µs a row instead of ~6 µs: ingest 40 % slower). Only
# server-side prepared plans follow this setting (foreign key checks,
# PL/pgSQL); Django sends its own queries unprepared.
# JIT compilation pays off on long analytical scans, not on these short statements:
# an estimate inflated by a partitioned table's empty months made it compile a
# 10 ms lookup for ~90 ms.
DATABASES["default"]["OPTIONS"]["options"] = " ".join(
    filter(
        None, [DATABASES["default"]["OPTIONS"].get("options"), "-c plan_cache_mode=force_generic_plan", "-c jit=off"]
    )
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Broker and cache share one Redis server but not one logical database, so a
# cache flush can never drop queued work.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": redis_url_with_db(REDIS_URL, 1),
        "KEY_PREFIX": "openclear",
    }
}

# --- Celery: broker, queues, time limits, the beat schedule ----------------------
CELERY_BROKER_URL = validate_redis_url(
    env_str("CELERY_BROKER_URL") or redis_url_with_db(REDIS_URL, 0), variable="CELERY_BROKER_URL"
)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
# A task is acknowledged after it ran, so a worker killed mid-task hands its
# work to another; every task is idempotent, which makes that safe.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_WORKER_PREFETCH_MULTIPLIER", 4)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing to a broker that is down must fail fast (the work is in
# PostgreSQL and the sweeps enqueue it again), not hold a request for seconds.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Scoring has a queue of its own, and so do webhook deliveries: a backlog of
# e-mails, or a partner's slow server, never delays a decision. `make run` and
# docker-compose run the webhook queue in worker processes of their own. A
# worker started without -Q consumes every queue listed here (taking them in
# turn), as the tests' workers do.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("scoring"), Queue("celery"), Queue("webhooks"))
CELERY_TASK_ROUTES = {
    "risk.tasks.consignments_assess": {"queue": "scoring"},
    "postal.tasks.*": {"queue": "webhooks"},
}
SWEEP_SECONDS = env_int("OPENCLEAR_SWEEP_SECONDS", 15)
CELERY_BEAT_SCHEDULE: dict = {
    # Items left unscored (the broker lost their task) are enqueued again.
    "risk-sweep-stuck-items": {
        "task": "risk.tasks.consignments_sweep_stuck",
        "schedule": timedelta(seconds=SWEEP_SECONDS),
    },
    # An amended item an officer has in hand is scored for information; so is one whose task was lost.
    "risk-sweep-held-unscored": {
        "task": "risk.tasks.consignments_sweep_held_unscored",
        "schedule": timedelta(seconds=SWEEP_SECONDS),
    },
    "risk-reference-values": {"task": "risk.tasks.hs_reference_unit_values_refresh", "schedule": timedelta(minutes=10)},
    "risk-retrain": {"task": "simulation.tasks.model_retrain", "schedule": timedelta(days=7)},
    "risk-match-keys-purge": {"task": "risk.tasks.addressee_match_keys_purge", "schedule": timedelta(hours=1)},
    "postal-webhook-retries": {"task": "postal.tasks.webhook_deliveries_sweep", "schedule": timedelta(seconds=30)},
    "payments-return-unpaid": {"task": "payments.tasks.consignments_return_unpaid", "schedule": timedelta(hours=1)},
    # Returned goods whose refund task was lost are refunded all the same.
    "payments-returned-refunds": {"task": "payments.tasks.returned_refunds_sweep", "schedule": timedelta(hours=1)},
    "payments-reconcile-pending": {
        "task": "payments.tasks.payments_reconcile_pending",
        "schedule": timedelta(minutes=5),
    },
    "performance-trs-recent": {"task": "performance.tasks.trs_recent_refresh", "schedule": timedelta(minutes=5)},
    "performance-trs-window": {"task": "performance.tasks.trs_window_refresh", "schedule": crontab(hour=2, minute=30)},
    # Information requests: the one reminder before the deadline, then the outcome set when asking.
    "officer-information-deadlines": {
        "task": "officer.tasks.information_deadlines_apply",
        "schedule": timedelta(minutes=5),
    },
    "clearance-partitions-ahead": {
        "task": "clearance.tasks.consignment_partitions_ahead",
        "schedule": crontab(hour=1, minute=15),
    },
}

# --- Accounts, logins, sessions ------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
OPENCLEAR_LOGIN_ATTEMPTS_PER_MINUTE = env_int("OPENCLEAR_LOGIN_ATTEMPTS_PER_MINUTE", 5)
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 8 * 3600)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- I18n, time --------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (vendored, served by WhiteNoise; the platform works offline)
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- Logging, e-mail, security headers ----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
# "each": Celery logs every task (production, where logs are searched); "batch": a line per batch of tasks, as
# `make run`'s console shows them (config.console), every OPENCLEAR_TASK_LOG_SECONDS.
OPENCLEAR_TASK_LOG = env_str("OPENCLEAR_TASK_LOG", "each")
OPENCLEAR_TASK_LOG_SECONDS = env_int("OPENCLEAR_TASK_LOG_SECONDS", 10)
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "customs@openclear.invalid")
# Django's error page (DEBUG) masks passwords inside URLs too (DATABASE_URL, REDIS_URL).
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.debug.OpenClearExceptionReporterFilter"
# Set in production; empty means no Content-Security-Policy header.
OPENCLEAR_CONTENT_SECURITY_POLICY = ""
# /healthz answers anonymous callers from a report at most this old.
OPENCLEAR_HEALTH_CACHE_SECONDS = env_int("OPENCLEAR_HEALTH_CACHE_SECONDS", 5)
# Who issues receipts and signs e-mails: the customs administration running the platform.
OPENCLEAR_ADMINISTRATION_NAME = env_str("OPENCLEAR_ADMINISTRATION_NAME", "Customs administration (OpenClear)")
# The name in French, on French receipts and statements (empty: the name above; its default is translated).
OPENCLEAR_ADMINISTRATION_NAME_FR = env_str("OPENCLEAR_ADMINISTRATION_NAME_FR", "")
# The platform's address, for links in e-mails and receipts.
OPENCLEAR_PUBLIC_URL = env_str("OPENCLEAR_PUBLIC_URL", "http://127.0.0.1:8000")
# Where the operator simulator sends its traffic by default: the platform's address when it is set, else
# where `make run` serves (var/serving.json, whatever its PORT), else port 8000.
OPENCLEAR_SIMULATOR_URL = env_str("OPENCLEAR_PUBLIC_URL") or served_url() or "http://127.0.0.1:8000"

# --- Requests for information ------------------------------------------------------
# Days an officer may give to answer (the form suggests the first), the one reminder's lead time, and the
# largest document an answer may carry (PDF or image; checked by content, stored under media/private/).
OPENCLEAR_INFO_DEFAULT_DAYS = env_int("OPENCLEAR_INFO_DEFAULT_DAYS", 14)
OPENCLEAR_INFO_MAX_DAYS = env_int("OPENCLEAR_INFO_MAX_DAYS", 60)
OPENCLEAR_INFO_REMINDER_HOURS = env_int("OPENCLEAR_INFO_REMINDER_HOURS", 72)
OPENCLEAR_ANSWER_DOCUMENT_MAX_BYTES = env_int("OPENCLEAR_ANSWER_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# The addressee is written to in the language of the address's country; others get LANGUAGE_CODE.
OPENCLEAR_LANGUAGE_BY_COUNTRY = dict.fromkeys(
    env_list(
        "OPENCLEAR_FRENCH_COUNTRIES",
        ["FR", "BE", "LU", "MC", "CH", "SN", "CI", "CM", "MA", "TN", "DZ", "ML", "BF", "NE", "TG", "BJ", "GA", "CG"]
        + ["CD", "MG", "HT", "GN", "TD", "CF", "DJ", "KM", "RW", "BI", "GF", "GP", "MQ", "RE", "YT", "NC", "PF"],
    ),
    "fr",
)

# --- The postal operator API ---------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["postal.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["postal.permissions.IsPostalOperator"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["postal.parsers.StrictJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": ["postal.throttling.OperatorRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"operator": env_str("OPENCLEAR_API_RATE", "1200/min")},
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenClear postal operator API",
    "DESCRIPTION": (
        "Electronic pre-advice (ITMATT/CN23 item data) in, customs decisions (CUSRSP) out. "
        "Authenticate with `Authorization: Api-Key <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
}
# 1000 items a request (api.md), and the body size an operator may send.
OPENCLEAR_API_MAX_ITEMS = 1000
OPENCLEAR_API_MAX_EVENTS = 1000
OPENCLEAR_API_MAX_BODY_BYTES = env_int("OPENCLEAR_API_MAX_BODY_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = OPENCLEAR_API_MAX_BODY_BYTES
OPENCLEAR_WEBHOOK_MAX_ATTEMPTS = env_int("OPENCLEAR_WEBHOOK_MAX_ATTEMPTS", 12)
# A delivery's whole exchange (connect, send, the answer's headers and body) must end within this.
OPENCLEAR_WEBHOOK_DEADLINE_SECONDS = env_int("OPENCLEAR_WEBHOOK_DEADLINE_SECONDS", 5)
# Webhooks never reach loopback, private, link-local or multicast addresses, unless this allows
# private ranges (a development machine's own receiver; the tests' receivers on loopback).
OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("OPENCLEAR_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
OPENCLEAR_WEBHOOK_RETRY_BASE_SECONDS = env_int("OPENCLEAR_WEBHOOK_RETRY_BASE_SECONDS", 10)

# --- Risk ---------------------------------------------------------------------
OPENCLEAR_RISK_CHUNK_SIZE = env_int("OPENCLEAR_RISK_CHUNK_SIZE", 500)
# Items still PRE_ADVISED this long after their last change are re-enqueued by
# the sweep: the broker may have lost them (Redis is only a broker).
OPENCLEAR_STUCK_AFTER = timedelta(seconds=env_int("OPENCLEAR_STUCK_AFTER_SECONDS", 300))
# … and this long when the scoring queue is empty: then nothing waits for a worker, and an
# unscored item was lost with one (killed mid-chunk). With the sweep every 15 s, a lost chunk
# is scored again within a minute.
OPENCLEAR_STUCK_IDLE_AFTER = timedelta(seconds=env_int("OPENCLEAR_STUCK_IDLE_AFTER_SECONDS", 30))
OPENCLEAR_RISK_RED_THRESHOLD = 0.7
OPENCLEAR_RISK_YELLOW_THRESHOLD = 0.3
# Selectivity: the share of items each lane should receive; thresholds follow
# recent scores, but never below the floors (OPENCLEAR_RISK_*_THRESHOLD).
OPENCLEAR_RISK_TARGET_RED_RATE = 0.02
OPENCLEAR_RISK_TARGET_YELLOW_RATE = 0.08
# Share of green items sent to an officer at random (ASYCUDA's minimum random
# rate), so that outcomes of unselected traffic keep the model honest.
OPENCLEAR_RISK_RANDOM_RATE = float(env_str("OPENCLEAR_RISK_RANDOM_RATE", "0.02"))
# Risk indicators learnt from history.
OPENCLEAR_RISK_REFERENCE_TTL = env_int("OPENCLEAR_RISK_REFERENCE_TTL", 900)
OPENCLEAR_RISK_UNDERVALUATION_RATIO = 0.3
# A subheading is a reference only where its goods are alike in price: the dearer quarter's unit values at most this
# many times the cheaper quarter's (risk.history).
OPENCLEAR_RISK_REFERENCE_SPREAD = float(env_str("OPENCLEAR_RISK_REFERENCE_SPREAD", "4"))
# Reference unit values are kept in this currency (converted with the rates of a regime keeping its accounts in it).
OPENCLEAR_RISK_REFERENCE_CURRENCY = env_str("OPENCLEAR_RISK_REFERENCE_CURRENCY", "EUR")
# A street address or phone given for at least this many names within the window is an indicator.
OPENCLEAR_RISK_NETWORK_NAMES = env_int("OPENCLEAR_RISK_NETWORK_NAMES", 4)
OPENCLEAR_SPLIT_SHIPMENT_WINDOW = timedelta(hours=env_int("OPENCLEAR_SPLIT_SHIPMENT_HOURS", 72))
# Split shipments are compared with the destination's highest de minimis in force
# (risk.splits); a regime without one uses this amount in its own currency.
OPENCLEAR_SPLIT_SHIPMENT_THRESHOLD = env_str("OPENCLEAR_SPLIT_SHIPMENT_THRESHOLD", "150")
# A seizure, a return or referral by an officer, or prohibited goods found, sends the next parcels of the same
# sender or addressee (name, e-mail, phone or address), through any operator, to an officer for this many days.
OPENCLEAR_HOLD_MEMORY_DAYS = env_int("OPENCLEAR_HOLD_MEMORY_DAYS", 90)

# --- The law -----------------------------------------------------------------
# An item whose exchange rate is older than its regime's rule allows (law.fx) is "assess"ed
# with it, the assessment saying so, or "hold"en for an officer until newer rates are loaded.
OPENCLEAR_STALE_FX_ACTION = env_choice("OPENCLEAR_STALE_FX_ACTION", "assess", ("assess", "hold"))

# --- Duty payment portal -----------------------------------------------------
OPENCLEAR_PAYMENT_PROVIDER = env_str("OPENCLEAR_PAYMENT_PROVIDER", "sandbox")
OPENCLEAR_SANDBOX_WEBHOOK_SECRET = env_secret(
    "OPENCLEAR_SANDBOX_WEBHOOK_SECRET", required=False, default="openclear-sandbox-development-secret"
)
# A signed webhook older (or newer) than this is refused: it may be a replay.
OPENCLEAR_WEBHOOK_TOLERANCE_SECONDS = env_int("OPENCLEAR_WEBHOOK_TOLERANCE_SECONDS", 300)
# How long the link in a "charges due" e-mail keeps working.
OPENCLEAR_PAY_LINK_MAX_AGE = env_int("OPENCLEAR_PAY_LINK_MAX_AGE_DAYS", 90) * 24 * 3600
# Parcel lookups (S10 id + postcode) per client address and minute: guessing
# postcodes must be slow.
OPENCLEAR_PAY_LOOKUPS_PER_MINUTE = env_int("OPENCLEAR_PAY_LOOKUPS_PER_MINUTE", 10)
# … and per parcel number: after this many wrong postcodes it answers that client no more for a while, and
# after the second number, from anyone, nobody.
OPENCLEAR_PARCEL_WRONG_POSTCODES = env_int("OPENCLEAR_PARCEL_WRONG_POSTCODES", 5)  # from one client
OPENCLEAR_PARCEL_WRONG_POSTCODES_ALL = env_int("OPENCLEAR_PARCEL_WRONG_POSTCODES_ALL", 50)  # from everyone
OPENCLEAR_PARCEL_LOCK_MINUTES = env_int("OPENCLEAR_PARCEL_LOCK_MINUTES", 15)

# --- Cases: disputes, refund claims, appeals ------------------------------------
# Days customs has to answer each kind of case; the officers' queue shows the age and what is overdue.
OPENCLEAR_CASE_DAYS = {
    "DISPUTE": env_int("OPENCLEAR_CASE_DISPUTE_DAYS", 10),
    "REFUND": env_int("OPENCLEAR_CASE_REFUND_DAYS", 30),
    "APPEAL": env_int("OPENCLEAR_CASE_APPEAL_DAYS", 30),
}
# Days a payer has to appeal a rejected case, and how long the link to a case keeps working.
OPENCLEAR_APPEAL_DAYS = env_int("OPENCLEAR_APPEAL_DAYS", 30)
OPENCLEAR_CASE_LINK_DAYS = env_int("OPENCLEAR_CASE_LINK_DAYS", 180)

# --- Officer dashboard -------------------------------------------------------
# An officer's claim on an item lapses after this long without a decision.
OPENCLEAR_CLAIM_MINUTES = env_int("OPENCLEAR_CLAIM_MINUTES", 30)

# --- Time Release Study --------------------------------------------------------
# Summaries of the last few days are rebuilt every few minutes; the whole
# window (long enough for the storage period, disputes and refunds) nightly.
OPENCLEAR_TRS_RECENT_DAYS = env_int("OPENCLEAR_TRS_RECENT_DAYS", 3)
OPENCLEAR_TRS_WINDOW_DAYS = env_int("OPENCLEAR_TRS_WINDOW_DAYS", 60)

# --- Item table partitions -----------------------------------------------------
# One partition per month of pre-advice (clearance.partitions), made ahead by
# beat so that the intake never has to create one on its way.
OPENCLEAR_PARTITIONS_AHEAD_MONTHS = env_int("OPENCLEAR_PARTITIONS_AHEAD_MONTHS", 2)
