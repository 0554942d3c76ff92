"""Flask extensions, created unbound and initialised in create_app."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_smorest import Api
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect


def db_session():
    """The database session of the current request or socket event."""
    from flask import current_app

    return current_app.extensions["codraft_db"].session


login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class _Api(Api):
    """flask-smorest's Api, documenting the error body server.http_errors really sends."""

    @property
    def ERROR_SCHEMA(self):  # read by flask-smorest in init_app
        from server.api.schemas import ErrorSchema  # late: server.api imports this module

        return ErrorSchema


api = _Api()
socketio = SocketIO()
