from flask import Blueprint

bp = Blueprint("items", __name__)

from . import routes  # noqa: E402,F401  (routes need bp)
