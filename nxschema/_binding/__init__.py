"""The binding step: which object of a file is which concept of which definition (see
docs/architecture.md). Validation, views, ICAT extraction and the personal-data scan read it."""
