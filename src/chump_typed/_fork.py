"""Renewal after ``os.fork()``: objects that hold sockets, threads or locks register
here and are told when they find themselves in a forked child.

A child inherits its parent's pooled sockets and every lock in the state some thread
left it in. Sharing a socket crosses answers between the processes; a lock held by a
thread that does not exist in the child is never released. So each registered object
drops what it inherited (without closing or shutting it down: that would disturb the
parent's connection) and starts afresh.
"""

from __future__ import annotations

import os
import weakref
from typing import Final, Protocol

__all__ = ["Renewable", "renew_after_fork"]


class Renewable(Protocol):
    """An object that can start afresh in a forked child."""

    def _after_fork_in_child(self) -> None: ...


# Keyed by id() rather than a WeakSet: objects that define __eq__ may be unhashable.
_registered: Final[weakref.WeakValueDictionary[int, Renewable]] = (
    weakref.WeakValueDictionary()
)


def renew_after_fork(thing: Renewable) -> None:
    """Call ``thing._after_fork_in_child()`` in every child forked while it lives."""
    _registered[id(thing)] = thing


def _renew_all() -> None:
    for thing in list(_registered.values()):
        thing._after_fork_in_child()  # pyright: ignore[reportPrivateUsage]


if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork
    os.register_at_fork(after_in_child=_renew_all)
