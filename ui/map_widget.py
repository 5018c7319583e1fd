"""The cooperation map ("Kooperationskarte"): Thuringia's districts shaded by contact activity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from crm.geo import (
    ATTRIBUTION,
    DistrictShape,
    district_at,
    fit_to_box,
    interior_point,
    legend_steps,
    load_districts,
    shade_for,
)
from crm.i18n import _, ngettext

ContactStats = tuple[int, int | None, str | None]
"""Per district: number of contacts, days since the last one, its date as display text."""

_NO_CONTACT_COLOR = QColor("#f0f0ee")
_SHADE_STOPS: tuple[tuple[float, QColor], ...] = (
    (0.0, QColor("#deebf7")),
    (0.35, QColor("#9ecae1")),
    (0.65, QColor("#4292c6")),
    (1.0, QColor("#08306b")),
)
_BORDER_COLOR = QColor("#6b6b6b")
_HOVER_COLOR = QColor("#e6550d")
_MARGIN = 12.0
_PADDING = 8.0
_SWATCH = 14.0


@dataclass(frozen=True, slots=True)
class _Area:
    """A district laid out in widget coordinates."""

    ags: str
    name: str
    path: QPainterPath
    anchor: QPointF


def color_for(intensity: float) -> QColor:
    """Return the fill colour for an intensity from :func:`crm.geo.shade_for`.

    Args:
        intensity: 0 for no contact, up to 1 for frequent, recent contact.
    """
    if intensity <= 0:
        return QColor(_NO_CONTACT_COLOR)
    intensity = min(intensity, 1.0)
    for (low, low_color), (high, high_color) in zip(_SHADE_STOPS, _SHADE_STOPS[1:], strict=False):
        if intensity <= high:
            t = (intensity - low) / (high - low)
            return QColor.fromRgbF(
                low_color.redF() + (high_color.redF() - low_color.redF()) * t,
                low_color.greenF() + (high_color.greenF() - low_color.greenF()) * t,
                low_color.blueF() + (high_color.blueF() - low_color.blueF()) * t,
            )
    return QColor(_SHADE_STOPS[-1][1])


class DistrictMapWidget(QWidget):
    """Draws the 22 districts, shaded by contact statistics, with a legend and attribution.

    Hovering a district highlights it and shows its name and last contact as a tooltip;
    clicking it emits :attr:`district_clicked` with its AGS.
    """

    district_clicked = Signal(str)

    def __init__(
        self, parent: QWidget | None = None, shapes: Sequence[DistrictShape] | None = None
    ) -> None:
        """Create the map.

        Args:
            parent: The parent widget.
            shapes: Projected district shapes; defaults to :func:`crm.geo.load_districts`.
        """
        super().__init__(parent)
        self._shapes = list(shapes) if shapes is not None else load_districts()
        self._stats: dict[str, ContactStats] = {}
        self._fitted: list[DistrictShape] = []
        self._areas: list[_Area] = []
        self._layout_size = QSize()
        self._legend_rect = QRectF()
        self._hovered: str | None = None
        self._pressed: str | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(self.minimumSizeHint())
        self.retranslate()

    # -- public API -------------------------------------------------------------------------

    def set_contact_stats(self, stats: dict[str, ContactStats]) -> None:
        """Shade the districts by contact activity.

        Args:
            stats: AGS → (contact count, days since the last contact or None, the last
                contact's date as display text or None). Districts not listed have no contact.
        """
        self._stats = dict(stats)
        self._refresh_tooltip()
        self.update()

    def point_for(self, ags: str) -> QPointF:
        """Return a widget coordinate inside the district with the given AGS.

        Raises:
            KeyError: If no district has that key.
        """
        self._ensure_layout()
        for shape in self._fitted:
            if shape.ags == ags:
                x, y = interior_point(shape)
                return QPointF(x, y)
        raise KeyError(ags)

    def district_at(self, point: QPointF) -> str | None:
        """Return the AGS of the district under a widget coordinate, or None."""
        self._ensure_layout()
        return district_at(self._fitted, point.x(), point.y())

    def hovered_district(self) -> str | None:
        """Return the AGS of the highlighted district under the mouse, or None."""
        return self._hovered

    def retranslate(self) -> None:
        """Set all texts in the current language."""
        self.setAccessibleName(_("Cooperation map"))
        self.setAccessibleDescription(
            _("Thuringia's districts, shaded by how recently and how often we had contact.")
        )
        self._refresh_tooltip()
        self._layout_size = QSize()  # the legend's width depends on the language
        self.update()

    # -- Qt overrides -----------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(800, 600)

    def minimumSizeHint(self) -> QSize:
        return QSize(320, 240)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        elif event.type() == QEvent.Type.FontChange:
            self._layout_size = QSize()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout_size = QSize()  # forces a new layout
        super().resizeEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._set_hovered(self.district_at(event.position()))
        if self._hovered is not None and self.toolTip():
            QToolTip.showText(event.globalPosition().toPoint(), self.toolTip(), self)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hovered(None)
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._pressed = self.district_at(event.position())
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            ags = self.district_at(event.position())
            if ags is not None and ags == self._pressed:
                self.district_clicked.emit(ags)
            self._pressed = None
        super().mouseReleaseEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._ensure_layout()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        self._paint_districts(painter)
        self._paint_names(painter)
        self._paint_hover(painter)
        self._paint_legend(painter)
        self._paint_attribution(painter)
        painter.end()

    # -- layout -----------------------------------------------------------------------------

    def _ensure_layout(self) -> None:
        if self._layout_size == self.size():
            return
        self._layout_size = self.size()
        map_height = self.height() - self._attribution_height()
        self._fitted = fit_to_box(self._shapes, self.width(), map_height, _MARGIN)
        width, height = self._legend_size()
        self._legend_rect = self._legend_box(width, height)
        if self._covered_points(self._legend_rect):
            # No corner is free: shrink the map to the left of the legend instead of hiding it.
            map_width = max(0.0, self.width() - width - _MARGIN)
            self._fitted = fit_to_box(self._shapes, map_width, map_height, _MARGIN)
        self._areas = [self._area(shape) for shape in self._fitted]

    @staticmethod
    def _area(shape: DistrictShape) -> _Area:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.OddEvenFill)
        for ring in shape.rings:
            # One call per ring rather than per vertex: GeoJSON rings are already closed.
            path.addPolygon(QPolygonF([QPointF(x, y) for x, y in ring]))
        return _Area(shape.ags, shape.name, path, QPointF(*interior_point(shape)))

    def _small_font(self, factor: float = 0.85) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * factor))
        return font

    def _attribution_height(self) -> float:
        return QFontMetricsF(self._small_font(0.75)).height() + _PADDING

    # -- hover and tooltip ------------------------------------------------------------------

    def _set_hovered(self, ags: str | None) -> None:
        if ags == self._hovered:
            return
        self._hovered = ags
        self._refresh_tooltip()
        if ags is None:
            QToolTip.hideText()
        self.update()

    def _refresh_tooltip(self) -> None:
        area = next((a for a in self._areas if a.ags == self._hovered), None)
        self.setToolTip("" if area is None else self._tooltip_text(area.ags, area.name))

    def _tooltip_text(self, ags: str, name: str) -> str:
        count, _days, last = self._stats.get(ags, (0, None, None))
        if count <= 0:
            return "\n".join((name, _("No contact yet")))
        last_line = (
            _("Last contact: {date}").format(date=last) if last else _("Last contact: unknown")
        )
        contacts = ngettext("{n} contact", "{n} contacts", count).format(n=count)
        return "\n".join((name, last_line, contacts))

    # -- painting ---------------------------------------------------------------------------

    def _paint_districts(self, painter: QPainter) -> None:
        painter.setPen(QPen(_BORDER_COLOR, 0.8))
        for area in self._areas:
            count, days, _last = self._stats.get(area.ags, (0, None, None))
            painter.setBrush(color_for(shade_for(count, days)))
            painter.drawPath(area.path)

    def _paint_names(self, painter: QPainter) -> None:
        """Write each district's name where it fits; the tooltip names the others."""
        painter.setFont(self._small_font(0.7))
        metrics = QFontMetricsF(painter.font())
        for area in self._areas:
            box = metrics.boundingRect(area.name)
            if box.width() > 0.8 * area.path.boundingRect().width():
                continue
            box.moveCenter(area.anchor)
            if area.path.contains(box):
                count, days, _last = self._stats.get(area.ags, (0, None, None))
                dark = color_for(shade_for(count, days)).lightnessF() < 0.5
                painter.setPen(QColor("#ffffff" if dark else "#333333"))
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, area.name)

    def _paint_hover(self, painter: QPainter) -> None:
        area = next((a for a in self._areas if a.ags == self._hovered), None)
        if area is None:
            return
        count, days, _last = self._stats.get(area.ags, (0, None, None))
        painter.setBrush(color_for(shade_for(count, days)).lighter(125))
        painter.setPen(QPen(_HOVER_COLOR, 2.5))
        painter.drawPath(area.path)
        painter.setFont(self._small_font(0.9))
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        self._draw_label(painter, area.name, area.anchor)

    def _draw_label(self, painter: QPainter, text: str, anchor: QPointF) -> None:
        metrics = QFontMetricsF(painter.font())
        box = metrics.boundingRect(text).adjusted(-4, -2, 4, 2)
        box.moveCenter(anchor - QPointF(0, box.height()))
        background = QColor(self.palette().color(QPalette.ColorRole.Base))
        background.setAlphaF(0.85)
        painter.fillRect(box, background)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _legend_texts() -> tuple[str, str, list[tuple[str, float]]]:
        return _("Last contact"), _("Darker: more contacts"), legend_steps()

    def _legend_line(self) -> float:
        return max(QFontMetricsF(self._small_font()).height(), _SWATCH) + 3

    def _legend_size(self) -> tuple[float, float]:
        title, note, steps = self._legend_texts()
        metrics = QFontMetricsF(self._small_font())
        texts = [title, note, *(label for label, _value in steps)]
        width = max(metrics.horizontalAdvance(t) for t in texts) + _SWATCH + 3 * _PADDING
        return width, self._legend_line() * (len(steps) + 2) + 2 * _PADDING

    def _paint_legend(self, painter: QPainter) -> None:
        title, note, steps = self._legend_texts()
        painter.setFont(self._small_font())
        line = self._legend_line()
        box = self._legend_rect
        width = box.width()
        self._draw_panel(painter, box)
        text_color = self.palette().color(QPalette.ColorRole.Text)
        x, y = box.left() + _PADDING, box.top() + _PADDING
        painter.setPen(text_color)
        painter.drawText(QRectF(x, y, width, line), Qt.AlignmentFlag.AlignVCenter, title)
        for index, (label, value) in enumerate(steps, start=1):
            row = QRectF(x, y + index * line, width, line)
            swatch = QRectF(x, row.center().y() - _SWATCH / 2, _SWATCH, _SWATCH)
            painter.setPen(QPen(_BORDER_COLOR, 0.8))
            painter.setBrush(color_for(value))
            painter.drawRect(swatch)
            painter.setPen(text_color)
            text_rect = row.adjusted(_SWATCH + _PADDING, 0, 0, 0)
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, label)
        note_rect = QRectF(x, y + (len(steps) + 1) * line, width, line)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(note_rect, Qt.AlignmentFlag.AlignVCenter, note)

    def _legend_box(self, width: float, height: float) -> QRectF:
        """Place the legend in the corner that hides the least of the map."""
        bottom = self.height() - self._attribution_height()
        corners = (
            QPointF(self.width() - _MARGIN - width, _MARGIN),
            QPointF(_MARGIN, _MARGIN),
            QPointF(self.width() - _MARGIN - width, bottom - height),
            QPointF(_MARGIN, bottom - height),
        )
        boxes = [QRectF(corner.x(), corner.y(), width, height) for corner in corners]
        return min(boxes, key=self._covered_points)

    def _covered_points(self, box: QRectF) -> int:
        return sum(
            box.contains(x, y) for shape in self._fitted for ring in shape.rings for x, y in ring
        )

    def _draw_panel(self, painter: QPainter, box: QRectF) -> None:
        background = QColor(self.palette().color(QPalette.ColorRole.Base))
        background.setAlphaF(0.9)
        painter.setBrush(background)
        painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Mid), 0.8))
        painter.drawRoundedRect(box, 4, 4)

    def _paint_attribution(self, painter: QPainter) -> None:
        painter.setFont(self._small_font(0.75))
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        box = QRectF(self.rect()).adjusted(_PADDING, 0, -_PADDING, -_PADDING / 2)
        flags = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom
        painter.drawText(box, flags, ATTRIBUTION)
