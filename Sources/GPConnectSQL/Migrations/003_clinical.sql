-- The clinical record: each item once, with the columns the structured filters read beside its
-- FHIR body. Lists and bundles are views computed per request, never stored.
CREATE TABLE clinical_items (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT,
    start_date TEXT,
    end_date TEXT,
    confidentiality TEXT NOT NULL,
    -- The references the resource makes, space-separated: links without parsing the body.
    refs TEXT NOT NULL,
    resource TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);
-- Covers the one query a record view makes (a patient's items in id order); without `id`
-- the planner walks the primary key of the whole practice instead.
CREATE INDEX clinical_items_by_patient ON clinical_items (practice, patient_id, id);

-- Per-patient record state that produces list warnings (record in transit, awaiting filing).
CREATE TABLE clinical_record_states (
    practice TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, patient_id)
);

-- Clinical areas a practice has switched off.
CREATE TABLE clinical_area_settings (
    practice TEXT NOT NULL,
    area TEXT NOT NULL,
    PRIMARY KEY (practice, area)
);
