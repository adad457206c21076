-- The request store, version 2: places found by latitude band, and a
-- department's open queue by service.
--
-- Version 1 indexed places by (lat, lon): a radius query read every
-- request in a strip of the city's whole width, checking each one's
-- longitude. Here each request falls in a band of 1/1024 of a degree of
-- latitude (about 109 m); the index holds the band, then the longitude, so
-- a radius query or a new request's duplicate look-up seeks each band the
-- circle crosses and reads only the longitudes inside it. The band is
-- computed by the database from the latitude (a generated column), so no
-- writer can disagree with it; the store computes the same bands for a
-- query (`geo::bands`).

-- dialect: sqlite
ALTER TABLE requests ADD COLUMN place_band BIGINT
    GENERATED ALWAYS AS (CAST((lat + 90.0) * 1024.0 AS INTEGER)) VIRTUAL;
-- dialect: postgres
ALTER TABLE requests ADD COLUMN place_band BIGINT
    GENERATED ALWAYS AS (floor((lat + 90.0) * 1024.0)::bigint) STORED;
-- dialect: all

DROP INDEX requests_by_place;
CREATE INDEX requests_by_place ON requests (place_band, lon, lat, requested_at, id);

-- A department's open queue holds each request's id and service code, so
-- that the queue of one service (`department`, `service_code` and
-- `status=open` together) is picked from the index without reading a row.
DROP INDEX requests_open_by_department;
CREATE INDEX requests_open_by_department ON requests (department, requested_at, id, service_code)
    WHERE state <> 'closed';
