#!/usr/bin/env python3
"""Render a terminal screen capture (text with ANSI SGR escapes) to a PNG.

Made for the output of ``tmux capture-pane -p -e`` (add ``-N`` to keep
trailing spaces), which is how scripts/screenshots.sh photographs porchlight
for the README, but any text with SGR colour escapes works.

Understood: 16 colours (30-37, 40-47, 90-97, 100-107), 256 colours
(38;5;n / 48;5;n), truecolor (38;2;r;g;b, also the colon forms), bold, dim,
italic, underline, strikethrough, reverse, hidden, and their resets. Other
escape sequences (cursor movement, OSC, charset selection) are skipped.

Everything is drawn on a fixed cell grid. Box-drawing characters
(U+2500-U+257F), block elements (U+2580-U+259F) and Braille (U+2800-U+28FF)
are drawn as shapes filling the cell, the way terminals do, so borders and
bars join up with no gaps; all other characters come from the font.

Only dependency: Pillow (pip install pillow).

Usage:
    ansi2png.py capture.txt out.png [--cols 80] [--rows 24] [--title TEXT]
    tmux capture-pane -p -e -N -t SESSION | ansi2png.py - out.png
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:
    sys.exit("ansi2png.py: the Python package Pillow is missing; "
             "install it with: python3 -m pip install pillow")


# --------------------------------------------------------------------------
# Look: colours and fonts. Edit here.
# --------------------------------------------------------------------------

DEFAULT_BG = (0x1E, 0x1E, 0x2E)   # terminal background
DEFAULT_FG = (0xCD, 0xD6, 0xF4)   # terminal foreground
TITLE_BG = (0x18, 0x18, 0x25)     # title bar
TITLE_FG = (0xA6, 0xAD, 0xC8)     # title text

# The 16 ANSI colours (Catppuccin-Mocha-like). Index 8 is ratatui's DarkGray,
# 7 is Gray, 15 is White.
PALETTE16 = [
    (0x45, 0x47, 0x5A),  # 0 black
    (0xF3, 0x8B, 0xA8),  # 1 red
    (0xA6, 0xE3, 0xA1),  # 2 green
    (0xF9, 0xE2, 0xAF),  # 3 yellow
    (0x89, 0xB4, 0xFA),  # 4 blue
    (0xCB, 0xA6, 0xF7),  # 5 magenta
    (0x94, 0xE2, 0xD5),  # 6 cyan
    (0xBA, 0xC2, 0xDE),  # 7 white (ratatui Gray)
    (0x6C, 0x70, 0x86),  # 8 bright black (ratatui DarkGray)
    (0xF7, 0xA8, 0xBE),  # 9 bright red
    (0xBF, 0xEE, 0xBB),  # 10 bright green
    (0xFB, 0xEB, 0xC6),  # 11 bright yellow
    (0xA7, 0xC8, 0xFB),  # 12 bright blue
    (0xDA, 0xC0, 0xF9),  # 13 bright magenta
    (0xB2, 0xEB, 0xE2),  # 14 bright cyan
    (0xF2, 0xF4, 0xFB),  # 15 bright white (ratatui White)
]

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_CANDIDATES = {
    # style -> files tried in order (absolute, or relative to FONT_DIR)
    "regular": ["DejaVuSansMono.ttf",
                "/usr/share/fonts/dejavu/DejaVuSansMono.ttf",
                "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
                "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
                "/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf",
                "/Library/Fonts/Menlo.ttc", "/System/Library/Fonts/Menlo.ttc",
                "C:/Windows/Fonts/consola.ttf"],
    "bold": ["DejaVuSansMono-Bold.ttf",
             "/usr/share/fonts/dejavu/DejaVuSansMono-Bold.ttf",
             "/usr/share/fonts/TTF/DejaVuSansMono-Bold.ttf",
             "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
             "/usr/share/fonts/truetype/noto/NotoSansMono-Bold.ttf",
             "C:/Windows/Fonts/consolab.ttf"],
    "italic": ["DejaVuSansMono-Oblique.ttf",
               "/usr/share/fonts/dejavu/DejaVuSansMono-Oblique.ttf",
               "/usr/share/fonts/TTF/DejaVuSansMono-Oblique.ttf",
               "/usr/share/fonts/truetype/liberation/LiberationMono-Italic.ttf"],
    "bolditalic": ["DejaVuSansMono-BoldOblique.ttf",
                   "/usr/share/fonts/dejavu/DejaVuSansMono-BoldOblique.ttf",
                   "/usr/share/fonts/TTF/DejaVuSansMono-BoldOblique.ttf",
                   "/usr/share/fonts/truetype/liberation/LiberationMono-BoldItalic.ttf"],
    # used for characters the monospace font lacks (drawn centred in the cell)
    "fallback": ["DejaVuSans.ttf",
                 "/usr/share/fonts/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/TTF/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf",
                 "/usr/share/fonts/truetype/noto/NotoSansSymbols-Regular.ttf"],
}


_BOX_FILTER = getattr(Image, "Resampling", Image).BOX   # Pillow < 9.1 has no Resampling


def warn(msg: str) -> None:
    print(f"ansi2png.py: {msg}", file=sys.stderr)


# --------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------

def xterm256(n: int) -> tuple[int, int, int]:
    if n < 16:
        return PALETTE16[n]
    if n < 232:
        n -= 16
        steps = (0, 95, 135, 175, 215, 255)
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + 10 * (n - 232)
    return (v, v, v)


def blend(a, b, t: float):
    """Mix colour a towards b by t (0..1)."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------

