"""ICAT: catalogue keys derived from definitions, their lint, extraction from files, and the
``hdf5_cfg.xml`` import/export.
"""
