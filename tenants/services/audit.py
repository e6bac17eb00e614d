from tenants.models import Town, VendorAuditEvent


def vendor_audit_record(
    *, town: Town, action: str, actor_email: str = "", detail: str = ""
) -> VendorAuditEvent:
    """Write one line of a town's audit trail, in the caller's transaction (public schema).

    The town's name and schema are copied, so the line outlives a deleted town.
    """
    return VendorAuditEvent.objects.create(
        town_name=town.name,
        town_schema=town.schema_name,
        action=action,
        actor_email=actor_email,
        detail=detail,
    )
