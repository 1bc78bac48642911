"""Care photos over HTTP, on both backends (issue 17, item 3): upload, storage and who may look.

A crew uploads a photo for a job of its route of today as the request body; the type is judged
by the bytes (a PNG named .jpg is fine, text named .jpg is 415), the size is capped (413), and
the same bytes are one file however often and for whichever job they are uploaded. The photo is
served to the crew that took it, the region's planners and admins; another crew, a contractor,
another region's planner get 404, a request without a token 401.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient
from tests.services.care_inspection_world import CareWorld, build_care_world

from sitecrew.config import DatabaseSettings, PhotoSettings, Settings
from sitecrew.db import migrate
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.domain.access import Role
from sitecrew.services.access import create_token
from sitecrew.web.app import create_app

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
LIMIT = 4096


@dataclass(frozen=True)
class PhotoWorld:
    """The care world committed to a database of its own, with a token per caller."""

    url: str
    world: CareWorld
    tokens: dict[str, str]


_worlds: dict[str, PhotoWorld] = {}


@pytest.fixture(scope="module")
def photo_world(backend, database_url_factory) -> PhotoWorld:
    if backend not in _worlds:
        url = database_url_factory(backend, "sitecrew_test_care_photos")
        engine = engine_from_url(url)
        migrate.upgrade(engine)
        with session_factory(engine).begin() as session:
            world = build_care_world(session)
            roles = {
                "crew": {"role": Role.CREW, "crew_id": world.crew_id},
                "other_crew": {"role": Role.CREW, "crew_id": world.other_crew_id},
                "planner": {"role": Role.PLANNER, "region_id": world.region_id},
                "other_planner": {"role": Role.PLANNER, "region_id": world.other_region_id},
                "contractor": {"role": Role.CONTRACTOR, "organisation_id": world.contractor_id},
                "admin": {"role": Role.ADMIN},
            }
            tokens = {name: create_token(session, name=name, **kw)[0] for name, kw in roles.items()}
        engine.dispose()
        _worlds[backend] = PhotoWorld(url, world, tokens)
    return _worlds[backend]


@pytest.fixture(scope="module")
def photo_dir(photo_world, tmp_path_factory):
    """One photo directory per backend's database, as a server keeps one."""
    return tmp_path_factory.mktemp("photos")


@pytest.fixture
def client(photo_world, photo_dir):
    settings = Settings(
        database=DatabaseSettings(url=photo_world.url),
        photos=PhotoSettings(directory=photo_dir, max_bytes=LIMIT),
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _auth(photo_world: PhotoWorld, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {photo_world.tokens[who]}"}


def _upload(client, photo_world, who: str, data: bytes, job_id: int | None = None, **headers):
    job = photo_world.world.site_job_id if job_id is None else job_id
    return client.post(
        f"/care/jobs/{job}/photos", content=data, headers={**_auth(photo_world, who), **headers}
    )


def test_a_crew_uploads_a_photo_and_the_same_bytes_are_stored_once(client, photo_world, photo_dir):
    """201 with hash, type and URL; again: 200, same id; for another job: a new row, one file."""
    first = _upload(client, photo_world, "crew", JPEG, **{"Content-Type": "image/png"})
    assert first.status_code == 201, first.text
    body = first.json()
    digest = hashlib.sha256(JPEG).hexdigest()
    assert (body["sha256"], body["mediaType"], body["sizeBytes"]) == (
        digest,
        "image/jpeg",
        len(JPEG),
    )
    assert body["url"] == f"/care/photos/{body['id']}"
    again = _upload(client, photo_world, "crew", JPEG)
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    planter_job = photo_world.world.planter_job_id
    other = _upload(client, photo_world, "other_crew", JPEG, job_id=planter_job)
    assert other.status_code == 201
    assert other.json()["id"] != body["id"]
    files = [p for p in photo_dir.rglob("*") if p.is_file() and p.name == digest]
    assert len(files) == 1
    assert files[0].read_bytes() == JPEG
    assert files[0].parent.parent.name == digest[:2]


def test_the_type_is_judged_by_the_bytes_and_the_size_is_capped(client, photo_world, photo_dir):
    """Text sent as image/jpeg: 415; above the limit: 413; empty: 400; WebP: accepted."""
    page = b"<html>not a photo</html>"
    fake = _upload(client, photo_world, "crew", page, **{"Content-Type": "image/jpeg"})
    assert (fake.status_code, fake.json()["error"]["code"]) == (415, "UNSUPPORTED_MEDIA")
    large = _upload(client, photo_world, "crew", JPEG + b"\x00" * LIMIT)
    assert (large.status_code, large.json()["error"]["code"]) == (413, "FILE_TOO_LARGE")
    empty = _upload(client, photo_world, "crew", b"")
    assert empty.status_code == 400
    refused = {hashlib.sha256(data).hexdigest() for data in (page, JPEG + b"\x00" * LIMIT)}
    assert not {p.name for p in photo_dir.rglob("*")} & refused
    webp = _upload(client, photo_world, "crew", WEBP)
    assert (webp.status_code, webp.json()["mediaType"]) == (201, "image/webp")


def test_uploads_follow_the_recording_rules(client, photo_world):
    """Another crew's job or a job on no route: 404; a contractor: 403; no token: 401."""
    world = photo_world.world
    assert _upload(client, photo_world, "other_crew", JPEG).status_code == 404
    unrouted = _upload(client, photo_world, "crew", JPEG, job_id=world.unrouted_job_id)
    assert unrouted.status_code == 404
    assert _upload(client, photo_world, "contractor", JPEG).status_code == 403
    anonymous = client.post(f"/care/jobs/{world.site_job_id}/photos", content=JPEG)
    assert anonymous.status_code == 401


def test_a_photo_is_shown_to_its_crew_and_the_regions_planners_only(client, photo_world):
    """Its crew, the planner, an admin: the bytes; another crew, contractor, other region: 404."""
    photo_id = _upload(client, photo_world, "crew", JPEG).json()["id"]
    url = f"/care/photos/{photo_id}"
    for who in ("crew", "planner", "admin"):
        answer = client.get(url, headers=_auth(photo_world, who))
        assert answer.status_code == 200, (who, answer.text)
        assert (answer.content, answer.headers["content-type"]) == (JPEG, "image/jpeg")
        assert answer.headers["x-content-type-options"] == "nosniff"
    for who in ("other_crew", "contractor", "other_planner"):
        answer = client.get(url, headers=_auth(photo_world, who))
        assert (answer.status_code, answer.json()["error"]["code"]) == (404, "NOT_FOUND"), who
    assert client.get(url).status_code == 401
    assert client.get("/care/photos/999999", headers=_auth(photo_world, "admin")).status_code == 404
