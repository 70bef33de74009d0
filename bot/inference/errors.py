"""The errors every inference backend raises for a request it cannot serve (messages for members).

They live here, not in one backend, so the local pool and the Ray Serve backend refuse and fail
requests with the same classes (the cogs catch them by class); :mod:`bot.inference.pool`
re-exports them under their old names.
"""

from __future__ import annotations

from bot.user_facing import UserFacingError

SHUTTING_DOWN = "The bot is shutting down; please ask again in a minute."
WORKER_LOST = "The model worker stopped while running your request (it is being restarted); please try again."


class PoolError(UserFacingError):
    """A request the pool cannot serve; the message is for the member."""


class QueueFullError(PoolError):
    """The global queue limit is reached."""


class MemberLimitError(PoolError):
    """The member already has the allowed number of requests in flight."""


class RequestTimeout(PoolError):
    """The request took longer than its task's timeout."""


class RequestCancelled(PoolError):
    """The request was cancelled before it finished."""


class WorkerLost(PoolError):
    """The worker running the request died or hung and was restarted."""


class PoolClosed(PoolError):
    """The pool is shutting down."""


class ClusterUnavailable(PoolError):
    """The Ray cluster the models run on cannot be reached (or has no room for them)."""
