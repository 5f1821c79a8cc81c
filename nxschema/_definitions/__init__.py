"""Reading and writing definitions: YAML source positions, the YAML and NXDL readers and
writers, lint, the catalog of loaded definitions and its cache.

Nothing here knows about HDF5 files or any face built on the model (validation, writers, docs,
ICAT).
"""
