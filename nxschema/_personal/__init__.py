"""Personal data: find it in files (by the definitions' marks and by pattern) and write redacted
copies fit for open data. See docs/personal-data.md."""
