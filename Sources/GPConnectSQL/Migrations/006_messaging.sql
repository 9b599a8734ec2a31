-- Send Document over MESH: every message collected from a practice's mailbox, stored before it is
-- acknowledged on MESH (its content beside its record until finished), the ITK identities claimed
-- (one MESH message per MessageHeader id + document identifier: a copy under another MESH id is a
-- duplicate), and the practice workflow of documents awaiting review. Times are Unix seconds.
CREATE TABLE mesh_messages (
    practice TEXT NOT NULL,
    mesh_id TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    received BIGINT NOT NULL,
    record TEXT NOT NULL,
    content BYTEA,
    PRIMARY KEY (practice, mesh_id)
);
CREATE INDEX mesh_messages_by_state ON mesh_messages (practice, state, received);

CREATE TABLE mesh_itk_claims (
    practice TEXT NOT NULL,
    itk_key TEXT NOT NULL,
    mesh_id TEXT NOT NULL,
    PRIMARY KEY (practice, itk_key)
);

CREATE TABLE workflow_items (
    practice TEXT NOT NULL,
    document_id TEXT NOT NULL,
    received BIGINT NOT NULL,
    reviewed BIGINT,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, document_id)
);
CREATE INDEX workflow_items_by_review ON workflow_items (practice, reviewed, received);
