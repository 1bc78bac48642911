"""Mutations on shared reference data: organisations and the furniture catalogue (admins only).

Every region refers to the same organisations and products, so planners read them but only
admins change them. Updates and deletes take the version read (stale: Conflict).
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from sitecrew.api.context import Context
from sitecrew.api.mutations.editing import (
    VERSION_FIELD,
    VersionedDeleteInput,
    delete_versioned,
    given,
    given_id,
    update_versioned,
)
from sitecrew.api.mutations.problems import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    returns_problems,
)
from sitecrew.api.mutations.sites import DeletePayload
from sitecrew.api.types.enums import FurnitureCategory, OrganisationKind
from sitecrew.api.types.places import FurnitureModel, Organisation
from sitecrew.domain import organisations as do
from sitecrew.domain import sites as ds
from sitecrew.domain.ids import parse_optional_id
from sitecrew.services import furniture_models as model_service
from sitecrew.services import organisations as organisation_service

Info = strawberry.Info[Context, None]
OrganisationPayload = Annotated[
    Organisation | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("OrganisationPayload"),
]
FurnitureModelPayload = Annotated[
    FurnitureModel | InvalidInput | NotFound | Forbidden | Conflict,
    strawberry.union("FurnitureModelPayload"),
]


@strawberry.input
class CreateOrganisationInput:
    name: str = strawberry.field(description="Unique across Sitecrew.")
    kind: OrganisationKind


@strawberry.input(description="Fields left out stay as they are.")
class UpdateOrganisationInput:
    id: strawberry.ID
    version: int = strawberry.field(description=VERSION_FIELD)
    name: str | None = strawberry.UNSET
    kind: OrganisationKind | None = strawberry.field(
        default=strawberry.UNSET,
        description="A contractor bound to districts or named by tokens stays a contractor.",
    )


@strawberry.input
class CreateFurnitureModelInput:
    name: str = strawberry.field(description="Unique in the catalogue.")
    category: FurnitureCategory
    material: str
    maintenance_interval_days: int
    maker_id: strawberry.ID | None = strawberry.field(
        default=None, description="An organisation of kind FURNITURE_MAKER."
    )


@strawberry.input(description="Fields left out stay as they are; null clears optional ones.")
class UpdateFurnitureModelInput:
    id: strawberry.ID
    version: int = strawberry.field(description=VERSION_FIELD)
    name: str | None = strawberry.UNSET
    category: FurnitureCategory | None = strawberry.UNSET
    material: str | None = strawberry.UNSET
    maintenance_interval_days: int | None = strawberry.UNSET
    maker_id: strawberry.ID | None = strawberry.UNSET


@strawberry.type
class CatalogueMutations:
    @strawberry.mutation(description="Register an organisation (admins only).")
    @returns_problems
    async def create_organisation(
        self, info: Info, input: CreateOrganisationInput
    ) -> OrganisationPayload:
        stored = await info.context.write(
            organisation_service.register_organisation,
            info.context.user,
            do.Organisation(input.name, input.kind),
        )
        return Organisation.from_domain(stored)

    @strawberry.mutation(description="Rename an organisation or change its kind (admins only).")
    @returns_problems
    async def update_organisation(
        self, info: Info, input: UpdateOrganisationInput
    ) -> OrganisationPayload:
        stored = await update_versioned(
            info, organisation_service.update_organisation, input, given(input, "name", "kind")
        )
        return Organisation.from_domain(stored)

    @strawberry.mutation(description="Delete an organisation nothing refers to (admins only).")
    @returns_problems
    async def delete_organisation(self, info: Info, input: VersionedDeleteInput) -> DeletePayload:
        return await delete_versioned(info, organisation_service.delete_organisation, input)

    @strawberry.mutation(description="Add a product to the furniture catalogue (admins only).")
    @returns_problems
    async def create_furniture_model(
        self, info: Info, input: CreateFurnitureModelInput
    ) -> FurnitureModelPayload:
        model = ds.FurnitureModel(
            input.name,
            input.category,
            input.material,
            input.maintenance_interval_days,
            parse_optional_id(input.maker_id, "maker"),
        )
        stored = await info.context.write(
            model_service.register_furniture_model, info.context.user, model
        )
        return FurnitureModel.from_domain(stored)

    @strawberry.mutation(description="Change a catalogue product (admins only).")
    @returns_problems
    async def update_furniture_model(
        self, info: Info, input: UpdateFurnitureModelInput
    ) -> FurnitureModelPayload:
        values = {
            **given(input, "name", "category", "material", "maintenance_interval_days"),
            **given_id(input, "maker_id", what="maker", nullable=True),
        }
        stored = await update_versioned(info, model_service.update_furniture_model, input, values)
        return FurnitureModel.from_domain(stored)

    @strawberry.mutation(description="Remove a product no installed item is of (admins only).")
    @returns_problems
    async def delete_furniture_model(
        self, info: Info, input: VersionedDeleteInput
    ) -> DeletePayload:
        return await delete_versioned(info, model_service.delete_furniture_model, input)
