/* orchestration_session--1.2.sql: the orchestration-session family, its JSON
 * validator and its lifecycle functions.  Objects are created in the schema
 * given to CREATE EXTENSION (normally public), so upstream SQL that names the
 * tables unqualified keeps working.
 *
 * Every function and operator this script calls, and every one baked into
 * its views, defaults and constraints, is qualified (pg_catalog. or
 * @extschema@., OPERATOR(pg_catalog.=)): CREATE EXTENSION runs it with the
 * target schema first on the search_path, where anyone who may create
 * objects there could plant better-matching look-alikes. */

\echo Use "CREATE EXTENSION orchestration_session" to load this file. \quit

------------------------------------------------------------------------------
-- JSON validation (C).  Defined first: every JSON CHECK constraint uses it.
------------------------------------------------------------------------------

CREATE FUNCTION json_valid(text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'json_valid_text'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION json_valid(text) IS
    'true when the text is one well-formed RFC 8259 JSON text (SQLite json_valid semantics), NULL for NULL';

CREATE FUNCTION json_valid(bytea) RETURNS boolean
    AS 'MODULE_PATHNAME', 'json_valid_bytea'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION json_valid(bytea) IS
    'true when the bytes are valid UTF-8 and one well-formed RFC 8259 JSON text, NULL for NULL';

CREATE FUNCTION json_error_position(text) RETURNS integer
    AS 'MODULE_PATHNAME', 'json_error_position'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION json_error_position(text) IS
    'SQLite json_error_position: 0 when the text is valid JSON, otherwise the 1-based character position of the first syntax error';

CREATE FUNCTION json_error_message(text) RETURNS text
    AS 'MODULE_PATHNAME', 'json_error_message'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION json_error_message(text) IS
    'NULL when the text is valid JSON, otherwise "line L, column C: what was expected, found what"';

-- BEFORE INSERT OR UPDATE trigger: explains malformed JSON (table, column,
-- line, column) with SQLSTATE 22P02 before the CHECK constraint would reject
-- the row with a bare "violates check constraint".  Arguments: column names.
CREATE FUNCTION orchestration_json_columns_check() RETURNS trigger
    AS 'MODULE_PATHNAME', 'orchestration_json_columns_check'
    LANGUAGE C;
COMMENT ON FUNCTION orchestration_json_columns_check() IS
    'trigger: raises 22P02 naming the table, column, line and column of malformed JSON in the columns given as trigger arguments';

------------------------------------------------------------------------------
-- Ids.  Defined before the tables: every primary key defaults to a ULID, so
-- an INSERT without an id works from psql and every ORM.
------------------------------------------------------------------------------

CREATE FUNCTION orchestration_ulid() RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_ulid'
    LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION orchestration_ulid() IS
    'a new ULID (26 characters, Crockford base32): time-ordered, unique across backends, strictly increasing within one backend';

CREATE FUNCTION orchestration_ulid_time(text) RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'orchestration_ulid_time'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION orchestration_ulid_time(text) IS
    'the millisecond timestamp encoded in a ULID; raises 22P02 for text that is not a ULID';

------------------------------------------------------------------------------
-- Parents
------------------------------------------------------------------------------

CREATE TABLE device (
    device_id       varchar PRIMARY KEY NOT NULL DEFAULT @extschema@.orchestration_ulid(),
    name            text NOT NULL,
    state           text NOT NULL
        CONSTRAINT device_state_json_valid CHECK (@extschema@.json_valid(state)),
    boundary        text NOT NULL,
    segmentation    text
        CONSTRAINT device_segmentation_json_valid CHECK (@extschema@.json_valid(segmentation) OR segmentation IS NULL),
    state_sysinfo   text
        CONSTRAINT device_state_sysinfo_json_valid CHECK (@extschema@.json_valid(state_sysinfo) OR state_sysinfo IS NULL),
    elaboration     text
        CONSTRAINT device_elaboration_json_valid CHECK (@extschema@.json_valid(elaboration) OR elaboration IS NULL),
    created_at      timestamptz DEFAULT CURRENT_TIMESTAMP,
    created_by      text DEFAULT 'UNKNOWN',
    updated_at      timestamptz,
    updated_by      text,
    deleted_at      timestamptz,
    deleted_by      text,
    activity_log    text,
    CONSTRAINT device_name_state_boundary_key UNIQUE (name, state, boundary)
);
CREATE INDEX idx_device__name__state ON device (name, state);

COMMENT ON TABLE device IS 'Identity, network boundary and sysinfo of a machine on which orchestrations run';
COMMENT ON COLUMN device.device_id IS 'device primary key and internal label (ULID when generated by orchestration_device_ensure)';
COMMENT ON COLUMN device.name IS 'device name; upstream defaults it to the hostname';
COMMENT ON COLUMN device.state IS 'device state as JSON; the JSON string "SINGLETON" (quotes included) when one state is allowed';
COMMENT ON COLUMN device.boundary IS 'IP address, VLAN or any other differentiator of the device';
COMMENT ON COLUMN device.segmentation IS 'zero-trust or other network segmentation as JSON';
COMMENT ON COLUMN device.state_sysinfo IS 'mutable system information as JSON';
COMMENT ON COLUMN device.elaboration IS 'JSON governance data (description, documentation, usage, etc. in JSON)';
COMMENT ON COLUMN device.created_at IS 'when the row was created';
COMMENT ON COLUMN device.created_by IS 'who created the row';
COMMENT ON COLUMN device.updated_at IS 'when the row was last updated';
COMMENT ON COLUMN device.updated_by IS 'who last updated the row';
COMMENT ON COLUMN device.deleted_at IS 'when the row was soft-deleted';
COMMENT ON COLUMN device.deleted_by IS 'who soft-deleted the row';
COMMENT ON COLUMN device.activity_log IS 'previous versions of the row as JSON (not checked, as upstream)';

CREATE TABLE orchestration_nature (
    orchestration_nature_id text PRIMARY KEY NOT NULL DEFAULT @extschema@.orchestration_ulid(),
    nature          text NOT NULL,
    elaboration     text
        CONSTRAINT orchestration_nature_elaboration_json_valid CHECK (@extschema@.json_valid(elaboration) OR elaboration IS NULL),
    created_at      timestamptz DEFAULT CURRENT_TIMESTAMP,
    created_by      text DEFAULT 'UNKNOWN',
    updated_at      timestamptz,
    updated_by      text,
    deleted_at      timestamptz,
    deleted_by      text,
    activity_log    text,
    CONSTRAINT orchestration_nature_id_nature_key UNIQUE (orchestration_nature_id, nature)
);
CREATE INDEX idx_orchestration_nature__orchestration_nature_id__nature
    ON orchestration_nature (orchestration_nature_id, nature);

COMMENT ON TABLE orchestration_nature IS 'The kind of work an orchestration session performs';
COMMENT ON COLUMN orchestration_nature.orchestration_nature_id IS 'nature primary key, e.g. V&V, deidentification, surveilr-transform-csv';
COMMENT ON COLUMN orchestration_nature.nature IS 'human-readable label of the nature (not unique on its own)';
COMMENT ON COLUMN orchestration_nature.elaboration IS 'JSON governance data (description, documentation, usage, etc. in JSON)';
COMMENT ON COLUMN orchestration_nature.created_at IS 'when the row was created';
COMMENT ON COLUMN orchestration_nature.created_by IS 'who created the row';
COMMENT ON COLUMN orchestration_nature.updated_at IS 'when the row was last updated';
COMMENT ON COLUMN orchestration_nature.updated_by IS 'who last updated the row';
COMMENT ON COLUMN orchestration_nature.deleted_at IS 'when the row was soft-deleted';
COMMENT ON COLUMN orchestration_nature.deleted_by IS 'who soft-deleted the row';
COMMENT ON COLUMN orchestration_nature.activity_log IS 'previous versions of the row as JSON (not checked, as upstream)';

------------------------------------------------------------------------------
-- The session (column for column as the upstream seed definition)
------------------------------------------------------------------------------

CREATE TABLE orchestration_session (
    orchestration_session_id varchar PRIMARY KEY NOT NULL DEFAULT @extschema@.orchestration_ulid(),
    device_id               varchar NOT NULL,
    orchestration_nature_id text NOT NULL,
    version                 text NOT NULL,
    orch_started_at         timestamptz DEFAULT CURRENT_TIMESTAMP,
    orch_finished_at        timestamptz,
    elaboration             text
        CONSTRAINT orchestration_session_elaboration_json_valid CHECK (@extschema@.json_valid(elaboration) OR elaboration IS NULL),
    args_json               text
        CONSTRAINT orchestration_session_args_json_json_valid CHECK (@extschema@.json_valid(args_json) OR args_json IS NULL),
    diagnostics_json        text
        CONSTRAINT orchestration_session_diagnostics_json_json_valid CHECK (@extschema@.json_valid(diagnostics_json) OR diagnostics_json IS NULL),
    diagnostics_md          text,
    CONSTRAINT orchestration_session_device_id_fkey
        FOREIGN KEY (device_id) REFERENCES device (device_id),
    CONSTRAINT orchestration_session_orchestration_nature_id_fkey
        FOREIGN KEY (orchestration_nature_id) REFERENCES orchestration_nature (orchestration_nature_id),
    CONSTRAINT orchestration_session_finished_after_started
        CHECK (orch_finished_at IS NULL OR orch_finished_at OPERATOR(pg_catalog.>=) orch_started_at)
);
-- Sessions of a device by start time; also serves the device_id foreign key.
CREATE INDEX orchestration_session_device_started_idx
    ON orchestration_session (device_id, orch_started_at);
CREATE INDEX orchestration_session_nature_idx
    ON orchestration_session (orchestration_nature_id);
-- Open sessions: small, because finished sessions leave it.
-- The id is the second key: abandon walks it in (start, id) order, batch
-- after batch, also through sessions that started at the same instant.
CREATE INDEX orchestration_session_open_idx
    ON orchestration_session (orch_started_at, orchestration_session_id) WHERE orch_finished_at IS NULL;
-- Open sessions of one device ("what is this machine running now?"):
-- an index-only scan over that device's open sessions alone.
CREATE INDEX orchestration_session_open_device_idx
    ON orchestration_session (device_id, orch_started_at)
    INCLUDE (orchestration_nature_id, orchestration_session_id)
    WHERE orch_finished_at IS NULL;
-- Finished sessions by finish time: retention (orchestration_session_purge)
-- walks it oldest first instead of scanning the table.
CREATE INDEX orchestration_session_finished_idx
    ON orchestration_session (orch_finished_at, orchestration_session_id) WHERE orch_finished_at IS NOT NULL;

COMMENT ON TABLE orchestration_session IS 'An orchestration session groups multiple orchestration events for reporting or other purposes';
COMMENT ON COLUMN orchestration_session.orchestration_session_id IS 'orchestration_session primary key and internal label (ULID when generated)';
COMMENT ON COLUMN orchestration_session.device_id IS 'the device that ran the session';
COMMENT ON COLUMN orchestration_session.orchestration_nature_id IS 'the nature of work the session performs';
COMMENT ON COLUMN orchestration_session.version IS 'version of the tool that ran the session';
COMMENT ON COLUMN orchestration_session.orch_started_at IS 'when the session started';
COMMENT ON COLUMN orchestration_session.orch_finished_at IS 'when the session finished; NULL while it is open; a finished session is immutable';
COMMENT ON COLUMN orchestration_session.elaboration IS 'JSON governance data (description, documentation, usage, etc. in JSON)';
COMMENT ON COLUMN orchestration_session.args_json IS 'Session arguments in a machine-friendly (engine-dependent) JSON format';
COMMENT ON COLUMN orchestration_session.diagnostics_json IS 'Diagnostics in a machine-friendly (engine-dependent) JSON format';
COMMENT ON COLUMN orchestration_session.diagnostics_md IS 'Diagnostics in a human-friendly readable markdown format';

------------------------------------------------------------------------------
-- Children
------------------------------------------------------------------------------

CREATE TABLE orchestration_session_entry (
    orchestration_session_entry_id varchar PRIMARY KEY NOT NULL DEFAULT @extschema@.orchestration_ulid(),
    session_id          varchar NOT NULL,
    ingest_src          text NOT NULL,
    ingest_table_name   text,
    elaboration         text
        CONSTRAINT orchestration_session_entry_elaboration_json_valid CHECK (@extschema@.json_valid(elaboration) OR elaboration IS NULL),
    CONSTRAINT orchestration_session_entry_session_id_fkey
        FOREIGN KEY (session_id) REFERENCES orchestration_session (orchestration_session_id)
);
CREATE INDEX orchestration_session_entry_session_idx
    ON orchestration_session_entry (session_id);

COMMENT ON TABLE orchestration_session_entry IS 'One file, script or URI processed in an orchestration session';
COMMENT ON COLUMN orchestration_session_entry.orchestration_session_entry_id IS 'entry primary key (ULID when generated)';
COMMENT ON COLUMN orchestration_session_entry.session_id IS 'the session the entry belongs to';
COMMENT ON COLUMN orchestration_session_entry.ingest_src IS 'file name or URI that was processed';
COMMENT ON COLUMN orchestration_session_entry.ingest_table_name IS 'table the content went into, if any';
COMMENT ON COLUMN orchestration_session_entry.elaboration IS 'JSON governance data (description, documentation, usage, etc. in JSON)';

CREATE TABLE orchestration_session_state (
    orchestration_session_state_id varchar PRIMARY KEY NOT NULL DEFAULT @extschema@.orchestration_ulid(),
    session_id          varchar NOT NULL,
    session_entry_id    varchar,
    from_state          text NOT NULL,
    to_state            text NOT NULL,
    transition_result   text
        CONSTRAINT orchestration_session_state_transition_result_json_valid CHECK (@extschema@.json_valid(transition_result) OR transition_result IS NULL),
    transition_reason   text,
    transitioned_at     timestamptz DEFAULT CURRENT_TIMESTAMP,
    elaboration         text
        CONSTRAINT orchestration_session_state_elaboration_json_valid CHECK (@extschema@.json_valid(elaboration) OR elaboration IS NULL),
    CONSTRAINT orchestration_session_state_session_id_fkey
        FOREIGN KEY (session_id) REFERENCES orchestration_session (orchestration_session_id),
    CONSTRAINT orchestration_session_state_session_entry_id_fkey
        FOREIGN KEY (session_entry_id) REFERENCES orchestration_session_entry (orchestration_session_entry_id)
);
-- The chain of a session in order; the latest transition is its last entry.
-- Upstream's UNIQUE (state_id, from_state, to_state) is redundant with the
-- primary key and is not repeated.
CREATE INDEX orchestration_session_state_chain_idx
    ON orchestration_session_state (session_id, transitioned_at, orchestration_session_state_id);
CREATE INDEX orchestration_session_state_entry_idx
    ON orchestration_session_state (session_entry_id) WHERE session_entry_id IS NOT NULL;

COMMENT ON TABLE orchestration_session_state IS 'State transitions of an orchestration session (or of one of its entries)';
COMMENT ON COLUMN orchestration_session_state.orchestration_session_state_id IS 'transition primary key (ULID when generated)';
COMMENT ON COLUMN orchestration_session_state.session_id IS 'the session that transitioned';
COMMENT ON COLUMN orchestration_session_state.session_entry_id IS 'the entry the transition is about, if any';
COMMENT ON COLUMN orchestration_session_state.from_state IS 'previous state; INITIAL for the first transition of a session';
COMMENT ON COLUMN orchestration_session_state.to_state IS 'the new state';
COMMENT ON COLUMN orchestration_session_state.transition_result IS 'result of the transition as JSON';
COMMENT ON COLUMN orchestration_session_state.transition_reason IS 'why the transition happened';
COMMENT ON COLUMN orchestration_session_state.transitioned_at IS 'when the transition happened (wall clock, strictly increasing per session when recorded by orchestration_session_transition)';
COMMENT ON COLUMN orchestration_session_state.elaboration IS 'JSON governance data (description, documentation, usage, etc. in JSON)';

CREATE TABLE orchestration_session_exec (
    orchestration_session_exec_id varchar PRIMARY KEY NOT NULL DEFAULT @extschema@.orchestration_ulid(),
    exec_nature         text NOT NULL,
    session_id          varchar NOT NULL,
    session_entry_id    varchar,
    parent_exec_id      varchar,
    namespace           text,
    exec_identity       text,
    exec_code           text NOT NULL,
    exec_status         integer NOT NULL,
    input_text          text,
    exec_error_text     text,
    output_text         text,
    output_nature       text
        CONSTRAINT orchestration_session_exec_output_nature_json_valid CHECK (@extschema@.json_valid(output_nature) OR output_nature IS NULL),
    narrative_md        text,
    elaboration         text
        CONSTRAINT orchestration_session_exec_elaboration_json_valid CHECK (@extschema@.json_valid(elaboration) OR elaboration IS NULL),
    CONSTRAINT orchestration_session_exec_session_id_fkey
        FOREIGN KEY (session_id) REFERENCES orchestration_session (orchestration_session_id),
    CONSTRAINT orchestration_session_exec_session_entry_id_fkey
        FOREIGN KEY (session_entry_id) REFERENCES orchestration_session_entry (orchestration_session_entry_id),
    CONSTRAINT orchestration_session_exec_parent_exec_id_fkey
        FOREIGN KEY (parent_exec_id) REFERENCES orchestration_session_exec (orchestration_session_exec_id)
);
CREATE INDEX orchestration_session_exec_session_idx
    ON orchestration_session_exec (session_id);
CREATE INDEX orchestration_session_exec_entry_idx
    ON orchestration_session_exec (session_entry_id) WHERE session_entry_id IS NOT NULL;
CREATE INDEX orchestration_session_exec_parent_idx
    ON orchestration_session_exec (parent_exec_id) WHERE parent_exec_id IS NOT NULL;

COMMENT ON TABLE orchestration_session_exec IS 'One command, SQL script or other execution performed in an orchestration session';
COMMENT ON COLUMN orchestration_session_exec.orchestration_session_exec_id IS 'execution primary key (ULID when generated)';
COMMENT ON COLUMN orchestration_session_exec.exec_nature IS 'kind of execution: shell, SQL, ...';
COMMENT ON COLUMN orchestration_session_exec.session_id IS 'the session the execution belongs to';
COMMENT ON COLUMN orchestration_session_exec.session_entry_id IS 'the entry the execution worked on, if any';
COMMENT ON COLUMN orchestration_session_exec.parent_exec_id IS 'the enclosing execution, for nested executions';
COMMENT ON COLUMN orchestration_session_exec.namespace IS 'arbitrary grouping of executions';
COMMENT ON COLUMN orchestration_session_exec.exec_identity IS 'arbitrary identity of the execution';
COMMENT ON COLUMN orchestration_session_exec.exec_code IS 'the command or code executed';
COMMENT ON COLUMN orchestration_session_exec.exec_status IS 'exit status; 0 means success (shell convention)';
COMMENT ON COLUMN orchestration_session_exec.input_text IS 'stdin or other input given to the execution';
COMMENT ON COLUMN orchestration_session_exec.exec_error_text IS 'stderr or other error output';
COMMENT ON COLUMN orchestration_session_exec.output_text IS 'stdout or other output';
COMMENT ON COLUMN orchestration_session_exec.output_nature IS 'hints about the output as JSON';
COMMENT ON COLUMN orchestration_session_exec.narrative_md IS 'Markdown narrative of the execution';
COMMENT ON COLUMN orchestration_session_exec.elaboration IS 'JSON governance data (description, documentation, usage, etc. in JSON)';

CREATE TABLE orchestration_session_issue (
    orchestration_session_issue_id text PRIMARY KEY NOT NULL DEFAULT @extschema@.orchestration_ulid(),
    session_id          varchar NOT NULL,
    session_entry_id    varchar,
    issue_type          text NOT NULL,
    issue_message       text NOT NULL,
    issue_row           integer,
    issue_column        text,
    invalid_value       text,
    remediation         text,
    elaboration         text
        CONSTRAINT orchestration_session_issue_elaboration_json_valid CHECK (@extschema@.json_valid(elaboration) OR elaboration IS NULL),
    CONSTRAINT orchestration_session_issue_session_id_fkey
        FOREIGN KEY (session_id) REFERENCES orchestration_session (orchestration_session_id),
    CONSTRAINT orchestration_session_issue_session_entry_id_fkey
        FOREIGN KEY (session_entry_id) REFERENCES orchestration_session_entry (orchestration_session_entry_id)
);
CREATE INDEX orchestration_session_issue_session_idx
    ON orchestration_session_issue (session_id);
CREATE INDEX orchestration_session_issue_entry_idx
    ON orchestration_session_issue (session_entry_id) WHERE session_entry_id IS NOT NULL;

COMMENT ON TABLE orchestration_session_issue IS 'An error or warning raised while orchestrating';
COMMENT ON COLUMN orchestration_session_issue.orchestration_session_issue_id IS 'issue primary key (declared UUID upstream, stored as text; ULID when generated)';
COMMENT ON COLUMN orchestration_session_issue.session_id IS 'the session that raised the issue';
COMMENT ON COLUMN orchestration_session_issue.session_entry_id IS 'the entry the issue is about, if any';
COMMENT ON COLUMN orchestration_session_issue.issue_type IS 'kind of issue, e.g. Schema Validation: Missing Columns';
COMMENT ON COLUMN orchestration_session_issue.issue_message IS 'what went wrong';
COMMENT ON COLUMN orchestration_session_issue.issue_row IS 'row where the issue was found, if any';
COMMENT ON COLUMN orchestration_session_issue.issue_column IS 'column where the issue was found, if any';
COMMENT ON COLUMN orchestration_session_issue.invalid_value IS 'the offending value, if any';
COMMENT ON COLUMN orchestration_session_issue.remediation IS 'how to correct the issue';
COMMENT ON COLUMN orchestration_session_issue.elaboration IS 'JSON governance data (description, documentation, usage, etc. in JSON)';

CREATE TABLE orchestration_session_issue_relation (
    orchestration_session_issue_relation_id text PRIMARY KEY NOT NULL DEFAULT @extschema@.orchestration_ulid(),
    issue_id_prime      text NOT NULL,
    issue_id_rel        text NOT NULL,
    relationship_nature text NOT NULL,
    elaboration         text
        CONSTRAINT orchestration_session_issue_relation_elaboration_json_valid CHECK (@extschema@.json_valid(elaboration) OR elaboration IS NULL),
    CONSTRAINT orchestration_session_issue_relation_issue_id_prime_fkey
        FOREIGN KEY (issue_id_prime) REFERENCES orchestration_session_issue (orchestration_session_issue_id)
);
CREATE INDEX orchestration_session_issue_relation_prime_idx
    ON orchestration_session_issue_relation (issue_id_prime);

COMMENT ON TABLE orchestration_session_issue_relation IS 'Links between orchestration session issues';
COMMENT ON COLUMN orchestration_session_issue_relation.orchestration_session_issue_relation_id IS 'relation primary key (declared UUID upstream, stored as text)';
COMMENT ON COLUMN orchestration_session_issue_relation.issue_id_prime IS 'the issue the relation starts from';
COMMENT ON COLUMN orchestration_session_issue_relation.issue_id_rel IS 'the related issue (not a foreign key, as upstream)';
COMMENT ON COLUMN orchestration_session_issue_relation.relationship_nature IS 'kind of relationship';
COMMENT ON COLUMN orchestration_session_issue_relation.elaboration IS 'JSON governance data (description, documentation, usage, etc. in JSON)';

CREATE TABLE orchestration_session_log (
    orchestration_session_log_id text PRIMARY KEY NOT NULL DEFAULT @extschema@.orchestration_ulid(),
    category            text,
    parent_exec_id      text,
    content             text NOT NULL,
    sibling_order       integer,
    elaboration         text
        CONSTRAINT orchestration_session_log_elaboration_json_valid CHECK (@extschema@.json_valid(elaboration) OR elaboration IS NULL),
    -- Upstream declares this against the log table itself while its reports
    -- join it to the exec table; this project references the exec table.
    CONSTRAINT orchestration_session_log_parent_exec_id_fkey
        FOREIGN KEY (parent_exec_id) REFERENCES orchestration_session_exec (orchestration_session_exec_id)
);
CREATE INDEX orchestration_session_log_parent_exec_idx
    ON orchestration_session_log (parent_exec_id, sibling_order) WHERE parent_exec_id IS NOT NULL;

COMMENT ON TABLE orchestration_session_log IS 'Log lines of orchestration session executions';
COMMENT ON COLUMN orchestration_session_log.orchestration_session_log_id IS 'log line primary key (declared UUID upstream, stored as text; ULID when generated)';
COMMENT ON COLUMN orchestration_session_log.category IS 'category of the log line';
COMMENT ON COLUMN orchestration_session_log.parent_exec_id IS 'the execution that produced the line';
COMMENT ON COLUMN orchestration_session_log.content IS 'the log text';
COMMENT ON COLUMN orchestration_session_log.sibling_order IS 'order of the line among the lines of its execution';
COMMENT ON COLUMN orchestration_session_log.elaboration IS 'JSON governance data (description, documentation, usage, etc. in JSON)';

-- Which backend started each session: lets orchestration_session_abandon
-- tell sessions of crashed or disconnected clients from live ones.  An extra
-- table, not columns of orchestration_session (whose columns are a contract).
CREATE TABLE orchestration_session_backend (
    session_id      varchar PRIMARY KEY NOT NULL,
    pid             integer NOT NULL,
    backend_start   timestamptz NOT NULL,
    -- The bookkeeping goes with its session (purge, or deleting an open one).
    CONSTRAINT orchestration_session_backend_session_id_fkey
        FOREIGN KEY (session_id) REFERENCES orchestration_session (orchestration_session_id)
        ON DELETE CASCADE
);

COMMENT ON TABLE orchestration_session_backend IS 'The server backend that started each session (written by orchestration_session_start); kept after the finish as history, deleted by orchestration_session_purge';
COMMENT ON COLUMN orchestration_session_backend.session_id IS 'the session';
COMMENT ON COLUMN orchestration_session_backend.pid IS 'process id of the backend that started the session';
COMMENT ON COLUMN orchestration_session_backend.backend_start IS 'start time of that backend (pg_stat_activity.backend_start), so that a reused pid is not mistaken for the same backend';

------------------------------------------------------------------------------
-- Explanatory JSON errors on direct INSERT/UPDATE (before the CHECKs fire)
------------------------------------------------------------------------------

CREATE TRIGGER device_json_check BEFORE INSERT OR UPDATE ON device
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_json_columns_check('state', 'segmentation', 'state_sysinfo', 'elaboration');
CREATE TRIGGER orchestration_nature_json_check BEFORE INSERT OR UPDATE ON orchestration_nature
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_json_columns_check('elaboration');
CREATE TRIGGER orchestration_session_json_check BEFORE INSERT OR UPDATE ON orchestration_session
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_json_columns_check('elaboration', 'args_json', 'diagnostics_json');
CREATE TRIGGER orchestration_session_entry_json_check BEFORE INSERT OR UPDATE ON orchestration_session_entry
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_json_columns_check('elaboration');
CREATE TRIGGER orchestration_session_state_json_check BEFORE INSERT OR UPDATE ON orchestration_session_state
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_json_columns_check('transition_result', 'elaboration');
CREATE TRIGGER orchestration_session_exec_json_check BEFORE INSERT OR UPDATE ON orchestration_session_exec
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_json_columns_check('output_nature', 'elaboration');
CREATE TRIGGER orchestration_session_issue_json_check BEFORE INSERT OR UPDATE ON orchestration_session_issue
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_json_columns_check('elaboration');
CREATE TRIGGER orchestration_session_issue_relation_json_check BEFORE INSERT OR UPDATE ON orchestration_session_issue_relation
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_json_columns_check('elaboration');
CREATE TRIGGER orchestration_session_log_json_check BEFORE INSERT OR UPDATE ON orchestration_session_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_json_columns_check('elaboration');

------------------------------------------------------------------------------
-- A finished session is immutable, whoever writes (functions, psql, ORMs,
-- COPY, any role): its row cannot be updated or deleted, and no row of its
-- history (entries, transitions, execs, issues, issue relations, log lines)
-- can be added, changed, moved in or deleted.  orchestration_session_purge is
-- the one way to remove finished history: whole sessions, with all of it.
-- TRUNCATE is not a row operation and is left to the tables' owner (it needs
-- the TRUNCATE privilege, which writers are not given).
------------------------------------------------------------------------------

