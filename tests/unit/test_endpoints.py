"""The endpoint table is data: every row is well formed, exported, has strategies,
a Client method that runs exactly it, and a route in the fake."""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import quote

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
from chump_typed.testing._fake import ROUTES
from tests.strategies import REQUESTS, RESULTS

TEAM = "team-token"
SECRET = "s3cret"


BASE = "https://api.pushover.net/1/"


#: The credentials of the receiving calls, which a Session (or, for the login, its
#: OpenClient) runs rather than a Client.
RECEIVING: Final = (ep.SESSION, ep.ACCOUNT)

ROWS = {row.name: row for row in ep.ENDPOINTS}


def method_names(row: Endpoint[Any, Any]) -> tuple[str, ...]:
    """The names the method running *row* may have, derived from the row's name: the
    name itself, or its verb alone (``send_message``: ``send``, ``cancel_receipt``:
    ``cancel``), or its object alone (``list_sounds``: ``sounds``, ``get_receipt``:
    ``receipt``), tried in that order."""
    verb, _, thing = row.name.partition("_")
    return (row.name, verb, thing) if thing else (row.name,)


def method_running(
    row: Endpoint[Any, Any], client: Client, session: Session
) -> Callable[..., object]:
    """The method of *client* (of *session* or its OpenClient, for a receiving row)
    named after *row* (:func:`method_names`)."""
    owners: tuple[object, ...] = (
        (session, session.client) if row.credential in RECEIVING else (client,)
    )
    for name in method_names(row):
        for owner in owners:
            method: object = getattr(owner, name, None)
            if callable(method):
                return method
    pytest.fail(f"{row.name}: no method named {' or '.join(method_names(row))}")


def _type_name(annotation: object) -> str:
    """The class an annotation names (``"models.Notification"``: ``Notification``)."""
    text = (
        annotation
        if isinstance(annotation, str)
        else getattr(annotation, "__name__", "")
    )
    return text.rpartition(".")[2]


def _fills(parameter: str, field: str) -> bool:
    """Whether *parameter* takes *field*: named as it, or with a suffix more or less
    (``device`` fills ``device_id``, ``message_id`` fills ``message``)."""
    return parameter.partition("_")[0] == field.partition("_")[0] and (
        parameter.startswith(field) or field.startswith(parameter)
    )


def _takes_whole(annotation: object, request: attrs.AttrsInstance) -> bool:
    """Whether a parameter annotated *annotation* takes *request* itself: it names
    the request's model, or an alias of the models (``models.AnyNotification``)."""
    named = getattr(models, _type_name(annotation), None)
    return named is not None and isinstance(request, named)


def arguments(
    method: Callable[..., object], request: attrs.AttrsInstance
) -> dict[str, object]:
    """Keyword arguments for *method* that carry *request*: the request itself to a
    parameter of its type, else each field to the parameter that takes it
    (:func:`_fills`, the same name first)."""
    fields = [f.name for f in attrs.fields(type(request)) if f.init]
    found: dict[str, object] = {}
    for parameter in inspect.signature(method).parameters.values():
        if _takes_whole(parameter.annotation, request):
            return {parameter.name: request}
        takes = [f for f in fields if _fills(parameter.name, f)]
        if not takes:
            assert parameter.default is not parameter.empty, parameter.name
            continue
        field = parameter.name if parameter.name in takes else takes[0]
        found[parameter.name] = getattr(request, field)
        fields.remove(field)
    assert not fields, f"no parameter of {method.__name__} takes {fields}"
    return found


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


def test_each_request_type_has_one_row() -> None:
    """Rows share a method and path only as the kinds of one call (a message and an
    emergency): each request type is one row's, so a request says its row."""
    request_types = [e.request_type for e in ENDPOINTS]
    assert len(request_types) == len(set(request_types))
    shared: dict[tuple[str, str], list[str]] = {}
    for e in ENDPOINTS:
        shared.setdefault((e.method, e.path), []).append(e.name)
    assert {k: v for k, v in shared.items() if len(v) > 1} == {
        ("POST", "messages.json"): ["send_message", "send_emergency"]
    }


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

    @settings(max_examples=5)
    @given(data=st.data())
    def test_every_model_has_a_strategy(
        self, endpoint: Endpoint[Any, Any], data: st.DataObject
    ) -> None:
        # Derived from the models' fields: a field no rule fits fails here, named.
        assert isinstance(
            data.draw(REQUESTS[endpoint.request_type]), endpoint.request_type
        )
        assert isinstance(
            data.draw(RESULTS[endpoint.response_type]), endpoint.response_type
        )

    def test_row_is_exported(self, endpoint: Endpoint[Any, Any]) -> None:
        exported = [getattr(chump_typed, k) for k in chump_typed.__all__ if k.isupper()]

        assert any(row is endpoint for row in exported)


