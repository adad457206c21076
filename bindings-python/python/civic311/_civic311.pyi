"""Type stubs of the civic311 extension module."""

import datetime
import os
from typing import Any, Dict, Iterable, List, Literal, Optional, Tuple, Union, final

from civic311.types import (
    AnswerDict,
    AnswerKind,
    CompletionDict,
    Escalation,
    HoursDict,
    Inquiry,
    QuestionEscalation,
    Reply,
    Escalated,
    Signals,
    Open311ErrorEntry,
    Priority,
    Problem,
    Referral,
    ImportReport,
    Request,
    Routing,
    StoredRequest,
    Submitted,
    SweepReport,
    SuggestionDict,
    TriageDict,
    TriageKind,

)

__version__: str
__all__ = [
    "Answer",
    "BundleError",
    "Catalog",
    "CatalogError",
    "Civic311Error",
    "Civic311IOError",
    "Classifier",
    "Completion",
    "Encoder",
    "Engine",
    "FacilityHours",
    "FormatError",
    "LifecycleError",
    "ModelError",
    "QueryError",
    "RoutingError",
    "ConflictError",
    "NotFoundError",
    "Store",
    "StoreError",
    "Suggestion",
    "Triage",
    "ValidationError",
    "__version__",
    "open311_service_definition",
    "open311_services_json",
    "open311_services_xml",
    "validate_request",
]

_Path = Union[str, "os.PathLike[str]"]
_Instant = Union[datetime.datetime, str]

class Civic311Error(Exception):
    """Base class of every error civic311 raises."""

    kind: str
    problems: List[Problem]
    errors: List[Open311ErrorEntry]

class CatalogError(Civic311Error):
    """A catalog has problems; `.problems` lists each one."""

class FormatError(Civic311Error):
    """Open311 JSON or XML, or a request, could not be read."""

class ValidationError(Civic311Error):
    """A request breaks its service definition; `.errors` is the Open311 error array."""

class LifecycleError(Civic311Error):
    """A service request cannot make that lifecycle transition."""

class BundleError(Civic311Error):
    """A bundle is truncated, altered or of another format version."""

class ModelError(Civic311Error):
    """A trained model cannot be read or does not fit."""

class QueryError(Civic311Error):
    """Options of a search or classification cannot be honoured."""

class RoutingError(Civic311Error):
    """No rule, jurisdiction or department can take a request."""

class Civic311IOError(Civic311Error):
    """Reading or writing a file failed."""

class StoreError(Civic311Error):
    """A request store cannot be used: missing, foreign, damaged, of a newer schema, or its database failed."""

class ConflictError(Civic311Error):
    """A change was made against a stale version of a request, or an id is taken."""

class NotFoundError(Civic311Error):
    """No stored record has that id."""

@final
class Catalog:
    """A validated catalog: jurisdictions, departments, service categories,
    articles, facilities, calendars and boundaries."""

    @staticmethod
    def load(path: _Path) -> "Catalog":
        """Loads and validates a catalog folder; raises `CatalogError` listing every problem."""
    @staticmethod
    def riverton() -> "Catalog":
        """The Riverton catalog compiled into the library."""
    @property
    def name(self) -> str:
        """The catalog's name."""
    @property
    def languages(self) -> List[str]:
        """Languages articles may be written in; the first is the default."""
    def counts(self) -> Dict[str, int]:
        """How many of each thing the catalog holds."""
    def service_codes(self) -> List[str]:
        """The service codes, in catalog order."""
    def service(self, code: str) -> Optional[Dict[str, Any]]:
        """One service category as a dict, or None for an unknown code."""

def open311_services_json(catalog: Optional[Catalog] = None) -> str:
    """The Open311 services list of a catalog (Riverton's by default), as JSON."""

def open311_services_xml(catalog: Optional[Catalog] = None) -> str:
    """The Open311 services list of a catalog (Riverton's by default), as XML."""

def open311_service_definition(
    service_code: str, catalog: Optional[Catalog] = None, format: Literal["json", "xml"] = "json"
) -> str:
    """One service's Open311 definition (its attributes), as JSON or XML."""

def validate_request(request: Request, catalog: Optional[Catalog] = None) -> None:
    """Checks a submitted request (a dict with Open311 field names, attributes
    under "attribute") against its service definition. Raises
    `ValidationError`, whose `.errors` is the Open311 error array."""

