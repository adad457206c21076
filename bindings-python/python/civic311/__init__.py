"""civic311: 311 for developers.

Answer residents' questions from a city's knowledge base, classify their
complaints into service categories, triage emergencies to 911, and route
requests to the department or government that delivers them, with
deadlines. Catalogs of who delivers what and Open311 GeoReport v2 formats
come with it.

>>> import civic311
>>> engine = civic311.Engine.default()  # the embedded Riverton catalog
>>> engine.search("my trash wasnt picked up")[0].id
'SW-MISSED-TRASH'
>>> engine.classify("car with no plates parked for two weeks")[0].service_code
'VH-ABANDONED'
>>> engine.triage("I smell gas in my basement").kind
'emergency'
"""

from civic311 import types
from civic311._civic311 import (
    Answer,
    BundleError,
    Catalog,
    CatalogError,
    Civic311Error,
    Civic311IOError,
    Classifier,
    Completion,
    ConflictError,
    Encoder,
    Engine,
    FacilityHours,
    FormatError,
    LifecycleError,
    ModelError,
    NotFoundError,
    QueryError,
    RoutingError,
    Store,
    StoreError,
    Suggestion,
    Triage,
    ValidationError,
    __version__,
    open311_service_definition,
    open311_services_json,
    open311_services_xml,
    validate_request,
)

__all__ = [
    "Answer",
    "BundleError",
    "Catalog",
    "CatalogError",
    "Civic311Error",
    "Civic311IOError",
    "Classifier",
    "Completion",
    "ConflictError",
    "Encoder",
    "Engine",
    "FacilityHours",
    "FormatError",
    "LifecycleError",
    "ModelError",
    "NotFoundError",
    "QueryError",
    "RoutingError",
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
    "types",
]
