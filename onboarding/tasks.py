"""The registry import, run by a Celery worker in the schema of the town that asked."""

from celery import shared_task

from onboarding.services.registry import registry_import_execute


@shared_task
def registry_import_task(run_id: int) -> bool:
    """Run the import `run_id` of the current town; idempotent: a run already taken or done is
    left alone, and a run that stopped resumes after its last committed batch."""
    return registry_import_execute(run_id=run_id) is not None
