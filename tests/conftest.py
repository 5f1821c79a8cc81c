"""Test-session setup: the definitions cache goes to a private folder, never the user's home.

Set in ``pytest_configure``, before collection, because some test modules load definitions at
import time; subprocesses started by the tests (the CLI) inherit the variable.
"""

import os
import shutil
import tempfile

_FOLDER = None


def pytest_configure(config):
    global _FOLDER
    _FOLDER = tempfile.mkdtemp(prefix="nxschema-test-cache-")
    os.environ["NXSCHEMA_CACHE_DIR"] = _FOLDER


def pytest_unconfigure(config):
    if _FOLDER:
        shutil.rmtree(_FOLDER, ignore_errors=True)
