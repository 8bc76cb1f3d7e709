"""The HTTP API's whole surface under schemathesis (inputs generated from /openapi.json):
not one 5xx. Ids and numbers out of range must be 404/422, never 500.

Bounded for CI: a few dozen examples per operation over a facts-only index of the seeds (no
embedding model), well under a minute. Also a few hand-written out-of-range ids that the
generator might not reach.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck

from fuzzing import fuzz

from qa_app.api import create_app
from qa_app.indexer import index_paths
from qa_app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def make_settings(index: Path) -> Settings:
    return Settings.load(index=index, narrative=False, api_token="", cors_origins="", max_file_mb=1.0,
                         llm_mode="none", database_url="")


def _build_app():
    """A facts-only index of the seeds in a temporary folder, and the app over it (built when
    the module loads: schemathesis parametrizes the test from the app's schema)."""
    idx = Path(tempfile.mkdtemp(prefix="qa-app-fuzz-")) / "index"
    assert index_paths([SEEDS], make_settings(idx), progress=False).count("added") == 5
    return idx, create_app(make_settings(idx))


INDEX, APP = _build_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    shutil.rmtree(INDEX.parent, ignore_errors=True)


@pytest.fixture()
def app():
    return APP


@schema.parametrize()
@fuzz(30, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    from schemathesis.checks import not_a_server_error
    case.call_and_validate(checks=[not_a_server_error])


@pytest.mark.parametrize("method, path", [
    ("GET", "/check?report_id=9223372036854775808"),
    ("GET", "/check?report_id=2147483648"),
    ("GET", "/facts?report_id=9223372036854775808"),
    ("GET", "/facts?year=99999999999999999999"),
    ("DELETE", "/reports/9223372036854775808"),
    ("DELETE", "/reports/2147483648"),
])
def test_ids_out_of_range_are_client_errors(app, method, path):
    r = TestClient(app).request(method, path)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_request" and "太大" in r.json()["message"], r.text


def test_largest_id_is_not_found(app):
    c = TestClient(app)
    assert c.delete("/reports/2147483647").status_code == 404
    assert c.get("/check?report_id=2147483647").json() == []
    assert c.get("/facts?report_id=2147483647").json() == []
    assert c.get("/facts?offset=99999999999999999999999").json() == []  # past the end: nothing, not an error
