"""Repairs, coded: record one on a job, refused unless its codes are the item's family's.

Every repair names a part, a failure mode of that part, a cause and a remedy of that failure
mode, from the family's code list (:mod:`sitecrew.services.care.codes`); a combination that is
not there, or uses a retired code, is refused with ``INVALID_WEAR_CODE``. This is what makes the
product-development report count failures by part and mode rather than read free text. The
repair is also written to the maintenance history (action ``repaired``), as the inspection is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.jobs import MaintenanceAction, MaintenanceRecord
from sitecrew.domain.sites import FurnitureCategory
from sitecrew.domain.wear_codes import Repair, WearLevel
from sitecrew.services.care.codes import resolve_coding
from sitecrew.services.care.inspections_common import check_record_date, locked_item_on_job
from sitecrew.services.care.inspections_reading import RepairFacts, repair_facts
from sitecrew.services.care.photos import attach_photos
from sitecrew.services.furniture import add_maintenance_record
from sitecrew.services.scoping import get_recordable_care_job

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal


@dataclass(frozen=True)
class RecordRepair:
    """A repair done on a job, with its codes and the photos uploaded for it."""

    repair: Repair
    photo_ids: tuple[int, ...] = ()


def record_repair(session: Session, principal: Principal, command: RecordRepair) -> RepairFacts:
    """Record a coded repair of an item on a job.

    Raises
    ------
    PermissionDeniedError
        For contractors and tenants.
    NotFoundError
        When the job is not one the caller may record on (a crew: its route of today), the
        item does not exist, or a photo is not the caller's on this job.
    InvalidWearCodeError
        When part / failure mode / cause / remedy is not a valid combination of the item's
        family's codes (or uses a retired code).
    InvalidInputError
        For a job about another item, a future date or one before installation.
    """
    repair = command.repair
    with transaction(session):
        job = get_recordable_care_job(session, principal, repair.job_id, action="record repairs")
        item = locked_item_on_job(session, job, repair.furniture_id)
        check_record_date(session, item, repair.performed_on, what="a repair")
        family = FurnitureCategory(get_or_raise(session, m.FurnitureModel, item.model_id).category)
        ids = resolve_coding(session, family, repair.coding)
        row = m.Repair(
            furniture_id=item.id,
            job_id=job.id,
            crew_id=principal.crew_id,
            performed_on=repair.performed_on,
            part_id=ids[WearLevel.PART],
            failure_mode_id=ids[WearLevel.FAILURE_MODE],
            cause_id=ids[WearLevel.CAUSE],
            remedy_id=ids[WearLevel.REMEDY],
            notes=repair.notes,
        )
        session.add(row)
        session.flush()
        coding = repair.coding
        add_maintenance_record(
            session,
            MaintenanceRecord(
                item.id,
                repair.performed_on,
                MaintenanceAction.REPAIRED,
                notes=f"repair {row.id}: {coding.path(WearLevel.REMEDY)} ({coding.cause})",
                job_id=job.id,
                crew_id=principal.crew_id,
            ),
        )
        attach_photos(session, principal, command.photo_ids, job.id, repair_id=row.id)
        return repair_facts(session, row)
