"""The one cattrs converter: it alone knows Pushover's wire format.

Rules it applies, in both directions where they make sense:

* Unix epoch seconds <-> timezone-aware UTC ``datetime``; in responses ``0`` means
  "has not happened" and becomes ``None`` for optional times;
* ``0``/``1`` <-> ``bool``, except the Teams API's flags, sent as the string ``true``;
* a binary :class:`~chump_typed.models.Attachment` passes through as a value, for the
  protocol layer to send as a multipart part;
* :class:`~chump_typed.models.Priority` <-> its integer;
* request fields that are ``None`` or at their default are left out of the request;
* ``errors`` as a list of strings or an object of lists; unknown error-body keys kept;
* empty strings for "nobody" (``acknowledged_by``) become ``None``.

Models carry no serialisation code. A field whose wire form differs from these defaults
names its rule in its metadata (:func:`chump_typed.models._base.wire`); what each rule
does is here, and only here.
"""

from __future__ import annotations

import datetime as _dt
import typing
from collections.abc import Callable, Mapping
from types import NoneType
from typing import Any, Final, Literal, Optional, TypeVar, cast

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from chump_typed import models
from chump_typed._epoch import epoch_to_datetime
from chump_typed.models._base import WIRE, WireRule

__all__ = [
    "ShapeError",
    "converter",
    "epoch_to_datetime",
    "structure",
    "unstructure_request",
]

T = TypeVar("T")


def _datetime_to_epoch(value: _dt.datetime) -> int:
    return int(value.timestamp())


def _structure_datetime(value: object, _: object) -> _dt.datetime:
    if isinstance(value, _dt.datetime):
        return value
    return epoch_to_datetime(value)


def _structure_optional_datetime(value: object, _: object) -> _dt.datetime | None:
    if value is None or value == 0 or value == "0" or value == "":
        return None
    return _structure_datetime(value, None)


def _structure_timestamp(value: object, _: object) -> _dt.datetime | int | None:
    """A message ``timestamp`` read back from the wire stays Unix seconds."""
    if value is None or isinstance(value, _dt.datetime):
        return value
    return _structure_int(value, None)


def _structure_bool(value: object, _: object) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return value in (1, "1")
    if value in ("true", "false"):
        return value == "true"
    raise ValueError(f"expected 0 or 1, got {value!r}")


def _structure_int(value: object, _: object) -> int:
    # Refuse floats and bools: a drifting schema must surface, not be truncated.
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return int(value)


def _structure_str(value: object, _: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_blank_is_none(value: object, _: object) -> str | None:
    if value is None or value == "":
        return None
    return _structure_str(value, None)


def _structure_str_tuple(value: object, _: object) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"expected a list of strings, got {type(value).__name__}")
    return tuple(_structure_str(item, None) for item in cast("list[object]", value))


