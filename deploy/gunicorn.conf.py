"""gunicorn's settings for the web process, tuned by the environment (the image's CMD reads it).

Every value has an environment variable, so a Kubernetes Deployment, compose or a laptop sets
what it needs without another file:

| variable | default | why |
|---|---|---|
| `PORT` | 8000 | where the pod's container port and probes point |
| `WEB_CONCURRENCY` | 2 × the CPUs this process may use + 1, at most 8 | gunicorn's rule of thumb; the CPUs are the container's quota (cgroup), not the node's |
| `GUNICORN_THREADS` | 1 | sync workers: one request each, Django's safest model |
| `GUNICORN_TIMEOUT` | 30 s | a worker silent longer is killed and replaced |
| `GUNICORN_GRACEFUL_TIMEOUT` | 25 s | under the pod's 30 s terminationGracePeriod: requests under way end first |
| `GUNICORN_KEEPALIVE` | 5 s | above nothing: the ingress keeps its own connections |
| `GUNICORN_MAX_REQUESTS` | 1000 | a worker is replaced after this many requests (bounds any slow leak) … |
| `GUNICORN_MAX_REQUESTS_JITTER` | 100 | … plus up to this many, so the workers do not all restart together |

Metrics: every worker counts in PROMETHEUS_MULTIPROC_DIR (emptied when the master starts, a
dead worker's files marked so its gauges go), and a scrape of any worker reads them all.
"""

import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any


def cpu_quota(cgroup: Path = Path("/sys/fs/cgroup")) -> float | None:
    """The CPUs the container may use (cgroup v2's cpu.max, v1's cfs quota), None unbounded."""
    try:
        quota, period = (cgroup / "cpu.max").read_text().split()
        if quota != "max":
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 else None


def workers_for(cpus: float, *, most: int = 8) -> int:
    return max(2, min(most, 2 * math.ceil(cpus) + 1))


def _cpus() -> float:
    quota = cpu_quota()
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(quota or math.inf, available or 1)


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = f"0.0.0.0:{_env_int('PORT', 8000)}"
workers = _env_int("WEB_CONCURRENCY", workers_for(_cpus()))
threads = _env_int("GUNICORN_THREADS", 1)
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 25)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Django writes one JSON line per request (comptoir.request_log): no second access log.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Heartbeat files on a memory file system: a container's disk may be slow or read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
# gunicorn's own lines (start, worker boot, timeouts) as JSON objects too, like Django's.
logconfig_dict: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}
    },
}

_multiproc_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "comptoir-metrics")
)


def on_starting(server: Any) -> None:
    """A new master starts with no counts left from an earlier one."""
    shutil.rmtree(_multiproc_dir, ignore_errors=True)
    os.makedirs(_multiproc_dir, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
