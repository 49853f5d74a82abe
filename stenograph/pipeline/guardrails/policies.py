"""AssemblyAI's PII policies (the spec's ``PiiPolicy``; ``EntityType`` has the same values) and the
ones this server refuses because no detector here reaches acceptable precision."""

from __future__ import annotations

PII_POLICIES: tuple[str, ...] = (
    "account_number",
    "banking_information",
    "blood_type",
    "credit_card_cvv",
    "credit_card_expiration",
    "credit_card_number",
    "date",
    "date_interval",
    "date_of_birth",
    "drivers_license",
    "drug",
    "duration",
    "email_address",
    "event",
    "filename",
    "gender_sexuality",
    "healthcare_number",
    "injury",
    "ip_address",
    "language",
    "location",
    "marital_status",
    "medical_condition",
    "medical_process",
    "money_amount",
    "nationality",
    "number_sequence",
    "occupation",
    "organization",
    "passport_number",
    "password",
    "person_age",
    "person_name",
    "phone_number",
    "physical_attribute",
    "political_affiliation",
    "religion",
    "statistics",
    "time",
    "url",
    "us_social_security_number",
    "username",
    "vehicle_id",
    "zodiac_sign",
)

# Policies refused with a 400 naming them: no detector here finds them with acceptable precision.
REFUSED_POLICIES: dict[str, str] = {
    "physical_attribute": "descriptions of bodies ('black hair') need a model this server does not ship",
}

SUPPORTED_POLICIES: tuple[str, ...] = tuple(p for p in PII_POLICIES if p not in REFUSED_POLICIES)


def entity_label(policy: str) -> str:
    """The ``entity_name`` substitution: ``[PERSON_NAME]``."""
    return f"[{policy.upper()}]"
