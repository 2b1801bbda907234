"""Domain errors. The CLI turns each into one line and an exit status."""

from __future__ import annotations


class BeleidsbronError(Exception):
    """Base class: every error the library raises on purpose."""


class DocumentError(BeleidsbronError):
    """A document could not be ingested; `reason` says why in a few words."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason

    def __reduce__(self) -> tuple[type[DocumentError], tuple[str, str]]:
        # pickled with its two fields, not its message: a cluster worker's reading errors come back whole
        return self.__class__, (self.file, self.reason)
