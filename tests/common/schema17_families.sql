CREATE TABLE places17 (
    id            TEXT PRIMARY KEY,
    origin        INTEGER NOT NULL REFERENCES ids (key),
    vv            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER NOT NULL REFERENCES ids (key),
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code   TEXT NOT NULL REFERENCES regions (code),
    name          TEXT NOT NULL,
    address       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    lat           REAL,
    lon           REAL,
    owner_name    TEXT,
    owner_phone   TEXT,
    floors        INTEGER,
    structure     TEXT,
    year_built    INTEGER,
    use_type      TEXT,
    business_type TEXT,
    occupancy     INTEGER
) WITHOUT ROWID;
INSERT INTO places17 (id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, name, address, kind, lat, lon, owner_name, owner_phone, floors, structure, year_built, use_type, business_type, occupancy) SELECT (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.key)), t.origin, t.vv, t.version, t.created_at, t.updated_at, t.updated_by, t.deleted, t.region_code, t.name, t.address, t.kind, t.lat, t.lon, t.owner_name, t.owner_phone, t.floors, t.structure, t.year_built, t.use_type, t.business_type, t.occupancy FROM places t;
CREATE TABLE patrols17 (
    id            TEXT PRIMARY KEY,
    origin        INTEGER NOT NULL REFERENCES ids (key),
    vv            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER NOT NULL REFERENCES ids (key),
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code   TEXT NOT NULL REFERENCES regions (code),
    worker        TEXT NOT NULL,
    route         TEXT NOT NULL,
    zone          TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    ended_at      INTEGER,
    distance_km   REAL,
    weather       TEXT,
    status        TEXT NOT NULL,
    nothing_found INTEGER NOT NULL DEFAULT 0 CHECK (nothing_found IN (0, 1)),
    note          TEXT
);
INSERT INTO patrols17 (id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, worker, route, zone, started_at, ended_at, distance_km, weather, status, nothing_found, note) SELECT (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.key)), t.origin, t.vv, t.version, t.created_at, t.updated_at, t.updated_by, t.deleted, t.region_code, t.worker, t.route, t.zone, t.started_at, t.ended_at, t.distance_km, t.weather, t.status, t.nothing_found, t.note FROM patrols t;
CREATE TABLE inspections17 (
    id           TEXT PRIMARY KEY,
    origin       INTEGER NOT NULL REFERENCES ids (key),
    vv           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    updated_by   INTEGER NOT NULL REFERENCES ids (key),
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code  TEXT NOT NULL REFERENCES regions (code),
    place_id     TEXT NOT NULL REFERENCES places (id) DEFERRABLE INITIALLY DEFERRED,
    category     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    inspected_on TEXT NOT NULL,
    inspector    TEXT NOT NULL,
    verdict      TEXT,
    failed_count INTEGER NOT NULL DEFAULT 0,
    note         TEXT,
    results      TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO inspections17 (id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, place_id, category, subject, inspected_on, inspector, verdict, failed_count, note, results) SELECT (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.key)), t.origin, t.vv, t.version, t.created_at, t.updated_at, t.updated_by, t.deleted, t.region_code, (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.place_key)), t.category, t.subject, t.inspected_on, t.inspector, t.verdict, t.failed_count, t.note, t.results FROM inspections t;
