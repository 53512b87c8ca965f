"""The read side: plain queries on tables shaped for screens; never a deserialized workflow.

``inbox`` (tasks for a user), ``tasks`` (a task page), ``projects`` (lists and a project
page), ``accounts`` (sign-in), ``notices`` (a user's notices), ``ops`` (administrators).
Whatever a reader may not see raises a ``NotFound`` error, so ids cannot be probed.
"""
