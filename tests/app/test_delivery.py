"""How files reach the browser: plotly.js and the assets cached by version, text compressed for remote clients."""

import gzip
import re
from pathlib import Path

import plotly
import pytest
from flask import Flask

from neuralab.app import delivery

YEAR = "max-age=31536000"
REMOTE = {"REMOTE_ADDR": "192.0.2.7"}  # a documentation address: some other machine
LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.fixture
def client(app):
    """A test client of our own: the session's would keep the cookie these pages set (a later test checks
    that a first visit gets one)."""
    return app.server.test_client()


def test_the_page_points_dash_at_the_fingerprinted_plotly_which_the_browser_keeps(client):
    html = client.get("/splits").get_data(as_text=True)
    url = delivery.plotly_url()
    assert f"plotly.v{plotly.__version__.replace('.', '_')}m" in url
    assert delivery.plotly_script(url) in html and "_dashPlotlyJSURL" in html
    r = client.get(url, environ_base=LOCAL)
    assert r.status_code == 200 and YEAR in r.headers["Cache-Control"]
    assert r.get_data() == (Path(plotly.__file__).parent / delivery.PLOTLY_PATH).read_bytes()
    # the renderer's own fixed URL still answers, for a Dash that reads another name
    assert client.get("/_dash-component-suites/plotly/package_data/plotly.min.js").status_code == 200


def test_assets_stamped_with_their_time_are_kept_and_others_revalidated(client):
    html = client.get("/").get_data(as_text=True)
    stamped = [u for u in re.findall(r'(?:href|src)="([^"]+)"', html) if "/assets/" in u and "?m=" in u]
    assert stamped, "Dash stamps the assets' URLs"
    for url in stamped:
        r = client.get(url)
        assert r.status_code == 200 and YEAR in r.headers["Cache-Control"] and "immutable" in r.headers["Cache-Control"]
    bare = client.get(stamped[0].split("?")[0])
    assert bare.status_code == 200 and "max-age" not in (bare.headers.get("Cache-Control") or "")
    assert "max-age" not in (client.get("/assets/no-such-file.css?m=1").headers.get("Cache-Control") or "")


@pytest.mark.parametrize("path", ["/_dash-dependencies", "/_dash-layout", "PLOTLY"])
def test_a_remote_browser_gets_gzip_and_a_local_one_the_bytes_as_they_are(client, path):
    pytest.importorskip("flask_compress")
    path = delivery.plotly_url() if path == "PLOTLY" else path
    plain = client.get(path, headers={"Accept-Encoding": "gzip"}, environ_base=LOCAL)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    for _ in range(2):  # the second answer of a static file comes from the kept copy
        packed = client.get(path, headers={"Accept-Encoding": "gzip, deflate"}, environ_base=REMOTE)
        assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        body = packed.get_data()
        assert len(body) < len(plain.get_data()) / 3 and gzip.decompress(body) == plain.get_data()
    identity = client.get(path, headers={"Accept-Encoding": "identity"}, environ_base=REMOTE)
    assert "Content-Encoding" not in identity.headers and identity.get_data() == plain.get_data()


@pytest.mark.parametrize(("value", "setting"), [("", "remote"), ("1", "remote"), ("all", "all"),
                                                 ("0", "off"), ("off", "off"), (" No ", "off"), ("ALL", "all")])
def test_the_setting_is_read_from_the_environment(monkeypatch, value, setting):
    monkeypatch.setenv("NEURALAB_COMPRESS", value)
    assert delivery.compression_setting() == setting


def test_off_installs_nothing_and_all_compresses_for_loopback_too(monkeypatch):
    pytest.importorskip("flask_compress")
    server = Flask("t")
    server.add_url_rule("/big", "big", lambda: ("x" * 5000, 200, {"Content-Type": "application/json"}))
    monkeypatch.setenv("NEURALAB_COMPRESS", "0")
    assert delivery.install_compression(server) is False
    monkeypatch.setenv("NEURALAB_COMPRESS", "all")
    assert delivery.install_compression(server) is True
    r = server.test_client().get("/big", headers={"Accept-Encoding": "gzip"}, environ_base=LOCAL)
    assert r.headers["Content-Encoding"] == "gzip" and gzip.decompress(r.get_data()) == b"x" * 5000


def test_the_kept_copies_are_bounded_and_keyed_by_the_file():
    cache = delivery._StaticCache()
    cache.set("gzip;", b"a callback answer")  # no key: never kept
    assert cache.data == {}
    for i in range(delivery.MAX_STATIC + 10):
        cache.set(f"gzip;/assets/f{i}.css", b"x")
    assert len(cache.data) == delivery.MAX_STATIC

    class Req:
        method = "GET"

        def __init__(self, path):
            self.path = path

    one = delivery._static_key(Req("/_dash-component-suites/plotly/package_data/plotly.v7_1_0m1.min.js"))
    two = delivery._static_key(Req("/_dash-component-suites/plotly/package_data/plotly.v9_9_9m2.min.js"))
    assert one == two == "/_dash-component-suites/plotly/package_data/plotly.min.js"
    assert delivery._static_key(Req("/_dash-update-component")) == ""


@pytest.mark.parametrize(("address", "local"), [("127.0.0.1", True), ("127.8.0.1", True), ("::1", True),
                                                ("[::1]", True), ("10.0.0.2", False), ("", False), (None, False),
                                                ("not an address", False)])
def test_loopback(address, local):
    assert delivery.loopback(address) is local
