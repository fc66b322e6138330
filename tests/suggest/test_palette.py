"""The bundled label colours are told apart, by everyone: CIEDE2000 distances, also under colour blindness.

Targets (issue 17): any two entity labels shown by default differ by at least 20 in CIEDE2000,
any two entity labels by 10, any two top-level issues by 12, in their own colours and in the
darker underline the window draws for an issue on a light page. The default entity labels stay
12 apart for people with protanopia or deuteranopia (Machado et al. 2009, full severity).
CIEDE2000 is implemented here from Sharma, Wu and Dalal (2005) and checked on their test pairs.
"""

from __future__ import annotations

import colorsys
import itertools
import math

import pytest

from annotator.store.scope import DEFAULT_ENTITY_SCOPE
from annotator.suggest import load_entity_labels
from annotator.suggest.taxonomy import load_taxonomy

# -- colour science --------------------------------------------------------------------------------

_WHITE = (0.95047, 1.0, 1.08883)  # D65


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _encoded(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))


def lab(srgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in srgb)
    xyz = (
        0.4124564 * r + 0.3575761 * g + 0.1804375 * b,
        0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
        0.0193339 * r + 0.1191920 * g + 0.9503041 * b,
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, _WHITE, strict=True))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def ciede2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if not c1p * c2p:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt(
        (dl / s_l) ** 2 + (dc / s_c) ** 2 + (dh_big / s_h) ** 2 + r_t * (dc / s_c) * (dh_big / s_h)
    )


# Machado, Oliveira and Fernandes (2009), severity 1.0, on linear RGB.
_CVD = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
}


def seen_with(kind: str, srgb):
    lin = [_linear(c) for c in srgb]
    m = _CVD[kind]
    return tuple(_encoded(sum(m[i][j] * lin[j] for j in range(3))) for i in range(3))


def underline(srgb):
    """The issue underline on a light page: ``QColor.darker(165)`` (HSV value / 1.65)."""
    h, s, v = colorsys.rgb_to_hsv(*srgb)
    return colorsys.hsv_to_rgb(h, s, v / 1.65)


def closest(colours: dict[str, tuple], see=lambda c: c) -> tuple[float, str, str]:
    labs = {name: lab(see(c)) for name, c in colours.items()}
    return min((ciede2000(labs[a], labs[b]), a, b) for a, b in itertools.combinations(labs, 2))


# -- the implementation against the published test data ------------------------------------------


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_matches_sharmas_test_pairs(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_lab_of_white_and_a_primary():
    assert lab((1.0, 1.0, 1.0)) == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert lab(rgb("#ff0000")) == pytest.approx((53.24, 80.09, 67.20), abs=0.05)


# -- the bundled palette ------------------------------------------------------------------------


def entity_colours() -> dict[str, tuple]:
    return {lab_.name: rgb(lab_.colour) for lab_ in load_entity_labels()}


def top_issue_colours() -> dict[str, tuple]:
    return {lab_.name: rgb(lab_.colour) for lab_ in load_taxonomy().labels() if not lab_.parent}


def test_the_entities_shown_by_default_are_at_least_20_apart():
    default = {n: c for n, c in entity_colours().items() if n in DEFAULT_ENTITY_SCOPE}
    assert len(default) == 7
    d, a, b = closest(default)
    assert d >= 20, f"{a} and {b} are only {d:.1f} apart"


@pytest.mark.parametrize("kind", sorted(_CVD))
def test_the_default_entities_stay_apart_with_colour_blindness(kind):
    default = {n: c for n, c in entity_colours().items() if n in DEFAULT_ENTITY_SCOPE}
    d, a, b = closest(default, lambda c: seen_with(kind, c))
    assert d >= 12, f"with {kind}, {a} and {b} are only {d:.1f} apart"


def test_any_two_entity_labels_are_at_least_10_apart():
    d, a, b = closest(entity_colours())
    assert d >= 10, f"{a} and {b} are only {d:.1f} apart"


def test_any_two_top_level_issues_are_at_least_12_apart_and_so_are_their_underlines():
    colours = top_issue_colours()
    assert len(colours) >= 12
    d, a, b = closest(colours)
    assert d >= 12, f"{a} and {b} are only {d:.1f} apart"
    d, a, b = closest(colours, underline)
    assert d >= 12, f"the underlines of {a} and {b} are only {d:.1f} apart"
