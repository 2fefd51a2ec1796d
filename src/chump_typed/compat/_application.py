"""chump's ``Application``: the sender, its token and what Pushover said of it.

Each object owns its state behind its own lock and changes only through its own
methods: a :class:`User` never writes its application's attributes, and a message
tells both what Pushover answered (:meth:`Application.token_accepted`,
:meth:`Application.token_rejected`, :meth:`User.user_accepted`, ...). An answer
changes the state only if it was given for the token or key that is still current:
one that arrives after ``token`` was changed says nothing of the new one.

Lazy attributes are loaded under that lock, so one object can be shared by threads.
A user's lock is taken before its application's, never the other way round.
"""

from __future__ import annotations

import datetime as _dt
import threading
from typing import TYPE_CHECKING

from chump_typed._checks import check_key
from chump_typed._fork import renew_after_fork
from chump_typed._scrub import scrub_public
from chump_typed.client import Client
from chump_typed.compat._user import User
from chump_typed.errors import APIError
from chump_typed.models import RateLimit

if TYPE_CHECKING:
    from chump_typed.e2ee import E2EEKey
from chump_typed.protocol import Transport

__all__ = ["Application"]


class Application:
    """The Pushover application in use.

    :param token: the application's API token.
    :param base_url: keyword-only: the API root (https, or http on loopback), e.g. the
        fake from :func:`chump_typed.testing.serve`.
    :param transport: keyword-only: what moves the bytes (default: pooled urllib3).
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        transport: Transport | None = None,
    ) -> None:
        self._lock = threading.RLock()
        renew_after_fork(self)  # a child gets a lock no other thread holds
        self._base_url = base_url
        self._transport = transport
        self._is_authenticated: bool | None = None
        self._sounds: dict[str, str] | None = None
        self._rate_limit: RateLimit | None = None
        self.token = token

    def _after_fork_in_child(self) -> None:
        """In a forked child: a fresh lock (a thread of the parent may hold this one)."""
        self._lock = threading.RLock()

    # -- token and client --------------------------------------------------------------

    @property
    def token(self) -> str:
        """The application's API token; setting a new one forgets what was loaded."""
        return self._token

    @token.setter
    def token(self, value: str) -> None:
        check_key("token", value)
        with self._lock:
            if getattr(self, "_token", None) == value:
                return
            old = getattr(self, "_client", None)
            self._token = value
            transport = self._transport if old is None else old.transport
            self._client = Client(value, base_url=self._base_url, transport=transport)
            self._is_authenticated = None
            self._sounds = None

    @property
    def client(self) -> Client:
        """The typed :class:`~chump_typed.Client` this application sends with."""
        return self._client

    # -- what Pushover said of the token -----------------------------------------------

    @property
    def known_authentication(self) -> bool | None:
        """What is known of the token without asking: ``True`` or ``False`` once a call
        said, ``None`` until then (reading :attr:`is_authenticated` would ask)."""
        return self._is_authenticated

    def token_accepted(self, token: str) -> None:
        """Pushover accepted a call made with *token*."""
        with self._lock:
            if token == self._token:
                self._is_authenticated = True

    def token_rejected(self, token: str) -> None:
        """Pushover said *token* is invalid: if it is still the current token, it is
        not authenticated and has no sounds."""
        with self._lock:
            if token == self._token:
                self._is_authenticated = False
                self._sounds = None

    def rate_limit_reported(self, rate_limit: RateLimit | None) -> None:
        """A send reported the limit headers. The newest figures the server gave are
        kept, whatever order responses arrive in (:meth:`RateLimit.is_newer_than`);
        :attr:`limit`, :attr:`remaining` and :attr:`reset` change together."""
        if rate_limit is None:
            return
        with self._lock:
            if self._rate_limit is not None and not rate_limit.is_newer_than(
                self._rate_limit
            ):
                return
            self._rate_limit = rate_limit

    # -- lazy attributes ---------------------------------------------------------------

    @property
    def is_authenticated(self) -> bool:
        """Whether Pushover accepts the token; loaded with :attr:`sounds` on first use."""
        with self._lock:
            if self._is_authenticated is None:
                self._authenticate()
            return bool(self._is_authenticated)

    @is_authenticated.setter
    def is_authenticated(self, value: bool | None) -> None:
        self._is_authenticated = value

    @property
    def sounds(self) -> dict[str, str] | None:
        """The notification sounds (name to label) if authenticated, otherwise ``None``."""
        with self._lock:
            if self._sounds is None and self._is_authenticated is not False:
                self._authenticate()
            return self._sounds

    @sounds.setter
    def sounds(self, value: dict[str, str] | None) -> None:
        self._sounds = value

    def _authenticate(self) -> None:
        """Ask for the sounds; a token rejection means the token is bad."""
        try:
            self._sounds = dict(self._client.sounds().sounds)
        except APIError as error:
            if "token" in error.bad_inputs:
                self._is_authenticated = False
        else:
            self._is_authenticated = True

    # One snapshot behind the three: a reader never sees two responses' figures mixed.

    @property
    def limit(self) -> int | None:
        """The monthly message limit, once a send has reported it; otherwise ``None``."""
        figures = self._rate_limit
        return None if figures is None else figures.limit

    @property
    def remaining(self) -> int | None:
        """Messages left this month, once a send has reported it; otherwise ``None``."""
        figures = self._rate_limit
        return None if figures is None else figures.remaining

    @property
    def reset(self) -> _dt.datetime | None:
        """When the monthly limit resets, once a send has reported it; otherwise
        ``None``."""
        figures = self._rate_limit
        return None if figures is None else figures.reset

    @property
    def rate_limit(self) -> RateLimit | None:
        """:attr:`limit`, :attr:`remaining` and :attr:`reset` as one value: the newest
        figures the server gave, or ``None`` before the first send reported them."""
        return self._rate_limit

    # -- users -------------------------------------------------------------------------

    def get_user(self, token: str, *, e2ee_key: E2EEKey | None = None) -> User:
        """Return a :class:`User` attached to this application (messages to whom are
        end-to-end encrypted with *e2ee_key*, if given)."""
        return User(self, token, e2ee_key=e2ee_key)

    def __str__(self) -> str:
        return "Pushover Application: <redacted>"

    def __repr__(self) -> str:
        return "Application(token=<redacted>)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Application) and self.token == other.token

    __hash__ = None  # type: ignore[assignment]  # mutable, like chump's: unhashable


scrub_public(globals())
