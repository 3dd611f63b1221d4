-- Clip search (issue 5). See docs/search.md for the design; in short:
--   * words and phrases: full-text search with a language-neutral configuration (`simple` = no stemming and
--     no stopword list, so emotes such as KEKW/PogChamp and slang survive) plus unaccent;
--   * scripts written without spaces (CJK, Thai, Lao, Khmer, Myanmar): character bigrams stored in the same
--     tsvector, queried as a `<->` phrase, which gives exact substring matching through the GIN index;
--   * typos and infix partial words: pg_trgm word_similarity over an ASCII-and-alphabetic projection of the
--     title. CJK/Thai characters are blanked out of that projection because pg_trgm classifies them as word
--     characters on PostgreSQL with glibc locales but not on PGlite; dropping them keeps both backends equal.
-- Every function below is IMMUTABLE so it can feed a generated column and an expression index. They call
-- public.unaccent with an explicit dictionary (the usual way to make unaccent immutable-safe) and qualify
-- every name, because index builds and ANALYZE run them with a restricted search_path (PostgreSQL 17, PGlite).

CREATE TEXT SEARCH CONFIGURATION clip_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION clip_search
  ALTER MAPPING FOR word, hword, hword_part, numword, numhword, hword_numpart WITH public.unaccent, simple;

-- NFKC first (full-width ＫＥＫＷ -> KEKW, half-width katakana -> katakana), then accents, then case.
CREATE FUNCTION clip_search_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, normalize(value, NFKC))) $$;

-- Runs of characters from scripts that do not separate words with spaces. Keep in sync with
-- NO_SPACE_SCRIPT_RUN in src/clips/search/scripts.ts.
-- Hiragana/Katakana, CJK ext A, CJK unified, CJK compatibility, Hangul syllables, Thai, Lao, Khmer, Myanmar.
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

-- Words (unaccented, lower-cased, unstemmed) followed by the bigrams of no-space scripts. Each run of
-- "abcd" yields "ab bc cd d": adjacent positions make `'ab' <-> 'bc'` a substring test, and the trailing
-- unigram lets a one-character query (`'d':*`) find a character that ends a run.
CREATE FUNCTION clip_search_vector(title text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT to_tsvector('public.clip_search'::regconfig, f.folded)
           || to_tsvector('simple'::regconfig, public.clip_search_grams(f.folded))
    FROM (SELECT public.clip_search_fold(title) AS folded) AS f
  $$;

-- What pg_trgm sees: folded title with no-space scripts blanked (see the header).
CREATE FUNCTION clip_search_trgm_text(title text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT regexp_replace(public.clip_search_fold(title),
             '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f]+',
             ' ', 'g')
  $$;

-- Stored so that ranking and GIN rechecks read it instead of re-parsing titles.
ALTER TABLE "clips" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (public.clip_search_vector("title")) STORED;

-- Words, phrases (positions are kept for `<->` rechecks) and CJK bigrams.
CREATE INDEX "clips_search_vector_search_idx" ON "clips" USING gin ("search_vector");
-- Typos and partial words: `term <% clip_search_trgm_text(title)` (word_similarity).
CREATE INDEX "clips_title_trgm_idx" ON "clips" USING gin (public.clip_search_trgm_text("title") gin_trgm_ops);
-- "Top clips of this channel" and channel-filtered searches sorted by views, with keyset pagination.
CREATE INDEX "clips_broadcaster_views_search_idx" ON "clips" ("broadcaster_id", "view_count" DESC, "id");
-- Clipper autocomplete by display-name prefix.
CREATE INDEX "clips_creator_name_search_idx" ON "clips" (lower("creator_name") text_pattern_ops);
-- Channel and game autocomplete by prefix (small tables, but autocomplete must answer in milliseconds).
CREATE INDEX "broadcasters_login_search_idx" ON "broadcasters" (lower("login") text_pattern_ops);
CREATE INDEX "broadcasters_display_name_search_idx" ON "broadcasters" (lower("display_name") text_pattern_ops);
CREATE INDEX "games_name_search_idx" ON "games" (lower("name") text_pattern_ops);
