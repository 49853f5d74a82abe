"""The recognisers, as presidio recognisers: presidio's own (checksums, phone numbers, addresses),
spaCy's named entities, and ours for the policies presidio has none for. Every recogniser reports
under the AssemblyAI policy name it finds (presidio's own are mapped in ``PRESIDIO_POLICIES``).

Scores: a pattern that is PII on its own scores >= ``ACCEPT_SCORE``; a pattern that is PII only near
its context words ("cvv", "passport", ...) scores ``CONTEXT_ONLY_SCORE``, and the context enhancer
lifts it over the line when one of them is within a few words.
"""

from __future__ import annotations

from typing import Any

from stenograph.pipeline.guardrails import lexicons

ACCEPT_SCORE = 0.4
CONTEXT_ONLY_SCORE = 0.05

# presidio entity -> AssemblyAI policy
PRESIDIO_POLICIES = {
    "CREDIT_CARD": "credit_card_number",
    "US_SSN": "us_social_security_number",
    "PHONE_NUMBER": "phone_number",
    "EMAIL_ADDRESS": "email_address",
    "IP_ADDRESS": "ip_address",
    "URL": "url",
    "IBAN_CODE": "banking_information",
    "US_PASSPORT": "passport_number",
    "US_DRIVER_LICENSE": "drivers_license",
}
# spaCy label -> what it is found as (DATE and TIME are classified further in ``classify``)
SPACY_LABELS = {
    "PERSON": "person_name",
    "GPE": "location",
    "LOC": "location",
    "FAC": "location",
    "ORG": "organization",
    "NORP": "NORP",
    "EVENT": "event",
    "LANGUAGE": "language",
    "DATE": "DATE",
    "TIME": "TIME",
    "MONEY": "money_amount",
}

# letters, digits and dashes with four digits at least ("10042992", "HZ-5235-001")
_NUMBERISH = r"(?=(?:[A-Z-]*\d){4})[A-Z0-9](?:[A-Z0-9-]*[A-Z0-9])?"
_AFTER_CUE = r"\b(?:\s(?:is|was|are|:|number|no\.?|#))*\s?[:#]?\s?"
_NOT_A_CUE = r"(?!(?:is|was|are|number|no)\b)"

_BODY_PARTS = (
    r"(?:arm|arms|leg|legs|wrist|ankle|knee|hip|hand|foot|feet|finger|toe|elbow|shoulder|back|neck|rib|ribs|"
    r"nose|jaw|collarbone|skull|spine|hamstring|acl|meniscus|tendon|ligament|achilles|pelvis|thumb)\b"
)

