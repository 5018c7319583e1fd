"""Offline map of Thuringia's 22 districts and independent cities (the "Kooperationskarte").

The boundaries come from a bundled, already generalised GeoJSON file (BKG VG5000, EPSG:4326).
This module is Qt-free so that the desktop map widget and the PDF reports draw the same shapes:

1. :func:`load_districts` reads the file once and projects lon/lat with an equirectangular
   projection corrected for Thuringia's mean latitude, so that the map is not stretched
   east-west.
2. :func:`fit_to_box` scales the projected shapes into a pixel or point box, y pointing down.
   Reportlab callers flip y themselves (``y_pdf = height - y``).
3. :func:`district_at` answers which district lies under a point (even-odd rule).

The shading helpers :func:`shade_for` and :func:`legend_steps` turn contact statistics into a
fill intensity from 0 (no contact) to 1 (frequent, recent contact).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crm.i18n import _
from crm.paths import resource

ATTRIBUTION = "© GeoBasis-DE / BKG 2021 (Daten verändert)"
"""Source note required by the licence wherever the boundaries are shown or printed."""

LICENCE = "dl-de/by-2-0"
"""Licence of the boundary data (Datenlizenz Deutschland – Namensnennung 2.0)."""

Point = tuple[float, float]
Ring = tuple[Point, ...]

# Recency bands, darkest first: (maximum days since the last contact, lowest and highest
# intensity). Within a band the shade deepens with the number of contacts, but never
# crosses into the next band, so recency always dominates frequency.
_BANDS: tuple[tuple[int | None, float, float], ...] = (
    (30, 0.75, 1.0),
    (90, 0.55, 0.75),
    (365, 0.35, 0.55),
    (None, 0.15, 0.35),
)
# From this many contacts on, a district gets the darkest shade of its band.
_SATURATING_COUNT = 10


@dataclass(frozen=True, slots=True)
class DistrictShape:
    """One district (Landkreis) or independent city (kreisfreie Stadt).

    Attributes:
        ags: The 5-digit official key, e.g. ``"16052"`` for Gera.
        name: The district's name, e.g. ``"Gera"``.
        rings: Every ring of the district (outer rings, holes and the parts of a multipolygon),
            each a closed sequence of (x, y) points. Filling them with the even-odd rule gives
            the district's area.
    """

    ags: str
    name: str
    rings: tuple[Ring, ...]


def load_districts() -> list[DistrictShape]:
    """Return the 22 districts of Thuringia, projected and sorted by AGS.

    The file is read once per process. Coordinates are ``x = lon * cos(mean_lat)`` and
    ``y = lat`` in degrees (y pointing north); ``mean_lat`` is the middle of the state's
    latitude range.

    Returns:
        A new list of shapes (the shapes themselves are immutable and shared).
    """
    return list(_load_cached())


@lru_cache(maxsize=1)
def _load_cached() -> tuple[DistrictShape, ...]:
    path = resource("thueringen", "thueringen_kreise_aktuell.geojson")
    data = json.loads(path.read_text(encoding="utf-8"))
    raw = [_raw_shape(feature) for feature in data["features"]]
    latitudes = [lat for _ags, _name, rings in raw for ring in rings for _lon, lat in ring]
    factor = math.cos(math.radians((min(latitudes) + max(latitudes)) / 2))
    shapes = [
        DistrictShape(ags, name, tuple(_scale_ring(ring, factor, 1.0) for ring in rings))
        for ags, name, rings in raw
    ]
    return tuple(sorted(shapes, key=lambda shape: shape.ags))


def _raw_shape(feature: dict[str, Any]) -> tuple[str, str, list[Ring]]:
    """Read one GeoJSON feature as (ags, name, lon/lat rings)."""
    properties = feature["properties"]
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise ValueError(f"unsupported geometry type {geometry['type']!r}")
    rings = [
        tuple((float(lon), float(lat)) for lon, lat, *_rest in ring)
        for polygon in polygons
        for ring in polygon
    ]
    return str(properties["ags"]), str(properties["name"]), rings


def _scale_ring(ring: Ring, sx: float, sy: float, dx: float = 0.0, dy: float = 0.0) -> Ring:
    return tuple((x * sx + dx, y * sy + dy) for x, y in ring)


def bounds(shapes: Iterable[DistrictShape]) -> tuple[float, float, float, float]:
    """Return the bounding box ``(min_x, min_y, max_x, max_y)`` of all shapes.

    Raises:
        ValueError: If there are no points at all.
    """
    xs: list[float] = []
    ys: list[float] = []
    for shape in shapes:
        for ring in shape.rings:
            xs.extend(x for x, _y in ring)
            ys.extend(y for _x, y in ring)
    if not xs:
        raise ValueError("no shapes to measure")
    return min(xs), min(ys), max(xs), max(ys)


def fit_to_box(
    shapes: Sequence[DistrictShape], width: float, height: float, margin: float = 0.0
) -> list[DistrictShape]:
    """Scale projected shapes into a box with y pointing down, keeping the aspect ratio.

    The map is centred in the box, with at least ``margin`` on every side. A box smaller than
    twice the margin collapses the map to a point at the box's centre.

    Args:
        shapes: Shapes from :func:`load_districts` (y pointing north).
        width: Width of the box, in pixels or points.
        height: Height of the box.
        margin: Free space to keep on each side.

    Returns:
        New shapes in box coordinates, origin top left. For reportlab, flip with
        ``height - y``.
    """
    if not shapes:
        return []
    min_x, min_y, max_x, max_y = bounds(shapes)
    span_x = max(max_x - min_x, 1e-12)
    span_y = max(max_y - min_y, 1e-12)
    scale = max(0.0, min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y))
    dx = (width - span_x * scale) / 2 - min_x * scale
    dy = (height - span_y * scale) / 2 + max_y * scale
    return [
        DistrictShape(
            shape.ags,
            shape.name,
            tuple(_scale_ring(ring, scale, -scale, dx, dy) for ring in shape.rings),
        )
        for shape in shapes
    ]


def contains(shape: DistrictShape, x: float, y: float) -> bool:
    """Tell whether a point lies inside a district, by the even-odd rule over all its rings.

    A point in a hole (Weimar inside Weimarer Land) crosses two rings and is outside.
    """
    inside = False
    for ring in shape.rings:
        if _ring_crossings(ring, x, y) % 2:
            inside = not inside
    return inside


def _ring_crossings(ring: Ring, x: float, y: float) -> int:
    """Count how often a ray from (x, y) towards +x crosses the ring's edges."""
    crossings = 0
    count = len(ring)
    for index in range(count):
        x1, y1 = ring[index]
        x2, y2 = ring[index - 1]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            crossings += 1
    return crossings