def _structure_str_dict(value: object, _: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    items = cast("dict[object, object]", value).items()
    return {_structure_str(k, None): _structure_str(v, None) for k, v in items}


def _true_flag(value: bool) -> str:
    """The Teams API's flags: the string ``true`` (false ones are left out)."""
    return "true" if value else "false"


def _structure_blank_is_empty(value: object, _: object) -> str:
    if value is None:
        return ""
    return _structure_str(value, None)


def _wire_rules(cls: object) -> dict[str, WireRule]:
    """The wire rules on *cls*'s fields (``wire(...)`` metadata), by field name."""
    if not (isinstance(cls, type) and attrs.has(cls)):
        return {}
    return {f.name: f.metadata[WIRE] for f in attrs.fields(cls) if WIRE in f.metadata}


def _is_priority_literal(hint: object) -> bool:
    """A message's priority: ``NotificationPriority``, or an emergency's one value."""
    return typing.get_origin(hint) is Literal and all(
        isinstance(member, models.Priority) for member in typing.get_args(hint)
    )


def _structure_priority_literal(value: object, hint: object) -> models.Priority:
    priority = models.Priority(_structure_int(value, None))
    if priority not in typing.get_args(hint):
        raise ValueError(f"priority {int(priority)} is not one of this kind's")
    return priority


def _is_request_type(cls: object) -> bool:
    """Request models are found by their marker, not kept in a list."""
    return isinstance(cls, type) and issubclass(cls, models.Request)


def make_converter() -> cattrs.Converter:
    """Build the converter with every Pushover wire rule registered."""
    conv = cattrs.Converter(forbid_extra_keys=False)

    conv.register_unstructure_hook(_dt.datetime, _datetime_to_epoch)
    conv.register_unstructure_hook(bool, int)
    conv.register_unstructure_hook(models.Priority, int)

    conv.register_structure_hook(_dt.datetime, _structure_datetime)
    conv.register_structure_hook_func(
        lambda t: t == Optional[_dt.datetime],  # noqa: UP045 - compared to annotations
        _structure_optional_datetime,
    )
    conv.register_structure_hook_func(
        lambda t: t == Optional[_dt.datetime | int],  # noqa: UP045 - compared to annotations
        _structure_timestamp,
    )

    def structure_rate_limit(value: object, _: object) -> models.RateLimit | None:
        # decode_response puts in the RateLimit it built from the headers: take it as
        # it is rather than unstructure it again or evolve the result afterwards.
        if value is None or isinstance(value, models.RateLimit):
            return value
        return conv.structure(value, models.RateLimit)

    conv.register_structure_hook_func(
        lambda t: t == Optional[models.RateLimit],  # noqa: UP045 - compared to annotations
        structure_rate_limit,
    )
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook_func(
        lambda t: t == tuple[str, ...], _structure_str_tuple
    )
    conv.register_structure_hook_func(
        lambda t: t == dict[str, str], _structure_str_dict
    )
    conv.register_structure_hook(
        models.Priority, lambda v, _: models.Priority(_structure_int(v, None))
    )
    conv.register_structure_hook_func(_is_priority_literal, _structure_priority_literal)

    # A binary attachment stays a value: the protocol layer makes it a multipart part.
    conv.register_unstructure_hook(models.Attachment, lambda attachment: attachment)

    # A glance field to clear goes as a blank, and a blank reads back as CLEAR. Only a
    # glance's hooks name CLEAR, so the glance family loads with the first glance.
    def clear_as_blank(value: object) -> object:
        return "" if value is models.CLEAR else conv.unstructure(value)

    def structure_clearable(value: object, union: object) -> object:
        if value is None:
            return None
        if value == "" or value is models.CLEAR:
            return models.CLEAR
        kept = [t for t in typing.get_args(union) if t not in (NoneType, models.Clear)]
        return conv.structure(value, kept[0])

    #: Each field rule (models._base.WireRule) as cattrs overrides, by direction.
    unstructure_rules: dict[WireRule, Any] = {
        "true_flag": override(unstruct_hook=_true_flag),
        # Sent though it is the field's only value: a device's os "O" says Open Client.
        "always_sent": override(omit_if_default=False),
        "clearable": override(unstruct_hook=clear_as_blank),
    }
    structure_rules: dict[WireRule, Any] = {
        "blank_is_none": override(struct_hook=_structure_blank_is_none),
        "null_is_empty": override(struct_hook=_structure_blank_is_empty),
        "clearable": override(struct_hook=structure_clearable),
    }

    def overrides(cls: object, rules: Mapping[WireRule, Any]) -> dict[str, Any]:
        return {
            name: rules[rule]
            for name, rule in _wire_rules(cls).items()
            if rule in rules
        }

    # Requests: leave out what is unset, so the wire carries only what the caller chose.
    # Each function is generated on the first use of its type, not at import: a script
    # pays for the calls it makes only (cattrs compiles one function per class).
    def request_hook(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
        return make_dict_unstructure_fn(
            cls,
            conv,
            _cattrs_omit_if_default=True,
            _cattrs_include_init_false=True,  # fixed fields, such as a device's os
            **overrides(cls, unstructure_rules),
        )

    conv.register_unstructure_hook_factory(_is_request_type, request_hook)

    # Types with fields read by a rule (a blank that means none), generated on first
    # use too.
    def rules_hook(cls: type[Any]) -> Callable[[Any, Any], Any]:
        return make_dict_structure_fn(cls, conv, **overrides(cls, structure_rules))

    conv.register_structure_hook_factory(
        lambda t: bool(overrides(t, structure_rules)), rules_hook
    )
    return conv


converter: Final = make_converter()


def unstructure_request(request: attrs.AttrsInstance) -> dict[str, Any]:
    """The request's wire parameters (no token), with unset fields left out."""
    data: dict[str, Any] = converter.unstructure(request)
    return data


class ShapeError(Exception):
    """Decoded JSON does not have the shape of the result type; the message says where
    (``"$.receipt: expected a string"``)."""


def structure(data: Mapping[str, Any], cls: type[T]) -> T:
    """Build a *cls* from decoded JSON.

    :raises ShapeError: the data does not fit *cls*; cattrs' grouped errors are
        flattened into one line saying where.
    """
    try:
        return converter.structure(data, cls)
    except Exception as exc:  # cattrs raises ExceptionGroups of anything a hook raised
        detail = (
            "; ".join(cattrs.transform_error(exc))
            if isinstance(exc, cattrs.BaseValidationError)
            else str(exc)
        )
        raise ShapeError(detail) from exc
