"""The playground's files as the real application serves them: at ``/`` with no key, each packaged
file with its type and the page's security headers, nothing else; every file the page or its
scripts load is packaged (and is in the wheel's package data). The browser test is
tests/e2e/test_playground.py."""

from __future__ import annotations

import re
import secrets
import tomllib
from collections.abc import Iterator
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from stenograph.api import playground
from stenograph.api.app import create_app
from stenograph.config import Settings

STATIC = Path(playground.__file__).parent / "static"
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("playground"), api_key=secrets.token_hex(16), embedded_worker=False
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client  # no Authorization header on any request


def test_the_page_is_served_at_the_root_without_a_key(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="/playground/app.js"></script>' in response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self' ws://testserver wss://testserver;" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-cache"
    assert client.head("/").status_code == 200


def test_a_page_already_loaded_is_not_sent_again(client: TestClient) -> None:
    etag = client.get("/playground/app.js").headers["etag"]
    again = client.get("/playground/app.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    changed = client.get("/playground/app.js", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200 and changed.content == (STATIC / "app.js").read_bytes()


@pytest.mark.parametrize("host", ["evil.example; script-src *", "a b", 'x"y', ""])
def test_an_odd_host_header_adds_nothing_to_the_policy(host: str) -> None:
    policy = playground.content_security_policy(host)
    assert "connect-src 'self';" in policy and "*" not in policy


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("pcm-worklet.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml"),
    ],
)
def test_assets_are_served_with_their_type(client: TestClient, name: str, media_type: str) -> None:
    response = client.get(f"/playground/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.content == (STATIC / name).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/playground/nothing.js",
        "/playground/index.html",  # the page lives at / only
        "/playground/..%2F__init__.py",
        "/playground/%2e%2e/__init__.py",
        "/playground/",
        "/playground",
    ],
)
def test_nothing_else_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": "Not found"}


def test_the_api_still_needs_its_key(client: TestClient) -> None:
    """The routes at / take nothing from the API's: its calls are refused without a key."""
    assert client.get("/v2/transcript").status_code == 401
    assert client.post("/v2/upload", content=b"x").status_code == 401
    assert client.get("/v3/token", params={"expires_in_seconds": 60}).status_code == 401


def _loaded_by_the_page() -> set[str]:
    """Every file name index.html and the scripts load: /playground/<name> and ./<name> imports."""
    names = set(re.findall(r'/playground/([\w.-]+)"', (STATIC / "index.html").read_text()))
    for script in STATIC.glob("*.js"):
        text = script.read_text()
        names |= set(re.findall(r'from "\./([\w.-]+)"', text))
        names |= set(re.findall(r'"/playground/([\w.-]+)"', text))
    return names


def test_every_file_the_page_loads_is_packaged() -> None:
    loaded = _loaded_by_the_page()
    assert {"app.js", "style.css", "pcm-worklet.js", "transcript.js", "live.js", "history.js"} <= loaded
    assert loaded <= set(playground.ASSETS), loaded - set(playground.ASSETS)


def test_every_static_file_is_in_the_package_data() -> None:
    """A file that the wheel's package data leaves out would be missing from an installed server."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["stenograph.api.playground"]
    for path in STATIC.iterdir():
        assert any(fnmatch(f"static/{path.name}", pattern) for pattern in patterns), path.name
        assert path.name in playground.ASSETS, path.name


class _Controls(HTMLParser):
    """The form controls, labels and buttons of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.buttons: list[str] = []
        self._button: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append(attributes)
        elif tag == "label" and attributes.get("for"):
            self.labelled.add(str(attributes["for"]))
        elif tag == "button":
            self._button = [attributes.get("aria-label") or ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None:
            self.buttons.append("".join(self._button).strip())
            self._button = None


def test_every_control_is_labelled() -> None:
    """Each input, select and textarea has a <label for> (or an aria-label), each button a name:
    what a screen reader says and what a click on the label focuses."""
    page = _Controls()
    page.feed((STATIC / "index.html").read_text())
    assert len(page.controls) > 25
    unlabelled = [
        c.get("id") for c in page.controls if c.get("id") not in page.labelled and not c.get("aria-label")
    ]
    assert not unlabelled
    assert all(page.buttons), page.buttons


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "[::1]:8000", "stenograph.example.org"])
def test_the_websocket_is_allowed_on_the_pages_host(host: str) -> None:
    assert f"connect-src 'self' ws://{host} wss://{host};" in playground.content_security_policy(host)
