"""The exit-code contract of every command, written once.

``CONTRACT`` is printed by ``nxschema --help`` and ``nxschema validate --help``, and a test
checks that README.md and docs/validation.md hold it word for word.
"""

from __future__ import annotations

CLEAN = 0
FINDINGS = 1
USAGE = 2
INTERRUPTED = 130

CONTRACT = """\
exit codes:
  0    no file has a finding at or above the --fail-on level
  1    some file has one
  2    usage error, or some file could not be checked (unreadable, timed out); the
       summary says which
  130  interrupted (Ctrl-C): the results so far are printed first
"""
