#!/usr/bin/env python3
"""Real single-node Elasticsearch and OpenSearch for the tests, without Docker.

    python scripts/nodes.py start [elasticsearch] [opensearch]   # prints NAME=URL lines
    python scripts/nodes.py stop
    python scripts/nodes.py status
    python scripts/nodes.py kill opensearch      # SIGKILL, as a crash (fault tests)
    python scripts/nodes.py resume opensearch    # start again on the data it had

    python scripts/nodes.py start cluster-opensearch    # a 3-node cluster (prints its URLs)
    python scripts/nodes.py kill cluster-opensearch-3   # one member, as a crash
    python scripts/nodes.py resume cluster-opensearch-3
    python scripts/nodes.py stop cluster-opensearch

Everything comes from Maven Central (checked against its .sha1 files) and is cached under
``$SEARCHER_ENGINES_CACHE`` (default ``~/.cache/searcher/engines``):

- Elasticsearch: ``org.elasticsearch.distribution.integ-test-zip:elasticsearch`` (Java 21+). It
  carries only the transport and x-pack core/security modules, and Elasticsearch publishes its
  `analysis-common` module nowhere we can fetch it.  So that this node runs the production
  Arabic template, we compile our own TEST-ONLY module, ``scripts/es-test-analysis/`` (Lucene's
  own char filter, tokenizer and filter classes under analysis-common's type names), against the
  node's jars and install it as ``modules/searcher-test-analysis``.  Users run the official
  image, which ships analysis-common itself.
- OpenSearch: ``org.opensearch.distribution.integ-test-zip:opensearch`` plus the modules
  ``org.opensearch.plugin:analysis-common`` and, because it extends it,
  ``org.opensearch.plugin:lang-painless`` with its runtime jars.

Both listen on loopback only, with a 512 MB heap and a fresh data directory per start.  A
cluster (``cluster-elasticsearch``, ``cluster-opensearch``) is three such nodes of one product
that discover each other on loopback, each with a smaller heap (``SEARCHER_CLUSTER_HEAP``, 384m);
its ports are 9500-9599 plus the offset, clear of the single nodes'.  Both
refuse to run as root, so as root the nodes run as an unprivileged user made for the purpose.
Stdlib only: this runs before (and beside) the project's environment.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

MAVEN = "https://repo1.maven.org/maven2"
CACHE = Path(os.environ.get("SEARCHER_ENGINES_CACHE", Path.home() / ".cache/searcher/engines"))
RUN_USER = "searcher-nodes"
# Where nodes run: readable by the unprivileged user when we are root (root's home is not).
RUN_ROOT = Path("/var/tmp/searcher-nodes") if os.geteuid() == 0 else CACHE / "run"
HEAP = os.environ.get("SEARCHER_ENGINES_HEAP", "512m")
CLUSTER_HEAP = os.environ.get("SEARCHER_CLUSTER_HEAP", "384m")
CLUSTER_SIZE = 3
# Added to every port (and to the run directory's name), so two checkouts on one machine can each
# run their own nodes: SEARCHER_NODES_PORT_OFFSET=1000 puts HTTP on 10280/10290 (transport on
# 10380/10390).  Use multiples of 1000: smaller offsets can land on the other nodes' ports.
PORT_OFFSET = int(os.environ.get("SEARCHER_NODES_PORT_OFFSET", "0"))
START_TIMEOUT_S = 240


@dataclass(frozen=True)
class Jar:
    group: str
    artifact: str
    version: str

    @property
    def url(self) -> str:
        path = self.group.replace(".", "/")
        return f"{MAVEN}/{path}/{self.artifact}/{self.version}/{self.artifact}-{self.version}.jar"


@dataclass(frozen=True)
class Module:
    """A module folder we assemble: jars plus plugin-descriptor.properties (and a policy)."""

    name: str
    classname: str
    jars: tuple[Jar, ...]
    extended: str = ""
    policy: str = ""


@dataclass(frozen=True)
class SourceModule:
    """A module compiled here from our own Java source, against the node's jars (test only)."""

    name: str
    classname: str
    source: Path  # holds src/**/*.java


