-- The request store, version 1: requests, the people who filed them (kept
-- apart), every request's append-only history, and the counter of ids.
--
-- One file serves both engines. Lines under `-- dialect: sqlite` or
-- `-- dialect: postgres` apply to that engine alone, up to the next
-- `-- dialect:` line; `-- dialect: all` returns to both. Integers are
-- BIGINT and reals DOUBLE PRECISION everywhere, so that the one set of
-- statements binds the same Rust types on both. Times are seconds since
-- 1970-01-01 UTC; each request keeps the time zone its times are shown in.

-- dialect: all
CREATE TABLE store_info (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO store_info (key, value) VALUES ('application', 'civic311-store');

CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    -- A client's own id for its submission: a retry finds the first one
    -- (unique where given; see requests_by_client_id).
    client_request_id TEXT,
    service_code TEXT NOT NULL,
    service_name TEXT,
    description TEXT,
    -- The lifecycle state: submitted, acknowledged, in_progress, on_hold,
    -- closed or reopened; the close reason as JSON when closed.
    state TEXT NOT NULL,
    close_reason TEXT,
    status_notes TEXT,
    agency_responsible TEXT,
    service_notice TEXT,
    requested_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expected_at BIGINT,
    acknowledged_at BIGINT,
    closed_at BIGINT,
    escalation_at BIGINT,
    escalation_to TEXT,
    -- Set once by the monitor (sweep), so that each is recorded once.
    escalated_at BIGINT,
    breached_at BIGINT,
    time_zone TEXT NOT NULL,
    address TEXT,
    address_id TEXT,
    zipcode TEXT,
    lat DOUBLE PRECISION,
    lon DOUBLE PRECISION,
    media_url TEXT,
    attributes TEXT NOT NULL,
    channel TEXT,
    reporter TEXT NOT NULL,
    priority TEXT,
    jurisdiction TEXT,
    department TEXT,
    duplicate_of TEXT,
    referred_to TEXT,
    rule TEXT,
    sla TEXT,
    -- submit or import
    source TEXT NOT NULL,
    version BIGINT NOT NULL
);

-- Personal data, apart from the request: no query of requests reads it.
-- The history: appended to, never changed.
-- (SQLite keeps both as one b-tree keyed by their primary key, WITHOUT
-- ROWID, so that a submission writes two fewer b-trees.)
CREATE TABLE request_people (
    request_id TEXT PRIMARY KEY REFERENCES requests (id),
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    phone TEXT,
    device_id TEXT,
    account_id TEXT
-- dialect: sqlite
) WITHOUT ROWID;
-- dialect: postgres
);
-- dialect: all

CREATE TABLE request_events (
    request_id TEXT NOT NULL REFERENCES requests (id),
    n BIGINT NOT NULL,
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    public BIGINT NOT NULL,
    note TEXT,
    state TEXT,
    department TEXT,
    detail TEXT,
    PRIMARY KEY (request_id, n)
-- dialect: sqlite
) WITHOUT ROWID;
-- dialect: postgres
);
-- dialect: all

-- Open311 lists newest first; each filter has an index that also orders.
-- Closed requests are most of a store, so `status=closed` walks the time
-- index; open ones are few, and a department works its open queue, so
-- they have partial indexes of their own. Every index is a b-tree each
-- submission writes: there is none that a filter does not need.
CREATE INDEX requests_by_time ON requests (requested_at, id);
CREATE INDEX requests_by_service ON requests (service_code, requested_at);
CREATE INDEX requests_by_department ON requests (department, requested_at);
CREATE INDEX requests_by_update ON requests (updated_at);
CREATE INDEX requests_open_by_time ON requests (requested_at) WHERE state <> 'closed';
CREATE INDEX requests_open_by_department ON requests (department, requested_at) WHERE state <> 'closed';
CREATE UNIQUE INDEX requests_by_client_id ON requests (client_request_id) WHERE client_request_id IS NOT NULL;
-- Radius and box queries, and the duplicates of a new request: the index
-- holds what picking a page needs, so only that page's rows are read.
CREATE INDEX requests_by_place ON requests (lat, lon, requested_at, id);
-- The monitor's two questions: what is past its escalation time, past its due time.
CREATE INDEX requests_to_escalate ON requests (escalation_at)
    WHERE escalation_at IS NOT NULL AND escalated_at IS NULL AND state <> 'closed';
CREATE INDEX requests_to_breach ON requests (expected_at)
    WHERE expected_at IS NOT NULL AND breached_at IS NULL AND state <> 'closed';

-- dialect: sqlite
-- The next generated id. SQLite runs one writer at a time, so a counter
-- row costs nothing.
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('request', 1);

-- dialect: postgres
-- A sequence, not a counter row: a row would be locked by each submission
-- until its commit, and concurrent submissions would wait on each other.
CREATE SEQUENCE request_numbers START 1;

-- The distance in metres between two points (haversine on a sphere of the
-- mean Earth radius); SQLite gets the same function from the store at open.
CREATE FUNCTION civic311_distance_m(lat1 DOUBLE PRECISION, lon1 DOUBLE PRECISION, lat2 DOUBLE PRECISION, lon2 DOUBLE PRECISION)
RETURNS DOUBLE PRECISION LANGUAGE SQL IMMUTABLE AS $$
    SELECT 2 * 6371008.8 * asin(sqrt(
        power(sin(radians(lat2 - lat1) / 2), 2)
        + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;
