'use strict';
/**
 * Realistic, deterministic data for the bundled example (prisma/schema.prisma), loaded server-side
 * with INSERT … SELECT generate_series (no rows cross the wire). Nothing is disabled: the FK
 * constraints Prisma created are checked on every row, like in production. The only liberty is
 * the one the benchmark is about: the data is there before the FK indexes are.
 *
 * Shape (N = rows of each main table):
 *   User               N/10; ids u0000001…; 10 "heavy" users write ~15% of everything, the rest
 *                      follow a power law (user k is picked with density ~ 1/sqrt(k)); 3% soft-deleted;
 *                      30% were referred by an earlier user (self-relation, skewed to influencers).
 *   Conversation       N/50.
 *   Post               N; 4-word titles from a Zipf vocabulary; content jsonb {type, blocks, lang};
 *                      0-3 tags from a Zipf tag list; 80% published; 5% soft-deleted.
 *   Comment            N/4; on popular posts (power law), 30% replies to an earlier comment; 4% deleted.
 *   Message            N/4; power-law conversations; attachments mostly []; 2% deleted.
 *   GamificationEvent  N; 12 event types with fixed weights (lesson_completed 30% … badge_unlocked
 *                      0.1%); 97% PROCESSED, 1.5% PENDING, 0.3% RETRY, 0.2% PROCESSING, 1% FAILED.
 *   ingest_events      N; unique event_id; 98.3% DONE, 1% FAILED, 0.2% PROCESSING, and a small
 *                      waiting queue: 0.4% PENDING + 0.1% RETRY, next_attempt_at within ±1 h of
 *                      now (about 60% due).
 * Every row satisfies the CHECK constraints the plan proposes, and the columns idxgen proposes a
 * UNIQUE index on are unique, so every generated migration applies.
 */

const pad = (prefix, width) => (expr) => `'${prefix}' || lpad((${expr})::int::text, ${width}, '0')`;
const userId = pad('u', 7);
const postId = pad('p', 8);
const commentId = pad('c', 8);
const convId = pad('cv', 7);

/** A CASE over one uniform draw `r` in [0, 100): [[value, weight%], …] (weights sum to 100). */
function weighted(r, pairs) {
  let acc = 0;
  const whens = pairs.slice(0, -1).map(([v, w]) => {
    acc += w;
    return `WHEN ${r} < ${acc} THEN ${v}`;
  });
  return `(CASE ${whens.join(' ')} ELSE ${pairs[pairs.length - 1][0]} END)`;
}

const WORDS = [
  'guide',
  'update',
  'how',
  'to',
  'best',
  'new',
  'my',
  'first',
  'week',
  'notes',
  'math',
  'science',
  'history',
  'tips',
  'study',
  'exam',
  'project',
  'team',
  'club',
  'event',
  'music',
  'art',
  'sport',
  'game',
  'quest',
  'reward',
  'level',
  'badge',
  'story',
  'review',
  'lesson',
  'class',
  'homework',
  'reading',
  'writing',
  'chemistry',
  'physics',
  'biology',
  'geometry',
  'algebra',
  'poetry',
  'essay',
  'debate',
  'robotics',
  'coding',
  'python',
  'garden',
  'field',
  'trip',
  'museum',
  'library',
  'volunteer',
  'fundraiser',
  'concert',
  'theater',
  'tournament',
  'marathon',
  'workshop',
  'hackathon',
  'astronomy',
  'telescope',
  'meteorite',
  'quasar',
];
/** The rarest word of the Zipf draw: the trigram benchmark searches for it. */
const RARE_WORD = WORDS[WORDS.length - 1];
const wordsArray = `ARRAY[${WORDS.map((w) => `'${w}'`).join(',')}]`;
const word = () => `(${wordsArray})[1 + floor(power(random(), 3) * ${WORDS.length})::int]`;
const TAGS = 200;
const tag = () => `'tag' || (1 + floor(power(random(), 3) * ${TAGS})::int)`;

const GAME_TYPES = [
  ["'lesson_completed'", 30],
  ["'quiz_passed'", 20],
  ["'login_streak'", 15],
  ["'xp_awarded'", 10],
  ["'post_created'", 8],
  ["'comment_created'", 6],
  ["'message_sent'", 5.4],
  ["'quest_progress'", 3],
  ["'level_up'", 1.5],
  ["'achievement_unlocked'", 0.5],
  ["'purchase_made'", 0.5],
  ["'badge_unlocked'", 0.1],
];
const POST_TYPES = [
  ["'text'", 70],
  ["'image'", 20],
  ["'video'", 6],
  ["'poll'", 3.5],
  ["'event'", 0.5],
];

/**
 * The values the benchmark queries with (chosen from the distributions above, not from results).
 * `share` is the expected fraction of rows a value matches.
 */
