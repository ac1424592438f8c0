/**
 * What a migration.sql does to the objects idxgen cares about: indexes, constraints and
 * extensions created, dropped, renamed or validated: every existing migration folder is replayed
 * into a state (what the migrations already hold). A step idxgen is about to write is compared
 * with that state by its typed effect (src/plan/steps.ts `stepEffects`), never by reading its SQL.
 * It reads the SQL with a small tokenizer (comments, quoted identifiers, strings and dollar
 * quotes are understood), never with regular expressions over the raw text: idxgen's own files
 * repeat SQL inside `--` comments, and that must not count. Pure.
 */

export type ObjectKind = 'index' | 'constraint' | 'extension';

/** One statement's effect on one object. */
export interface Effect {
  kind: ObjectKind;
  /** What the statement does to it. */
  action: 'create' | 'drop' | 'validate';
  name: string;
  /** After the statement: does the object exist? */
  present: boolean;
  /** Constraints: validated (ADD without NOT VALID, or VALIDATE CONSTRAINT). */
  validated?: boolean;
  /** The table an index or constraint belongs to (last part of the name), when the statement says. */
  table?: string;
}

export interface ObjectState {
  present: boolean;
  validated: boolean;
  table?: string;
  /** The migration folder whose statement last changed it. */
  folder: string;
}

/** Replayed state: `kind:name` → state. */
export type MigrationState = Map<string, ObjectState>;

export function objectKey(kind: ObjectKind, name: string): string {
  return `${kind}:${name}`;
}

type Token =
  | { type: 'word'; value: string } // unquoted: folded to lower case, as PostgreSQL does
  | { type: 'ident'; value: string } // "quoted": exact
  | { type: 'string' }
  | { type: 'punct'; value: string };

/** Tokens of a script, split into statements at top-level `;`. */
export function tokenizeStatements(script: string): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let i = 0;
  const n = script.length;
  while (i < n) {
    const ch = script[i]!;
    if (ch === '-' && script[i + 1] === '-') {
      const nl = script.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (ch === '/' && script[i + 1] === '*') {
      let depth = 0;
      while (i < n) {
        if (script.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (script.startsWith('*/', i)) {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === ';') {
      if (current.length > 0) statements.push(current);
      current = [];
      i++;
    } else if (ch === '"') {
      const [value, end] = readQuoted(script, i, '"');
      current.push({ type: 'ident', value });
      i = end;
    } else if (ch === "'") {
      const escapes = i > 0 && /[eE]/.test(script[i - 1]!) && !/[A-Za-z0-9_]/.test(script[i - 2] ?? ' ');
      i = readQuoted(script, i, "'", escapes)[1];
      current.push({ type: 'string' });
    } else if (ch === '$' && /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.test(script.slice(i, i + 64))) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i, i + 64))![0];
      const close = script.indexOf(tag, i + tag.length);
      i = close < 0 ? n : close + tag.length;
      current.push({ type: 'string' });
    } else if ((ch === 'U' || ch === 'u') && script[i + 1] === '&' && script[i + 2] === '"') {
      // U&"..." — a quoted identifier with Unicode escapes (idxgen writes names holding `;` so).
      const [raw, end] = readQuoted(script, i + 2, '"');
      current.push({ type: 'ident', value: decodeUnicodeEscapes(raw) });
      i = end;
    } else if ((ch === 'U' || ch === 'u') && script[i + 1] === '&' && script[i + 2] === "'") {
      i = readQuoted(script, i + 2, "'")[1];
      current.push({ type: 'string' });
    } else if (/[A-Za-z_\u0080-\uffff]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(script[j]!)) j++;
      current.push({ type: 'word', value: script.slice(i, j).toLowerCase() });
      i = j;
    } else {
      current.push({ type: 'punct', value: ch });
      i++;
    }
  }
  if (current.length > 0) statements.push(current);
  return statements;
}

function readQuoted(script: string, start: number, quote: string, backslashEscapes = false): [string, number] {
  let value = '';
  let i = start + 1;
  while (i < script.length) {
    const ch = script[i]!;
    if (backslashEscapes && ch === '\\') {
      value += script[i + 1] ?? '';
      i += 2;
    } else if (ch === quote && script[i + 1] === quote) {
      value += quote;
      i += 2;
    } else if (ch === quote) {
      return [value, i + 1];
    } else {
      value += ch;
      i++;
    }
  }
  return [value, script.length];
}

