"""The canonical audit table: schema, loading and validation, pseudonymisation."""

from ._load import (
    AuditValidation,
    AuditValidationError,
    DataQualityWarning,
    load_audits,
    validate_audits,
)
from .pseudonymize import pseudonymize
from .schema import ACTIONS, AUDIT_SCHEMA, ERROR_TYPES, SEVERITIES, SITE_TYPES, schema_frame

__all__ = [
    "ACTIONS",
    "AUDIT_SCHEMA",
    "ERROR_TYPES",
    "SEVERITIES",
    "SITE_TYPES",
    "AuditValidation",
    "AuditValidationError",
    "DataQualityWarning",
    "load_audits",
    "pseudonymize",
    "schema_frame",
    "validate_audits",
]