@dataclass(frozen=True)
class Node:
    name: str
    version: str
    distribution: str  # the integ-test-zip coordinates, without version
    zip_sha1: str | None  # pinned where Maven Central publishes no .sha1 for the zip
    min_java: int
    max_java: int  # OpenSearch 2.x needs the Security Manager, gone after Java 23
    http_port: int
    transport_port: int
    home_env: str  # the launcher's JAVA_HOME variable
    opts_env: str  # the launcher's JVM options variable
    config_file: str
    settings: dict[str, str] = field(default_factory=dict)
    modules: tuple[Module, ...] = ()
    source_modules: tuple[SourceModule, ...] = ()
    masters_setting: str = "cluster.initial_master_nodes"  # who may bootstrap a cluster
    member: int = 0  # 0: a single node; 1..CLUSTER_SIZE: a member of a cluster
    peers: tuple[int, ...] = ()  # a member's fellow members' transport ports, itself included

    @property
    def node_name(self) -> str:
        return f"{self.name}-c{self.member}" if self.member else f"{self.name}-test"

    @property
    def heap(self) -> str:
        return CLUSTER_HEAP if self.member else HEAP

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def zip_url(self) -> str:
        group, artifact = self.distribution.split(":")
        path = group.replace(".", "/")
        return f"{MAVEN}/{path}/{artifact}/{self.version}/{artifact}-{self.version}.zip"

    @property
    def run_dir(self) -> Path:
        return RUN_ROOT / f"{self.name}-{self.version}-{self.http_port}"


OPENSEARCH_VERSION = "2.19.6"  # the newest 2.x: runs on the machine's Java 17
ASM = "9.7"
PAINLESS_POLICY = """grant {
  // Painless compiles scripts to classes at run time.
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
"""

NODES = {
    "elasticsearch": Node(
        name="elasticsearch",
        version="9.5.0",
        distribution="org.elasticsearch.distribution.integ-test-zip:elasticsearch",
        # Maven Central has no .sha1 (nor .md5) beside this zip; pinned from two downloads.
        zip_sha1="e6e6be2e72ebdb9fa4524cfabadb7dcfd1cfdeb4",
        min_java=21,
        max_java=99,
        http_port=9280 + PORT_OFFSET,
        transport_port=9380 + PORT_OFFSET,
        home_env="ES_JAVA_HOME",
        opts_env="ES_JAVA_OPTS",
        config_file="elasticsearch.yml",
        # A tiny write queue, as on OpenSearch below: the fault tests provoke 429s.
        settings={"xpack.security.enabled": "false", "thread_pool.write.queue_size": "2"},
        source_modules=(
            SourceModule(
                name="searcher-test-analysis",
                classname="searcher.testanalysis.TestAnalysisPlugin",
                source=Path(__file__).resolve().parent / "es-test-analysis",
            ),
        ),
    ),
    "opensearch": Node(
        name="opensearch",
        version=OPENSEARCH_VERSION,
        distribution="org.opensearch.distribution.integ-test-zip:opensearch",
        zip_sha1=None,
        min_java=11,
        max_java=21,
        http_port=9290 + PORT_OFFSET,
        transport_port=9390 + PORT_OFFSET,
        home_env="OPENSEARCH_JAVA_HOME",
        opts_env="OPENSEARCH_JAVA_OPTS",
        config_file="opensearch.yml",
        masters_setting="cluster.initial_cluster_manager_nodes",
        # A tiny write queue, so the fault tests can provoke 429 es_rejected_execution_exception
        # with a few concurrent writers; single-writer indexing never fills it.
        settings={"thread_pool.write.queue_size": "2"},
        modules=(
            Module(
                name="lang-painless",
                classname="org.opensearch.painless.PainlessPlugin",
                policy=PAINLESS_POLICY,
                jars=(
                    Jar("org.opensearch.plugin", "lang-painless", OPENSEARCH_VERSION),
                    Jar(
                        "org.opensearch.plugin",
                        "opensearch-scripting-painless-spi",
                        OPENSEARCH_VERSION,
                    ),
                    Jar("org.antlr", "antlr4-runtime", "4.13.1"),
                    *(
                        Jar("org.ow2.asm", a, ASM)
                        for a in ("asm", "asm-util", "asm-tree", "asm-commons", "asm-analysis")
                    ),
                ),
            ),
            Module(
                name="analysis-common",
                classname="org.opensearch.analysis.common.CommonAnalysisPlugin",
                extended="lang-painless",
                jars=(Jar("org.opensearch.plugin", "analysis-common", OPENSEARCH_VERSION),),
            ),
        ),
    ),
}


# Cluster ports, as offsets from 9500 (before SEARCHER_NODES_PORT_OFFSET): HTTP then transport.
CLUSTER_PORTS = {"elasticsearch": (0, 10), "opensearch": (20, 30)}


