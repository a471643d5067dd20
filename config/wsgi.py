import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

from config.env import load_settings_or_exit

load_settings_or_exit()
application = get_wsgi_application()
