-- wangge schema, version 1. The single source of the schema: src/store/migrate.rs embeds this file and applies it
-- to an empty database; later changes are numbered migrations that follow it.
--
-- Records that travel between devices (places, inspections, hazards, patrols, findings, petitions) carry the
-- identity and version columns of DESIGN.md: id (UUIDv7), origin, vv (version vector, JSON), version (sum of vv),
-- created_at/updated_at (UTC ms), updated_by (device), deleted (tombstone), and region_code (the region it
-- belongs to). Dates people see are China calendar days as 'YYYY-MM-DD'. Code columns hold the stable codes of
-- src/domain (their labels live there too).

-- This installation: device id, jurisdiction, signing key, current worker, county settings.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- County → township → village/community → grid. Level and parent follow from the code (src/domain/region.rs).
CREATE TABLE regions (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    level  TEXT NOT NULL CHECK (level IN ('county', 'township', 'village', 'grid')),
    parent TEXT REFERENCES regions (code),
    source TEXT NOT NULL DEFAULT 'builtin' CHECK (source IN ('builtin', 'import', 'demo', 'bundle'))
) WITHOUT ROWID;
CREATE INDEX regions_parent ON regions (parent);

-- NBS 统计用区划代码 2023: 略阳县 and its 17 township-level units.
INSERT INTO regions (code, name, level, parent) VALUES
    ('610727000000', '略阳县', 'county', NULL),
    ('610727001000', '兴州街道', 'township', '610727000000'),
    ('610727002000', '横现河街道', 'township', '610727000000'),
    ('610727101000', '接官亭镇', 'township', '610727000000'),
    ('610727102000', '西淮坝镇', 'township', '610727000000'),
    ('610727103000', '两河口镇', 'township', '610727000000'),
    ('610727104000', '金家河镇', 'township', '610727000000'),
    ('610727105000', '徐家坪镇', 'township', '610727000000'),
    ('610727106000', '白水江镇', 'township', '610727000000'),
    ('610727107000', '硖口驿镇', 'township', '610727000000'),
    ('610727108000', '马蹄湾镇', 'township', '610727000000'),
    ('610727109000', '乐素河镇', 'township', '610727000000'),
    ('610727110000', '郭镇', 'township', '610727000000'),
    ('610727111000', '黑河镇', 'township', '610727000000'),
    ('610727112000', '白雀寺镇', 'township', '610727000000'),
    ('610727113000', '仙台坝镇', 'township', '610727000000'),
    ('610727114000', '五龙洞镇', 'township', '610727000000'),
    ('610727115000', '观音寺镇', 'township', '610727000000');

-- The people who use this device (a shared office PC is normal). Records name the worker who acted.
CREATE TABLE workers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) WITHOUT ROWID;

-- Non-working days and make-up working days (调休). Weekends not listed as 'workday' are non-working.
CREATE TABLE holidays (
    date    TEXT PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
) WITHOUT ROWID;

-- Built-in checklists, stored as data. Item codes are stable: results and hazards refer to them.
CREATE TABLE checklist_items (
    code     TEXT PRIMARY KEY,
    category TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    text_zh  TEXT NOT NULL,
    text_en  TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX checklist_items_category ON checklist_items (category, seq);

INSERT INTO checklist_items (code, category, seq, text_zh, text_en) VALUES
    -- 燃气用户 (CJJ 51-2016, 城镇燃气经营安全重大隐患判定标准)
    ('G1', 'gas', 1, '管道、阀门、表具、接头无泄漏', 'No leak at pipes, valves, meter, joints'),
    ('G2', 'gas', 2, '连接软管为金属波纹管、不超过 2 米、无老化、不穿墙', 'Hose: metal corrugated, <= 2 m, not aged, not through walls'),
    ('G3', 'gas', 3, '灶具有熄火保护、在使用年限内', 'Cooker has flame-failure protection, within service life'),
    ('G4', 'gas', 4, '热水器非直排式、烟道通室外', 'Water heater not flueless, flue led outdoors'),
    ('G5', 'gas', 5, '安装自闭阀', 'Self-closing valve installed'),
    ('G6', 'gas', 6, '燃气报警器与紧急切断阀联动（餐饮必装）', 'Gas alarm with shut-off valve (required for catering)'),
    ('G7', 'gas', 7, '通风良好，厨房靠外墙，不混用管道气与液化气', 'Ventilated kitchen on an outer wall; no piped gas with LPG'),
    ('G8', 'gas', 8, '管道不在卧室、卫生间，不封闭暗埋', 'Pipes not in bedrooms or bathrooms, not enclosed'),
    ('G9', 'gas', 9, '无私拉乱接、私改管道表具', 'No unauthorised connections or alterations'),
    ('G10', 'gas', 10, '液化气钢瓶来源正规、在检验期内', 'LPG cylinder from a licensed supplier, within test date'),
    ('G11', 'gas', 11, '钢瓶不在地下室、半地下室', 'LPG cylinder not in a basement'),
    ('G12', 'gas', 12, '使用时有人看管、用后关阀', 'Attended in use, valve closed after use'),
    -- 人员密集场所 (公安部令第61号)
    ('F1', 'venue', 1, '无违章用火用电', 'No illegal use of fire or electricity'),
    ('F2', 'venue', 2, '安全出口、疏散通道畅通，未锁闭堵塞', 'Exits and escape routes clear, not locked'),
    ('F3', 'venue', 3, '疏散指示标志、应急照明完好有效', 'Exit signs and emergency lights intact and lit'),
    ('F4', 'venue', 4, '消防设施器材完好有效', 'Fire equipment in place and working'),
    ('F5', 'venue', 5, '常闭式防火门关闭，防火卷帘下无堆物', 'Fire doors closed, nothing under fire shutters'),
    ('F6', 'venue', 6, '重点部位人员在岗，消控室有人值守', 'Staff at key points, fire-control room manned'),
    ('F7', 'venue', 7, '电气线路无老化、无超负荷、无私拉乱接', 'Wiring not aged, not overloaded, no unauthorised connections'),
    ('F8', 'venue', 8, '消防车通道、消防水源畅通', 'Fire lanes and water sources clear'),
    ('F9', 'venue', 9, '易燃物品规范存放，无"三合一"住人', 'Flammables stored properly, no living quarters mixed in'),
    ('F10', 'venue', 10, '消防安全责任制、巡查记录、预案演练落实', 'Responsibility system, patrol records, drills in place'),
    -- 电动自行车
    ('E1', 'ebike', 1, '未在楼道、门厅、楼梯间、安全出口停放充电', 'Not parked or charged in hallways, stairwells, exits'),
    ('E2', 'ebike', 2, '未入户充电', 'Not charged inside the home'),
    ('E3', 'ebike', 3, '无飞线充电、私拉电线插座', 'No cables from windows, no improvised sockets'),
    ('E4', 'ebike', 4, '使用原厂合格充电器，不超时充电，远离可燃物', 'Original charger, no over-long charging, away from combustibles'),
    ('E5', 'ebike', 5, '无非法改装（提速、加装电池）', 'No illegal modification'),
    ('E6', 'ebike', 6, '集中充电场所有定时断电和过载短路漏电保护', 'Shared charging area has timed cut-off and protection'),
    -- 自建房排查 (全国自建房安全专项整治)
    ('S1', 'house', 1, '地基无沉降', 'No foundation settlement'),
    ('S2', 'house', 2, '墙体无明显裂缝', 'No visible wall cracks'),
    ('S3', 'house', 3, '房屋无倾斜', 'No tilt'),
    ('S4', 'house', 4, '梁、柱、楼板无损伤', 'Beams, columns, floors undamaged'),
    ('S5', 'house', 5, '屋面无破损渗漏', 'Roof intact, no leaks'),
    ('S6', 'house', 6, '周边边坡、地灾无威胁', 'No threat from slopes or geohazards nearby'),
    ('S7', 'house', 7, '未擅自加层、扩建、拆改主体结构、开挖地下空间', 'No unauthorised storeys, extensions, structural changes, digging'),
    ('S8', 'house', 8, '用地、规划、建设手续齐全', 'Land, planning and building permits complete'),
    ('S9', 'house', 9, '经营的有营业执照等经营许可', 'Business licences in place (if used for business)'),
    ('S10', 'house', 10, '经营场所消防安全条件符合要求', 'Fire safety fit for the business use'),
    -- 危险化学品 (含烟花爆竹、农药、加油站、液化气站)
    ('C1', 'chem', 1, '经营储存许可有效', 'Licence to store or sell is valid'),
    ('C2', 'chem', 2, '储存数量不超限，分类分区存放', 'Quantities within limits, stored by class'),
    ('C3', 'chem', 3, '与居民区、人员密集场所安全距离符合要求', 'Safe distance from homes and crowded places'),
    ('C4', 'chem', 4, '防火防爆、通风、防静电设施完好', 'Fire, explosion, ventilation, anti-static measures intact'),
    ('C5', 'chem', 5, '消防器材配备有效', 'Fire equipment in place'),
    ('C6', 'chem', 6, '从业人员持证上岗，台账完整', 'Staff certified, stock ledger complete'),
    -- 水利设施
    ('W1', 'water', 1, '山塘、水库坝体无渗漏、裂缝、滑坡', 'Dam body: no seepage, cracks, slides'),
    ('W2', 'water', 2, '溢洪道、放水设施畅通完好', 'Spillway and outlets clear and working'),
    ('W3', 'water', 3, '汛期巡查值守落实', 'Flood-season patrol and watch in place'),
    ('W4', 'water', 4, '河道无阻水障碍', 'Channel free of obstructions'),
    -- 电力设施
    ('P1', 'power', 1, '线路与房屋、树木安全距离符合要求', 'Lines clear of buildings and trees'),
    ('P2', 'power', 2, '无私拉乱接、窃电', 'No illegal tapping'),
    ('P3', 'power', 3, '配电设施防护完好、警示标志齐全', 'Substations fenced, warning signs present'),
    ('P4', 'power', 4, '电杆无倾斜、线路无断股', 'Poles upright, conductors intact'),
    -- 地质灾害隐患点
    ('D1', 'geo', 1, '无新增裂缝、变形', 'No new cracks or deformation'),
    ('D2', 'geo', 2, '无滑塌、落石迹象', 'No signs of slides or rockfall'),
    ('D3', 'geo', 3, '监测设施完好、监测员在岗', 'Monitoring in place, monitor on duty'),
    ('D4', 'geo', 4, '警示牌、避险路线清楚', 'Warning signs and escape routes clear'),
    ('D5', 'geo', 5, '受威胁群众明白卡发放到位', 'Residents at risk have their information cards');

-- Places that get inspected. owner_name and owner_phone are personal data.
CREATE TABLE places (
    id            TEXT PRIMARY KEY,
    origin        TEXT NOT NULL,
    vv            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    TEXT NOT NULL,
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
CREATE INDEX places_region ON places (region_code);

CREATE TABLE inspections (
    id           TEXT PRIMARY KEY,
    origin       TEXT NOT NULL,
    vv           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    updated_by   TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code  TEXT NOT NULL REFERENCES regions (code),
    place_id     TEXT NOT NULL REFERENCES places (id) DEFERRABLE INITIALLY DEFERRED,
    category     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    inspected_on TEXT NOT NULL,
    inspector    TEXT NOT NULL,
    verdict      TEXT,
    failed_count INTEGER NOT NULL DEFAULT 0,
    note         TEXT
);
CREATE INDEX inspections_date ON inspections (inspected_on, id);
CREATE INDEX inspections_region ON inspections (region_code, inspected_on);
CREATE INDEX inspections_place ON inspections (place_id);

-- One result per checklist item; versioned with (and travelling inside) its inspection.
CREATE TABLE inspection_results (
    inspection_id TEXT NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    item_code     TEXT NOT NULL REFERENCES checklist_items (code),
    result        TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'na')),
    note          TEXT,
    PRIMARY KEY (inspection_id, item_code)
) WITHOUT ROWID;

