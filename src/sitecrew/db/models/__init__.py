"""All ORM models, one module per aggregate; import as ``from sitecrew.db import models as m``."""

from sitecrew.db.models.access import ApiToken
from sitecrew.db.models.audit import PersonalDataEvent, PersonalDataSubject
from sitecrew.db.models.building import Apartment, Building
from sitecrew.db.models.campaign import Campaign, CampaignCrew, CampaignHome, CampaignVisit
from sitecrew.db.models.care import CareJob, CarePlan, CareSeason, JobItem
from sitecrew.db.models.crew import Crew, CrewMember, Depot, MemberAbsence
from sitecrew.db.models.expansion import ExpansionScenario
from sitecrew.db.models.inspection import (
    CarePhoto,
    Inspection,
    InspectionComponent,
    Repair,
    WearCode,
)
from sitecrew.db.models.installation import Installation, InstallationLine, InstallationPart
from sitecrew.db.models.job import Appointment, Job, MaintenanceRecord
from sitecrew.db.models.notification import Notification
from sitecrew.db.models.organisation import District, Organisation, Region
from sitecrew.db.models.place import AddressPoint, PlaceArea
from sitecrew.db.models.plan import Route, RouteStop
from sitecrew.db.models.planning import PlanningRun, UnassignedJob
from sitecrew.db.models.site import Furniture, FurnitureModel, Site
from sitecrew.db.models.tenant_link import TenantLink

__all__ = [
    "AddressPoint",
    "Apartment",
    "ApiToken",
    "Appointment",
    "Building",
    "Campaign",
    "CampaignCrew",
    "CampaignHome",
    "CampaignVisit",
    "CareJob",
    "CarePhoto",
    "CarePlan",
    "CareSeason",
    "Crew",
    "CrewMember",
    "Depot",
    "District",
    "ExpansionScenario",
    "Furniture",
    "FurnitureModel",
    "Inspection",
    "InspectionComponent",
    "Installation",
    "InstallationLine",
    "InstallationPart",
    "Job",
    "JobItem",
    "MaintenanceRecord",
    "MemberAbsence",
    "Notification",
    "Organisation",
    "PersonalDataEvent",
    "PersonalDataSubject",
    "PlaceArea",
    "PlanningRun",
    "Region",
    "Repair",
    "Route",
    "RouteStop",
    "Site",
    "TenantLink",
    "UnassignedJob",
    "WearCode",
]
