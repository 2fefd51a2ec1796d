"""The endpoint table is data: every row is well formed, exported, has strategies,
a Client method that runs exactly it, and a route in the fake."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, Final

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chump_typed
from chump_typed import ENDPOINTS, Client, ValidationError, models
from chump_typed import _endpoints as ep
from chump_typed._endpoints import Endpoint
from chump_typed.errors import PushoverError
from chump_typed.models import Request, Result, SoundList, SoundsRequest
from chump_typed.protocol import HTTPRequest, HTTPResponse, encode_request
from chump_typed.receive import OpenClient, Session
from chump_typed.testing import APP_TOKEN
from chump_typed.testing._routes import ROUTES
from tests import strategies as s
from tests.strategies import REQUESTS, RESULTS

TEAM = "team-token"


BASE = "https://api.pushover.net/1/"


K = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"


G = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"


#: Each row's Client method, called with valid arguments. A row missing here (and not
#: an alias of another row's call) fails test_every_row_has_a_client_method.
CALLS: dict[str, Callable[[Client], object]] = {
    "send_message": lambda c: c.send(models.Notification(user=K, message="m")),
    "list_sounds": lambda c: c.sounds(),
    "validate_user": lambda c: c.validate_user(K),
    "get_receipt": lambda c: c.receipt(K),
    "cancel_receipt": lambda c: c.cancel(K),
    "cancel_by_tag": lambda c: c.cancel_by_tag("t"),
    "get_limits": lambda c: c.limits(),
    "create_group": lambda c: c.create_group("g"),
    "list_groups": lambda c: c.list_groups(),
    "group_info": lambda c: c.group_info(G),
    "add_group_user": lambda c: c.add_group_user(G, K, device="d", memo="m"),
    "remove_group_user": lambda c: c.remove_group_user(G, K),
    "disable_group_user": lambda c: c.disable_group_user(G, K),
    "enable_group_user": lambda c: c.enable_group_user(G, K),
    "rename_group": lambda c: c.rename_group(G, "n"),
    "update_glance": lambda c: c.update_glance(models.GlanceUpdate(user=K, count=1)),
    "migrate_subscription": lambda c: c.migrate_subscription("S-1", K),
    "assign_license": lambda c: c.assign_license(user=K),
    "license_credits": lambda c: c.license_credits(),
    "add_team_user": lambda c: c.add_team_user("a@b.co"),
    "remove_team_user": lambda c: c.remove_team_user("a@b.co"),
    "team_info": lambda c: c.team_info(),
    "revoke_team_invitation": lambda c: c.revoke_team_invitation("a@b.co"),
}

#: Each receiving row's method (on a Session, or OpenClient.login), called with valid
#: arguments.
SESSION_CALLS: dict[str, Callable[[Session], object]] = {
    "login": lambda s: s.client.login("a@b.co", "pw"),
    "register_device": lambda s: s.register_device("desk"),
    "download_messages": lambda s: s.download("dev1"),
    "delete_through": lambda s: s.delete_through("dev1", 7),
    "acknowledge": lambda s: s.acknowledge(K),
}
#: The credentials of the receiving calls.
RECEIVING: Final = (ep.SESSION, ep.ACCOUNT)

ROWS = {row.name: row for row in ep.ENDPOINTS}


#: The placeholder values the calls in CALLS use.
FILLED: dict[str, str] = {"group": G, "receipt": K, "tag": "t"}


class Recording:
    """A transport that records each request and answers an empty success."""

    def __init__(self) -> None:
        self.sent: list[HTTPRequest] = []

    def send(self, request: HTTPRequest) -> HTTPResponse:
        self.sent.append(request)
        return HTTPResponse(status=200, body=b'{"status": 1, "request": "r"}')

    def close(self) -> None:
        pass


def test_names_are_unique() -> None:
    names = [e.name for e in ENDPOINTS]

    assert len(names) == len(set(names))


def test_method_and_path_pairs_are_unique() -> None:
    pairs = [(e.method, e.path) for e in ENDPOINTS]

    assert len(pairs) == len(set(pairs))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
class TestRow:
    def test_placeholders_are_request_fields(
        self, endpoint: Endpoint[Any, Any]
    ) -> None:
        fields = {a.name for a in attrs.fields(endpoint.request_type)}

        assert set(endpoint.placeholders) <= fields

    def test_path_is_relative_json(self, endpoint: Endpoint[Any, Any]) -> None:
        assert not endpoint.path.startswith("/")
        assert endpoint.path.endswith(".json")

    def test_models_are_frozen_attrs_classes(
        self, endpoint: Endpoint[Any, Any]
    ) -> None:
        for cls in (endpoint.request_type, endpoint.response_type):
            assert attrs.has(cls)
            assert cls.__setattr__ is not object.__setattr__  # frozen
        assert issubclass(endpoint.response_type, Result)

    def test_request_type_is_registered_with_the_converter(
        self, endpoint: Endpoint[Any, Any]
    ) -> None:
        assert issubclass(endpoint.request_type, Request)

    def test_every_model_has_a_strategy(self, endpoint: Endpoint[Any, Any]) -> None:
        assert endpoint.request_type in s.REQUESTS
        assert endpoint.response_type in s.RESULTS

    def test_row_is_exported(self, endpoint: Endpoint[Any, Any]) -> None:
        exported = [getattr(chump_typed, k) for k in chump_typed.__all__ if k.isupper()]

        assert any(row is endpoint for row in exported)

    def test_client_has_a_method_running_the_row(
        self, endpoint: Endpoint[Any, Any]
    ) -> None:
        # Every row is reachable from a one-line Client method whose source names it,
        # directly or through the _calls function it runs.
        import inspect
        import re

        from chump_typed import _calls
        from chump_typed.receive import _calls as rc

        # The receiving rows are run by the Open Client's classes, through their
        # own builders (rc.name).
        receiving = endpoint.credential in RECEIVING
        classes = (OpenClient, Session) if receiving else (Client,)
        builders, prefix = (rc, "rc") if receiving else (_calls, "_calls")
        sources = [
            inspect.getsource(member)
            for cls in classes
            for _, member in inspect.getmembers(cls, inspect.isfunction)
        ]
        sources += [
            inspect.getsource(getattr(builders, name))
            for src in list(sources)
            for name in re.findall(rf"{prefix}\.(\w+)\(", src)
        ]
        row_name = next(
            k for k in chump_typed.__all__ if getattr(chump_typed, k) is endpoint
        )
        assert any(f"ep.{row_name}" in src for src in sources), row_name


@pytest.mark.parametrize("path", ["{", "receipts/{receipt.json", "a}b"])
def test_a_bad_path_template_is_a_validation_error(path: str) -> None:
    with pytest.raises(ValidationError, match="path"):
        Endpoint("x", "GET", path, SoundsRequest, SoundList)


def test_rows_are_unique_and_exported() -> None:
    assert len(ROWS) == len(ep.ENDPOINTS)
    assert len({(r.method, r.path) for r in ep.ENDPOINTS}) == len(ep.ENDPOINTS)
    exported = {getattr(ep, name) for name in ep.__all__ if name.isupper()}
    assert set(ep.ENDPOINTS) <= exported


@pytest.mark.parametrize("row", ep.ENDPOINTS, ids=lambda r: r.name)
def test_row_is_well_formed(row: ep.Endpoint[Any, Any]) -> None:
    assert row.method in ("GET", "POST")
    assert row.path.endswith(".json")
    assert not row.path.startswith("/")
    fields = attrs.fields_dict(row.request_type)
    for name in row.placeholders:
        assert name in fields, f"{row.name}: {{{name}}} is not a request field"
    assert issubclass(row.request_type, models.Request)
    assert issubclass(row.response_type, models.Result)
    assert row.request_type in REQUESTS
    assert row.response_type in RESULTS
    # Requests are frozen, keyword-only values.
    assert attrs.has(row.request_type)
    assert all(a.kw_only for a in attrs.fields(row.request_type))


def test_only_licence_assignment_is_not_retryable() -> None:
    assert [r.name for r in ep.ENDPOINTS if not r.retryable] == ["assign_license"]


def test_only_teams_rows_use_the_team_token() -> None:
    assert {r.name for r in ep.ENDPOINTS if r.credential == ep.TEAM} == {
        "add_team_user",
        "remove_team_user",
        "team_info",
        "revoke_team_invitation",
    }


def test_group_removal_path_and_its_alternative() -> None:
    assert ep.REMOVE_GROUP_USER.path == ep.GROUP_REMOVE_USER_PATH
    assert ep.REMOVE_GROUP_USER.path.endswith("/remove_user.json")
    legacy = ep.REMOVE_GROUP_USER_LEGACY
    assert legacy not in ep.ENDPOINTS  # an alias of a listed call, not a new call
    assert legacy.path == ep.GROUP_DELETE_USER_PATH
    assert legacy.path.endswith("/delete_user.json")
    assert (legacy.request_type, legacy.response_type) == (
        ep.REMOVE_GROUP_USER.request_type,
        ep.REMOVE_GROUP_USER.response_type,
    )


def test_every_row_has_a_client_method_running_exactly_it() -> None:
    assert set(CALLS) | set(SESSION_CALLS) == set(ROWS)
    assert not set(CALLS) & set(SESSION_CALLS)
    for name, invoke in CALLS.items():
        row = ROWS[name]
        transport = Recording()
        client = Client(APP_TOKEN, team_token=TEAM, base_url=BASE, transport=transport)
        with contextlib.suppress(PushoverError):  # "{}"-like answers may not decode
            invoke(client)
        assert len(transport.sent) == 1, name
        sent = transport.sent[0]
        assert sent.method == row.method, name
        assert sent.url.split("?")[0] == BASE + row.path.format(**FILLED), name
        assert sent.retryable == row.retryable, name
        expected_token = TEAM if row.credential == ep.TEAM else APP_TOKEN
        assert sent.params["token"] == expected_token, name


def test_every_receiving_row_has_a_session_method_running_exactly_it() -> None:
    for name, invoke in SESSION_CALLS.items():
        row = ROWS[name]
        transport = Recording()
        client = OpenClient(base_url=BASE, transport=transport)
        with contextlib.suppress(PushoverError):  # "{}"-like answers do not decode
            invoke(client.session("s3cret", "dev1"))
        assert len(transport.sent) == 1, name
        sent = transport.sent[0]
        assert sent.method == row.method, name
        filled = row.path.format(**FILLED, device_id="dev1")
        assert sent.url.split("?")[0] == BASE + filled, name
        assert "token" not in sent.params, name
        if row.credential == ep.SESSION:
            assert sent.params["secret"] == "s3cret", name
        else:
            assert "secret" not in sent.params, name


@pytest.mark.parametrize(
    "row", [*ep.ENDPOINTS, ep.REMOVE_GROUP_USER_LEGACY], ids=lambda r: r.name
)
@settings(max_examples=10)
@given(data=st.data())
def test_the_fake_routes_every_row(
    row: ep.Endpoint[Any, Any], data: st.DataObject
) -> None:
    request = data.draw(REQUESTS[row.request_type])
    http = encode_request(row, request, token=APP_TOKEN, base_url=BASE)
    path = "/1/" + http.url[len(BASE) :].split("?")[0]
    matches = [r for r in ROUTES if r.method == row.method and r.pattern.match(path)]
    assert matches, f"the fake has no route for {row.method} {path}"
    assert all(r.auth == row.credential.kind for r in matches)
