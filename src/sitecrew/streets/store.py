"""Save and load built street graphs, keyed by the extract's content and the build settings.

A regional build takes seconds to tens of seconds; loading the arrays back takes milliseconds
(npz), so services load the cache and only rebuild when the extract or the settings change.
The networkx graph is pickled beside the arrays and loaded only when asked for; GraphML stays
an export format (measured here: npz loads ~150x faster).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import tempfile
from dataclasses import asdict, dataclass, field, fields
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyroutingkit

from sitecrew.errors import StreetGraphError
from sitecrew.streets.arrays import StreetArrays
from sitecrew.streets.speeds import FALLBACK_SPEED_KPH, HIGHWAY_SPEEDS_KPH

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx

#: Bump when the build changes graphs for the same extract and settings (2: merged edges
#: no longer take their road class, so their speed, from the hash seed of the builder).
BUILD_FORMAT = 2
ARRAYS_FILE = "arrays.npz"
GRAPH_FILE = "graph.pickle"
META_FILE = "build.json"
TOPOLOGY_DIR = "cch-topology"


@dataclass(frozen=True)
class BuildSettings:
    """Everything besides the extract that changes the built graph (part of the cache key)."""

    network_type: str = "drive"
    highway_speeds: dict[str, float] = field(default_factory=lambda: dict(HIGHWAY_SPEEDS_KPH))
    fallback_kph: float = FALLBACK_SPEED_KPH


def cache_key_for(path: Path, settings: BuildSettings) -> str:
    """Return a short hex key of the extract's bytes, the settings and the builder's versions."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    recipe = {
        "settings": asdict(settings),
        "format": BUILD_FORMAT,
        "osmnx": version("osmnx"),
        "osmium": version("osmium"),
    }
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    return digest.hexdigest()[:20]


def cache_path_for(path: Path, settings: BuildSettings, *, cache_directory: Path) -> Path:
    """Return the cache folder of an extract built with ``settings``."""
    stem = path.name.split(".")[0]
    return cache_directory / f"{stem}-{cache_key_for(path, settings)}"


def save_graph(
    G: nx.MultiDiGraph, arrays: StreetArrays, folder: Path, *, meta: dict[str, Any]
) -> None:
    """Write the graph, its arrays and build facts to ``folder``, replacing it atomically.

    Written to a temporary sibling first and renamed, so a crash or a concurrent reader never
    sees half a cache entry.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        np.savez(staging / ARRAYS_FILE, **_array_fields(arrays))
        with (staging / GRAPH_FILE).open("wb") as handle:
            pickle.dump(G, handle, protocol=pickle.HIGHEST_PROTOCOL)
        (staging / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True))
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def load_arrays(folder: Path) -> StreetArrays:
    """Read the arrays of a cached build.

    Raises
    ------
    StreetGraphError
        When the folder holds no complete cache entry.
    """
    try:
        with np.load(folder / ARRAYS_FILE) as data:
            values = {f.name: data[f.name] for f in fields(StreetArrays)}
    except (OSError, KeyError, ValueError) as error:
        msg = f"no usable street graph cache in {folder}: {error}"
        raise StreetGraphError(msg) from error
    values["epsg"] = int(values["epsg"])
    return StreetArrays(**values)


def load_graph(folder: Path) -> nx.MultiDiGraph:
    """Read the networkx graph of a cached build (our own file, written by :func:`save_graph`).

    Raises
    ------
    StreetGraphError
        When the folder holds no graph.
    """
    try:
        with (folder / GRAPH_FILE).open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - own cache file
    except (OSError, pickle.UnpicklingError, EOFError) as error:
        msg = f"no usable street graph in {folder}: {error}"
        raise StreetGraphError(msg) from error


def load_or_save_topology(
    folder: Path, *, build: Callable[[], pyroutingkit.CCHTopology]
) -> pyroutingkit.CCHTopology:
    """Return the cached contraction-hierarchy topology of a build, building and saving it once.

    Saving is best effort (a read-only cache still works, it just rebuilds the topology).
    """
    saved = folder / TOPOLOGY_DIR
    if saved.is_dir():
        topology = pyroutingkit.CCHTopology()
        try:
            topology.load(str(saved))
        except (RuntimeError, OSError):
            shutil.rmtree(saved, ignore_errors=True)
        else:
            return topology
    topology = build()
    staging = Path(tempfile.mkdtemp(prefix=f".{TOPOLOGY_DIR}-", dir=folder))
    try:
        topology.save(str(staging))
        staging.rename(saved)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return topology


def is_cached(folder: Path) -> bool:
    """Return whether ``folder`` holds a complete cache entry."""
    return all((folder / name).is_file() for name in (ARRAYS_FILE, GRAPH_FILE, META_FILE))


def _array_fields(arrays: StreetArrays) -> dict[str, Any]:
    return {f.name: np.asarray(getattr(arrays, f.name)) for f in fields(StreetArrays)}
