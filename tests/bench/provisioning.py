"""Benchmark a: provisioning one town by replaying migrations, by cloning the template schema and
by renaming a ready spare. Replaying migrations is the baseline the other two are measured by."""

import statistics
import time
from dataclasses import dataclass

from django.db import transaction

from tenants.services.locks import provisioning_lock
from tenants.services.provisioning import ProvisioningMethod, town_provision
from tenants.services.spares import spare_pool_empty, spare_pool_refill
from tenants.services.template import template_schema_ensure
from tests.bench.towns import towns_remove

METHODS = (ProvisioningMethod.MIGRATE, ProvisioningMethod.CLONE, ProvisioningMethod.POOL)
WAY_LABELS = {
    ProvisioningMethod.MIGRATE: "migrate (replay every migration)",
    ProvisioningMethod.CLONE: "clone (copy town_template)",
    ProvisioningMethod.POOL: "pool (rename a ready spare)",
}
CLONE_MAX_SECONDS = 1.0
CLONE_MIN_SPEED_UP = 5.0
POOL_MAX_SECONDS = 0.1


@dataclass(frozen=True)
class Timings:
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def fastest(self) -> float:
        return min(self.seconds)

    @property
    def slowest(self) -> float:
        return max(self.seconds)


def _provision_timed(*, method: ProvisioningMethod, slug: str) -> float:
    towns_remove(slugs=[slug])  # what an interrupted run may have left
    if method is ProvisioningMethod.POOL:
        spare_pool_refill(size=1)
    started = time.perf_counter()
    town_provision(name=f"Banc {slug}", slug=slug, admin_email=f"mairie@{slug}.test", method=method)
    elapsed = time.perf_counter() - started
    towns_remove(slugs=[slug])
    return elapsed


def provisioning_bench(
    *, repetitions: int, warm_up: bool = True
) -> dict[ProvisioningMethod, Timings]:
    """Provision and remove `repetitions` towns each way, the ways interleaved so that any drift
    of the machine falls on all three. The pool gets its spare before each pooled run, untimed;
    the template is brought up to date before any run, untimed too."""
    with transaction.atomic():
        provisioning_lock()
        template_schema_ensure()
    spare_pool_empty()
    seconds: dict[ProvisioningMethod, list[float]] = {method: [] for method in METHODS}
    try:
        if warm_up:
            # A running web process has its migrations graph and clone function loaded.
            for method in METHODS:
                _provision_timed(method=method, slug=f"bench-warm-{method.value}")
        for run in range(1, repetitions + 1):
            for method in METHODS:
                slug = f"bench-{method.value}-{run}"
                seconds[method].append(_provision_timed(method=method, slug=slug))
    finally:
        spare_pool_empty()
    return {method: Timings(tuple(values)) for method, values in seconds.items()}


def duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def provisioning_report(figures: dict[ProvisioningMethod, Timings]) -> str:
    migrate = figures[ProvisioningMethod.MIGRATE].median
    clone = figures[ProvisioningMethod.CLONE].median
    pool = figures[ProvisioningMethod.POOL].median
    targets = {
        ProvisioningMethod.MIGRATE: "baseline",
        ProvisioningMethod.CLONE: (
            f"≤ {duration(CLONE_MAX_SECONDS)} and ≥ {CLONE_MIN_SPEED_UP:.0f}× faster: "
            + _verdict(clone <= CLONE_MAX_SECONDS and migrate / clone >= CLONE_MIN_SPEED_UP)
        ),
        ProvisioningMethod.POOL: (
            f"≤ {duration(POOL_MAX_SECONDS)}: " + _verdict(pool <= POOL_MAX_SECONDS)
        ),
    }
    runs = len(figures[ProvisioningMethod.MIGRATE].seconds)
    lines = [
        f"a. Provisioning one town: median of {runs} runs per way (interleaved), min and max.",
        "   Each run: schema, Town and Domain rows, default categories, first administrator,",
        "   audit event, invitation e-mail (in-process task, in-memory mailbox).",
        "",
        f"   {'way':<34}{'median':>9}{'min':>9}{'max':>9}{'vs migrate':>12}   target",
    ]
    for method in METHODS:
        timing = figures[method]
        lines.append(
            f"   {WAY_LABELS[method]:<34}{duration(timing.median):>9}{duration(timing.fastest):>9}"
            f"{duration(timing.slowest):>9}{migrate / timing.median:>10.1f}×   {targets[method]}"
        )
    return "\n".join(lines)
