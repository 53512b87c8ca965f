"""Demo data for ``make run`` (``jixiao demo load``), made through ``workflows.commands``
exactly as the pages make it: units, one user per role, projects moved along their
review paths by completing tasks as their users would."""

from .data import DEMO_PASSWORD, load

__all__ = ["DEMO_PASSWORD", "load"]
