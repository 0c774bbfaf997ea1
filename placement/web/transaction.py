"""The one transaction boundary of a page view, as `resources.common.transaction` is the API's.

Every page blueprint is a `PageBlueprint`, whose views run inside `page_transaction`: the view
runs and its answer is built (the page rendered), then its changes commit, or roll back when it
raised or answered a refusal (400 or more). No page view commits by itself. Two needs the API
meets with a commit of its own are said here instead: changes a refusal keeps (a failed
sign-in counts towards the limit), and work that must wait for the commit (queueing a run).
"""

import functools

from flask import Blueprint, current_app, request

from placement.extensions import db


def keep_changes():
    """Commit this request's changes even though its answer is a refusal."""
    request.streha_keep_changes = True


def after_commit(callback):
    """Call `callback()` once this request's changes have committed (never if they roll back)."""
    if not hasattr(request, "streha_after_commit"):
        request.streha_after_commit = []
    request.streha_after_commit.append(callback)


def page_transaction(view):
    """Run the view and build its response, then commit (or roll back a refusal or an error)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            db.session.rollback()
            raise
        if response.status_code >= 400 and not getattr(request, "streha_keep_changes", False):
            db.session.rollback()
            return response
        db.session.commit()
        for callback in getattr(request, "streha_after_commit", ()):
            callback()
        return response

    return wrapper


class PageBlueprint(Blueprint):
    """A page blueprint: each view it registers runs inside `page_transaction`."""

    def add_url_rule(self, rule, endpoint=None, view_func=None, **options):
        if view_func is not None:
            view_func = page_transaction(view_func)
        super().add_url_rule(rule, endpoint, view_func, **options)
