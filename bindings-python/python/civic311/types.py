"""Types of the dicts civic311 takes and gives, for type checkers and
editors: `from civic311.types import Routing`."""

import datetime
from typing import TYPE_CHECKING, Dict, List, Literal, Optional, Tuple, TypedDict, Union

if TYPE_CHECKING:
    from civic311._civic311 import Answer

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


class StoredEscalation(TypedDict):
    """Whom a stored request alerts, when, and when the monitor did."""

    to: str
    at: datetime.datetime
    escalated_datetime: Optional[datetime.datetime]


class Personal(TypedDict):
    """Who filed a request: kept apart from it, never in a public answer."""

    first_name: Optional[str]
    last_name: Optional[str]
    email: Optional[str]
    phone: Optional[str]
    device_id: Optional[str]
    account_id: Optional[str]


class Event(TypedDict):
    """One entry of a stored request's history."""

    n: int
    """Its place in the history, from 1."""
    at: datetime.datetime
    kind: str
    """submitted, routed, acknowledged, assigned, transferred,
    status_changed, note, escalated, sla_breached, referred,
    marked_duplicate, closed or reopened."""
    actor: str
    public: bool
    note: Optional[str]
    state: Optional[str]
    """The lifecycle state after it."""
    department: Optional[str]


class _StoredRequestBase(TypedDict):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: Optional[str]
    service_name: Optional[str]
    service_code: str
    description: Optional[str]
    agency_responsible: Optional[str]
    service_notice: Optional[str]
    requested_datetime: datetime.datetime
    updated_datetime: datetime.datetime
    expected_datetime: Optional[datetime.datetime]
    address: Optional[str]
    address_id: Optional[str]
    zipcode: Optional[str]
    lat: Optional[float]
    long: Optional[float]
    media_url: Optional[str]
    state: str
    """The lifecycle state: submitted, acknowledged, in_progress, on_hold, closed or reopened."""
    close_reason: Optional[str]
    acknowledged_datetime: Optional[datetime.datetime]
    closed_datetime: Optional[datetime.datetime]
    escalation: Optional[StoredEscalation]
    sla_breached_datetime: Optional[datetime.datetime]
    attributes: Dict[str, Union[str, List[str]]]
    channel: Optional[str]
    reporter: Literal["resident", "staff"]
    priority: Optional[Priority]
    jurisdiction: Optional[str]
    department: Optional[str]
    duplicate_of: Optional[str]
    referred_to: Optional[str]
    rule: Optional[str]
    sla: Optional[str]
    time_zone: str
    client_request_id: Optional[str]
    source: str
    """"submit" or "import"."""
    version: int
    """Give it back as `expected_version` so that a change made meanwhile is not overwritten."""


class StoredRequest(_StoredRequestBase, total=False):
    """A stored request as `Store.query` gives it; `Store.get` and
    `Store.update` add its `history` and `personal` data."""

    history: List[Event]
    personal: Optional[Personal]


class Submitted(TypedDict):
    """What `Store.submit` returns."""

    service_request_id: str
    created: bool
    """False when the client_request_id was seen before: nothing was stored."""
    routing: Routing
    duplicates: List[Dict[str, Union[str, float, List[str]]]]
    """Likely duplicates among the stored open requests: id, score, distance_m, reasons."""


class SweepReport(TypedDict):
    """What `Store.sweep` recorded."""

    escalated: List[Tuple[str, str]]
    """(request id, department alerted)."""
    breached: List[str]


class ImportReport(TypedDict):
    """What `Store.import_file` did."""

    rows: int
    imported: int
    already_stored: int
    problems: List[Problem]


class DepartmentCandidate(TypedDict):
    """A department that may know, with its share (0 to 1) of the evidence."""

    department: str
    score: float


class QuestionEscalation(TypedDict):
    """Whom to ask about a question no answer covers, why, and by when."""

    department: Optional[str]
    """None when no department is a likely fit: a call-taker decides."""
    department_name: Optional[str]
    service_code: Optional[str]
    """The category that named the department."""
    service_name: Optional[str]
    classifier_score: float
    candidates: List[DepartmentCandidate]
    """The likeliest departments, best first (at most 3)."""
    reason: str
    reply_within: str
    """The catalog's `[slas] inquiry`, else "2 business days"."""
    reply_by: Optional[datetime.datetime]


class Signals(TypedDict):
    """What a reply's confidence was computed from."""

    coverage: float
    top_score: float
    runner_up: float
    unknown: float
    words: int


class InquiryEvent(TypedDict):
    """One entry of an inquiry's history."""

    n: int
    at: datetime.datetime
    kind: Literal["asked", "note", "transferred", "replied"]
    actor: str
    public: bool
    note: Optional[str]
    department: Optional[str]


class Inquiry(TypedDict):
    """A question escalated to a department, waiting for (or closed by) its reply."""

    id: str
    question: str
    lang: Optional[str]
    open: bool
    asked_datetime: datetime.datetime
    updated_datetime: datetime.datetime
    reply_by: Optional[datetime.datetime]
    time_zone: str
    department: Optional[str]
    service_code: Optional[str]
    confidence: float
    reason: str
    channel: Optional[str]
    page: Optional[str]
    reply: Optional[str]
    replied_datetime: Optional[datetime.datetime]
    version: int
    history: List[InquiryEvent]


class Reply(TypedDict):
    """What `Engine.answer` returns."""

    answered: bool
    confidence: float
    """The chance (0 to 1) that one of the answers answers the question."""
    answers: List["Answer"]
    escalation: Optional[QuestionEscalation]
    emergency: Optional[str]
    """911's advice for a question that reads as an emergency."""
    signals: Signals


class Escalated(TypedDict):
    """What `Store.escalate` returns."""

    reply: Reply
    inquiry: Optional[Inquiry]
    """None when the question was answered, or is an emergency."""
