-- Landing tables the Python stages write. SQL models in dbt_like_sql/ read these.
-- Every statement is idempotent: the pipeline runs this file at the start of every run.

create schema if not exists raw;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;
create schema if not exists meta;

-- raw: append-only, one row per distinct file content ever ingested.
create table if not exists raw.documents (
    doc_id        varchar primary key,   -- SHA-256 hex of the file bytes
    source_path   varchar not null,      -- relative to the source folder, first seen under
    content_type  varchar not null,      -- text | html
    byte_size     bigint not null,
    raw_text      varchar not null,      -- decoded text
    encoding      varchar,               -- the codec the bytes were decoded with
    ingested_at   timestamp not null,
    run_id        varchar not null
);

-- raw: the bytes of every file that could not be loaded, so nothing is lost. A file rejected
-- by validation keeps its text in raw.documents and has content NULL here.
create table if not exists raw.rejected_files (
    doc_id      varchar not null,        -- SHA-256 hex of the file bytes
    source_path varchar not null,
    byte_size   bigint,
    content     blob,
    stage       varchar not null,
    reason      varchar not null,
    run_id      varchar not null,
    rejected_at timestamp not null default current_timestamp,
    primary key (source_path, doc_id)
);

-- staging: the extraction of each *current* source file (one version per source_path).
create table if not exists staging.documents (
    source_path        varchar primary key,
    doc_id             varchar not null,
    content_type       varchar not null,
    title              varchar,
    subtitle           varchar,
    published_date     date,
    dateline           varchar,
    outlet             varchar,
    byline             varchar,
    body               varchar not null,
    paragraph_count    integer not null,
    removed_line_count integer not null,
    run_id             varchar not null
);

create table if not exists staging.paragraphs (
    source_path  varchar not null,
    doc_id       varchar not null,
    paragraph_no integer not null,       -- 0-based
    text         varchar not null,
    topics       varchar[] not null
);

create table if not exists staging.removed_lines (
    source_path varchar not null,
    doc_id      varchar not null,
    line_no     integer not null,
    text        varchar not null,
    reason      varchar not null
);

create table if not exists staging.mentions (
    source_path  varchar not null,
    doc_id       varchar not null,
    paragraph_no integer not null,
    person       varchar not null,
    surface      varchar not null,
    how          varchar not null
);

create table if not exists staging.quotes (
    source_path      varchar not null,
    doc_id           varchar not null,
    quote_no         integer not null,   -- 0-based, order in the article
    paragraph_no     integer not null,
    speaker          varchar,
    quote_text       varchar not null,
    attribution_verb varchar,
    is_partial       boolean not null,
    event_no         integer,            -- the article's event the quote belongs to
    topics           varchar[] not null
);

create table if not exists staging.events (
    source_path     varchar not null,
    doc_id          varchar not null,
    event_no        integer not null,
    kind            varchar not null,
    trigger         varchar not null,
    event_date      date,
    date_certain    boolean not null,
    location        varchar,
    country         varchar,
    occasion        varchar,
    participants    varchar[] not null,
    first_paragraph integer not null,
    last_paragraph  integer not null
);

-- Cross-document links. Statement links are kept current by flows/link/statements.py
-- StatementIndex over the index tables below (read and written by
-- flows/load/statement_store.py); meeting links are recomputed around what changed.
create table if not exists staging.statement_links (
    doc_id       varchar not null,
    quote_no     integer not null,
    statement_id varchar not null
);

-- The statement index: each current quote (numbered by seq), its content words, the words
-- held by more current quotes than the postings cap (hubs, ignored), the scored pairs above
-- the threshold (edges, seq > other_seq) and the settings they were found with.
create table if not exists staging.statement_quotes (
    seq        bigint not null,
    doc_id     varchar not null,
    quote_no   integer not null,
    speaker    varchar,
    day        date,
    quote_text varchar,
    norm       varchar not null,
    sentences  varchar not null,
    words      integer not null
);

create table if not exists staging.statement_words (
    seq     bigint not null,
    word    varchar not null,
    speaker varchar,
    day     date
);

create table if not exists staging.statement_hubs (
    word varchar not null
);

create table if not exists staging.statement_edges (
    seq       bigint not null,
    other_seq bigint not null
);

create table if not exists staging.statement_settings (
    hub_postings integer not null,
    threshold    double not null,
    max_days     integer not null
);

create table if not exists staging.meeting_links (
    doc_id     varchar not null,
    event_no   integer not null,
    meeting_id varchar not null
);

