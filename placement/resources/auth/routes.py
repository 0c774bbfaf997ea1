"""Sessions: log in for a bearer token, log out, and who am I."""

from flask import g, request

from placement.auth import current_user, requires
from placement.errors import Unauthorized
from placement.extensions import db
from placement.resources.auth.schemas import LoginSchema, MeSchema, TokenSchema
from placement.resources.common import Blueprint, View
from placement.services import accounts

blp = Blueprint("auth", __name__, description="Log in, log out, and the current user.")


@blp.route("/auth/login")
class Login(View):
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    def post(self, body):
        """Exchange a username and password for a bearer token."""
        result = accounts.login(body["username"], body["password"], request.remote_addr or "-")
        # The one commit ahead of the boundary: a failed attempt must count (rate limiting)
        # although the answer is a refusal, which the boundary would roll back.
        db.session.commit()
        if result is None:
            raise Unauthorized("wrong username or password, or the account is disabled")
        _user, token, expires_at = result
        return {"token": token, "expires_at": expires_at}


@blp.route("/auth/logout")
class Logout(View):
    @requires()
    @blp.response(204)
    def post(self):
        """End this token's session."""
        accounts.logout(g.token_row)


@blp.route("/me")
class Me(View):
    @requires()
    @blp.response(200, MeSchema)
    def get(self):
        """The account behind the token."""
        user = current_user()
        return user
