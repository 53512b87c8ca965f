"""Jixiao's engine service: deploy, run and persist BPMN review paths.

This package never imports Flask (DESIGN 1). Entry points (the Flask app in
``server/``, the ``jixiao`` CLI, the benchmarks) call the commands in
:mod:`workflows.runtime` and the queries in :mod:`workflows.inbox`.
"""