class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "strike",
                 "reverse", "hidden")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None          # None = default, else (r, g, b)
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = False
        self.strike = self.reverse = self.hidden = False

    def copy(self) -> "Style":
        s = Style.__new__(Style)
        for k in Style.__slots__:
            setattr(s, k, getattr(self, k))
        return s


class Cell:
    __slots__ = ("text", "style", "width")

    def __init__(self, text, style, width=1):
        self.text = text
        self.style = style
        self.width = width      # 2 for the first half of a wide char, 0 for its second half


def _ext_colour(params: list[list[str]], i: int):
    """Parse an extended colour starting at params[i] (the 38/48/58 entry).

    Returns (colour or None, index of the last param consumed).
    Handles 38;5;n  38;2;r;g;b  38:5:n  38:2::r:g:b  38:2:r:g:b.
    """
    sub = params[i]
    if len(sub) > 1:                          # colon form, all in one param
        try:
            kind = int(sub[1] or 0)
            if kind == 5:
                return xterm256(int(sub[2]) & 255), i
            if kind == 2:
                rgb = sub[2:]
                if len(rgb) >= 4:             # colour-space id present
                    rgb = rgb[1:]
                r, g, b = (int(x or 0) & 255 for x in rgb[:3])
                return (r, g, b), i
        except (ValueError, IndexError):
            pass
        return None, i
    # semicolon form, spread over following params
    try:
        kind = int(params[i + 1][0] or 0)
        if kind == 5:
            return xterm256(int(params[i + 2][0] or 0) & 255), i + 2
        if kind == 2:
            r, g, b = (int(params[i + k][0] or 0) & 255 for k in (2, 3, 4))
            return (r, g, b), i + 4
    except (ValueError, IndexError):
        pass
    return None, len(params)                  # malformed: drop the rest


