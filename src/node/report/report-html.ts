import { escapeHtml, horizontalBars, stackedColumns } from './svg-charts.js';
import { outcomeNames, type Amounts, type ReportData, type Tally } from './report-data.js';

/** What the report says about itself: the log, the filters, when it was made. */
export interface ReportContext {
  source: string;
  filters: string[];
  generatedAt: string;
}

const number = (value: number) => value.toLocaleString('en');
const money = (value: number, currency: string) => `${value.toFixed(value !== 0 && Math.abs(value) < 0.01 ? 6 : 2)} ${currency}`;

/** Each currency's amount apart (on a line of its own in a table): sums in different currencies are never added up. */
function amounts(values: Amounts, tag = 'span', separator = '<br>'): string {
  if (values.size === 0) return `<${tag} data-cost="0">0.00</${tag}>`;
  return [...values]
    .map(([currency, value]) => `<${tag} data-currency="${escapeHtml(currency)}" data-cost="${value}">${escapeHtml(money(value, currency))}</${tag}>`)
    .join(separator);
}

type TallyRow = [string, { count: number; cost: Amounts }];

/** Rows by spend, the report's first currency first, then by requests. */
function bySpend(currencies: readonly string[]) {
  return (a: TallyRow, b: TallyRow) => {
    for (const currency of currencies) {
      const difference = (b[1].cost.get(currency) ?? 0) - (a[1].cost.get(currency) ?? 0);
      if (difference !== 0) return difference;
    }
    return b[1].count - a[1].count;
  };
}
const percent = (part: number, whole: number) => (whole === 0 ? '0%' : `${((part / whole) * 100).toFixed(1)}%`);

const styles = `
  @page { size: A4; margin: 14mm; }
  body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a202c; margin: 24px auto; max-width: 980px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #cbd5e0; padding-bottom: 4px; }
  h3 { font-size: 14px; margin: 16px 0 6px; }
  table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; } th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e2e8f0; vertical-align: top; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; } code { font-size: 11px; word-break: break-all; }
  .chart text { font-size: 11px; fill: #2d3748; } .legend .key { margin-right: 12px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
  .ok { color: #2f855a; font-weight: 600; } .broken { color: #c53030; font-weight: 600; } .meta { color: #4a5568; } .empty { color: #718096; }
  section { break-inside: avoid-page; } section.page { break-before: page; }
  @media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
`;

