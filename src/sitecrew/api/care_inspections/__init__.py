"""GraphQL for furniture inspections, coded repairs, wear codes and photos (issue 17, items 3-4).

Photos are uploaded over plain HTTP (``POST /care/jobs/{jobId}/photos``, see
:mod:`sitecrew.web.care_photos`) and then named by id in ``recordInspection``/``recordRepair``.
"""