def apply_sgr(style: Style, raw: str) -> None:
    params = [p.split(":") for p in raw.split(";")] if raw else [[""]]
    i = 0
    while i < len(params):
        sub = params[i]
        try:
            n = int(sub[0]) if sub[0] else 0
        except ValueError:
            i += 1
            continue
        if n == 0:
            style.reset()
        elif n == 1:
            style.bold = True
        elif n == 2:
            style.dim = True
        elif n == 3:
            style.italic = True
        elif n == 4:
            style.underline = not (len(sub) > 1 and sub[1] == "0")
        elif n == 7:
            style.reverse = True
        elif n == 8:
            style.hidden = True
        elif n == 9:
            style.strike = True
        elif n == 21:
            style.underline = True            # double underline
        elif n == 22:
            style.bold = style.dim = False
        elif n == 23:
            style.italic = False
        elif n == 24:
            style.underline = False
        elif n == 27:
            style.reverse = False
        elif n == 28:
            style.hidden = False
        elif n == 29:
            style.strike = False
        elif 30 <= n <= 37:
            style.fg = PALETTE16[n - 30]
        elif n == 38:
            col, i = _ext_colour(params, i)
            if col is not None:
                style.fg = col
        elif n == 39:
            style.fg = None
        elif 40 <= n <= 47:
            style.bg = PALETTE16[n - 40]
        elif n == 48:
            col, i = _ext_colour(params, i)
            if col is not None:
                style.bg = col
        elif n == 49:
            style.bg = None
        elif n == 58:                         # underline colour: parse, ignore
            _, i = _ext_colour(params, i)
        elif 90 <= n <= 97:
            style.fg = PALETTE16[n - 90 + 8]
        elif 100 <= n <= 107:
            style.bg = PALETTE16[n - 100 + 8]
        # anything else (blink, overline, fonts...) is ignored
        i += 1


# CSI: ESC [ params intermediates final;  OSC: ESC ] ... (BEL | ESC \)
_ESC_RE = re.compile(
    r"\x1b(?:\[([0-?]*)([ -/]*)([@-~])"
    r"|\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|[()*+][0-~]"
    r"|[@-Z\\-_])?"
)


def char_width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def parse(text: str, cols: int, rows: int) -> list[list[Cell | None]]:
    """Turn the capture into a rows x cols grid of cells (None = blank)."""
    grid: list[list[Cell | None]] = [[None] * cols for _ in range(rows)]
    style = Style()
    row = col = 0
    clipped = False
    pos = 0
    text = text.replace("\r\n", "\n")
    if text.endswith("\n"):
        text = text[:-1]

    def put(ch: str) -> None:
        nonlocal col, clipped
        w = char_width(ch)
        if w == 0:                            # combining mark: attach to previous cell
            if row < rows and 0 < col <= cols:
                prev = grid[row][col - 1]
                if prev is not None and prev.width == 0 and col >= 2:
                    prev = grid[row][col - 2]
                if prev is not None:
                    prev.text += ch
            return
        if row >= rows or col + w > cols:
            if ch != " " or style.bg is not None or style.reverse:
                clipped = True
            col += w
            return
        grid[row][col] = Cell(ch, style.copy(), w)
        if w == 2:
            grid[row][col + 1] = Cell("", style.copy(), 0)
        col += w

    def emit(chunk: str) -> None:
        nonlocal row, col
        for ch in chunk:
            if ch == "\n":
                row += 1
                col = 0
            elif ch == "\t":
                for _ in range(8 - col % 8):
                    put(" ")
            elif ch == "\r":
                col = 0
            elif ch == "\b":
                col = max(0, col - 1)
            elif ord(ch) < 0x20 or ord(ch) == 0x7F:
                continue
            else:
                put(ch)

    for m in _ESC_RE.finditer(text):
        emit(text[pos:m.start()])
        pos = m.end()
        if m.group(3) == "m" and not m.group(2):
            params = m.group(1)
            if not params.startswith(("?", ">", "<", "=")):
                apply_sgr(style, params)
    emit(text[pos:])
    if clipped:
        warn(f"capture is larger than {cols}x{rows}; the excess was cut off "
             "(use --cols/--rows)")
    return grid


# --------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------

def find_font(style: str, explicit: str | None, size: int):
    paths = [explicit] if explicit else []
    paths += [p if os.path.isabs(p) else os.path.join(FONT_DIR, p)
              for p in FONT_CANDIDATES[style]]
    for p in paths:
        if p and os.path.exists(p):
            try:
                return ImageFont.truetype(p, size), p
            except OSError:
                continue
    if explicit:
        warn(f"cannot load font {explicit}")
    return None, None


