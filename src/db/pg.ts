import type * as Pg from 'pg';

/**
 * The `pg` package, loaded when a connection is first opened: loading it takes 60–75 ms, most of it
 * Node's fetch implementation (pg builds a `Response` to tell whether it runs on Cloudflare), which
 * the runs that open no connection (`plan --queries FILE`) do not pay.
 */
export function pg(): typeof Pg {
  return require('pg') as typeof Pg;
}
