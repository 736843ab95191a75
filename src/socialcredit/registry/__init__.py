"""The registry: the one facade the edges (CLI, HTTP API, web pages, the demo) call.

`Registry` (`facade.py`) joins the pure core (catalogue, rules, scoring) to the store and to an
injected clock (`clock.py`). The subject's rights and the relying party's check are in
`rights.py`, credit repair in `repairs.py`, API keys in `keys.py`, the operator's cached
population in `population.py`; each is given its collaborators and imports nothing back from
here.

The edges import from this package only: the facade, and the types its methods take and
return (re-exported below, so that no edge reaches into the store for them).
"""

from __future__ import annotations

from socialcredit.catalogue.validation import CatalogueReport
from socialcredit.domain.file import (
    FileDocument,
    FileRecord,
    FileView,
    KeptStatement,
    Listing,
    OrganizationRecord,
    Statement,
    SubjectFile,
    ViewsPage,
    ViewSummary,
)
from socialcredit.domain.identifiers import IdentifiedSubjects, SubjectRef
from socialcredit.domain.jurisdictions import JurisdictionRequired, UnknownJurisdiction
from socialcredit.domain.measures import CheckAnswer, CheckProblem, CheckRefused, MeasureCoverage
from socialcredit.domain.objections import Objection
from socialcredit.domain.refusals import InvalidIdentifier, Refused
from socialcredit.domain.repairs import Repair
from socialcredit.registry.clock import Clock, system_clock
from socialcredit.registry.facade import (
    Engine,
    IngestResult,
    JurisdictionSummary,
    PopulationReport,
    PublishResult,
    Registry,
    SimulationResult,
    UnknownSource,
)
from socialcredit.registry.keys import (
    DEFAULT_RATES,
    ROLES,
    KeyRefused,
    KeyRing,
    NewKey,
    Principal,
)
from socialcredit.registry.sessions import SESSION_LIFETIME_S, NewSession, SessionRing
from socialcredit.scoring.simulation import ItemChange, Simulation
from socialcredit.store.store import CatalogueRow, IngestBatch, StoreUnavailable
from socialcredit.store.urls import STORE_URL_VARIABLE, BadStoreURL

__all__ = [
    "DEFAULT_RATES",
    "ROLES",
    "SESSION_LIFETIME_S",
    "STORE_URL_VARIABLE",
    "BadStoreURL",
    "CatalogueReport",
    "CatalogueRow",
    "CheckAnswer",
    "CheckProblem",
    "CheckRefused",
    "Clock",
    "Engine",
    "FileDocument",
    "FileRecord",
    "FileView",
    "ViewSummary",
    "ViewsPage",
    "IdentifiedSubjects",
    "IngestBatch",
    "IngestResult",
    "ItemChange",
    "InvalidIdentifier",
    "JurisdictionRequired",
    "JurisdictionSummary",
    "KeptStatement",
    "KeyRefused",
    "KeyRing",
    "Listing",
    "MeasureCoverage",
    "NewKey",
    "NewSession",
    "Objection",
    "OrganizationRecord",
    "PopulationReport",
    "Principal",
    "PublishResult",
    "Refused",
    "Registry",
    "Repair",
    "SessionRing",
    "Simulation",
    "SimulationResult",
    "Statement",
    "StoreUnavailable",
    "SubjectFile",
    "SubjectRef",
    "UnknownJurisdiction",
    "UnknownSource",
    "system_clock",
]
