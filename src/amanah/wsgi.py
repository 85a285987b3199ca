"""The WSGI application that gunicorn serves: `gunicorn amanah.wsgi`."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amanah.settings.base")

application = get_wsgi_application()
