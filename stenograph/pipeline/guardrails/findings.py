"""A finding of PII in a text, and how overlapping findings are resolved."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    start: int  # character offsets in the analysed text
    end: int
    policy: str
    score: float


# When two findings overlap, the one whose policy comes first here wins (then the longer one):
# validated and specific forms before generic ones, named entities before word lists.
PRECEDENCE = (
    "email_address", "credit_card_number", "us_social_security_number", "ip_address", "filename", "url",
    "phone_number", "credit_card_cvv", "credit_card_expiration", "date_of_birth", "banking_information",
    "healthcare_number", "passport_number", "drivers_license", "vehicle_id", "account_number",
    "username", "password", "person_age", "money_amount", "statistics", "time", "duration",
    "date", "date_interval", "blood_type", "zodiac_sign", "drug", "medical_condition", "medical_process",
    "injury", "religion", "political_affiliation", "language", "person_name", "organization", "location",
    "event", "nationality", "marital_status", "gender_sexuality", "occupation", "number_sequence",
)  # fmt: skip
_RANK = {policy: rank for rank, policy in enumerate(PRECEDENCE)}


def resolve(found: list[Finding]) -> list[Finding]:
    """Non-overlapping findings: by policy precedence, then the longer, then the surer."""
    ordered = sorted(
        found, key=lambda f: (_RANK.get(f.policy, len(_RANK)), -(f.end - f.start), -f.score, f.start)
    )
    kept: list[Finding] = []
    for candidate in ordered:
        if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda f: f.start)
