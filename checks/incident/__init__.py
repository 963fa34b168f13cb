"""Incident reasoning: every source as events on one clock, the window found by change, causes ranked
by evidence and by order, impact measured against the baseline. Pure analysis of a Snapshot."""
