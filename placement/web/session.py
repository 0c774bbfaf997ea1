"""The page session: the cookie holds one opaque id, and nothing else lives on the client.

Signed in, the id is an accounts token (the same row, expiry, revocation and audit as an API
token; the database keeps only its hash). Before sign-in it is a random anonymous id. The CSRF
secret Flask-WTF keeps in `session["csrf_token"]` is derived from the id with the app's key, so
nothing needs storing and a new id (sign-in, sign-out) means a new secret. Pages keep no other
data in the session: say what happened in the page itself, or in the URL of a redirect.
"""

import hashlib
import hmac
import re
import secrets

from flask import g, has_app_context
from flask.sessions import SessionInterface, SessionMixin

CSRF_KEY = "csrf_token"
ANONYMOUS_PREFIX = "an_"
TOKEN_PREFIX = "st_"
_ID_FORMAT = re.compile(r"^(an|st)_[A-Za-z0-9_-]{30,60}$")


class SessionStorageRefused(RuntimeError):
    """Page code tried to keep data in the session; page sessions hold none (see module doc)."""


class PageSession(dict, SessionMixin):
    def __init__(self, sid, secret_key, new):
        super().__init__()
        self.sid = sid
        self.new = new
        self.changed = new
        self.accessed = False
        self._secret_key = secret_key
        self._derive()

    def _derive(self):
        # Flask-WTF caches the signed token on g: drop it, so a new id means a new token (g also
        # outlives a request when an app context is kept pushed, as tests do).
        if has_app_context():
            g.pop(CSRF_KEY, None)
        digest = hmac.new(self._secret_key.encode(), self.sid.encode(), hashlib.sha256)
        dict.__setitem__(self, CSRF_KEY, digest.hexdigest())

    def __getitem__(self, key):
        self.accessed = True
        return super().__getitem__(key)

    def __contains__(self, key):
        self.accessed = True
        return super().__contains__(key)

    def get(self, key, default=None):
        self.accessed = True
        return super().get(key, default)

    @property
    def token(self):
        """The accounts token this session signs in with, or None before sign-in."""
        return self.sid if self.sid.startswith(TOKEN_PREFIX) else None

    def sign_in(self, token):
        self._replace(token)

    def sign_out(self):
        self._replace(new_anonymous_id())

    def _replace(self, sid):
        self.sid = sid
        self.changed = True
        self._derive()

    def __setitem__(self, key, value):
        if key == CSRF_KEY and value == self.get(CSRF_KEY):
            return
        raise SessionStorageRefused(f"page sessions keep no data (tried to store {key!r})")

    def setdefault(self, key, default=None):
        if key in self:
            return self[key]
        self[key] = default
        return default

    def clear(self):
        self.sign_out()


def new_anonymous_id():
    return ANONYMOUS_PREFIX + secrets.token_urlsafe(32)


class PageSessionInterface(SessionInterface):
    def open_session(self, app, request):
        sid = request.cookies.get(self.get_cookie_name(app), "")
        new = not _ID_FORMAT.match(sid)
        return PageSession(new_anonymous_id() if new else sid, str(app.secret_key), new)

    def save_session(self, app, session, response):
        # A new anonymous id is only sent when the page used the session (a form's CSRF field),
        # so API responses and static files set no cookie.
        if not session.changed or (session.new and not session.accessed and not session.token):
            return
        response.vary.add("Cookie")
        response.set_cookie(
            self.get_cookie_name(app),
            session.sid,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite="Strict",
            path="/",
        )