@final
class FacilityHours:
    """A facility's opening status, with the words to show."""

    @property
    def open_now(self) -> bool:
        """Whether it is open at the instant of the search."""
    @property
    def status(self) -> str:
        """"Open now, closes at 6 pm" or "Closed now, opens Monday at 9 am"."""
    @property
    def day(self) -> str:
        """The hours of the day asked about (or today), such as "Sunday: 1 pm to 5 pm"."""
    def to_dict(self) -> HoursDict:
        """The hours as a dict."""

@final
class Answer:
    """One answer to a question: a knowledge article, a service category to
    report, or a facility with its hours."""

    @property
    def id(self) -> str:
        """The article id, service code or facility id."""
    @property
    def kind(self) -> AnswerKind:
        """"article", "service" or "facility"."""
    @property
    def title(self) -> str:
        """The article's, service's or facility's title."""
    @property
    def snippet(self) -> str:
        """HTML: the best passage with matched words in `<mark>`, every other
        character escaped. Safe to insert into a page."""
    @property
    def url(self) -> Optional[str]:
        """The page to link to, when the catalog gives one."""
    @property
    def score(self) -> float:
        """Relevance: higher is better; comparable within one search only."""
    @property
    def lang(self) -> Optional[str]:
        """The language of an article; None for services and facilities."""
    @property
    def department(self) -> Optional[str]:
        """The department the answer belongs to."""
    @property
    def service_code(self) -> Optional[str]:
        """The service to report: the service itself, or the one an article explains."""
    @property
    def hours(self) -> Optional[FacilityHours]:
        """For facilities: open or closed now, and the hours of the day asked about."""
    def to_dict(self) -> AnswerDict:
        """The answer as a dict of plain values (JSON-ready)."""

@final
class Completion:
    """One completion of what a resident is typing."""

    @property
    def text(self) -> str:
        """The phrase to show and to search for."""
    @property
    def kind(self) -> AnswerKind:
        """The kind of answer it comes from: "article", "service" or "facility"."""
    @property
    def id(self) -> str:
        """The id of the answer it comes from."""
    @property
    def score(self) -> float:
        """Higher is better; 1.0 for the best of the list."""
    def to_dict(self) -> CompletionDict:
        """The completion as a dict."""

@final
class Suggestion:
    """A category suggested for a text."""

    @property
    def service_code(self) -> str:
        """The service code (or, for a model trained on another taxonomy, its label)."""
    @property
    def service_name(self) -> Optional[str]:
        """The service's name, when the catalog knows the code."""
    @property
    def department(self) -> Optional[str]:
        """The department that delivers it, when the catalog knows the code."""
    @property
    def score(self) -> float:
        """The probability of this category; over all categories they sum to 1."""
    def to_dict(self) -> SuggestionDict:
        """The suggestion as a dict."""

@final
class Triage:
    """Whether a text is an emergency for 911, a report to file (with its
    likely categories) or a question to answer (with answers)."""

    @property
    def kind(self) -> TriageKind:
        """"emergency", "report" or "question"."""
    @property
    def possible_emergency(self) -> bool:
        """For a report or question that mentions danger without reading as an
        emergency now: ask the resident whether anyone is in danger right now
        before filing it. Always False for an emergency."""
    @property
    def emergency_probability(self) -> float:
        """The learned detector's probability (0 to 1) that the text describes
        an emergency now, whatever the rules found."""
    @property
    def advice(self) -> Optional[str]:
        """What to tell the resident: for an emergency, "Call 911 now ..."; for
        a possible emergency, to call 911 if anyone is in danger right now."""
    @property
    def reasons(self) -> List[str]:
        """The cues found, such as "gas smell", and why they were tempered."""
    @property
    def suggestions(self) -> List[Suggestion]:
        """The most likely categories."""
    @property
    def answers(self) -> List[Answer]:
        """Answers from the knowledge base (for questions)."""
    def to_dict(self) -> TriageDict:
        """The triage as a dict, with suggestions and answers as dicts."""

    service_code: str
    jurisdiction: str
    department: Optional[str]
    priority: Literal["emergency", "urgent", "high", "normal", "low"]
    requested_datetime: datetime.datetime
    expected_datetime: Optional[datetime.datetime]
    sla: Optional[str]
    escalation: Optional[Escalation]
    referral: Optional[Referral]
    notices: List[str]
    rule: str
    trace: List[str]