def district_at(shapes: Iterable[DistrictShape], x: float, y: float) -> str | None:
    """Return the AGS of the district containing the point, or None if there is none.

    Args:
        shapes: Shapes in any one coordinate system (projected or fitted).
        x: The point's x in the same system.
        y: The point's y in the same system.
    """
    for shape in shapes:
        if contains(shape, x, y):
            return shape.ags
    return None


def centroid(shape: DistrictShape) -> Point:
    """Return the area centroid of the district's largest ring.

    The centroid of a concave district may fall outside it; use :func:`interior_point` for a
    point that is guaranteed to be inside.
    """
    ring = max(shape.rings, key=lambda r: abs(_signed_area(r)))
    area = _signed_area(ring)
    if area == 0:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for index in range(len(ring)):
        x1, y1 = ring[index - 1]
        x2, y2 = ring[index]
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * area), cy / (6 * area)


def _signed_area(ring: Ring) -> float:
    return (
        sum(ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1] for i in range(len(ring))) / 2
    )


def interior_point(shape: DistrictShape) -> Point:
    """Return a point inside the district, near its centroid when that is inside.

    Otherwise the point is the middle of the widest inside stretch along one of several
    horizontal lines through the district (this also handles districts with holes).
    """
    cx, cy = centroid(shape)
    if contains(shape, cx, cy):
        return cx, cy
    _min_x, min_y, _max_x, max_y = bounds([shape])
    best: tuple[float, Point] = (-1.0, (cx, cy))
    for step in range(1, 20):
        y = min_y + (max_y - min_y) * step / 20
        xs = sorted(_edge_crossings_x(shape, y))
        for left, right in zip(xs[::2], xs[1::2], strict=False):
            if right - left > best[0]:
                best = (right - left, ((left + right) / 2, y))
    return best[1]


def _edge_crossings_x(shape: DistrictShape, y: float) -> list[float]:
    """Return the x of every place where the horizontal line at y crosses a ring edge."""
    result: list[float] = []
    for ring in shape.rings:
        for index in range(len(ring)):
            x1, y1 = ring[index]
            x2, y2 = ring[index - 1]
            if (y1 > y) != (y2 > y):
                result.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    return result


def shade_for(count: int, days_since_last: int | None) -> float:
    """Return the fill intensity for a district, from 0 (no contact) to 1 (darkest).

    Recency decides the band (see :func:`legend_steps`); within its band the shade deepens
    with the number of contacts up to ten. Contacts without a known date count as older than
    a year; a negative age (a date in the future) counts as today.

    Args:
        count: Number of contacts with the district.
        days_since_last: Days since the most recent contact, or None if unknown.

    Returns:
        The intensity; 0.0 if there was no contact at all.
    """
    if count <= 0:
        return 0.0
    low, high = _band_for(days_since_last)
    fraction = (min(count, _SATURATING_COUNT) - 1) / (_SATURATING_COUNT - 1)
    return low + (high - low) * fraction


def _band_for(days_since_last: int | None) -> tuple[float, float]:
    days = None if days_since_last is None else max(0, days_since_last)
    for limit, low, high in _BANDS:
        if limit is None or (days is not None and days <= limit):
            return low, high
    raise AssertionError("the last band has no limit")


def legend_steps() -> list[tuple[str, float]]:
    """Return the map legend as (translated label, intensity) pairs, lightest first.

    Each contact band is shown at its middle shade; more contacts make a district darker
    within its band. Labels are translated each call, so the legend follows the current
    language.
    """
    labels = {
        30: _("within 30 days"),
        90: _("within 90 days"),
        365: _("within a year"),
        None: _("more than a year ago"),
    }
    steps = [(_("no contact"), 0.0)]
    for limit, low, high in reversed(_BANDS):
        steps.append((labels[limit], (low + high) / 2))
    return steps
