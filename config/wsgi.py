import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Everything loaded at start-up (modules, URL patterns, settings, templates' libraries) lives as long
# as the process: moved out of the collector's reach, a full collection no longer walks it on every
# pass, so the pause it puts on whichever request it lands (about 120 ms before) is shorter.
gc.freeze()
