"""The publishing workflow, without Flask and below the catalogue (which decides publication by
its rules): the review stages and who may approve them, the digest an approval covers, the
review record, and working days in China time."""

from portal.workflow import digests
from portal.workflow.calendar import (
    CHINA,
    WORKING_DAYS_TO_PUBLISH,
    add_working_days,
    china_today,
    is_working_day,
    report_deadline,
    report_deadlines,
)
from portal.workflow.digests import document_digest, file_sha256
from portal.workflow.review import (
    STAGES,
    Approval,
    WorkflowError,
    approvals_from_node,
    approve,
    next_stage,
    publication_moment,
    valid_approvals,
    voided_reason,
    write_review,
)

__all__ = [
    "CHINA",
    "STAGES",
    "WORKING_DAYS_TO_PUBLISH",
    "Approval",
    "WorkflowError",
    "add_working_days",
    "approvals_from_node",
    "approve",
    "china_today",
    "digests",
    "document_digest",
    "file_sha256",
    "is_working_day",
    "next_stage",
    "publication_moment",
    "report_deadline",
    "report_deadlines",
    "valid_approvals",
    "voided_reason",
    "write_review",
]