@pytest.mark.parametrize("path", ["{", "receipts/{receipt.json", "a}b"])
def test_a_bad_path_template_is_a_validation_error(path: str) -> None:
    with pytest.raises(ValidationError, match="path"):
        Endpoint("x", "GET", path, SoundsRequest, SoundList)


def test_rows_are_unique_and_exported() -> None:
    assert len(ROWS) == len(ep.ENDPOINTS)
    assert len({r.request_type for r in ep.ENDPOINTS}) == len(ep.ENDPOINTS)
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
    # Requests are frozen, keyword-only values.
    assert attrs.has(row.request_type)
    assert all(a.kw_only for a in attrs.fields(row.request_type))


def test_only_licence_assignment_is_not_retryable() -> None:
    assert [r.name for r in ep.ENDPOINTS if not r.retryable] == ["assign_license"]


def test_only_teams_rows_use_the_team_token() -> None:
    # The Teams API's calls are the rows under teams (teams.json, teams/add_user.json).
    teams = {
        r.name
        for r in ep.ENDPOINTS
        if r.path.partition("/")[0].removesuffix(".json") == "teams"
    }
    assert len(teams) >= 4
    assert {r.name for r in ep.ENDPOINTS if r.credential == ep.TEAM} == teams


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


@pytest.mark.parametrize("row", ep.ENDPOINTS, ids=lambda r: r.name)
@settings(max_examples=10)
@given(data=st.data())
def test_every_row_has_a_method_running_exactly_it(
    row: Endpoint[Any, Any], data: st.DataObject
) -> None:
    # A Client method (a Session's, for a receiving row) named after the row, given
    # the fields of any request, sends that request on that row and nothing else.
    request = data.draw(REQUESTS[row.request_type])
    transport = Recording()
    client = Client(APP_TOKEN, team_token=TEAM, base_url=BASE, transport=transport)
    session = OpenClient(base_url=BASE, transport=transport).session(SECRET, "dev1")
    method = method_running(row, client, session)
    with contextlib.suppress(PushoverError):  # "{}"-like answers may not decode
        method(**arguments(method, request))
    assert len(transport.sent) == 1
    sent = transport.sent[0]
    assert sent.method == row.method
    filled = {p: quote(str(getattr(request, p)), safe="") for p in row.placeholders}
    assert sent.url.split("?")[0] == BASE + row.path.format(**filled)
    assert sent.retryable == row.retryable
    if row.credential in RECEIVING:
        assert "token" not in sent.params
        if row.credential == ep.SESSION:
            assert sent.params["secret"] == SECRET
        else:
            assert "secret" not in sent.params
        secret = SECRET if row.credential == ep.SESSION else ""
    else:
        secret = TEAM if row.credential == ep.TEAM else APP_TOKEN
        assert sent.params["token"] == secret
    expected = encode_request(row, request, token=secret, base_url=BASE)
    assert sent == expected  # the whole request, built from the method's arguments
    assert sent.params == expected.params


def test_every_client_method_returning_a_result_runs_a_row() -> None:
    # The other way round: no Client method answers with a row's result unless the
    # table has that row (found by its name, as above).
    by_result = {row.response_type.__name__: row for row in ep.ENDPOINTS}
    running: set[str] = set()
    for name, method in inspect.getmembers(Client, inspect.isfunction):
        returns = _type_name(inspect.signature(method).return_annotation)
        if name.startswith("_") or returns not in by_result:
            continue
        assert name in method_names(by_result[returns]), (name, returns)
        running.add(name)
    # And every row has one (send runs both kinds of message).
    for row in ep.ENDPOINTS:
        if row.credential not in RECEIVING:
            assert running & set(method_names(row)), row.name


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
