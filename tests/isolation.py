"""The test suite never writes into the app's `var/`, and runs on the
development settings.

Loaded before Django's settings (`-p tests.isolation` in pyproject.toml's
addopts), this points VAR_DIR (config/settings.py) at a fresh temporary folder
for the whole run: the SQLite test databases, the filesystem broker's folders,
media and beat's schedule go there, and so do those of the worker and app
processes that tests start, which inherit the environment. pytest-xdist's
workers inherit the controller's folder; the controller removes it at the end.
"""

import os
import shutil
import tempfile

# The development settings (DEBUG=1: the development key, plain HTTP); pytest-django
# still runs every test with settings.DEBUG off. Tests of a production start set
# their own environment for the processes they start.
os.environ.setdefault("DEBUG", "1")

_OWN_FOLDER = None
if not os.environ.get("PYTEST_XDIST_WORKER"):
    _OWN_FOLDER = tempfile.mkdtemp(prefix="yiguitong-test-var-")
    os.environ["VAR_DIR"] = _OWN_FOLDER


def pytest_unconfigure(config):
    if _OWN_FOLDER:
        shutil.rmtree(_OWN_FOLDER, ignore_errors=True)
