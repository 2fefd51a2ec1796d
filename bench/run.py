"""chump_typed's benchmark: every figure against its baseline, measured in the same run.

Run from the repository root::

    .venv/bin/python bench/run.py            # the full run (about 1-2 minutes)
    .venv/bin/python bench/run.py --quick    # fewer repetitions, for a smoke test

The fake Pushover (``chump_typed.testing.serve``) runs in a separate process
(``bench/server.py``), so the CPU time measured here is the client's alone. Every figure
is the median over repeated runs; contenders are interleaved round by round so that a
noisy neighbour slows both sides of a ratio alike. See ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import attrs
import urllib3

from chump_typed import Application, Client, Notification, Urllib3Transport
from chump_typed.testing import APP_TOKEN, USER_KEY

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable

sys.path.insert(0, str(HERE))
from server import bench_users  # noqa: E402 - bench/ is not a package

FORM_HEADERS = {
    "accept": "application/json",
    "content-type": "application/x-www-form-urlencoded",
}

# -- The fake, in its own process -------------------------------------------------------


class Server:
    """``bench/server.py`` running in a subprocess."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [PYTHON, str(HERE / "server.py"), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url:
            raise RuntimeError("bench/server.py did not start")

    def _ask(self, command: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def stats(self) -> tuple[int, int, int]:
        """(requests received, peak concurrent connections, connections opened)."""
        requests, peak, opened = map(int, self._ask("stats").split())
        return requests, peak, opened

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (Linux; 0.0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1]
        except OSError:
            return 0.0
        utime, stime = fields.split()[11:13]
        return (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")

    def reset(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@contextlib.contextmanager
def server(*args: str) -> Generator[Server, None, None]:
    running = Server(*args)
    try:
        yield running
    finally:
        running.stop()


# -- The table -------------------------------------------------------------------------


@attrs.frozen
class Row:
    section: str
    name: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""

    @property
    def verdict(self) -> str:
        if not self.target or self.ratio is None:
            return ""
        op, bound = self.target[:2], float(self.target[2:].rstrip("x"))
        holds = self.ratio <= bound if op == "<=" else self.ratio >= bound
        return "holds" if holds else "MISSED"


ROWS: list[Row] = []


def add(row: Row) -> None:
    ROWS.append(row)
    ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
    print(
        f"  {row.name:<46} {row.value:>10.3f} {row.unit:<8} {ratio:>7} {row.baseline}",
        flush=True,
    )


def print_table() -> None:
    print()
    print("| figure | median | ratio | baseline | target | |")
    print("| --- | ---: | ---: | --- | --- | --- |")
    for row in ROWS:
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else ""
        print(
            f"| {row.name} | {row.value:.3f} {row.unit} | {ratio} | {row.baseline} "
            f"| {row.target} | {row.verdict} |"
        )


def median_rounds(
    contenders: dict[str, Callable[[], float]], rounds: int
) -> dict[str, float]:
    """Run each contender once per round, interleaved; the median of each."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            samples[name].append(run())
    return {name: statistics.median(values) for name, values in samples.items()}


# -- 1. Per-call client CPU --------------------------------------------------------------


def per_call(rounds: int, calls: int) -> None:
    print(
        f"per-call client CPU ({rounds} rounds x {calls} calls, plain HTTP, no delay)"
    )
    with server() as fake:
        url = fake.base_url + "messages.json"
        body = urlencode(
            {"token": APP_TOKEN, "user": USER_KEY, "message": "hello"}
        ).encode()
        http = urllib3.PoolManager(maxsize=2, block=True)
        client = Client(APP_TOKEN, base_url=fake.base_url)
        notification = Notification(user=USER_KEY, message="hello")
        user = Application(APP_TOKEN, base_url=fake.base_url).get_user(USER_KEY)

        def bare() -> None:
            response = http.request("POST", url, body=body, headers=FORM_HEADERS)
            assert response.status == 200, response.data

        origin_pool = http.connection_from_url(url)
        target = "/" + url.split("/", 3)[3]

        def pool() -> None:
            response = origin_pool.urlopen(
                "POST", target, body=body, headers=FORM_HEADERS
            )
            assert response.status == 200, response.data

        def typed() -> None:
            client.send(notification)

        def built() -> None:
            client.send(Notification(user=USER_KEY, message="hello"))

        def facade() -> None:
            assert user.send_message("hello").is_sent

        def cpu_per_call(call: Callable[[], None]) -> Callable[[], float]:
            def measure() -> float:
                started = time.process_time()
                for _ in range(calls):
                    call()
                return (time.process_time() - started) / calls * 1e6

            return measure

        for call in (
            bare,
            pool,
            typed,
            built,
            facade,
        ):  # warm pools, caches and lazy hooks
            for _ in range(50):
                call()
        medians = median_rounds(
            {
                "bare": cpu_per_call(bare),
                "pool": cpu_per_call(pool),
                "typed": cpu_per_call(typed),
                "built": cpu_per_call(built),
                "facade": cpu_per_call(facade),
            },
            rounds,
        )
        base = medians["bare"]
        add(Row("per-call", "bare urllib3.PoolManager POST (baseline)", base, "us CPU"))
        add(
            Row(
                "per-call",
                "bare HTTPConnectionPool.urlopen (reference)",
                medians["pool"],
                "us CPU",
                "bare urllib3",
                medians["pool"] / base,
            )
        )
        add(
            Row(
                "per-call",
                "Client.send(notification built once)",
                medians["typed"],
                "us CPU",
                "bare urllib3",
                medians["typed"] / base,
                "<=1.35x",
            )
        )
        add(
            Row(
                "per-call",
                "Client.send(Notification(...)) built per call",
                medians["built"],
                "us CPU",
                "bare urllib3",
                medians["built"] / base,
                "<=1.35x",
            )
        )
        add(
            Row(
                "per-call",
                "User.send_message (chump facade)",
                medians["facade"],
                "us CPU",
                "bare urllib3",
                medians["facade"] / base,
            )
        )
        client.close()
        http.clear()


# -- 2. Bulk sending and broadcast over TLS with 5 ms per request -------------------------


def bulk(rounds: int, count: int, delay: float, users: int) -> None:
    print(f"bulk over TLS, {delay * 1000:.0f} ms per request ({rounds} rounds)")
    tmp = Path(tempfile.mkdtemp(prefix="chump-bench-"))
    ca = tmp / "ca.pem"
    try:
        with server(
            "--tls", str(ca), "--delay", str(delay), "--users", str(users)
        ) as fake:
            notifications = [
                Notification(user=USER_KEY, message=f"bulk {i}") for i in range(count)
            ]
            peaks: list[int] = []

            def fresh_client() -> Client:
                return Client(
                    APP_TOKEN,
                    base_url=fake.base_url,
                    transport=Urllib3Transport(ca_certs=str(ca)),
                )

            cpu: list[float] = []
            bare_cpu: list[float] = []
            served: list[float] = []

            def many() -> float:
                fake.reset()
                with fresh_client() as client:
                    server_cpu = fake.cpu_seconds()
                    started, cpu_started = time.perf_counter(), time.process_time()
                    outcomes = client.send_many(notifications)
                    elapsed = time.perf_counter() - started
                    cpu.append((time.process_time() - cpu_started) / count * 1e6)
                    served.append((fake.cpu_seconds() - server_cpu) / count * 1e6)
                assert all(o.result is not None for o in outcomes)
                peaks.append(fake.stats()[1])
                return elapsed

            bodies = [
                urlencode(
                    {"token": APP_TOKEN, "user": USER_KEY, "message": n.message}
                ).encode()
                for n in notifications
            ]

            def bare_pair() -> float:
                """The transport's own floor: two threads, one bare PoolManager."""
                http = urllib3.PoolManager(maxsize=2, block=True, ca_certs=str(ca))
                url = fake.base_url + "messages.json"
                cursor = iter(bodies)
                lock = threading.Lock()

                def work() -> None:
                    while True:
                        with lock:
                            body = next(cursor, None)
                        if body is None:
                            return
                        response = http.request(
                            "POST", url, body=body, headers=FORM_HEADERS
                        )
                        assert response.status == 200

                started, cpu_started = time.perf_counter(), time.process_time()
                helper = threading.Thread(target=work)
                helper.start()
                work()
                helper.join()
                elapsed = time.perf_counter() - started
                bare_cpu.append((time.process_time() - cpu_started) / count * 1e6)
                http.clear()
                return elapsed

            def one_by_one() -> float:
                with fresh_client() as client:
                    started = time.perf_counter()
                    for notification in notifications:
                        client.send(notification)
                    return time.perf_counter() - started

            medians = median_rounds(
                {"bare": bare_pair, "many": many, "serial": one_by_one}, rounds
            )
            floor = count * delay / 2
            add(Row("bulk", f"floor: {count} x {delay * 1000:.0f} ms / 2", floor, "s"))
            add(
                Row(
                    "bulk",
                    "bare urllib3, 2 threads, pre-encoded (reference)",
                    medians["bare"],
                    "s",
                    "floor",
                    medians["bare"] / floor,
                )
            )
            add(
                Row(
                    "bulk",
                    f"Client.send_many({count})",
                    medians["many"],
                    "s",
                    "bare urllib3, 2 threads",
                    medians["many"] / medians["bare"],
                    "<=1.05x",
                )
            )
            add(
                Row(
                    "bulk",
                    f"Client.send_many({count}) to the floor",
                    medians["many"] / floor,
                    "x floor",
                )
            )
            add(
                Row(
                    "bulk",
                    f"one by one ({count} x Client.send)",
                    medians["serial"],
                    "s",
                    "send_many",
                    medians["serial"] / medians["many"],
                    ">=1.8x",
                )
            )
            add(Row("bulk", "peak connections during send_many", max(peaks), "conns"))
            add(
                Row(
                    "bulk",
                    "client CPU per notification in send_many",
                    statistics.median(cpu),
                    "us CPU",
                )
            )
            add(
                Row(
                    "bulk",
                    "client CPU per notification, bare urllib3 pair",
                    statistics.median(bare_cpu),
                    "us CPU",
                )
            )
            add(
                Row(
                    "bulk",
                    "fake server CPU per notification in send_many",
                    statistics.median(served),
                    "us CPU",
                )
            )

            keys = bench_users(users)
            template = Notification(user=USER_KEY, message="to everyone")
            singles = [attrs.evolve(template, user=key) for key in keys]
            counts: dict[str, int] = {}

            def counted(
                name: str, run: Callable[[Client], object]
            ) -> Callable[[], float]:
                def measure() -> float:
                    fake.reset()
                    with fresh_client() as client:
                        started = time.perf_counter()
                        run(client)
                        elapsed = time.perf_counter() - started
                    counts[name] = fake.stats()[0]
                    return elapsed

                return measure

            medians = median_rounds(
                {
                    "broadcast": counted(
                        "broadcast", lambda c: c.broadcast(template, keys)
                    ),
                    "singles": counted("singles", lambda c: c.send_many(singles)),
                },
                rounds,
            )
            add(
                Row(
                    "broadcast",
                    f"Client.broadcast to {users} users: requests",
                    counts["broadcast"],
                    "requests",
                )
            )
            add(
                Row(
                    "broadcast",
                    f"one request per user ({users} users): requests",
                    counts["singles"],
                    "requests",
                )
            )
            add(
                Row(
                    "broadcast",
                    f"Client.broadcast to {users} users: time",
                    medians["broadcast"],
                    "s",
                )
            )
            add(
                Row(
                    "broadcast",
                    "one request per user via send_many: time",
                    medians["singles"],
                    "s",
                    "broadcast",
                    medians["singles"] / medians["broadcast"],
                )
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- 2b. The async client: per-call CPU and bulk, against bare aiohttp -------------------


def async_part(rounds: int, calls: int, count: int, delay: float) -> None:
    """``AsyncClient`` (on its default transport, aiohttp) against a bare
    ``aiohttp.ClientSession`` doing the same work: per call, the same pre-encoded POST
    on one session (read the body, parse the JSON); in bulk, 500 sends over TLS with
    two connections."""
    import asyncio
    import json
    import ssl

    import aiohttp

    from chump_typed import AiohttpTransport, AsyncClient, Sent

    print(f"async client CPU ({rounds} rounds x {calls} calls, plain HTTP, no delay)")
    body = urlencode(
        {"token": APP_TOKEN, "user": USER_KEY, "message": "hello"}
    ).encode()
    notification = Notification(user=USER_KEY, message="hello")

    async def per_call_run(base_url: str) -> dict[str, float]:
        url = base_url + "messages.json"
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=2), auto_decompress=False
        )
        client = AsyncClient(APP_TOKEN, base_url=base_url)

        async def bare() -> None:
            async with session.post(url, data=body, headers=FORM_HEADERS) as response:
                assert json.loads(await response.read())["status"] == 1

        async def typed() -> None:
            await client.send(notification)

        async def cpu_per_call(call: Callable[[], Any]) -> float:
            started = time.process_time()
            for _ in range(calls):
                await call()
            return (time.process_time() - started) / calls * 1e6

        for call in (bare, typed):  # warm the sessions and lazy hooks
            for _ in range(50):
                await call()
        samples: dict[str, list[float]] = {"bare": [], "typed": []}
        for _ in range(rounds):
            samples["bare"].append(await cpu_per_call(bare))
            samples["typed"].append(await cpu_per_call(typed))
        await session.close()
        await client.aclose()
        return {name: statistics.median(values) for name, values in samples.items()}

    with server() as fake:
        medians = asyncio.run(per_call_run(fake.base_url))
    base = medians["bare"]
    add(Row("async", "bare aiohttp POST, one session (baseline)", base, "us CPU"))
    add(
        Row(
            "async",
            "AsyncClient.send (aiohttp transport)",
            medians["typed"],
            "us CPU",
            "bare aiohttp",
            medians["typed"] / base,
            "<=1.45x",
        )
    )

    print(f"async bulk over TLS, {delay * 1000:.0f} ms per request ({rounds} rounds)")
    tmp = Path(tempfile.mkdtemp(prefix="chump-bench-"))
    ca = tmp / "ca.pem"
    try:
        with server("--tls", str(ca), "--delay", str(delay)) as fake:
            notes = [
                Notification(user=USER_KEY, message=f"bulk {i}") for i in range(count)
            ]
            bodies = [
                urlencode(
                    {"token": APP_TOKEN, "user": USER_KEY, "message": n.message}
                ).encode()
                for n in notes
            ]
            context = ssl.create_default_context(cafile=str(ca))

            async def many() -> float:
                fake.reset()
                transport = AiohttpTransport(ca_certs=str(ca))
                async with AsyncClient(
                    APP_TOKEN, base_url=fake.base_url, transport=transport
                ) as client:
                    started = time.perf_counter()
                    outcomes = await client.send_many(notes)
                    elapsed = time.perf_counter() - started
                assert all(isinstance(o, Sent) for o in outcomes)
                return elapsed

            async def bare_pair() -> float:
                """Two tasks sharing one session of two connections."""
                url = fake.base_url + "messages.json"
                cursor = iter(bodies)
                async with aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=2, ssl=context),
                    auto_decompress=False,
                ) as session:

                    async def work() -> None:
                        for data in cursor:
                            async with session.post(
                                url, data=data, headers=FORM_HEADERS
                            ) as response:
                                assert json.loads(await response.read())["status"] == 1

                    started = time.perf_counter()
                    await asyncio.gather(work(), work())
                    return time.perf_counter() - started

            def in_loop(run: Callable[[], Any]) -> Callable[[], float]:
                def measure() -> float:
                    elapsed: float = asyncio.run(run())
                    return elapsed

                return measure

            medians = median_rounds(
                {"bare": in_loop(bare_pair), "many": in_loop(many)}, rounds
            )
            floor = count * delay / 2
            add(
                Row(
                    "async",
                    "bare aiohttp, 2 connections, pre-encoded (reference)",
                    medians["bare"],
                    "s",
                    "floor",
                    medians["bare"] / floor,
                )
            )
            add(
                Row(
                    "async",
                    f"AsyncClient.send_many({count})",
                    medians["many"],
                    "s",
                    "bare aiohttp",
                    medians["many"] / medians["bare"],
                    "<=1.05x",
                )
            )
            add(
                Row(
                    "async",
                    f"AsyncClient.send_many({count}) to the floor",
                    medians["many"] / floor,
                    "x floor",
                )
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- 3. Start-up and one-shot sends, in fresh processes ----------------------------------


def child_env() -> dict[str, str]:
    """The environment of the measured processes: bytecode caching on, as for an
    installed package (pip writes .pyc files), no config file, no proxy."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.pop("HTTP_PROXY", None)
    env.pop("http_proxy", None)
    return env


def wall(argv: list[str], env: dict[str, str]) -> Callable[[], float]:
    def measure() -> float:
        started = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
        return (time.perf_counter() - started) * 1000

    return measure


BARE_SEND = """
import sys, urllib3
from urllib.parse import urlencode
body = urlencode({"token": sys.argv[2], "user": sys.argv[3], "message": "hello"})
r = urllib3.PoolManager().request("POST", sys.argv[1] + "messages.json",
    body=body.encode(),
    headers={"content-type": "application/x-www-form-urlencoded"})
assert r.status == 200
"""

TYPED_SEND = """
import sys
from chump_typed import Client, Notification
with Client(sys.argv[2], base_url=sys.argv[1]) as client:
    client.send(Notification(user=sys.argv[3], message="hello"))
"""

FIRST_CALL = """
import sys, time
from chump_typed import Client, HTTPRequest, Notification
with Client(sys.argv[2], base_url=sys.argv[1]) as client:
    # Open the connection with a raw request, so neither timed send pays for it.
    client.transport.send(
        HTTPRequest(method="GET", url=sys.argv[1] + "sounds.json?token=" + sys.argv[2])
    )
    times = []
    for message in ("first", "second"):
        n = Notification(user=sys.argv[3], message=message)
        started = time.thread_time()
        client.send(n)
        times.append(time.thread_time() - started)
print(times[0] * 1e6, times[1] * 1e6)
"""


def has_cli_send(env: dict[str, str]) -> bool:
    result = subprocess.run(
        [PYTHON, "-m", "chump_typed", "send", "--help"],
        env=env,
        capture_output=True,
    )
    return result.returncode == 0


def startup(rounds: int) -> None:
    print(f"start-up and one-shot sends ({rounds} fresh processes each, wall time)")
    env = child_env()
    py = [PYTHON, "-c"]
    imports = {
        "pass": wall([*py, "pass"], env),
        "base": wall([*py, "import urllib3, attrs, cattrs"], env),
        "urllib3": wall([*py, "import urllib3"], env),
        "deps": wall([*py, "import attrs, cattrs"], env),
        "ours": wall([*py, "import chump_typed"], env),
        "chump": wall([*py, "import chump"], env),
        "send-ready": wall(
            [*py, "from chump_typed import Client, Notification, Urllib3Transport"],
            env,
        ),
    }
    for run in imports.values():  # write bytecode caches; warm the page cache
        run()
    medians = median_rounds(imports, rounds)
    base = medians["base"]
    add(Row("start-up", 'python -c "pass" (interpreter alone)', medians["pass"], "ms"))
    add(Row("start-up", 'python -c "import urllib3"', medians["urllib3"], "ms"))
    add(Row("start-up", 'python -c "import attrs, cattrs"', medians["deps"], "ms"))
    add(Row("start-up", 'python -c "import urllib3, attrs, cattrs"', base, "ms"))
    add(
        Row(
            "start-up", 'python -c "import chump" (chump 1.6.0)', medians["chump"], "ms"
        )
    )
    add(
        Row(
            "start-up",
            'python -c "import chump_typed"',
            medians["ours"],
            "ms",
            "import chump",
            medians["ours"] / medians["chump"],
            "<=1.05x",
        )
    )
    add(
        Row(
            "start-up",
            'python -c "import chump_typed" (against its dependencies)',
            medians["ours"],
            "ms",
            "urllib3+attrs+cattrs",
            medians["ours"] / base,
        )
    )
    add(
        Row(
            "start-up",
            "import Client, Notification, Urllib3Transport",
            medians["send-ready"],
            "ms",
            "urllib3+attrs+cattrs",
            medians["send-ready"] / base,
        )
    )

    with server() as fake:
        args = [fake.base_url, APP_TOKEN, USER_KEY]
        sends = {
            "bare": wall([*py, BARE_SEND, *args], env),
            "typed": wall([*py, TYPED_SEND, *args], env),
        }
        cli = has_cli_send(env)
        if cli:
            cli_env = {
                **env,
                "PUSHOVER_TOKEN": APP_TOKEN,
                "PUSHOVER_USER": USER_KEY,
                "XDG_CONFIG_HOME": tempfile.gettempdir() + "/chump-bench-no-config",
                "HOME": tempfile.gettempdir() + "/chump-bench-no-config",
            }
            script = shutil.which("chump-typed", path=str(Path(PYTHON).parent))
            command = [script] if script else [PYTHON, "-m", "chump_typed"]
            sends["cli"] = wall(
                [*command, "send", "--base-url", fake.base_url, "hello"], cli_env
            )
        else:  # what exists: the command line's own start-up
            sends["cli-help"] = wall([PYTHON, "-m", "chump_typed", "--help"], env)
        for run in sends.values():
            run()
        medians = median_rounds(sends, rounds)
        base = medians["bare"]
        add(Row("one-shot", "bare urllib3 script: one POST", base, "ms"))
        add(
            Row(
                "one-shot",
                "script: Client(...).send(Notification(...))",
                medians["typed"],
                "ms",
                "bare script",
                medians["typed"] / base,
                "<=1.5x",
            )
        )
        if cli:
            add(
                Row(
                    "one-shot",
                    "chump-typed send MESSAGE",
                    medians["cli"],
                    "ms",
                    "bare script",
                    medians["cli"] / base,
                    "<=1.4x",
                )
            )
        else:
            print("  (chump-typed send does not exist yet: its row is skipped)")
            add(
                Row(
                    "one-shot",
                    "python -m chump_typed --help (no send yet)",
                    medians["cli-help"],
                    "ms",
                    "bare script",
                    medians["cli-help"] / base,
                )
            )

        extra: list[float] = []
        firsts: list[float] = []
        seconds: list[float] = []
        for _ in range(rounds):
            out = subprocess.run(
                [*py, FIRST_CALL, *args],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            first, second = float(out[0]), float(out[1])
            firsts.append(first)
            seconds.append(second)
            extra.append(first - second)
        add(
            Row(
                "first call",
                "first Client.send in a fresh process",
                statistics.median(firsts),
                "us CPU",
            )
        )
        add(
            Row(
                "first call", "second Client.send", statistics.median(seconds), "us CPU"
            )
        )
        add(
            Row(
                "first call",
                "extra CPU of the first send (cattrs, the converter, its hooks)",
                statistics.median(extra),
                "us CPU",
                "a 25 ms budget",
                statistics.median(extra) / 25_000,
                "<=1.0x",
            )
        )


# -- 5. Receiving: from a send to listen() yielding the message -------------------------


def receive_latency(count: int) -> None:
    """Milliseconds from the start of ``Client.send`` to ``Session.listen`` yielding the
    message, over loopback HTTP and WebSocket (the fake in this process), against the
    send's own round trip in the same run."""
    import queue

    from chump_typed.receive import OpenClient
    from chump_typed.testing import FakePushover, serve

    print("\n5. receiving: send -> listen() latency, loopback")
    fake = FakePushover(push_keepalive=30)
    user = fake.add_account("bench@example.com", "bench password")
    arrived: queue.Queue[float] = queue.Queue()
    with serve(fake) as base_url, Client(APP_TOKEN, base_url=base_url) as client:
        receiver = OpenClient(base_url=base_url, push_url=fake.push_url)
        session = receiver.login("bench@example.com", "bench password")
        device = session.register_device("bench")
        listener = session.listen(device)

        def follow() -> None:
            for _ in listener:
                arrived.put(time.perf_counter())

        threading.Thread(target=follow, daemon=True).start()
        while fake.push_connections == 0:
            time.sleep(0.01)
        latencies: list[float] = []
        sends: list[float] = []
        for number in range(count):
            started = time.perf_counter()
            client.send(Notification(user=user, message=f"m{number}"))
            sends.append(time.perf_counter() - started)
            latencies.append(arrived.get(timeout=30) - started)
        listener.close()
        receiver.close()
    latency, send = statistics.median(latencies), statistics.median(sends)
    add(
        Row(
            "receiving",
            "send -> listen() yields it",
            latency * 1000,
            "ms",
            f"{send * 1000:.2f} ms: the send's own round trip",
            latency / send,
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--only",
        choices=("per-call", "bulk", "async", "start-up", "receive"),
        action="append",
        help="run only this part (repeatable)",
    )
    args = parser.parse_args()
    parts = args.only or ["per-call", "bulk", "async", "start-up", "receive"]
    started = time.perf_counter()
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(
        f"chump_typed benchmark: {os.cpu_count()} CPUs ({cpu}), "
        f"Python {platform.python_version()}, urllib3 {version('urllib3')}, "
        f"load average {os.getloadavg()[0]:.2f} at start"
    )
    if "per-call" in parts:
        per_call(rounds=3 if args.quick else 9, calls=100 if args.quick else 300)
    if "bulk" in parts:
        bulk(rounds=1 if args.quick else 3, count=500, delay=0.005, users=1000)
    if "async" in parts:
        async_part(
            rounds=3 if args.quick else 9,
            calls=100 if args.quick else 300,
            count=500,
            delay=0.005,
        )
    if "start-up" in parts:
        startup(rounds=5 if args.quick else 21)
    if "receive" in parts:
        receive_latency(count=20 if args.quick else 100)
    print_table()
    print(
        f"\nfinished in {time.perf_counter() - started:.0f} s; "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