const QUERY_VALUES = {
  rareGameType: { json: { type: 'badge_unlocked' }, share: 0.001 },
  commonGameType: { json: { type: 'xp_awarded' }, share: 0.1 },
  rarePostType: { json: { type: 'event' }, share: 0.005 },
  rareAttachment: { json: [{ type: 'audio' }], share: 0.005 },
  rareTag: `tag${TAGS}`,
  rareWord: RARE_WORD,
  heavyUser: 'u0000001',
};

/**
 * The load script: [{table, sql}] in FK order. `n` = rows per main table.
 * @param {number} n
 */
function loadStatements(n) {
  const users = Math.max(100, Math.round(n / 10));
  const convs = Math.max(10, Math.round(n / 50));
  // Comments and messages are secondary here (no target query): a quarter keeps the run short.
  const quarter = Math.round(n / 4);
  // 15% of rows by one of 10 heavy users, the rest by a power law over the others.
  const skewedUser = `${userId(`CASE WHEN random() < 0.15 THEN 1 + floor(random() * 10) ELSE 11 + floor(power(random(), 2) * ${users - 10}) END`)}`;
  const ts = (days) => `now() - random() * interval '${days} days'`;
  return [
    {
      table: 'User',
      rows: users,
      sql: `INSERT INTO "User" ("id", "email", "username", "displayName", "referredById", "createdAt", "updatedAt", "deletedAt")
SELECT ${userId('i')}, 'user' || i || '@example.com', 'user' || i, 'User ' || i,
       CASE WHEN i > 10 AND random() < 0.3 THEN ${userId('1 + floor(power(random(), 3) * (i - 1))')} END,
       t, t, CASE WHEN random() < 0.03 THEN t + interval '30 days' END
FROM (SELECT i, ${ts(730)} AS t FROM generate_series(1, ${users}) i) s`,
    },
    {
      table: 'Conversation',
      rows: convs,
      sql: `INSERT INTO "Conversation" ("id", "title", "isGroup", "lastMessageAt", "createdAt", "updatedAt")
SELECT ${convId('i')}, CASE WHEN random() < 0.3 THEN 'Group ' || i END, random() < 0.3, t, t, t
FROM (SELECT i, ${ts(365)} AS t FROM generate_series(1, ${convs}) i) s`,
    },
    {
      table: 'Post',
      rows: n,
      sql: `INSERT INTO "Post" ("id", "authorId", "title", "content", "tags", "published", "createdAt", "updatedAt", "deletedAt")
SELECT ${postId('i')}, ${skewedUser},
       ${word()} || ' ' || ${word()} || ' ' || ${word()} || ' ' || ${word()},
       jsonb_build_object('type', ${weighted('r', POST_TYPES)}, 'blocks', 1 + floor(random() * 12)::int, 'lang', (ARRAY['en','es','de','fr','pt'])[1 + floor(power(random(), 2) * 5)::int]),
       CASE WHEN r2 < 0.2 THEN ARRAY[]::text[] WHEN r2 < 0.55 THEN ARRAY[${tag()}] WHEN r2 < 0.85 THEN ARRAY[${tag()}, ${tag()}] ELSE ARRAY[${tag()}, ${tag()}, ${tag()}] END,
       random() < 0.8, t, t, CASE WHEN random() < 0.05 THEN t + interval '1 day' END
FROM (SELECT i, random() * 100 AS r, random() AS r2, ${ts(730)} AS t FROM generate_series(1, ${n}) i OFFSET 0) s`,
    },
    {
      table: 'Comment',
      rows: quarter,
      sql: `INSERT INTO "Comment" ("id", "postId", "authorId", "parentId", "body", "createdAt", "deletedAt")
SELECT ${commentId('i')}, ${postId(`1 + floor(power(random(), 2) * ${n})`)}, ${skewedUser},
       CASE WHEN i > 1 AND random() < 0.3 THEN ${commentId('1 + floor(random() * (i - 1))')} END,
       'Nice ' || ${word()} || ' and ' || ${word()}, t, CASE WHEN random() < 0.04 THEN t + interval '2 days' END
FROM (SELECT i, ${ts(700)} AS t FROM generate_series(1, ${quarter}) i) s`,
    },
    {
      table: 'Message',
      rows: quarter,
      sql: `INSERT INTO "Message" ("id", "conversationId", "senderId", "body", "status", "attachments", "createdAt", "editedAt", "deletedAt")
SELECT 'm' || lpad(i::text, 8, '0'), ${convId(`1 + floor(power(random(), 2) * ${convs})`)}, ${skewedUser},
       'hey ' || ${word()}, ${weighted('r', [
         ["'READ'", 80],
         ["'DELIVERED'", 15],
         ["'SENT'", 4.5],
         ["'FAILED'", 0.5],
       ])}::"MessageStatus",
       ${weighted('r2', [
         ["'[]'", 90],
         ['\'[{"type": "image"}]\'', 8],
         ['\'[{"type": "file"}]\'', 1.5],
         ['\'[{"type": "audio"}]\'', 0.5],
       ])}::jsonb,
       t, CASE WHEN random() < 0.05 THEN t + interval '5 minutes' END, CASE WHEN random() < 0.02 THEN t + interval '1 day' END
FROM (SELECT i, random() * 100 AS r, random() * 100 AS r2, ${ts(365)} AS t FROM generate_series(1, ${quarter}) i OFFSET 0) s`,
    },
    {
      table: 'GamificationEvent',
      rows: n,
      sql: `INSERT INTO "GamificationEvent" ("id", "userId", "journey", "type", "payload", "status", "retryCount", "lastError", "createdAt", "processedAt")
SELECT 'g' || lpad(i::text, 8, '0'), u, (ARRAY['ACADEMIC','SOCIAL','WELLNESS','COMMUNITY'])[1 + floor(random() * 4)::int]::"Journey",
       type, jsonb_build_object('type', type, 'userId', u, 'points', floor(random() * 100)::int, 'lessonId', 'l' || floor(random() * 5000)::int, 'source', CASE WHEN random() < 0.6 THEN 'app' ELSE 'web' END),
       status::"EventProcessingStatus", CASE WHEN status IN ('RETRY', 'FAILED') THEN 1 + floor(random() * 10)::int ELSE 0 END,
       CASE WHEN status IN ('RETRY', 'FAILED') THEN 'timeout' END, t, CASE WHEN status = 'PROCESSED' THEN t + interval '2 seconds' END
FROM (SELECT i, ${skewedUser} AS u, ${weighted('r1', GAME_TYPES)} AS type,
             ${weighted('r2', [
               ["'PROCESSED'", 97],
               ["'FAILED'", 1],
               ["'PENDING'", 1.5],
               ["'RETRY'", 0.3],
               ["'PROCESSING'", 0.2],
             ])} AS status, t
      FROM (SELECT i, random() * 100 AS r1, random() * 100 AS r2, ${ts(365)} AS t FROM generate_series(1, ${n}) i OFFSET 0) d OFFSET 0) s`,
    },
    {
      table: 'ingest_events',
      rows: n,
      sql: `INSERT INTO "ingest_events" ("id", "event_id", "user_id", "source", "event_type", "payload", "status", "attempts", "next_attempt_at", "last_error", "created_at", "updated_at")
SELECT 'ie' || lpad(i::text, 8, '0'), 'evt_' || md5(i::text), ${skewedUser}, (ARRAY['web','ios','android','partner'])[1 + floor(power(random(), 2) * 4)::int],
       type, jsonb_build_object('type', type, 'v', 1, 'value', floor(random() * 1000)::int),
       status::"IngestStatus", CASE status WHEN 'DONE' THEN 1 WHEN 'RETRY' THEN 1 + floor(random() * 4)::int WHEN 'FAILED' THEN 5 ELSE 0 END,
       CASE WHEN status IN ('PENDING', 'RETRY') THEN now() + (random() - 0.6) * interval '2 hours' WHEN status = 'DONE' THEN NULL ELSE t END,
       CASE WHEN status IN ('RETRY', 'FAILED') THEN 'upstream 503' END, t, t
FROM (SELECT i, ${weighted('r1', [
        ["'page_view'", 60],
        ["'click'", 25],
        ["'signup'", 10],
        ["'purchase'", 5],
      ])} AS type,
             ${weighted('r2', [
               ["'DONE'", 98.3],
               ["'FAILED'", 1],
               ["'PROCESSING'", 0.2],
               ["'PENDING'", 0.4],
               ["'RETRY'", 0.1],
             ])} AS status, t
      FROM (SELECT i, random() * 100 AS r1, random() * 100 AS r2, ${ts(90)} AS t FROM generate_series(1, ${n}) i OFFSET 0) d OFFSET 0) s`,
    },
  ];
}

