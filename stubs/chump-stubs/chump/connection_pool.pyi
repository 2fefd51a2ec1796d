# A keep-alive HTTPS connection pool for api.pushover.net, as a urllib opener.

import threading
from http.client import HTTPResponse, HTTPSConnection
from ssl import SSLContext
from typing import Final
from urllib.request import HTTPSHandler, OpenerDirector, Request
from urllib.response import addinfourl

HOST: Final = "api.pushover.net"

# Hands its connection back to the pool when closed.
class FreeingHTTPResponse(HTTPResponse): ...

class FreeingHTTPSConnection(HTTPSConnection):
    # Narrower than HTTPConnection's (mutable) attribute, as it is at runtime.
    response_class: type[FreeingHTTPResponse]  # pyright: ignore[reportIncompatibleVariableOverride]

class PushoverPooledConnectionHandler(HTTPSHandler):
    lock: threading.Lock
    pool: set[FreeingHTTPSConnection]
    free: set[FreeingHTTPSConnection]
    def __init__(
        self, debuglevel: int = 0, context: SSLContext | None = None
    ) -> None: ...
    # Returns an addinfourl (with the raw response on .raw), not an HTTPResponse
    # as the base class declares; every connection goes to HOST, whatever the URL.
    def https_open(self, request: Request) -> addinfourl: ...  # type: ignore[override]
    def get_new_connection(self) -> FreeingHTTPSConnection: ...
    def get_free_connection(self) -> FreeingHTTPSConnection | None: ...
    def free_connection(self, connection: FreeingHTTPSConnection) -> None: ...
    def remove_connection(self, connection: FreeingHTTPSConnection) -> None: ...
    # None when the connection failed and should be dropped.
    def make_request(
        self, connection: FreeingHTTPSConnection, request: Request
    ) -> addinfourl | None: ...

pool: OpenerDirector
