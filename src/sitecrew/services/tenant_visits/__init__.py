"""A tenant's own visit, through a self-service link (issue 16, item 2).

- :mod:`.home`: the one home a tenant link is bound to, and what the tenant is shown of it;
- :mod:`.read`: the visit and the windows offered for it;
- :mod:`.book`: confirm the proposed window or choose an offered one (re-checked at write time);
- :mod:`.change`: how the crew gets in, and cancelling;
- :mod:`.calendar`: the visit as an ``.ics`` calendar file.

Every use case takes the tenant's principal (``Role.TENANT``, bound to one apartment and one
campaign) and nothing that names another row, so there is no id a tenant could swap.
"""
