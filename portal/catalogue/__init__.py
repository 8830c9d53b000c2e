"""The published documents, without Flask: content files read into documents (with every
problem as path:line), the catalogue tree, the catalogue of a content folder kept in step with
its files and with the last good version of what breaks, filters and pages, and the drafts
staff work on (and draft in the back office: editing, draft_text, uploads), the organisations
that publish them (and their files as the back office writes them), and where each stands with
its annual report of a year. portal.wiring.catalogue joins it to the running site."""

from portal.catalogue import categories, uploads
from portal.catalogue.annual_reports import county_year, report_years, reports_due
from portal.catalogue.categories import (
    ALL,
    BY_NAME,
    BY_SLUG,
    FIVE_OPENNESS,
    FIVE_OPENNESS_BY_SLUG,
    MODES,
    TIME_LIMITS,
    TREE,
    Category,
)
from portal.catalogue.columns import CATALOGUE_COLUMNS, Column, updated_on
from portal.catalogue.content import MAX_FILE_BYTES, SLUG, content_files, parse_file
from portal.catalogue.document import Attachment, Document, Problem, Video
from portal.catalogue.draft_text import DraftFields, EditRefused, new_text
from portal.catalogue.drafts import (
    ReviewChange,
    approval_change,
    next_index_no,
    read_for_review,
    return_change,
    review_file,
    scaffold_draft,
    status_report,
)
from portal.catalogue.editing import (
    AttachmentChanges,
    DraftChanged,
    FieldProblem,
    Outcome,
    Upload,
    create_draft,
    open_draft,
    preview_body,
    update_draft,
)
from portal.catalogue.filter_index import FILTER_KEYS
from portal.catalogue.frontmatter import MAX_PROBLEMS_PER_FILE, OPTIONAL_KEYS, REQUIRED_KEYS
from portal.catalogue.last_good import LastGood, snapshot_folder
from portal.catalogue.listing import Catalogue, Filters, build_catalogue
from portal.catalogue.markup import plain_text, render_markdown
from portal.catalogue.organisation_files import (
    CODE_IN_USE,
    CODE_TAKEN,
    DEFAULT_FIRST,
    EDITABLE,
    EXISTS,
    INVALID,
    STALE,
    OrganisationFileError,
    file_version,
    organisation_text,
    save_organisation,
)
from portal.catalogue.organisations import (
    CONTACT_FIELDS,
    KINDS,
    Organisation,
    Organisations,
    organisation_files,
    read_organisations,
)
from portal.catalogue.paging import Page, paginate
from portal.catalogue.report_tables import (
    FrontMatterUnsafe,
    TablesChanged,
    TablesFile,
    name_report_file,
    read_tables,
    report_documents,
    report_year,
    save_tables,
)
from portal.catalogue.store import CatalogueStore, load_catalogue, site_organisation
from portal.catalogue.uploads import UploadRefused
from portal.catalogue.validity import STATES as VALIDITY_STATES
from portal.catalogue.validity import STATES_BY_SLUG as VALIDITY_BY_SLUG
from portal.catalogue.validity import Validity

__all__ = [
    "ALL",
    "BY_NAME",
    "BY_SLUG",
    "CATALOGUE_COLUMNS",
    "CODE_IN_USE",
    "CODE_TAKEN",
    "CONTACT_FIELDS",
    "DEFAULT_FIRST",
    "EDITABLE",
    "EXISTS",
    "FILTER_KEYS",
    "FIVE_OPENNESS",
    "FIVE_OPENNESS_BY_SLUG",
    "INVALID",
    "KINDS",
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS_PER_FILE",
    "MODES",
    "OPTIONAL_KEYS",
    "REQUIRED_KEYS",
    "SLUG",
    "STALE",
    "TIME_LIMITS",
    "TREE",
    "VALIDITY_BY_SLUG",
    "VALIDITY_STATES",
    "Attachment",
    "AttachmentChanges",
    "Catalogue",
    "CatalogueStore",
    "Category",
    "Column",
    "Document",
    "DraftChanged",
    "DraftFields",
    "EditRefused",
    "FieldProblem",
    "Filters",
    "FrontMatterUnsafe",
    "LastGood",
    "Organisation",
    "OrganisationFileError",
    "Organisations",
    "Outcome",
    "Page",
    "Problem",
    "ReviewChange",
    "TablesChanged",
    "TablesFile",
    "Upload",
    "UploadRefused",
    "Validity",
    "Video",
    "approval_change",
    "build_catalogue",
    "categories",
    "content_files",
    "county_year",
    "create_draft",
    "file_version",
    "load_catalogue",
    "name_report_file",
    "new_text",
    "next_index_no",
    "open_draft",
    "organisation_files",
    "organisation_text",
    "paginate",
    "parse_file",
    "plain_text",
    "preview_body",
    "read_for_review",
    "read_organisations",
    "read_tables",
    "render_markdown",
    "report_documents",
    "report_year",
    "report_years",
    "reports_due",
    "return_change",
    "review_file",
    "save_organisation",
    "save_tables",
    "scaffold_draft",
    "site_organisation",
    "snapshot_folder",
    "status_report",
    "update_draft",
    "updated_on",
    "uploads",
]
