'use strict';
/**
 * A deterministic generator of realistic Prisma schemas (PostgreSQL) of any size, for the speed
 * benchmark. Same (models, seed) → byte-identical output.
 *
 * What it mixes in, in proportions seen in real schemas (../shared/corpus):
 *   - String cuid ids (most) and Int autoincrement ids; join tables with a composite @@id;
 *   - relations to earlier models (required and optional, Cascade / SetNull / Restrict), about
 *     half of them indexed (@@index([fk]) or @@index([fk, createdAt])), some 1:1 with @unique;
 *   - self-relations (threads, trees), unindexed;
 *   - composite foreign keys to "tenant-scoped" models that have @@unique([tenantId, slug]);
 *   - enums, Json and Json?, String[] lists, @map on columns and @@map on tables;
 *   - soft delete (deletedAt DateTime?), queue tables (status enum + nextAttemptAt + createdAt);
 *   - doc comments, @unique fields, plain @@index on non-FK columns.
 *
 * CLI: node bench/gen-schema.js <models> [seed] > schema.prisma
 */

/** mulberry32: tiny, fast, deterministic. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = [
  'Account',
  'Order',
  'Invoice',
  'Product',
  'Shipment',
  'Ticket',
  'Project',
  'Task',
  'Comment',
  'Review',
  'Session',
  'Device',
  'Payment',
  'Refund',
  'Coupon',
  'Subscription',
  'Plan',
  'Team',
  'Member',
  'Invite',
  'Document',
  'Folder',
  'File',
  'Upload',
  'Report',
  'Dashboard',
  'Widget',
  'Alert',
  'Incident',
  'Webhook',
  'Event',
  'Job',
  'Run',
  'Step',
  'Deployment',
  'Environment',
  'Secret',
  'Token',
  'Audit',
  'Note',
];
const SCALARS = [
  ['title', 'String'],
  ['name', 'String'],
  ['description', 'String?'],
  ['amount', 'Int'],
  ['quantity', 'Int'],
  ['price', 'Decimal'],
  ['score', 'Float?'],
  ['isActive', 'Boolean'],
  ['externalRef', 'String?'],
  ['url', 'String?'],
  ['startsAt', 'DateTime?'],
  ['endsAt', 'DateTime?'],
  ['sizeBytes', 'BigInt?'],
  ['position', 'Int'],
  ['color', 'String?'],
  ['locale', 'String'],
  ['version', 'Int'],
  ['checksum', 'String?'],
  ['notes', 'String?'],
  ['rank', 'Float'],
];
const ENUM_WORDS = [
  'DRAFT',
  'ACTIVE',
  'ARCHIVED',
  'LOW',
  'MEDIUM',
  'HIGH',
  'CRITICAL',
  'RED',
  'GREEN',
  'BLUE',
  'FREE',
  'PRO',
  'TEAM',
  'OWNER',
  'ADMIN',
  'VIEWER',
];
const QUEUE_VALUES = ['PENDING', 'PROCESSING', 'DONE', 'FAILED', 'RETRY'];

const snake = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
const lcFirst = (s) => s[0].toLowerCase() + s.slice(1);

/**
 * @param {number} count number of models
 * @param {number} [seed]
 * @returns {string} the schema text
 */
