from argparse import ArgumentParser

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tenants.services.locks import provisioning_lock
from tenants.services.migrations import (
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    DEFAULT_STATEMENT_TIMEOUT_SECONDS,
    TownMigrated,
    public_plan,
    town_schema_names,
    towns_migrate,
    towns_plan,
)
from tenants.services.template import (
    TEMPLATE_SCHEMA,
    template_schema_ensure,
    template_schema_is_current,
)


class Command(BaseCommand):
    help = "Migrate the public schema and every town, and keep the template schema current."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--parallel",
            type=int,
            metavar="N",
            help="Migrate the towns in N processes (one connection each), skipping those at the "
            "target and reporting each town; without it, django-tenants' migrate_schemas.",
        )
        parser.add_argument(
            "--plan",
            action="store_true",
            help="Print what is pending, per town, and change nothing.",
        )
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=DEFAULT_LOCK_TIMEOUT_SECONDS,
            metavar="SECONDS",
            help="With --parallel: how long a town's migration waits for a lock before that town "
            "fails (0: no limit).",
        )
        parser.add_argument(
            "--statement-timeout",
            type=float,
            default=DEFAULT_STATEMENT_TIMEOUT_SECONDS,
            metavar="SECONDS",
            help="With --parallel: how long one statement of a town's migration may run "
            "(0: no limit).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["plan"]:
            self._plan()
            return
        parallel = options["parallel"]
        if parallel is not None and (not isinstance(parallel, int) or parallel < 1):
            raise CommandError("--parallel takes a number of processes, 1 or more.")
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        failed: list[TownMigrated] = []
        if parallel is None:
            call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0)
        else:
            run = towns_migrate(
                parallel=parallel,
                lock_timeout=float(options["lock_timeout"]),  # type: ignore[arg-type]
                statement_timeout=float(options["statement_timeout"]),  # type: ignore[arg-type]
                on_result=self._report,
            )
            failed = run.failed
            self.stdout.write(
                f"{run.towns} towns: {run.at_target} at the target, "
                f"{len(run.results) - len(failed)} migrated, {len(failed)} failed, "
                f"in {run.seconds:.1f} s with {parallel} processes."
            )
        with transaction.atomic():
            provisioning_lock()
            rebuilt = template_schema_ensure()
        self.stdout.write("Template schema rebuilt." if rebuilt else "Template schema up to date.")
        if failed:
            raise CommandError(
                f"{len(failed)} towns failed and stay behind (run again to retry them): "
                + ", ".join(result.schema_name for result in failed)
            )

    def _report(self, result: TownMigrated) -> None:
        applied = ", ".join(result.applied) or "nothing"
        if result.failed:
            self.stdout.write(
                f"{result.schema_name}: FAILED after {result.seconds:.2f} s "
                f"(applied {applied}): {result.error}"
            )
        else:
            self.stdout.write(f"{result.schema_name}: {result.seconds:.2f} s, applied {applied}")

    def _plan(self) -> None:
        pending = public_plan()
        self.stdout.write(f"public: {', '.join(pending)}" if pending else "public: at the target")
        template = "at the target" if template_schema_is_current() else "rebuilt after the towns"
        self.stdout.write(f"{TEMPLATE_SCHEMA}: {template}")
        towns = town_schema_names()
        plans = towns_plan(schema_names=towns)
        for plan in plans:
            if plan.error:
                self.stdout.write(f"{plan.schema_name}: cannot migrate: {plan.error}")
            else:
                self.stdout.write(
                    f"{plan.schema_name}: {len(plan.pending)} pending: {', '.join(plan.pending)}"
                )
        self.stdout.write(f"{len(plans)} of {len(towns)} towns behind the target.")
