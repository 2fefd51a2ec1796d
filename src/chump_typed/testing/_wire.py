"""Reading a request body as Pushover does: form, JSON or multipart/form-data."""

from __future__ import annotations

import binascii
import json
import re
from collections.abc import Mapping
from typing import Final, cast
from urllib.parse import unquote_plus

from chump_typed.testing._state import SentAttachment

__all__ = ["BadBody", "parse_body"]


class BadBody(Exception):
    pass


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


# One ``; name=value`` parameter; a quoted value may hold ";" (e.g. in a filename).
_MEDIA_PARAM: Final = re.compile(r';\s*([^\s=;]+)\s*=\s*("[^"]*"|[^;]*)')


def _media_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``type/sub; a=b; c="d"`` into the media type and its parameters."""
    kind, _, rest = value.partition(";")
    params = {
        name.lower(): raw.strip().strip('"')
        for name, raw in _MEDIA_PARAM.findall(";" + rest)
    }
    return kind.strip().lower(), params


def _multipart(
    body: bytes, boundary: str
) -> tuple[dict[str, str], dict[str, SentAttachment]]:
    """Parse multipart/form-data byte-exactly: text fields and file parts."""
    if not boundary:
        raise BadBody("multipart body without boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 2 or not chunks[-1].startswith(b"--"):
        raise BadBody("multipart body is not terminated")
    fields: dict[str, str] = {}
    files: dict[str, SentAttachment] = {}
    for chunk in chunks[1:-1]:
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep or not content.endswith(b"\r\n"):
            raise BadBody("malformed multipart part")
        content = content[:-2]
        part_headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                part_headers[name.strip().lower()] = value.strip()
        _, disposition = _media_params(part_headers.get("content-disposition", ""))
        field = disposition.get("name")
        if field is None:
            raise BadBody("multipart part without a name")
        if "filename" in disposition:
            files[field] = SentAttachment(
                content_type=part_headers.get("content-type", "").lower(),
                data=content,
                filename=disposition["filename"],
            )
        else:
            fields[field] = content.decode("utf-8")
    return fields, files


_BAD_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _unquote_plus(text: str) -> str:
    """``urllib.parse.unquote_plus``, but fast for long, escape-heavy values.

    A base64 attachment is ~7 MB with a ``%2F`` every few bytes; the stdlib decoder
    takes seconds on that. Percent-encoding with valid escapes is quoted-printable
    with ``%`` for ``=``, which :func:`binascii.a2b_qp` decodes in C.
    """
    if "%" not in text or _BAD_ESCAPE.search(text):
        return unquote_plus(text, errors="strict")
    qp = text.replace("+", " ").replace("=", "=3D").replace("%", "=")
    return binascii.a2b_qp(qp.encode()).decode()


def _form_fields(body: bytes) -> dict[str, str]:
    """Parse ``application/x-www-form-urlencoded`` (last value of a name wins)."""
    fields: dict[str, str] = {}
    for pair in body.decode().split("&"):
        if pair:
            name, _, value = pair.partition("=")
            fields[_unquote_plus(name)] = _unquote_plus(value)
    return fields


def _json_fields(body: bytes) -> dict[str, str]:
    data: object = json.loads(body)
    if not isinstance(data, dict):
        raise BadBody("JSON body must be an object")
    fields: dict[str, str] = {}
    # JSON object keys are always strings.
    for name, value in cast("dict[str, object]", data).items():
        if value is None:
            continue
        if isinstance(value, bool):
            fields[name] = "1" if value else "0"
        elif isinstance(value, (str, int, float)):
            fields[name] = str(value)
        else:
            raise BadBody(f"JSON field {name!r} must be a scalar")
    return fields


def parse_body(
    headers: Mapping[str, str], body: bytes
) -> tuple[dict[str, str], dict[str, SentAttachment]]:
    if not body:
        return {}, {}
    kind, params = _media_params(_header(headers, "content-type"))
    try:
        if kind == "multipart/form-data":
            return _multipart(body, params.get("boundary", ""))
        if kind == "application/json":
            return _json_fields(body), {}
        if kind in ("application/x-www-form-urlencoded", ""):
            return _form_fields(body), {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadBody(str(exc)) from exc
    raise BadBody(f"unsupported content type {kind!r}")


# -------------------------------------------------------------------------- the fake
