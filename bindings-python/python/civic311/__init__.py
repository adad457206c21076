"""civic311: 311 for developers.

Catalogs of who delivers what, Open311 GeoReport v2 formats, and (as the
package grows) answer search, complaint classification and routing.

>>> import civic311
>>> catalog = civic311.Catalog.riverton()
>>> catalog.service("ST-POTHOLE")["department"]
'streets'
"""

from civic311._civic311 import (
    BundleError,
    Catalog,
    CatalogError,
    Civic311Error,
    Civic311IOError,
    FormatError,
    LifecycleError,
    ModelError,
    QueryError,
    RoutingError,
    ValidationError,
    __version__,
    open311_service_definition,
    open311_services_json,
    open311_services_xml,
    validate_request,
)

__all__ = [
    "BundleError",
    "Catalog",
    "CatalogError",
    "Civic311Error",
    "Civic311IOError",
    "FormatError",
    "LifecycleError",
    "ModelError",
    "QueryError",
    "RoutingError",
    "ValidationError",
    "__version__",
    "open311_service_definition",
    "open311_services_json",
    "open311_services_xml",
    "validate_request",
]
