"""The values that go to Pushover and come back: frozen, keyword-only attrs models.

Request models check every documented rule when they are built, so an invalid request
cannot exist and nothing invalid is ever sent: a broken rule raises
:class:`~chump_typed.errors.ValidationError` naming the field and the bound. A value of
the wrong type raises :class:`TypeError`.

One module per API family: :mod:`~chump_typed.models.messages` (sending),
:mod:`~chump_typed.models.followups` (sounds, validation, receipts, limits),
:mod:`~chump_typed.models.attachment`,
:mod:`~chump_typed.models.groups`, :mod:`~chump_typed.models.accounts` (glances,
subscriptions, licences, teams) and :mod:`~chump_typed.models.client_api` (receiving:
the Open Client API); every name is also importable from here. A field whose
wire form differs from the converter's default names its rule in its metadata
(``wire("blank_is_none")``); :mod:`chump_typed._converter` applies it. Field names are
Pushover's own parameter names.
"""

from __future__ import annotations

import typing as _typing

from chump_typed.errors import ErrorResponse
from chump_typed.models import _base, _lazy, attachment, messages
from chump_typed.models._base import *
from chump_typed.models.attachment import *
from chump_typed.models.messages import *

if _typing.TYPE_CHECKING:  # the other families, loaded on first use (__getattr__)
    from chump_typed.models._lazy import *

__all__: list[str] = ["ErrorResponse"]
__all__ += _base.__all__
__all__ += attachment.__all__
__all__ += messages.__all__
__all__ += _lazy.__all__

if not _typing.TYPE_CHECKING:  # hidden: type checkers see the imports above

    def __getattr__(name: str) -> object:
        module = _lazy.WHERE.get(name)
        if module is None:
            raise AttributeError(
                f"module 'chump_typed.models' has no attribute {name!r}"
            )
        from importlib import import_module

        value = getattr(import_module(module), name)
        globals()[name] = value  # later lookups skip this function
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_lazy.WHERE})
