-- Clip search (issue 5). See docs/search.md for the design; in short:
--   * words and phrases: full-text search with a language-neutral configuration (`simple` = no stemming and
--     no stopword list, so emotes such as KEKW/PogChamp and slang survive) plus unaccent;
--   * scripts written without spaces (CJK, Thai, Lao, Khmer, Myanmar): character bigrams stored in the same
--     tsvector, queried as a `<->` phrase, which gives exact substring matching through the GIN index;
--   * typos and word middles: pg_trgm similarity against a vocabulary of the titles' words
--     (clip_search_words); the closest real words are then searched like typed words. No-space-script
--     bigrams stay out of the vocabulary: pg_trgm treats CJK characters as word characters on PostgreSQL
--     with glibc locales but not on PGlite, so leaving them out keeps both backends equal.
-- Every function is IMMUTABLE so it can feed a generated column. They call public.unaccent with an
-- explicit dictionary (the usual way to make unaccent immutable-safe) and qualify every name, because index
-- builds and ANALYZE run them with a restricted search_path (PostgreSQL 17, PGlite).

CREATE TEXT SEARCH CONFIGURATION clip_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION clip_search
  ALTER MAPPING FOR word, hword, hword_part, numword, numhword, hword_numpart WITH public.unaccent, simple;

-- NFKC first (full-width ＫＥＫＷ -> KEKW, half-width katakana -> katakana), then accents, then case.
CREATE FUNCTION clip_search_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, normalize(value, NFKC))) $$;