CREATE FUNCTION orchestration_session_finished_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'orchestration_session_finished_guard'
    LANGUAGE C;
COMMENT ON FUNCTION orchestration_session_finished_guard() IS
    'trigger: rejects (55000) any UPDATE or DELETE of an orchestration_session row whose orch_finished_at is already set (orchestration_session_purge excepted)';

CREATE TRIGGER orchestration_session_finished_guard BEFORE UPDATE OR DELETE ON orchestration_session
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_finished_guard();

CREATE FUNCTION orchestration_session_history_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'orchestration_session_history_guard'
    LANGUAGE C;
COMMENT ON FUNCTION orchestration_session_history_guard() IS
    'trigger: locks the session of a child row (BEFORE ROW: before the row and its foreign keys) and rejects (55000) adding, changing, moving or deleting a child row of a finished session (orchestration_session_purge excepted), and (42501) writing a child of a session that row-level security hides from the writer';

CREATE TRIGGER orchestration_session_entry_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_entry
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_state_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_state
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_exec_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_exec
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_issue_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_issue
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_issue_relation_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_issue_relation
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_log_history_guard
    AFTER INSERT OR UPDATE OR DELETE ON orchestration_session_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();

-- The session first.  The same guard, BEFORE each row: it locks the row's
-- session before the row is written and before the foreign-key checks lock
-- the parent session, exec or issue, the order in which the lifecycle
-- functions and maintenance lock (the session, then its rows), so direct
-- INSERTs and COPY queue behind them instead of deadlocking.  The AFTER
-- guards above then check the row as stored (a user's BEFORE trigger may
-- change its link), which for a row checked here is a lookup.  The names
-- sort after the JSON checks' (which take no locks), so a malformed row is
-- refused without waiting for its session, as in 1.1.
CREATE TRIGGER orchestration_session_entry_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_entry
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_state_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_state
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_exec_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_exec
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_issue_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_issue
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_issue_relation_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_issue_relation
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();
CREATE TRIGGER orchestration_session_log_session_lock
    BEFORE INSERT OR UPDATE OR DELETE ON orchestration_session_log
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_session_history_guard();

