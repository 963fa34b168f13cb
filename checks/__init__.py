"""Pure analysis: checks turn a Snapshot into Findings.

Plugin authors import the check API from ``atlas_health``. Built-in code imports from the module that
owns a name (``checks.base``, ``checks.context``, ``checks.finding``, ``checks.metadata``), so that
importing a light part of the package (the signature knowledge base, for reading logs) does not build
every check model first.
"""
