"""Reply extraction of the email reader: one test per cause of a quote or signature kept
(or real text lost), on short realistic emails, and a property that nothing is lost."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serviceart.readers._html import html_reply_text
from serviceart.readers._quotes import words
from serviceart.readers.email import strip_reply

REPLY = "Hi Dana,\n\nThe router works again after the reset. Thank you!"


def kept(body: str) -> str:
    return strip_reply(body)[0]


# ------------------------------------------------------------- attribution lines
def test_attribution_without_space_before_wrote():
    body = (f"{REPLY}\n\nOn Tue, Mar 3, 2026 at 10:02 AM, Dana Reyes <dana@acme.com>wrote:\n\n"
            "> Please hold the reset button for ten seconds.\n")
    k, removed = strip_reply(body)
    assert k == REPLY
    assert "<dana@acme.com>wrote:" in removed and "> Please hold" in removed


def test_attribution_wrapped_over_three_lines_above_a_quote():
    body = ("Both invoices are paid now.\n\nOn Mar 3, 2026, at 10:02 AM, Dana Reyes\n"
            "<dana@acme.com>\nwrote:\n\n> Invoice 4471 is still open.\n")
    assert kept(body) == "Both invoices are paid now."


def test_attribution_wrapped_over_three_lines_without_quote_marks():
    # Apple Mail style: the quoted message follows unprefixed
    body = ("Friday suits me.\n\nOn 3 Mar 2026, at 10:02, Dana Reyes <\n"
            "dana.reyes@support.acme.com>\nwrote:\n\nYour parcel can come Friday or Monday.\n")
    assert kept(body) == "Friday suits me."


def test_reply_and_attribution_on_one_line_are_split():
    k, removed = strip_reply("Done, see attached.--- On Wed, 4 Mar 2026 at 09:10, "
                             "dana@acme.com wrote:\n> Can you send the receipt?")
    assert k == "Done, see attached."
    assert removed.startswith("--- On Wed, 4 Mar 2026")


def test_interleaved_answers_kept_and_quote_with_attribution_removed():
    body = ("On Mon, 9 Mar 2026 at 06:40, Dana <dana@acme.com> wrote:\n"
            "> Which account number?\nIt is 12345.\n\n> And your postcode?\n\nLS1 4AB.\n")
    assert kept(body) == "It is 12345.\n\nLS1 4AB."


@pytest.mark.parametrize("line", [
    "Am 03.03.2026 um 10:02 schrieb Dana Reyes <dana@acme.com>:",
    "Le mar. 3 mars 2026 à 10:02, Dana Reyes <dana@acme.com> a écrit :",
    "Den 3. mar. 2026 kl. 10.02 skrev Dana Reyes <dana@acme.com>:",
    "Den tis 3 mars 2026 10:02 skrev Dana Reyes <dana@acme.com>:",
    "Op di 3 mrt. 2026 om 10:02 schreef Dana Reyes <dana@acme.com>:",
    "W dniu 3 marca 2026 10:02 użytkownik Dana Reyes <dana@acme.com> napisał:",
    "3 марта 2026 г., в 10:02, Dana Reyes <dana@acme.com> написал:",
    "El mar, 3 mar 2026 a las 10:02, Dana Reyes (<dana@acme.com>) escribió:",
    "Il giorno mar 3 mar 2026 alle ore 10:02 Dana Reyes <dana@acme.com> ha scritto:",
    "Em ter., 3 de mar. de 2026 às 10:02, Dana Reyes <dana@acme.com> escreveu:",
    "2026-03-03 10:02 GMT+01:00 Dana Reyes <dana@acme.com>:",
    "03.03.2026, 10:02, \"Dana Reyes\" <dana@acme.com>:",
])
@pytest.mark.parametrize("marked", [True, False], ids=["quoted", "unmarked"])
def test_attributions_in_many_languages(line, marked):
    quote = "> Bitte halten Sie die Taste gedrückt." if marked else "Bitte halten Sie die Taste."
    k, removed = strip_reply(f"Es geht wieder, danke.\n\n{line}\n\n{quote}\n")
    assert k == "Es geht wieder, danke."
    assert line in removed


def test_name_and_address_line_is_an_attribution_only_above_quote_marks():
    line = "Dana Reyes <dana@acme.com>, 10:02:"
    assert kept(f"Noted.\n\n{line}\n\n> The fix is live.") == "Noted."
    assert kept(f"Noted.\n\n{line}\n\nThe fix is live.") == (
        f"Noted.\n\n{line}\n\nThe fix is live.")


def test_line_ending_in_wrote_without_date_or_address_is_text():
    body = "This is what my manager wrote:\n\nPlease refund the order in full."
    assert kept(body) == body


# ------------------------------------------------------------- header blocks
HEADER_BLOCKS = {
    "de": "Von: Dana Reyes <dana@acme.com>\nGesendet: Dienstag, 3. März 2026 10:02\n"
          "An: Bo Lind\nBetreff: Ihre Bestellung",
    "fr": "De : Dana Reyes [mailto:dana@acme.com]\nEnvoyé : mardi 3 mars 2026 10:02\n"
          "À : Bo Lind\nObjet : Votre commande",
    "da": "Fra: Dana Reyes <dana@acme.com>\nSendt: 3. marts 2026 10:02\nTil: Bo Lind\n"
          "Emne: Din ordre",
    "sv": "Från: Dana Reyes <dana@acme.com>\nSkickat: den 3 mars 2026 10:02\nTill: Bo Lind\n"
          "Ämne: Din beställning",
    "nl": "*Van:* Dana Reyes [mailto:dana@acme.com]\n*Verzonden:* dinsdag 3 maart 2026 10:02\n"
          "*Aan:* Bo Lind\n*Onderwerp:* Uw bestelling",
    "pl": "Od: Dana Reyes <dana@acme.com>\nWysłano: wtorek, 3 marca 2026 10:02\n"
          "Do: Bo Lind\nTemat: Zamówienie",
    "no": "Fra: Dana Reyes <dana@acme.com>\nSendt: tirsdag 3. mars 2026 10:02\nTil: Bo Lind\n"
          "Emne: Bestillingen din",
    "ru": "От: Dana Reyes\nОтправлено: 3 марта 2026 г. 10:02\nКому: Bo Lind\nТема: Заказ",
    "es": "De: Dana Reyes <dana@acme.com>\nEnviado: martes, 3 de marzo de 2026 10:02\n"
          "Para: Bo Lind\nAsunto: Su pedido",
    "it": "Da: Dana Reyes <dana@acme.com>\nInviato: martedì 3 marzo 2026 10:02\nA: Bo Lind\n"
          "Oggetto: Il suo ordine",
    "pt": "De: Dana Reyes <dana@acme.com>\nEnviada em: terça-feira, 3 de março de 2026 10:02\n"
          "Para: Bo Lind\nAssunto: Seu pedido",
    "en, Date first": "Date: Tue, 3 Mar 2026 10:02:00 +0000\nFrom: dana@acme.com\n"
                      "To: bo.lind@example.org\nSubject: Your order",
}


@pytest.mark.parametrize("lang", HEADER_BLOCKS)
def test_header_blocks_in_many_languages(lang):
    block = HEADER_BLOCKS[lang]
    k, removed = strip_reply(f"The parcel has arrived.\n\n{block}\n\nWhere is my parcel?\n")
    assert k == "The parcel has arrived."
    assert block in removed and "Where is my parcel?" in removed


def test_header_block_under_a_rule_of_dashes_after_a_blank_line():
    body = ("Outlook reply.\n\n ------------------------------\n\n*From:* Acme <help@acme.com>\n"
            "*Sent:* Tuesday, March 3, 2026 10:02 AM\n*To:* bo@example.org\n\nOld text")
    k, removed = strip_reply(body)
    assert k == "Outlook reply."
    assert removed.startswith("------------------------------")


def test_rule_then_one_header_line_starts_the_quote():
    # what an <hr> above a one-line header ("From: x Date: y") gives
    k, _ = strip_reply(f"Reply\n\n{'_' * 32}\nFrom: dana@acme.com Date: Tue, 3 Mar 2026\n\nQ")
    assert k == "Reply"


def test_header_block_at_the_top_is_read_as_written():
    # a message forwarded without a note: the sender's whole body
    body = ("Von: Dana Reyes <dana@acme.com>\nGesendet: Dienstag, 3. März 2026 10:02\n"
            "Betreff: Ihr Paket\n\nIhr Paket kommt am Freitag.")
    assert kept(body) == body


def test_a_from_line_alone_is_text():
    body = "From: the warehouse in Leeds, I think.\nIt has not arrived."
    assert kept(body) == body


@pytest.mark.parametrize("sep", [
    "-----Oprindelig meddelelse-----", "-----Ursprüngliche Nachricht-----",
    "-----Message d'origine-----", "-----Mensaje original-----", "-----Reply Message-----",
    "-------- Original Message --------", "---------- Forwarded message ---------",
    "Begin forwarded message:",
])
def test_separators(sep):
    k, removed = strip_reply(f"See below.\n\n{sep}\n\nOld text\n")
    assert k == "See below."
    assert removed == f"{sep}\n\nOld text"


# ------------------------------------------------------------- quote marks
def test_wrapped_quoted_line_between_quote_marks_is_quoted():
    body = ("Done.\n\nOn Mon, 9 Mar 2026 at 06:40, Dana <dana@acme.com> wrote:\n"
            "> Open the ticket (https://acme.com/t/4471?a=1&\nb=2)\n> and close it.\n")
    assert kept(body) == "Done."


def test_answer_directly_under_a_quote_line_is_kept():
    body = "> Can you confirm the account number?\nIt is 12345.\n> And the postcode?\nLS1 4AB."
    assert kept(body) == "It is 12345.\nLS1 4AB."


def test_arrow_banner_is_not_a_quote():
    body = "Visit us now...\n>>> https://acme.com/help <<<\nThe link is above."
    assert kept(body) == body


# ------------------------------------------------------------- footers and signatures
def test_mailing_list_footer_and_dash_name_signature():
    body = ("How do I reset my PIN?\n\n-Bo Lind\n\n\n"
            "_______________________________________________\nacme-users mailing list\n"
            "acme-users@lists.acme.com\nhttps://lists.acme.com/mailman/listinfo/acme-users\n")
    k, removed = strip_reply(body)
    assert k == "How do I reset my PIN?"
    assert removed.startswith("-Bo Lind") and "mailing list" in removed


def test_mailman_attachment_note_is_a_footer():
    body = ("It still crashes.\n-------------- next part --------------\n"
            "An HTML attachment was scrubbed...\nURL: <https://lists.acme.com/a.htm>")
    assert kept(body) == "It still crashes."


@pytest.mark.parametrize("sig", ["-Bo", "- bo", "-Bo Lind.", "/Bo"])
def test_dash_or_slash_name_as_last_line(sig):
    assert kept(f"The app crashes on start.\n\n{sig}") == "The app crashes on start."


def test_list_item_last_line_is_not_a_signature():
    body = "Please send me:\n- the invoice\n- the receipt"
    assert kept(body) == body


def test_sent_from_sentence_is_kept_and_tagline_removed():
    sentence = "Here is my answer.\n\nSent from my desk, is much easier than my mobile phone."
    assert kept(sentence) == sentence
    k, removed = strip_reply("Here is my answer.\n\nSent from my iPhone")
    assert (k, removed) == ("Here is my answer.", "Sent from my iPhone")


@pytest.mark.parametrize("tag", [
    "Sent wirelessly from my BlackBerry device on the Bell network.",
    "Envoyé de mon iPhone", "Enviado desde mi Samsung Galaxy", "Von meinem iPhone gesendet",
    "Verzonden vanaf mijn iPad", "Skickat från min iPhone", "Sendt fra min iPhone",
    "Wysłane z mojego iPhone'a", "Отправлено с iPhone", "Get Outlook for Android",
])
def test_taglines_in_many_languages(tag):
    assert kept(f"The parcel came today.\n{tag}") == "The parcel came today."


def test_tagline_only_message_has_nothing_left():
    assert kept("Sent from my iPhone\n\nOn Tue, 3 Mar 2026, Dana wrote:\n> Hi") == ""


@pytest.mark.parametrize("bye", ["Mit freundlichen Grüßen", "Cordialement", "Med venlig hilsen",
                                 "Kh", "Vänliga hälsningar", "Met vriendelijke groet",
                                 "Pozdrawiam,", "Z poważaniem,", "С уважением,", "Saludos,",
                                 "Cordiali saluti", "Atenciosamente,", "Regards,\n"])
def test_sign_offs_in_many_languages(bye):
    k, removed = strip_reply(f"Die Rechnung ist bezahlt.\n\n{bye}\nBo Lind\nAcme GmbH")
    assert k == "Die Rechnung ist bezahlt."
    assert removed.endswith("Bo Lind\nAcme GmbH")


def test_thanks_stays_courtesy():
    body = "It works now.\n\nThank you,\nBo"
    assert kept(body) == body


def test_contact_block_signature():
    body = ("Please call me back tomorrow.\n\nBo Lind\nbo.lind@example.org\n"
            "+44 20 7946 0000\nwww.example.org")
    assert kept(body) == "Please call me back tomorrow."


def test_contact_details_introduced_by_the_sender_are_kept():
    body = "You can reach me here:\n\nBo Lind\nbo.lind@example.org\n+44 20 7946 0000"
    assert kept(body) == body


def test_short_lines_under_three_dashes():
    assert kept("Hey, is it fixed?\n---\nBo Lind\nAcme") == "Hey, is it fixed?"


def test_a_signature_needs_text_above_it():
    assert kept("--\nBo") == "--\nBo"


# ------------------------------------------------------------- HTML
def test_html_blockquote_cut_and_text_after_it_kept():
    html = ("<div>It works now.</div><div>On Tue, 3 Mar 2026, Dana &lt;dana@acme.com&gt; "
            "wrote:</div><blockquote>Try a reset.</blockquote><div>Bo</div>")
    k, removed = strip_reply(html_reply_text(html))
    assert k == "It works now.\n\nBo"
    assert "Try a reset." in removed and "wrote:" in removed


def test_html_gmail_quote_container():
    html = ('<div dir="ltr">Paid today.</div><br><div class="gmail_quote">'
            '<div class="gmail_attr">On Tue, Mar 3, 2026 at 10:02 AM Dana wrote:<br></div>'
            '<blockquote class="gmail_quote">Invoice 4471 is open.</blockquote></div>')
    assert strip_reply(html_reply_text(html))[0] == "Paid today."


def test_html_outlook_reply_container_quotes_everything_after_it():
    html = ('<div>Refund sent.</div><hr style="display:inline-block;width:98%">'
            '<div id="divRplyFwdMsg"><b>From:</b> Bo<br><b>Sent:</b> Tuesday</div>'
            '<div>Where is my refund?</div>')
    assert strip_reply(html_reply_text(html))[0] == "Refund sent."


def test_html_outlook_desktop_border_top_header_block():
    html = ('<p>Gerne.</p><div style="border:none;border-top:solid #E1E1E1 1.0pt">'
            '<p><b>Von:</b> Bo Lind<br><b>Gesendet:</b> Dienstag, 3. März 2026</p></div>'
            '<p>Können Sie helfen?</p>')
    assert strip_reply(html_reply_text(html))[0] == "Gerne."


def test_html_earlier_blockquote_is_a_citation_of_the_sender():
    html = ("<p>Your terms say:</p><blockquote>Refunds within 30 days.</blockquote>"
            "<p>It has been 10 days.</p><div>On Tue, 3 Mar 2026, Dana wrote:</div>"
            "<blockquote>We cannot refund.</blockquote>")
    assert strip_reply(html_reply_text(html))[0] == (
        "Your terms say:\n\nRefunds within 30 days.\n\nIt has been 10 days.")


def test_html_body_all_in_one_blockquote_is_not_marked():
    assert html_reply_text("<blockquote>Hello <b>team</b></blockquote>") == "Hello team"


# ------------------------------------------------------------- data and properties
def test_word_lists_are_data():
    w = words()
    assert {"attribution", "headers", "separators", "signature", "footers", "html"} <= set(w)
    assert "Gesendet" in w["headers"]["date"] and "skrev" in w["attribution"]["verbs"]


LINES = [
    "Hi Dana,", "The router is back online.", "It is 12345.", "Thanks, Bo",
    "On Tue, 3 Mar 2026 at 10:02, Dana <dana@acme.com> wrote:", "> Please reset it.", ">",
    "Von: Dana <dana@acme.com>", "Gesendet: Dienstag", "An: Bo", "-----Original Message-----",
    "Kind regards,", "Bo Lind", "-Bo", "-- ", "Sent from my iPhone", "_" * 20,
    "acme mailing list", "www.acme.com", "+44 20 7946 0000", "", "Date: Tue, 3 Mar 2026",
    "reply On Wed, 4 Mar 2026 at 09:10, dana@acme.com wrote:",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=25))
def test_nothing_is_lost(lines):
    body = "\n".join(lines)
    k, removed = strip_reply(body)

    def alnum(s: str) -> Counter[str]:
        return Counter(c for c in s if c.isalnum())

    assert alnum(k) + alnum(removed) == alnum(body)


# ------------------------------------------------------------- what is not a quote or signature
@pytest.mark.parametrize("body", [
    "On Monday I wrote to you about the refund, here are the details:\n\nOrder 4471, 2 items.",
    "On Monday my colleague wrote:\n\nPlease refund the order.",
    "Hi,\n\nMy booking:\nFrom: London\nTo: Paris\nDate: 3 March\n\nCan I change it?",
    "Please check my order below.\n---\nOrder: 4471\nItem: Shoes\nSize: 42",
    "Where is my parcel?\n\nOrder number: 12345678\nTracking: www.dhl.com/track/abc",
    "Please ring me.\n\nCall me back after 5.\nbo.lind@example.org\n+44 20 7946 0000",
    "Ich habe eine Frage.\nVon meinem Konto wurde zweimal abgebucht.",
    "Here is the invoice.\n\nSent from my desk is much easier than from my mobile phone now",
])
def test_customer_text_that_looks_like_a_quote_or_signature_is_kept(body):
    assert kept(body) == body
