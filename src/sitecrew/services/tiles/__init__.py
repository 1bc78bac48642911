"""Vector tiles (issue 19): tile math, per-backend layer queries, encoding, signed URLs.

One module per job: :mod:`.grid` turns z/x/y into bounds, :mod:`.layers` names the layers and
their fields, :mod:`.sources` selects each layer's rows under the access rules, :mod:`.postgis`
builds a tile with ``ST_AsMVT``, :mod:`.spatialite` reads the rows and :mod:`.encoding`
encodes them, :mod:`.read` is the use case that picks the backend, :mod:`.signing` signs
short-lived tile URLs, and :mod:`.streets` cuts the street graph (no database).
"""
