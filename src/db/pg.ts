import type * as Pg from 'pg';

/**
 * The `pg` package, loaded when a connection is first opened: loading it takes ~45 ms (and
 * Node's `navigator`, which it reads), which `plan --queries FILE` and the other runs that open no
 * connection do not pay.
 */
export function pg(): typeof Pg {
  return require('pg') as typeof Pg;
}