CREATE TABLE findings17 (
    id             TEXT PRIMARY KEY,
    origin         INTEGER NOT NULL REFERENCES ids (key),
    vv             TEXT NOT NULL,
    version        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    updated_by     INTEGER NOT NULL REFERENCES ids (key),
    deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code    TEXT NOT NULL REFERENCES regions (code),
    patrol_id      TEXT REFERENCES patrols (id) DEFERRABLE INITIALLY DEFERRED,
    code           TEXT NOT NULL,
    description    TEXT NOT NULL,
    location       TEXT NOT NULL,
    lat            REAL,
    lon            REAL,
    found_on       TEXT NOT NULL,
    zone           TEXT NOT NULL,
    on_site_action TEXT,
    crop           TEXT,
    area_mu        REAL,
    loss_yuan      REAL,
    department     TEXT,
    referred_on    TEXT,
    deadline       TEXT,
    handled_on     TEXT,
    verified_on    TEXT,
    status         TEXT NOT NULL
);
INSERT INTO findings17 (id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, patrol_id, code, description, location, lat, lon, found_on, zone, on_site_action, crop, area_mu, loss_yuan, department, referred_on, deadline, handled_on, verified_on, status) SELECT (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.key)), t.origin, t.vv, t.version, t.created_at, t.updated_at, t.updated_by, t.deleted, t.region_code, (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.patrol_key)), t.code, t.description, t.location, t.lat, t.lon, t.found_on, t.zone, t.on_site_action, t.crop, t.area_mu, t.loss_yuan, t.department, t.referred_on, t.deadline, t.handled_on, t.verified_on, t.status FROM findings t;
CREATE TABLE hazards17 (
    id                TEXT PRIMARY KEY,
    origin            INTEGER NOT NULL REFERENCES ids (key),
    vv                TEXT NOT NULL,
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    updated_by        INTEGER NOT NULL REFERENCES ids (key),
    deleted           INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code       TEXT NOT NULL REFERENCES regions (code),
    inspection_id     TEXT REFERENCES inspections (id) DEFERRABLE INITIALLY DEFERRED,
    item_code         TEXT,
    finding_id        TEXT REFERENCES findings (id) DEFERRABLE INITIALLY DEFERRED,
    place_id          TEXT REFERENCES places (id) DEFERRABLE INITIALLY DEFERRED,
    category          TEXT NOT NULL,
    grade             TEXT NOT NULL CHECK (grade IN ('general', 'major')),
    description       TEXT NOT NULL,
    responsible       TEXT,
    notice_no         TEXT,
    found_on          TEXT NOT NULL,
    deadline          TEXT NOT NULL,
    original_deadline TEXT NOT NULL,
    extensions        INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL,
    rectified_on      TEXT,
    closed_on         TEXT
);
INSERT INTO hazards17 (id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, inspection_id, item_code, finding_id, place_id, category, grade, description, responsible, notice_no, found_on, deadline, original_deadline, extensions, status, rectified_on, closed_on) SELECT (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.key)), t.origin, t.vv, t.version, t.created_at, t.updated_at, t.updated_by, t.deleted, t.region_code, (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.inspection_key)), t.item_code, (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.finding_key)), (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.place_key)), t.category, t.grade, t.description, t.responsible, t.notice_no, t.found_on, t.deadline, t.original_deadline, t.extensions, t.status, t.rectified_on, t.closed_on FROM hazards t;
CREATE TABLE petitions17 (
    id                  TEXT PRIMARY KEY,
    origin              INTEGER NOT NULL REFERENCES ids (key),
    vv                  TEXT NOT NULL,
    version             INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    updated_by          INTEGER NOT NULL REFERENCES ids (key),
    deleted             INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code         TEXT NOT NULL REFERENCES regions (code),
    case_no             TEXT NOT NULL,
    channel             TEXT NOT NULL,
    track               TEXT NOT NULL,
    category            TEXT NOT NULL,
    petitioner_name     TEXT NOT NULL,
    id_number           TEXT,
    phone               TEXT,
    address             TEXT,
    person_key          TEXT,
    people              INTEGER NOT NULL DEFAULT 1,
    summary             TEXT NOT NULL,
    content             TEXT NOT NULL,
    unit                TEXT,
    status              TEXT NOT NULL,
    received_on         TEXT NOT NULL,
    accept_due          TEXT NOT NULL,
    accepted_on         TEXT,
    handle_due          TEXT,
    extended_days       INTEGER,
    extended_due        TEXT,
    replied_on          TEXT,
    outcome             TEXT,
    closed_on           TEXT,
    satisfaction        TEXT,
    review_requested_on TEXT,
    review_due          TEXT,
    reviewed_on         TEXT,
    reexam_requested_on TEXT,
    reexam_due          TEXT,
    reexamined_on       TEXT,
    finalized_on        TEXT,
    office_due          TEXT,
    repeat_of           TEXT REFERENCES petitions (id) DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO petitions17 (id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, case_no, channel, track, category, petitioner_name, id_number, phone, address, person_key, people, summary, content, unit, status, received_on, accept_due, accepted_on, handle_due, extended_days, extended_due, replied_on, outcome, closed_on, satisfaction, review_requested_on, review_due, reviewed_on, reexam_requested_on, reexam_due, reexamined_on, finalized_on, office_due, repeat_of) SELECT (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.key)), t.origin, t.vv, t.version, t.created_at, t.updated_at, t.updated_by, t.deleted, t.region_code, t.case_no, t.channel, t.track, t.category, t.petitioner_name, t.id_number, t.phone, t.address, t.person_key, t.people, t.summary, t.content, t.unit, t.status, t.received_on, t.accept_due, t.accepted_on, t.handle_due, t.extended_days, t.extended_due, t.replied_on, t.outcome, t.closed_on, t.satisfaction, t.review_requested_on, t.review_due, t.reviewed_on, t.reexam_requested_on, t.reexam_due, t.reexamined_on, t.finalized_on, t.office_due, (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.repeat_key)) FROM petitions t;