# (policy, [(pattern name, regex, score)], context words)
PATTERNS: list[tuple[str, list[tuple[str, str, float]], list[str]]] = [
    (
        "phone_number",
        [
            ("nanp", r"(?<![\w-])(?:\+?1[-.\s]?)?(?:\(\d{3}\)\s?|\d{3}[-.\s])\d{3}[-.\s]\d{4}\b", 0.5),
            ("international", r"(?<![\w-])\+\d{1,3}[\s-]?\d(?:[\s-]?\d){6,13}\b", 0.5),
            ("digits", r"\b(?:\d{10,11}|\d{3}[-.\s]?\d{4})\b", CONTEXT_ONLY_SCORE),
            # spaCy counts "call" as a stop word, which the context enhancer skips: the cue is in the pattern.
            (
                "after call",
                r"(?<=\b(?:call|ring|reach)\b[^.?!]{0,24}?)\b(?:\d{10,11}|\d{3}[-.\s]?\d{4})\b",
                0.5,
            ),
        ],
        ["phone", "call", "cell", "mobile", "reach", "text", "fax", "dial", "telephone", "extension"],
    ),
    (
        "credit_card_cvv",
        [("cvv", r"\b\d{3,4}\b", CONTEXT_ONLY_SCORE)],
        ["cvv", "cvc", "cvv2", "security", "verification", "csc"],
    ),
    (
        "credit_card_expiration",
        [
            ("mm/yy", r"\b(?:0?[1-9]|1[0-2])\s?/\s?(?:\d{2}|20\d{2})\b", 0.2),
            (
                "month year",
                r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
                r"sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\s(?:of\s)?20\d{2}\b",
                CONTEXT_ONLY_SCORE,
            ),
        ],
        ["expire", "expires", "expiry", "expiration", "exp", "valid", "thru", "through", "expiring"],
    ),
    (
        "us_social_security_number",
        [
            ("ssn", r"\b\d{3}[- ]?\d{2}[- ]?\d{4}\b", CONTEXT_ONLY_SCORE),
        ],
        ["social", "security", "ssn", "ss"],
    ),
    (
        "account_number",
        [("account", rf"\b{_NUMBERISH}\b", CONTEXT_ONLY_SCORE)],
        ["account", "acct", "member", "membership", "policy", "customer"],
    ),
    (
        "healthcare_number",
        [("health id", rf"\b{_NUMBERISH}\b", CONTEXT_ONLY_SCORE)],
        ["insurance", "medicare", "medicaid", "beneficiary", "nhs", "health", "insurer"],
    ),
    (
        "banking_information",
        [("routing", r"\b\d[\d-]{5,20}\d\b", CONTEXT_ONLY_SCORE)],
        ["routing", "bank", "checking", "savings", "iban", "sort", "swift", "aba"],
    ),
    ("passport_number", [("passport", r"\b[A-Z]{0,2}\d{6,9}[A-Z]?\b", CONTEXT_ONLY_SCORE)], ["passport"]),
    (
        "drivers_license",
        [("license", rf"\b{_NUMBERISH}\b", CONTEXT_ONLY_SCORE)],
        ["driver", "drivers", "driver's", "licence", "license", "dl"],
    ),
    (
        "vehicle_id",
        [
            ("vin", r"\b[A-HJ-NPR-Z0-9]{17}\b", CONTEXT_ONLY_SCORE),
            ("plate", r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9-]{4,8}\b", CONTEXT_ONLY_SCORE),
        ],
        ["vin", "vehicle", "plate", "registration", "chassis", "car"],
    ),
    (
        "blood_type",
        [
            (
                "group",
                r"\b(?:AB|A|B|O)(?:\s?(?:positive|negative|pos|neg)\b|[+-](?![\w+-]))",
                CONTEXT_ONLY_SCORE,
            )
        ],
        ["blood", "donor", "type", "group", "transfusion"],
    ),
    (
        "injury",
        [
            (
                "hurt body part",
                rf"\b(?:broke|broken|fractured|sprained|twisted|dislocated|tore|torn|pulled|"
                rf"bruised|injured|hurt|cracked|strained|busted)\s(?:my|his|her|their|your|a|the)?\s?"
                rf"{_BODY_PARTS}",
                0.6,
            )
        ],
        [],
    ),
    (
        "occupation",
        [
            (
                "compound",
                r"\b(?:software|data|civil|mechanical|electrical|sales|marketing|project|product|"
                r"office|"
                r"construction|truck|bus|taxi|delivery|security|social|dental|medical|research|lab|"
                r"customer\sservice)\s(?:engineer|developer|scientist|analyst|manager|designer|driver|worker|"
                r"assistant|clerk|guard|hygienist|technician|representative|rep)s?\b",
                0.6,
            )
        ],
        [],
    ),
    (
        "person_age",
        [
            ("years old", r"\b\d{1,3}(?=(?:\s|-)years?(?:\s|-)old\b)", 0.6),
            ("age n", r"(?<=\b(?:age|aged|ages)\s)\d{1,3}\b", 0.6),
            ("n-year-old", r"\b\d{1,3}(?=-year-old\b)", 0.6),
        ],
        [],
    ),
    (
        "money_amount",
        [
            (
                "symbol",
                r"[$\u00a3\u20ac\u00a5]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|thousand|k|m|bn))?\b",
                0.6,
            ),
            (
                "unit",
                r"\b\d[\d,]*(?:\.\d+)?\s(?:million\s|billion\s|thousand\s)?(?:dollars?|bucks|euros?|pounds?|cents?|"
                r"pesos?|yen|rupees?|francs?|yuan|won|rubles?)\b",
                0.6,
            ),
        ],
        [],
    ),
    ("statistics", [("percent", r"\b\d+(?:\.\d+)?\s?(?:%|percent\b|per\scent\b)", 0.6)], []),
    (
        "time",
        [
            (
                "clock",
                r"\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s?(?:[ap]\.?m\.?))?(?:\s(?:[A-Z]{2,4}T))?",
                0.6,
            ),
            ("am pm", r"\b(?:1[0-2]|0?[1-9])\s?(?:[ap]\.m\.|[ap]m\b)(?:\s(?:[A-Z]{2,4}T))?", 0.6),
            (
                "o'clock",
                r"\b(?:1[0-2]|0?[1-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
                r"\so'clock\b",
                0.6,
            ),
        ],
        [],
    ),
    (
        "duration",
        [
            (
                "n units",
                r"\b\d+(?:\.\d+)?\s(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?)\b"
                r"(?!\s(?:old|ago|later|earlier|before|after|from))",
                0.5,
            ),
        ],
        [],
    ),
    (
        "date",
        [
            ("numeric", r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{2}-\d{2})\b", 0.6),
        ],
        [],
    ),
    (
        "date_interval",
        [
            ("range", r"\b(?:19|20)\d{2}\s?(?:-|\u2013|to)\s?(?:19|20)?\d{2}\b", 0.6),
            ("decade", r"\b(?:(?:19|20)\d0s|'?[2-9]0s)\b", 0.6),
        ],
        [],
    ),
    (
        "filename",
        [
            (
                "file",
                r"(?<![@\w])[\w\-/\\]+\.(?:pdf|docx?|xlsx?|pptx?|txt|csv|jpe?g|png|gif|zip|tar|gz|mp3|mp4|wav|"
                r"json|xml|py|js|exe|html?|md|mov|avi|log|sql|key|pem)\b",
                0.6,
            ),
        ],
        [],
    ),
    (
        "username",
        [
            ("handle", r"(?<![\w.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?\b(?!\.\w)", 0.6),
            (
                "after cue",
                rf"(?<=\b(?:username|user\sname|user\sid|handle|login|screen\sname){_AFTER_CUE}){_NOT_A_CUE}[\w.@-]+",
                0.6,
            ),
        ],
        [],
    ),
    (
        "password",
        [
            (
                "after cue",
                rf"(?<=\b(?:password|passcode|passphrase|pin|pin\scode|pin\snumber){_AFTER_CUE}){_NOT_A_CUE}\S+",
                0.6,
            ),
        ],
        [],
    ),
    (
        "number_sequence",
        [
            ("digits", r"\b(?=[A-Z0-9-]*\d{3})[A-Z0-9](?:[A-Z0-9-]*[A-Z0-9])?\b", 0.4),
        ],
        [],
    ),
]