@final
class Classifier:
    """A text classifier trained on labelled rows, such as a city's request
    history: labels with calibrated probabilities for any text."""

    @staticmethod
    def train(
        texts: Iterable[str],
        labels: Iterable[str],
        *,
        seed: Optional[int] = None,
        epochs: Optional[int] = None,
        max_updates: Optional[int] = None,
        l2: Optional[float] = None,
        learning_rate: Optional[float] = None,
        class_balance: Optional[float] = None,
        calibrate: Optional[bool] = None,
    ) -> "Classifier":
        """Trains on `texts` and their `labels` (same length; at least two
        distinct labels). Options left as None keep civic311's defaults:
        seed 311, 12 epochs but at most max_updates 250,000 row updates (one
        pass at least), l2 1e-3, learning_rate 0.07, class_balance 1.0
        (scikit-learn's "balanced"; 0 weighs every row alike), calibrate True.
        The same rows and seed give the same model."""
    @property
    def labels(self) -> List[str]:
        """The labels the model knows, sorted."""
    @property
    def temperature(self) -> float:
        """The calibration temperature (logits are divided by it)."""
    def predict(self, texts: Iterable[str]) -> List[str]:
        """The most likely label of each text (with the GIL released; 512
        texts or more are shared among the machine's cores)."""
    def predict_top(self, texts: Iterable[str], k: int = 3) -> List[List[Tuple[str, float]]]:
        """The `k` most likely labels of each text, with their probabilities
        (with the GIL released; 512 texts or more are shared among the
        machine's cores)."""
    def to_bytes(self) -> bytes:
        """The model as bytes (what `save` writes)."""
    @staticmethod
    def from_bytes(data: bytes) -> "Classifier":
        """A model from bytes written by `to_bytes` or `save`; raises `ModelError`
        for anything else."""
    def save(self, path: _Path) -> None:
        """Writes the model to a file (the format `civic311 train` writes)."""
    @staticmethod
    def load(path: _Path) -> "Classifier":
        """Reads a model file written by `save` or `civic311 train`."""
    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]: ...

@final
class Encoder:
    """A sentence encoder (all-MiniLM-L6-v2 and other BERT sentence models in
    the sentence-transformers layout), run natively. Load it once and give
    it to engines (`Engine.default(encoder=...)`); `encode` releases the GIL."""

    @staticmethod
    def load(path: _Path) -> "Encoder":
        """Loads the encoder in a folder holding `config.json`,
        `tokenizer.json` and `model.safetensors` (or whose `model/` folder
        does): `scripts/fetch-encoder.sh DIR` makes one. Raises `ModelError`
        naming the file that is missing or does not fit."""
    def encode(self, text: str) -> List[float]:
        """The text's unit-length vector (a list of `dim` floats)."""
    @property
    def dim(self) -> int:
        """The length of the vectors."""
    @property
    def name(self) -> str:
        """The folder name it was loaded from."""

