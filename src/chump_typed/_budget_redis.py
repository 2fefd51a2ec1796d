"""A budget shared by a fleet, in Redis (redis-py: extra ``chump_typed[redis]``).

Every operation is one server-side Lua script, so it is atomic across every client of
the server. The windows slide: each spend is a member of a sorted set scored by its
time, and a spend fits when the units of the last 3,600 (86,400) seconds leave room.
By default the time is the Redis server's own (``TIME``), so the machines' clocks may
disagree without effect; an injected *clock* replaces it (tests).

The keys share the hash tag ``{prefix}`` (one slot in a Redis Cluster):
``{prefix}:spends`` (a sorted set, expiring a day after the last spend),
``{prefix}:seq``, ``{prefix}:closed`` and ``{prefix}:claim:<digest>``.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Final, cast

from chump_typed._budget_keys import COLLAPSED_KEPT, check_seconds
from chump_typed._budget_shared import SharedBudget
from chump_typed._checks import require_type
from chump_typed._redact import REDACTED, redact_text, remember
from chump_typed._scrub import scrub_public
from chump_typed.budget import DAY
from chump_typed.errors import ValidationError

try:
    import redis
except ImportError as error:  # pragma: no cover - the extra is missing
    raise ImportError(
        "RedisBudget needs redis-py: pip install 'chump_typed[redis]'"
    ) from error

if TYPE_CHECKING:
    from redis.commands.core import Script

__all__ = ["RedisBudget"]

#: Seconds a call to Redis may take (connecting, or answering) before the store
#: counts as unreachable, for a client built here from a URL.
DEFAULT_TIMEOUT: Final = 2.0

# The time: ARGV[1], or the server's clock when it is empty. Numbers become text with
# all 17 digits (Lua's own tostring and .. keep 14, which moves a window's edge).
_NOW: Final = """
local function num(x) return string.format('%.17g', x) end
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

# KEYS: spends, seq, closed. ARGV: now, units, reserve, day, then cap/span pairs.
# Returns {1, now} when spent, {0, when there is room} otherwise.
_SPEND: Final = (
    _NOW
    + """
local units = tonumber(ARGV[2])
local reserve = tonumber(ARGV[3])
local day = tonumber(ARGV[4])
local closed = tonumber(redis.call('GET', KEYS[3]) or '0')
if closed > now then return {0, num(closed)} end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', num(now - day))
local room = nil
for i = 5, #ARGV, 2 do
  local cap = tonumber(ARGV[i])
  local span = tonumber(ARGV[i + 1])
  local rows = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. num(now - span), '+inf', 'WITHSCORES')
  local used = 0
  for j = 1, #rows, 2 do used = used + tonumber(string.match(rows[j], ':(%d+)$')) end
  local excess = used + units + reserve - cap
  if excess > 0 then
    local at = now + span
    for j = 1, #rows, 2 do
      excess = excess - tonumber(string.match(rows[j], ':(%d+)$'))
      if excess <= 0 then at = tonumber(rows[j + 1]) + span; break end
    end
    if room == nil or at > room then room = at end
  end
end
if room ~= nil then return {0, num(room)} end
local id = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], num(now), id .. ':' .. units)
redis.call('PEXPIRE', KEYS[1], math.ceil(day * 1000))
return {1, num(now)}
"""
)

# KEYS: spends, seq. ARGV: now, units, day.
_REFUND: Final = (
    _NOW
    + """
local units = tonumber(ARGV[2])
local rows = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', '(' .. num(now - tonumber(ARGV[3])), 'WITHSCORES')
for j = 1, #rows, 2 do
  local spent = tonumber(string.match(rows[j], ':(%d+)$'))
  if spent >= units then
    redis.call('ZREM', KEYS[1], rows[j])
    if spent > units then
      local id = redis.call('INCR', KEYS[2])
      redis.call('ZADD', KEYS[1], rows[j + 1], id .. ':' .. (spent - units))
    end
    return 1
  end
end
return 0
"""
)

# KEYS: closed. ARGV: reset.
_CLOSE: Final = """
local reset = tonumber(ARGV[1])
local closed = tonumber(redis.call('GET', KEYS[1]) or '0')
if reset > closed then redis.call('SET', KEYS[1], ARGV[1]) end
return 1
"""

