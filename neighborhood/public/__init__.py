"""What residents see without an account: the building page behind its QR code, published
minutes, the receipt-code lookup and the report form."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import routes  # noqa: E402,F401  (routes need bp)
