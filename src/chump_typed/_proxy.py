"""Which proxy a request goes through: decided once, here, for every transport.

By default the environment decides, as :func:`urllib.request.getproxies` and
:func:`urllib.request.proxy_bypass` read it (``HTTPS_PROXY``, ``HTTP_PROXY``,
``NO_PROXY``, in either case). ``NO_PROXY`` follows urllib's rules: a comma-separated
list of host names and domain suffixes (``example.com`` also covers
``api.example.com``), or ``*`` for every host; address ranges such as ``10.0.0.0/8`` are
*not* understood. A loopback host is never proxied. ``proxy=`` names one explicitly;
``trust_env=False`` ignores the environment.

Each transport hands the chosen proxy to its library explicitly, with that library's
own reading of the environment turned off, so that they all agree. An https request
goes through a CONNECT tunnel: the proxy sees the host name, never the token.
"""

from __future__ import annotations

import base64
from typing import Final
from urllib.parse import unquote, urlsplit

import attrs

from chump_typed._checks import is_loopback, require_type
from chump_typed.errors import ValidationError

__all__ = ["Proxy", "check_proxy", "choose_proxy"]

_SCHEMES: Final = ("http", "https")


@attrs.frozen
class Proxy:
    """A proxy to go through: its URL without credentials, and the ``user:password``
    it was given (never shown)."""

    url: str
    credentials: str | None = attrs.field(default=None, repr=False)

    def authorization(self) -> str | None:
        """The ``Proxy-Authorization`` header's value (HTTP basic), if any."""
        if self.credentials is None:
            return None
        encoded = base64.b64encode(self.credentials.encode("utf-8")).decode("ascii")
        return f"Basic {encoded}"

    def __repr__(self) -> str:
        shown = "" if self.credentials is None else ", credentials=<redacted>"
        return f"Proxy({self.url!r}{shown})"


def check_proxy(field: str, value: object) -> Proxy:
    """*value* as a :class:`Proxy`: an http:// or https:// URL with a host (a bare
    ``host:port`` means http://), optionally with ``user:password@``."""
    require_type(field, value, str)
    assert isinstance(value, str)
    text = value.strip()
    if "://" not in text:
        text = "http://" + text
    if not text.isascii() or not text.isprintable() or " " in text:
        raise ValidationError(field, "must be printable ASCII without spaces")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise ValidationError(field, f"is not a valid URL ({exc})") from None
    if parts.scheme not in _SCHEMES or not host:
        raise ValidationError(field, "must be an http:// or https:// URL with a host")
    credentials = None
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    netloc = parts.netloc.rpartition("@")[2]
    if port is None:
        netloc = f"{netloc}:{80 if parts.scheme == 'http' else 443}"
    return Proxy(f"{parts.scheme}://{netloc}", credentials)


def choose_proxy(url: str, *, proxy: Proxy | None, trust_env: bool) -> Proxy | None:
    """The proxy a request to *url* goes through, or ``None`` for a direct
    connection."""
    parts = urlsplit(url)
    if is_loopback(parts.hostname or ""):
        return None
    if proxy is not None:
        return proxy
    if not trust_env:
        return None
    import urllib.request  # only when the environment decides: it is slow to import

    chosen = urllib.request.getproxies().get(parts.scheme)
    if not chosen or urllib.request.proxy_bypass(parts.netloc):
        return None
    try:
        return check_proxy(f"{parts.scheme}_proxy", chosen)
    except ValidationError as exc:
        raise ValidationError(
            exc.field, f"(from the environment) {exc.problem}"
        ) from None
