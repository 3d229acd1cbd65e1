"""Only the agent's words are judged: quoted history, signatures and disclaimers are set aside."""
from __future__ import annotations

import pytest

from coach.segment import segment


def test_french_gmail_quote_becomes_incoming():
    text = ("Bonjour, merci pour votre message.\n\nLe lun. 3 nov. 2025 à 10:12, Paul Girard <paul@example.fr> a écrit :\n"
            "> Ma box ne marche plus !!!\n> Merci")
    parts = segment(text)
    assert parts.own == "Bonjour, merci pour votre message."
    assert "Ma box ne marche plus" in parts.quoted
    assert not parts.quoted.startswith(">")


def test_wrapped_french_header_is_recognised():
    text = "Merci, c'est noté.\nLe lun. 3 nov. 2025 à 10:12, Paul Girard <paul@example.fr> a\nécrit :\n> Bonjour"
    assert segment(text).own == "Merci, c'est noté."


@pytest.mark.parametrize("header", [
    "On Mon, Nov 3, 2025 at 10:12 AM Jane Doe <jane@example.com> wrote:",
    "-----Original Message-----",
    "-----Message d'origine-----",
    "---------- Forwarded message ---------",
])
def test_quoted_history_headers(header):
    parts = segment(f"Thanks, on it.\n\n{header}\nFrom: Jane\nYOU NEVER ANSWER!!!")
    assert parts.own == "Thanks, on it."
    assert "YOU NEVER ANSWER" not in parts.own


@pytest.mark.parametrize("block", [
    "De : Paul Girard <paul@example.fr>\nEnvoyé : lundi 3 novembre 2025 10:12\nÀ : support@example.fr\nObjet : panne",
    "From: Jane Doe\nSent: Monday, November 3, 2025 10:12 AM\nTo: support@example.com\nSubject: outage",
])
def test_outlook_header_blocks(block):
    parts = segment(f"Réponse de l'agent.\n\n{block}\n\nC'EST INADMISSIBLE")
    assert parts.own == "Réponse de l'agent."
    assert "INADMISSIBLE" in parts.quoted


def test_inline_quotes_are_removed_but_answers_between_them_kept():
    parts = segment("> Where is my parcel?\nIt left our depot this morning.\n> And the refund?\nIssued today.")
    assert parts.own == "It left our depot this morning.\nIssued today."


@pytest.mark.parametrize("signature", [
    "-- \nJulie Martin\nService client",
    "Cordialement,\nJulie Martin\nService client Box+\n01 23 45 67 89",
    "Best regards,\nSam Porter\nSupport Team, Acme",
    "Cheers, Sam",
    "Envoyé de mon iPhone",
])
def test_signatures_are_set_aside(signature):
    parts = segment(f"Your refund is on its way.\n\n{signature}")
    assert parts.own == "Your refund is on its way."
    assert any(e["kind"] == "signature" for e in parts.excluded)


def test_a_sentence_starting_with_merci_is_not_a_signature():
    text = "Bonjour,\nMerci pour votre patience, le colis part demain et vous recevrez le suivi ce soir par courriel."
    assert segment(text).own == text


def test_legal_disclaimer_is_set_aside():
    disclaimer = ("Ce message et toutes les pièces jointes sont confidentiels et établis à l'intention exclusive "
                  "de son destinataire.")
    parts = segment(f"Votre dossier est clos.\n\n{disclaimer}")
    assert parts.own == "Votre dossier est clos."
    assert parts.excluded[-1]["kind"] == "disclaimer"


def test_plain_chat_reply_is_unchanged():
    assert segment("ok je regarde ça tout de suite").own == "ok je regarde ça tout de suite"


def test_disclaimer_below_the_signature_does_not_hide_the_sign_off():
    text = ("Bonjour,\n\nC'est fait : le prélèvement aura lieu le 10 de chaque mois.\n\nBien cordialement,\n\n"
            "Nathalie Roux\nService clientèle\n\n---\nLe contenu de ce courriel est confidentiel. En cas de "
            "réception par erreur, merci de le détruire. La société décline toute responsabilité en cas "
            "d'altération du message.")
    parts = segment(text)
    assert parts.own == "Bonjour,\n\nC'est fait : le prélèvement aura lieu le 10 de chaque mois."
    assert [e["kind"] for e in parts.excluded] == ["signature", "disclaimer"]
    assert "décline toute responsabilité" in parts.excluded[-1]["text"]
