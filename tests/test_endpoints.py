"""The endpoint table is data; these invariants keep every row honest."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

import chump_typed
from chump_typed import ENDPOINTS, Client, ValidationError
from chump_typed._endpoints import Endpoint
from chump_typed.models import Request, Result, SoundList, SoundsRequest

from . import strategies as s


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
        exported = [v for k, v in vars(chump_typed).items() if k.isupper()]

        assert any(row is endpoint for row in exported)

    def test_client_has_a_method_running_the_row(
        self, endpoint: Endpoint[Any, Any]
    ) -> None:
        # Every row is reachable from a one-line Client method whose source names it.
        import inspect

        sources = [
            inspect.getsource(member)
            for _, member in inspect.getmembers(Client, inspect.isfunction)
        ]
        row_name = next(k for k, v in vars(chump_typed).items() if v is endpoint)
        assert any(f"ep.{row_name}" in src for src in sources), row_name


@pytest.mark.parametrize("path", ["{", "receipts/{receipt.json", "a}b"])
def test_a_bad_path_template_is_a_validation_error(path: str) -> None:
    with pytest.raises(ValidationError, match="path"):
        Endpoint("x", "GET", path, SoundsRequest, SoundList)
