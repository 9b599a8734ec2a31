-- Access Document: each document's latest version (metadata as JSON beside the columns lookups
-- use), and the bytes of every version in chunks, in the same database as the rest of the record
-- so a backup is one thing. BYTEA is PostgreSQL's binary type; SQLite accepts the name and keeps
-- the blobs bound to it as blobs.
CREATE TABLE documents (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    version TEXT NOT NULL,
    binary_id TEXT,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);
CREATE INDEX documents_by_patient ON documents (practice, patient_id);
CREATE UNIQUE INDEX documents_by_binary ON documents (practice, binary_id);

CREATE TABLE document_chunks (
    practice TEXT NOT NULL,
    binary_id TEXT NOT NULL,
    chunk INTEGER NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (practice, binary_id, chunk)
);
