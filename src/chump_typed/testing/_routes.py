"""The fake's route table: every API family's routes, in one tuple to match against.

Adding a call to the fake is a handler and a ``route(...)`` in its family's module.
"""

from __future__ import annotations

from typing import Final

from chump_typed.testing import _accounts, _client_api, _groups, _messages
from chump_typed.testing._state import Route

__all__ = ["ROUTES"]

#: Every endpoint of pushover-api.md §2-§13.
ROUTES: Final[tuple[Route, ...]] = (
    *_messages.ROUTES,
    *_groups.ROUTES,
    *_accounts.ROUTES,
    *_client_api.ROUTES,
)
