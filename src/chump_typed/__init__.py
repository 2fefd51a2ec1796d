"""chump_typed: a typed, declarative Pushover client with chump's interface on top.

Two ways in:

* the chump-compatible facade: :class:`Application`, :class:`User`, :class:`Message`,
  :class:`EmergencyMessage`, :class:`APIError` and the priority constants;
* the typed core: :class:`Client` with frozen request and result models, whose
  :meth:`Client.call` runs any row of the endpoint table.
"""

from __future__ import annotations

import typing as _typing

from chump_typed import _lazy, client, errors
from chump_typed._endpoints import SEND_EMERGENCY, SEND_MESSAGE, Credential, Endpoint
from chump_typed.client import *
from chump_typed.errors import *
from chump_typed.models import _base as _models_base
from chump_typed.models import attachment as _attachment
from chump_typed.models import messages as _messages
from chump_typed.models._base import *
from chump_typed.models.attachment import *
from chump_typed.models.messages import *
from chump_typed.protocol import AsyncTransport, HTTPRequest, HTTPResponse, Transport

if _typing.TYPE_CHECKING:  # imported on first use: see __getattr__ below
    from chump_typed._lazy import *

__all__: list[str] = [
    "SEND_EMERGENCY",
    "SEND_MESSAGE",
    "AsyncTransport",
    "Credential",
    "Endpoint",
    "HTTPRequest",
    "HTTPResponse",
    "Transport",
]
__all__ += client.__all__
__all__ += errors.__all__
__all__ += _models_base.__all__
__all__ += _attachment.__all__
__all__ += _messages.__all__
__all__ += _lazy.__all__

if _typing.TYPE_CHECKING:
    __version__: str
else:
    # Hidden from type checkers: a module-level __getattr__ would make every misspelt
    # name (``chump_typed.Clinet``) type-check. They see the lazy names imported above.
    # Names load on first use, so that ``import chump_typed`` stays cheap for scripts
    # that need neither the chump facade nor the urllib3 transport (nor urllib3).
    def __getattr__(name: str) -> object:
        module = _lazy.WHERE.get(name)
        if module is not None:
            from importlib import import_module

            value = getattr(import_module(module), name)
            globals()[name] = value  # later lookups skip this function
            return value
        # The version comes from the installed metadata, read only when asked for.
        if name == "__version__":
            from importlib.metadata import version

            return version("chump_typed")
        raise AttributeError(f"module 'chump_typed' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_lazy.WHERE})