------------------------------------------------------------------------------
-- Seed natures.  The install script seeds upstream's natures; pg_dump keeps
-- every nature row (config dump, below), and a restore re-runs this script
-- before it loads them.  So that a restore gives back the natures as they
-- were, edited or deleted seeds included:
-- - a nature inserted with a seed's id replaces the seed if that is still
--   exactly as seeded (a placeholder), unless it is itself that seed again,
--   freshly inserted (upstream's INSERT ... ON CONFLICT DO NOTHING: a no-op);
-- - deleting a seed records its id in orchestration_nature_seed_removed
--   (also dumped), and loading that row deletes the seed placeholder again.
------------------------------------------------------------------------------

CREATE FUNCTION orchestration_nature_seeds(OUT orchestration_nature_id text, OUT nature text)
RETURNS SETOF record
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    VALUES ('surveilr-transform-csv',  'Transform CSV'),
           ('surveilr-transform-xml',  'Transform XML'),
           ('surveilr-transform-html', 'Transform HTML')
$$;
COMMENT ON FUNCTION orchestration_nature_seeds() IS
    'the natures the extension seeds (upstream surveilr''s): id and label';

INSERT INTO orchestration_nature (orchestration_nature_id, nature)
    SELECT s.orchestration_nature_id, s.nature FROM @extschema@.orchestration_nature_seeds() s;

CREATE TABLE orchestration_nature_seed_removed (
    orchestration_nature_id text PRIMARY KEY NOT NULL,
    removed_at      timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
COMMENT ON TABLE orchestration_nature_seed_removed IS 'Seed natures deleted from orchestration_nature: kept so that a dump/restore does not bring them back';
COMMENT ON COLUMN orchestration_nature_seed_removed.orchestration_nature_id IS 'id of the deleted seed nature';
COMMENT ON COLUMN orchestration_nature_seed_removed.removed_at IS 'when it was deleted';

-- Whether a nature row is a seed exactly as the install script made it.
CREATE FUNCTION orchestration_nature_is_pristine_seed(n @extschema@.orchestration_nature)
RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT EXISTS (SELECT 1 FROM @extschema@.orchestration_nature_seeds() s
                   WHERE s.orchestration_nature_id OPERATOR(pg_catalog.=) n.orchestration_nature_id
                   AND s.nature OPERATOR(pg_catalog.=) n.nature)
       AND n.elaboration IS NULL AND n.created_by OPERATOR(pg_catalog.=) 'UNKNOWN'
       AND n.updated_at IS NULL AND n.updated_by IS NULL AND n.deleted_at IS NULL
       AND n.deleted_by IS NULL AND n.activity_log IS NULL
$$;
COMMENT ON FUNCTION orchestration_nature_is_pristine_seed(orchestration_nature) IS
    'true when the nature row is one of orchestration_nature_seeds() exactly as seeded (created_at aside)';

CREATE FUNCTION orchestration_nature_seed_insert() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    existing @extschema@.orchestration_nature;
BEGIN
    SELECT * INTO existing FROM @extschema@.orchestration_nature n
    WHERE n.orchestration_nature_id OPERATOR(pg_catalog.=) NEW.orchestration_nature_id;
    IF FOUND AND @extschema@.orchestration_nature_is_pristine_seed(existing) THEN
        IF @extschema@.orchestration_nature_is_pristine_seed(NEW)
           AND NEW.created_at OPERATOR(pg_catalog.=) CURRENT_TIMESTAMP THEN
            RETURN NULL;        -- the seed, seeded again: it is already there
        END IF;
        DELETE FROM @extschema@.orchestration_nature n
        WHERE n.orchestration_nature_id OPERATOR(pg_catalog.=) NEW.orchestration_nature_id;
    END IF;
    -- A seed inserted again is no longer removed.
    DELETE FROM @extschema@.orchestration_nature_seed_removed r
    WHERE r.orchestration_nature_id OPERATOR(pg_catalog.=) NEW.orchestration_nature_id;
    RETURN NEW;
END
$fn$;
COMMENT ON FUNCTION orchestration_nature_seed_insert() IS
    'trigger: a nature inserted with the id of a seed still as seeded replaces it (how a restore gives edited seeds back)';

CREATE FUNCTION orchestration_nature_seed_delete() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM @extschema@.orchestration_nature_seeds() s
               WHERE s.orchestration_nature_id OPERATOR(pg_catalog.=) OLD.orchestration_nature_id) THEN
        INSERT INTO @extschema@.orchestration_nature_seed_removed (orchestration_nature_id)
        VALUES (OLD.orchestration_nature_id) ON CONFLICT (orchestration_nature_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION orchestration_nature_seed_delete() IS
    'trigger: records a deleted seed nature in orchestration_nature_seed_removed';

CREATE FUNCTION orchestration_nature_seed_removed_insert() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    DELETE FROM @extschema@.orchestration_nature n
    WHERE n.orchestration_nature_id OPERATOR(pg_catalog.=) NEW.orchestration_nature_id
    AND @extschema@.orchestration_nature_is_pristine_seed(n);
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION orchestration_nature_seed_removed_insert() IS
    'trigger: a removed seed recorded (e.g. by a restore) deletes the seed placeholder the install script made';

CREATE TRIGGER orchestration_nature_seed_insert BEFORE INSERT ON orchestration_nature
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_nature_seed_insert();
CREATE TRIGGER orchestration_nature_seed_delete AFTER DELETE ON orchestration_nature
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_nature_seed_delete();
CREATE TRIGGER orchestration_nature_seed_removed_insert AFTER INSERT ON orchestration_nature_seed_removed
    FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_nature_seed_removed_insert();

------------------------------------------------------------------------------
-- Session lifecycle (C over SPI).  Not STRICT: a NULL where a value is
-- required raises 22004 instead of silently returning NULL.
------------------------------------------------------------------------------

CREATE FUNCTION orchestration_device_ensure(
    name text,
    state text DEFAULT '"SINGLETON"',
    boundary text DEFAULT '',
    state_sysinfo text DEFAULT NULL,
    elaboration text DEFAULT NULL,
    device_id text DEFAULT NULL)
RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_device_ensure'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_device_ensure(text, text, text, text, text, text) IS
    'the device_id for (name, state, boundary), creating the device if missing (safe under concurrency); an existing device is returned unchanged';

CREATE FUNCTION orchestration_nature_ensure(
    nature_id text,
    nature text,
    elaboration text DEFAULT NULL)
RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_nature_ensure'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_nature_ensure(text, text, text) IS
    'the nature id, creating the nature if missing; raises 23505 if the id exists with a different label';

CREATE FUNCTION orchestration_session_start(
    device_id text,
    nature_id text,
    version text,
    args_json text DEFAULT NULL,
    elaboration text DEFAULT NULL,
    session_id text DEFAULT NULL)
RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_session_start'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_session_start(text, text, text, text, text, text) IS
    'starts a session (orch_started_at = wall clock) and returns its id (a new ULID unless session_id is given)';

CREATE FUNCTION orchestration_session_add_entry(
    session_id text,
    ingest_src text,
    ingest_table_name text DEFAULT NULL,
    elaboration text DEFAULT NULL,
    entry_id text DEFAULT NULL)
RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_session_add_entry'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_session_add_entry(text, text, text, text, text) IS
    'records a file, script or URI processed by an open session and returns the entry id';

CREATE FUNCTION orchestration_session_transition(
    session_id text,
    to_state text,
    reason text DEFAULT NULL,
    result_json text DEFAULT NULL,
    session_entry_id text DEFAULT NULL,
    elaboration text DEFAULT NULL,
    state_id text DEFAULT NULL)
RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_session_transition'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_session_transition(text, text, text, text, text, text, text) IS
    'records a state transition of an open session from its latest state (INITIAL for the first) to to_state; concurrent callers form one chain; returns the transition id';

CREATE FUNCTION orchestration_session_record_exec(
    session_id text,
    exec_nature text,
    exec_code text,
    exec_status integer,
    session_entry_id text DEFAULT NULL,
    parent_exec_id text DEFAULT NULL,
    namespace text DEFAULT NULL,
    exec_identity text DEFAULT NULL,
    input_text text DEFAULT NULL,
    exec_error_text text DEFAULT NULL,
    output_text text DEFAULT NULL,
    output_nature text DEFAULT NULL,
    narrative_md text DEFAULT NULL,
    elaboration text DEFAULT NULL,
    exec_id text DEFAULT NULL)
RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_session_record_exec'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_session_record_exec(text, text, text, integer, text, text, text, text, text, text, text, text, text, text, text) IS
    'records a command, SQL script or other execution of an open session and returns the exec id';

CREATE FUNCTION orchestration_session_raise_issue(
    session_id text,
    issue_type text,
    issue_message text,
    session_entry_id text DEFAULT NULL,
    issue_row integer DEFAULT NULL,
    issue_column text DEFAULT NULL,
    invalid_value text DEFAULT NULL,
    remediation text DEFAULT NULL,
    elaboration text DEFAULT NULL,
    issue_id text DEFAULT NULL)
RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_session_raise_issue'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_session_raise_issue(text, text, text, text, integer, text, text, text, text, text) IS
    'records an error or warning found by an open session and returns the issue id';

CREATE FUNCTION orchestration_session_append_log(
    exec_id text,
    content text,
    category text DEFAULT NULL,
    sibling_order integer DEFAULT NULL,
    elaboration text DEFAULT NULL,
    log_id text DEFAULT NULL)
RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_session_append_log'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_session_append_log(text, text, text, integer, text, text) IS
    'appends a log line to an execution of an open session; sibling_order defaults to the next number for that execution; returns the log id';

CREATE FUNCTION orchestration_session_finish(
    session_id text,
    diagnostics_json text DEFAULT NULL,
    diagnostics_md text DEFAULT NULL)
RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'orchestration_session_finish'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_session_finish(text, text, text) IS
    'finishes an open session exactly once (orch_finished_at = wall clock at the call) and returns the finish time';

------------------------------------------------------------------------------
-- Operations: stuck sessions, retention (C over SPI)
------------------------------------------------------------------------------

CREATE FUNCTION orchestration_session_abandon(
    older_than interval,
    reason text DEFAULT 'abandoned',
    only_dead_backends boolean DEFAULT false)
RETURNS bigint
    AS 'MODULE_PATHNAME', 'orchestration_session_abandon'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_session_abandon(interval, text, boolean) IS
    'finishes every open session started before now() - older_than (with only_dead_backends: only those whose starting backend, matched by pid and backend_start, is gone from pg_stat_activity) with a final transition to "abandoned"; sessions locked by a live writer are skipped (SKIP LOCKED); returns how many it finished';

CREATE FUNCTION orchestration_session_purge(
    older_than interval,
    batch_size integer DEFAULT 10000,
    max_batches integer DEFAULT NULL)
RETURNS bigint
    AS 'MODULE_PATHNAME', 'orchestration_session_purge'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION orchestration_session_purge(interval, integer, integer) IS
    'deletes finished sessions with orch_finished_at < now() - older_than and all their children, batch_size sessions per group of statements, until none is left (or max_batches batches), all in the calling transaction (locks are held until it ends); open sessions are never purged; returns how many sessions it deleted';

-- One batch per transaction.  No SET search_path (a procedure with one
-- cannot COMMIT): every name and operator is qualified instead.
CREATE PROCEDURE orchestration_session_purge_batches(
    older_than interval,
    batch_size integer DEFAULT 10000)
LANGUAGE plpgsql AS $$
DECLARE
    deleted bigint;
BEGIN
    LOOP
        deleted := @extschema@.orchestration_session_purge(older_than, batch_size, 1);
        COMMIT;
        EXIT WHEN deleted OPERATOR(pg_catalog.=) 0;
    END LOOP;
END $$;
COMMENT ON PROCEDURE orchestration_session_purge_batches(interval, integer) IS
    'orchestration_session_purge one batch per transaction (COMMIT after each), until none is left; locks last one batch; CALL it outside a transaction block; the horizon now() - older_than moves with each transaction';

------------------------------------------------------------------------------
-- Reporting: the status of a diagnostics document
------------------------------------------------------------------------------

-- The top-level "status" string of a diagnostics document (C: json_status.c).
-- It answers for any document json_valid accepts, at any depth (iterative,
-- linear), and is NULL where the json type would fail (a lone surrogate
-- escape, \u0000), so one row never breaks a report for everyone.
CREATE FUNCTION orchestration_diagnostics_status(doc text) RETURNS text
    AS 'MODULE_PATHNAME', 'orchestration_diagnostics_status'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION orchestration_diagnostics_status(text) IS
    'the top-level "status" string of a diagnostics JSON document; NULL when absent, not a string, not an object, not JSON, or not representable as text (a lone surrogate escape, \u0000); any depth';

------------------------------------------------------------------------------
-- Reporting views.  Every operator and function is qualified (a view keeps
-- what its definition resolved to when it was created).  From PostgreSQL 15
-- they are security_invoker views: a reader sees what the tables' privileges
-- and row-level security let that reader see.  On 13 and 14 a view reads
-- the tables with its owner's rights: grant SELECT on the views only to
-- roles that may see every session.
-- None takes a name upstream surveilr uses for its own views (its web UI
-- creates orchestration_session_summary, orchestration_session_by_device, ...).
------------------------------------------------------------------------------

CREATE VIEW orchestration_session_overview AS
SELECT s.orchestration_session_id,
       s.device_id,
       d.name AS device_name,
       s.orchestration_nature_id,
       n.nature,
       s.version,
       s.orch_started_at,
       s.orch_finished_at,
       s.orch_finished_at OPERATOR(pg_catalog.-) s.orch_started_at AS duration,
       l.latest_state,
       CASE
           WHEN s.orch_finished_at IS NULL THEN 'running'
           WHEN j.diagnostics_status OPERATOR(pg_catalog.=) 'abandoned'
                OR l.latest_state OPERATOR(pg_catalog.=) 'abandoned' THEN 'abandoned'
           WHEN j.diagnostics_status OPERATOR(pg_catalog.=) 'failed'
                OR l.latest_state OPERATOR(pg_catalog.~~*) '%fail%' THEN 'failed'
           ELSE 'completed'
       END AS status,
       ce.entries,
       cx.execs,
       cx.failed_execs,
       ci.issues
FROM @extschema@.orchestration_session s
JOIN @extschema@.device d ON d.device_id OPERATOR(pg_catalog.=) s.device_id
JOIN @extschema@.orchestration_nature n
  ON n.orchestration_nature_id OPERATOR(pg_catalog.=) s.orchestration_nature_id
CROSS JOIN LATERAL (
    SELECT @extschema@.orchestration_diagnostics_status(s.diagnostics_json) AS diagnostics_status) j
LEFT JOIN LATERAL (
    SELECT st.to_state AS latest_state
    FROM @extschema@.orchestration_session_state st
    WHERE st.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id
    ORDER BY st.transitioned_at DESC, st.orchestration_session_state_id DESC
    LIMIT 1) l ON true
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS entries FROM @extschema@.orchestration_session_entry e
    WHERE e.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id) ce
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS execs,
           pg_catalog.count(*) FILTER (WHERE x.exec_status OPERATOR(pg_catalog.<>) 0) AS failed_execs
    FROM @extschema@.orchestration_session_exec x
    WHERE x.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id) cx