# KEYS: closed. ARGV: now. Returns the reset while it is ahead, else false.
_CLOSED: Final = (
    _NOW
    + """
local closed = tonumber(redis.call('GET', KEYS[1]) or '0')
if closed > now then return num(closed) end
return false
"""
)

# KEYS: the claim. ARGV: now, seconds, kept. The value: "until:collapsed". A new
# window keeps the count not taken yet; a claim holding a count lives *kept* seconds
# more than its window.
_CLAIM: Final = (
    _NOW
    + """
local seconds = tonumber(ARGV[2])
local kept = tonumber(ARGV[3])
local held = redis.call('GET', KEYS[1])
local collapsed = 0
if held then
  local untl, count = string.match(held, '^([^:]+):(%d+)$')
  collapsed = tonumber(count)
  if tonumber(untl) > now then
    local ttl = math.ceil((tonumber(untl) - now + kept) * 1000)
    redis.call('SET', KEYS[1], untl .. ':' .. string.format('%d', collapsed + 1), 'PX', ttl)
    return 0
  end
end
local ttl = seconds
if collapsed > 0 then ttl = seconds + kept end
redis.call('SET', KEYS[1], num(now + seconds) .. ':' .. string.format('%d', collapsed), 'PX', math.ceil(ttl * 1000))
return 1
"""
)

# KEYS: the claim. Returns its collapsed count, and sets it to 0.
_TAKE: Final = """
local held = redis.call('GET', KEYS[1])
if not held then return 0 end
local untl, count = string.match(held, '^([^:]+):(%d+)$')
count = tonumber(count)
if count > 0 then redis.call('SET', KEYS[1], untl .. ':0', 'KEEPTTL') end
return count
"""


