"""Byte-preserving gettext localization for Korean markdown.

The core is pure: :func:`pipeline.document.parse_document` turns text into segments,
:mod:`pipeline.catalog` turns segments into catalogs, :func:`pipeline.splice.splice`
puts translations back.  :mod:`pipeline.cli` is the shell around them.
"""

from __future__ import annotations

from pipeline.document import Document, Segment, parse_document
from pipeline.splice import SpliceResult

# ``splice`` (the function) is not re-exported: it would shadow the ``pipeline.splice`` module.
__all__ = ["Document", "Segment", "SpliceResult", "parse_document"]
