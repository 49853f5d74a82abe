"""PII redaction and entity detection (pipeline/guardrails): the text view, each recogniser on the
real presidio + spaCy engine, the word-level redaction and static entities."""

from __future__ import annotations

import pytest

from stenograph.pipeline import guardrails
from stenograph.pipeline.guardrails.analyzer import get_analyzer
from stenograph.pipeline.guardrails.textview import normalized_view, plain_view
from stenograph.pipeline.types import Word


def words_of(text: str) -> list[Word]:
    return [Word(token, i * 500, i * 500 + 400, 0.9) for i, token in enumerate(text.split())]


def found(text: str) -> list[tuple[str, str]]:
    return [(f.policy, text[f.start : f.end]) for f in get_analyzer().find(text)]


# --------------------------------------------------------------------------- text view


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("call five five five, one two three four now.", "call 5551234 now."),
        ("it is double seven oh three", "it is 7703"),
        ("5 5 5 1 2 3 4", "5551234"),
        ("my email is john dot smith at example dot com.", "my email is john.smith@example.com."),
        ("go to www dot example dot org please", "go to www.example.org please"),
        ("mail jane at example.com", "mail jane@example.com"),
        # "at" before a web address is where it is, not a mailbox
        ("the page is at www dot example dot org now", "the page is at www.example.org now"),
        ("it's at shop dot example dot com", "it's at shop.example.com"),
        # ordinary speech stays as it is
        ("I have one dog and two cats", "I have one dog and two cats"),
        ("we met at home, dot dot dot", "we met at home, dot dot dot"),
        ("oh one two", "oh one two"),
    ],
)
def test_spoken_forms_are_written_out(spoken: str, written: str) -> None:
    assert normalized_view(words_of(spoken)).text == written


def test_every_character_traces_back_to_its_word() -> None:
    words = words_of("call five five five, one two three four now.")
    view = normalized_view(words)
    start = view.text.index("5551234")
    assert view.words_between(start, start + 7) == [1, 2, 3, 4, 5, 6, 7]
    assert plain_view(words).words_between(0, 4) == [0]


# --------------------------------------------------------------------------- recognisers


@pytest.mark.parametrize(
    ("text", "policy", "value"),
    [
        ("My card is 4111 1111 1111 1111, thanks.", "credit_card_number", "4111 1111 1111 1111"),
        ("You can reach me on 415-555-0132 tomorrow.", "phone_number", "415-555-0132"),
        ("Please call me at 4155550132 after lunch.", "phone_number", "4155550132"),
        ("Write to jane.doe@example.com today.", "email_address", "jane.doe@example.com"),
        ("My social security number is 219-09-9999.", "us_social_security_number", "219-09-9999"),
        ("The server is at 192.168.10.24 now.", "ip_address", "192.168.10.24"),
        ("Go to www.stenograph.dev for more.", "url", "www.stenograph.dev"),
        ("The CVV is 839 on the back.", "credit_card_cvv", "839"),
        ("It expires 07/29 I think.", "credit_card_expiration", "07/29"),
        ("I was born on March 7, 1961 in a small town.", "date_of_birth", "March 7, 1961"),
        ("The account number is 10042992 on file.", "account_number", "10042992"),
        ("My passport number is X91280345 okay.", "passport_number", "X91280345"),
        ("The routing number is 021000021 for the bank.", "banking_information", "021000021"),
        ("He is 42 years old now.", "person_age", "42"),
        ("It cost $94.50 in the end.", "money_amount", "$94.50"),
        ("About 15 percent of them agreed.", "statistics", "15 percent"),
        ("The meeting is at 3:30 pm on Friday.", "time", "3:30 pm"),
        ("It took 8 months to finish.", "duration", "8 months"),
        ("Send me taxes-2012.pdf by email.", "filename", "taxes-2012.pdf"),
        ("My username is jsmith84 there.", "username", "jsmith84"),
        ("And my password is hunter2 too.", "password", "hunter2"),
        ("My blood type is O negative, doctor.", "blood_type", "O negative"),
        ("She takes ibuprofen every day.", "drug", "ibuprofen"),
        ("He was diagnosed with diabetes last year.", "medical_condition", "diabetes"),
        ("She had a colonoscopy last week.", "medical_process", "colonoscopy"),
        ("I sprained my ankle playing football.", "injury", "sprained my ankle"),
        ("I'm a Sagittarius, apparently.", "zodiac_sign", "Sagittarius"),
        ("My family is Buddhist.", "religion", "Buddhist"),
        ("He is married with two kids.", "marital_status", "married"),
        ("She works as a pharmacist in town.", "occupation", "pharmacist"),
        ("Hi, my name is John Smith and I called earlier.", "person_name", "John Smith"),
        ("She moved to Chicago after college.", "location", "Chicago"),
        ("He worked at Microsoft for a decade.", "organization", "Microsoft"),
        ("We met in 1984 at a party.", "date_interval", "1984"),
        ("Your order ships on December 18 this year.", "date", "December 18"),
    ],
)
def test_each_policy_has_a_recogniser(text: str, policy: str, value: str) -> None:
    assert (policy, value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "I have one dog and two cats.",
        "We talked about the weather for a while and then went home.",
        "The team finished the project ahead of schedule.",
        "Let me think about it and get back to you today.",
    ],
)
def test_ordinary_speech_holds_no_pii(text: str) -> None:
    assert found(text) == []