class Fonts:
    def __init__(self, size: int, regular=None, bold=None):
        self.regular, path = find_font("regular", regular, size)
        if self.regular is None:
            sys.exit("ansi2png.py: no monospace font found; install DejaVu Sans "
                     "Mono (Debian/Ubuntu: apt-get install fonts-dejavu-core) "
                     "or pass --font PATH")
        self.bold, _ = find_font("bold", bold, size)
        if self.bold is None:
            warn("no bold monospace font found; bold text is drawn in the regular face")
            self.bold = self.regular
        self.italic, _ = find_font("italic", None, size)
        self.bolditalic, _ = find_font("bolditalic", None, size)
        self.italic = self.italic or self.regular
        self.bolditalic = self.bolditalic or self.bold
        self.fallback, _ = find_font("fallback", None, size)
        self._missing_cache: dict[tuple[int, str], bool] = {}
        self._notdef = {}

        ascent, descent = self.regular.getmetrics()
        self.ascent = ascent
        self.cell_w = max(1, round(self.regular.getlength("M")))
        self.cell_h = ascent + descent

    def pick(self, bold: bool, italic: bool):
        if bold and italic:
            return self.bolditalic
        if bold:
            return self.bold
        if italic:
            return self.italic
        return self.regular

    def has_glyph(self, font, ch: str) -> bool:
        """True unless the font would draw its 'missing glyph' box for ch."""
        key = (id(font), ch)
        if key not in self._missing_cache:
            if id(font) not in self._notdef:
                self._notdef[id(font)] = _mask_bytes(font, "\U0010FFFD")
            m = _mask_bytes(font, ch)
            self._missing_cache[key] = m != self._notdef[id(font)]
        return self._missing_cache[key]


def _mask_bytes(font, ch):
    try:
        m = font.getmask(ch)
        return (m.size, bytes(m))
    except Exception:
        return None


# --------------------------------------------------------------------------
# Cell-filling shapes: box drawing, blocks, Braille
# --------------------------------------------------------------------------

# Box drawing U+2500..U+257F as four digits: up, down, left, right arms,
# 0 = none, 1 = light, 2 = heavy, 3 = double. The others are special shapes:
# "h31" = dashed, horizontal (h) or vertical (v), 3 dashes, light (1) or
# heavy (2); "arcDR" etc = rounded corners; "diag/" etc = diagonals.
_BOX = {}
_BOX_SPEC = """
2500 0011 2501 0022 2502 1100 2503 2200
2504 h31 2505 h32 2506 v31 2507 v32 2508 h41 2509 h42 250A v41 250B v42
250C 0101 250D 0102 250E 0201 250F 0202 2510 0110 2511 0120 2512 0210 2513 0220
2514 1001 2515 1002 2516 2001 2517 2002 2518 1010 2519 1020 251A 2010 251B 2020
251C 1101 251D 1102 251E 2101 251F 1201 2520 2201 2521 2102 2522 1202 2523 2202
2524 1110 2525 1120 2526 2110 2527 1210 2528 2210 2529 2120 252A 1220 252B 2220
252C 0111 252D 0121 252E 0112 252F 0122 2530 0211 2531 0221 2532 0212 2533 0222
2534 1011 2535 1021 2536 1012 2537 1022 2538 2011 2539 2021 253A 2012 253B 2022
253C 1111 253D 1121 253E 1112 253F 1122 2540 2111 2541 1211 2542 2211 2543 2121
2544 2112 2545 1221 2546 1212 2547 2122 2548 1222 2549 2221 254A 2212 254B 2222
254C h21 254D h22 254E v21 254F v22
2550 0033 2551 3300 2552 0103 2553 0301 2554 0303 2555 0130 2556 0310 2557 0330
2558 1003 2559 3001 255A 3003 255B 1030 255C 3010 255D 3030 255E 1103 255F 3301
2560 3303 2561 1130 2562 3310 2563 3330 2564 0133 2565 0311 2566 0333 2567 1033
2568 3011 2569 3033 256A 1133 256B 3311 256C 3333
256D arcDR 256E arcDL 256F arcUL 2570 arcUR 2571 diag/ 2572 diag\\ 2573 diagX
2574 0010 2575 1000 2576 0001 2577 0100 2578 0020 2579 2000 257A 0002 257B 0200
257C 0012 257D 1200 257E 0021 257F 2100
"""
_toks = _BOX_SPEC.split()
for _k, _v in zip(_toks[::2], _toks[1::2]):
    _BOX[chr(int(_k, 16))] = _v.replace("\\\\", "\\")
