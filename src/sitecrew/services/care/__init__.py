"""The furniture care programme (issue 17): plans per product model and the due work they make.

- :mod:`.plans`: care plans (the catalogue's defaults and a region's own) and regional seasons.
- :mod:`.defaults`: the demo catalogue's plans, stored by the demo loader.
- :mod:`.state`: when each piece last had each action, and whether open work covers it.
- :mod:`.due`: generating due work per site, idempotently.
- :mod:`.completion`: a completed care job advances its pieces' cycles.
- :mod:`.schedule`: the daily run of :mod:`.due` in the server (or its task queue).
"""
