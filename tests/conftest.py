"""Shared fixtures: a moto server on 127.0.0.1, boto3 sessions against it, the Route 53 Profiles responder beside it
(moto lacks ``route53profiles``: see profiles_responder.py; every test's boto3 reaches it, an account without Profiles
unless the test adds some), and the real ``vpclint`` executable."""

from __future__ import annotations

import ast
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import boto3
import pytest
from hypothesis import settings

TESTS = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS))  # lets tests import scenarios.py

from profiles_responder import ENV as PROFILES_ENV  # noqa: E402 - needs the path above
from profiles_responder import ProfilesService  # noqa: E402

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


def pytest_configure(config) -> None:
    """Property tests run without Hypothesis's per-example deadline: CI shares its cores, and a slow example is
    a slow machine, not a failure (the number of examples stays Hypothesis's default unless a test sets it); and
    ``ast.parse`` is serialised across threads (see below)."""
    settings.register_profile("vpclint", deadline=None)
    settings.load_profile("vpclint")
    _serialise_ast_parse()


def _serialise_ast_parse() -> None:
    """Let one thread at a time build an AST, in this test process only.

    CPython 3.11 (this project's CI interpreter) counts the AST constructor's recursion depth per interpreter, not
    per thread (see python/cpython#106905): two threads inside ``ast.parse`` at once, one paused by the garbage
    collector, can fail the other with ``SystemError: AST constructor recursion depth mismatch`` (reproduced here
    with four threads parsing while collecting garbage; with this lock, none failed). vpclint never parses Python,
    but under ``mock_aws`` its reader threads call moto in-process, whose werkzeug URL maps are compiled with
    ``ast.parse`` while the main thread does the same (or pytest rewrites a test module it imports); the collector
    then rightly records the error as a failed read, and a test that expected a clean read fails now and then."""
    if getattr(ast.parse, "serialised", False):
        return
    lock, parse = threading.RLock(), ast.parse

    def serialised_parse(*args, **kwargs):
        with lock:
            return parse(*args, **kwargs)

    serialised_parse.serialised = True
    ast.parse = serialised_parse


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class MotoServer:
    """A running ``moto_server``: its URL, and helpers to reset it and talk to it."""

    url: str
    process: subprocess.Popen
    profiles_url: str = ""
    """The Route 53 Profiles responder that stands beside this server (moto has no ``route53profiles``)."""

    def reset(self) -> None:
        """Drop every resource (``POST /moto-api/reset``). moto resets every backend of every account a test used
        (an organization's tests touch many), which takes seconds on a busy machine: the timeout is generous."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=120).read()

    def seed(self, value: int) -> None:
        """Seed moto's id generator so ids repeat across runs."""
        request = urllib.request.Request(f"{self.url}/moto-api/seed?a={value}", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=10).read()

    def session(self, region: str = "us-east-1") -> boto3.Session:
        """A boto3 session whose clients talk to this server."""
        return boto3.Session(region_name=region, **{k.lower(): v for k, v in FAKE_CREDENTIALS.items()})

    def env(self, region: str = "us-east-1") -> dict[str, str]:
        """The environment for a ``vpclint`` subprocess pointed at this server (no real AWS settings leak in)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(FAKE_CREDENTIALS)
        env.update({"AWS_ENDPOINT_URL": self.url, "AWS_DEFAULT_REGION": region, "AWS_CONFIG_FILE": os.devnull,
                    "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
        if self.profiles_url:
            env[PROFILES_ENV] = self.profiles_url
        return env


def _start_server(extra_env: dict[str, str] | None = None, profiles_url: str = "") -> MotoServer:
    executable = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    port = _free_port()
    env = {**os.environ, **(extra_env or {})}
    process = subprocess.Popen(
        [executable, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read()
            return MotoServer(url=url, process=process, profiles_url=profiles_url)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("moto_server did not answer /moto-api/ within 30 s")


def _stop_server(server: MotoServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)


@pytest.fixture(scope="session")
def profiles_responder() -> Iterator[ProfilesService]:
    """One Route 53 Profiles responder for the whole test session, on 127.0.0.1 and a free port."""
    service = ProfilesService()
    service.start()
    yield service
    service.stop()


@pytest.fixture(autouse=True)
def profiles_service(profiles_responder: ProfilesService, monkeypatch: pytest.MonkeyPatch) -> ProfilesService:
    """The responder, emptied before every test (an account without Profiles), with boto3 pointed at it."""
    profiles_responder.reset()
    monkeypatch.setenv(PROFILES_ENV, profiles_responder.url)
    return profiles_responder


@pytest.fixture(scope="session")
def moto_server_process(profiles_responder: ProfilesService) -> Iterator[MotoServer]:
    """One moto server for the whole test session, on 127.0.0.1 and a free port."""
    server = _start_server(profiles_url=profiles_responder.url)
    yield server
    _stop_server(server)


@pytest.fixture
def no_aws(monkeypatch, tmp_path):
    """An environment with no AWS credentials, config files or instance metadata (boto3 still reaches the test
    harness's Route 53 Profiles responder on 127.0.0.1)."""
    for key in [k for k in os.environ if k.startswith("AWS_") and k != PROFILES_ENV]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("HOME", str(tmp_path))
    return dict(os.environ)


@pytest.fixture
def aws_env(no_aws, monkeypatch):
    """Dummy credentials and no real AWS settings (for moto's ``mock_aws``)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def moto_server(moto_server_process: MotoServer, monkeypatch: pytest.MonkeyPatch) -> MotoServer:
    """The moto server, reset before the test; boto3 in this process is pointed at it too."""
    moto_server_process.reset()
    for key in [k for k in os.environ if k.startswith("AWS_") and k != PROFILES_ENV]:
        monkeypatch.delenv(key)
    for key, value in moto_server_process.env().items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    return moto_server_process


@pytest.fixture
def start_moto_server(profiles_responder: ProfilesService):
    """Start a dedicated moto server with extra environment (e.g. INITIAL_NO_AUTH_ACTION_COUNT); stopped after."""
    started: list[MotoServer] = []

    def start(extra_env: dict[str, str]) -> MotoServer:
        server = _start_server(extra_env, profiles_responder.url)
        started.append(server)
        return server

    yield start
    for server in started:
        _stop_server(server)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def vpclint_executable() -> str:
    """The installed ``vpclint`` console script next to this interpreter."""
    candidate = Path(sys.executable).parent / "vpclint"
    return str(candidate) if candidate.exists() else (shutil.which("vpclint") or "vpclint")


@pytest.fixture
def run_vpclint():
    """Run the real ``vpclint`` executable: ``run_vpclint(args, env=..., cwd=...)`` -> CliResult."""

    def run(args: list[str], env: dict[str, str] | None = None, cwd: Path | None = None, timeout: int = 120) -> CliResult:
        if env is None:
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        completed = subprocess.run(
            [vpclint_executable(), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    return run
