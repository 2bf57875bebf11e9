"""Where ``msgcat --width=N`` breaks a string: GNU libunistring 1.0's line breaking.

gettext 0.21 wraps PO strings with libunistring's ``ulc_width_linebreaks``: Unicode line
breaking (UAX #14, as libunistring implements it) finds the places a line may end, and a
greedy pass breaks at the last such place before a line would pass the width, counting
columns with ``uc_width`` (Hangul and other wide characters take two).  Korean text is
written with spaces, but UAX #14 treats Hangul syllables like ideographs, so a wrapped
line may end between two syllables of one word: that is what gettext writes, and what
this module reproduces.  The class and width data are read from the library itself by
``tools/gen_linebreak_data.py``; ``tests/test_linebreak.py`` compares this module with
the library and with msgcat.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection

from pipeline.linebreak_data import CLASS_RUNS, PAIRS, WIDTH_RUNS

__all__ = ["PROHIBITED", "line_starts", "possible_breaks", "width"]

#: Break opportunities, libunistring's UC_BREAK_* values.
PROHIBITED, POSSIBLE, MANDATORY = 0, 1, 2

# libunistring 1.0's LBP_* numbers (lbrktables.h); 0..32 index the pair table.
_WJ, _BA, _HY, _AL, _ID, _HL, _RI, _ZWJ = 0, 3, 5, 20, 23, 28, 29, 30
_BK, _CR, _LF, _CM, _ZW, _SP, _CB, _AI, _SA, _XX = 33, 34, 35, 36, 37, 38, 39, 40, 41, 42
# A pseudo class: Hebrew letter followed by a hyphen or break-after (rule LB21a).
_HL_BA = 100


def _runs(text: str) -> tuple[list[int], list[int]]:
    starts, values = [], []
    for pair in text.split():
        start, value = pair.split(":")
        starts.append(int(start, 16))
        values.append(int(value, 16))
    return starts, values


_CLASS_STARTS, _CLASSES = _runs(CLASS_RUNS)
_WIDTH_STARTS, _WIDTHS = _runs(WIDTH_RUNS)
_PAIRS = PAIRS.split()


def _lookup(starts: list[int], values: list[int], char: str) -> int:
    return values[bisect.bisect_right(starts, ord(char)) - 1]


# Per character: (resolved class, columns); filled as characters are met.
_CACHE: dict[str, tuple[int, int]] = {}


def _properties(char: str) -> tuple[int, int]:
    found = _CACHE.get(char)
    if found is None:
        prop = _lookup(_CLASS_STARTS, _CLASSES, char)
        if prop in (_AI, _SA, _XX):  # UTF-8 is not a CJK encoding: ambiguous is alphabetic
            prop = _AL
        elif prop == _CB:
            prop = _ID
        columns = _lookup(_WIDTH_STARTS, _WIDTHS, char)
        found = _CACHE[char] = (prop, -1 if columns == 0xFF else columns)
    return found


def width(char: str) -> int:
    """Columns ``char`` takes: 2 for wide (Hangul, CJK), 0 for combining, -1 for controls."""
    return _properties(char)[1]


def possible_breaks(text: str) -> list[int]:
    """Per character: may a line start there (POSSIBLE), must it (MANDATORY), or not.

    libunistring's ``u8_possible_linebreaks_loop``: the pair table for most pairs, with
    its special cases for spaces, combining marks, zero-width (joiner) space, regional
    indicators and Hebrew hyphens.
    """
    return _marks([_properties(char)[0] for char in text])


def _marks(classes: list[int]) -> list[int]:
    """:func:`possible_breaks` over line break classes: one loop, as in libunistring."""
    marks = [PROHIBITED] * len(classes)
    prev, last, seen_space, ri_count = _BK, _BK, False, 0
    pairs = _PAIRS
    for index, prop in enumerate(classes):
        if prop >= _BK:  # the classes outside the pair table
            if prop <= _LF:  # BK, CR, LF: a mandatory break
                marks[index] = MANDATORY
                prev, last, seen_space, ri_count = prop, _BK, False, 0
                continue
            if prop == _SP:
                seen_space = True
            elif prop == _ZW:
                last, seen_space = _ZW, False
            elif last in (_BK, _ZW) or seen_space:  # CM: starts over as AL after these
                marks[index] = POSSIBLE if last != _BK else PROHIBITED
                last, seen_space = _AL, False
        elif prop == _ZWJ and last not in (_BK, _ZW) and not seen_space:
            pass  # a joiner sticks to what precedes it, as a combining mark does
        elif prop == _ZWJ:
            marks[index] = POSSIBLE if last != _BK else PROHIBITED
            last, seen_space = _AL, False
        elif last == _BK or prev in (_ZWJ, _HL_BA):
            last, seen_space = prop, False
        elif last == _ZW:
            marks[index] = POSSIBLE
            last, seen_space = prop, False
        else:
            if last == _RI and prop == _RI:
                rule = "D" if seen_space or ri_count % 2 == 0 else "P"
            else:
                rule = pairs[last][prop]
            if rule == "D" or (rule == "I" and seen_space):
                marks[index] = POSSIBLE
            last, seen_space = prop, False
        prev = _HL_BA if prev == _HL and prop in (_HY, _BA) else prop
        ri_count = ri_count + 1 if prop == _RI else 0
    return marks


def line_starts(
    text: str, *, columns: int, start_column: int, prohibited: Collection[int] = ()
) -> list[int]:
    """Indices of ``text`` where ``ulc_width_linebreaks`` starts a new line.

    ``columns`` is the width a line may fill, ``start_column`` where the first line
    starts; no line starts at an index in ``prohibited`` (gettext's escape sequences).
    A piece of text between two opportunities goes on the next line when it would pass
    ``columns``.
    """
    properties = [_properties(char) for char in text]
    widths = [cells if cells > 0 else 0 for _, cells in properties]
    if start_column + sum(widths) <= columns:
        return []  # everything fits: no opportunity can be taken
    marks = _marks([prop for prop, _ in properties])
    for index in prohibited:
        marks[index] = PROHIBITED
    starts: list[int] = []
    last_break: int | None = None
    last_column, piece = start_column, 0
    for index, mark in enumerate(marks):
        if mark != PROHIBITED and last_break is not None and last_column + piece > columns:
            starts.append(last_break)
            last_column = 0
        if mark == MANDATORY:
            last_break, last_column, piece = None, 0, 0
            continue
        if mark == POSSIBLE:
            last_break, last_column, piece = index, last_column + piece, 0
        piece += widths[index]
    if last_break is not None and last_column + piece > columns:
        starts.append(last_break)
    return starts