CREATE TABLE patrols (
    id            TEXT PRIMARY KEY,
    origin        TEXT NOT NULL,
    vv            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    TEXT NOT NULL,
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
CREATE INDEX patrols_started ON patrols (started_at);
CREATE INDEX patrols_region ON patrols (region_code, started_at);

CREATE TABLE findings (
    id             TEXT PRIMARY KEY,
    origin         TEXT NOT NULL,
    vv             TEXT NOT NULL,
    version        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    updated_by     TEXT NOT NULL,
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
CREATE INDEX findings_date ON findings (found_on, id);
CREATE INDEX findings_region ON findings (region_code, found_on);
CREATE INDEX findings_status ON findings (status, deadline);
CREATE INDEX findings_patrol ON findings (patrol_id);

CREATE TABLE hazards (
    id                TEXT PRIMARY KEY,
    origin            TEXT NOT NULL,
    vv                TEXT NOT NULL,
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    updated_by        TEXT NOT NULL,
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
CREATE INDEX hazards_found ON hazards (found_on, id);
CREATE INDEX hazards_region ON hazards (region_code, found_on);
CREATE INDEX hazards_status ON hazards (status, deadline);
CREATE INDEX hazards_inspection ON hazards (inspection_id);
CREATE INDEX hazards_finding ON hazards (finding_id);

-- Petition cases. petitioner_name, id_number, phone, address and person_key are personal data.
CREATE TABLE petitions (
    id                  TEXT PRIMARY KEY,
    origin              TEXT NOT NULL,
    vv                  TEXT NOT NULL,
    version             INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    updated_by          TEXT NOT NULL,
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
CREATE INDEX petitions_received ON petitions (received_on, id);
CREATE INDEX petitions_region ON petitions (region_code, received_on);
CREATE INDEX petitions_due ON petitions (office_due) WHERE office_due IS NOT NULL;
CREATE INDEX petitions_person ON petitions (person_key, category);

-- Case events of hazards, findings, petitions (and the other families): append-only, they travel with their
-- record and merge as a union by id. Shown in the order they happened (`at`, then insertion).
CREATE TABLE timeline (
    id        TEXT PRIMARY KEY,
    origin    TEXT NOT NULL,
    family    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    at        INTEGER NOT NULL,
    on_date   TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    note      TEXT
);
CREATE INDEX timeline_record ON timeline (record_id, at);

-- Every change: who, when, why, old and new values (personal fields only as "changed"). Hash-chained: hash =
-- SHA-256 over the row and the previous row's hash, so an edited or removed row breaks the chain. For a record,
-- state_hash is the SHA-256 of the record's whole JSON form after the change, so `check` finds a record edited
-- behind the log's back (personal fields included, without the log holding their values).
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    device    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    family    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    action    TEXT NOT NULL,
    reason    TEXT,
    changes   TEXT NOT NULL,
    state_hash TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_record ON audit (record_id, seq);

-- The change journal: one sequence number per change of a travelling record. Export reads it.
CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    family    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version   INTEGER NOT NULL,
    at        INTEGER NOT NULL
);
CREATE INDEX journal_record ON journal (record_id, seq);

-- @migration 2 ------------------------------------------------------------------------------------------------
-- The county exchange: signed bundles, trust, merge by version vector (docs/bundle-format.md).

-- Where a journaled change came from: the device whose bundle brought it (NULL: made on this device). Export
-- leaves out what came from the destination itself.
ALTER TABLE journal ADD COLUMN source TEXT;
CREATE INDEX journal_family ON journal (family, record_id, seq);

-- 交办: an office hands a hazard or petition to a township or grid, with a deadline. A record of its own (owned
-- by the assigning office), so it never collides with the township's edits of the case. region_code is the
-- assignee.
CREATE TABLE assignments (
    id            TEXT PRIMARY KEY,
    origin        TEXT NOT NULL,
    vv            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    TEXT NOT NULL,
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
CREATE INDEX assignments_date ON assignments (assigned_on, id);
CREATE INDEX assignments_target ON assignments (target_id);

-- Other devices' signing keys: pinned at their first accepted bundle (unconfirmed until `trust confirm`) or
-- registered ahead with `trust add`. A revoked device's bundles are refused.
CREATE TABLE peers (
    device      TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    region_code TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('unconfirmed', 'confirmed', 'revoked')),
    how         TEXT NOT NULL CHECK (how IN ('first_use', 'registered')),
    added_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Per destination region: the last journal sequence number sent, and how many bundles went there.
CREATE TABLE export_cursors (
    destination TEXT PRIMARY KEY,
    last_seq    INTEGER NOT NULL,
    batches     INTEGER NOT NULL,
    exported_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Bundles imported: each covers the sender's sequence numbers lo..hi (for this database). Gaps are the holes.
CREATE TABLE sync_batches (
    device      TEXT NOT NULL,
    lo          INTEGER NOT NULL,
    hi          INTEGER NOT NULL,
    batch       INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    file        TEXT NOT NULL,
    summary     TEXT NOT NULL,
    PRIMARY KEY (device, lo, hi, sha256)
) WITHOUT ROWID;

-- Per device and sequence number, a digest of the change it carried (record id and version). The same number
-- arriving with another digest is a fork (a restored backup, a cloned disk).
CREATE TABLE sync_seen (
    device TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (device, seq)
) WITHOUT ROWID;

CREATE TABLE sync_forks (
    device TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    had    TEXT NOT NULL,
    got    TEXT NOT NULL,
    file   TEXT NOT NULL,
    at     INTEGER NOT NULL,
    PRIMARY KEY (device, seq, got)
) WITHOUT ROWID;

-- Concurrent versions: the deterministic winner is in the family table, the loser is kept here for review.
CREATE TABLE conflicts (
    id          INTEGER PRIMARY KEY,
    family      TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    loser       TEXT NOT NULL,
    loser_hash  TEXT NOT NULL,
    winner_vv   TEXT NOT NULL,
    source      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    resolved_at INTEGER,
    resolution  TEXT,
    UNIQUE (record_id, loser_hash)
);

-- Records that parse but break a domain rule: held with the reason, out of every report, until corrected.
CREATE TABLE quarantine (
    id        INTEGER PRIMARY KEY,
    family    TEXT NOT NULL,
    record_id TEXT NOT NULL,
    version   INTEGER NOT NULL,
    record    TEXT NOT NULL,
    reason    TEXT NOT NULL,
    device    TEXT NOT NULL,
    file      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    UNIQUE (record_id, version, device)
);

-- @migration 3 ------------------------------------------------------------------------------------------------
-- The age recipients this device encrypts bundle payloads to (the county's, from its signed card or typed in),
-- with the county device that card named. The county's own identity lives in settings (county_identity).
CREATE TABLE recipients (
    recipient  TEXT PRIMARY KEY,
    device     TEXT,
    public_key TEXT,
    region     TEXT,
    added_at   INTEGER NOT NULL
) WITHOUT ROWID;

-- Bundles this device sent: what the county's acknowledgements are checked against.
CREATE TABLE sent_batches (
    destination TEXT NOT NULL,
    batch       INTEGER NOT NULL,
    lo          INTEGER NOT NULL,
    hi          INTEGER NOT NULL,
    file        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (destination, lo, hi, sha256)
) WITHOUT ROWID;

-- The latest acknowledgement from each county device: the ranges of this device's changes it holds.
CREATE TABLE acks (
    device      TEXT PRIMARY KEY,
    ranges      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    received_at INTEGER NOT NULL
) WITHOUT ROWID;

-- @migration 4 ------------------------------------------------------------------------------------------------
-- Search: one document per live inspection, hazard, finding and petition, its text cut into single characters
-- (`uni`) and pairs of neighbouring characters (`bi`): FTS5's own tokenizers find nothing inside a run of Han
-- characters, and its trigram tokenizer nothing shorter than three. A document's rowid is its date's day number
-- shifted left by 20 bits plus a counter, so rowid order is date order and a first page needs no sort.
CREATE TABLE search_docs (
    rowid  INTEGER PRIMARY KEY,
    family TEXT NOT NULL,
    id     TEXT NOT NULL UNIQUE,
    date   TEXT NOT NULL
);
CREATE VIRTUAL TABLE search_fts USING fts5(uni, bi, content = '', contentless_delete = 1);
-- Built from the records the first time the database is opened (and after every bulk import).
INSERT INTO settings (key, value) VALUES ('search_stale', '1')
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;

-- @migration 5 ------------------------------------------------------------------------------------------------
-- Indexes that answer the lists' filters and the overview's figures without reading a row they do not show: a
-- due filter's index holds the list's sort key (date, id), and each index holds `deleted`, so a filtered page
-- takes its keys from the index alone and a count reads nothing else. The open cases in region order let the
-- overview count them per village in one ordered pass.
DROP INDEX hazards_status;
CREATE INDEX hazards_status ON hazards (status, deadline, found_on, id, deleted);
CREATE INDEX hazards_open_region ON hazards (region_code, status, deleted)
    WHERE status IN ('found','assigned','rectifying','review_requested','review_passed') AND deleted = 0;
CREATE INDEX hazards_grade ON hazards (grade, status, deleted);
-- The hazards whose deadline still runs, and the findings referred, newest first: the overdue filter walks these
-- in list order and stops at a page (its WHERE is the lists' own test, word for word).
CREATE INDEX hazards_running_date ON hazards (found_on, id, deadline, status, deleted)
    WHERE status IN ('found','assigned','rectifying','review_requested') AND deleted = 0;
DROP INDEX hazards_found;
CREATE INDEX hazards_found ON hazards (found_on, id, deleted);
DROP INDEX findings_status;
CREATE INDEX findings_status ON findings (status, deadline, found_on, id, deleted);
CREATE INDEX findings_referred_date ON findings (found_on, id, deadline, status, deleted)
    WHERE status = 'referred' AND deleted = 0;
DROP INDEX petitions_due;
CREATE INDEX petitions_due ON petitions (office_due, received_on, id, deleted) WHERE office_due IS NOT NULL;
CREATE INDEX petitions_open_region ON petitions (region_code, office_due, deleted)
    WHERE office_due IS NOT NULL AND deleted = 0;
CREATE INDEX petitions_status ON petitions (status, deleted);
-- An import's records may arrive before the regions they lie in (deferred foreign keys): each region row then
-- looks up the rows waiting for it, by index.
CREATE INDEX assignments_region ON assignments (region_code);
DROP INDEX inspections_date;
CREATE INDEX inspections_date ON inspections (inspected_on, id, deleted);
DROP INDEX patrols_started;
CREATE INDEX patrols_started ON patrols (started_at, deleted, distance_km);

-- @migration 6 ------------------------------------------------------------------------------------------------
-- A due filter (overdue, due within days) lists the most urgent first: by deadline, then id. Each family's open
-- cases in that order, so a page reads its keys from the index and stops (the WHERE is the lists' own test, word
-- for word). They replace migration 5's open cases in date order.
DROP INDEX hazards_running_date;
CREATE INDEX hazards_running_due ON hazards (deadline, id, status, deleted)
    WHERE status IN ('found','assigned','rectifying','review_requested') AND deleted = 0;
DROP INDEX findings_referred_date;
CREATE INDEX findings_referred_due ON findings (deadline, id, status, deleted)
    WHERE status = 'referred' AND deleted = 0;
DROP INDEX petitions_due;
CREATE INDEX petitions_open_due ON petitions (office_due, id, deleted)
    WHERE office_due IS NOT NULL AND deleted = 0;
CREATE INDEX assignments_open_due ON assignments (deadline, id, status, deleted)
    WHERE status = 'open' AND deleted = 0;

-- @migration 7 ------------------------------------------------------------------------------------------------
-- Trust held for an operator: a device whose claimed region overlaps another device's (or this database's own)
-- is 'held', and its verified bundles wait here, whole and unmerged, until `trust confirm` merges them or
-- `trust revoke` drops them. SQLite cannot widen a CHECK: the peers table is made again.
CREATE TABLE peers_new (
    device      TEXT PRIMARY KEY,
    public_key  TEXT NOT NULL,
    region_code TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('unconfirmed', 'confirmed', 'revoked', 'held')),
    how         TEXT NOT NULL CHECK (how IN ('first_use', 'registered')),
    added_at    INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO peers_new SELECT device, public_key, region_code, status, how, added_at FROM peers;
DROP TABLE peers;
ALTER TABLE peers_new RENAME TO peers;

CREATE TABLE held_bundles (
    id     INTEGER PRIMARY KEY,
    device TEXT NOT NULL,
    lo     INTEGER NOT NULL,
    hi     INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    file   TEXT NOT NULL,
    reason TEXT NOT NULL,
    bytes  BLOB NOT NULL,
    at     INTEGER NOT NULL,
    UNIQUE (device, lo, hi, sha256)
);

-- @migration 8 ------------------------------------------------------------------------------------------------
-- The labels of the codes records store (a category, a status, a department), both languages, so SQL reads a
-- code as a person does: the search index finds a record by what its list shows. Written by the program from its
-- own code tables whenever they change (src/store/labels.rs), and the search index rebuilt then.
CREATE TABLE code_labels (
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (kind, code)
) WITHOUT ROWID;

-- @migration 9 ------------------------------------------------------------------------------------------------
-- Lean bookkeeping. The audit log, the journal and the timeline name a record (and a device) in every row: each
-- id is now stored once, in `ids`, and those rows hold its integer key. Hashes are 32-byte blobs, and an audit
-- row no longer holds the previous row's hash (it is the previous row's own hash: `check` reads them in order).
-- A timeline event's id is its UUID's 16 bytes. The journal keeps one index. Rows already written keep their
-- content and hashes, so the chain written before this migration still verifies after it. An inspection's results
-- move into its row.
CREATE TABLE ids (
    key INTEGER PRIMARY KEY,
    id  TEXT NOT NULL UNIQUE
);
INSERT INTO ids (id)
    SELECT device FROM audit UNION SELECT record_id FROM audit
    UNION SELECT record_id FROM journal UNION SELECT source FROM journal WHERE source IS NOT NULL
    UNION SELECT origin FROM timeline UNION SELECT record_id FROM timeline;

-- A hash that is not 64 hex digits (an edited row) is kept as its bytes, so `check` still finds it altered.
CREATE TABLE audit_lean (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    device     INTEGER NOT NULL REFERENCES ids (key),
    actor      TEXT NOT NULL,
    family     TEXT NOT NULL,
    record     INTEGER NOT NULL REFERENCES ids (key),
    action     TEXT NOT NULL,
    reason     TEXT,
    changes    TEXT NOT NULL,
    state_hash BLOB,
    hash       BLOB NOT NULL
);
INSERT INTO audit_lean (seq, at, device, actor, family, record, action, reason, changes, state_hash, hash)
    SELECT a.seq, a.at, d.key, a.actor, a.family, r.key, a.action, a.reason, a.changes,
           coalesce(unhex(a.state_hash), CAST(a.state_hash AS BLOB)), coalesce(unhex(a.hash), CAST(a.hash AS BLOB))
    FROM audit a JOIN ids d ON d.id = a.device JOIN ids r ON r.id = a.record_id ORDER BY a.seq;
-- A row whose prev_hash did not follow its predecessor keeps failing `check`: its own hash covers that prev_hash.
DROP TABLE audit;
ALTER TABLE audit_lean RENAME TO audit;
CREATE INDEX audit_record ON audit (record, seq);

CREATE TABLE journal_lean (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    family  TEXT NOT NULL,
    record  INTEGER NOT NULL REFERENCES ids (key),
    version INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    source  INTEGER REFERENCES ids (key)
);
INSERT INTO journal_lean (seq, family, record, version, at, source)
    SELECT j.seq, j.family, r.key, j.version, j.at, s.key
    FROM journal j JOIN ids r ON r.id = j.record_id LEFT JOIN ids s ON s.id = j.source ORDER BY j.seq;
-- The numbers already handed out stay handed out, even those of rows no longer here.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'journal_lean', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'journal_lean');
UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence WHERE name IN ('journal', 'journal_lean'))
    WHERE name = 'journal_lean';
DROP TABLE journal;
ALTER TABLE journal_lean RENAME TO journal;
CREATE INDEX journal_record ON journal (record, seq);

CREATE TABLE timeline_lean (
    id      BLOB PRIMARY KEY,
    origin  INTEGER NOT NULL REFERENCES ids (key),
    family  TEXT NOT NULL,
    record  INTEGER NOT NULL REFERENCES ids (key),
    at      INTEGER NOT NULL,
    on_date TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    note    TEXT
);
INSERT INTO timeline_lean (rowid, id, origin, family, record, at, on_date, actor, action, note)
    SELECT t.rowid, unhex(replace(t.id, '-', '')), o.key, t.family, r.key, t.at, t.on_date, t.actor, t.action, t.note
    FROM timeline t JOIN ids o ON o.id = t.origin JOIN ids r ON r.id = t.record_id ORDER BY t.rowid;
DROP TABLE timeline;
ALTER TABLE timeline_lean RENAME TO timeline;
CREATE INDEX timeline_record ON timeline (record, at);

-- An inspection's item results, read and written with the inspection and never alone, are a column of its row:
-- [[item code, result, note if any], ...] in checklist order. One row an inspection instead of one per item.
ALTER TABLE inspections ADD COLUMN results TEXT NOT NULL DEFAULT '[]';
UPDATE inspections SET results = (
        SELECT json_group_array(CASE WHEN r.note IS NULL THEN json_array(r.item_code, r.result)
                                   ELSE json_array(r.item_code, r.result, r.note) END ORDER BY c.seq)
        FROM inspection_results r JOIN checklist_items c ON c.code = r.item_code WHERE r.inspection_id = inspections.id)
    WHERE EXISTS (SELECT 1 FROM inspection_results r WHERE r.inspection_id = inspections.id);
DROP TABLE inspection_results;

-- @migration 10 -----------------------------------------------------------------------------------------------
-- The hazards' two partial indexes test their status with equalities joined by OR instead of `IN`: SQLite tests
-- an `IN` list of three or more values in a temporary table it builds anew for each row a write touches (four
-- per update of a hazard), a fifth of the demo's time. The queries that use them say the same, word for word.
DROP INDEX hazards_open_region;
CREATE INDEX hazards_open_region ON hazards (region_code, status, deleted)
    WHERE (status = 'found' OR status = 'assigned' OR status = 'rectifying' OR status = 'review_requested'
           OR status = 'review_passed') AND deleted = 0;
DROP INDEX hazards_running_due;
CREATE INDEX hazards_running_due ON hazards (deadline, id, status, deleted)
    WHERE (status = 'found' OR status = 'assigned' OR status = 'rectifying' OR status = 'review_requested')
          AND deleted = 0;

-- @migration 11 -----------------------------------------------------------------------------------------------
-- Leaner search index and timeline. A search document names its record by its key in `ids` (its date is its
-- rowid's day; the record's own row says it again). The labels of a record's codes are no longer indexed word by
-- word in every record that has the code: each code is one tag (`tag`: `t` and the hex of `kind:code`), and a
-- query asks for the codes whose labels hold its word. The index is made anew: it is rebuilt the next time the
-- database is opened. The timeline drops the unique index on its events' ids (an event arriving in a bundle is
-- looked up among its record's few events, `timeline_record`, instead), its family (it is read by record only) and
-- an event's date where it is the China date of its moment (NULL; readers put it back).
DROP TABLE search_fts;
DROP TABLE search_docs;
CREATE TABLE search_docs (
    rowid  INTEGER PRIMARY KEY,
    record INTEGER NOT NULL UNIQUE REFERENCES ids (key),
    family TEXT NOT NULL
);
CREATE VIRTUAL TABLE search_fts USING fts5(uni, bi, tag, content = '', contentless_delete = 1);
INSERT INTO settings (key, value) VALUES ('search_stale', '1')
    ON CONFLICT(key) DO UPDATE SET value = excluded.value;

CREATE TABLE timeline_lean (
    id      BLOB NOT NULL,
    origin  INTEGER NOT NULL REFERENCES ids (key),
    record  INTEGER NOT NULL REFERENCES ids (key),
    at      INTEGER NOT NULL,
    on_date TEXT,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    note    TEXT
);
INSERT INTO timeline_lean (rowid, id, origin, record, at, on_date, actor, action, note)
    SELECT rowid, id, origin, record, at, nullif(on_date, date(at / 1000, 'unixepoch', '+8 hours')), actor, action,
           note
    FROM timeline ORDER BY rowid;
DROP TABLE timeline;
ALTER TABLE timeline_lean RENAME TO timeline;
CREATE INDEX timeline_record ON timeline (record, at);

-- @migration 12 -----------------------------------------------------------------------------------------------
-- A record's row names its devices (origin, updated_by and those of its version vector) by their keys in `ids`
-- instead of spelling out each UUID: about a hundred bytes a row. The version vector is `{"<key>": count}`. A
-- record is read and written in its JSON form as before (src/store/keys.rs translates at the row's edge), so
-- bundles, the audit's state hashes and `check` see the same record. A vector that is not a JSON object is kept
-- as it was (`check` names it). From this version on an audit row keeps the first 16 bytes of its two SHA-256
-- hashes (the chain and `check` take rows of either length; src/store/audit.rs). The journal no longer says
-- each change's family (a record's key names one record of one family, and an export reads the journal through
-- the family's table), and the timeline's index holds only the record (its few events are put in order as they
-- are read).
WITH vectors (vv) AS (
    SELECT vv FROM places
    UNION ALL SELECT vv FROM inspections
    UNION ALL SELECT vv FROM patrols
    UNION ALL SELECT vv FROM findings
    UNION ALL SELECT vv FROM hazards
    UNION ALL SELECT vv FROM petitions
    UNION ALL SELECT vv FROM assignments
),
objects (vv) AS (
    SELECT CASE WHEN NOT json_valid(vv) THEN '{}' WHEN json_type(vv) = 'object' THEN vv ELSE '{}' END FROM vectors
)
INSERT OR IGNORE INTO ids (id)
    SELECT origin FROM places UNION SELECT updated_by FROM places
    UNION SELECT origin FROM inspections UNION SELECT updated_by FROM inspections
    UNION SELECT origin FROM patrols UNION SELECT updated_by FROM patrols
    UNION SELECT origin FROM findings UNION SELECT updated_by FROM findings
    UNION SELECT origin FROM hazards UNION SELECT updated_by FROM hazards
    UNION SELECT origin FROM petitions UNION SELECT updated_by FROM petitions
    UNION SELECT origin FROM assignments UNION SELECT updated_by FROM assignments
    UNION SELECT j.key FROM objects, json_each(objects.vv) j;

CREATE TABLE places_lean (
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
INSERT INTO places_lean (id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, name,
    address, kind, lat, lon, owner_name, owner_phone, floors, structure, year_built, use_type, business_type,
    occupancy)
    SELECT id, (SELECT i.key FROM ids i WHERE i.id = places.origin),
           CASE WHEN NOT json_valid(places.vv) THEN places.vv
                WHEN json_type(places.vv) = 'object'
                THEN (SELECT json_group_object(CAST(i.key AS TEXT), j.value)
                      FROM json_each(places.vv) j JOIN ids i ON i.id = j.key)
                ELSE places.vv END,
           version, created_at, updated_at, (SELECT i.key FROM ids i WHERE i.id = places.updated_by), deleted,
           region_code, name, address, kind, lat, lon, owner_name, owner_phone, floors, structure, year_built,
           use_type, business_type, occupancy
    FROM places;
DROP TABLE places;
ALTER TABLE places_lean RENAME TO places;
CREATE INDEX places_region ON places (region_code);

CREATE TABLE inspections_lean (
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
INSERT INTO inspections_lean (rowid, id, origin, vv, version, created_at, updated_at, updated_by, deleted,
    region_code, place_id, category, subject, inspected_on, inspector, verdict, failed_count, note, results)
    SELECT rowid, id, (SELECT i.key FROM ids i WHERE i.id = inspections.origin),
           CASE WHEN NOT json_valid(inspections.vv) THEN inspections.vv
                WHEN json_type(inspections.vv) = 'object'
                THEN (SELECT json_group_object(CAST(i.key AS TEXT), j.value)
                      FROM json_each(inspections.vv) j JOIN ids i ON i.id = j.key)
                ELSE inspections.vv END,
           version, created_at, updated_at, (SELECT i.key FROM ids i WHERE i.id = inspections.updated_by), deleted,
           region_code, place_id, category, subject, inspected_on, inspector, verdict, failed_count, note, results
    FROM inspections;
DROP TABLE inspections;
ALTER TABLE inspections_lean RENAME TO inspections;
CREATE INDEX inspections_region ON inspections (region_code, inspected_on);
CREATE INDEX inspections_place ON inspections (place_id);
CREATE INDEX inspections_date ON inspections (inspected_on, id, deleted);

CREATE TABLE patrols_lean (
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
INSERT INTO patrols_lean (rowid, id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code,
    worker, route, zone, started_at, ended_at, distance_km, weather, status, nothing_found, note)
    SELECT rowid, id, (SELECT i.key FROM ids i WHERE i.id = patrols.origin),
           CASE WHEN NOT json_valid(patrols.vv) THEN patrols.vv
                WHEN json_type(patrols.vv) = 'object'
                THEN (SELECT json_group_object(CAST(i.key AS TEXT), j.value)
                      FROM json_each(patrols.vv) j JOIN ids i ON i.id = j.key)
                ELSE patrols.vv END,
           version, created_at, updated_at, (SELECT i.key FROM ids i WHERE i.id = patrols.updated_by), deleted,
           region_code, worker, route, zone, started_at, ended_at, distance_km, weather, status, nothing_found, note
    FROM patrols;
DROP TABLE patrols;
ALTER TABLE patrols_lean RENAME TO patrols;
CREATE INDEX patrols_region ON patrols (region_code, started_at);
CREATE INDEX patrols_started ON patrols (started_at, deleted, distance_km);

CREATE TABLE findings_lean (
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
INSERT INTO findings_lean (rowid, id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code,
    patrol_id, code, description, location, lat, lon, found_on, zone, on_site_action, crop, area_mu, loss_yuan,
    department, referred_on, deadline, handled_on, verified_on, status)
    SELECT rowid, id, (SELECT i.key FROM ids i WHERE i.id = findings.origin),
           CASE WHEN NOT json_valid(findings.vv) THEN findings.vv
                WHEN json_type(findings.vv) = 'object'
                THEN (SELECT json_group_object(CAST(i.key AS TEXT), j.value)
                      FROM json_each(findings.vv) j JOIN ids i ON i.id = j.key)
                ELSE findings.vv END,
           version, created_at, updated_at, (SELECT i.key FROM ids i WHERE i.id = findings.updated_by), deleted,
           region_code, patrol_id, code, description, location, lat, lon, found_on, zone, on_site_action, crop,
           area_mu, loss_yuan, department, referred_on, deadline, handled_on, verified_on, status
    FROM findings;
DROP TABLE findings;
ALTER TABLE findings_lean RENAME TO findings;
CREATE INDEX findings_date ON findings (found_on, id);
CREATE INDEX findings_region ON findings (region_code, found_on);
CREATE INDEX findings_patrol ON findings (patrol_id);
CREATE INDEX findings_status ON findings (status, deadline, found_on, id, deleted);
CREATE INDEX findings_referred_due ON findings (deadline, id, status, deleted)
    WHERE status = 'referred' AND deleted = 0;

CREATE TABLE hazards_lean (
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
INSERT INTO hazards_lean (rowid, id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code,
    inspection_id, item_code, finding_id, place_id, category, grade, description, responsible, notice_no, found_on,
    deadline, original_deadline, extensions, status, rectified_on, closed_on)
    SELECT rowid, id, (SELECT i.key FROM ids i WHERE i.id = hazards.origin),
           CASE WHEN NOT json_valid(hazards.vv) THEN hazards.vv
                WHEN json_type(hazards.vv) = 'object'
                THEN (SELECT json_group_object(CAST(i.key AS TEXT), j.value)
                      FROM json_each(hazards.vv) j JOIN ids i ON i.id = j.key)
                ELSE hazards.vv END,
           version, created_at, updated_at, (SELECT i.key FROM ids i WHERE i.id = hazards.updated_by), deleted,
           region_code, inspection_id, item_code, finding_id, place_id, category, grade, description, responsible,
           notice_no, found_on, deadline, original_deadline, extensions, status, rectified_on, closed_on
    FROM hazards;
DROP TABLE hazards;
ALTER TABLE hazards_lean RENAME TO hazards;
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

CREATE TABLE petitions_lean (
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
INSERT INTO petitions_lean (rowid, id, origin, vv, version, created_at, updated_at, updated_by, deleted,
    region_code, case_no, channel, track, category, petitioner_name, id_number, phone, address, person_key, people,
    summary, content, unit, status, received_on, accept_due, accepted_on, handle_due, extended_days, extended_due,
    replied_on, outcome, closed_on, satisfaction, review_requested_on, review_due, reviewed_on, reexam_requested_on,
    reexam_due, reexamined_on, finalized_on, office_due, repeat_of)
    SELECT rowid, id, (SELECT i.key FROM ids i WHERE i.id = petitions.origin),
           CASE WHEN NOT json_valid(petitions.vv) THEN petitions.vv
                WHEN json_type(petitions.vv) = 'object'
                THEN (SELECT json_group_object(CAST(i.key AS TEXT), j.value)
                      FROM json_each(petitions.vv) j JOIN ids i ON i.id = j.key)
                ELSE petitions.vv END,
           version, created_at, updated_at, (SELECT i.key FROM ids i WHERE i.id = petitions.updated_by), deleted,
           region_code, case_no, channel, track, category, petitioner_name, id_number, phone, address, person_key,
           people, summary, content, unit, status, received_on, accept_due, accepted_on, handle_due, extended_days,
           extended_due, replied_on, outcome, closed_on, satisfaction, review_requested_on, review_due, reviewed_on,
           reexam_requested_on, reexam_due, reexamined_on, finalized_on, office_due, repeat_of
    FROM petitions;
DROP TABLE petitions;
ALTER TABLE petitions_lean RENAME TO petitions;
CREATE INDEX petitions_received ON petitions (received_on, id);
CREATE INDEX petitions_region ON petitions (region_code, received_on);
CREATE INDEX petitions_person ON petitions (person_key, category);
CREATE INDEX petitions_open_region ON petitions (region_code, office_due, deleted)
    WHERE office_due IS NOT NULL AND deleted = 0;
CREATE INDEX petitions_status ON petitions (status, deleted);
CREATE INDEX petitions_open_due ON petitions (office_due, id, deleted)
    WHERE office_due IS NOT NULL AND deleted = 0;

CREATE TABLE assignments_lean (
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
INSERT INTO assignments_lean (id, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code,
    target_family, target_id, assigned_by, assigned_on, deadline, note, status, reply, done_on)
    SELECT id, (SELECT i.key FROM ids i WHERE i.id = assignments.origin),
           CASE WHEN NOT json_valid(assignments.vv) THEN assignments.vv
                WHEN json_type(assignments.vv) = 'object'
                THEN (SELECT json_group_object(CAST(i.key AS TEXT), j.value)
                      FROM json_each(assignments.vv) j JOIN ids i ON i.id = j.key)
                ELSE assignments.vv END,
           version, created_at, updated_at, (SELECT i.key FROM ids i WHERE i.id = assignments.updated_by), deleted,
           region_code, target_family, target_id, assigned_by, assigned_on, deadline, note, status, reply, done_on
    FROM assignments;
DROP TABLE assignments;
ALTER TABLE assignments_lean RENAME TO assignments;
CREATE INDEX assignments_date ON assignments (assigned_on, id);
CREATE INDEX assignments_target ON assignments (target_id);
CREATE INDEX assignments_region ON assignments (region_code);
CREATE INDEX assignments_open_due ON assignments (deadline, id, status, deleted)
    WHERE status = 'open' AND deleted = 0;

CREATE TABLE journal_lean (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    record  INTEGER NOT NULL REFERENCES ids (key),
    version INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    source  INTEGER REFERENCES ids (key)
);
INSERT INTO journal_lean (seq, record, version, at, source)
    SELECT seq, record, version, at, source FROM journal ORDER BY seq;
-- The numbers already handed out stay handed out, even those of rows no longer here.
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'journal_lean', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'journal_lean');
UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence WHERE name IN ('journal', 'journal_lean'))
    WHERE name = 'journal_lean';
DROP TABLE journal;
ALTER TABLE journal_lean RENAME TO journal;
CREATE INDEX journal_record ON journal (record, seq);

DROP INDEX timeline_record;
CREATE INDEX timeline_record ON timeline (record);

-- @migration 13 -----------------------------------------------------------------------------------------------
-- The logs' repeated words stored once. The audit log names each row's actor, family and action, and the timeline
-- each event's actor and action, by their key in `names` (a few hundred words in a county: a worker's name, a
-- family's code, an action's code) instead of spelling them out in every row. The audit's hash still covers the
-- words (src/store/audit.rs reads them back). The journal is kept in record order (`WITHOUT ROWID`, keyed by
-- record and sequence number): the export and `check` read it by record, so it needs no second index; it no
-- longer holds each change's time, and `journal_head` holds the last number handed out and when.
CREATE TABLE names (
    key  INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
INSERT INTO names (name)
    SELECT actor FROM audit UNION SELECT family FROM audit UNION SELECT action FROM audit
    UNION SELECT actor FROM timeline UNION SELECT action FROM timeline;

CREATE TABLE audit_lean (
    seq        INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    device     INTEGER NOT NULL REFERENCES ids (key),
    actor      INTEGER NOT NULL REFERENCES names (key),
    family     INTEGER NOT NULL REFERENCES names (key),
    record     INTEGER NOT NULL REFERENCES ids (key),
    action     INTEGER NOT NULL REFERENCES names (key),
    reason     TEXT,
    changes    TEXT NOT NULL,
    state_hash BLOB,
    hash       BLOB NOT NULL
);
INSERT INTO audit_lean (seq, at, device, actor, family, record, action, reason, changes, state_hash, hash)
    SELECT a.seq, a.at, a.device, w.key, f.key, a.record, n.key, a.reason, a.changes, a.state_hash, a.hash
    FROM audit a JOIN names w ON w.name = a.actor JOIN names f ON f.name = a.family JOIN names n ON n.name = a.action
    ORDER BY a.seq;
DROP TABLE audit;
ALTER TABLE audit_lean RENAME TO audit;
-- (The audit log's index by record is not made again: migration 16 gives it up.)

CREATE TABLE timeline_lean (
    id      BLOB NOT NULL,
    origin  INTEGER NOT NULL REFERENCES ids (key),
    record  INTEGER NOT NULL REFERENCES ids (key),
    at      INTEGER NOT NULL,
    on_date TEXT,
    actor   INTEGER NOT NULL REFERENCES names (key),
    action  INTEGER NOT NULL REFERENCES names (key),
    note    TEXT
);
INSERT INTO timeline_lean (rowid, id, origin, record, at, on_date, actor, action, note)
    SELECT t.rowid, t.id, t.origin, t.record, t.at, t.on_date, w.key, n.key, t.note
    FROM timeline t JOIN names w ON w.name = t.actor JOIN names n ON n.name = t.action ORDER BY t.rowid;
DROP TABLE timeline;
ALTER TABLE timeline_lean RENAME TO timeline;
-- (Nor is the timeline's index: migration 17 keeps a record's events together without one.)

CREATE TABLE journal_head (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    seq INTEGER NOT NULL,
    at  INTEGER NOT NULL
);
-- The numbers already handed out stay handed out, even those of rows no longer here.
INSERT INTO journal_head (one, seq, at)
    SELECT 1, max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'journal'), 0),
                  coalesce((SELECT max(seq) FROM journal), 0)),
           coalesce((SELECT at FROM journal ORDER BY seq DESC LIMIT 1), 0);
CREATE TABLE journal_lean (
    record  INTEGER NOT NULL REFERENCES ids (key),
    seq     INTEGER NOT NULL,
    version INTEGER NOT NULL,
    source  INTEGER REFERENCES ids (key),
    PRIMARY KEY (record, seq)
) WITHOUT ROWID;
INSERT INTO journal_lean (record, seq, version, source) SELECT record, seq, version, source FROM journal;
DROP TABLE journal;
ALTER TABLE journal_lean RENAME TO journal;

-- @migration 14 -----------------------------------------------------------------------------------------------
-- `ids` holds a UUID spelled canonically (lowercase, hyphenated, as every id made or read here is) as its 16
-- bytes instead of 36 characters, in its row and in its unique index: about 40 bytes an id. Anything else (a
-- worker's name, a region's code, an id in another spelling, which `check` names) stays text. Code looks ids up
-- in the same form (src/store/keys.rs, `stored`) and spells them out as it reads them.
UPDATE ids SET id = unhex(replace(id, '-', ''))
    WHERE typeof(id) = 'text'
      AND id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]';

-- @migration 15 -----------------------------------------------------------------------------------------------
-- An inspection's results: each item as one string, its result's initial (`p`ass, `f`ail, `n`a), its code and,
-- after a space, its note if it has one (`["pG1","fG2 note",…]` for `[["G1","pass"],["G2","fail","note"],…]`),
-- a third of the bytes. An item (or anything else the list holds) that does not fit that form (a code with a space, another result) stays an array;
-- src/store/inspections.rs reads both.
UPDATE inspections SET results = (
        SELECT json_group_array(
                   CASE WHEN r.type = 'object' THEN json(r.value)
                        WHEN r.type IN ('true', 'false', 'null') THEN json(r.type)
                        WHEN r.type <> 'array' THEN r.value
                        WHEN json_type(r.value, '$[0]') = 'text' AND (r.value ->> 0) <> ''
                             AND instr(r.value ->> 0, ' ') = 0
                             AND json_type(r.value, '$[1]') = 'text' AND (r.value ->> 1) IN ('pass', 'fail', 'na')
                             AND (json_array_length(r.value) = 2
                                  OR (json_array_length(r.value) = 3 AND json_type(r.value, '$[2]') IN ('text', 'null')))
                        THEN substr(r.value ->> 1, 1, 1) || (r.value ->> 0)
                             || CASE WHEN json_type(r.value, '$[2]') = 'text' THEN ' ' || (r.value ->> 2) ELSE '' END
                        ELSE json(r.value) END
                   ORDER BY r.key)
        FROM json_each(inspections.results) r)
    WHERE CASE WHEN json_valid(results) THEN json_type(results) = 'array' ELSE 0 END;

-- @migration 16 -----------------------------------------------------------------------------------------------
-- The audit log loses its index by record: only `check` reads the log by record, and it now gathers every
-- record's latest state in one pass (src/store/audit.rs). About 60 bytes a record, and one index less to write
-- at every change.
DROP INDEX IF EXISTS audit_record;

-- @migration 17 -----------------------------------------------------------------------------------------------
-- The timeline kept in record order: an event's rowid is its record's key times 2^20 plus its place among the
-- record's events, in the order they were added (src/store/timeline.rs). A record's events are then one range of
-- the table, read, added to and removed without an index; the record's key is the rowid's high part, so the
-- `record` column goes too. The rowid is a column of its own (`pos INTEGER PRIMARY KEY`, no byte more): `VACUUM`
-- numbers the rows of a table without one afresh, which would scatter every record's events.
CREATE TABLE timeline_lean (
    pos     INTEGER PRIMARY KEY,
    id      BLOB NOT NULL,
    origin  INTEGER NOT NULL REFERENCES ids (key),
    at      INTEGER NOT NULL,
    on_date TEXT,
    actor   INTEGER NOT NULL REFERENCES names (key),
    action  INTEGER NOT NULL REFERENCES names (key),
    note    TEXT
);
INSERT INTO timeline_lean (rowid, id, origin, at, on_date, actor, action, note)
    SELECT record * 1048576 + row_number() OVER (PARTITION BY record ORDER BY rowid) - 1, id, origin, at, on_date,
           actor, action, note
    FROM timeline ORDER BY record, rowid;
DROP TABLE timeline;
ALTER TABLE timeline_lean RENAME TO timeline;

-- @migration 18 -----------------------------------------------------------------------------------------------
-- A family's row is keyed by its record's key in `ids` (`key INTEGER PRIMARY KEY`: the rowid itself, no index
-- of its own) instead of its 36-character id, and a row names the records it refers to by their keys too
-- (`place_key` for `place_id`, `inspection_key`, `finding_key`, `patrol_key`, `repeat_key` for `repeat_of`,
-- `target_key` for `target_id`); the lists' indexes hold the key where they held the id. About 280 bytes a
-- record. A record's JSON form, and so every bundle, is unchanged: src/store/keys.rs translates at the row's
-- edge (`RECORD_COLUMNS`). Every id a row names is first given a key (a record's own id has one from its journal
-- rows; an id in another spelling keeps its text, as in migration 14), through a temporary table that spells
-- each id once. The old tables are first renamed aside, so that the new ones, made under the old names, refer to
-- each other from the start (a foreign key naming a table that lacks its column is refused where keys are
-- enforced), then filled in key order and the old ones dropped.
ALTER TABLE places RENAME TO places_by_id;
ALTER TABLE patrols RENAME TO patrols_by_id;
ALTER TABLE inspections RENAME TO inspections_by_id;
ALTER TABLE findings RENAME TO findings_by_id;
ALTER TABLE hazards RENAME TO hazards_by_id;
ALTER TABLE petitions RENAME TO petitions_by_id;
ALTER TABLE assignments RENAME TO assignments_by_id;
CREATE TEMP TABLE id_keys (text TEXT PRIMARY KEY, key INTEGER) WITHOUT ROWID;
INSERT OR IGNORE INTO id_keys (text)
    SELECT id FROM places_by_id
    UNION ALL SELECT id FROM patrols_by_id
    UNION ALL SELECT id FROM inspections_by_id
    UNION ALL SELECT place_id FROM inspections_by_id WHERE place_id IS NOT NULL
    UNION ALL SELECT id FROM findings_by_id
    UNION ALL SELECT patrol_id FROM findings_by_id WHERE patrol_id IS NOT NULL
    UNION ALL SELECT id FROM hazards_by_id
    UNION ALL SELECT inspection_id FROM hazards_by_id WHERE inspection_id IS NOT NULL
    UNION ALL SELECT finding_id FROM hazards_by_id WHERE finding_id IS NOT NULL
    UNION ALL SELECT place_id FROM hazards_by_id WHERE place_id IS NOT NULL
    UNION ALL SELECT id FROM petitions_by_id
    UNION ALL SELECT repeat_of FROM petitions_by_id WHERE repeat_of IS NOT NULL
    UNION ALL SELECT id FROM assignments_by_id
    UNION ALL SELECT target_id FROM assignments_by_id WHERE target_id IS NOT NULL;
INSERT OR IGNORE INTO ids (id) SELECT iif(text GLOB
        '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]',
        unhex(replace(text, '-', '')), text) FROM id_keys;
UPDATE id_keys SET key = (SELECT key FROM ids WHERE id = iif(text GLOB
        '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]',
        unhex(replace(text, '-', '')), text));
CREATE TABLE places (
    key           INTEGER PRIMARY KEY,
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
);
CREATE TABLE patrols (
    key           INTEGER PRIMARY KEY,
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
CREATE TABLE inspections (
    key          INTEGER PRIMARY KEY,
    origin       INTEGER NOT NULL REFERENCES ids (key),
    vv           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    updated_by   INTEGER NOT NULL REFERENCES ids (key),
    deleted      INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code  TEXT NOT NULL REFERENCES regions (code),
    place_key    INTEGER NOT NULL REFERENCES places (key) DEFERRABLE INITIALLY DEFERRED,
    category     TEXT NOT NULL,
    subject      TEXT NOT NULL,
    inspected_on TEXT NOT NULL,
    inspector    TEXT NOT NULL,
    verdict      TEXT,
    failed_count INTEGER NOT NULL DEFAULT 0,
    note         TEXT,
    results      TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE findings (
    key            INTEGER PRIMARY KEY,
    origin         INTEGER NOT NULL REFERENCES ids (key),
    vv             TEXT NOT NULL,
    version        INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    updated_by     INTEGER NOT NULL REFERENCES ids (key),
    deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code    TEXT NOT NULL REFERENCES regions (code),
    patrol_key     INTEGER REFERENCES patrols (key) DEFERRABLE INITIALLY DEFERRED,
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
CREATE TABLE hazards (
    key               INTEGER PRIMARY KEY,
    origin            INTEGER NOT NULL REFERENCES ids (key),
    vv                TEXT NOT NULL,
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    updated_by        INTEGER NOT NULL REFERENCES ids (key),
    deleted           INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code       TEXT NOT NULL REFERENCES regions (code),
    inspection_key    INTEGER REFERENCES inspections (key) DEFERRABLE INITIALLY DEFERRED,
    item_code         TEXT,
    finding_key       INTEGER REFERENCES findings (key) DEFERRABLE INITIALLY DEFERRED,
    place_key         INTEGER REFERENCES places (key) DEFERRABLE INITIALLY DEFERRED,
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
CREATE TABLE petitions (
    key                 INTEGER PRIMARY KEY,
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
    repeat_key          INTEGER REFERENCES petitions (key) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE assignments (
    key           INTEGER PRIMARY KEY,
    origin        INTEGER NOT NULL REFERENCES ids (key),
    vv            TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER NOT NULL REFERENCES ids (key),
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    region_code   TEXT NOT NULL REFERENCES regions (code),
    target_family TEXT NOT NULL CHECK (target_family IN ('hazard', 'petition')),
    target_key    INTEGER NOT NULL REFERENCES ids (key),
    assigned_by   TEXT NOT NULL,
    assigned_on   TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    note          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'done')),
    reply         TEXT,
    done_on       TEXT
);
INSERT INTO places (key, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, name, address, kind, lat, lon, owner_name, owner_phone, floors, structure, year_built, use_type, business_type, occupancy)
    SELECT (SELECT key FROM id_keys WHERE text = id), origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, name, address, kind, lat, lon, owner_name, owner_phone, floors, structure, year_built, use_type, business_type, occupancy
    FROM places_by_id ORDER BY 1;
INSERT INTO patrols (key, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, worker, route, zone, started_at, ended_at, distance_km, weather, status, nothing_found, note)
    SELECT (SELECT key FROM id_keys WHERE text = id), origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, worker, route, zone, started_at, ended_at, distance_km, weather, status, nothing_found, note
    FROM patrols_by_id ORDER BY 1;
INSERT INTO inspections (key, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, place_key, category, subject, inspected_on, inspector, verdict, failed_count, note, results)
    SELECT (SELECT key FROM id_keys WHERE text = id), origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, (SELECT key FROM id_keys WHERE text = place_id), category, subject, inspected_on, inspector, verdict, failed_count, note, results
    FROM inspections_by_id ORDER BY 1;
INSERT INTO findings (key, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, patrol_key, code, description, location, lat, lon, found_on, zone, on_site_action, crop, area_mu, loss_yuan, department, referred_on, deadline, handled_on, verified_on, status)
    SELECT (SELECT key FROM id_keys WHERE text = id), origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, (SELECT key FROM id_keys WHERE text = patrol_id), code, description, location, lat, lon, found_on, zone, on_site_action, crop, area_mu, loss_yuan, department, referred_on, deadline, handled_on, verified_on, status
    FROM findings_by_id ORDER BY 1;
INSERT INTO hazards (key, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, inspection_key, item_code, finding_key, place_key, category, grade, description, responsible, notice_no, found_on, deadline, original_deadline, extensions, status, rectified_on, closed_on)
    SELECT (SELECT key FROM id_keys WHERE text = id), origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, (SELECT key FROM id_keys WHERE text = inspection_id), item_code, (SELECT key FROM id_keys WHERE text = finding_id), (SELECT key FROM id_keys WHERE text = place_id), category, grade, description, responsible, notice_no, found_on, deadline, original_deadline, extensions, status, rectified_on, closed_on
    FROM hazards_by_id ORDER BY 1;
INSERT INTO petitions (key, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, case_no, channel, track, category, petitioner_name, id_number, phone, address, person_key, people, summary, content, unit, status, received_on, accept_due, accepted_on, handle_due, extended_days, extended_due, replied_on, outcome, closed_on, satisfaction, review_requested_on, review_due, reviewed_on, reexam_requested_on, reexam_due, reexamined_on, finalized_on, office_due, repeat_key)
    SELECT (SELECT key FROM id_keys WHERE text = id), origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, case_no, channel, track, category, petitioner_name, id_number, phone, address, person_key, people, summary, content, unit, status, received_on, accept_due, accepted_on, handle_due, extended_days, extended_due, replied_on, outcome, closed_on, satisfaction, review_requested_on, review_due, reviewed_on, reexam_requested_on, reexam_due, reexamined_on, finalized_on, office_due, (SELECT key FROM id_keys WHERE text = repeat_of)
    FROM petitions_by_id ORDER BY 1;
INSERT INTO assignments (key, origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, target_family, target_key, assigned_by, assigned_on, deadline, note, status, reply, done_on)
    SELECT (SELECT key FROM id_keys WHERE text = id), origin, vv, version, created_at, updated_at, updated_by, deleted, region_code, target_family, (SELECT key FROM id_keys WHERE text = target_id), assigned_by, assigned_on, deadline, note, status, reply, done_on
    FROM assignments_by_id ORDER BY 1;
DROP TABLE id_keys;
DROP TABLE assignments_by_id;
DROP TABLE petitions_by_id;
DROP TABLE hazards_by_id;
DROP TABLE findings_by_id;
DROP TABLE inspections_by_id;
DROP TABLE patrols_by_id;
DROP TABLE places_by_id;
CREATE INDEX places_region ON places (region_code);
CREATE INDEX inspections_region ON inspections (region_code, inspected_on);
CREATE INDEX inspections_place ON inspections (place_key);
CREATE INDEX inspections_date ON inspections (inspected_on, key, deleted);
CREATE INDEX patrols_region ON patrols (region_code, started_at);
CREATE INDEX patrols_started ON patrols (started_at, deleted, distance_km);
CREATE INDEX findings_date ON findings (found_on, key);
CREATE INDEX findings_region ON findings (region_code, found_on);
CREATE INDEX findings_patrol ON findings (patrol_key);
CREATE INDEX findings_status ON findings (status, deadline, found_on, key, deleted);
CREATE INDEX findings_referred_due ON findings (deadline, key, status, deleted)
    WHERE status = 'referred' AND deleted = 0;
CREATE INDEX hazards_region ON hazards (region_code, found_on);
CREATE INDEX hazards_inspection ON hazards (inspection_key);
CREATE INDEX hazards_finding ON hazards (finding_key);
CREATE INDEX hazards_status ON hazards (status, deadline, found_on, key, deleted);
CREATE INDEX hazards_grade ON hazards (grade, status, deleted);
CREATE INDEX hazards_found ON hazards (found_on, key, deleted);
CREATE INDEX hazards_open_region ON hazards (region_code, status, deleted)
    WHERE (status = 'found' OR status = 'assigned' OR status = 'rectifying' OR status = 'review_requested'
           OR status = 'review_passed') AND deleted = 0;
CREATE INDEX hazards_running_due ON hazards (deadline, key, status, deleted)
    WHERE (status = 'found' OR status = 'assigned' OR status = 'rectifying' OR status = 'review_requested')
          AND deleted = 0;
CREATE INDEX petitions_received ON petitions (received_on, key);
CREATE INDEX petitions_region ON petitions (region_code, received_on);
CREATE INDEX petitions_person ON petitions (person_key, category);
CREATE INDEX petitions_open_region ON petitions (region_code, office_due, deleted)
    WHERE office_due IS NOT NULL AND deleted = 0;
CREATE INDEX petitions_status ON petitions (status, deleted);
CREATE INDEX petitions_open_due ON petitions (office_due, key, deleted)
    WHERE office_due IS NOT NULL AND deleted = 0;
CREATE INDEX assignments_date ON assignments (assigned_on, key);
CREATE INDEX assignments_target ON assignments (target_key);
CREATE INDEX assignments_region ON assignments (region_code);
CREATE INDEX assignments_open_due ON assignments (deadline, key, status, deleted)
    WHERE status = 'open' AND deleted = 0;

-- @migration 19 -----------------------------------------------------------------------------------------------
-- An event's id is a UUIDv7 whose first 6 bytes are its time in ms, which its row holds already (`at`): the row
-- keeps only the id's last 10 bytes, and src/store/timeline.rs (`event_id!`) puts the 6 back from `at` as it reads.
-- An id whose time is not the event's (none made here; a bundle may carry one) is kept whole. About 24 bytes a
-- record. Bundles are unchanged.
UPDATE timeline SET id = substr(id, 7)
    WHERE length(id) = 16 AND substr(id, 1, 6) = unhex(printf('%012X', at));

-- @migration 20 -----------------------------------------------------------------------------------------------
-- A petitioner's key (a SHA-256 in lowercase hex, `person_key`) as its 32 bytes, in the row and in the index of
-- repeat cases: about 13 bytes a record. src/store/petitions.rs (`person_key_column`) stores and looks up the same
-- form; a row reads it back as hex. Any other spelling stays text.
UPDATE petitions SET person_key = unhex(person_key)
    WHERE typeof(person_key) = 'text' AND length(person_key) = 64 AND NOT person_key GLOB '*[^0-9a-f]*';

-- @migration 21 -----------------------------------------------------------------------------------------------
-- A search document names only its record: the record's family is the table that holds its key
-- (src/store/search/mod.rs, `family_of_doc`, asked for the page of hits shown). About 10 bytes a record.
CREATE TABLE search_docs_lean (
    rowid  INTEGER PRIMARY KEY,
    record INTEGER NOT NULL UNIQUE REFERENCES ids (key)
);
INSERT INTO search_docs_lean (rowid, record) SELECT rowid, record FROM search_docs ORDER BY rowid;
DROP TABLE search_docs;
ALTER TABLE search_docs_lean RENAME TO search_docs;

-- @migration 22 -----------------------------------------------------------------------------------------------
-- The change numbers seen from each device (`sync_seen`, a row per change ever imported) name the device by its
-- key in `ids` and hold the digest (the first 8 bytes of a SHA-256, 16 hex digits) as its 8 bytes: about a third
-- of a row's bytes, and a third of the B-tree an import searches and writes for each change. src/store/exchange.rs
-- (`see`) writes and compares them in that form; a digest that is not hex stays as its text's bytes.
INSERT OR IGNORE INTO ids (id)
    SELECT DISTINCT iif(device GLOB
        '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]',
        unhex(replace(device, '-', '')), device)
    FROM sync_seen;
CREATE TABLE sync_seen_lean (
    device INTEGER NOT NULL REFERENCES ids (key),
    seq    INTEGER NOT NULL,
    digest BLOB NOT NULL,
    PRIMARY KEY (device, seq)
) WITHOUT ROWID;
INSERT INTO sync_seen_lean (device, seq, digest)
    SELECT d.key, s.seq, coalesce(unhex(s.digest), CAST(s.digest AS BLOB))
    FROM sync_seen s JOIN ids d ON d.id = iif(s.device GLOB
        '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]',
        unhex(replace(s.device, '-', '')), s.device)
    ORDER BY d.key, s.seq;
DROP TABLE sync_seen;
ALTER TABLE sync_seen_lean RENAME TO sync_seen;

-- @migration 23 -----------------------------------------------------------------------------------------------
-- Hazards by place: a place's change re-indexes the search documents of the hazards that show its name and
-- address (src/store/search/mod.rs, `shown_by`), found without reading every hazard; the demo's bulk writer asks
-- it of every place it writes.
CREATE INDEX hazards_place ON hazards (place_key);