del _toks


def is_shape_char(ch: str) -> bool:
    if len(ch) != 1:
        return False
    o = ord(ch)
    return o in range(0x2500, 0x25A0) or o in range(0x2800, 0x2900)


class ShapeRenderer:
    """Draws box/block/Braille characters as alpha masks exactly one cell big."""

    SS = 4  # supersampling for curves and diagonals

    def __init__(self, cw: int, ch: int):
        self.cw, self.ch = cw, ch
        self.t1 = max(1, round(cw / 10))              # light line thickness
        self.t2 = max(self.t1 + 1, round(self.t1 * 2.2))  # heavy
        self.g = self.t1                               # double-line offset from centre
        self.cx = cw // 2
        self.cy = ch // 2
        self.cache: dict[str, Image.Image] = {}

    def mask(self, ch: str) -> Image.Image:
        m = self.cache.get(ch)
        if m is None:
            m = self.cache[ch] = self._make(ch)
        return m

    # --- helpers working in supersampled space -----------------------------
    def _new(self):
        s = self.SS
        img = Image.new("L", (self.cw * s, self.ch * s), 0)
        return img, ImageDraw.Draw(img)

    def _done(self, img):
        return img.resize((self.cw, self.ch), _BOX_FILTER)

    def _rect(self, d, x0, y0, x1, y1, fill=255):
        """Fill pixel rectangle [x0, x1) x [y0, y1) given in 1x pixels."""
        s = self.SS
        if x1 > x0 and y1 > y0:
            d.rectangle([x0 * s, y0 * s, x1 * s - 1, y1 * s - 1], fill=fill)

    def _thick(self, w: int) -> int:
        return {1: self.t1, 2: self.t2, 3: self.t1}[w]

    def _band(self, centre: int, t: int):
        lo = centre - t // 2
        return lo, lo + t

    # --- the shapes ---------------------------------------------------------
    def _make(self, ch: str) -> Image.Image:
        o = ord(ch)
        if 0x2800 <= o <= 0x28FF:
            return self._braille(o - 0x2800)
        if 0x2580 <= o <= 0x259F:
            return self._block(o)
        if 0x25A0 <= o:
            raise KeyError(ch)
        spec = _BOX[ch]
        if spec[0] in "hv":
            return self._dashed(spec)
        if spec.startswith("arc"):
            return self._arc(spec[3:])
        if spec.startswith("diag"):
            return self._diag(spec[4:])
        return self._lines(*(int(c) for c in spec))

    def _lines(self, u, dn, l, r):
        """Straight arms from the centre to the cell edges.

        Light and heavy arms are one stroke; double arms are two strokes
        g pixels either side of the centre line, cut so that corners,
        T-junctions and crossings look like a terminal draws them."""
        img, d = self._new()
        g, t1 = self.g, self.t1
        arms = {"U": u, "D": dn, "L": l, "R": r}
        opposite = {"U": "D", "D": "U", "L": "R", "R": "L"}

        def thick(w):
            return self._thick(w)

        for a, w in arms.items():
            if not w:
                continue
            horiz = a in "LR"
            plus = a in "RD"                 # arm runs towards +x / +y
            sgn = 1 if plus else -1
            c_along = self.cx if horiz else self.cy
            c_across = self.cy if horiz else self.cx
            edge = self.cw if horiz else self.ch
            neg_side, pos_side = ("U", "D") if horiz else ("L", "R")

            def along(off, t):
                return self._band(c_along + off, t)

            def stroke(band_start, off, t):
                """Draw from band_start (a band on the arm's axis) to the edge,
                centred `off` px across the axis."""
                lo, hi = (band_start[0], edge) if plus else (0, band_start[1])
                a0, a1 = self._band(c_across + off, t)
                if horiz:
                    self._rect(d, lo, a0, hi, a1)
                else:
                    self._rect(d, a0, lo, a1, hi)

            pn, pp = arms[neg_side], arms[pos_side]
            if w in (1, 2):
                t = thick(w)
                if 3 in (pn, pp):
                    if pn and pp and not arms[opposite[a]]:
                        b = along(sgn * g, t1)       # T into a double line: near stroke
                    else:
                        b = along(-sgn * g, t1)      # corner / crossing: far stroke
                elif pn or pp:
                    bands = [along(0, thick(x)) for x in (pn, pp) if x]
                    b = (min(x[0] for x in bands), max(x[1] for x in bands))
                else:
                    b = along(0, t)
                stroke(b, 0, t)
            else:
                for side, other, off in ((neg_side, pos_side, -g), (pos_side, neg_side, g)):
                    if arms[side] == 3:
                        b = along(sgn * g, t1)       # inner corner: stop at the near stroke
                    elif arms[side]:
                        b = along(0, thick(arms[side]))
                    elif arms[other] == 3:
                        b = along(-sgn * g, t1)      # outer corner: reach the far stroke
                    elif arms[other]:
                        b = along(0, thick(arms[other]))
                    else:
                        b = along(0, t1)
                    stroke(b, off, t1)
        return self._done(img)

    def _dashed(self, spec):
        img, d = self._new()
        orient, n, w = spec[0], int(spec[1]), int(spec[2])
        t = self._thick(w)
        length = self.cw if orient == "h" else self.ch
        seg = length / n
        gap = max(1, round(seg * 0.3))
        for i in range(n):
            a = round(i * seg + gap / 2)
            b = round((i + 1) * seg - gap / 2)
            if orient == "h":
                y0, y1 = self._band(self.cy, t)
                self._rect(d, a, y0, b, y1)
            else:
                x0, x1 = self._band(self.cx, t)
                self._rect(d, x0, a, x1, b)
        return self._done(img)

    def _arc(self, which):
        """Rounded corners ╭╮╯╰: straight stubs plus a quarter circle."""
        s = self.SS
        img, d = self._new()
        t = self.t1
        cw, ch = self.cw, self.ch
        # centre line of the strokes, in supersampled coordinates
        x0, x1 = self._band(self.cx, t)
        y0, y1 = self._band(self.cy, t)
        lx = (x0 + x1) / 2 * s
        ly = (y0 + y1) / 2 * s
        r = min(lx, cw * s - lx, ly, ch * s - ly)
        vert_down = "D" in which
        horiz_right = "R" in which
        # centre of the circle
        ccx = lx + (r if horiz_right else -r)
        ccy = ly + (r if vert_down else -r)
        half = t * s / 2
        w = t * s * 1.25          # a touch wider: antialiasing makes curves look thinner
        # straight parts
        if horiz_right:
            d.rectangle([ccx, ly - half, cw * s, ly + half - 1], fill=255)
        else:
            d.rectangle([0, ly - half, ccx, ly + half - 1], fill=255)
        if vert_down:
            d.rectangle([lx - half, ccy, lx + half - 1, ch * s], fill=255)
        else:
            d.rectangle([lx - half, 0, lx + half - 1, ccy], fill=255)
        # quarter circle (PIL angles: 0 = 3 o'clock, clockwise)
        start = {("D", "R"): 180, ("D", "L"): 270, ("U", "L"): 0, ("U", "R"): 90}[
            ("D" if vert_down else "U", "R" if horiz_right else "L")]
        ro = r + w / 2
        d.arc([ccx - ro, ccy - ro, ccx + ro, ccy + ro], start, start + 90,
              fill=255, width=max(1, round(w)))
        return self._done(img)

    def _diag(self, which):
        s = self.SS
        img, d = self._new()
        W, H = self.cw * s, self.ch * s
        w = max(1, round(self.t1 * s * 1.2))
        if which in ("/", "X"):
            d.line([(W, 0), (0, H)], fill=255, width=w)
        if which in ("\\", "X"):
            d.line([(0, 0), (W, H)], fill=255, width=w)
        return self._done(img)

    def _block(self, o):
        cw, ch = self.cw, self.ch
        img = Image.new("L", (cw, ch), 0)
        d = ImageDraw.Draw(img)

        def rect(x0, y0, x1, y1, fill=255):
            if x1 > x0 and y1 > y0:
                d.rectangle([x0, y0, x1 - 1, y1 - 1], fill=fill)

        hx, hy = round(cw / 2), round(ch / 2)
        if o == 0x2580:
            rect(0, 0, cw, hy)
        elif 0x2581 <= o <= 0x2588:                    # lower n/8
            n = o - 0x2580
            rect(0, ch - round(ch * n / 8), cw, ch)
        elif 0x2589 <= o <= 0x258F:                    # left n/8
            n = 0x2590 - o
            rect(0, 0, round(cw * n / 8), ch)
        elif o == 0x2590:
            rect(hx, 0, cw, ch)
        elif 0x2591 <= o <= 0x2593:                    # shades
            rect(0, 0, cw, ch, fill=(64, 128, 192)[o - 0x2591])
        elif o == 0x2594:
            rect(0, 0, cw, round(ch / 8))
        elif o == 0x2595:
            rect(cw - round(cw / 8), 0, cw, ch)
        else:                                          # quadrants
            quads = {0x2596: "3", 0x2597: "4", 0x2598: "1", 0x2599: "134",
                     0x259A: "14", 0x259B: "123", 0x259C: "124", 0x259D: "2",
                     0x259E: "23", 0x259F: "234"}[o]
            boxes = {"1": (0, 0, hx, hy), "2": (hx, 0, cw, hy),
                     "3": (0, hy, hx, ch), "4": (hx, hy, cw, ch)}
            for q in quads:
                rect(*boxes[q])
        return img

    def _braille(self, bits):
        s = self.SS
        img, d = self._new()
        W, H = self.cw * s, self.ch * s
        # dot order: 1 2 3 7 down the left column, 4 5 6 8 down the right
        pos = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]
        rad = min(W / 2, H / 4) * 0.28
        for bit, (cx, cy) in enumerate(pos):
            if bits & (1 << bit):
                x = W * (0.3 + 0.4 * cx)
                y = H * (0.125 + 0.25 * cy)
                d.ellipse([x - rad, y - rad, x + rad, y + rad], fill=255)
        return self._done(img)


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