def cluster(product: str) -> list[Node]:
    """The members of the 3-node cluster of `product`."""
    base = NODES[product]
    http, transport = (9500 + PORT_OFFSET + port for port in CLUSTER_PORTS[product])
    peers = tuple(transport + i for i in range(CLUSTER_SIZE))
    return [
        replace(
            base,
            member=i + 1,
            http_port=http + i,
            transport_port=transport + i,
            peers=peers,
        )
        for i in range(CLUSTER_SIZE)
    ]


def resolve(names: list[str]) -> list[Node]:
    """`elasticsearch`, `opensearch`, `cluster-PRODUCT` (every member), `cluster-PRODUCT-N`."""
    chosen = []
    for name in names:
        if name in NODES:
            chosen.append(NODES[name])
            continue
        product, _, member = name.removeprefix("cluster-").partition("-")
        if not name.startswith("cluster-") or product not in NODES:
            raise SystemExit(f"nodes: unknown node {name!r}")
        members = cluster(product)
        chosen += members if not member else [members[int(member) - 1]]
    return chosen


def log(message: str) -> None:
    print(f"nodes: {message}", file=sys.stderr, flush=True)


# -- downloads ----------------------------------------------------------------------------------


class DownloadFailed(SystemExit):
    """A download that did not arrive; as a SystemExit it ends the script with its message."""


def _fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise DownloadFailed(f"nodes: download failed: {url}: HTTP {error.code}") from None
    except urllib.error.URLError as error:
        raise DownloadFailed(f"nodes: download failed: {url}: {error.reason}") from None


def download(url: str, pinned_sha1: str | None = None) -> Path:
    """The cached file for `url`, downloaded and SHA-1 verified on first use: against the .sha1
    Maven Central publishes beside it, or, where it publishes none, against `pinned_sha1`."""
    target = CACHE / "downloads" / url.rsplit("/", 1)[1]
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"downloading {url}")
    data = _fetch(url)
    try:
        expected = _fetch(url + ".sha1").decode().split()[0].strip()
    except DownloadFailed:
        if not pinned_sha1:
            raise
        expected = pinned_sha1
    actual = hashlib.sha1(data).hexdigest()
    if actual != expected:
        raise SystemExit(f"nodes: checksum mismatch for {url}: {actual} != {expected}")
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    partial.rename(target)
    return target


# -- java ---------------------------------------------------------------------------------------


def _java_major(home: Path) -> int:
    release = home / "release"
    if not release.is_file():
        return 0
    for line in release.read_text().splitlines():
        if line.startswith("JAVA_VERSION="):
            version = line.split("=", 1)[1].strip('"')
            return int(version.split(".")[0])
    return 0


def find_java(min_major: int, max_major: int) -> Path:
    """A JDK home within [min, max]: $JAVA_HOME, then /usr/lib/jvm/* (newest first)."""
    candidates = [Path(os.environ["JAVA_HOME"])] if os.environ.get("JAVA_HOME") else []
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        found = [p for p in jvm.iterdir() if p.is_dir() and not p.is_symlink()]
        candidates += sorted(found, key=_java_major, reverse=True)
    for home in candidates:
        if min_major <= _java_major(home) <= max_major and (home / "bin/java").exists():
            return home
    raise SystemExit(
        f"nodes: no JDK {min_major}..{max_major} found (set JAVA_HOME); looked in {candidates}"
    )


# -- install and run ----------------------------------------------------------------------------


