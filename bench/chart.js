'use strict';
/**
 * Part 4: cold wall time vs number of models, idxgen check / plan and prisma-lint, as a hand-written
 * SVG (no plotting dependency). Generated schemas are joined by lines; corpus schemas and the
 * bundled example are hollow markers; the dashed lines are the least-squares fits.
 */

const SERIES = [
  { id: 'idxgen-check', label: 'idxgen check', color: '#1f77b4' },
  { id: 'idxgen-plan', label: 'idxgen plan', color: '#2ca02c' },
  { id: 'prisma-lint', label: 'prisma-lint 0.13.1 (require-field-index)', color: '#d62728' },
];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A "nice" axis step for a range. */
function niceStep(max, ticks) {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
}

/**
 * @param {{rows: object[], fits: object}} speed  tool-speed results
 * @param {{title?: string}} [opts]
 * @returns {string} SVG text
 */
function renderSpeedChart(speed, opts = {}) {
  const W = 760;
  const H = 440;
  const m = { l: 64, r: 24, t: 44, b: 92 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const rows = speed.rows;
  const maxX = Math.max(...rows.map((r) => r.models));
  const maxY = Math.max(...rows.flatMap((r) => SERIES.map((s) => (r.tools[s.id].ok ? (r.tools[s.id].ms ?? 0) : 0))));
  const xStep = niceStep(maxX, 8);
  const yStep = niceStep(maxY, 6);
  const xMax = Math.ceil(maxX / xStep) * xStep;
  const yMax = Math.ceil(maxY / yStep) * yStep;
  const X = (v) => m.l + (v / xMax) * pw;
  const Y = (v) => m.t + ph - (v / yMax) * ph;
  const f = (v) => v.toFixed(1);

  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(opts.title ?? 'Cold-process wall time vs schema size (median)')}</text>`,
  );
  // Grid and axes.
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    out.push(`<line x1="${m.l}" y1="${f(Y(v))}" x2="${m.l + pw}" y2="${f(Y(v))}" stroke="#e5e5e5"/>`);
    out.push(
      `<text x="${m.l - 6}" y="${f(Y(v) + 4)}" text-anchor="end">${v >= 1000 ? `${(v / 1000).toFixed(v % 1000 ? 1 : 0)} s` : `${v} ms`}</text>`,
    );
  }
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    out.push(`<line x1="${f(X(v))}" y1="${m.t}" x2="${f(X(v))}" y2="${m.t + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${f(X(v))}" y="${m.t + ph + 16}" text-anchor="middle">${v}</text>`);
  }
  out.push(`<line x1="${m.l}" y1="${m.t + ph}" x2="${m.l + pw}" y2="${m.t + ph}" stroke="#333"/>`);
  out.push(`<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + ph}" stroke="#333"/>`);
  out.push(`<text x="${m.l + pw / 2}" y="${m.t + ph + 34}" text-anchor="middle">models in the schema</text>`);
  out.push(
    `<text transform="translate(16 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">wall time, fresh process</text>`,
  );

  for (const s of SERIES) {
    const fit = speed.fits?.[s.id];
    if (fit) {
      const y0 = fit.interceptMs;
      const y1 = fit.interceptMs + fit.slopeMsPerModel * xMax;
      out.push(
        `<line x1="${f(X(0))}" y1="${f(Y(y0))}" x2="${f(X(xMax))}" y2="${f(Y(y1))}" stroke="${s.color}" stroke-width="1" stroke-dasharray="5 4" opacity="0.7"/>`,
      );
    }
    const gen = rows
      .filter((r) => r.kind === 'generated' && r.tools[s.id].ok && r.tools[s.id].ms !== null)
      .sort((a, b) => a.models - b.models);
    if (gen.length > 1)
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${gen.map((r) => `${f(X(r.models))},${f(Y(r.tools[s.id].ms))}`).join(' ')}"/>`,
      );
    for (const r of rows) {
      const t = r.tools[s.id];
      if (t.skipped) continue;
      if (!t.ok) {
        out.push(
          `<text x="${f(X(r.models))}" y="${f(Y(0) - 6)}" text-anchor="middle" fill="${s.color}" font-weight="bold"><title>${esc(`${s.label} crashed on ${r.name}`)}</title>×</text>`,
        );
        continue;
      }
      const title = `<title>${esc(`${s.label} · ${r.name} (${r.models} models): ${t.ms} ms, ${t.rssMB} MB`)}</title>`;
      if (r.kind === 'generated')
        out.push(`<circle cx="${f(X(r.models))}" cy="${f(Y(t.ms))}" r="4" fill="${s.color}">${title}</circle>`);
      else
        out.push(
          `<circle cx="${f(X(r.models))}" cy="${f(Y(t.ms))}" r="4" fill="#fff" stroke="${s.color}" stroke-width="1.5">${title}</circle>`,
        );
    }
  }
  // Legend.
  let ly = H - 38;
  let lx = m.l;
  for (const s of SERIES) {
    const fit = speed.fits?.[s.id];
    const text = `${s.label}${fit ? ` — ${fit.slopeMsPerModel.toFixed(2)} ms/model, R² ${fit.r2.toFixed(3)}` : ''}`;
    out.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 18}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/><circle cx="${lx + 9}" cy="${ly - 4}" r="3.5" fill="${s.color}"/>`,
    );
    out.push(`<text x="${lx + 24}" y="${ly}">${esc(text)}</text>`);
    if (s === SERIES[0]) {
      lx = m.l + 340;
    } else {
      lx = m.l;
      ly += 18;
    }
  }
  out.push(
    `<text x="${m.l + 340}" y="${ly}" fill="#555">filled: generated · hollow: corpus/example · × crash · dashed: fit</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

module.exports = { renderSpeedChart };
