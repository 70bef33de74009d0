"""What every model command shares: the live-job service and one presenter per task.

:mod:`cogs._live.service` posts a request's status message, follows the job and finishes the
message on every outcome; :mod:`cogs._live.presenters` turns each task's result into its message,
its attached overflow, its "Show code" snippet and its "Learn more" link. The package name starts
with ``_``, so the extension loader skips it: the demo and teaching cogs import it.
"""
