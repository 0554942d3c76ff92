"""The one blueprint for pages; its view modules add their routes to it."""

from flask import Blueprint

bp = Blueprint("web", __name__)
