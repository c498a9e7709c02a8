"""Registries of plug-ins by name: readers and scorers.

An unknown name raises :class:`~serviceart.errors.RegistryError` listing the
known ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .errors import RegistryError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """A named collection of plug-ins.

    Parameters
    ----------
    kind
        What the plug-ins are ("reader", "scorer"), used in messages.

    Examples
    --------
    >>> r: Registry[int] = Registry("number")
    >>> _ = r.register("one")(1)
    >>> r.get("one"), r.names()
    (1, ['one'])
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator registering a plug-in under ``name`` (re-registering replaces it)."""

        def deco(obj: T) -> T:
            self._items[name] = obj
            return obj

        return deco

    def get(self, name: str) -> T:
        """The plug-in registered as ``name``."""
        try:
            return self._items[name]
        except KeyError:
            raise RegistryError(
                f"no {self.kind} named {name!r}; known {self.kind}s: {self.names()}",
                field=self.kind, code="SA-G001"
            ) from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._items)

    def __iter__(self) -> Iterator[tuple[str, T]]:
        return iter(sorted(self._items.items()))

    def __contains__(self, name: object) -> bool:
        return name in self._items