def test_context_decides_between_policies_matching_the_same_number() -> None:
    text = "The account number is 10042992 and the passport number is 912803456."
    assert ("account_number", "10042992") in found(text)
    assert ("passport_number", "912803456") in found(text)


def test_a_name_found_once_is_found_in_every_mention() -> None:
    assert found("My name is Diane Keller. Keller is my married name.").count(("person_name", "Keller")) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I set the password to Gr33nTea.", ("password", "Gr33nTea")),
        ("The passcode for the laptop is tiger77.", ("password", "tiger77")),
        ("Use maple-9 as the password.", ("password", "maple-9")),
        ("The gate code is 5180.", ("password", "5180")),
        ("My PIN number is 7302.", ("password", "7302")),
        ("My password is wrong again.", None),
        ("Can you reset my password?", None),
        ("I forgot my password again.", None),
        ("The pin on the map moved.", None),
    ],
)
def test_a_password_is_the_token_the_wording_gives_as_one(
    text: str, expected: tuple[str, str] | None
) -> None:
    passwords = [item for item in found(text) if item[0] == "password"]
    assert passwords == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Okay, Marisol said she would send it.", "Marisol"),
        ("Please tell Anneliese Vogt I called.", "Anneliese Vogt"),
        ("Can you put Tobias on the line?", "Tobias"),
        ("We're still waiting on Bettina to sign.", "Bettina"),
        ("Ngozi will call you after lunch.", "Ngozi"),
    ],
)
def test_a_name_the_model_misses_is_found_by_its_place_in_the_sentence(text: str, name: str) -> None:
    assert ("person_name", name) in found(text)


def test_a_title_is_not_part_of_the_name_nor_an_occupation() -> None:
    assert found("Doctor Okoro will call you tomorrow.") == [("person_name", "Okoro")]
    assert found("Professor Lindgren chairs the panel.") == [("person_name", "Lindgren")]


def test_a_word_after_a_determiner_is_a_thing_not_a_person() -> None:
    assert found("The Starter Kit ships today.") == []


def test_a_place_no_place_list_knows_is_an_organisation_where_spacy_guesses_a_place() -> None:
    assert found("I got a refund from Hulu.") == [("organization", "Hulu")]
    assert ("organization", "St. Luke's Hospital") in found("She was admitted to St. Luke's Hospital.")
    assert found("We drove to Cleveland on the weekend.") == [("location", "Cleveland")]


def test_a_name_written_lower_case_is_found() -> None:
    assert ("person_name", "oluwadamilare") in found("My name's oluwadamilare, I booked the room.")


def test_a_lower_case_name_ending_like_an_inflection_is_not_read_as_a_word() -> None:
    # "rania" is not "rani" plus a letter, "osei" not "os" plus two, but "met" is a word
    assert ("person_name", "Rania") in found("Sorry, Rania, could you repeat that?")
    assert ("person_name", "rania") in found("Sorry, rania, could you repeat that?")
    assert found("Have you met Maria yet?") == [("person_name", "Maria")]


