"""The cooperation map for print: Thuringia's 22 districts shaded by contacts in a period.

The same shapes and shading as the desktop map (crm.geo), as a reportlab Drawing with a
legend and the data licence's attribution.
"""

from __future__ import annotations

from datetime import date

from reportlab.graphics.shapes import Drawing, Path, Rect, String
from reportlab.lib import colors

from crm import geo
from crm.reports.fonts import FONT, register_fonts
from crm.reports.styles import ACCENT

LEGEND_WIDTH = 120.0
_BORDER = colors.HexColor("#6b7280")


def shade_colour(intensity: float) -> colors.Color:
    """White for no contact, the accent colour at full intensity."""
    t = max(0.0, min(1.0, intensity))
    return colors.Color(1 + (ACCENT.red - 1) * t, 1 + (ACCENT.green - 1) * t,
                        1 + (ACCENT.blue - 1) * t)


def district_map(contacts: dict[str, tuple[int, date]], width: float, height: float,
                 as_of: date, *, labels: bool = True) -> Drawing:
    """A map ``width`` × ``height`` points: districts left, legend and attribution right.

    Args:
        contacts: Per district AGS the number of contacts and the day of the last one.
        as_of: The day recency is measured from (the end of the report's period).
    """
    register_fonts()
    drawing = Drawing(width, height)
    map_width = width - LEGEND_WIDTH
    shapes = geo.fit_to_box(geo.load_districts(), map_width, height, margin=4)
    for shape in shapes:
        count, last = contacts.get(shape.ags, (0, None))
        days = (as_of - last).days if last else None
        drawing.add(_district_path(shape, height, shade_colour(geo.shade_for(count, days))))
    if labels:
        for shape in shapes:
            count, last = contacts.get(shape.ags, (0, None))
            dark = geo.shade_for(count, (as_of - last).days if last else None) > 0.5
            drawing.add(_label(shape, height, count, dark))
    _legend(drawing, map_width + 8, height)
    return drawing


def _district_path(shape: geo.DistrictShape, height: float, fill: colors.Color) -> Path:
    path = Path(fillColor=fill, strokeColor=_BORDER, strokeWidth=0.4, fillMode=1)
    for ring in shape.rings:
        (x0, y0), *rest = ring
        path.moveTo(x0, height - y0)
        for x, y in rest:
            path.lineTo(x, height - y)
        path.closePath()
    return path


def _label(shape: geo.DistrictShape, height: float, count: int, dark: bool) -> String:
    x, y = geo.interior_point(shape)
    text = f"{shape.name} ({count})" if count else shape.name
    return String(x, height - y - 2, text, fontName=FONT, fontSize=5,
                  fillColor=colors.white if dark else colors.HexColor("#1f2937"),
                  textAnchor="middle")


def _legend(drawing: Drawing, left: float, height: float) -> None:
    from crm.i18n import _

    y = height - 12
    drawing.add(String(left, y, _("Last contact"), fontName=FONT, fontSize=7.5))
    for label, intensity in geo.legend_steps():
        y -= 13
        drawing.add(Rect(left, y - 2, 10, 8, fillColor=shade_colour(intensity),
                         strokeColor=_BORDER, strokeWidth=0.4))
        drawing.add(String(left + 14, y, label, fontName=FONT, fontSize=7))
    y -= 12
    drawing.add(String(left, y, _("Darker: more contacts"), fontName=FONT, fontSize=6.5,
                       fillColor=colors.HexColor("#555555")))
    drawing.add(String(left, 2, geo.ATTRIBUTION, fontName=FONT, fontSize=5.5,
                       fillColor=colors.HexColor("#555555")))
