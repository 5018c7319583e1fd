"""The cooperation map widget: clicking, hovering and drawing Thuringia's districts."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from crm.i18n import set_language
from ui.map_widget import DistrictMapWidget, color_for

GERA = "16052"
SCREENS = Path("/tmp/screens")


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


@pytest.fixture
def map_widget(qtbot: QtBot) -> DistrictMapWidget:
    widget = DistrictMapWidget()
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _stats() -> dict[str, tuple[int, int | None, str | None]]:
    return {
        "16051": (42, 3, "12.05.2025"),  # Erfurt
        "16053": (20, 12, "03.05.2025"),  # Jena
        "16055": (15, 25, "20.04.2025"),  # Weimar
        GERA: (2, 70, "06.03.2025"),
        "16056": (1, 400, None),  # Eisenach, merged into Wartburgkreis: ignored
        "16077": (1, 200, "28.10.2024"),  # Altenburger Land
        "16062": (1, 500, "01.01.2024"),  # Nordhausen
        "16063": (3, 80, "24.02.2025"),  # Wartburgkreis
    }


def test_click_on_gera_emits_its_key(qtbot: QtBot, map_widget: DistrictMapWidget) -> None:
    point = map_widget.point_for(GERA).toPoint()

    with qtbot.waitSignal(map_widget.district_clicked, timeout=1000) as blocker:
        qtbot.mouseClick(map_widget, Qt.MouseButton.LeftButton, pos=point)

    assert blocker.args == [GERA]


def test_click_outside_thuringia_emits_nothing(qtbot: QtBot, map_widget: DistrictMapWidget) -> None:
    with qtbot.assertNotEmitted(map_widget.district_clicked):
        qtbot.mouseClick(map_widget, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))


def test_every_district_can_be_clicked(qtbot: QtBot, map_widget: DistrictMapWidget) -> None:
    for ags in [f"160{n}" for n in range(51, 56)] + [f"160{n}" for n in range(61, 78)]:
        assert map_widget.district_at(map_widget.point_for(ags)) == ags


def test_hover_highlights_and_tells_the_last_contact(
    qtbot: QtBot, map_widget: DistrictMapWidget
) -> None:
    map_widget.set_contact_stats(_stats())

    qtbot.mouseMove(map_widget, map_widget.point_for(GERA).toPoint())

    qtbot.waitUntil(lambda: map_widget.hovered_district() == GERA, timeout=1000)
    assert map_widget.toolTip() == "Gera\nLast contact: 06.03.2025\n2 contacts"


def test_hover_on_a_district_without_contact(qtbot: QtBot, map_widget: DistrictMapWidget) -> None:
    qtbot.mouseMove(map_widget, map_widget.point_for("16072").toPoint())

    qtbot.waitUntil(lambda: map_widget.hovered_district() == "16072", timeout=1000)
    assert map_widget.toolTip() == "Sonneberg\nNo contact yet"


def test_point_for_an_unknown_key_raises(map_widget: DistrictMapWidget) -> None:
    with pytest.raises(KeyError):
        map_widget.point_for("16056")


def test_map_follows_resizes(qtbot: QtBot, map_widget: DistrictMapWidget) -> None:
    before = map_widget.point_for(GERA)
    map_widget.resize(400, 300)

    qtbot.waitUntil(lambda: map_widget.point_for(GERA) != before, timeout=1000)
    point = map_widget.point_for(GERA)
    assert 0 < point.x() < 400 and 0 < point.y() < 300
    assert map_widget.district_at(point) == GERA


def test_darker_shades_for_more_intense_contact() -> None:
    assert color_for(0.0).lightnessF() > color_for(0.2).lightnessF()
    assert color_for(0.2).lightnessF() > color_for(0.6).lightnessF()
    assert color_for(0.6).lightnessF() > color_for(1.0).lightnessF()


def test_map_renders_with_legend(qtbot: QtBot, map_widget: DistrictMapWidget) -> None:
    map_widget.set_contact_stats(_stats())
    qtbot.mouseMove(map_widget, map_widget.point_for("16053").toPoint())
    qtbot.waitUntil(lambda: map_widget.hovered_district() == "16053", timeout=1000)

    image = map_widget.grab().toImage()
    SCREENS.mkdir(parents=True, exist_ok=True)
    assert image.save(str(SCREENS / "map.png"))

    erfurt = _colors_near(image, map_widget.point_for("16051"))
    sonneberg = _colors_near(image, map_widget.point_for("16072"))
    assert color_for(1.0).rgb() in erfurt  # 42 contacts, 3 days ago
    assert color_for(0.0).rgb() in sonneberg  # no contact
    assert color_for(1.0).rgb() not in sonneberg


def _colors_near(image: QImage, point: QPointF, radius: int = 10) -> set[int]:
    """Return the RGB values around a point (its centre may carry the district's name)."""
    x, y = round(point.x()), round(point.y())
    return {
        image.pixel(x + dx, y + dy)
        for dx in range(-radius, radius + 1)
        for dy in range(-radius, radius + 1)
    }
