"""ecsim.ScenarioError: every problem of a scenario or sweep, each at its JSON Pointer."""

from __future__ import annotations

from typing import Iterable, List, Tuple


class ScenarioError(ValueError):
    """An invalid scenario or sweep file.

    ``problems`` lists every problem found, as ``(pointer, message)`` pairs: ``pointer`` is the
    JSON Pointer (RFC 6901) of the offending value (``""`` for the whole document) and ``message``
    says what is wrong and what would be valid. ``str(error)`` shows one problem per line, as
    ``ecsim validate`` prints them.
    """

    def __init__(self, problems: Iterable[Tuple[str, str]]) -> None:
        self.problems: List[Tuple[str, str]] = [(str(p), str(m)) for p, m in problems]
        # The only argument, so the exception pickles (process pools, Dask) and unpickles intact.
        super().__init__(self.problems)

    @property
    def pointer(self) -> str:
        """The JSON Pointer of the first problem."""
        return self.problems[0][0] if self.problems else ""

    def __str__(self) -> str:
        return "\n".join(f"{pointer or '/'}: {message}" for pointer, message in self.problems)


# Shown and pickled as ecsim.ScenarioError, the name users import.
ScenarioError.__module__ = "ecsim"
