"""Timers: the due-time index, firing (one unit of work per instance), the APScheduler job.

``index`` answers "what is due" from the ``timer`` table alone; ``firing`` fires an
instance's due timers (:func:`fire_due_timers`) and runs passes (:func:`run_due`);
``scheduler`` is the job in the server process or ``jixiao scheduler``.
"""

from .firing import PassReport, fire_due_timers, retry_incident, run_due
from .index import INCIDENT_KIND

__all__ = ["INCIDENT_KIND", "PassReport", "fire_due_timers", "retry_incident", "run_due"]
