"""`coach quiz`: a training quiz for new hires, built on the same rules as the review."""
