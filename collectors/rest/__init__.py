"""REST collectors: one plan of calls per product, each product collected in depth.

Jira (incl. Service Management), Confluence, Bitbucket, Bamboo, Crowd and Fisheye/Crucible on Data
Center and Server; Jira and Confluence Cloud sites and Bitbucket Cloud (api.bitbucket.org).

Entry point: ``collect_instance`` (one target -> InstanceSnapshot). ``collectors.estate`` runs many.
"""

from collectors.rest.instance import collect_instance

__all__ = ["collect_instance"]