CROSS JOIN LATERAL (
    SELECT pg_catalog.count(*) AS issues FROM @extschema@.orchestration_session_issue i
    WHERE i.session_id OPERATOR(pg_catalog.=) s.orchestration_session_id) ci;

COMMENT ON VIEW orchestration_session_overview IS
    'one row per session: device, nature, duration, latest state, status and counts of entries, execs, failed execs and issues';
COMMENT ON COLUMN orchestration_session_overview.duration IS 'orch_finished_at - orch_started_at; NULL while the session is open';
COMMENT ON COLUMN orchestration_session_overview.latest_state IS 'to_state of the latest transition (by transitioned_at, then id); NULL when none';
COMMENT ON COLUMN orchestration_session_overview.status IS 'running (open); abandoned (diagnostics_json status "abandoned" or latest state "abandoned"); failed (diagnostics_json status "failed" or latest state ILIKE ''%fail%''); else completed.  Failed execs alone do not make a session failed';
COMMENT ON COLUMN orchestration_session_overview.failed_execs IS 'execs with exec_status <> 0';

CREATE VIEW orchestration_session_stats_daily AS
SELECT pg_catalog.timezone('UTC'::text, orch_started_at)::date AS day,
       orchestration_nature_id,
       device_id,
       pg_catalog.count(*) AS sessions,
       pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'completed') AS completed,
       pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'failed') AS failed,
       pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'abandoned') AS abandoned,
       pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'running') AS running,
       pg_catalog.round(
           pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.=) 'completed')::numeric
           OPERATOR(pg_catalog./)
           CASE WHEN pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.<>) 'running')
                     OPERATOR(pg_catalog.=) 0 THEN NULL
                ELSE pg_catalog.count(*) FILTER (WHERE status OPERATOR(pg_catalog.<>) 'running')
           END::numeric, 4) AS success_rate,
       pg_catalog.avg(duration) AS avg_duration,
       pg_catalog.percentile_cont(0.5) WITHIN GROUP (ORDER BY duration) AS p50_duration,
       pg_catalog.percentile_cont(0.95) WITHIN GROUP (ORDER BY duration) AS p95_duration
