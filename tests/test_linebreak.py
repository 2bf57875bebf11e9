"""Line breaking as msgcat --width does it: hand-checked UAX #14 facts and libunistring itself."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.linebreak import MANDATORY, POSSIBLE, PROHIBITED, line_starts, possible_breaks, width

_, Y, M = PROHIBITED, POSSIBLE, MANDATORY


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("가나 다.", [_, Y, _, Y, _]),  # between syllables and after a space; never before "."
        ("abc def-ghi", [_, _, _, _, Y, _, _, _, Y, _, _]),  # after a space and a hyphen
        ("(가)", [_, _, _]),  # not inside brackets
        ("가\u2028나", [_, M, _]),  # a line separator forces a break after it
        ("가\u0301나", [_, _, Y]),  # a combining mark sticks to its base
        ("a\u200bb", [_, _, Y]),  # a zero-width space allows a break after it
    ],
)
def test_possible_breaks(text: str, expected: list[int]) -> None:
    assert possible_breaks(text) == expected


def test_hangul_is_two_columns_wide_and_marks_take_none() -> None:
    assert [width(c) for c in "가a\u0301\x01"] == [2, 1, 0, -1]


def test_line_starts_fill_each_line_greedily() -> None:
    assert line_starts("가나다라마바사", columns=6, start_column=0) == [3, 6]
    assert line_starts("가나다라마바사", columns=6, start_column=4) == [1, 4]
    assert line_starts("가나다", columns=6, start_column=0) == []
    # A space stays at the end of its line; a word too long for a line stays whole.
    assert line_starts("ab cd ef", columns=5, start_column=0) == [3]
    assert line_starts("abcdefgh ij", columns=5, start_column=0) == [9]
    # No line may start where the caller forbids it (inside an escape sequence).
    assert line_starts("가나다라", columns=4, start_column=0, prohibited=[2]) == [1, 3]


# --------------------------------------------------------------------------- libunistring

_LIBRARY_NAME = ctypes.util.find_library("unistring")
needs_libunistring = pytest.mark.skipif(
    _LIBRARY_NAME is None, reason="GNU libunistring is not installed (it comes with gettext)"
)

# One or two characters of every line break class, and the special ones several times.
ALPHABET = st.sampled_from(
    list("가각나 a1-/.,;:!?()[]{}\"'%$+#&*<>|~`\t")
    + list("「」『』、。・ー〜ァあ漢字\u00a0\u00ad\u2010\u2014\u2024\u2060\ufeff")
    + list("\u200b\u200d\u0301\u05d0\u05d1\u0e01\u1100\u1161\u11a8\u2028\u00a7\ufffc\u0378")
    + ["\U0001f1e6", "\U0001f1e7", "\U0001f466", "\U0001f3fb", "\U0001f02c", "\u231a"]
)


def _library() -> ctypes.CDLL:
    library = ctypes.CDLL(_LIBRARY_NAME)
    library.u8_width_linebreaks.argtypes = [
        ctypes.c_char_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
    ]
    return library


def _library_line_starts(text: str, columns: int, start: int) -> list[int]:
    data = text.encode("utf-8")
    result = ctypes.create_string_buffer(len(data))
    _library().u8_width_linebreaks(data, len(data), columns, start, 0, None, b"UTF-8", result)
    starts, offset = [], 0
    for index, char in enumerate(text):
        if result.raw[offset] == 2:  # UC_BREAK_POSSIBLE in libunistring's numbering
            starts.append(index)
        offset += len(char.encode("utf-8"))
    return starts


@needs_libunistring
@settings(max_examples=400, deadline=None)
@given(st.text(ALPHABET, max_size=40), st.integers(1, 20), st.integers(0, 10))
def test_line_starts_agree_with_libunistring(text: str, columns: int, start: int) -> None:
    assert line_starts(text, columns=columns, start_column=start) == _library_line_starts(
        text, columns, start
    )