@final
class Engine:
    """A catalog with its answer index, classifier and router, ready to answer,
    classify and route. Immutable and safe to share between threads; the GIL
    is released while it searches, classifies and loads."""

    @staticmethod
    def default(classifier: Optional[Classifier] = None, encoder: Union[Encoder, _Path, None] = None) -> "Engine":
        """The engine of the Riverton catalog compiled into the library.
        `classifier`, a model trained on the city's history, replaces the
        zero-shot one in `classify` and `triage`.

        `encoder` (an `Encoder`, or its folder's path) makes searches
        hybrid: by meaning as well as words."""
    @staticmethod
    def build(
        catalog: Catalog, classifier: Optional[Classifier] = None, encoder: Union[Encoder, _Path, None] = None
    ) -> "Engine":
        """Builds the engine of a loaded catalog (indexes every article,
        service and facility)."""
    @staticmethod
    def from_dir(
        path: _Path, classifier: Optional[Classifier] = None, encoder: Union[Encoder, _Path, None] = None
    ) -> "Engine":
        """Loads, validates and indexes a catalog folder; raises `CatalogError`
        listing every problem."""
    @staticmethod
    def from_bundle(data: bytes, encoder: Union[Encoder, _Path, None] = None) -> "Engine":
        """Loads an engine from bundle bytes (`to_bundle`, `civic311 bundle`),
        with no re-indexing. A truncated or altered bundle raises `BundleError`.
        With `encoder`, searches are hybrid (the answers' vectors in the
        bundle are used when that encoder made them)."""
    @staticmethod
    def load_bundle(path: _Path, encoder: Union[Encoder, _Path, None] = None) -> "Engine":
        """Loads an engine from a bundle file (`encoder` as in `from_bundle`)."""
    @property
    def is_hybrid(self) -> bool:
        """Whether searches rank by meaning as well as words (an encoder is attached)."""
    def to_bundle(self) -> bytes:
        """The engine as bundle bytes: the catalog's files, the index, and the
        attached classifier."""
    def save_bundle(self, path: _Path) -> None:
        """Writes the bundle to a file (atomically: a reader never sees half of it)."""
    @property
    def catalog(self) -> Catalog:
        """The catalog the engine answers from."""
    @property
    def classifier(self) -> Optional[Classifier]:
        """The attached trained classifier, or None when `classify` uses the
        zero-shot model trained from the catalog."""
    @property
    def answer_count(self) -> int:
        """How many answers (articles, services, facilities) it searches."""
    def search(
        self,
        query: str,
        limit: int = 5,
        lang: Optional[str] = None,
        kinds: Optional[List[AnswerKind]] = None,
        department: Optional[str] = None,
        now: Optional[_Instant] = None,
    ) -> List[Answer]:
        """Answers a resident's question, best first. No query string is an
        error; options that cannot be honoured raise `QueryError`."""
    def answer(
        self,
        question: str,
        limit: int = 3,
        lang: Optional[str] = None,
        min_confidence: float = 0.5,
        now: Optional[_Instant] = None,
    ) -> Reply:
        """Answers a question, or names the department to ask: `answered`,
        `confidence` (0 to 1), `answers`, `escalation`, `emergency`, `signals`."""
    def question_key(self, question: str) -> str:
        """What a question asks, as a key that groups its wordings."""
    def departments_for(self, question: str, limit: int = 3) -> List[Tuple[str, float]]:
        """The departments most likely to know about a question, best first,
        as (department id, share) pairs."""
    def suggest(self, prefix: str, limit: int = 5) -> List[Completion]:
        """Completions of what a resident is typing, best first."""
    def classify(self, text: str, limit: int = 3) -> List[Suggestion]:
        """The `limit` most likely categories of a resident's text, with
        probabilities (over all categories they sum to 1)."""
    def classify_batch(self, texts: Iterable[str], limit: int = 3) -> List[List[Suggestion]]:
        """`classify` for many texts (any iterable of str, such as a pandas
        Series), with the GIL released while it works; 512 texts or more are
        shared among the machine's cores."""
    def triage(self, text: str) -> Triage:
        """Whether a text is an emergency for 911, a report (with its likely
        categories) or a question (with answers)."""
    def route(self, request: Request, now: Optional[_Instant] = None) -> Routing:
        """Routes a request (a dict with Open311 field names): who delivers it,
        how urgent it is, when it is due, and why."""
    @staticmethod
    def _from_pickle(data: bytes) -> "Engine": ...
    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]: ...

