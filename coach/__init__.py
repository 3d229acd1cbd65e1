"""reply-coach: reviews a customer-service reply before it is sent, in French and English."""
from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, load_config  # noqa: E402
from .findings import Finding, Review  # noqa: E402


def review(text: str, *, lang: str | None = None, incoming: str | None = None, id: str | None = None,
           customer_name: str | None = None, agent: str | None = None, rewrite: bool = False,
           config: Config | None = None) -> Review:
    """Review one draft and return a `Review` (verdict, score, checks, findings).

    `lang` forces "fr" or "en" (detected otherwise); `incoming` is the customer's message, used
    to judge whether empathy is needed and whether the reply restates the request. With
    `rewrite=True` the review carries a suggested rewrite (`review.rewrite`, `review.rewrite_details`).
    """
    from .inputs import Draft
    from .reviewer import default_reviewer

    reviewer = default_reviewer(config)
    result = reviewer.review(text, lang=lang, incoming=incoming, id=id, customer_name=customer_name)
    if rewrite:
        from .rewrite import attach_rewrite

        draft = Draft(id=id, reply=text, incoming=incoming, lang=lang, customer_name=customer_name, agent=agent)
        result = attach_rewrite(result, draft, reviewer)
    return result


__all__ = ["Config", "Finding", "Review", "load_config", "review", "__version__"]
