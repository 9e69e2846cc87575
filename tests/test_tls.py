"""`https://` engines and SEARCHER_CA_FILE: a TLS proxy in front of the real test nodes.

The proxy terminates TLS with a certificate made for this test (openssl, self-signed for
127.0.0.1) and relays bytes to the node.  The client must trust exactly the CA file it is given:
the right one connects, none or another refuses.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.engines import open_engine
from searcher.errors import EngineUnavailable
from searcher.models import Document
from searcher.query import parse
from searcher.settings import Settings

pytestmark = pytest.mark.engines


def make_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate (its own CA) for 127.0.0.1, and its key."""
    if shutil.which("openssl") is None:
        pytest.fail("the TLS test needs the openssl command")
    cert, key = directory / f"{name}.pem", directory / f"{name}-key.pem"
    command = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
    where = ["-keyout", str(key), "-out", str(cert), "-subj", f"/CN={name}"]
    subprocess.run(
        [*command.split(), *where, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True,
        capture_output=True,
    )
    return cert, key


def _relay(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    for sock in (source, target):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class TlsProxy:
    """https://127.0.0.1:PORT → the node's plain http port."""

    def __init__(self, upstream: str, cert: Path, key: Path) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self.server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._connect, args=(conn,), daemon=True).start()

    def _connect(self, conn: socket.socket) -> None:
        try:
            client = self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()  # a client that does not trust us hangs up in the handshake
            return
        node = socket.create_connection(self.upstream)
        threading.Thread(target=_relay, args=(node, client), daemon=True).start()
        _relay(client, node)

    def close(self) -> None:
        self.server.close()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    directory = tmp_path_factory.mktemp("tls")
    return {name: make_certificate(directory, name) for name in ("node", "stranger")}


@pytest.fixture(params=["opensearch", "elasticsearch"])
def proxied(
    request: pytest.FixtureRequest, certificates: dict[str, tuple[Path, Path]]
) -> Iterator[tuple[str, str]]:
    url = request.getfixturevalue(f"{request.param}_url")
    proxy = TlsProxy(url, *certificates["node"])
    yield request.param, proxy.url
    proxy.close()


def _settings(engine: str, url: str, ca_file: Path | None) -> Settings:
    return Settings(engine=engine, url=url, ca_file=ca_file, max_retries=0)


def test_https_with_the_ca_file_indexes_and_searches(
    proxied: tuple[str, str], certificates: dict[str, tuple[Path, Path]]
) -> None:
    engine_name, url = proxied
    engine = open_engine(_settings(engine_name, url, certificates["node"][0]))
    index = f"tls-{uuid.uuid4().hex[:8]}"
    try:
        engine.create_index(index)
        assert engine.bulk(index, [Document(id="1", body="الكتاب عبر اتصال مشفر")])[0].ok
        engine.refresh(index)
        assert [h.id for h in engine.search(index, parse("مشفر", engine.analyzer)).hits] == ["1"]
    finally:
        engine.delete_index(index)
        engine.close()


@pytest.mark.parametrize("ca", ["none", "stranger"])
def test_https_refuses_a_certificate_it_was_not_told_to_trust(
    proxied: tuple[str, str], certificates: dict[str, tuple[Path, Path]], ca: str
) -> None:
    engine_name, url = proxied
    ca_file = certificates["stranger"][0] if ca == "stranger" else None
    engine = open_engine(_settings(engine_name, url, ca_file))
    with pytest.raises(EngineUnavailable, match="is unreachable"):
        engine.count("anything")


def test_searcher_ca_file_from_the_environment(
    opensearch_url: str, certificates: dict[str, tuple[Path, Path]], tmp_path: Path
) -> None:
    proxy = TlsProxy(opensearch_url, *certificates["node"])
    env = {
        "SEARCHER_ENGINE": "opensearch",
        "SEARCHER_URL": proxy.url,
        "SEARCHER_MAX_RETRIES": "0",
        "SEARCHER_DATA_DIR": str(tmp_path),
    }
    try:
        refused = CliRunner(env=env).invoke(main, ["analyze", "الكتاب", "--json"])
        assert refused.exit_code == 1 and "unreachable" in refused.stderr
        env["SEARCHER_CA_FILE"] = str(certificates["node"][0])
        trusted = CliRunner(env=env).invoke(main, ["analyze", "الكتاب", "--json"])
        assert trusted.exit_code == 0, trusted.output
        assert '"token": "كتاب"' in trusted.stdout
    finally:
        proxy.close()
