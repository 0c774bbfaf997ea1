"""Optimistic concurrency for changes: the client's If-Match must carry the current ETag."""

from placement.errors import PreconditionFailed, PreconditionRequired


def check_if_match(current, if_match, required, what):
    """Refuse a change made over someone else's: 428 without If-Match when it is `required`,
    412 when it names another version of `what` ("this shelter", "the policy")."""
    if not if_match:
        if required:
            raise PreconditionRequired(f"If-Match: send the ETag from your last read of {what}")
        return
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and current not in tags:
        raise PreconditionFailed(
            f"If-Match: {what} changed since you read it; reload and try again",
            {"etag": current},
        )
