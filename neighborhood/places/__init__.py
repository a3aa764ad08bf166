from flask import Blueprint

bp = Blueprint("places", __name__, url_prefix="/places")

from . import routes  # noqa: E402,F401  (routes need bp)
