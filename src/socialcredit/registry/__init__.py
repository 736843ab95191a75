"""The registry: the one facade the edges (CLI, HTTP API, web pages, the demo) call.

`Registry` (`facade.py`) joins the pure core (catalogue, rules, scoring) to the store and to an
injected clock (`clock.py`). The subject's rights and the relying party's check are in
`rights.py`, API keys in `keys.py`, the operator's cached population in `population.py`; each
is given its collaborators and imports nothing back from here.

The edges import from this package only: the facade, and the types its methods take and
return (re-exported below, so that no edge reaches into the store for them).
"""

from __future__ import annotations

from socialcredit.domain.file import (
    FileDocument,
    FileRecord,
    FileView,
    KeptStatement,
    Listing,
    OrganizationRecord,
    Statement,
    SubjectFile,
)
from socialcredit.domain.identifiers import IdentifiedSubjects, SubjectRef
from socialcredit.domain.jurisdictions import JurisdictionRequired, UnknownJurisdiction
from socialcredit.domain.measures import CheckAnswer, CheckProblem, CheckRefused, MeasureCoverage
from socialcredit.domain.objections import Objection
from socialcredit.domain.refusals import InvalidIdentifier, Refused
from socialcredit.registry.clock import Clock, system_clock
from socialcredit.registry.facade import (
    Engine,
    IngestResult,
    JurisdictionSummary,
    PopulationReport,
    PublishResult,
    Registry,
    UnknownSource,
)
from socialcredit.registry.keys import ROLES, KeyRefused, KeyRing, NewKey, Principal
from socialcredit.registry.sessions import SESSION_LIFETIME_S, NewSession, SessionRing
from socialcredit.store.store import CatalogueRow, IngestBatch, StoreUnavailable
from socialcredit.store.urls import STORE_URL_VARIABLE, BadStoreURL

__all__ = [
    "ROLES",
    "SESSION_LIFETIME_S",
    "STORE_URL_VARIABLE",
    "BadStoreURL",
    "CatalogueRow",
    "CheckAnswer",
    "CheckProblem",
    "CheckRefused",
    "Clock",
    "Engine",
    "FileDocument",
    "FileRecord",
    "FileView",
    "IdentifiedSubjects",
    "IngestBatch",
    "IngestResult",
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
    "SessionRing",
    "Statement",
    "StoreUnavailable",
    "SubjectFile",
    "SubjectRef",
    "UnknownJurisdiction",
    "UnknownSource",
    "system_clock",
]