-- Page templates over each outlet folder's whole current set of documents (read and written by
-- flows/load/template_store.py): the current files of every subfolder that decoded, the
-- distinct line keys of each, the template line keys its documents are cleaned with, and the
-- documents to clean again because a line they hold entered or left their folder's template.
create table if not exists staging.outlet_documents (
    source_path varchar not null,
    folder      varchar not null,
    doc_id      varchar not null
);

create table if not exists staging.outlet_document_lines (
    source_path varchar not null,
    line_key    varchar not null
);

create table if not exists staging.outlet_templates (
    folder   varchar not null,
    line_key varchar not null
);

create table if not exists staging.template_pending (source_path varchar not null);

-- Size, modification and change times of each source file when it was last hashed: a file whose
-- stat is unchanged keeps its digest without being read (flows/reading.py discover).
create table if not exists staging.source_files (
    source_path varchar primary key,
    byte_size   bigint not null,
    mtime_ns    bigint not null,
    ctime_ns    bigint not null,
    doc_id      varchar not null
);

-- Keys whose mart rows must be rebuilt: recorded when staging rows or links change, cleared
-- once a run has published them, so a failed run's changes are carried to the next run.
create table if not exists staging.changed_docs (doc_id varchar not null);

create table if not exists staging.changed_meetings (meeting_id varchar not null);

-- The published file and its spare (the file the last publish replaced) as the last publish
-- left them, and the change keys the spare lacks (flows/load/spare.py).
create table if not exists staging.published_files (
    slot        varchar not null primary key,  -- 'current' or 'spare'
    inode       bigint not null,
    byte_size   bigint not null,
    mtime_ns    bigint not null
);

create table if not exists staging.spare_changes (
    key_column  varchar not null,  -- doc_id or meeting_id
    key         varchar not null
);

-- Mart rows a row-level (warning) expectation rejected: the SQL models leave them out, so the
-- marts are rebuilt without them (flows/quality/gate.py). With each, the change keys of the mart
-- rows it shaped, rebuilt when it is rejected and again when it is released: when its scope (its
-- doc_id for a quote, meeting_id for a meeting or topic) changes, or in a full run.
create table if not exists staging.rejected_rows (
    suite       varchar not null,              -- the GX suite, named after its mart
    key         varchar[] not null,            -- the mart key's values (schema.yml), as text
    scope       varchar,                       -- NULL: released on every run (people)
    doc_ids     varchar[] not null default [],
    meeting_ids varchar[] not null default [],
    expectation varchar not null,
    run_id      varchar not null
);

-- Reference data from seeds/*.csv, replaced on every run.
create table if not exists staging.seed_people (
    person  varchar primary key,
    country varchar,
    aliases varchar[] not null
);

create table if not exists staging.seed_roles (
    person     varchar not null,
    role       varchar not null,
    country    varchar,
    valid_from date,
    valid_to   date
);

create table if not exists staging.seed_topics (
    topic    varchar primary key,
    label    varchar not null,
    keywords varchar[] not null
);

-- meta: run bookkeeping.
create table if not exists meta.runs (
    run_id             varchar primary key,
    flow_run_id        varchar,
    started_at         timestamp not null,
    finished_at        timestamp,
    status             varchar not null,   -- running | success | failed | abandoned | skipped
    docs_seen          integer,
    docs_new           integer,
    docs_changed       integer,
    docs_unchanged     integer,
    docs_removed       integer,
    docs_duplicate     integer,           -- same bytes as another file: loaded once
    docs_quarantined   integer,
    validation_success boolean,
    message            varchar,
    inputs_fingerprint varchar            -- seeds, SQL, suites and code the run used
);
alter table meta.runs add column if not exists inputs_fingerprint varchar;
-- When the run's marts were published (NULL: it published nothing), and how many documents
-- that added or replaced in them.
alter table meta.runs add column if not exists published_at timestamp;
alter table meta.runs add column if not exists docs_published integer;

create table if not exists meta.quarantine (
    run_id      varchar not null,
    source_path varchar,
    doc_id      varchar,
    stage       varchar not null,
    reason      varchar not null,
    detail      varchar,
    action      varchar not null default 'rejected',  -- rejected | skipped | repaired
    recorded_at timestamp not null default current_timestamp
);

create table if not exists meta.validations (
    run_id           varchar not null,
    suite            varchar not null,
    expectation      varchar not null,
    success          boolean not null,
    unexpected_count bigint,
    validated_at     timestamp not null default current_timestamp
);