FROM @extschema@.orchestration_session_overview
GROUP BY 1, 2, 3;

COMMENT ON VIEW orchestration_session_stats_daily IS
    'sessions per day of orch_started_at (UTC), nature and device: counts by status, success rate and durations of the finished ones';
COMMENT ON COLUMN orchestration_session_stats_daily.day IS 'the UTC date of orch_started_at';
COMMENT ON COLUMN orchestration_session_stats_daily.success_rate IS 'completed / finished (completed + failed + abandoned), 4 decimals; NULL when none finished';
COMMENT ON COLUMN orchestration_session_stats_daily.avg_duration IS 'mean duration of the finished sessions (open ones are ignored)';
COMMENT ON COLUMN orchestration_session_stats_daily.p50_duration IS 'median duration of the finished sessions (interpolated)';
COMMENT ON COLUMN orchestration_session_stats_daily.p95_duration IS '95th percentile duration of the finished sessions (interpolated)';

CREATE VIEW orchestration_session_issue_summary AS
SELECT i.issue_type,
       pg_catalog.count(*) AS issues,
       pg_catalog.count(DISTINCT i.session_id) AS sessions_affected,
       pg_catalog.min(s.orch_started_at) AS first_seen,
       pg_catalog.max(s.orch_started_at) AS last_seen
