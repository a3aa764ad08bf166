"""The community's and the street's queue of escalated items, and the answer back to the grid."""
from flask import Blueprint

bp = Blueprint("escalations", __name__)

from . import routes  # noqa: E402,F401  (routes need bp)
