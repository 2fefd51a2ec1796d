"""The fake Pushover in its own process, so that the benchmark's process CPU time is the
client's alone.

Usage: ``python bench/server.py [--delay SECONDS] [--tls CA_PEM_PATH] [--users N]``

Prints the base URL on one line, then answers commands read from standard input, one
per line: ``stats`` prints ``requests peak_connections connections_opened``, ``reset``
forgets everything (and prints ``ok``). End of input stops the server.

With ``--tls`` a throwaway trustme CA is written to ``CA_PEM_PATH`` and the server
presents a certificate for ``127.0.0.1`` signed by it.
"""

from __future__ import annotations

import argparse
import ssl
import sys

from chump_typed.testing import USER_DEVICES, USER_KEY, FakePushover, serve


def bench_users(count: int) -> list[str]:
    """*count* distinct, valid user keys (30 letters and digits), the same every run."""
    return [f"bench{i:025d}" for i in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--tls", metavar="CA_PEM_PATH")
    parser.add_argument("--users", type=int, default=0)
    args = parser.parse_args()

    users: dict[str, tuple[str, ...]] = {USER_KEY: USER_DEVICES}
    users.update(dict.fromkeys(bench_users(args.users), ("phone",)))
    fake = FakePushover(users=users, limit=10**9)

    context: ssl.SSLContext | None = None
    if args.tls:
        import trustme

        ca = trustme.CA()
        ca.cert_pem.write_to_path(args.tls)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert = ca.issue_cert("127.0.0.1")
        cert.configure_cert(context)  # pyright: ignore[reportUnknownMemberType]  # trustme types its pyOpenSSL alternative loosely

    with serve(fake, ssl_context=context, delay=args.delay) as base_url:
        print(base_url, flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "stats":
                print(
                    len(fake.requests),
                    fake.peak_connections,
                    fake.connections_opened,
                    flush=True,
                )
            elif command == "reset":
                fake.reset()
                print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
