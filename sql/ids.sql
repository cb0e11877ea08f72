-- ULIDs: format, strict order within a backend, uniqueness, time decoding.
SELECT length(id) = 26 AS length_ok, id ~ '^[0-7][0-9A-HJKMNP-TV-Z]{25}$' AS alphabet_ok
FROM (SELECT orchestration_ulid() AS id) s;

-- 100,000 ids made in one backend (many per millisecond) are strictly increasing and unique.
WITH ids AS (SELECT n, orchestration_ulid() AS id FROM generate_series(1, 100000) n)
SELECT count(*) AS total, count(DISTINCT id) AS distinct_ids,
       bool_and(id COLLATE "C" > prev COLLATE "C") AS strictly_increasing
FROM (SELECT n, id, lag(id) OVER (ORDER BY n) AS prev FROM ids) s WHERE prev IS NOT NULL OR n = 1;

-- The time part is the wall clock in milliseconds.
SELECT abs(extract(epoch FROM orchestration_ulid_time(orchestration_ulid()) - clock_timestamp())) < 5 AS time_ok;
SELECT orchestration_ulid_time('01ARZ3NDEKTSV4RRFFQ69G5FAV') AS spec_example;
SELECT orchestration_ulid_time('01arz3ndektsv4rrffq69g5fav') AS lower_case;

-- Not a ULID.
SELECT orchestration_ulid_time('short');
SELECT orchestration_ulid_time('81ARZ3NDEKTSV4RRFFQ69G5FAV');
SELECT orchestration_ulid_time('01ARZ3NDEKTSV4RRFFQ69G5FA!');
-- Lengths are characters: 26 characters with a two-byte one is a bad digit, not a bad length.
SELECT orchestration_ulid_time('01ARZ3NDEKTSV4RRFFQ69G5FAé');
SELECT orchestration_ulid_time('01ARZ3NDEKTSV4RRFFQ69G5FAVé');
-- A huge non-ULID is not echoed whole.
SELECT orchestration_ulid_time(repeat('x', 1000000));
