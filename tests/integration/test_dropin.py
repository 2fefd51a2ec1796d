"""chump_typed as a drop-in: a chump script, changed only in its import line, runs.

tests/dropin/chump_script.py is a chump-style script. It runs here against the fake
Pushover as it is, and again with its import line put back to ``import chump``, and
both runs must print the same and send the same, apart from the allowed differences.
The gate's repository-wide runs of ``mypy --strict`` and pyright strict check it.

The script knows nothing of the fake: a shim in the test points chump_typed's default
``base_url`` at it (as ``chump.ENDPOINT`` does for chump).
"""

from __future__ import annotations

import inspect
import re
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

import chump_typed
from chump_typed.testing import FakePushover, serve
from tests import typecheck
from tests.integration.test_differential import NOW, allowed, pointed_at

SCRIPT: Final = typecheck.ROOT / "tests" / "dropin" / "chump_script.py"
IMPORT: Final = "import chump_typed as chump\n"
ORIGINAL_IMPORT: Final = "import chump\n"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.fake_options(clock=lambda: NOW),
    # chump calls datetime.utcfromtimestamp() and utcnow(), deprecated on 3.12+.
    pytest.mark.filterwarnings("ignore:datetime.datetime.utc:DeprecationWarning"),
]

EXPECTED_OUTPUT: Final = [
    "devices: droid2, iphone",
    "sent: (nightly) Backup finished | id <request id> | remaining 9999",
    "alert receipt: True",
    "still alerting: True",
    "cancelled: True",
    "rejected: {'user': 'invalid'}",
]


@pytest.fixture
def typed_base_url(
    fake: FakePushover, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The shim: chump_typed.Application's defaults aimed at the served fake, with a
    transport the test closes."""
    transport = chump_typed.Urllib3Transport(retries=0)
    with serve(fake) as base_url:
        defaults = inspect.unwrap(chump_typed.Application.__init__).__kwdefaults__
        assert defaults is not None
        monkeypatch.setitem(defaults, "base_url", base_url)
        monkeypatch.setitem(defaults, "transport", transport)
        yield base_url
    transport.close()


def run_script(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run *path* as ``__main__``; it must exit 0. Its output, request ids masked."""
    with pytest.raises(SystemExit) as exited:
        runpy.run_path(str(path), run_name="__main__")
    output = capsys.readouterr()
    assert exited.value.code == 0, output.err
    return re.sub(r"[0-9a-f-]{36}", "<request id>", output.out).splitlines()


def test_script_differs_from_a_chump_script_only_in_its_import() -> None:
    text = SCRIPT.read_text()
    assert text.count(IMPORT) == 1
    # No keyword-only additions, no base_url: nothing else names chump_typed.
    assert "chump_typed" not in text.replace(IMPORT, "")


def test_script_runs_against_the_fake(
    fake: FakePushover, typed_base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    del typed_base_url
    assert run_script(SCRIPT, capsys) == EXPECTED_OUTPUT
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/1/sounds.json"),
        ("POST", "/1/users/validate.json"),
        ("POST", "/1/messages.json"),
        ("POST", "/1/messages.json"),
        ("GET", f"/1/receipts/{fake.messages[1].receipt}.json"),
        ("POST", f"/1/receipts/{fake.messages[1].receipt}/cancel.json"),
        ("POST", "/1/messages.json"),
    ]
    sent = fake.messages[0].params
    assert (sent["title"], sent["priority"], sent["sound"]) == ("nightly", "1", "magic")
    assert sent["timestamp"] == "1795748400"  # 2026-11-27T03:00Z


def requests(fake: FakePushover) -> list[tuple[str, str, dict[str, str]]]:
    """What reached the fake, receipts masked (they differ per run)."""
    return [
        (r.method, re.sub(r"/receipts/\w{30}", "/receipts/<r>", r.path), dict(r.params))
        for r in fake.requests
    ]


def test_script_does_what_it_did_with_chump(
    fake: FakePushover,
    typed_base_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    del typed_base_url
    original = tmp_path / "chump_script_original.py"
    original.write_text(SCRIPT.read_text().replace(IMPORT, ORIGINAL_IMPORT))
    with pointed_at(fake, monkeypatch):
        chump_output = run_script(original, capsys)
    chump_requests = requests(fake)
    fake.reset()
    typed_output = run_script(SCRIPT, capsys)
    assert typed_output == chump_output == EXPECTED_OUTPUT
    # chump polls the emergency receipt once more, right after sending it.
    allowed("emergency-send-polls")
    hidden_poll = chump_requests.pop(4)
    assert hidden_poll[:2] == chump_requests[4][:2] == ("GET", "/1/receipts/<r>.json")
    assert chump_requests == requests(fake)
