"""Register the domain's enumerations with GraphQL under their own names.

Annotations elsewhere use the domain classes themselves; importing this module is what makes
strawberry know them (``strawberry.enum`` marks the class in place).
"""

from __future__ import annotations

import strawberry

from sitecrew.domain import buildings, crews, jobs, organisations, sites
from sitecrew.domain.access import Role

for enum_class in (
    sites.SiteKind,
    sites.FurnitureCategory,
    organisations.OrganisationKind,
    buildings.InstallationStatus,
    crews.Skill,
    crews.CrewRole,
    jobs.JobKind,
    jobs.JobStatus,
    jobs.AppointmentStatus,
    jobs.MaintenanceAction,
    jobs.WearType,
    Role,
):
    strawberry.enum(enum_class)

SiteKind = sites.SiteKind
FurnitureCategory = sites.FurnitureCategory
OrganisationKind = organisations.OrganisationKind
InstallationStatus = buildings.InstallationStatus
Skill = crews.Skill
CrewRole = crews.CrewRole
JobKind = jobs.JobKind
JobStatus = jobs.JobStatus
AppointmentStatus = jobs.AppointmentStatus
MaintenanceAction = jobs.MaintenanceAction
WearType = jobs.WearType
