-- Tasks between federated practices: each row is a task the practice owns, as its record (JSON)
-- beside the columns the inbox and the requester's polling search read. Times are Unix seconds.
CREATE TABLE tasks (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    requester_ods TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    status TEXT NOT NULL,
    last_modified BIGINT NOT NULL,
    version TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);
CREATE INDEX tasks_by_requester ON tasks (practice, requester_ods, last_modified);
CREATE INDEX tasks_by_status ON tasks (practice, status, last_modified);