def test_products_and_buttons_are_not_organisations_or_people() -> None:
    for text in (
        "My Xbox controller broke.",
        "Let's put it in the PowerPoint before Friday.",
        "Click Submit and then Confirm.",
        "Sure, I'll hit Save.",
        "We use Slack for most of it.",
    ):
        assert not [item for item in found(text) if item[0] in ("organization", "person_name")], text
    assert found("I work for Microsoft.") == [("organization", "Microsoft")]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Klaus, can you, uh, send me the slides after the meeting?", "Klaus"),  # addressed
        ("Thanks, Folasade, I'll see you at the meeting tomorrow.", "Folasade"),
        ("Aoife and Ciarán are driving up from Cork for the weekend.", "Aoife"),  # listed with someone
        # a surname after a given name
        ("Natalia Ivanova is the translator for the call.", "Natalia Ivanova"),
        ("Emeka's mum called, she said he won't be in today.", "Emeka"),  # before a relative
        ("So Arjun's going to take the first half and Lakshmi will do the demo.", "Lakshmi"),
        ("Alejandro Ruiz-Torres, I'm calling about my son's claim.", "Alejandro Ruiz-Torres"),
        ("then Moses was afraid and said surely that thing is known", "Moses"),  # a word too, mid-sentence
        ("Coach Tremblay's gotta start making some changes at the back.", "Tremblay"),  # after any title
        ("Who wrote this? Was it- was it you, Jade?", "Jade"),  # spoken to, closing the sentence
    ],
)
def test_a_name_is_found_by_its_wording_and_the_given_name_list(text: str, name: str) -> None:
    assert ("person_name", name) in found(text)


def test_a_name_before_a_company_noun_or_with_a_business_word_is_an_organisation() -> None:
    assert found("I put in a ticket with Dell support, um, three days ago.") == [("organization", "Dell")]
    pharmacy = "Mrs. Alvarez at Sunnybrook Pharmacy said it's ready."
    assert ("organization", "Sunnybrook Pharmacy") in found(pharmacy)
    assert ("person_name", "Allied Insurance") not in found("Hi, this is Allied Insurance, can you confirm?")


def test_a_known_place_the_model_takes_for_a_person_is_a_place() -> None:
    assert ("location", "Tbilisi") in found("Honestly, Tbilisi was the best trip we ever took.")
    assert ("location", "Kraków") in found("He moved from Kraków to Gdańsk last year.")
    assert ("person_name", "Thornton") in found("Mr. Thornton called again today.")
    # listed with a person, a known place stays one (Whisper's "I'm Sheila and Texas originally")
    assert ("location", "Texas") in found("I'm Sheila and Texas originally from Chicago.")


def test_titles_and_family_words_alone_name_no_one() -> None:
    assert found("Hi sweetie, it's Grandma, just to say Uncle Desmond's flight lands at six.") == [
        ("person_name", "Desmond")
    ]
    assert ("person_name", "Dr.") not in found("Dr. Oduya and Dr. Lindahl both recommended the surgery.")
    assert found("The Judge Advocate office called.") == []


def test_menus_and_document_acronyms_are_not_organisations() -> None:
    for text in ("Select Account Settings and scroll down to Billing.", "Wei and Li both signed the NDA."):
        assert not [item for item in found(text) if item[0] == "organization"], text


def test_an_organisation_the_model_misses_is_found_by_its_place_in_the_sentence() -> None:
    assert ("organization", "Quorvix") in found("I work for Quorvix in the legal team.")


def test_cards_programmes_and_listed_terms_are_not_names_or_organisations() -> None:
    for text in (
        "Pay with the Mastercard, it's fine.",
        "My Medicaid card came today.",
        "Use the Visa please.",
    ):
        assert not [item for item in found(text) if item[0] in ("organization", "person_name")], text
    assert found("Boston is lovely this time of year.") == [("location", "Boston")]


