import type { Rating } from '../rating/rating.types.js';
import type { ListedWarnings } from '../secure-scores/catalog/control-warnings.js';

export interface WorksheetInput extends ListedWarnings {
  id: string;
  clientTenantId: string;
  clientTenantName: string | null;
  azureTenantId: string;
  createdAt: string;
  createdBy: string;
  rating: Rating;
}

const TOP_IMPROVEMENTS = 10;
const TOP_CONTRIBUTIONS = 25;

/** A printable rating worksheet: what an underwriter files and an insured is shown. */
export function renderWorksheet(input: WorksheetInput): string {
  const { rating } = input;
  const title = `Rating worksheet ${escape(input.clientTenantName ?? input.azureTenantId)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>
 body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#111}
 h1{font-size:1.4rem;margin:0 0 .25rem} h2{font-size:1.1rem;margin-top:1.75rem}
 table{border-collapse:collapse;width:100%} td,th{padding:.25rem .5rem;border-bottom:1px solid #ddd;text-align:left}
 .num{text-align:right;font-variant-numeric:tabular-nums} .bar{background:#2a6;height:.8rem;display:inline-block}
 .gap{background:#d64;height:.8rem;display:inline-block} .headline td{font-size:1.15rem}
 .decision-decline{color:#b00} .decision-refer{color:#a60} .decision-accept{color:#070}
 @media print{body{margin:0}}
</style></head><body>
<h1>${title}</h1>
<p>Client tenant ${escape(input.azureTenantId)} &middot; assessment ${escape(input.id)} &middot; ${escape(input.createdAt)} by ${escape(input.createdBy)}</p>
<table class="headline"><tr><th>Table</th><th>Index</th><th>Tier</th><th>Factor</th><th>Decision</th></tr>
<tr><td>${escape(rating.table.name)} ${escape(rating.table.version)}</td><td class="num">${escape(rating.index ?? '-')}</td>
<td>${escape(rating.tier ?? '-')}</td><td class="num">${escape(rating.factor ?? '-')}</td>
<td class="decision-${rating.decision}">${escape(rating.decision)}</td></tr></table>
<p>As of ${escape(rating.asOf)}; snapshot ${escape(rating.snapshot.id ?? '-')} of ${escape(rating.snapshot.createdDateTime)}.
Table SHA-256 <code>${escape(rating.table.sha256)}</code>.</p>
${section('Reasons', rating.reasons.length === 0 ? '<p>None.</p>' : `<ul>${rating.reasons.map((r) => `<li>${escape(r)}</li>`).join('')}</ul>`)}
${section('Missing controls', rating.missingControls.length === 0 ? '<p>None.</p>' : `<p>${rating.missingControls.map(escape).join(', ')}</p>`)}
${input.warnings.length === 0 ? '' : section('Warnings', `<ul>${input.warnings.map((w) => `<li>${escape(w.control)}: ${escape(w.detail)}</li>`).join('')}${input.warningsOmitted ? `<li>and ${input.warningsOmitted} more</li>` : ''}</ul>`)}
${section('Top improvements', improvements(rating))}
${section('Contributions', contributions(rating))}
<p><small>Secure Score is not an absolute measure of how likely a breach is; this rating applies the
weighting table above to the controls Microsoft reported.</small></p>
</body></html>`;
}

function improvements(rating: Rating): string {
  const rows = rating.improvements.slice(0, TOP_IMPROVEMENTS).map(
    (
      i,
    ) => `<tr><td>Fix ${escape(i.control)}</td><td class="num">${escape(rating.factor ?? '-')} &rarr; ${escape(i.factor ?? '-')}</td>
<td>${escape(rating.tier ?? '-')} &rarr; ${escape(i.tier ?? '-')}</td><td>${escape(i.decision)}</td></tr>`,
  );
  if (rows.length === 0) return '<p>None: every weighted control is fully adopted.</p>';
  return `<table><tr><th>Action</th><th class="num">Factor</th><th>Tier</th><th>Decision</th></tr>${rows.join('')}</table>`;
}

function contributions(rating: Rating): string {
  const rows = rating.contributions.slice(0, TOP_CONTRIBUTIONS).map((c) => {
    const earned = Number(c.contribution);
    const gap = Number(c.gap);
    // Widths only draw the chart; every figure shown is the exact decimal string.
    return `<tr><td>${escape(c.control)}</td><td class="num">${escape(c.weight)}</td><td class="num">${escape(c.adoption)}</td>
<td><span class="bar" style="width:${(earned * 4).toFixed(1)}px"></span><span class="gap" style="width:${(gap * 4).toFixed(1)}px"></span></td>
<td class="num">${escape(c.contribution)}</td><td class="num">${escape(c.gap)}</td></tr>`;
  });
  return `<table><tr><th>Control</th><th class="num">Weight</th><th class="num">Adoption</th><th>Earned / gap</th>
<th class="num">Contribution</th><th class="num">Gap</th></tr>${rows.join('')}</table>`;
}

function section(heading: string, body: string): string {
  return `<h2>${heading}</h2>${body}`;
}

function escape(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
