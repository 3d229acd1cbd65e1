"""Precision first: negation, quoted customer text, conditionals, questions, harmless uses of
trigger words, signatures and quoted history must not produce findings; the real faults must."""
from __future__ import annotations

import pytest

FAULTS = ("defensive", "blame", "contempt", "dismissive", "effort")


def fault_checks(review):
    return {name for name in FAULTS if review.checks[name].status == "found"}


QUIET = [
    ("fr", "Ce n'est absolument pas de votre faute, l'erreur vient de notre entrepôt."),
    ("fr", "Vous n'avez pas besoin de repasser commande : je modifie la vôtre dès maintenant."),
    ("fr", "Le service est revenu à la normale depuis 14 h."),
    ("fr", "Il est normal que vous soyez inquiet après trois jours sans connexion."),
    ("fr", "Vous écrivez « c'est inadmissible, vous êtes nuls » : vous avez raison sur le délai."),
    ("fr", "Si vous préférez appeler le transporteur, voici son numéro, mais j'ai déjà ouvert l'enquête."),
    ("fr", "Le délai de rétractation est dépassé, mais je vous propose un avoir du même montant."),
    ("fr", "Votre dossier SAV et le changement de DNS sont traités."),
    ("en", "This is absolutely not your fault; the error came from our warehouse."),
    ("en", "You won't need to reorder anything: I've changed the size on your order."),
    ("en", "Service is back to normal since 2pm."),
    ("en", "You wrote \"this is ridiculous, you people are useless\" and you're right about the delay."),
    ("en", "If you'd rather call the carrier, here's their number, but I've already opened the claim."),
    ("en", "The fare is non-refundable, but I can move it to another date at no cost."),
    ("en", "Your DNS change and the new SIM are both sorted."),
    # a wish followed by an offer stays a condition; a disclaimer below the signature is not judged
    ("fr", "Si vous préférez, vous pouvez annuler la commande et en refaire une, sinon je la modifie."),
    ("en", "If you want, we can call you back tomorrow at 10am."),
    ("fr", "Si vous aviez besoin d'autre chose, écrivez-nous."),
    ("en", "Because you changed your plan last month, your bill is now lower."),
]


@pytest.mark.parametrize("lang,text", QUIET, ids=[t[:40] for _, t in QUIET])
def test_hard_negatives_stay_quiet(reviewer, lang, text):
    review = reviewer.review(text, lang=lang)
    assert not fault_checks(review), [f"{f.rule}: {f.text}" for f in review.findings]


LOUD = [
    ("fr", "C'est votre point de vue, mais quand on a 50 000 clients ça prend du temps.", "defensive"),
    ("fr", "Je n'y peux rien, je suis comptable.", "defensive"),
    ("fr", "Comme je vous l'ai déjà dit, le délai est écoulé.", "defensive"),
    ("fr", "Le problème vient de votre ordinateur.", "blame"),
    ("fr", "Vous avez coché la mauvaise case lors de la commande.", "blame"),
    ("fr", "Je vous souhaite bien du courage avec votre projet.", "contempt"),
    ("fr", "C'est normal, attendez lundi.", "dismissive"),
    ("fr", "Annulez votre commande et repassez-la.", "effort"),
    ("en", "That's just your point of view; we have 50,000 customers.", "defensive"),
    ("en", "Per my last email, the deadline has passed.", "defensive"),
    ("en", "You should have read the instructions.", "blame"),
    ("en", "Good luck with that.", "contempt"),
    ("en", "That's just how it is, nothing we can do.", "dismissive"),
    ("en", "Please open a new ticket with the billing team.", "effort"),
    # "si vous aviez lu...", "if you had read...": looking back at the customer is a reproach, not a condition
    ("fr", "Si vous aviez pris la peine de lire le mail, vous auriez vu la date.", "blame"),
    ("en", "If you had read the email, you would know the date.", "blame"),
    # the customer's wish, then a demand: the demand is judged
    ("fr", "Si vous voulez l'autre taille, il faudra annuler la commande et en refaire une.", "effort"),
    ("en", "If you want the other size, you'll have to return this one and buy it again.", "effort"),
    # a negation in the main clause does not reach past "because" / "puisque"
    ("fr", "Le vol n'est pas indemnisé puisque vous aviez laissé la fenêtre ouverte.", "blame"),
    ("en", "We can't refund it because you should have cancelled earlier.", "blame"),
    # a mocking marker mocks whatever the clause says
    ("en", "Saves don't just vanish lol.", "contempt"),
]


@pytest.mark.parametrize("lang,text,check", LOUD, ids=[t[:40] for _, t, _ in LOUD])
def test_real_faults_are_found(reviewer, lang, text, check):
    review = reviewer.review(text, lang=lang)
    assert check in fault_checks(review), [f"{f.rule}: {f.text}" for f in review.findings]


