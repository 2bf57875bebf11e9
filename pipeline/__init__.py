"""Byte-preserving gettext localization for Korean markdown.

The core is pure: :func:`pipeline.document.parse_document` turns text into segments,
:mod:`pipeline.catalog` turns segments into catalogs, :func:`pipeline.splice.splice`
puts translations back.  :mod:`pipeline.cli` is the shell around them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.document import Document, Segment, parse_document
    from pipeline.splice import SpliceResult

# ``splice`` (the function) is not re-exported: it would shadow the ``pipeline.splice`` module.
__all__ = ["Document", "Segment", "SpliceResult", "parse_document"]

# Where each public name lives.  They are imported when first asked for (PEP 562), so
# that ``l10n`` (which imports ``pipeline.cli``, hence this package) does not pay for
# the parser and the splicer before it knows it needs them.
_HOMES = {
    "Document": "pipeline.document",
    "Segment": "pipeline.document",
    "parse_document": "pipeline.document",
    "SpliceResult": "pipeline.splice",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # the next look-up is an ordinary one
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
