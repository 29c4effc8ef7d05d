"""Settings of the test suite: the real settings, with a fast password hasher.

Argon2 costs about half a second per hashed password, and nearly every test makes users; the
suite would spend most of its time hashing. `tests/core/test_security.py` proves that the real
settings (config.settings) still hash with Argon2.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Under pytest-xdist each worker process has its own test database (pytest-django adds the
# worker's name to it) and must have its own share of the one Redis too: a Celery queue of its own,
# consumed by its own session worker (conftest.py), and cache keys of its own (job progress is
# cached under the job's id, which is the same number in every worker's database).
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # noqa: F405
if XDIST_WORKER:
    CELERY_TASK_DEFAULT_QUEUE = f"celery-{XDIST_WORKER}"
    if REDIS_URL:  # noqa: F405
        CACHES["default"]["KEY_PREFIX"] = f"xiangjiao-{XDIST_WORKER}"  # noqa: F405

# A loaded test machine answers Redis slower than a server does: the shared Redis gets 5 s, not
# the production 1 s, before a cache call is given up (the fault tests set their own 1 s, and prove
# that a cache that is down is skipped).
if REDIS_URL:  # noqa: F405
    CACHES["default"]["OPTIONS"].update(socket_timeout=5.0, socket_connect_timeout=5.0)  # noqa: F405

# WhiteNoise scans the static files when the middleware is built, and the test client builds it
# for every client, nearly once a test: the test settings' WhiteNoise scans once per process and
# serves the same files (tests/static_files.py).
MIDDLEWARE = [  # noqa: F405
    "tests.static_files.WhiteNoiseMiddleware"
    if name == "whitenoise.middleware.WhiteNoiseMiddleware"
    else name
    for name in MIDDLEWARE  # noqa: F405
]
