"""WhiteNoise as the test settings use it: the real middleware, its static files scanned once.

Django builds the middleware chain once per handler, and the test client makes a handler per
client — a new one for nearly every test. WhiteNoise reads the whole of STATIC_ROOT and every
finder's files when it is built, which made that scan about a third of the suite's time. Here
the first instance of a process scans; later ones, under the same settings, take its table of
files (which WhiteNoise never changes after the scan) and serve exactly what it serves. A test
that changes a setting WhiteNoise reads gets a scan of its own.
"""

from __future__ import annotations

from django.conf import settings as django_settings
from whitenoise.middleware import WhiteNoiseMiddleware as RealWhiteNoiseMiddleware

# Every setting WhiteNoiseMiddleware.__init__ (and the finders it lists) reads.
READS = (
    "DEBUG",
    "FORCE_SCRIPT_NAME",
    "STATIC_ROOT",
    "STATIC_URL",
    "STATICFILES_DIRS",
    "STATICFILES_FINDERS",
    "INSTALLED_APPS",
    "WHITENOISE_ADD_HEADERS_FUNCTION",
    "WHITENOISE_ALLOW_ALL_ORIGINS",
    "WHITENOISE_AUTOREFRESH",
    "WHITENOISE_CHARSET",
    "WHITENOISE_IMMUTABLE_FILE_TEST",
    "WHITENOISE_INDEX_FILE",
    "WHITENOISE_MAX_AGE",
    "WHITENOISE_MIMETYPES",
    "WHITENOISE_ROOT",
    "WHITENOISE_STATIC_PREFIX",
    "WHITENOISE_USE_FINDERS",
)
_scanned: dict[str, RealWhiteNoiseMiddleware] = {}


class WhiteNoiseMiddleware(RealWhiteNoiseMiddleware):
    def __init__(self, get_response=None, settings=django_settings):
        key = repr([getattr(settings, name, None) for name in READS])
        first = _scanned.get(key)
        if first is None or first.autorefresh:
            super().__init__(get_response, settings)
            _scanned[key] = self
            return
        self.__dict__.update(first.__dict__)
        self.get_response = get_response
