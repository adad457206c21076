"""Types of the dicts civic311 takes and gives, for type checkers and
editors: `from civic311.types import Routing`."""

import datetime
from typing import Dict, List, Literal, Optional, TypedDict, Union

AnswerKind = Literal["article", "service", "facility"]
"""What an answer is."""

TriageKind = Literal["emergency", "report", "question"]
"""What a text is: danger now (call 911), a problem to file, or a question."""

Priority = Literal["emergency", "urgent", "high", "normal", "low"]
"""A routing's priority, most urgent first."""


class Problem(TypedDict):
    """One problem of a catalog (`CatalogError.problems`)."""

    file: str
    line: Optional[int]
    field: str
    message: str


class Open311ErrorEntry(TypedDict):
    """One entry of an Open311 error array (`ValidationError.errors`)."""

    code: int
    description: str


class HoursDict(TypedDict):
    """`FacilityHours.to_dict()`."""

    open_now: bool
    status: str
    day: str


class AnswerDict(TypedDict):
    """`Answer.to_dict()`."""

    id: str
    kind: AnswerKind
    title: str
    snippet: str
    url: Optional[str]
    score: float
    lang: Optional[str]
    department: Optional[str]
    service_code: Optional[str]
    hours: Optional[HoursDict]


class CompletionDict(TypedDict):
    """`Completion.to_dict()`."""

    text: str
    kind: AnswerKind
    id: str
    score: float


class SuggestionDict(TypedDict):
    """`Suggestion.to_dict()`."""

    service_code: str
    service_name: Optional[str]
    department: Optional[str]
    score: float


class TriageDict(TypedDict):
    """`Triage.to_dict()`."""

    kind: TriageKind
    possible_emergency: bool
    emergency_probability: float
    advice: Optional[str]
    reasons: List[str]
    suggestions: List[SuggestionDict]
    answers: List[AnswerDict]


class Escalation(TypedDict):
    """Whom a routing alerts, and when, if the request is still open."""

    to: str
    at: datetime.datetime


class Referral(TypedDict):
    """Whom the resident should contact instead, when a request is not taken here."""

    jurisdiction: str
    name: str
    phone: Optional[str]
    email: Optional[str]
    url: Optional[str]
    message: str


class Routing(TypedDict):
    """What `Engine.route` returns: who delivers, how urgent, by when, and why."""

    service_code: str
    jurisdiction: str
    """The jurisdiction that delivers (or that the resident is referred to)."""
    department: Optional[str]
    """The delivering department; None for a referral to a jurisdiction without one."""
    priority: Priority
    requested_datetime: datetime.datetime
    """When the request was made: its requested_datetime, else now."""
    expected_datetime: Optional[datetime.datetime]
    """The service level's deadline, at the delivering calendar's UTC offset."""
    sla: Optional[str]
    """The service level, such as "3 business days"."""
    escalation: Optional[Escalation]
    referral: Optional[Referral]
    notices: List[str]
    """Texts for the resident."""
    rule: str
    """The id of the rule that decided, "default" or "referral"."""
    trace: List[str]
    """Why, in words: each earlier rule that concerns the service and why it
    did not apply, then why the deciding one did."""


class Request(TypedDict, total=False):
    """A request for `Engine.route` and `validate_request`: Open311 field
    names, with civic311's `channel`, `reporter` and `requested_datetime`.
    Attributes go under "attribute" (or as "attribute[CODE]" keys)."""

    service_code: str
    lat: float
    long: float
    address_string: str
    address_id: str
    email: str
    device_id: str
    account_id: str
    first_name: str
    last_name: str
    phone: str
    description: str
    media_url: str
    attribute: Dict[str, Union[str, List[str]]]
    jurisdiction_id: str
    channel: str
    reporter: Literal["resident", "staff"]
    requested_datetime: Union[datetime.datetime, str]
