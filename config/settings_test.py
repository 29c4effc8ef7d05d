"""Settings of the test suite: the real settings, with a fast password hasher.

Argon2 costs about half a second per hashed password, and nearly every test makes users; the
suite would spend most of its time hashing. `tests/core/test_security.py` proves that the real
settings (config.settings) still hash with Argon2.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