def test_quoted_history_and_signature_are_not_judged(reviewer):
    text = ("Bonjour, merci pour votre message, je suis désolé pour ce retard : votre colis part aujourd'hui et "
            "arrivera d'ici jeudi.\n\nCordialement,\nJULIE MARTIN\nSERVICE CLIENT\n\n"
            "Le lun. 3 nov. 2025 à 10:12, Paul <paul@example.fr> a écrit :\n"
            "> VOUS ÊTES NULS !!! C'est de votre faute, je veux être remboursé, c'est inadmissible")
    review = reviewer.review(text)
    assert review.verdict == "send", [f.rule for f in review.findings]
    assert "NULS" not in review.text_reviewed
    assert review.checks["empathy"].status == "ok"


def test_empathy_need_comes_from_the_incoming_message(reviewer):
    reply = "Bonjour, merci pour votre question. Nous sommes ouverts du lundi au vendredi de 9 h à 18 h."
    assert reviewer.review(reply, incoming="Quels sont vos horaires ?").checks["empathy"].status == "not_needed"
    angry = "Ma box ne fonctionne plus depuis une semaine, c'est inadmissible."
    assert reviewer.review(reply, incoming=angry).checks["empathy"].status == "missing"


@pytest.mark.parametrize("lang,text,status", [
    ("fr", "Merci pour votre message, nous revenons vers vous dans les meilleurs délais.", "vague"),
    ("fr", "Merci pour votre message, je transmets votre demande au service technique.", "missing"),
    ("fr", "Merci pour votre message, ce sera fait d'ici 2 semaines.", "ok"),
    ("fr", "Merci pour votre message, votre remboursement a été effectué ce matin.", "not_needed"),
    ("en", "Thanks for your message, we'll get back to you as soon as possible.", "vague"),
    ("en", "Thanks for your message, I've escalated this to our engineers.", "missing"),
    ("en", "Thanks for your message, a technician will call you within 24 to 48 hours.", "ok"),
    ("en", "Thanks for your message, your refund was issued this morning.", "not_needed"),
])
def test_timeline_statuses(reviewer, lang, text, status):
    assert reviewer.review(text, lang=lang).checks["timeline"].status == status


@pytest.mark.parametrize("lang,text", [
    ("fr", "Bonjour."), ("fr", "Bonjour Madame, votre commande part demain."),
    ("en", "Hi Sam."), ("en", "Hello, your order ships tomorrow."),
])
def test_a_bare_greeting_is_not_acknowledgement(reviewer, lang, text):
    assert reviewer.review(text, lang=lang).checks["acknowledgement"].status == "missing"


def test_non_apology_is_defensive_not_empathy(reviewer):
    review = reviewer.review("Nous sommes désolés que vous le perceviez ainsi.",
                             incoming="Votre technicien n'est jamais venu, c'est inadmissible.", lang="fr")
    assert review.checks["defensive"].status == "found"
    assert review.checks["empathy"].status == "missing"


@pytest.mark.parametrize("lang,text", [("fr", "ok merci je regarde ça"), ("en", "thx, checking now"),
                                       ("fr", "Bonjour, votre colis arrive demain."),
                                       ("en", "Sorry for the wait, your refund is on its way.")])
def test_language_is_detected_on_short_replies(reviewer, lang, text):
    assert reviewer.review(text).language == lang


def test_another_language_is_not_reviewed(reviewer):
    review = reviewer.review("Hola, gracias por su mensaje. Le enviaremos el pedido mañana por la tarde.")
    assert review.status == "unsupported_language" and review.verdict is None


def test_rule_matcher_works_as_a_spacy_component(matchers):
    from coach.matching import SPAN_KEY
    from coach.nlp import pipeline

    doc = matchers["fr"](pipeline("fr")("Nous sommes débordés. Ce n'est pas de votre faute."))
    labels = [span.label_ for span in doc.spans[SPAN_KEY]]
    assert "defensive.workload-excuse" in labels
    assert not any(label.startswith("blame.") for label in labels)
    assert doc._.coach_scope is not None


@pytest.mark.parametrize("lang, incoming, reply, status", [
    # same word family in French ("annulé" / "annulations"), a shared figure in any language
    ("fr", "Vol Rimouski-Québec annulé hier soir, aucune info.",
     "Bonjour, les annulations pour raison météo suivent une procédure particulière.", "ok"),
    ("fr", "L'indemnisation de 1 200 € proposée est trop basse.",
     "Madame, le montant de 1 200 € vient du barème de votre contrat.", "ok"),
    ("en", "I was charged $482 instead of the $310 estimate.", "The $482 includes the extraction.", "ok"),
    # nothing of the customer's subject taken up
    ("fr", "Vol Rimouski-Québec annulé hier soir, aucune info.", "Bonjour, bonne journée à vous.", "missing"),
    ("en", "My order 4 arrived broken.", "Hello, have a nice day.", "missing"),
])
def test_taking_up_the_customers_subject_is_acknowledgement(reviewer, lang, incoming, reply, status):
    review = reviewer.review(reply, incoming=incoming, lang=lang)
    assert review.checks["acknowledgement"].status == status
