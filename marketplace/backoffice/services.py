"""Only for marketplace/directory/views.py's import, which a change under way rewrites to
reporting.services; delete this module then. The back office has no services of its own."""

from reporting.services import merchant_visit_record

__all__ = ["merchant_visit_record"]
