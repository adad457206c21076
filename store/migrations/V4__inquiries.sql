-- Version 4: inquiries, the questions no article answered, each escalated
-- to the department that should reply, with a deadline; and their history
-- (append-only, as a request's). An inquiry is not a service request: it
-- is in no Open311 list, and its question is shown only to staff and to
-- whoever holds its id.

-- dialect: all
CREATE TABLE inquiries (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    lang TEXT,
    -- open or closed (closed once replied to)
    state TEXT NOT NULL,
    asked_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    reply_by BIGINT,
    time_zone TEXT NOT NULL,
    department TEXT,
    -- What the engine found: the category that named the department, the
    -- answers' confidence, and why it escalated.
    service_code TEXT,
    confidence DOUBLE PRECISION NOT NULL,
    reason TEXT NOT NULL,
    channel TEXT,
    -- The page it was asked on, without its query string.
    page TEXT,
    reply TEXT,
    replied_at BIGINT,
    version BIGINT NOT NULL,
    -- A secret the asker is given, to read the reply (ids are sequential).
    token TEXT
);

CREATE TABLE inquiry_events (
    inquiry_id TEXT NOT NULL REFERENCES inquiries (id),
    n BIGINT NOT NULL,
    at BIGINT NOT NULL,
    -- asked, note, transferred or replied
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    public BIGINT NOT NULL,
    note TEXT,
    department TEXT,
    PRIMARY KEY (inquiry_id, n)
-- dialect: sqlite
) WITHOUT ROWID;
-- dialect: postgres
);
-- dialect: all

-- A department's queue: its open inquiries, oldest first.
CREATE INDEX inquiries_open_by_department ON inquiries (department, asked_at) WHERE state = 'open';
CREATE INDEX inquiries_by_time ON inquiries (asked_at);

-- dialect: sqlite
INSERT INTO counters (name, value) VALUES ('inquiry', 1);
-- dialect: postgres
CREATE SEQUENCE inquiry_numbers START 1;
