"""A `civic311 serve` process for the clients to drive: on SQLite, and on a
new PostgreSQL database when the test command gives a server
(CIVIC311_TEST_POSTGRES)."""

import hashlib
import os
import pathlib
import subprocess
import urllib.request
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLIENT_KEY = "client-key-of-the-client-tests"
STAFF_KEY = "staff-key-of-the-client-tests"


def binary():
    path = os.environ.get("CIVIC311_BIN") or str(ROOT / "target" / "debug" / "civic311")
    if not pathlib.Path(path).exists():
        pytest.fail(f"{path} is missing: build it with `cargo build -p civic311-cli`, or set CIVIC311_BIN")
    return path


def stores(tmp):
    yield "sqlite", f"sqlite:{tmp / 'store.db'}"
    server = os.environ.get("CIVIC311_TEST_POSTGRES")
    if server:
        name = "clients_" + uuid.uuid4().hex[:12]
        subprocess.run(["psql", server, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
        yield "postgres", server.rsplit("/", 1)[0] + "/" + name
    elif os.environ.get("CIVIC311_REQUIRE_POSTGRES") == "1":
        pytest.fail("CIVIC311_REQUIRE_POSTGRES=1 but CIVIC311_TEST_POSTGRES names no server")


class Server:
    def __init__(self, url, process, store):
        self.url, self.process, self.store = url, process, store
        self.base = url + "/open311/v2"


def start(tmp, store):
    keys = tmp / "keys.toml"
    keys.write_text(
        "".join(
            f'[[keys]]\nname = "{name}"\nrole = "{role}"\nsha256 = "{hashlib.sha256(key.encode()).hexdigest()}"\n'
            for name, role, key in [("clients", "client", CLIENT_KEY), ("streets", "staff", STAFF_KEY)]
        )
    )
    process = subprocess.Popen(
        [binary(), "serve", "--store", store, "--keys", str(keys), "--listen", "127.0.0.1:0",
         "--per-address", "100000"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = process.stdout.readline()
    assert line.startswith("listening on http://"), line
    url = line.split("listening on ", 1)[1].strip()
    with urllib.request.urlopen(url + "/healthz", timeout=10) as r:
        assert r.status == 200
    return Server(url, process, store)


@pytest.fixture(params=["sqlite", "postgres"], scope="module")
def server(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    found = dict(stores(tmp))
    if request.param not in found:
        pytest.skip("no PostgreSQL server given (CIVIC311_TEST_POSTGRES)")
    s = start(tmp, found[request.param])
    yield s
    s.process.terminate()
    assert s.process.wait(timeout=30) == 0
