"""Geometry: areas, perimeters, volumes and coordinates of plane and solid figures."""

from __future__ import annotations

import math
from typing import Any, Literal

CATEGORY = "geometry"


def _length(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number")
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return float(value)


def circle_properties(radius: float) -> dict[str, float]:
    """Compute the area, circumference and diameter of a circle.

    Args:
        radius: Radius of the circle (positive).

    Returns:
        area, circumference and diameter, rounded to 6 decimals.
    """
    r = _length("radius", radius)
    return {
        "area": round(math.pi * r * r, 6),
        "circumference": round(2 * math.pi * r, 6),
        "diameter": round(2 * r, 6),
    }


def triangle_area_from_sides(a: float, b: float, c: float) -> float:
    """Compute the area of a triangle from its three side lengths (Heron's formula).

    Args:
        a: Length of the first side.
        b: Length of the second side.
        c: Length of the third side.

    Returns:
        The area, rounded to 6 decimals.
    """
    a, b, c = _length("a", a), _length("b", b), _length("c", c)
    if a + b <= c or a + c <= b or b + c <= a:
        raise ValueError("the sides violate the triangle inequality")
    s = (a + b + c) / 2
    return round(math.sqrt(s * (s - a) * (s - b) * (s - c)), 6)


def polygon_area(x_coords: list[float], y_coords: list[float]) -> float:
    """Compute the area of a simple polygon from its vertices (shoelace formula).

    Args:
        x_coords: X coordinates of the vertices, in order around the polygon.
        y_coords: Y coordinates of the vertices, same order and length as x_coords.

    Returns:
        The (unsigned) area, rounded to 6 decimals.
    """
    if len(x_coords) != len(y_coords):
        raise ValueError("x_coords and y_coords must have the same length")
    if len(x_coords) < 3:
        raise ValueError("a polygon needs at least three vertices")
    n = len(x_coords)
    twice = sum(
        x_coords[i] * y_coords[(i + 1) % n] - x_coords[(i + 1) % n] * y_coords[i] for i in range(n)
    )
    return round(abs(twice) / 2, 6)


def distance_between_points(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    metric: Literal["euclidean", "manhattan"] = "euclidean",
) -> float:
    """Compute the distance between two points of the plane.

    Args:
        x1: X coordinate of the first point.
        y1: Y coordinate of the first point.
        x2: X coordinate of the second point.
        y2: Y coordinate of the second point.
        metric: 'euclidean' (straight line) or 'manhattan' (grid distance).

    Returns:
        The distance, rounded to 6 decimals.
    """
    if metric == "euclidean":
        return round(math.hypot(x2 - x1, y2 - y1), 6)
    if metric == "manhattan":
        return round(abs(x2 - x1) + abs(y2 - y1), 6)
    raise ValueError("metric must be 'euclidean' or 'manhattan'")


def rectangle_properties(width: float, height: float) -> dict[str, float]:
    """Compute the area, perimeter and diagonal of a rectangle.

    Args:
        width: Width of the rectangle.
        height: Height of the rectangle.

    Returns:
        area, perimeter and diagonal, rounded to 6 decimals.
    """
    w, h = _length("width", width), _length("height", height)
    return {
        "area": round(w * h, 6),
        "perimeter": round(2 * (w + h), 6),
        "diagonal": round(math.hypot(w, h), 6),
    }


def solid_volume(
    shape: Literal["sphere", "cube", "cylinder", "cone", "rectangular_prism"],
    dimension_a: float,
    dimension_b: float | None = None,
    dimension_c: float | None = None,
) -> float:
    """Compute the volume of a common solid.

    Args:
        shape: The solid: sphere (a=radius), cube (a=edge), cylinder and cone (a=radius, b=height),
            rectangular_prism (a, b, c = length, width, height).
        dimension_a: First dimension (radius, edge or length).
        dimension_b: Second dimension (height, or width for a prism) when the shape needs it.
        dimension_c: Third dimension (height of a prism) when the shape needs it.

    Returns:
        The volume, rounded to 6 decimals.
    """
    a = _length("dimension_a", dimension_a)
    needs = {"sphere": 1, "cube": 1, "cylinder": 2, "cone": 2, "rectangular_prism": 3}
    if shape not in needs:
        raise ValueError(f"shape must be one of {sorted(needs)}")
    if needs[shape] >= 2:
        if dimension_b is None:
            raise ValueError(f"{shape} needs dimension_b")
        b = _length("dimension_b", dimension_b)
    if needs[shape] == 3:
        if dimension_c is None:
            raise ValueError(f"{shape} needs dimension_c")
        c = _length("dimension_c", dimension_c)
    volume = {
        "sphere": lambda: 4 / 3 * math.pi * a**3,
        "cube": lambda: a**3,
        "cylinder": lambda: math.pi * a * a * b,
        "cone": lambda: math.pi * a * a * b / 3,
        "rectangular_prism": lambda: a * b * c,
    }[shape]()
    return round(volume, 6)


def sphere_surface_area(radius: float) -> float:
    """Compute the surface area of a sphere.

    Args:
        radius: Radius of the sphere.

    Returns:
        4 * pi * r^2, rounded to 6 decimals.
    """
    r = _length("radius", radius)
    return round(4 * math.pi * r * r, 6)


def regular_polygon_properties(sides: int, side_length: float) -> dict[str, float]:
    """Compute the angles, perimeter and area of a regular polygon.

    Args:
        sides: Number of sides, at least 3.
        side_length: Length of each side.

    Returns:
        interior_angle_deg, exterior_angle_deg, perimeter and area (rounded to 6 decimals).
    """
    if isinstance(sides, bool) or not isinstance(sides, int) or sides < 3:
        raise ValueError("sides must be an integer of at least 3")
    s = _length("side_length", side_length)
    area = sides * s * s / (4 * math.tan(math.pi / sides))
    return {
        "interior_angle_deg": round((sides - 2) * 180 / sides, 6),
        "exterior_angle_deg": round(360 / sides, 6),
        "perimeter": round(sides * s, 6),
        "area": round(area, 6),
    }


def hypotenuse_length(leg_a: float, leg_b: float) -> float:
    """Compute the hypotenuse of a right triangle from its two legs (Pythagoras).

    Args:
        leg_a: Length of the first leg.
        leg_b: Length of the second leg.

    Returns:
        The hypotenuse, rounded to 6 decimals.
    """
    return round(math.hypot(_length("leg_a", leg_a), _length("leg_b", leg_b)), 6)


def midpoint_of_segment(x1: float, y1: float, x2: float, y2: float) -> dict[str, float]:
    """Compute the midpoint and slope of the segment between two points.

    Args:
        x1: X coordinate of the first point.
        y1: Y coordinate of the first point.
        x2: X coordinate of the second point.
        y2: Y coordinate of the second point.

    Returns:
        The midpoint x and y, and the slope (null for a vertical segment).
    """
    slope = None if x1 == x2 else round((y2 - y1) / (x2 - x1), 6)
    return {"x": round((x1 + x2) / 2, 6), "y": round((y1 + y2) / 2, 6), "slope": slope}


def point_in_polygon(x: float, y: float, x_coords: list[float], y_coords: list[float]) -> bool:
    """Tell whether a point lies inside a polygon (ray casting; edges count as outside).

    Args:
        x: X coordinate of the point.
        y: Y coordinate of the point.
        x_coords: X coordinates of the polygon's vertices, in order.
        y_coords: Y coordinates of the polygon's vertices, same order and length.

    Returns:
        True when the point is strictly inside.
    """
    if len(x_coords) != len(y_coords) or len(x_coords) < 3:
        raise ValueError("the polygon needs at least three vertices with matching coordinates")
    inside = False
    n = len(x_coords)
    for i in range(n):
        xi, yi = x_coords[i], y_coords[i]
        xj, yj = x_coords[i - 1], y_coords[i - 1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
    return inside


def convert_angle_unit(
    angle: float, direction: Literal["to_radians", "to_degrees"] = "to_radians"
) -> float:
    """Convert an angle between degrees and radians.

    Args:
        angle: The angle to convert.
        direction: 'to_radians' treats angle as degrees; 'to_degrees' treats it as radians.

    Returns:
        The converted angle, rounded to 8 decimals.
    """
    if direction == "to_radians":
        return round(math.radians(angle), 8)
    if direction == "to_degrees":
        return round(math.degrees(angle), 8)
    raise ValueError("direction must be 'to_radians' or 'to_degrees'")


EXAMPLES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "circle_properties": [
        (
            {"radius": 2},
            {"area": 12.566371, "circumference": 12.566371, "diameter": 4.0},
        ),
    ],
    "triangle_area_from_sides": [({"a": 3, "b": 4, "c": 5}, 6.0)],
    "polygon_area": [({"x_coords": [0, 4, 4, 0], "y_coords": [0, 0, 3, 3]}, 12.0)],
    "distance_between_points": [
        ({"x1": 0, "y1": 0, "x2": 3, "y2": 4}, 5.0),
        ({"x1": 1, "y1": 1, "x2": 4, "y2": 5, "metric": "manhattan"}, 7.0),
    ],
    "rectangle_properties": [
        ({"width": 3, "height": 4}, {"area": 12.0, "perimeter": 14.0, "diagonal": 5.0}),
    ],
    "solid_volume": [
        ({"shape": "sphere", "dimension_a": 3}, 113.097336),
        ({"shape": "cylinder", "dimension_a": 2, "dimension_b": 5}, 62.831853),
        (
            {
                "shape": "rectangular_prism",
                "dimension_a": 2,
                "dimension_b": 3,
                "dimension_c": 4,
            },
            24.0,
        ),
    ],
    "sphere_surface_area": [({"radius": 1}, 12.566371)],
    "regular_polygon_properties": [
        (
            {"sides": 6, "side_length": 2},
            {
                "interior_angle_deg": 120.0,
                "exterior_angle_deg": 60.0,
                "perimeter": 12.0,
                "area": 10.392305,
            },
        ),
    ],
    "hypotenuse_length": [({"leg_a": 5, "leg_b": 12}, 13.0)],
    "midpoint_of_segment": [
        ({"x1": 0, "y1": 0, "x2": 4, "y2": 2}, {"x": 2.0, "y": 1.0, "slope": 0.5}),
        ({"x1": 1, "y1": 0, "x2": 1, "y2": 6}, {"x": 1.0, "y": 3.0, "slope": None}),
    ],
    "point_in_polygon": [
        ({"x": 2, "y": 2, "x_coords": [0, 4, 4, 0], "y_coords": [0, 0, 4, 4]}, True),
        ({"x": 5, "y": 2, "x_coords": [0, 4, 4, 0], "y_coords": [0, 0, 4, 4]}, False),
    ],
    "convert_angle_unit": [
        ({"angle": 180}, 3.14159265),
        ({"angle": 1.5707963267948966, "direction": "to_degrees"}, 90.0),
    ],
}
