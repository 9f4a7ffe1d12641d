"""The application's state between the core and the window: models, drawing, run, selection.

No Qt here (checked by import-linter and a test): every part is tested headless, and the window's
views only subscribe to its typed events and call its methods.
"""

from digitlab.session.jobs import Dispatcher, JobRunner, QueueDispatcher
from digitlab.session.state import Answer, Prediction, Session

__all__ = ["Answer", "Dispatcher", "JobRunner", "Prediction", "QueueDispatcher", "Session"]
