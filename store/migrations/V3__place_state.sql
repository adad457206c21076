-- The request store, version 3: the place index also holds each request's
-- state.
--
-- A new request's duplicate look-up wants the newest open requests near
-- it. With version 2 it found every request in the box around it in the
-- place index, then read each one's row to see whether it was open, and
-- sorted them all by time: where requests crowd (a street of potholes,
-- filed all day), a thousand rows a submission. With the state in the
-- index, the newest open ones are picked from the index alone, and only
-- those rows are read. A status change now also updates this index entry.

DROP INDEX requests_by_place;
CREATE INDEX requests_by_place ON requests (place_band, lon, lat, requested_at, id, state);