def _ensure_user() -> pwd.struct_passwd | None:
    """As root: the unprivileged user the nodes run as (made once).  Otherwise: None."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RUN_USER],
            check=True,
        )
        return pwd.getpwnam(RUN_USER)


def _write_descriptor(
    folder: Path, node: Node, name: str, classname: str, java: int, extended: str = ""
) -> None:
    descriptor = {
        "name": name,
        "description": f"{name} (assembled by scripts/nodes.py for the tests)",
        "version": node.version,
        f"{node.name}.version": node.version,  # elasticsearch.version / opensearch.version
        "java.version": str(java),
        "classname": classname,
        "extended.plugins": extended,
        "has.native.controller": "false",
    }
    lines = "".join(f"{key}={value}\n" for key, value in descriptor.items())
    (folder / "plugin-descriptor.properties").write_text(lines)


def _write_module(home: Path, module: Module, node: Node, java: int) -> None:
    folder = home / "modules" / module.name
    folder.mkdir(parents=True, exist_ok=True)
    for jar in module.jars:
        shutil.copy(download(jar.url), folder / Path(jar.url).name)
    _write_descriptor(folder, node, module.name, module.classname, java, module.extended)
    if module.policy:
        (folder / "plugin-security.policy").write_text(module.policy)


# The oldest Java the node supports: the module's bytecode must load wherever the node runs.
SOURCE_RELEASE = 21


def build_jar(module: SourceModule, home: Path, java_home: Path, version: str) -> Path:
    """`module` compiled against `home`'s jars; cached by source digest and node version."""
    sources = sorted((module.source / "src").rglob("*.java"))
    digest = hashlib.sha1(version.encode())
    for path in sources:
        digest.update(path.read_bytes())
    jar = CACHE / "built" / f"{module.name}-{version}-{digest.hexdigest()[:12]}.jar"
    if jar.is_file():
        return jar
    jar.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as classes:
        javac = [str(java_home / "bin" / "javac"), "--release", str(SOURCE_RELEASE)]
        compiled = subprocess.run(
            [*javac, "-cp", str(home / "lib" / "*"), "-d", classes, *map(str, sources)],
            capture_output=True,
            text=True,
            check=False,
        )
        if compiled.returncode != 0:
            raise SystemExit(f"nodes: compiling {module.name} failed:\n{compiled.stderr}")
        partial = jar.with_suffix(".partial")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out:
            out.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
            for path in sorted(Path(classes).rglob("*.class")):
                out.write(path, path.relative_to(classes).as_posix())
        partial.rename(jar)
    log(f"built {jar.name}: {jar.stat().st_size} bytes in {time.monotonic() - started:.1f} s")
    return jar


def _install_source_module(home: Path, module: SourceModule, node: Node, java_home: Path) -> None:
    folder = home / "modules" / module.name
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(build_jar(module, home, java_home, node.version), folder / f"{module.name}.jar")
    _write_descriptor(folder, node, module.name, module.classname, SOURCE_RELEASE)


def install(node: Node, java_home: Path) -> Path:
    """Unpack the distribution (and modules) into a fresh run directory; returns ES/OS home."""
    archive = download(node.zip_url, node.zip_sha1)
    if node.run_dir.exists():
        shutil.rmtree(node.run_dir)
    node.run_dir.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(node.run_dir)
    (home,) = [p for p in node.run_dir.iterdir() if p.is_dir()]
    for script in (home / "bin").iterdir():
        script.chmod(0o755)
    for module in node.modules:
        _write_module(home, module, node, _java_major(java_home))
    for source_module in node.source_modules:
        _install_source_module(home, source_module, node, java_home)
    settings = {
        "cluster.name": f"searcher-{'cluster' if node.member else 'test'}-{node.name}",
        "node.name": node.node_name,
        "path.data": str(node.run_dir / "data"),
        "path.logs": str(node.run_dir / "logs"),
        "network.host": "127.0.0.1",
        "http.port": str(node.http_port),
        "transport.port": str(node.transport_port),
        **_discovery(node),
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "action.destructive_requires_name": "false",
        **node.settings,
    }
    with (home / "config" / node.config_file).open("a") as config:
        config.write("\n# written by scripts/nodes.py\n")
        config.writelines(f"{key}: {value}\n" for key, value in settings.items())
    return home


def _discovery(node: Node) -> dict[str, str]:
    """Single node: no discovery at all.  A member: its peers on loopback, and the members that
    may elect the first master (all of them; any two agree)."""
    if not node.member:
        return {"discovery.type": "single-node"}
    names = [replace(node, member=i + 1).node_name for i in range(len(node.peers))]
    return {
        "discovery.seed_hosts": json.dumps([f"127.0.0.1:{port}" for port in node.peers]),
        node.masters_setting: json.dumps(names),
    }


def _pid_file(node: Node) -> Path:
    return node.run_dir / "node.pid"


def healthy(node: Node) -> bool:
    """Answering, yellow or better, and (a member) in a cluster with all its members."""
    query = "wait_for_status=yellow&timeout=1s"
    if node.member:
        query += f"&wait_for_nodes={len(node.peers)}"
    try:
        with urllib.request.urlopen(f"{node.url}/_cluster/health?{query}", timeout=5) as response:
            return json.load(response).get("status") in ("green", "yellow")
    except (OSError, ValueError):
        return False


def _log_tail(node: Node, lines: int = 40) -> str:
    logs = sorted((node.run_dir / "logs").glob("*.log")) if (node.run_dir / "logs").is_dir() else []
    out = node.run_dir / "stdout.log"
    texts = [
        p.read_text(errors="replace").splitlines()[-lines:] for p in [*logs, out] if p.is_file()
    ]
    return "\n".join(line for text in texts for line in text)


