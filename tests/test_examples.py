"""The bundled examples (`make demo`) show each check firing where it should and staying quiet
where it should."""
from __future__ import annotations

from pathlib import Path

import pytest

from coach.inputs import load_draft

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

EXPECTED = {
    "fr-bonne-reponse.txt": ("send", set()),
    "en-good-reply.txt": ("send", set()),
    "fr-courtier-defensif.txt": ("block", {"defensive.point-of-view", "defensive.workload-excuse",
                                           "timeline.vague-promise", "acknowledgement.missing"}),
    "fr-ticket-reponse.eml": ("block", {"blame.wrong-choice", "effort.reorder"}),
    "en-hotline-dismissive.txt": ("revise", {"dismissive.its-normal", "dismissive.nothing-to-do",
                                             "effort.call-elsewhere"}),
    "en-chat-reply.html": ("block", {"defensive.already-said", "defensive.denial", "defensive.terms-wall"}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bundled_example(reviewer, name):
    verdict, rules = EXPECTED[name]
    review = reviewer.review_draft(load_draft(str(EXAMPLES / name), max_bytes=1_000_000))
    found = {f.rule for f in review.findings}
    assert review.verdict == verdict, sorted(found)
    assert rules <= found, sorted(rules - found)
    if verdict == "send":
        assert not found
    # quoted customer text never counts: the .eml quotes "C'est urgent !!!" and the HTML "???"
    assert "contempt.shouting" not in found
