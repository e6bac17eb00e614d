from django.db import connection

# One arbitrary 64-bit key, the same in every process: provisioning and template or pool
# maintenance are serialised on it.
PROVISIONING_LOCK_KEY = 0x636F6D70746F6972


def provisioning_lock() -> None:
    """Hold the provisioning lock until the current transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PROVISIONING_LOCK_KEY])
