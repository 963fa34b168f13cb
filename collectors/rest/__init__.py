"""REST collectors: Jira (incl. Service Management) and Confluence in depth, other products' status.

Entry point: ``collect_instance`` (one target -> InstanceSnapshot). ``collectors.estate`` runs many.
"""

from collectors.rest.instance import collect_instance

__all__ = ["collect_instance"]
