"""The app factory, configuration and the OpenAPI document."""

import pytest
from flask import request

from placement import create_app
from placement.config import UnsafeConfiguration


def test_factory_builds_an_app_without_touching_the_database(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'none.db'}"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("none.db")
    assert not (tmp_path / "none.db").exists()


def test_database_url_from_environment_uses_psycopg(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.invalid/streha")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.invalid/streha"


def test_production_refuses_missing_keys(monkeypatch):
    monkeypatch.setenv("STREHA_ENV", "production")
    with pytest.raises(UnsafeConfiguration, match="ENCRYPTION_KEYS|SECRET_KEY"):
        create_app({"SECRET_KEY": None, "ENCRYPTION_KEYS": None})


def test_openapi_document_lists_the_contract_paths(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/shelters/{shelter_id}/rooms",
        "/api/v1/beds/{bed_id}",
        "/api/v1/shelters/{shelter_id}/confirm",
    ):
        assert path in spec["paths"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_unknown_route_answers_in_the_error_shape(client):
    body = client.get("/api/v1/nowhere").get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == 404


def test_behind_a_proxy_login_limits_count_the_forwarded_address(monkeypatch, tmp_path):
    monkeypatch.setenv("PROXY_HOPS", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    seen = []

    def who():
        seen.append(request.remote_addr)
        return "ok"

    app.add_url_rule("/who", "who", who)
    app.test_client().get("/who", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen == ["203.0.113.7"]


def test_unknown_query_parameters_are_refused_by_name(client, network, make_user):
    caller = make_user("national_coordinator")
    answer = client.get("/api/v1/shelters?kind=dv&colour=red", headers=caller.headers)
    assert answer.status_code == 422
    assert "colour" in answer.get_json()["message"]