/** `\\XXXX`, `\\+XXXXXX` and `\\\\` in a U&"..." identifier (the default escape character; UESCAPE is not supported). */
export function decodeUnicodeEscapes(raw: string): string {
  return raw.replace(/\\(?:\\|\+([0-9A-Fa-f]{6})|([0-9A-Fa-f]{4}))/g, (whole, six: string | undefined, four: string | undefined) => {
    if (whole === '\\\\') return '\\';
    return String.fromCodePoint(parseInt((six ?? four)!, 16));
  });
}

/** A cursor over one statement's tokens. */
class Cursor {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  /** Consumes the keywords if they come next (all of them), returns whether it did. */
  accept(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) {
      const t = this.tokens[this.i + k];
      if (!t || t.type !== 'word' || t.value !== words[k]) return false;
    }
    this.i += words.length;
    return true;
  }

  /** A possibly qualified name (`a`, `"a"`, `s."a"`); returns its last part. */
  name(): string | undefined {
    let last: string | undefined;
    for (;;) {
      const t = this.tokens[this.i];
      if (!t || (t.type !== 'word' && t.type !== 'ident')) return last;
      last = t.value;
      this.i++;
      const dot = this.tokens[this.i];
      if (!dot || dot.type !== 'punct' || dot.value !== '.') return last;
      this.i++;
    }
  }

  punct(value: string): boolean {
    const t = this.tokens[this.i];
    if (t && t.type === 'punct' && t.value === value) {
      this.i++;
      return true;
    }
    return false;
  }

  /** Tokens up to the next top-level comma (or the end), consumed. */
  untilComma(): Token[] {
    const out: Token[] = [];
    let depth = 0;
    while (this.i < this.tokens.length) {
      const t = this.tokens[this.i]!;
      if (t.type === 'punct' && t.value === ',' && depth === 0) break;
      if (t.type === 'punct' && t.value === '(') depth++;
      if (t.type === 'punct' && t.value === ')') depth--;
      out.push(t);
      this.i++;
    }
    return out;
  }

  done(): boolean {
    return this.i >= this.tokens.length;
  }
}

/** The effects of one statement, in order. Statements idxgen does not track give none. */
export function statementEffects(tokens: Token[]): Effect[] {
  const c = new Cursor(tokens);
  if (c.accept('create')) {
    c.accept('unique');
    if (c.accept('index')) {
      c.accept('concurrently');
      c.accept('if', 'not', 'exists');
      if (c.accept('on')) return []; // unnamed index: PostgreSQL picks the name
      const name = c.name();
      if (name === undefined || !c.accept('on')) return [];
      c.accept('only');
      const table = c.name();
      return [{ kind: 'index', action: 'create', name, present: true, table }];
    }
    if (c.accept('extension')) {
      c.accept('if', 'not', 'exists');
      const name = c.name();
      return name === undefined ? [] : [{ kind: 'extension', action: 'create', name, present: true }];
    }
    return [];
  }
  if (c.accept('drop')) {
    const kind: ObjectKind | undefined = c.accept('index') ? 'index' : c.accept('extension') ? 'extension' : undefined;
    if (kind) {
      c.accept('concurrently');
      c.accept('if', 'exists');
      const out: Effect[] = [];
      do {
        const name = c.name();
        if (name !== undefined) out.push({ kind, action: 'drop', name, present: false });
      } while (c.punct(','));
      return out;
    }
    if (c.accept('table')) {
      c.accept('if', 'exists');
      const out: Effect[] = [];
      do {
        const table = c.name();
        if (table !== undefined) out.push({ kind: 'index', action: 'drop', name: '', present: false, table });
      } while (c.punct(','));
      return out; // `name: ''` + table: everything on that table is gone (see applyEffect)
    }
    return [];
  }
  if (c.accept('alter', 'index')) {
    c.accept('if', 'exists');
    const from = c.name();
    if (from !== undefined && c.accept('rename', 'to')) {
      const to = c.name();
      if (to !== undefined) return [{ kind: 'index', action: 'drop', name: from, present: false }, { kind: 'index', action: 'create', name: to, present: true }];
    }
    return [];
  }
  if (c.accept('alter', 'table')) {
    c.accept('if', 'exists');
    c.accept('only');
    const table = c.name();
    if (table === undefined) return [];
    const out: Effect[] = [];
    do {
      out.push(...alterTableAction(new Cursor(c.untilComma()), table));
    } while (c.punct(',') && !c.done());
    return out;
  }
  return [];
}