FROM @extschema@.orchestration_session_issue i
JOIN @extschema@.orchestration_session s
  ON s.orchestration_session_id OPERATOR(pg_catalog.=) i.session_id
GROUP BY i.issue_type;

COMMENT ON VIEW orchestration_session_issue_summary IS
    'issues by type: how many, in how many sessions, first and last seen';
COMMENT ON COLUMN orchestration_session_issue_summary.first_seen IS 'issues carry no time of their own: orch_started_at of the earliest session that raised one of this type';
COMMENT ON COLUMN orchestration_session_issue_summary.last_seen IS 'orch_started_at of the latest session that raised one of this type';

-- security_invoker exists from 15 on.
DO $invoker$
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer OPERATOR(pg_catalog.>=) 150000 THEN
        ALTER VIEW @extschema@.orchestration_session_overview SET (security_invoker = true);
        ALTER VIEW @extschema@.orchestration_session_stats_daily SET (security_invoker = true);
        ALTER VIEW @extschema@.orchestration_session_issue_summary SET (security_invoker = true);
    END IF;
END
$invoker$;

------------------------------------------------------------------------------
-- Large text columns (JSON documents, outputs, logs) are compressed with lz4
-- when the server supports it (PostgreSQL 14+ built --with-lz4): TOAST
-- compression with pglz was the largest single cost of a session lifecycle
-- carrying ~8 KB of diagnostics.  Elsewhere the default compression stays.
------------------------------------------------------------------------------

