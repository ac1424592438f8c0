/**
 * Every rule idxgen knows, in the order reports list them. The id is the file name, the config key
 * and the RULES.md anchor; `__tests__/rules/registry.test.ts` checks that each rule has tests and docs.
 */
import { rule as arrayGinIndex } from './array-gin-index';
import { rule as brinIndex } from './brin-index';
import { rule as checkConstraint } from './check-constraint';
import { rule as coveringIndex } from './covering-index';
import { rule as fkCompositeIndex } from './fk-composite-index';
import { rule as fkIndex } from './fk-index';
import { rule as jsonGinIndex } from './json-gin-index';
import { rule as queuePartialIndex } from './queue-partial-index';
import { rule as redundantIndex } from './redundant-index';
import { rule as softDeletePartialIndex } from './soft-delete-partial-index';
import { rule as trigramIndex } from './trigram-index';
import type { RegisteredRule } from './types';
import { rule as uniqueKey } from './unique-key';
import { rule as workloadIndex } from './workload-index';

export const allRules: readonly RegisteredRule[] = [
  fkIndex,
  fkCompositeIndex,
  softDeletePartialIndex,
  queuePartialIndex,
  redundantIndex,
  uniqueKey,
  checkConstraint,
  jsonGinIndex,
  arrayGinIndex,
  trigramIndex,
  coveringIndex,
  workloadIndex,
  brinIndex,
];

/** The rule with this id, or undefined. */
export function ruleById(id: string): RegisteredRule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
