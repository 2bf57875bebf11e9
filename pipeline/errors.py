"""Exceptions the pipeline raises for bad input; each names a file, a line and a fix."""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "ConfigError",
    "LockError",
    "PathError",
    "PipelineError",
    "SourceError",
]


class PipelineError(Exception):
    """A problem with user input that stops one document or one command.

    ``path`` and ``line`` (1-based, optional) say where; ``hint`` says what to do.
    ``str(error)`` renders as ``path:line: message (hint)``, the format compilers use,
    so editors and CI logs can jump to the spot.
    """

    def __init__(
        self, message: str, *, path: str | None = None, line: int | None = None, hint: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    @property
    def location(self) -> str:
        """``path:line``, ``path`` or an empty string."""
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class SourceError(PipelineError):
    """A source markdown document cannot be read or parsed."""


class CatalogError(PipelineError):
    """A PO or POT file cannot be read, or a language code is unusable."""


class ConfigError(PipelineError):
    """The configuration file or a command-line option has a bad value."""


class PathError(PipelineError):
    """A path would lead outside the project's folders (a link, ``..``, an absolute path)."""


class LockError(PipelineError):
    """Another run holds the lock of the folder this run writes to."""