@final
class Store:
    """A request store: a SQLite file (`sqlite:PATH`, created if missing), a
    store in memory (`sqlite::memory:`), or a PostgreSQL database
    (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`). Safe to share between
    threads; each call is one transaction."""

    def __new__(cls, url: str) -> "Store":
        """Opens a store, creating it or bringing its schema up to date."""
    @property
    def url(self) -> str:
        """The store's URL, without a password."""
    def __len__(self) -> int: ...
    def submit(
        self,
        engine: Engine,
        request: Request,
        *,
        channel: Optional[str] = None,
        staff: bool = False,
        client_request_id: Optional[str] = None,
        at: Optional[_Instant] = None,
    ) -> Submitted:
        """Validates, routes and stores a request; a `client_request_id` seen before returns the first answer."""
    def get(self, id: str) -> Optional[StoredRequest]:
        """The request with its `history` and `personal` data, or None."""
    def update(
        self,
        id: str,
        *,
        actor: str,
        status: Optional[Literal["acknowledged", "in_progress", "on_hold", "closed", "reopened"]] = None,
        reason: Optional[str] = None,
        note: Optional[str] = None,
        public: bool = True,
        department: Optional[str] = None,
        at: Optional[_Instant] = None,
        expected_version: Optional[int] = None,
    ) -> StoredRequest:
        """Changes a request through its lifecycle; returns it as it now is."""
    def query(
        self,
        *,
        ids: Optional[List[str]] = None,
        service_codes: Optional[List[str]] = None,
        status: Optional[str] = None,
        start: Optional[_Instant] = None,
        end: Optional[_Instant] = None,
        department: Optional[str] = None,
        updated_after: Optional[_Instant] = None,
        near: Optional[Tuple[float, float, float]] = None,
        bbox: Optional[Tuple[float, float, float, float]] = None,
        page: int = 1,
        page_size: int = 50,
        frame: bool = False,
    ) -> Any:
        """One page of requests by the Open311 filters: a list of StoredRequest dicts, or a pandas DataFrame with `frame=True`."""
    def sweep(self, now: Optional[_Instant] = None) -> SweepReport:
        """Records the escalations and SLA breaches fallen due, once each."""
    def import_file(
        self, path: _Path, *, mapping: str = "nyc311", strict: bool = False, time_zone: Optional[str] = None
    ) -> ImportReport:
        """Imports a CSV export (through a mapping) or an Open311 payload (`mapping="open311"`)."""
    def verify(self) -> List[str]:
        """What disagrees between each request's state and its history (empty for a sound store)."""
    def escalate(
        self,
        engine: Engine,
        question: str,
        *,
        lang: Optional[str] = None,
        min_confidence: float = 0.5,
        channel: Optional[str] = None,
        page: Optional[str] = None,
        token: Optional[str] = None,
        at: Optional[_Instant] = None,
    ) -> Escalated:
        """Answers a question and, when it is escalated, keeps it as an inquiry in
        the department's queue: `{"reply": ..., "inquiry": ... or None}`."""
    def record_search(
        self,
        query: str,
        *,
        kind: Literal["search", "follow"] = "search",
        lang: Optional[str] = None,
        answers: Optional[int] = None,
        top: Optional[str] = None,
        top_score: Optional[float] = None,
        followed: Optional[str] = None,
        page: Optional[str] = None,
        at: Optional[_Instant] = None,
        source: str = "python",
    ) -> None:
        """Records a search or an answer followed, scrubbed, for the report's questions."""
    def prune_searches(self, before: _Instant) -> int:
        """Deletes the search events from before `before`; returns how many."""
    def draft_article(self, id: str) -> Dict[str, str]:
        """A replied inquiry's reply as a draft article: `{"id", "lang", "text"}` for `articles/LANG/ID.md`."""
    def inquiry(self, id: str) -> Optional[Inquiry]:
        """An inquiry with its `history`, or None."""
    def inquiries(
        self,
        *,
        department: Optional[str] = None,
        status: Literal["open", "closed", "all"] = "open",
        page: int = 1,
        page_size: int = 50,
    ) -> List[Inquiry]:
        """Inquiries, oldest first: a department's queue."""
    def update_inquiry(
        self,
        engine: Engine,
        id: str,
        *,
        actor: str,
        note: Optional[str] = None,
        department: Optional[str] = None,
        reply: Optional[str] = None,
        at: Optional[_Instant] = None,
        expected_version: Optional[int] = None,
    ) -> Inquiry:
        """An internal note, a transfer, or the reply (public; it closes the inquiry)."""
    def report(
        self,
        from_date: Union[datetime.date, str],
        to_date: Union[datetime.date, str],
        *,
        by: str = "week",
        now: Optional[_Instant] = None,
        engine: Optional[Engine] = None,
        districts: Optional[str] = None,
        rising: int = 10,
        departments: Optional[List[str]] = None,
        frame: Optional[bool] = None,
    ) -> Dict[str, Any]:
        """A report over the requests filed from `from_date` to `to_date` (both included) against the
        period before: `from_date`, `to_date`, `previous_from`, `previous_to`, `by`, `now`, `total`,
        `previous_total` and `tables` (volumes, changes, rising, service_levels, backlog, referrals,
        duplicates, questions_top, questions_unanswered, inquiries), each a pandas DataFrame when pandas is installed and a list of dicts otherwise
        (`frame=False` forces lists). See docs/analytics.md for what each figure means."""
    def report_html(
        self,
        from_date: Union[datetime.date, str],
        to_date: Union[datetime.date, str],
        *,
        title: str = "311 report",
        by: str = "week",
        now: Optional[_Instant] = None,
        engine: Optional[Engine] = None,
        districts: Optional[str] = None,
        rising: int = 10,
    ) -> str:
        """The same report as one self-contained HTML page with charts."""