/** The requests of a row that are not plain successes, e.g. " (2 simulated, 1 cut or aborted)". */
function detail(entry: { simulated: number; unfinished: number }): string {
  const parts = [entry.simulated > 0 ? `${number(entry.simulated)} simulated` : '', entry.unfinished > 0 ? `${number(entry.unfinished)} cut or aborted` : ''].filter(Boolean);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

/** Keys listed by name in the spend table; the others share one row. */
const keysListed = 20;

type TallyEntry = [string, { count: number; simulated: number; unfinished: number; cost: Amounts }];

/** Rows summed into one: requests, simulated and cut ones, spend per currency. */
function others(rows: readonly TallyEntry[]): TallyEntry[1] {
  const sum = { count: 0, simulated: 0, unfinished: 0, cost: new Map<string, number>() };
  for (const [, entry] of rows) {
    sum.count += entry.count;
    sum.simulated += entry.simulated;
    sum.unfinished += entry.unfinished;
    for (const [currency, value] of entry.cost) sum.cost.set(currency, (sum.cost.get(currency) ?? 0) + value);
  }
  return sum;
}

/**
 * A table of `tally` by spend. With `listed`, only that many rows are named and the rest are summed
 * in one last row (`(N other …)`, where `noun` names them), so a table of thousands of keys stays
 * readable and still adds up to the total; a single row left over is shown as itself.
 */
function tallyTable(id: string, title: string, tally: Tally, currencies: readonly string[], kept: number, cap?: { listed: number; noun: string }): string {
  let rows: TallyEntry[] = [...tally.entries()].sort(bySpend(currencies));
  if (cap !== undefined && rows.length > cap.listed + 1) {
    const rest = rows.slice(cap.listed);
    rows = [...rows.slice(0, cap.listed), [`(${number(rest.length)} other ${cap.noun})`, others(rest)]];
  }
  const body = rows
    .map(([label, entry]) => `<tr data-label="${escapeHtml(label)}"><td>${escapeHtml(label)}</td><td class="n">${number(entry.count)}${detail(entry)}</td><td class="n">${percent(entry.count, kept)}</td><td class="n">${amounts(entry.cost)}</td></tr>`)
    .join('');
  return `<table id="${id}"><thead><tr><th>${escapeHtml(title)}</th><th class="n">requests</th><th class="n">share</th><th class="n">spend</th></tr></thead><tbody>${body}</tbody></table>`;
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
/** Columns at most on a gapless timeline: ten years of days. */
const maxColumns = 3_660;

/**
 * Requests per hour, or per day past four days, with every hour (day) from the first to the last
 * one a column, those without requests included: a silence in the log shows as one. A log spanning
 * more than `maxColumns` days (one record from a host whose clock was reset to 1970 is enough)
 * shows only the days with requests, and says so: its traffic is never cut off.
 */
function timeline(data: ReportData): string {
  const hours = [...data.timeline.keys()].sort();
  const first = Date.parse(`${hours[0]}:00:00Z`);
  const last = Date.parse(`${hours.at(-1)}:00:00Z`);
  if (hours.length === 0 || Number.isNaN(first) || Number.isNaN(last)) return stackedColumns('timeline', [], outcomeNames);
  const byDay = last - first >= 96 * hourMs;
  const step = byDay ? dayMs : hourMs;
  // Floored: a time before 1970 is negative, and % would round it up into the next day.
  const start = byDay ? Math.floor(first / dayMs) * dayMs : first;
  const gapless = (last - start) / step < maxColumns;
  const columns = new Map<string, Record<string, number>>();
  if (gapless) {
    for (let time = start; time <= last; time += step) {
      const iso = new Date(time).toISOString();
      columns.set(byDay ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 13)}h`, {});
    }
  }
  for (const hour of hours) {
    const label = byDay ? hour.slice(0, 10) : `${hour.replace('T', ' ')}h`;
    let column = columns.get(label);
    if (column === undefined) {
      if (gapless) continue;
      columns.set(label, (column = {}));
    }
    for (const [name, value] of Object.entries(data.timeline.get(hour)!)) column[name] = (column[name] ?? 0) + value;
  }
  const note = gapless ? '' : `<p class="meta">The log spans ${number(Math.round((last - start) / dayMs) + 1)} days, from ${escapeHtml(hours[0]!.slice(0, 10))} to ${escapeHtml(hours.at(-1)!.slice(0, 10))}: only the days with requests are shown.</p>`;
  return stackedColumns('timeline', [...columns].map(([label, values]) => ({ label, values })), outcomeNames) + note;
}

/** Says that the key table is cut, and where every key's requests are: the CSV export lists each with its key_id. */
function keysNote(keys: number): string {
  if (keys <= keysListed + 1) return '';
  return `<p class="meta">The ${keysListed} keys that spent most; the other ${number(keys - keysListed)} are summed in the last row. <code>sovroute audit export --format csv</code> lists every request with its key.</p>`;
}

/** The report as one HTML document: inline styles and SVG, no script, nothing fetched. */
export function renderReport(data: ReportData, context: ReportContext): string {
  const { verification: chain } = data;
  const currencies = [...data.spend.total.keys()];
  const served = data.spend.provider;
  const servedCount = [...served.values()].reduce((sum, entry) => sum + entry.count, 0);
  // One chart per currency: bars in different currencies cannot share a scale.
  const spendBars = (id: string, tally: Tally) =>
    currencies
      .map((currency) => {
        const rows = [...tally.entries()]
          .filter(([, entry]) => entry.cost.has(currency))
          .map(([label, entry]) => ({ label, value: entry.cost.get(currency)!, text: money(entry.cost.get(currency)!, currency) }))
          .sort((a, b) => b.value - a.value)
          .slice(0, 15);
        if (currencies.length === 1) return horizontalBars(id, rows);
        return `<p class="meta">In ${escapeHtml(currency)}:</p>${horizontalBars(`${id}-${escapeHtml(currency)}`, rows)}`;
      })
      .join('') || horizontalBars(id, []);
  const shareBars = (id: string, tally: Tally, colour: string) =>
    horizontalBars(
      id,
      [...tally.entries()].sort((a, b) => b[1].count - a[1].count).map(([label, entry]) => ({ label, value: entry.count, text: `${percent(entry.count, servedCount)} (${number(entry.count)})` })),
      colour,
    );
  const chainText = chain.ok
    ? `<p class="ok" id="chain-status" data-ok="true">Chain intact: ${number(data.total)} records verified${chain.firstPrev === null ? '' : `, starting mid-chain after ${escapeHtml(chain.firstPrev)}`}.</p>`
    : `<p class="broken" id="chain-status" data-ok="false">Chain broken at record ${chain.index}: ${escapeHtml(chain.reason)}</p>`;
  // A gap record stands for the requests it declares dropped: shares are of requests, not records.
  const requests = outcomeNames.reduce((sum, name) => sum + data.outcomes[name], 0);
  const outcomeRows = outcomeNames
    .map((name) => `<tr><td>${name}</td><td class="n" data-outcome="${name}">${number(data.outcomes[name])}</td><td class="n">${percent(data.outcomes[name], requests)}</td></tr>`)
    .join('');
  const denialRows = data.denials
    .map((denial) => `<tr><td>${escapeHtml(denial.ts)}</td><td>${escapeHtml(denial.key)}</td><td>${escapeHtml(denial.model)}</td><td>${escapeHtml(denial.reason)}</td><td><code>${escapeHtml(denial.id)}</code></td></tr>`)
    .join('');
  const fallbackRows = [...data.fallbacks.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([route, count]) => `<tr><td>${escapeHtml(route)}</td><td class="n">${number(count)}</td></tr>`)
    .join('');
  const policyRows = [...data.policies.entries()]
    .sort((a, b) => a[1].first.localeCompare(b[1].first))
    .map(([hash, policy]) => `<tr><td>${escapeHtml(policy.name)}</td><td><code>${escapeHtml(hash)}</code></td><td>${escapeHtml(policy.first)}</td><td>${escapeHtml(policy.last)}</td><td class="n">${number(policy.count)}</td></tr>`)
    .join('');
  const changeRows = data.policyChanges
    .map((change) => `<tr><td>${escapeHtml(change.ts)}</td><td>${escapeHtml(change.key)}</td><td>${escapeHtml(change.policy)}</td><td><code>${escapeHtml(change.from.slice(0, 16))}…</code></td><td><code>${escapeHtml(change.to.slice(0, 16))}…</code></td></tr>`)
    .join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>sovroute audit report</title><style>${styles}</style></head>
<body>
<header><h1>sovroute audit report</h1>
<p class="meta">Log <code>${escapeHtml(context.source)}</code> · ${data.from ? `${escapeHtml(data.from)} to ${escapeHtml(data.to ?? '')}` : 'no records'} · generated ${escapeHtml(context.generatedAt)}</p>
<p class="meta">Records: <b id="total-records" data-value="${data.total}">${number(data.total)}</b> in the log, <b id="kept-records" data-value="${data.kept}">${number(data.kept)}</b> in this report${context.filters.length > 0 ? ` (filters: ${escapeHtml(context.filters.join(', '))})` : ''}. Spend <span id="total-spend">${amounts(data.spend.total, 'b', ', ')}</span>${data.simulated > 0 ? ` (${number(data.simulated)} simulated requests cost nothing)` : ''}.</p>
</header>

<section id="chain"><h2>Hash chain</h2>${chainText}
<table><tr><th>first hash</th><td><code id="first-hash">${escapeHtml(chain.firstHash ?? 'none')}</code></td></tr>
<tr><th>last hash</th><td><code id="last-hash">${escapeHtml(chain.lastHash ?? 'none')}</code></td></tr>
<tr><th>torn lines skipped</th><td>${chain.torn}</td></tr></table>
<p class="meta">The chain covers the whole log, whatever the filters. Keep the last hash somewhere the log's writer cannot edit and check it with <code>sovroute audit verify --expect-last-hash</code>.</p></section>

<section id="outcomes-section"><h2>Requests by outcome</h2>${timeline(data)}
<table id="outcomes"><thead><tr><th>outcome</th><th class="n">requests</th><th class="n">share</th></tr></thead><tbody>${outcomeRows}</tbody><tfoot><tr><th>requests</th><th class="n" id="total-requests" data-value="${requests}">${number(requests)}</th><th class="n">${requests === 0 ? '0%' : '100%'}</th></tr></tfoot></table>
${data.outcomes.dropped > 0 ? `<p class="meta">dropped: requests whose records were dropped because the audit queue was full (audit.onFull 'drop'); gap records in the log declare them, with their ids.</p>` : ''}
<p class="meta">Simulated (test keys, answered by the pseudo-LLM at no cost, so never counted as spend): <b id="simulated-requests" data-value="${data.simulated}">${number(data.simulated)}</b> of these requests.</p></section>

<section id="spend" class="page"><h2>Spend</h2><p class="meta">Successful requests, and streams cut or aborted part-way (paid for what they delivered), at the cost recorded for each, totalled per currency. Simulated requests (test keys) are counted among the requests and cost nothing.</p>
<h3>By provider</h3>${spendBars('spend-provider-chart', data.spend.provider)}${tallyTable('spend-provider', 'provider', data.spend.provider, currencies, servedCount)}
<h3>By model</h3>${spendBars('spend-model-chart', data.spend.model)}${tallyTable('spend-model', 'model', data.spend.model, currencies, servedCount)}
<h3>By key</h3>${spendBars('spend-key-chart', data.spend.key)}${tallyTable('spend-key', 'key label', data.spend.key, currencies, servedCount, { listed: keysListed, noun: 'keys' })}${keysNote(data.spend.key.size)}</section>

<section id="jurisdiction" class="page"><h2>Where traffic went</h2><p class="meta">Share of the requests counted in spend by the strictest built-in policy the serving deployment satisfies, and by where it hosts inference.</p>
<h3>By jurisdiction tier</h3>${shareBars('tier-chart', data.tiers, '#2c7a7b')}${tallyTable('tiers', 'tier', data.tiers, currencies, servedCount)}
<h3>By hosting country</h3>${shareBars('country-chart', data.countries, '#4c51bf')}${tallyTable('countries', 'hosting', data.countries, currencies, servedCount)}</section>

<section id="denials-section" class="page"><h2>Denials</h2><p class="meta">Requests refused by the policy or for their API key (unknown or missing), each with its reason.</p>
${data.denials.length === 0 ? '<p class="empty">No denials.</p>' : `<table id="denials"><thead><tr><th>time</th><th>key</th><th>model</th><th>reason</th><th>audit id</th></tr></thead><tbody>${denialRows}</tbody></table>`}
${data.denialsNotListed > 0 ? `<p class="meta">${number(data.denialsNotListed)} more denials are not listed; export them with <code>sovroute audit export --outcome denied</code>.</p>` : ''}</section>

<section id="fallbacks-section"><h2>Fallbacks</h2><p class="meta">Requests served (or last failed) by a candidate other than the first tried.</p>
${fallbackRows === '' ? '<p class="empty">No fallbacks.</p>' : `<table id="fallbacks"><thead><tr><th>first tried → where it went</th><th class="n">requests</th></tr></thead><tbody>${fallbackRows}</tbody></table>`}</section>

<section id="policies-section"><h2>Policies in force</h2>
<table id="policies"><thead><tr><th>policy</th><th>hash</th><th>first seen</th><th>last seen</th><th class="n">requests</th></tr></thead><tbody>${policyRows}</tbody></table>
${changeRows === '' ? '<p class="meta">No key saw its policy change.</p>' : `<h3>Changes</h3><p class="meta">A policy a key used whose content changed (the same name, a new hash).</p><table id="policy-changes"><thead><tr><th>time</th><th>key</th><th>policy</th><th>from</th><th>to</th></tr></thead><tbody>${changeRows}</tbody></table>`}</section>
</body></html>
`;
}
