"""Campaign planning without a database: the year's sweep, and forecasts from its history.

Pure functions over :mod:`sitecrew.domain.campaigns`; the services load and store.
"""
