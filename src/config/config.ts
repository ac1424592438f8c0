import { LEVELS, type RegisteredRule, type Severity } from '../rules/types';

/**
 * idxgen's configuration, after validation. The file form is
 * `{ "rules": { "<rule-id>": "warn" | { "severity": "warn", "options": { ... } } } }`.
 */
export interface RuleSetting {
  severity: Severity;
  /** The options the config file gives (validated, possibly partial): the rule fills in its defaults. */
  options: Record<string, unknown>;
}

export interface Config {
  rules: Record<string, RuleSetting>;
  /** Where the configuration came from, for messages (undefined = defaults). */
  source?: string;
}

const SEVERITIES: readonly Severity[] = [...LEVELS, 'off'];
const TOP_LEVEL_KEYS = ['$schema', 'rules'];

/** Validates raw JSON against the rule registry; returns the config or `path: problem` strings. */
export function parseConfig(
  raw: unknown,
  rules: readonly RegisteredRule[],
  source?: string,
): { config: Config } | { errors: string[] } {
  const errors: string[] = [];
  const settings: Record<string, RuleSetting> = {};
  for (const rule of rules) {
    settings[rule.meta.id] = { severity: rule.meta.defaultSeverity, options: {} };
  }
  if (raw === undefined) return { config: { rules: settings, source } };
  if (!isObject(raw)) return { errors: ['(root): must be an object'] };
  for (const key of Object.keys(raw)) {
    if (!TOP_LEVEL_KEYS.includes(key)) errors.push(`${key}: unknown key (allowed: ${TOP_LEVEL_KEYS.join(', ')})`);
  }
  const rulesRaw = raw.rules;
  if (rulesRaw !== undefined && !isObject(rulesRaw)) errors.push('rules: must be an object keyed by rule id');
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  for (const [id, value] of Object.entries(isObject(rulesRaw) ? rulesRaw : {})) {
    const rule = byId.get(id);
    const at = `rules.${id}`;
    if (!rule) {
      errors.push(`${at}: unknown rule (known: ${[...byId.keys()].sort().join(', ')})`);
      continue;
    }
    const setting = settings[id]!;
    if (typeof value === 'string') {
      if (isSeverity(value)) setting.severity = value;
      else errors.push(`${at}: "${value}" is not a severity (${SEVERITIES.join(', ')})`);
      continue;
    }
    if (!isObject(value)) {
      errors.push(`${at}: must be a severity string or { "severity", "options" }`);
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key !== 'severity' && key !== 'options')
        errors.push(`${at}.${key}: unknown key (allowed: severity, options)`);
    }
    if (value.severity !== undefined) {
      if (isSeverity(value.severity)) setting.severity = value.severity;
      else
        errors.push(`${at}.severity: ${JSON.stringify(value.severity)} is not a severity (${SEVERITIES.join(', ')})`);
    }
    if (value.options !== undefined) {
      const problems = rule.meta.validateOptions(value.options);
      errors.push(...problems.map((p) => `${at}.options.${p}`));
      if (problems.length === 0 && isObject(value.options)) Object.assign(setting.options, value.options);
    }
  }
  return errors.length > 0 ? { errors } : { config: { rules: settings, source } };
}

function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
