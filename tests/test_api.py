"""The Python API: coach.review is a function that can be called again and again."""
from __future__ import annotations

import coach


def test_review_can_be_called_repeatedly_and_returns_a_review():
    first = coach.review("Bonjour, merci pour votre message.", lang="fr")
    second = coach.review("Hello, thanks for your message, your parcel arrives tomorrow.", lang="en")
    assert callable(coach.review)
    assert isinstance(first, coach.Review) and isinstance(second, coach.Review)
    assert second.to_dict()["schema"] == "coach.review/1"


def test_review_with_rewrite():
    result = coach.review("Nous sommes débordés, attendez lundi.", lang="fr", rewrite=True, agent="Julie")
    assert result.rewrite and result.rewrite_details.verdict == "send"
    assert result.rewrite.rstrip().endswith("Julie")
