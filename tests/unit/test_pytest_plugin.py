"""The ``fake_pushover`` fixture, as a user's test suite sees it (through pytester)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from chump_typed import Client, Notification
from chump_typed.pytest_plugin import FakePushoverServer

pytest_plugins = ["pytester"]


def test_the_fixture_serves_a_fake_and_records_messages(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import urllib3
        from chump_typed import Client, Notification

        def test_send(fake_pushover):
            assert fake_pushover.base_url.startswith("http://127.0.0.1:")
            with Client(fake_pushover.app_token, base_url=fake_pushover.base_url) as c:
                c.send(Notification(user=fake_pushover.user_key, message="disk full"))
            assert [m.message for m in fake_pushover.messages] == ["disk full"]
            assert fake_pushover.fake.requests[0].path == "/1/messages.json"

        def test_each_test_gets_a_fresh_fake(fake_pushover):
            assert fake_pushover.messages == ()
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_the_fixture_serves_async_tests_under_asyncio_and_trio(
    pytester: pytest.Pytester,
) -> None:
    """The fixture is sync (its server runs in threads), so async tests use it as it
    is, through anyio's pytest plugin."""
    pytester.makepyfile(
        """
        import pytest
        from chump_typed import AsyncClient, Notification

        @pytest.fixture(params=["asyncio", "trio"])
        def anyio_backend(request):
            return request.param

        @pytest.mark.anyio
        async def test_send(fake_pushover):
            async with AsyncClient(
                fake_pushover.app_token, base_url=fake_pushover.base_url
            ) as client:
                await client.send(
                    Notification(user=fake_pushover.user_key, message="async")
                )
            assert [m.message for m in fake_pushover.messages] == ["async"]
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_options_fixture_configures_the_fake(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def fake_pushover_options():
            return {"limit": 1}
        """
    )
    pytester.makepyfile(
        """
        import pytest
        from chump_typed import Client, Notification, QuotaExceededError

        def test_quota(fake_pushover):
            with Client(fake_pushover.app_token, base_url=fake_pushover.base_url) as c:
                note = Notification(user=fake_pushover.user_key, message="one")
                c.send(note)
                with pytest.raises(QuotaExceededError):
                    c.send(note)
            assert len(fake_pushover.messages) == 1
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_uses(fake_pushover): pass\n")
    result = pytester.runpytest_inprocess(
        "-p", "no:chump_typed", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'fake_pushover' not found*"])


def test_fixture_in_this_suite(fake_pushover: FakePushoverServer) -> None:
    with Client(fake_pushover.app_token, base_url=fake_pushover.base_url) as client:
        result = client.send(Notification(user=fake_pushover.user_key, message="hi"))
    [sent] = fake_pushover.messages
    assert sent.request == result.request


def test_importing_chump_typed_does_not_import_pytest() -> None:
    code = (
        "import sys, chump_typed, chump_typed.testing, chump_typed.cli;"
        "sys.exit('pytest' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    assert done.returncode == 0