/** Loads everything on `client` (one session, fixed seed), then VACUUM ANALYZE. Returns timings. */
async function loadExampleData(client, n, log = () => undefined) {
  const timings = [];
  await client.query('SELECT setseed(0.42)');
  for (const st of loadStatements(n)) {
    const started = performance.now();
    await client.query(st.sql);
    const ms = performance.now() - started;
    timings.push({ table: st.table, rows: st.rows, ms: Math.round(ms) });
    log(`  loaded ${st.table}: ${st.rows.toLocaleString('en-US')} rows in ${(ms / 1000).toFixed(1)} s`);
  }
  const started = performance.now();
  // What autovacuum would have done by the time anyone queries these tables.
  for (const st of loadStatements(n)) await client.query(`VACUUM (ANALYZE) "${st.table}"`);
  const vacuumMs = Math.round(performance.now() - started);
  log(`  VACUUM ANALYZE: ${(vacuumMs / 1000).toFixed(1)} s`);
  return { timings, vacuumMs };
}

/**
 * The rules whose index serves the FK + ORDER BY … LIMIT shape (a typical author's newest posts):
 * a composite, or the covering index the example asks for on Post.
 */
const FK_ORDER_RULES = new Set(['fk-composite-index', 'covering-index']);

module.exports = { loadStatements, loadExampleData, QUERY_VALUES, RARE_WORD, FK_ORDER_RULES };