function alterTableAction(a: Cursor, table: string): Effect[] {
  if (a.accept('add', 'constraint')) {
    const name = a.name();
    if (name === undefined) return [];
    let notValid = false;
    // NOT VALID is the last words of the action; scan what is left at top level.
    const rest = a.untilComma();
    for (let k = 0; k + 1 < rest.length; k++) {
      const x = rest[k]!;
      const y = rest[k + 1]!;
      if (x.type === 'word' && x.value === 'not' && y.type === 'word' && y.value === 'valid') notValid = true;
    }
    return [{ kind: 'constraint', action: 'create', name, present: true, validated: !notValid, table }];
  }
  if (a.accept('drop', 'constraint')) {
    a.accept('if', 'exists');
    const name = a.name();
    return name === undefined ? [] : [{ kind: 'constraint', action: 'drop', name, present: false, table }];
  }
  if (a.accept('validate', 'constraint')) {
    const name = a.name();
    return name === undefined ? [] : [{ kind: 'constraint', action: 'validate', name, present: true, validated: true, table }];
  }
  if (a.accept('rename', 'constraint')) {
    const from = a.name();
    if (from !== undefined && a.accept('to')) {
      const to = a.name();
      if (to !== undefined) return [{ kind: 'constraint', action: 'drop', name: from, present: false, table }, { kind: 'constraint', action: 'create', name: to, present: true, validated: true, table }];
    }
  }
  return [];
}

/** All effects of a script, in order. */
export function scriptEffects(script: string): Effect[] {
  return tokenizeStatements(script).flatMap(statementEffects);
}

/** Applies effects to a state (in place), recording the folder they came from. */
export function applyEffects(state: MigrationState, effects: readonly Effect[], folder: string): void {
  for (const effect of effects) {
    if (effect.name === '' && effect.table !== undefined) {
      // DROP TABLE: its indexes and constraints go with it.
      for (const [key, value] of state) {
        if (value.table === effect.table && value.present && !key.startsWith('extension:')) state.set(key, { ...value, present: false, folder });
      }
      continue;
    }
    const key = objectKey(effect.kind, effect.name);
    const before = state.get(key);
    if (!effect.present) {
      state.set(key, { present: false, validated: false, table: effect.table ?? before?.table, folder });
    } else if (effect.kind === 'constraint') {
      // VALIDATE keeps the constraint; ADD ... NOT VALID makes a new, unvalidated one.
      const validated = effect.validated ?? true;
      state.set(key, { present: true, validated, table: effect.table ?? before?.table, folder });
    } else {
      state.set(key, { present: true, validated: true, table: effect.table ?? before?.table, folder });
    }
  }
}

/** Replays migration folders (sorted by name, as Prisma applies them) into one state. */
export function replayMigrations(folders: readonly { name: string; sql: string }[]): MigrationState {
  const state: MigrationState = new Map();
  for (const folder of [...folders].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    applyEffects(state, scriptEffects(folder.sql), folder.name);
  }
  return state;
}

/**
 * Where a step's effects already hold in `state`, the folder that made them; undefined when the
 * step still has something to do (or does nothing idxgen can recognize: then it is written).
 * A drop counts as done only when a migration dropped the object (an object no migration
 * mentions may still exist, created by `db push` or by hand).
 */
export function alreadyDone(state: MigrationState, effects: readonly Effect[]): string | undefined {
  const net: MigrationState = new Map();
  applyEffects(net, effects, '');
  if (net.size === 0) return undefined;
  let folder: string | undefined;
  for (const [key, wanted] of net) {
    const have = state.get(key);
    if (!have || have.present !== wanted.present) return undefined;
    if (wanted.present && wanted.validated && !have.validated && key.startsWith('constraint:')) return undefined;
    folder = have.folder;
  }
  return folder;
}
