"""The browser console's third-party files: pinned, fetched once at install time, served locally.

GraphiQL and React (the GraphQL console), MapLibre GL JS and graphql-ws (the map console)
come from the npm registry as the exact package tarballs pinned below
(``npm pack``, which checks each tarball against the registry's own integrity), are checked
again against the SHA-512 recorded here, and only the four files the console loads are taken
out into :data:`VENDOR_DIR` (git-ignored). The page names each with its SHA-384 as the
``integrity`` of its tag, so a browser also refuses a file that changed on disk. Nothing is
ever loaded from a CDN, so the console works on a machine without internet.

``python -m sitecrew.web.assets`` (run by ``scripts/install.sh``) fetches what is missing and
does nothing when every file is already there and intact.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Where the console's own files live; ``vendor/`` below it holds the fetched ones.
STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
#: The command that fetches the files, as the console page tells it to a reader.
FETCH_COMMAND = "bash scripts/install.sh"


@dataclass(frozen=True)
class Package:
    """One npm package tarball, pinned by version and SHA-512 (npm's ``integrity``)."""

    name: str
    version: str
    integrity: str

    @property
    def spec(self) -> str:
        """Return ``name@version`` as npm takes it."""
        return f"{self.name}@{self.version}"


@dataclass(frozen=True)
class VendorFile:
    """One file the console loads, taken out of a pinned package."""

    package: Package
    member: str  # its path inside the tarball
    name: str  # its name in VENDOR_DIR, served at /static/vendor/<name>
    integrity: str  # SHA-384 of its bytes, as a browser's subresource integrity checks it

    @property
    def path(self) -> Path:
        """Return where the file lives once fetched."""
        return VENDOR_DIR / self.name

    def is_intact(self) -> bool:
        """Tell whether the file is there with the bytes pinned here."""
        return self.path.is_file() and sri(self.path.read_bytes()) == self.integrity


# The versions strawberry's own GraphiQL page uses (React 18 UMD, GraphiQL 3 UMD).
REACT = Package(
    "react",
    "18.2.0",
    "sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==",
)
REACT_DOM = Package(
    "react-dom",
    "18.2.0",
    "sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==",
)
GRAPHIQL = Package(
    "graphiql",
    "3.8.3",
    "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
)
MAPLIBRE = Package(
    "maplibre-gl",
    "6.17.0",
    "sha512-2chIZwpLGenoUQOcnm9Pk4SLbA8ppNFq8jlpXiq9vcYm3Y1wJ3fc82FL0GLwBaPYJCLzPv/mC46KEupVov75rQ==",
)
GRAPHQL_WS = Package(
    "graphql-ws",
    "6.4.2",
    "sha512-wxhPhhOGJo8PbGDkBYVE76sZLDrS+GkyrR4bZECSLVbo0pZZNKs0HtBh2Ip/uaUuiVUxwO9ssI9R92buQfNSqQ==",
)
#: GraphiQL's scripts in the order its page loads them (its UMD build needs React first), then CSS.
GRAPHIQL_FILES = (
    VendorFile(
        REACT,
        "package/umd/react.production.min.js",
        "react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    VendorFile(
        REACT_DOM,
        "package/umd/react-dom.production.min.js",
        "react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    VendorFile(
        GRAPHIQL,
        "package/graphiql.min.js",
        "graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    VendorFile(
        GRAPHIQL,
        "package/graphiql.min.css",
        "graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
)
#: The map console's: MapLibre as ES modules (its worker module is loaded from beside it, so
#: no blob: worker is needed and the strict policy holds), and graphql-ws's UMD client.
MAP_FILES = (
    VendorFile(
        MAPLIBRE,
        "package/dist/maplibre-gl.mjs",
        "maplibre-gl.mjs",
        "sha384-pghUwrZY2q/5xc+bZCYbeUP4JsNuZEmG8j+ZvzJMC1DOy3Rdj5AhRNThLRAiEjSb",
    ),
    VendorFile(
        MAPLIBRE,
        "package/dist/maplibre-gl-worker.mjs",
        "maplibre-gl-worker.mjs",
        "sha384-3TQUOa/0LGT7Cx/33YaLIs5RPzqGBCUAlmA8ht2ofWIP6UugFoidHfikpRijBozF",
    ),
    VendorFile(
        MAPLIBRE,
        "package/dist/maplibre-gl.css",
        "maplibre-gl.css",
        "sha384-S+OnE5M4U3Qc2nR0RgljGrVs06xqfRg8L7uFk/pOF5+sRuSDG4oKkqKZmFrx7w09",
    ),
    VendorFile(
        GRAPHQL_WS,
        "package/umd/graphql-ws.min.js",
        "graphql-ws.min.js",
        "sha384-mxvR4Mzbsb6QVx/9xI2gtQikQA6m8zMDBFnu3l//4/ROsWt7y2sUGWd+/tYQqDm7",
    ),
)
VENDOR_FILES = GRAPHIQL_FILES + MAP_FILES


class AssetError(RuntimeError):
    """A pinned package could not be fetched, or it is not the one pinned."""


def sri(data: bytes, algorithm: str = "sha384") -> str:
    """Return ``data``'s subresource-integrity string (``sha384-<base64>``)."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def missing_files(files: tuple[VendorFile, ...] = VENDOR_FILES) -> list[VendorFile]:
    """Return those of ``files`` that are not there (a changed file counts as there)."""
    return [f for f in files if not f.path.is_file()]


def fetch_missing(*, npm: str = "npm") -> list[VendorFile]:
    """Fetch every vendor file that is missing or changed; return those written.

    Raises
    ------
    AssetError
        When npm fails, or a tarball or a file is not the one pinned.
    """
    wanted = [f for f in VENDOR_FILES if not f.is_intact()]
    if not wanted:
        return []
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sitecrew-assets-") as scratch:
        for package in dict.fromkeys(f.package for f in wanted):
            tarball = _pack(package, Path(scratch), npm=npm)
            _extract(tarball, [f for f in wanted if f.package == package])
    return wanted


def _pack(package: Package, into: Path, *, npm: str) -> Path:
    """Download ``package``'s tarball with ``npm pack`` and check it against the pin."""
    executable = shutil.which(npm)
    if executable is None:
        msg = f"{npm} is not installed (scripts/install.sh installs Node.js and npm)"
        raise AssetError(msg)
    command = [executable, "pack", package.spec, "--pack-destination", str(into)]
    done = subprocess.run(  # noqa: S603  (a fixed command; the spec is pinned above)
        [*command, "--ignore-scripts", "--silent"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        msg = f"npm pack {package.spec} failed: {done.stderr.strip()[-500:]}"
        raise AssetError(msg)
    tarball = into / done.stdout.strip().splitlines()[-1]
    if sri(tarball.read_bytes(), "sha512") != package.integrity:
        msg = f"{package.spec}: the tarball is not the one pinned (integrity differs)"
        raise AssetError(msg)
    return tarball


def _extract(tarball: Path, files: list[VendorFile]) -> None:
    """Write each file out of ``tarball`` after checking its bytes against its pin."""
    with tarfile.open(tarball, "r:gz") as archive:
        for file in files:
            member = archive.extractfile(file.member)
            if member is None:
                msg = f"{file.member} is not a file in {tarball.name}"
                raise AssetError(msg)
            data = member.read()
            if sri(data) != file.integrity:
                msg = f"{file.member} in {tarball.name} is not the file pinned"
                raise AssetError(msg)
            partial = file.path.with_suffix(file.path.suffix + ".part")
            partial.write_bytes(data)
            partial.replace(file.path)


def main() -> int:
    """Fetch the console's missing files; print what was done; 1 on failure."""
    try:
        written = fetch_missing()
    except AssetError as error:
        print(f"console assets: {error}", file=sys.stderr)  # noqa: T201
        return 1
    names = ", ".join(f.name for f in written) or "none missing"
    print(f"console assets in {VENDOR_DIR}: fetched {names}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