# policy -> its context words, for telling apart two policies that match the same characters.
CUES: dict[str, tuple[str, ...]] = {policy: tuple(context) for policy, _, context in PATTERNS if context}


def build_recognizers() -> list[Any]:
    """Every recogniser, for one presidio RecognizerRegistry (imports presidio: call lazily)."""
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        UrlRecognizer,
        UsLicenseRecognizer,
        UsPassportRecognizer,
        UsSsnRecognizer,
    )

    recognizers: list[Any] = [
        CreditCardRecognizer(),
        UsSsnRecognizer(),
        PhoneRecognizer(supported_regions=("US", "GB", "CA", "AU", "DE", "FR", "IN", "IE", "NZ")),
        _offline_email_recognizer(),
        IpRecognizer(),
        UrlRecognizer(),
        IbanRecognizer(),
        UsPassportRecognizer(),
        UsLicenseRecognizer(),
    ]
    for policy, patterns, context in PATTERNS:
        recognizers.append(
            PatternRecognizer(
                supported_entity=policy,
                name=f"stenograph {policy}",
                patterns=[Pattern(name, regex, score) for name, regex, score in patterns],
                context=context,
            )
        )
    for policy, terms in lexicons.LEXICONS.items():
        ambiguous, cues = lexicons.CONTEXT_ONLY.get(policy, ((), ()))
        ambiguous_lower = {term.lower() for term in ambiguous}
        plain = [term for term in terms if term.lower() not in ambiguous_lower]
        if plain:
            recognizers.append(
                PatternRecognizer(
                    supported_entity=policy,
                    name=f"stenograph {policy} list",
                    deny_list=plain,
                    deny_list_score=0.6,
                )
            )
        if ambiguous:
            recognizers.append(
                PatternRecognizer(
                    supported_entity=policy,
                    name=f"stenograph {policy} list in context",
                    deny_list=list(ambiguous),
                    deny_list_score=CONTEXT_ONLY_SCORE,
                    context=list(cues),
                )
            )
    return recognizers


def _offline_email_recognizer() -> Any:
    """presidio's e-mail recogniser checks the domain with tldextract, whose default fetches the
    public suffix list from the internet: here it reads only the snapshot packaged with tldextract."""
    import tldextract
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return bool(extract(pattern_text).fqdn)

    return OfflineEmailRecognizer()
