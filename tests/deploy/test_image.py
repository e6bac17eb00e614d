"""The image's recipe, its lock file, the compose stack and gunicorn's settings, checked without
a Docker engine (none runs here): hadolint from its pip wheel, and the files themselves."""

import fnmatch
import re
import runpy
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DOCKERFILE = (DEPLOY / "Dockerfile").read_text()
LOCK = DEPLOY / "requirements.lock"


def hadolint() -> Path:
    return Path(sys.executable).parent / "hadolint"


# --- Dockerfile ------------------------------------------------------------------------------


def test_hadolint_passes():
    run = subprocess.run(
        [str(hadolint()), "--no-color", str(DEPLOY / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_hadolint_catches_what_it_should(tmp_path):
    """The linter really lints: an unpinned base, root and no hash check are reported."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y gettext\n")
    run = subprocess.run(
        [str(hadolint()), "--no-color", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    assert {"DL3007", "DL3008", "DL3015"} <= set(re.findall(r"DL\d{4}", run.stdout))


def test_the_image_is_multi_stage_pinned_and_not_root():
    (base,) = re.findall(r"^ARG PYTHON_BASE=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert re.fullmatch(r"python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", base)
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", DOCKERFILE, re.MULTILINE)
    assert stages == [("${PYTHON_BASE}", "build"), ("${PYTHON_BASE}", "runtime")]
    runtime = DOCKERFILE.split("AS runtime", 1)[1]
    assert re.search(r"^USER 10001:10001$", runtime, re.MULTILINE)
    assert "gettext" not in runtime.split("COPY", 1)[0], "no build tool in the running image"
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", runtime, re.MULTILINE)
    assert 'CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py"' in runtime


def test_the_build_installs_the_lock_with_hashes_then_collects_and_compiles():
    build = DOCKERFILE.split("AS runtime", 1)[0]
    assert "pip install --require-hashes --no-deps -r /tmp/requirements.lock" in build
    assert "manage.py collectstatic --noinput" in build
    assert "manage.py compilemessages" in build
    assert "DJANGO_SETTINGS_MODULE=comptoir.settings.production" in build


def _ignored(path: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(path, p) or path.startswith(p.rstrip("/") + "/") for p in patterns)


def test_every_app_goes_into_the_image_and_no_test_or_secret_does():
    patterns = [
        line
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    packaged = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    apps = [
        path.name
        for path in ROOT.iterdir()
        if path.is_dir()
        and any(fnmatch.fnmatch(path.name, p) for p in packaged)
        and not path.name.endswith(".egg-info")
    ]
    assert {"comptoir", "tenants", "marketplace", "surfaces", "billing", "reporting"} <= set(apps)
    assert [app for app in apps if _ignored(app, patterns)] == []
    for kept in ("locale", "manage.py", "deploy/gunicorn.conf.py", "deploy/requirements.lock"):
        assert not _ignored(kept, patterns), kept
    for left_out in ("tests", ".git", ".venv", ".data", ".env", "deploy/k8s"):
        assert _ignored(left_out, patterns), left_out


# --- The lock --------------------------------------------------------------------------------


def _locked() -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes), from pip-compile's output."""
    locked: dict[str, tuple[str, list[str]]] = {}
    text = LOCK.read_text()
    for block in re.split(r"\n(?=[a-z0-9])", text):
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", block)
        if match:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            locked[canonicalize_name(match[1])] = (match[2], hashes)
    return locked


def test_the_lock_pins_every_dependency_of_pyproject_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    locked = _locked()
    assert len(locked) > 40
    assert all(hashes for _version, hashes in locked.values()), "every pin has its hashes"
    for dependency in project["dependencies"]:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is not in the lock: run pip-compile again"
        version, _hashes = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement} but the lock has {version}: run pip-compile again"
        )
    # Extras the project asks for bring their own packages.
    assert {"redis", "psycopg-binary", "boto3"} <= set(locked)
    # The development tools stay out of the image.
    tools = {
        "pytest",
        "pytest-django",
        "ruff",
        "mypy",
        "playwright",
        "hypothesis",
        "moto",
        "pip-tools",
    }
    assert tools & set(locked) == set()


def test_the_lock_says_how_it_was_made():
    header = LOCK.read_text().split("\n\n", 1)[0]
    assert "pip-compile" in header and "--generate-hashes" in header
    assert "--find-links" not in LOCK.read_text() and "--index-url" not in LOCK.read_text()


# --- compose ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_the_whole_stack(compose):
    services = compose["services"]
    assert set(services) == {
        "postgres",
        "redis",
        "minio",
        "buckets",
        "release",
        "web",
        "worker",
        "beat",
    }
    for name in ("postgres", "redis", "minio", "web", "worker", "beat"):
        assert "test" in services[name]["healthcheck"], name
    assert services["release"]["command"] == ["python", "manage.py", "platform_setup"]
    assert services["release"]["restart"] == "no"
    assert services["release"]["healthcheck"] == {"disable": True}
    assert services["buckets"]["restart"] == "no"
    for name in ("release", "web", "worker", "beat"):
        assert services[name]["build"]["dockerfile"] == "deploy/Dockerfile"
        assert services[name]["image"] == "comptoir:local"


def test_compose_serves_only_after_the_release(compose):
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {
            "release": {"condition": "service_completed_successfully"}
        }
    assert services["release"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "buckets": {"condition": "service_completed_successfully"},
    }
    environment = services["web"]["environment"]
    assert environment["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert environment["AWS_BACKUP_BUCKET_NAME"] in services["buckets"]["command"][0]
    assert environment["AWS_STORAGE_BUCKET_NAME"] in services["buckets"]["command"][0]
    assert services["worker"]["environment"]["CELERY_METRICS_PORT"] == "9808"


# --- gunicorn ---------------------------------------------------------------------------------


def _gunicorn_config(monkeypatch, **environment: str) -> dict:
    for name in ("WEB_CONCURRENCY", "GUNICORN_MAX_REQUESTS", "GUNICORN_TIMEOUT", "PORT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp/unused-by-this-test")
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_takes_its_settings_from_the_environment(monkeypatch):
    config = _gunicorn_config(
        monkeypatch,
        WEB_CONCURRENCY="5",
        GUNICORN_MAX_REQUESTS="300",
        GUNICORN_TIMEOUT="12",
        PORT="9000",
    )
    assert (config["workers"], config["max_requests"], config["timeout"]) == (5, 300, 12)
    assert config["bind"] == "0.0.0.0:9000"
    assert config["max_requests_jitter"] == 100
    assert config["accesslog"] is None
    assert config["graceful_timeout"] < 30 < 35, "under the pods' terminationGracePeriodSeconds"


def test_gunicorn_counts_workers_from_the_cpu_quota(monkeypatch, tmp_path):
    config = _gunicorn_config(monkeypatch)
    assert config["workers_for"](1) == 3
    assert config["workers_for"](0.5) == 3
    assert config["workers_for"](2) == 5
    assert config["workers_for"](16) == 8
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert config["cpu_quota"](tmp_path) == 1.5
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert config["cpu_quota"](tmp_path) is None
    (tmp_path / "cpu.max").unlink()
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("200000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert config["cpu_quota"](tmp_path) == 2
