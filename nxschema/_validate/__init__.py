"""Validation: compile a definition into a plan, walk a file against it, run the rules,
yield findings. The public functions are in :mod:`nxschema._validate.api`.
"""
