-- The practice diary: schedules, their slots, and appointments.
CREATE TABLE schedules (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);

-- Slots are read in bulk by every search, so they are plain columns (no JSON to decode);
-- times are Unix seconds.
CREATE TABLE slots (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    schedule_id TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    delivery_channel TEXT NOT NULL,
    bookable INTEGER NOT NULL,
    restricted_types TEXT NOT NULL,
    restricted_ods TEXT NOT NULL,
    service_type TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);
CREATE INDEX slots_by_start ON slots (practice, start_time);

CREATE TABLE appointments (
    practice TEXT NOT NULL,
    id TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    start_utc TEXT NOT NULL,
    status TEXT NOT NULL,
    version TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (practice, id)
);
CREATE INDEX appointments_by_patient ON appointments (practice, patient_id, start_utc);
CREATE INDEX appointments_by_start ON appointments (practice, start_utc);