DO $lz4$
DECLARE
    col record;
BEGIN
    IF pg_catalog.current_setting('server_version_num')::integer OPERATOR(pg_catalog.<) 140000 THEN
        RETURN;
    END IF;
    FOR col IN SELECT * FROM (VALUES
            ('orchestration_session', 'elaboration'), ('orchestration_session', 'args_json'),
            ('orchestration_session', 'diagnostics_json'), ('orchestration_session', 'diagnostics_md'),
            ('orchestration_session_exec', 'input_text'), ('orchestration_session_exec', 'exec_error_text'),
            ('orchestration_session_exec', 'output_text'), ('orchestration_session_exec', 'narrative_md'),
            ('orchestration_session_log', 'content')) AS c(tbl, colname)
    LOOP
        BEGIN
            EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I ALTER COLUMN %I SET COMPRESSION lz4',
                                      col.tbl, col.colname);
        EXCEPTION WHEN feature_not_supported THEN
            RETURN;     -- server built without lz4: keep pglz everywhere
        END;
    END LOOP;
END
$lz4$;

------------------------------------------------------------------------------
-- pg_dump keeps every row of every table, the seed natures included (with
-- their edits; orchestration_nature_seed_removed keeps deleted seeds deleted).
------------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('device', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_nature', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_nature_seed_removed', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_session', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_session_entry', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_session_state', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_session_exec', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_session_issue', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_session_issue_relation', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_session_log', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_session_backend', '');

------------------------------------------------------------------------------
-- Entry points no caller needs: the trigger functions (attaching them to
-- other tables is refused anyway).  orchestration_session_backend is written
-- only by the extension's C code, as the table's owner: grant writers SELECT
-- on it, never INSERT, UPDATE or DELETE (see README, Privileges).
------------------------------------------------------------------------------

REVOKE ALL ON FUNCTION orchestration_json_columns_check() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_session_finished_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_session_history_guard() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_nature_seed_insert() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_nature_seed_delete() FROM PUBLIC;
REVOKE ALL ON FUNCTION orchestration_nature_seed_removed_insert() FROM PUBLIC;

------------------------------------------------------------------------------
-- Edge-to-central fan-in on PostgreSQL's logical replication (README:
-- Fan-in).  On each edge, orchestration_fanin_publish() creates the
-- publication; on the central, orchestration_fanin_prepare_central()
-- enables the merge rules for the apply workers, and each edge is one
-- CREATE SUBSCRIPTION <edge name> ... PUBLICATION orchestration_session_fanin.
-- The bookkeeping tables below are written on the central only, by the
-- merge trigger (fanin.c), as the tables' owner.
------------------------------------------------------------------------------