CREATE TABLE assignments17 (
    id            TEXT PRIMARY KEY,
    origin        INTEGER NOT NULL REFERENCES ids (key),
    vv            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER NOT NULL REFERENCES ids (key),
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code   TEXT NOT NULL REFERENCES regions (code),
    target_family TEXT NOT NULL CHECK (target_family IN ('hazard', 'petition')),
    target_id     TEXT NOT NULL,
    assigned_by   TEXT NOT NULL,
    assigned_on   TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    note          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'done')),
    reply         TEXT,
    done_on       TEXT
) WITHOUT ROWID;
INSERT INTO assignments17 (id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, target_family, target_id, assigned_by, assigned_on, deadline, note, status, reply, done_on) SELECT (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.key)), t.origin, t.vv, t.version, t.created_at, t.updated_at, t.updated_by, t.deleted, t.region_code, t.target_family, (SELECT iif(typeof(id) = 'blob', lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)), id) FROM (SELECT id, hex(id) AS h FROM ids WHERE key = t.target_key)), t.assigned_by, t.assigned_on, t.deadline, t.note, t.status, t.reply, t.done_on FROM assignments t;
DROP TABLE places;
DROP TABLE patrols;
DROP TABLE inspections;
DROP TABLE findings;
DROP TABLE hazards;
DROP TABLE petitions;
DROP TABLE assignments;
ALTER TABLE places17 RENAME TO places;
ALTER TABLE patrols17 RENAME TO patrols;
ALTER TABLE inspections17 RENAME TO inspections;
ALTER TABLE findings17 RENAME TO findings;
ALTER TABLE hazards17 RENAME TO hazards;
ALTER TABLE petitions17 RENAME TO petitions;
ALTER TABLE assignments17 RENAME TO assignments;
CREATE INDEX places_region ON places (region_code);
CREATE INDEX inspections_region ON inspections (region_code, inspected_on);
CREATE INDEX inspections_place ON inspections (place_id);
CREATE INDEX inspections_date ON inspections (inspected_on, id, deleted);
CREATE INDEX patrols_region ON patrols (region_code, started_at);
CREATE INDEX patrols_started ON patrols (started_at, deleted, distance_km);
CREATE INDEX findings_date ON findings (found_on, id);
CREATE INDEX findings_region ON findings (region_code, found_on);
CREATE INDEX findings_patrol ON findings (patrol_id);
CREATE INDEX findings_status ON findings (status, deadline, found_on, id, deleted);
CREATE INDEX findings_referred_due ON findings (deadline, id, status, deleted)
    WHERE status = 'referred' AND deleted = 0;
CREATE INDEX hazards_region ON hazards (region_code, found_on);
CREATE INDEX hazards_inspection ON hazards (inspection_id);
CREATE INDEX hazards_finding ON hazards (finding_id);
CREATE INDEX hazards_status ON hazards (status, deadline, found_on, id, deleted);
CREATE INDEX hazards_grade ON hazards (grade, status, deleted);
CREATE INDEX hazards_found ON hazards (found_on, id, deleted);
CREATE INDEX hazards_open_region ON hazards (region_code, status, deleted)
    WHERE (status = 'found' OR status = 'assigned' OR status = 'rectifying' OR status = 'review_requested'
           OR status = 'review_passed') AND deleted = 0;
CREATE INDEX hazards_running_due ON hazards (deadline, id, status, deleted)
    WHERE (status = 'found' OR status = 'assigned' OR status = 'rectifying' OR status = 'review_requested')
          AND deleted = 0;
CREATE INDEX petitions_received ON petitions (received_on, id);
CREATE INDEX petitions_region ON petitions (region_code, received_on);
CREATE INDEX petitions_person ON petitions (person_key, category);
CREATE INDEX petitions_open_region ON petitions (region_code, office_due, deleted)
    WHERE office_due IS NOT NULL AND deleted = 0;
CREATE INDEX petitions_status ON petitions (status, deleted);
CREATE INDEX petitions_open_due ON petitions (office_due, id, deleted)
    WHERE office_due IS NOT NULL AND deleted = 0;
CREATE INDEX assignments_date ON assignments (assigned_on, id);
CREATE INDEX assignments_target ON assignments (target_id);
CREATE INDEX assignments_region ON assignments (region_code);
CREATE INDEX assignments_open_due ON assignments (deadline, id, status, deleted)
    WHERE status = 'open' AND deleted = 0;