def test_a_specific_cue_outweighs_a_generic_one() -> None:
    assert ("healthcare_number", "QX-7712-09") in found("My insurance member ID is QX-7712-09.")
    assert ("account_number", "QX-7712-09") in found("My gym member ID is QX-7712-09.")


def test_eponymous_diseases_are_conditions_and_a_concussion_an_injury() -> None:
    assert ("medical_condition", "Hodgkin's disease") in found("She was treated for Hodgkin's disease.")
    assert ("injury", "concussion") in found("He got a concussion at practice.")


def test_ambiguous_terms_need_their_context() -> None:
    assert ("zodiac_sign", "Cancer") not in found("Cancer research gets more money every year.")
    assert ("zodiac_sign", "Leo") in found("My star sign is Leo.")


# --------------------------------------------------------------------------- redaction over words


def test_hash_replaces_each_character_and_keeps_punctuation_and_times() -> None:
    words = words_of("Hi, my name is John Smith.")
    result = guardrails.guard(words, guardrails.RedactionRequest(frozenset({"person_name"})), False)
    assert [w.text for w in result.words] == ["Hi,", "my", "name", "is", "####", "#####."]
    assert [(w.start, w.end) for w in result.words] == [(w.start, w.end) for w in words]
    # The audio to hide reaches back to the word before (its end) and on to the word after.
    assert [(r.start, r.end, r.policy) for r in result.redactions] == [(1900, 2900, "person_name")]


def test_entity_name_substitution() -> None:
    words = words_of("Call me at 415-555-0132, John.")
    request = guardrails.RedactionRequest(frozenset({"phone_number"}), substitution="entity_name")
    result = guardrails.guard(words, request, False)
    assert [w.text for w in result.words][3] == "[PHONE_NUMBER],"
    assert "John." in [w.text for w in result.words]  # person_name was not asked for


def test_spoken_number_redacts_every_word_it_spans() -> None:
    words = words_of("my card number is four one one one one one one one one one one one one one one one")
    result = guardrails.guard(words, guardrails.RedactionRequest(frozenset({"credit_card_number"})), False)
    assert [w.text for w in result.words[4:]] == ["####"] + ["###"] * 15
    assert result.redactions[0].start == words[3].end and result.redactions[0].end == words[-1].end


def test_static_entities_match_whole_words_case_insensitively_and_across_splits() -> None:
    words = words_of("We use Steno graph and stenograph daily, not stenographs.")
    request = guardrails.RedactionRequest(
        frozenset({"person_name"}), substitution="entity_name", static_entities={"product": ["Stenograph"]}
    )
    texts = [w.text for w in guardrails.guard(words, request, False).words]
    assert texts == [
        "We",
        "use",
        "[PRODUCT]",
        "[PRODUCT]",
        "and",
        "[PRODUCT]",
        "daily,",
        "not",
        "stenographs.",
    ]


def test_entity_detection_reports_type_text_and_times_in_order() -> None:
    words = words_of("This is Diane in New Jersey.")
    result = guardrails.guard(words, None, True)
    assert [(e.entity_type, e.text, e.start, e.end) for e in result.entities] == [
        ("person_name", "Diane", 1000, 1400),
        ("location", "New Jersey", 2000, 2900),
    ]
    assert [w.text for w in result.words] == [w.text for w in words]  # nothing redacted


def test_every_spec_policy_is_supported_or_refused_with_a_reason() -> None:
    assert set(guardrails.SUPPORTED_POLICIES) | set(guardrails.REFUSED_POLICIES) == set(
        guardrails.PII_POLICIES
    )
    assert len(guardrails.PII_POLICIES) == 44


def test_a_failure_inside_redaction_fails_the_transcription(
    shared_audio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never a transcript without the redaction asked for: the error reaches the job, which ends in
    ``error`` (tests/unit/jobs/test_runner.py)."""
    from stenograph.pipeline import transcribe
    from stenograph.pipeline.types import TranscribeOptions

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("recogniser failed")

    monkeypatch.setattr(guardrails, "guard", broken)
    options = TranscribeOptions(redact_pii=True, redact_policies=("nationality",))
    with pytest.raises(RuntimeError, match="recogniser failed"):
        transcribe(shared_audio / "jfk" / "jfk.wav", options)