function generateSchema(count, seed = 42) {
  const rnd = prng(seed * 1000003 + count);
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const chance = (p) => rnd() < p;

  const enums = [];
  const enumCount = Math.max(2, Math.round(count / 12));
  for (let e = 0; e < enumCount; e++) {
    const values = new Set();
    const size = 3 + Math.floor(rnd() * 4);
    while (values.size < size) values.add(pick(ENUM_WORDS));
    enums.push({ name: `Kind${e}`, values: [...values] });
  }

  /** @type {{name:string, idType:'String'|'Int'|null, tenant:boolean, lines:string[], blocks:string[], back:string[], table:string|null, composite:boolean}[]} */
  const models = [];
  let relationNo = 0;

  for (let i = 0; i < count; i++) {
    const name = `${NOUNS[i % NOUNS.length]}${i}`;
    const m = { name, idType: null, tenant: false, lines: [], blocks: [], back: [], table: null, composite: false };
    const mapped = chance(0.3);
    if (mapped) m.table = snake(name);
    const col = (field) => (mapped ? ` @map("${snake(field)}")` : '');
    const used = new Set();
    const add = (line, field) => {
      used.add(field);
      m.lines.push(line);
    };

    // Join table: two FKs as a composite primary key (the first leads it, the second needs an index).
    const join = i >= 4 && chance(0.08);
    if (join) {
      m.composite = true;
      const targets = [];
      while (targets.length < 2) {
        const t = models[Math.floor(rnd() * models.length)];
        if (t.idType && !targets.includes(t)) targets.push(t);
      }
      for (const t of targets) {
        const f = `${lcFirst(t.name)}Id`;
        const rel = `r${relationNo++}`;
        add(`  ${f} ${t.idType}${col(f)}`, f);
        add(
          `  ${lcFirst(t.name)} ${t.name} @relation("${rel}", fields: [${f}], references: [id], onDelete: Cascade)`,
          lcFirst(t.name),
        );
        t.back.push(`  ${lcFirst(name)}s${relationNo} ${name}[] @relation("${rel}")`);
      }
      add(`  createdAt DateTime @default(now())${col('createdAt')}`, 'createdAt');
      m.blocks.push(`  @@id([${targets.map((t) => `${lcFirst(t.name)}Id`).join(', ')}])`);
      if (chance(0.3)) m.blocks.push(`  @@index([${lcFirst(targets[1].name)}Id])`);
      if (m.table) m.blocks.push(`  @@map("${m.table}")`);
      models.push(m);
      continue;
    }

    m.idType = chance(0.8) ? 'String' : 'Int';
    if (chance(0.25)) m.lines.push(`  /// The ${name.toLowerCase()} record.`);
    add(m.idType === 'String' ? '  id String @id @default(cuid())' : '  id Int @id @default(autoincrement())', 'id');

    // Tenant-scoped models are the targets of composite foreign keys.
    if (chance(0.12)) {
      m.tenant = true;
      add(`  tenantId String${col('tenantId')}`, 'tenantId');
      add(`  slug String${col('slug')}`, 'slug');
      m.blocks.push('  @@unique([tenantId, slug])');
    }

    const scalarCount = 2 + Math.floor(rnd() * 7);
    for (let s = 0; s < scalarCount; s++) {
      const [f, type] = pick(SCALARS);
      if (used.has(f)) continue;
      const unique = type === 'String' && chance(0.08) ? ' @unique' : '';
      const doc = chance(0.1) ? `  /// ${f} as shown to users\n` : '';
      add(`${doc}  ${f} ${type}${unique}${col(f)}`, f);
    }
    if (chance(0.25)) {
      const e = pick(enums);
      add(`  kind ${e.name} @default(${e.values[0]})`, 'kind');
    }
    if (chance(0.2))
      add(chance(0.5) ? `  payload Json${col('payload')}` : `  metadata Json?${col('metadata')}`, 'json');
    if (chance(0.15)) add(`  tags String[]${col('tags')}`, 'tags');

    // Queue table: status enum + due time.
    if (chance(0.08)) {
      const e = { name: `${name}Status`, values: QUEUE_VALUES };
      enums.push(e);
      add(`  status ${e.name} @default(PENDING)`, 'status');
      add(`  attempts Int @default(0)`, 'attempts');
      add(`  nextAttemptAt DateTime?${col('nextAttemptAt')}`, 'nextAttemptAt');
      if (chance(0.5)) m.blocks.push('  @@index([status])');
    }

    // Relations to earlier models.
    const fkCount = i === 0 ? 0 : Math.min(i, Math.floor(rnd() * 4));
    const taken = new Set();
    for (let r = 0; r < fkCount; r++) {
      const t = models[Math.floor(rnd() * models.length)];
      if (!t.idType || taken.has(t.name)) continue;
      taken.add(t.name);
      const base = lcFirst(t.name);
      const f = `${base}Id`;
      const optional = chance(0.4);
      const oneToOne = chance(0.06);
      const rel = `r${relationNo++}`;
      const onDelete = optional ? pick(['SetNull', 'Cascade', 'Restrict']) : pick(['Cascade', 'Cascade', 'Restrict']);
      add(`  ${f} ${t.idType}${optional ? '?' : ''}${oneToOne ? ' @unique' : ''}${col(f)}`, f);
      add(
        `  ${base} ${t.name}${optional ? '?' : ''} @relation("${rel}", fields: [${f}], references: [id], onDelete: ${onDelete})`,
        base,
      );
      t.back.push(
        oneToOne
          ? `  ${lcFirst(name)}R${relationNo} ${name}? @relation("${rel}")`
          : `  ${lcFirst(name)}s${relationNo} ${name}[] @relation("${rel}")`,
      );
      if (!oneToOne && chance(0.5)) m.blocks.push(chance(0.5) ? `  @@index([${f}])` : `  @@index([${f}, createdAt])`);
    }

    // Composite foreign key to a tenant-scoped model.
    const tenants = models.filter((x) => x.tenant);
    if (tenants.length > 0 && chance(0.15)) {
      const t = pick(tenants);
      // At most one per model, so short names: long ones hit the 63-byte name limit (see BENCHMARKS.md).
      const base = 'ref';
      const rel = `r${relationNo++}`;
      add(`  ${base}TenantId String${col(`${base}TenantId`)}`, `${base}TenantId`);
      add(`  ${base}Slug String${col(`${base}Slug`)}`, `${base}Slug`);
      add(
        `  ${base} ${t.name} @relation("${rel}", fields: [${base}TenantId, ${base}Slug], references: [tenantId, slug], onDelete: Cascade)`,
        base,
      );
      t.back.push(`  ${lcFirst(name)}s${relationNo} ${name}[] @relation("${rel}")`);
      if (chance(0.4)) m.blocks.push(`  @@index([${base}TenantId, ${base}Slug])`);
    }

    // Self-relation (threads / trees), left unindexed.
    if (chance(0.06) && m.idType) {
      const rel = `r${relationNo++}`;
      add(`  parentId ${m.idType}?${col('parentId')}`, 'parentId');
      add(`  parent ${name}? @relation("${rel}", fields: [parentId], references: [id], onDelete: Cascade)`, 'parent');
      add(`  children ${name}[] @relation("${rel}")`, 'children');
    }

    add(`  createdAt DateTime @default(now())${col('createdAt')}`, 'createdAt');
    if (chance(0.85)) add(`  updatedAt DateTime @updatedAt${col('updatedAt')}`, 'updatedAt');
    if (chance(0.3)) add(`  deletedAt DateTime?${col('deletedAt')}`, 'deletedAt');
    if (used.has('name') && chance(0.3)) m.blocks.push('  @@index([name])');
    if (used.has('status') && chance(0.4)) m.blocks.push('  @@index([status, createdAt])');
    if (m.table) m.blocks.push(`  @@map("${m.table}")`);
    models.push(m);
  }

  const out = [
    `// Generated by bench/gen-schema.js: ${count} models, seed ${seed}. Do not edit.`,
    '',
    'generator client {',
    '  provider = "prisma-client-js"',
    '}',
    '',
    'datasource db {',
    '  provider = "postgresql"',
    '}',
    '',
  ];
  for (const e of enums) out.push(`enum ${e.name} {`, ...e.values.map((v) => `  ${v}`), '}', '');
  for (const m of models) {
    out.push(`model ${m.name} {`, ...m.lines, ...m.back);
    if (m.blocks.length > 0) out.push('', ...m.blocks);
    out.push('}', '');
  }
  return out.join('\n');
}

module.exports = { generateSchema, prng };

if (require.main === module) {
  const n = Number(process.argv[2] ?? 100);
  const seed = Number(process.argv[3] ?? 42);
  process.stdout.write(generateSchema(n, seed));
}