CREATE TABLE orchestration_fanin_session_edge (
    session_id  varchar PRIMARY KEY NOT NULL,
    edge        text NOT NULL,
    arrived_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX orchestration_fanin_session_edge_edge_idx ON orchestration_fanin_session_edge (edge);
COMMENT ON TABLE orchestration_fanin_session_edge IS
    'fan-in central: the edge (subscription name) each replicated session came from; sessions not listed are the central''s own';
COMMENT ON COLUMN orchestration_fanin_session_edge.edge IS 'name of the subscription that brought the session';
COMMENT ON COLUMN orchestration_fanin_session_edge.arrived_at IS 'when the session first arrived';

CREATE TABLE orchestration_fanin_device_alias (
    edge              text NOT NULL,
    device_id         varchar NOT NULL,
    central_device_id varchar NOT NULL,
    aliased_at        timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (edge, device_id)
);
COMMENT ON TABLE orchestration_fanin_device_alias IS
    'fan-in central: an edge''s device id whose (name, state, boundary) is a device already here; that edge''s sessions use central_device_id';

CREATE TABLE orchestration_fanin_conflict (
    edge          text NOT NULL,
    table_name    text NOT NULL,
    row_id        text NOT NULL,
    operation     text NOT NULL CHECK (operation OPERATOR(pg_catalog.=) ANY (ARRAY['INSERT', 'UPDATE', 'DELETE'])),
    owner_edge    text,
    detail        text NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_seen_at  timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP,
    occurrences   bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (edge, table_name, row_id, operation)
);
COMMENT ON TABLE orchestration_fanin_conflict IS
    'fan-in central: changes from an edge that were skipped because the row (or its session) belongs to another edge or to the central: ids that really collide';
COMMENT ON COLUMN orchestration_fanin_conflict.owner_edge IS 'the edge the row here belongs to; NULL when it is the central''s own or a device';

CREATE FUNCTION orchestration_fanin_merge() RETURNS trigger
    AS 'MODULE_PATHNAME', 'orchestration_fanin_merge'
    LANGUAGE C;
COMMENT ON FUNCTION orchestration_fanin_merge() IS
    'trigger (fan-in central, apply workers only): merges natures and devices shared by edges, keeps every session with the edge that sent it, records what collides';
REVOKE ALL ON FUNCTION orchestration_fanin_merge() FROM PUBLIC;

-- Disabled until orchestration_fanin_prepare_central() enables them (ENABLE REPLICA).
DO $merge$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['device', 'orchestration_nature', 'orchestration_session',
                             'orchestration_session_entry', 'orchestration_session_state',
                             'orchestration_session_exec', 'orchestration_session_issue',
                             'orchestration_session_issue_relation', 'orchestration_session_log']
    LOOP
        EXECUTE pg_catalog.format('CREATE TRIGGER orchestration_fanin_merge BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.%I'
                                  ' FOR EACH ROW EXECUTE FUNCTION @extschema@.orchestration_fanin_merge()', t);
        EXECUTE pg_catalog.format('ALTER TABLE @extschema@.%I DISABLE TRIGGER orchestration_fanin_merge', t);
    END LOOP;
END
$merge$;

-- The tables an edge publishes, parents first (orchestration_session_backend
-- is an edge's own: which backend runs a session there).
CREATE FUNCTION orchestration_fanin_tables() RETURNS SETOF regclass
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT t::pg_catalog.regclass FROM pg_catalog.unnest(ARRAY[
        '@extschema@.device', '@extschema@.orchestration_nature', '@extschema@.orchestration_session',
        '@extschema@.orchestration_session_entry', '@extschema@.orchestration_session_state',
        '@extschema@.orchestration_session_exec', '@extschema@.orchestration_session_issue',
        '@extschema@.orchestration_session_issue_relation', '@extschema@.orchestration_session_log']) t
$$;
COMMENT ON FUNCTION orchestration_fanin_tables() IS
    'the tables an edge publishes to its central, parents first';

CREATE FUNCTION orchestration_fanin_publish() RETURNS name
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    tables text;
BEGIN
    SELECT pg_catalog.string_agg(t::pg_catalog.text, ', ') INTO tables
    FROM @extschema@.orchestration_fanin_tables() t;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_publication
               WHERE pubname OPERATOR(pg_catalog.=) 'orchestration_session_fanin') THEN
        EXECUTE 'ALTER PUBLICATION orchestration_session_fanin SET TABLE ' OPERATOR(pg_catalog.||) tables;
        ALTER PUBLICATION orchestration_session_fanin SET (publish = 'insert, update, delete');
    ELSE
        -- No TRUNCATE: a TRUNCATE on one edge must not empty the central.
        EXECUTE 'CREATE PUBLICATION orchestration_session_fanin FOR TABLE ' OPERATOR(pg_catalog.||) tables
             OPERATOR(pg_catalog.||) ' WITH (publish = ''insert, update, delete'')';
    END IF;
    IF pg_catalog.current_setting('wal_level') OPERATOR(pg_catalog.<>) 'logical' THEN
        RAISE WARNING 'wal_level is "%": the central will receive nothing until it is "logical"',
                      pg_catalog.current_setting('wal_level')
            USING HINT = 'ALTER SYSTEM SET wal_level = logical, then restart the server.';
    END IF;
    RETURN 'orchestration_session_fanin';
END
$fn$;
COMMENT ON FUNCTION orchestration_fanin_publish() IS
    'edge: creates, or brings up to date, the publication orchestration_session_fanin of every table the central needs (insert, update, delete; no truncate); safe to call again';
REVOKE ALL ON FUNCTION orchestration_fanin_publish() FROM PUBLIC;

CREATE FUNCTION orchestration_fanin_prepare_central() RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    t pg_catalog.regclass;
BEGIN
    FOR t IN SELECT * FROM @extschema@.orchestration_fanin_tables() LOOP
        EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE REPLICA TRIGGER orchestration_fanin_merge', t);
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION orchestration_fanin_prepare_central() IS
    'central: enables the fan-in merge rules for the apply workers (any number of edges, each one CREATE SUBSCRIPTION ... PUBLICATION orchestration_session_fanin); safe to call again';
REVOKE ALL ON FUNCTION orchestration_fanin_prepare_central() FROM PUBLIC;

-- How far a fan-in subscription has applied its edge's WAL (the replication
-- origin's progress).  pg_replication_origin_status is for superusers only;
-- this shows its one column for the fan-in subscriptions, to anyone (as
-- pg_stat_subscription shows the received position).
CREATE FUNCTION orchestration_fanin_applied_lsn(subscription oid) RETURNS pg_lsn
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT o.remote_lsn FROM pg_catalog.pg_subscription s
    JOIN pg_catalog.pg_replication_origin_status o
      ON o.external_id OPERATOR(pg_catalog.=) ('pg_' OPERATOR(pg_catalog.||) s.oid::pg_catalog.text)
    WHERE s.oid OPERATOR(pg_catalog.=) subscription
      AND 'orchestration_session_fanin' OPERATOR(pg_catalog.=) ANY (s.subpublications)
$$;
COMMENT ON FUNCTION orchestration_fanin_applied_lsn(oid) IS
    'fan-in central: the edge WAL position a subscription of orchestration_session_fanin has applied (its replication origin''s remote_lsn)';

-- One row per subscription of the fan-in publication (an edge), on the central.
-- Reading it is granted to pg_monitor.
DO $status$
DECLARE
    v integer := pg_catalog.current_setting('server_version_num')::integer;
    stats text := 'NULL::bigint AS apply_error_count, NULL::bigint AS sync_error_count';
    stats_join text := '';
    leader text := '';
BEGIN
    IF v OPERATOR(pg_catalog.>=) 150000 THEN
        stats := 'st.apply_error_count, st.sync_error_count';
        stats_join := ' LEFT JOIN pg_catalog.pg_stat_subscription_stats st ON st.subid OPERATOR(pg_catalog.=) s.oid';
    END IF;
    IF v OPERATOR(pg_catalog.>=) 160000 THEN
        leader := ' AND w.leader_pid IS NULL';     -- parallel apply workers (16+) also have no relid
    END IF;
    EXECUTE pg_catalog.format($view$
CREATE VIEW @extschema@.orchestration_fanin_status AS
SELECT s.subname AS edge,
       s.subenabled AS enabled,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_subscription_rel r
         WHERE r.srsubid OPERATOR(pg_catalog.=) s.oid AND r.srsubstate OPERATOR(pg_catalog.=) 'r') AS tables_ready,
       (SELECT pg_catalog.count(*) FROM pg_catalog.pg_subscription_rel r
         WHERE r.srsubid OPERATOR(pg_catalog.=) s.oid) AS tables_total,
       w.pid AS apply_pid,
       w.received_lsn,
       CASE WHEN o.remote_lsn OPERATOR(pg_catalog.<>) '0/0'::pg_catalog.pg_lsn THEN o.remote_lsn END AS applied_lsn,
       w.latest_end_lsn AS edge_wal_end_lsn,
       CASE WHEN w.latest_end_lsn IS NULL OR o.remote_lsn IS NULL
                 OR o.remote_lsn OPERATOR(pg_catalog.=) '0/0'::pg_catalog.pg_lsn THEN NULL
            WHEN w.latest_end_lsn OPERATOR(pg_catalog.>) o.remote_lsn
            THEN w.latest_end_lsn OPERATOR(pg_catalog.-) o.remote_lsn
            ELSE 0 END AS lag_bytes,
       w.last_msg_receipt_time OPERATOR(pg_catalog.-) w.last_msg_send_time AS lag,
       w.last_msg_receipt_time AS last_message_at,
       %s,
       c.conflicts,
       c.last_conflict,
       c.last_conflict_at,
       CASE WHEN NOT s.subenabled THEN 'subscription disabled: ALTER SUBSCRIPTION ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(s.subname) OPERATOR(pg_catalog.||) ' ENABLE'
            WHEN w.pid IS NULL THEN 'no apply worker running: see the server log of the central for its last error'
            WHEN c.last_conflict IS NOT NULL THEN c.last_conflict
            END AS last_error
FROM pg_catalog.pg_subscription s
LEFT JOIN pg_catalog.pg_stat_subscription w
       ON w.subid OPERATOR(pg_catalog.=) s.oid AND w.relid IS NULL%s
LEFT JOIN LATERAL (SELECT @extschema@.orchestration_fanin_applied_lsn(s.oid) AS remote_lsn) o ON true%s
LEFT JOIN LATERAL (
    SELECT pg_catalog.count(*) AS conflicts,
           (pg_catalog.array_agg(k.operation OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) k.table_name
                OPERATOR(pg_catalog.||) ' "' OPERATOR(pg_catalog.||) k.row_id OPERATOR(pg_catalog.||) '": '
                OPERATOR(pg_catalog.||) k.detail ORDER BY k.last_seen_at DESC))[1] AS last_conflict,
           pg_catalog.max(k.last_seen_at) AS last_conflict_at
    FROM @extschema@.orchestration_fanin_conflict k
    WHERE k.edge OPERATOR(pg_catalog.=) s.subname::pg_catalog.text) c ON true
WHERE s.subdbid OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                                        WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
  AND 'orchestration_session_fanin' OPERATOR(pg_catalog.=) ANY (s.subpublications)
$view$, stats, leader, stats_join);
END
$status$;
COMMENT ON VIEW orchestration_fanin_status IS
    'fan-in central: one row per edge subscription: enabled, table-sync progress, received and applied position, lag, error counts, conflicts and the last error to act on';
COMMENT ON COLUMN orchestration_fanin_status.edge IS 'the subscription (its name is the edge''s name)';
COMMENT ON COLUMN orchestration_fanin_status.tables_ready IS 'tables whose initial copy is done (pg_subscription_rel state r), of tables_total';
COMMENT ON COLUMN orchestration_fanin_status.applied_lsn IS 'the edge''s WAL position applied here (the replication origin''s progress)';
COMMENT ON COLUMN orchestration_fanin_status.edge_wal_end_lsn IS 'the edge''s WAL end as it last reported it';
COMMENT ON COLUMN orchestration_fanin_status.lag_bytes IS 'edge_wal_end_lsn - applied_lsn: edge WAL beyond the last edge transaction applied here (an idle edge''s other WAL counts too: read it with lag)';
COMMENT ON COLUMN orchestration_fanin_status.lag IS 'how late the central read the newest message of the edge: its receipt time minus the edge''s send time';
COMMENT ON COLUMN orchestration_fanin_status.last_error IS 'what to act on: a disabled subscription, a missing apply worker, or the latest conflict';
REVOKE ALL ON orchestration_fanin_status FROM PUBLIC;
GRANT SELECT ON orchestration_fanin_status TO pg_monitor;

SELECT pg_catalog.pg_extension_config_dump('orchestration_fanin_session_edge', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_fanin_device_alias', '');
SELECT pg_catalog.pg_extension_config_dump('orchestration_fanin_conflict', '');
