-- bench/sessions/fill_ids.sql: id builders for the bulk fill (fill.sql).
-- benchgen.ulid_at(ms, r1, r2): a ULID (26 Crockford base32 characters: 48-bit
-- millisecond time, then 80 random bits given as two 40-bit numbers), written
-- as one inlinable SQL expression so that a set-based INSERT ... SELECT can
-- make ids for past timestamps, time-ordered like orchestration_ulid().
CREATE SCHEMA IF NOT EXISTS benchgen;
CREATE OR REPLACE FUNCTION benchgen.ulid_at(ms bigint, r1 bigint, r2 bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 45) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 40) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 35) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 30) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 25) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 20) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 15) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 10) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 5) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((ms >> 0) & 31)::int + 1, 1)
 || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r1 >> 35) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r1 >> 30) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r1 >> 25) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r1 >> 20) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r1 >> 15) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r1 >> 10) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r1 >> 5) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r1 >> 0) & 31)::int + 1, 1)
 || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r2 >> 35) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r2 >> 30) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r2 >> 25) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r2 >> 20) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r2 >> 15) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r2 >> 10) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r2 >> 5) & 31)::int + 1, 1) || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((r2 >> 0) & 31)::int + 1, 1) $$;

-- The id of child k of kind `tag` ('s' session, 'e' entry, 't' transition,
-- 'x' exec, 'i' issue) of session i, made at unix millisecond ms:
-- id_ulid: a time-ordered ULID with 80 pseudo-random bits from hashes of (tag, i, k);
-- id_uuid: a random UUID-formatted text, md5 of (tag, i, k), uniformly random
-- like gen_random_uuid().  Both are deterministic, so a child can name its
-- session without a join.  fill.sql points benchgen.id at one of them.
CREATE OR REPLACE FUNCTION benchgen.id_ulid(tag text, i bigint, k int, ms bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT benchgen.ulid_at(ms, hashint8extended(i, k) & 1099511627775,
                            hashint8extended(i, ascii(tag) * 16 + k) & 1099511627775) $$;
CREATE OR REPLACE FUNCTION benchgen.id_uuid(tag text, i bigint, k int, ms bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT md5(tag || ':' || i || ':' || k)::uuid::text $$;
