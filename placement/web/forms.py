"""Form helpers shared by pages: one convention for a form that comes back with errors."""

from flask import render_template

# A form re-shown because of what was entered answers 422, its errors next to the fields.
FORM_ERRORS_STATUS = 422


def render_form(template, form, status=None, **context):
    """Render `template` with `form`; 422 when the form carries errors, else `status` or 200."""
    if status is None:
        status = FORM_ERRORS_STATUS if form.errors else 200
    return render_template(template, form=form, **context), status
