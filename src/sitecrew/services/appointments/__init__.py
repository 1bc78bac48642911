"""Appointments with tenants (issue 16): offers that fit the crews' routes.

- :mod:`~sitecrew.services.appointments.offers`: :func:`appointment_offers`, the windows a crew
  can really make for one apartment, cheapest first.

Nothing is imported here, so reading one use case does not load the street graph machinery.
"""
