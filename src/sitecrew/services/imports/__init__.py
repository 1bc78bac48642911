"""Registers in, per kind: ``sitecrew import apartments|furniture|crews|organisations|districts``.

``reading`` turns a CSV or XLSX file into numbered rows, one module per kind plans each row
against the database, ``report`` counts outcomes and writes the rejects, and ``runner`` ties
them together in one transaction (:func:`sitecrew.services.imports.runner.import_file`).
"""