-- Bigrams of each run of no-space script, "abcd" -> "ab bc cd d". Keep the ranges in sync with
-- NO_SPACE_RANGES in src/clips/search/scripts.ts: Hiragana/Katakana, CJK ext A, CJK unified,
-- CJK compatibility, Hangul syllables, Thai, Lao, Khmer, Myanmar.
CREATE FUNCTION clip_search_grams(folded text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT coalesce(string_agg(
             CASE WHEN i < char_length(r.m[1]) THEN substr(r.m[1], i, 2) ELSE substr(r.m[1], i, 1) END,
             ' ' ORDER BY r.ord, i), '')
    FROM regexp_matches(folded, '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f]+', 'g')
           WITH ORDINALITY AS r(m, ord),
         generate_series(1, char_length(r.m[1])) AS i
  $$;

-- Words (unaccented, lower-cased, unstemmed) followed by the bigrams of no-space scripts. Adjacent
-- positions make `'ab' <-> 'bc'` a substring test; the trailing unigram lets a one-character query
-- (`'d':*`) find a character that ends a run. One SELECT without FROM, so PostgreSQL inlines it (a
-- non-inlined SQL function costs ~80 µs per row); the bigram function only runs for titles containing such
-- a script (this range adds half-width katakana, which NFKC turns into katakana).
-- Not STRICT, on purpose: PostgreSQL inlines a STRICT SQL function only if its body is strict, which a
-- CASE is not, and the non-inlined call cost ~10 µs per row, a tenth of an insert (a NULL title gives
-- NULL either way; titles are NOT NULL anyway). Same for clip_search_popularity.
CREATE FUNCTION clip_search_vector(title text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT to_tsvector('public.clip_search'::regconfig, public.clip_search_fold(title))
           || CASE WHEN title ~ '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f\uff66-\uff9f]'
                   THEN to_tsvector('simple'::regconfig, public.clip_search_grams(public.clip_search_fold(title)))
                   ELSE ''::tsvector END
  $$;

-- Popularity tiers as lexemes no query token can produce ('~' is never part of a token): a clip with 5,000
-- views carries ~v3, ~v10, ~v100 and ~v1000. "The 500 most viewed matches of X" is then "the matches of
-- X & ~v10000 if there are 500 of them, else of X & ~v1000, ..." — each tier a GIN posting-list
-- intersection that touches only the tier's rows, instead of visiting every match of a common word or
-- walking the views index past thousands of non-matches. Keep in sync with POPULARITY_TIERS in
-- src/clips/search/buildSearchSql.ts.
CREATE FUNCTION clip_search_popularity(views integer) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$
    SELECT CASE WHEN views >= 10000 THEN '~v3 ~v10 ~v100 ~v1000 ~v10000'::tsvector
                WHEN views >= 1000 THEN '~v3 ~v10 ~v100 ~v1000'::tsvector
                WHEN views >= 100 THEN '~v3 ~v10 ~v100'::tsvector
                WHEN views >= 10 THEN '~v3 ~v10'::tsvector
                WHEN views >= 3 THEN '~v3'::tsvector
                ELSE ''::tsvector END
  $$;

-- Stored so that matching and ranking read it instead of re-parsing titles. A view-count change rewrites
-- it only when the clip crosses a popularity tier (otherwise the value is unchanged).
ALTER TABLE "clips" ADD COLUMN "search_vector" tsvector
  GENERATED ALWAYS AS (public.clip_search_vector("title") || public.clip_search_popularity("view_count")) STORED;

-- Words, prefixes, phrases (positions are kept for `<->` rechecks) and CJK bigrams. Every search scans
-- the whole GIN pending list (new entries not yet merged into the index; a full 4 MB list costs each
-- lookup ~500 page reads), but merging the list is most of an insert's cost and bigger merges are cheaper
-- per entry. So the list may grow to the default 4 MB during an upsertClips call (ingest +10-15 % over
-- 256 kB), and upsertClips merges it at the end of each call (gin_clean_pending_list): searches do not
-- scan a full list between ingest bursts. Same for the vocabulary's trigram index.
CREATE INDEX "clips_search_vector_search_idx" ON "clips" USING gin ("search_vector")
  WITH (gin_pending_list_limit = 4096);

-- Relevance candidates of dense text ("the", `"the the"`) are found by walking clips in views order and
-- testing each row's tsvector. Read from the heap, every row costs a random page (~5 µs when the table
-- does not fit in shared_buffers; `"the the"` walked 7,000 rows in ~50 ms); this index carries the
-- tsvector, so the walk is index-only and sequential (~0.3 µs per row). Index-only scans need the
-- visibility map, hence the insert-driven autovacuum threshold below (2 % instead of 20 % of the table).
CREATE INDEX "clips_views_vector_search_idx" ON "clips" ("view_count" DESC, "id")
  INCLUDE ("created_at", "search_vector") WHERE "deleted_at" IS NULL;
ALTER TABLE "clips" SET (autovacuum_vacuum_insert_scale_factor = 0.02);

-- Every distinct word (lexeme, 3+ characters, no bigrams) of the stored titles, written by upsertClips.
-- Typos and word middles are matched against this vocabulary (a GIN trigram `%` search over tens of
-- thousands of short words takes a few milliseconds; the candidates are then ranked by edit distance in
-- src/clips/search/findClips.ts) and the closest real words go through the tsvector index like typed
-- words; trigram-matching a million titles directly costs tens to hundreds of milliseconds per query.
-- Words of deleted clips stay: they only cost a little space.
CREATE TABLE "clip_search_words" (
    "word" TEXT NOT NULL,

    CONSTRAINT "clip_search_words_pkey" PRIMARY KEY ("word")
);
CREATE INDEX "clip_search_words_trgm_idx" ON "clip_search_words" USING gin ("word" gin_trgm_ops)
  WITH (gin_pending_list_limit = 4096);

-- "Top clips of this channel" and channel-filtered searches sorted by views, with keyset pagination.
CREATE INDEX "clips_broadcaster_views_search_idx" ON "clips" ("broadcaster_id", "view_count" DESC, "id");
-- Clipper autocomplete by display-name prefix.
CREATE INDEX "clips_creator_name_search_idx" ON "clips" (lower("creator_name") text_pattern_ops);
-- Channel and game autocomplete by prefix (small tables, but autocomplete must answer in milliseconds).
CREATE INDEX "broadcasters_login_search_idx" ON "broadcasters" (lower("login") text_pattern_ops);
CREATE INDEX "broadcasters_display_name_search_idx" ON "broadcasters" (lower("display_name") text_pattern_ops);
CREATE INDEX "games_name_search_idx" ON "games" (lower("name") text_pattern_ops);
