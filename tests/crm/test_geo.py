"""The offline district map: loading, projection, fitting, hit testing and shading."""

from __future__ import annotations

import pytest

from crm.geo import (
    ATTRIBUTION,
    DistrictShape,
    bounds,
    centroid,
    contains,
    district_at,
    fit_to_box,
    interior_point,
    legend_steps,
    load_districts,
    shade_for,
)
from crm.i18n import set_language

GERA = "16052"
WEIMAR = "16055"
WEIMARER_LAND = "16071"


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def _shape(shapes: list[DistrictShape], ags: str) -> DistrictShape:
    return next(shape for shape in shapes if shape.ags == ags)


def test_loads_the_22_districts_of_thuringia_sorted_by_key() -> None:
    shapes = load_districts()

    assert len(shapes) == 22
    assert [s.ags for s in shapes] == sorted(s.ags for s in shapes)
    assert all(s.ags.startswith("16") and len(s.ags) == 5 for s in shapes)
    assert _shape(shapes, GERA).name == "Gera"


def test_loading_is_cached_but_returns_a_fresh_list() -> None:
    first = load_districts()
    first.clear()

    assert len(load_districts()) == 22
    assert load_districts()[0] is load_districts()[0]


def test_projection_corrects_for_latitude() -> None:
    # Thuringia spans 2.77° of longitude and 1.45° of latitude, i.e. about 194 km by 161 km.
    # Uncorrected degrees would give a ratio of about 1.9.
    min_x, min_y, max_x, max_y = bounds(load_districts())

    assert 1.1 < (max_x - min_x) / (max_y - min_y) < 1.35


def test_centroid_of_gera_lies_in_gera() -> None:
    shapes = load_districts()
    x, y = centroid(_shape(shapes, GERA))

    assert district_at(shapes, x, y) == GERA


def test_a_point_far_outside_belongs_to_no_district() -> None:
    assert district_at(load_districts(), 0.0, 0.0) is None


def test_weimar_is_a_hole_in_weimarer_land() -> None:
    shapes = load_districts()
    x, y = centroid(_shape(shapes, WEIMAR))

    assert not contains(_shape(shapes, WEIMARER_LAND), x, y)
    assert district_at(shapes, x, y) == WEIMAR


def test_interior_point_avoids_the_hole() -> None:
    shapes = load_districts()
    x, y = interior_point(_shape(shapes, WEIMARER_LAND))

    assert district_at(shapes, x, y) == WEIMARER_LAND


def test_every_district_has_an_interior_point_that_hits_it() -> None:
    shapes = load_districts()

    for shape in shapes:
        assert district_at(shapes, *interior_point(shape)) == shape.ags


def test_fit_to_box_keeps_aspect_and_margin_with_y_down() -> None:
    shapes = load_districts()
    fitted = fit_to_box(shapes, 800, 600, 10)

    min_x, min_y, max_x, max_y = bounds(fitted)
    assert min_x >= 10 - 1e-9 and max_x <= 790 + 1e-9
    assert min_y >= 10 - 1e-9 and max_y <= 590 + 1e-9
    assert pytest.approx(max_y - min_y) == 580  # height is the limiting side
    src = bounds(shapes)
    assert pytest.approx((max_x - min_x) / (max_y - min_y)) == (src[2] - src[0]) / (src[3] - src[1])
    # Nordhausen (north) ends up above Sonneberg (south).
    assert centroid(_shape(fitted, "16062"))[1] < centroid(_shape(fitted, "16072"))[1]


def test_hit_testing_works_in_box_coordinates() -> None:
    fitted = fit_to_box(load_districts(), 800, 600, 10)

    assert district_at(fitted, *centroid(_shape(fitted, GERA))) == GERA
    assert district_at(fitted, 1, 1) is None


def test_fit_to_a_box_smaller_than_the_margins_collapses_to_its_centre() -> None:
    fitted = fit_to_box(load_districts(), 10, 10, 20)

    assert bounds(fitted) == pytest.approx((5, 5, 5, 5))


def test_no_contact_is_blank() -> None:
    assert shade_for(0, None) == 0.0
    assert shade_for(0, 3) == 0.0


@pytest.mark.parametrize("days", [None, 0, 10, 30, 31, 90, 200, 365, 1000])
def test_more_contacts_never_lighten(days: int | None) -> None:
    shades = [shade_for(count, days) for count in range(0, 15)]

    assert shades == sorted(shades)
    assert all(0.0 <= s <= 1.0 for s in shades)


@pytest.mark.parametrize("count", [1, 3, 10, 50])
def test_more_recent_contact_never_lightens(count: int) -> None:
    days = [0, 1, 30, 31, 90, 91, 365, 366, 5000]
    shades = [shade_for(count, d) for d in days]

    assert shades == sorted(shades, reverse=True)
    assert shade_for(count, 10) > shade_for(count, 60) > shade_for(count, 200)
    assert shade_for(count, 200) > shade_for(count, 400) > 0.0
    assert shade_for(count, None) == shade_for(count, 400)


def test_recency_outweighs_frequency() -> None:
    assert shade_for(1, 5) >= shade_for(100, 60)


def test_shade_is_one_for_frequent_recent_contact() -> None:
    assert shade_for(10, 0) == 1.0


def test_legend_runs_from_no_contact_to_recent_and_lightest_to_darkest() -> None:
    steps = legend_steps()

    assert steps[0] == ("no contact", 0.0)
    assert steps[-1][0] == "within 30 days"
    values = [value for _label, value in steps]
    assert values == sorted(values)
    assert len(set(values)) == len(values)


def test_attribution_names_the_source() -> None:
    assert "GeoBasis-DE / BKG" in ATTRIBUTION
