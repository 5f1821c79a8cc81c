"""NXprocess steps: configuration formats, reading and writing configurations, recording steps.
"""