def _url_secrets(url: str) -> tuple[str, ...]:
    """The password in *url*, beside its user name or in its query (redis-py's
    ``from_url`` reads both)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    return tuple(
        secret for secret in (parts.password, *query.get("password", ())) if secret
    )


def _redacted_url(url: str) -> str:
    """*url* with its password (and a user name beside it) replaced, and its query
    (which may hold ``password=``) shown as redacted."""
    parts = urllib.parse.urlsplit(url)
    if parts.query or parts.fragment:
        parts = parts._replace(query=REDACTED if parts.query else "", fragment="")
    if parts.password is None and parts.username is None:
        return urllib.parse.urlunsplit(parts)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = "" if parts.username in (None, "") else f"{parts.username}"
    netloc = (
        f"{user}:{REDACTED}@{host}" if parts.password is not None else f"{user}@{host}"
    )
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


class RedisBudget(SharedBudget):
    """A budget shared by every process, on any machine, that uses the same Redis
    server and *prefix*.

    :param url_or_client: a ``redis://`` (or ``rediss://``, ``unix://``) URL, for which
        a client is made with 2 s timeouts (closed by :meth:`close`); or a
        :class:`redis.Redis` of yours (never closed here).
    :param per_hour: units that may be spent in any 3,600 s (``None``: no cap).
    :param per_day: units that may be spent in any 86,400 s (``None``: no cap).
    :param prefix: what the keys start with; budgets with the same prefix share
        their counts.
    :param clock: seconds since the epoch; by default the Redis server's clock, so
        that the fleet's machines need not agree on the time.
    :param processes: how many processes share the budget: while Redis is
        unreachable, each spends ``cap // processes`` (at least 1) from its own
        memory, and tries Redis again with backoff.

    A password in the URL never appears in the budget's ``repr``, in its log lines or
    in its errors.
    """

    _unreachable = (redis.RedisError, OSError)

    def __init__(
        self,
        url_or_client: str | redis.Redis,
        *,
        per_hour: int | None = None,
        per_day: int | None = None,
        prefix: str = "chump_typed",
        clock: Callable[[], float] | None = None,
        processes: int = 4,
    ) -> None:
        require_type("url_or_client", url_or_client, (str, redis.Redis))
        require_type("prefix", prefix, str)
        if not prefix or any(c in prefix for c in "{}"):
            raise ValidationError(
                "prefix", "must be non-empty text without braces (a Redis hash tag)"
            )
        # The caps first: an error about them never has the URL in its frame.
        super().__init__(
            per_hour=per_hour, per_day=per_day, clock=clock, processes=processes
        )
        self._secrets: tuple[str, ...] = ()
        if isinstance(url_or_client, str):
            self._secrets = _url_secrets(url_or_client)
            remember(self, *self._secrets)  # redacted from every error and record
            self._where = _redacted_url(url_or_client)
            try:
                client = redis.Redis.from_url(  # pyright: ignore[reportUnknownMemberType]
                    url_or_client,
                    socket_timeout=DEFAULT_TIMEOUT,
                    socket_connect_timeout=DEFAULT_TIMEOUT,
                )
            except ValueError:
                # redis-py's message repeats the URL: name the field, not the text.
                raise ValidationError(
                    "url_or_client",
                    "not a Redis URL (redis://, rediss:// or unix://)",
                ) from None
            self._owned = True
        else:
            client = url_or_client
            self._where = f"<{type(client).__name__}>"
            self._owned = False
        self._client: Final = client
        self._prefix: Final = prefix
        tag = "{" + prefix + "}"
        self._spends: Final = f"{tag}:spends"
        self._seq: Final = f"{tag}:seq"
        self._closed_key: Final = f"{tag}:closed"
        self._claim_prefix: Final = f"{tag}:claim:"
        self._spend_script: Final = client.register_script(_SPEND)
        self._refund_script: Final = client.register_script(_REFUND)
        self._close_script: Final = client.register_script(_CLOSE)
        self._closed_script: Final = client.register_script(_CLOSED)
        self._claim_script: Final = client.register_script(_CLAIM)
        self._take_script: Final = client.register_script(_TAKE)

    @property
    def prefix(self) -> str:
        """What the budget's keys start with (inside a hash tag)."""
        return self._prefix

    def close(self) -> None:
        """Close the connections of a client made from a URL (a client you passed is
        left open)."""
        if self._owned:
            self._client.close()

    def __repr__(self) -> str:
        return (
            f"RedisBudget({self._where!r}, per_hour={self.per_hour!r}, "
            f"per_day={self.per_day!r}, prefix={self._prefix!r})"
        )

    def _redacted(self, text: str) -> str:
        for secret in self._secrets:  # a short one too, which remember() leaves out
            text = text.replace(secret, REDACTED)
        return redact_text(text)

    # -- The scripts -------------------------------------------------------------------

    @staticmethod
    def _time(now: float | None) -> str:
        return "" if now is None else repr(float(now))

    def _run(self, script: Script, keys: list[str], args: list[str]) -> object:
        result: object = script(keys=keys, args=args)
        return result

    def _store_spend(self, now: float | None, units: int, reserve: int) -> float | None:
        args = [self._time(now), str(units), str(reserve), repr(DAY)]
        for cap, span in self._caps:
            args += [str(cap), repr(span)]
        answer = self._run(
            self._spend_script, [self._spends, self._seq, self._closed_key], args
        )
        assert isinstance(answer, list)
        spent, when = cast("list[object]", answer)
        return None if spent == 1 else float(_text(when))

    def _store_refund(self, now: float | None, units: int) -> None:
        self._run(
            self._refund_script,
            [self._spends, self._seq],
            [self._time(now), str(units), repr(DAY)],
        )

    def _store_close_until(self, reset: float) -> None:
        self._run(self._close_script, [self._closed_key], [repr(reset)])

    def _store_closed_until(self, now: float | None) -> float | None:
        answer = self._run(self._closed_script, [self._closed_key], [self._time(now)])
        return None if answer is None else float(_text(answer))

    def _store_claim(self, now: float | None, digest: bytes, seconds: float) -> bool:
        key = self._claim_prefix + digest.hex()
        answer = self._run(
            self._claim_script,
            [key],
            [
                self._time(now),
                repr(check_seconds("seconds", seconds)),
                repr(COLLAPSED_KEPT),
            ],
        )
        return answer == 1

    def _store_take_collapsed(self, now: float | None, digest: bytes) -> int:
        answer = self._run(self._take_script, [self._claim_prefix + digest.hex()], [])
        assert isinstance(answer, int)
        return answer


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii")
    return str(value)


scrub_public(globals())
