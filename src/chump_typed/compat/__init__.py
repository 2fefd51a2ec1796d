"""chump's interface, on top of the typed core.

``Application``, ``User``, ``Message`` and ``EmergencyMessage`` keep chump 1.6.0's names,
signatures and behaviour: mutable objects with lazily loaded attributes, ``send()``
returning a bool and keeping the :class:`~chump_typed.errors.APIError` in ``.error``.
Underneath, each message holds an immutable :class:`~chump_typed.models.Notification`
snapshot; setting an attribute validates by building the next snapshot, so an invalid
message cannot be sent. The deliberate differences from chump are listed in
``docs/migrating.md``; the main ones: ``expire`` is at most 10800 (Pushover's current
limit), setters never do network I/O, tokens are redacted from reprs, and an emergency
``send()`` does not poll behind your back.

This is the only mutable layer of the library. Each object owns its state behind its
own lock and changes only through its own methods (see
:mod:`chump_typed.compat._application`).
"""

from __future__ import annotations

from chump_typed.compat._application import Application
from chump_typed.compat._messages import (
    EMERGENCY,
    HIGH,
    LOW,
    LOWEST,
    NORMAL,
    EmergencyMessage,
    Message,
)
from chump_typed.compat._user import User

__all__ = [
    "EMERGENCY",
    "HIGH",
    "LOW",
    "LOWEST",
    "NORMAL",
    "Application",
    "EmergencyMessage",
    "Message",
    "User",
]
