-- Version 5: what residents searched for, for the report's "what residents
-- asked" (docs/analytics.md). One row per search or per answer followed.
-- Nothing here names a person: no address, cookie, account or key; the
-- page is kept without its query string, and the question with numbers of
-- three digits or more and e-mail addresses blotted out. Rows older than
-- the server's retention are deleted.

-- dialect: all
CREATE TABLE search_events (
    at BIGINT NOT NULL,
    -- search or follow
    kind TEXT NOT NULL,
    query TEXT NOT NULL,
    lang TEXT,
    -- For a search: how many answers, and the first one.
    answers BIGINT,
    top_id TEXT,
    top_score DOUBLE PRECISION,
    -- For a follow: the answer followed, as kind:id.
    followed TEXT,
    page TEXT,
    -- api (the server's /api/search) or widget (/api/events)
    source TEXT NOT NULL
);

CREATE INDEX search_events_by_time ON search_events (at);