def resolve(style: Style):
    fg = style.fg if style.fg is not None else DEFAULT_FG
    bg = style.bg if style.bg is not None else DEFAULT_BG
    if style.reverse:
        fg, bg = bg, fg
    if style.dim:
        fg = blend(fg, bg, 0.45)
    if style.hidden:
        fg = bg
    return fg, bg


def render(grid, fonts: Fonts, title: str | None, pad: int) -> Image.Image:
    rows, cols = len(grid), len(grid[0]) if grid else 0
    cw, ch = fonts.cell_w, fonts.cell_h
    bar_h = round(ch * 1.6) if title is not None else 0
    width = cols * cw + 2 * pad
    height = rows * ch + 2 * pad + bar_h
    img = Image.new("RGB", (width, height), DEFAULT_BG)
    draw = ImageDraw.Draw(img)
    shapes = ShapeRenderer(cw, ch)
    ox, oy = pad, pad + bar_h

    if title is not None:
        draw.rectangle([0, 0, width - 1, bar_h - 1], fill=TITLE_BG)
        r = max(2, round(ch * 0.22))
        for i, colour in enumerate(((0xF3, 0x8B, 0xA8), (0xF9, 0xE2, 0xAF),
                                    (0xA6, 0xE3, 0xA1))):
            x = pad + r + i * r * 3.2
            draw.ellipse([x - r, bar_h / 2 - r, x + r, bar_h / 2 + r], fill=colour)
        if title:
            f = fonts.regular
            draw.text((width / 2, bar_h / 2), title, font=f, fill=TITLE_FG, anchor="mm")

    # pass 1: backgrounds
    for y, line in enumerate(grid):
        for x, cell in enumerate(line):
            if cell is None:
                continue
            _, bg = resolve(cell.style)
            if bg != DEFAULT_BG:
                draw.rectangle([ox + x * cw, oy + y * ch,
                                ox + (x + 1) * cw - 1, oy + (y + 1) * ch - 1], fill=bg)

    # pass 2: glyphs and decorations
    warned_missing = set()
    line_t = max(1, round(ch / 16))
    for y, line in enumerate(grid):
        for x, cell in enumerate(line):
            if cell is None or cell.width == 0:
                continue
            st = cell.style
            fg, _ = resolve(st)
            px, py = ox + x * cw, oy + y * ch
            text = cell.text
            if text and text != " " and not st.hidden:
                if is_shape_char(text):
                    img.paste(fg, (px, py), shapes.mask(text))
                else:
                    font = fonts.pick(st.bold, st.italic)
                    if not fonts.has_glyph(font, text[0]):
                        if fonts.fallback is not None and fonts.has_glyph(fonts.fallback, text[0]):
                            font = fonts.fallback
                        elif text[0] not in warned_missing:
                            warned_missing.add(text[0])
                            warn(f"no font has a glyph for {text[0]!r} "
                                 f"(U+{ord(text[0]):04X}); drawn as a box")
                    cell_px = cw * cell.width
                    adv = font.getlength(text)
                    dx = (cell_px - adv) / 2
                    draw.text((px + dx, py + fonts.ascent), text, font=font,
                              fill=fg, anchor="ls")
            if st.underline:
                uy = py + fonts.ascent + max(1, round(ch * 0.08))
                draw.rectangle([px, uy, px + cw * cell.width - 1, uy + line_t - 1], fill=fg)
            if st.strike:
                sy = py + round(ch * 0.52)
                draw.rectangle([px, sy, px + cw * cell.width - 1, sy + line_t - 1], fill=fg)
    return img


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Render a terminal capture with ANSI colour escapes "
                    "(tmux capture-pane -p -e) to a PNG.")
    ap.add_argument("input", help="capture file, or - for stdin")
    ap.add_argument("output", help="PNG file to write")
    ap.add_argument("--cols", type=int, default=80, help="grid width in cells (default 80)")
    ap.add_argument("--rows", type=int, default=24, help="grid height in cells (default 24)")
    ap.add_argument("--title", help="draw a window title bar with this text above the screen")
    ap.add_argument("--font-size", type=int, default=16, help="font size in pixels (default 16)")
    ap.add_argument("--scale", type=int, default=1,
                    help="multiply all sizes, e.g. 2 for sharp images on HiDPI screens")
    ap.add_argument("--padding", type=int, default=12, help="border around the screen in pixels (default 12)")
    ap.add_argument("--font", help="regular monospace font file (default DejaVu Sans Mono)")
    ap.add_argument("--font-bold", help="bold monospace font file")
    args = ap.parse_args(argv)

    if args.cols < 1 or args.rows < 1 or args.scale < 1 or args.font_size < 4:
        ap.error("--cols, --rows, --scale must be positive and --font-size at least 4")

    if args.input == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(args.input, "rb") as fh:
                data = fh.read()
        except OSError as e:
            sys.exit(f"ansi2png.py: cannot read {args.input}: {e.strerror}")
    text = data.decode("utf-8", errors="replace")

    fonts = Fonts(args.font_size * args.scale, args.font, args.font_bold)
    grid = parse(text, args.cols, args.rows)
    img = render(grid, fonts, args.title, args.padding * args.scale)
    try:
        img.save(args.output, "PNG", optimize=True)
    except OSError as e:
        sys.exit(f"ansi2png.py: cannot write {args.output}: {e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
