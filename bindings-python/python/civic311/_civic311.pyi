"""Type stubs of the civic311 extension module."""

import os
from typing import Any, Dict, List, Literal, Optional, TypedDict, Union

__version__: str

class Problem(TypedDict):
    file: str
    line: Optional[int]
    field: str
    message: str

class Open311ErrorEntry(TypedDict):
    code: int
    description: str

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

class Catalog:
    """A validated catalog: jurisdictions, departments, service categories,
    articles, facilities, calendars and boundaries."""

    @staticmethod
    def load(path: Union[str, "os.PathLike[str]"]) -> "Catalog":
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

def validate_request(request: Dict[str, Any], catalog: Optional[Catalog] = None) -> None:
    """Checks a submitted request against its service definition; raises `ValidationError`."""