def _installed_home(node: Node) -> Path | None:
    homes = (
        [p for p in node.run_dir.iterdir() if p.is_dir() and (p / "bin").is_dir()]
        if (node.run_dir.is_dir())
        else []
    )
    return homes[0] if homes else None


def launch(node: Node, fresh: bool = True) -> bool:
    """Launch `node` in the background: on a fresh install and empty data dir, or (fresh=False,
    after `kill`) on the data it had, as a crashed node comes back.  False if it was up."""
    if healthy(node):
        log(f"{node.node_name} already running at {node.url}")
        return False
    java_home = find_java(node.min_java, node.max_java)
    home = None if fresh else _installed_home(node)
    home = home or install(node, java_home)
    user = _ensure_user()
    if user is not None:
        subprocess.run(
            ["chown", "-R", f"{user.pw_uid}:{user.pw_gid}", str(node.run_dir)], check=True
        )
        RUN_ROOT.chmod(0o755)
    env = {
        **os.environ,
        node.home_env: str(java_home),
        "JAVA_HOME": str(java_home),
        node.opts_env: f"-Xms{node.heap} -Xmx{node.heap}",
    }
    launcher = [str(home / "bin" / node.name), "-d", "-p", str(_pid_file(node))]
    if user is not None:
        launcher = [
            "setpriv",
            f"--reuid={user.pw_uid}",
            f"--regid={user.pw_gid}",
            "--init-groups",
            *launcher,
        ]
    java = _java_major(java_home)
    log(f"starting {node.node_name} {node.version} on {node.url} (java {java}, heap {node.heap})")
    with (node.run_dir / "stdout.log").open("wb") as out:
        result = subprocess.run(
            launcher, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=node.run_dir, check=False
        )
    if result.returncode != 0:
        raise SystemExit(f"nodes: {node.node_name} failed to start:\n{_log_tail(node)}")
    return True


def wait_until_healthy(node: Node, started: float) -> None:
    while time.monotonic() - started < START_TIMEOUT_S:
        if healthy(node):
            log(f"{node.node_name} is up after {time.monotonic() - started:.0f} s")
            return
        time.sleep(1)
    raise SystemExit(
        f"nodes: {node.node_name} not healthy after {START_TIMEOUT_S} s:\n{_log_tail(node)}"
    )


def start(nodes: list[Node], fresh: bool = True) -> None:
    """Launch every node, then wait for each: a cluster's members must run to elect a master."""
    started = time.monotonic()
    launched = [node for node in nodes if launch(node, fresh)]
    for node in launched:
        wait_until_healthy(node, started)


def urls(nodes: list[Node]) -> list[str]:
    """NAME=URL lines for the shell: one per single node, one list per cluster."""
    lines, members = [], {}
    for node in nodes:
        if node.member:
            members.setdefault(node.name, []).append(node.url)
        else:
            lines.append(f"SEARCHER_TEST_{node.name.upper()}_URL={node.url}")
    for product, found in members.items():
        lines.append(f"SEARCHER_TEST_CLUSTER_{product.upper()}_URLS={','.join(found)}")
    return lines


def kill(node: Node) -> None:
    """SIGKILL the node, as a crash would: no flush, no goodbye.  Its data stays for `resume`."""
    pid_file = _pid_file(node)
    if pid_file.is_file():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
        pid_file.unlink(missing_ok=True)
        deadline = time.monotonic() + 30
        while healthy(node) and time.monotonic() < deadline:
            time.sleep(0.2)
        log(f"killed {node.node_name}")


def stop(node: Node) -> None:
    pid_file = _pid_file(node)
    if not pid_file.is_file():
        return
    pid = int(pid_file.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return
    for _ in range(60):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    else:
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    log(f"stopped {node.node_name}")


def main(argv: list[str]) -> None:
    command, *names = argv or ["status"]
    singles = list(NODES.values())
    everything = singles + [member for product in NODES for member in cluster(product)]
    chosen = resolve(names) if names else (everything if command in ("stop", "status") else singles)
    if command in ("start", "resume"):
        start(chosen, fresh=command == "start")
        print("\n".join(urls(chosen)))
    elif command == "kill":
        for node in chosen:
            kill(node)
    elif command == "stop":
        for node in chosen:
            stop(node)
    elif command == "status":
        for node in chosen:
            if node.member and not _pid_file(node).is_file():
                continue  # a cluster never started is not worth a line
            print(f"{node.node_name}\t{node.url}\t{'up' if healthy(node) else 'down'}")
    else:
        raise SystemExit(
            f"usage: {Path(__file__).name} start|stop|status|kill|resume "
            "[elasticsearch] [opensearch] [cluster-PRODUCT[-N]]"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
