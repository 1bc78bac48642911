"""The furniture maker's catalogue: products with how often they need care.

The catalogue is shared reference data: every region's planners read it (their furniture points
at it), only admins change it, since a changed maintenance interval moves care in every region.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.db.repositories.common import get_or_raise
from sitecrew.domain.organisations import OrganisationKind
from sitecrew.errors import InvalidInputError
from sitecrew.services._persist import check_version, save
from sitecrew.services._registers import refuse_if_used, remove, require_unique
from sitecrew.services.furniture import add_furniture_model
from sitecrew.services.scoping import get_changeable, require_changer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from sitecrew.domain.access import Principal
    from sitecrew.domain.sites import FurnitureModel
    from sitecrew.services.sites import Changes


def register_furniture_model(
    session: Session, principal: Principal, model: FurnitureModel
) -> FurnitureModel:
    """Add a product to the catalogue (admins only).

    Raises
    ------
    PermissionDeniedError
        For every role but admin.
    NotFoundError
        When the maker does not exist.
    InvalidInputError
        When the maker is no furniture maker.
    ConflictError
        When the model name is taken.
    """
    with transaction(session):
        require_changer(principal, m.FurnitureModel, action="create furniture models")
        _check_model(session, model, row_id=None)
        return add_furniture_model(session, model)


def update_furniture_model(
    session: Session, principal: Principal, changes: Changes
) -> FurnitureModel:
    """Change a catalogue product from its current version (admins only).

    Raises
    ------
    PermissionDeniedError
        For every role but admin.
    NotFoundError
        When the model or the maker does not exist.
    ConflictError
        When it changed since ``changes.version`` or the name is taken.
    InvalidInputError
        When the result breaks a rule (an interval out of range, a maker that makes nothing).
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.FurnitureModel, changes.id, action="update furniture models"
        )
        check_version(row, changes.version, what="furniture model")
        updated = replace(row.to_domain(), **changes.values)
        _check_model(session, updated, row_id=row.id)
        row.name, row.category, row.material = (
            updated.name,
            updated.category.value,
            updated.material,
        )
        row.maintenance_interval_days = updated.maintenance_interval_days
        row.maker_id = updated.maker_id
        return save(session, row).to_domain()


def delete_furniture_model(
    session: Session, principal: Principal, model_id: int, version: int
) -> None:
    """Remove a product no installed item is of (admins only).

    Raises
    ------
    PermissionDeniedError
        For every role but admin.
    NotFoundError
        When it does not exist.
    ConflictError
        When it changed since ``version`` or furniture of this model is installed.
    """
    with transaction(session):
        row = get_changeable(
            session, principal, m.FurnitureModel, model_id, action="delete furniture models"
        )
        check_version(row, version, what="furniture model")
        uses = {"furniture items": m.Furniture.model_id == model_id}
        refuse_if_used(session, f"furniture model {model_id}", uses)
        remove(session, row, what=f"furniture model {model_id}")


def _check_model(session: Session, model: FurnitureModel, *, row_id: int | None) -> None:
    require_unique(session, m.FurnitureModel.name, model.name, row_id=row_id, what="model name")
    if model.maker_id is None:
        return
    maker = get_or_raise(session, m.Organisation, model.maker_id)
    if maker.kind != OrganisationKind.FURNITURE_MAKER:
        msg = f"organisation {maker.id} is a {maker.kind}, not a furniture maker"
        raise InvalidInputError(msg)
