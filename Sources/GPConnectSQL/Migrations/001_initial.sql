-- Practices hosted by this deployment, and each practice's directory.
CREATE TABLE practices (
    ods TEXT PRIMARY KEY,
    asid TEXT NOT NULL,
    record TEXT NOT NULL
);

CREATE TABLE organizations (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    ods TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);
CREATE INDEX organizations_by_ods ON organizations (practice, ods);

CREATE TABLE practitioners (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    sds_user_id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);
CREATE INDEX practitioners_by_sds_user_id ON practitioners (practice, sds_user_id);

CREATE TABLE locations (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);

-- The patient index: one row per patient per practice; an NHS number appears once per practice.
CREATE TABLE patients (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    nhs_number TEXT NOT NULL,
    version TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, id),
    UNIQUE (practice, nhs_number)
);

-- Per-practice counters for new logical ids.
CREATE TABLE id_sequences (
    practice TEXT NOT NULL,
    kind TEXT NOT NULL,
    next BIGINT NOT NULL,
    PRIMARY KEY (practice, kind)
);

-- The national demographics stand-in (PDS), seeded from the registration pool.
CREATE TABLE demographics (
    nhs_number TEXT PRIMARY KEY,
    record TEXT NOT NULL
);

-- Append-only, hash-chained audit trail.
CREATE TABLE audit_events (
    sequence BIGINT PRIMARY KEY,
    time TEXT NOT NULL,
    trace_id TEXT,
    practice TEXT,
    interaction TEXT,
    status INTEGER NOT NULL,
    spine_code TEXT,
    event TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_by_trace_id ON audit_events (trace_id);
