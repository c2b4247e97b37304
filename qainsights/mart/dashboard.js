// The quality dashboard: filters, KPI tiles, trend with control limits, Pareto, segment table.
// Every figure is recomputed here from the cube's sufficient statistics with the formulas of
// qainsights.error_rate (design-based ratio estimate, Taylor variance per stratum with the
// moderators as clusters when the data name them, Wilson interval on the effective sample
// size, modified as proportion_ci's default) and qainsights.spc.p_chart (Laney p', and the
// beta-binomial limits of points too small for it).
"use strict";

const DATA = JSON.parse(document.getElementById("qi-data").textContent);
const CELLS = DATA.cells;
const CAUSES = DATA.causes;
const CLUSTERS = DATA.clusters; // each moderator's sums per stratum and month cell, or null
const DESIGN = DATA.weighted || CLUSTERS !== null;
const FILTERS = ["site_type", "site", "queue", "policy", "market"];
const DRILL = { site_type: "site", site: "queue", queue: "policy", policy: "market", market: "market" };
const D2 = 2 / Math.sqrt(Math.PI); // d2 for moving ranges of two points
// the default period range: the report's chart window, up to 13 months ending with the latest
// complete month (dashboard_data's range)
const state = { from: DATA.range[0], to: DATA.range[1], grain: "week", table: "site",
                sort: "rate", descending: true };
const MONTHS = DATA.dims.month.map((m, k) => (DATA.partial.includes(k) ? `${m} (partial)` : m));
for (const name of FILTERS) state[name] = -1;

// --- statistics -----------------------------------------------------------------------------

// Brown, Cai & DasGupta's modified Wilson interval, qainsights.intervals.proportion_ci's
// default: Wilson's, with the one-sided Poisson bound chi2(alpha; 2k) / (2n) where 0 < k <= k*
// (and mirrored for n - k), k* = 2 up to n = 50 and 3 above.
function wilson(k, n, z) {
  if (!(n > 0)) return [NaN, NaN];
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  const edge = n <= 50 ? 2 : 3;
  let low = k === 0 ? 0 : centre - half;
  let high = k === n ? 1 : centre + half;
  if (k > 0 && k <= edge) low = poissonLower(k) / n;
  if (n - k > 0 && n - k <= edge) high = 1 - poissonLower(n - k) / n;
  return [Math.min(Math.max(low, 0), 1), Math.min(Math.max(high, 0), 1)];
}

// lambda with P(Gamma(k, 1) <= lambda) = 1 - level, i.e. chi2(alpha; 2k) / 2, by bisection.
function poissonLower(k) {
  const alpha = 1 - DATA.ci;
  let lo = 0;
  let hi = 20;
  for (let i = 0; i < 200 && hi - lo > 1e-16 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(k, mid) < alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

// Regularised lower incomplete gamma P(a, x) by its power series (Abramowitz & Stegun 6.5.29).
function gammaP(a, x) {
  if (x <= 0) return 0;
  let term = 1;
  let sum = 1;
  for (let j = 1; j < 500 && term > sum * 1e-17; j++) {
    term *= x / (a + j);
    sum += term;
  }
  return Math.exp(a * Math.log(x) - x - logGamma(a + 1)) * sum;
}

// log Gamma(x) for x >= 1: Lanczos' approximation (g = 7, nine terms; relative error ~1e-15).
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7];
function logGamma(x) {
  const y = x - 1;
  const t = y + 7.5;
  let a = LANCZOS[0];
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

// Student t quantile of the page's level on df degrees of freedom: scipy's, embedded, up to
// DATA.t.length; beyond, Abramowitz & Stegun 26.7.5 in powers of 1/df (within 3e-14 there).
function tQuantile(df) {
  if (df <= DATA.t.length) return DATA.t[df - 1];
  const x = DATA.z;
  const g = [
    (x ** 3 + x) / 4,
    (5 * x ** 5 + 16 * x ** 3 + 3 * x) / 96,
    (3 * x ** 7 + 19 * x ** 5 + 17 * x ** 3 - 15 * x) / 384,
    (79 * x ** 9 + 776 * x ** 7 + 1482 * x ** 5 - 1920 * x ** 3 - 945 * x) / 92160,
  ];
  return x + g[0] / df + g[1] / df ** 2 + g[2] / df ** 3 + g[3] / df ** 4;
}

// Each segment's moderators (clusters) in each stratum, with their Σw and Σw·y over the
// selected month cells, and each stratum's moderators in the whole selection.
function clusterSums(key) {
  const chosen = new Uint8Array(CLUSTERS.cells.month.length);
  for (const c of selected(CLUSTERS.cells)) chosen[c] = 1;
  const unitsOf = new Map();
  const parts = new Map();
  for (let j = 0; j < CLUSTERS.cell.length; j++) {
    const c = CLUSTERS.cell[j];
    if (!chosen[c]) continue;
    const h = CLUSTERS.cells.stratum[c];
    const u = CLUSTERS.unit[j];
    if (!unitsOf.has(h)) unitsOf.set(h, new Set());
    unitsOf.get(h).add(u);
    const s = key(CLUSTERS.cells, c);
    if (!parts.has(s)) parts.set(s, new Map());
    const units = parts.get(s);
    const id = `${h}|${u}`;
    if (!units.has(id)) units.set(id, [h, 0, 0]);
    const t = units.get(id);
    t[1] += CLUSTERS.sum_w[j]; t[2] += CLUSTERS.sum_wy[j];
  }
  return { unitsOf, parts };
}

// Taylor variance of a segment's ratio r = Σw·y / W with the moderators as the sampling units,
// Σ_h m_h/(m_h − 1) Σ_k (z_k − z̄_h)² with z_k = (Σ_k w·y − r Σ_k w) / W, and its degrees of
// freedom, the segment's clusters minus its strata (error_rate(..., cluster="moderator_id")).
function clusteredVariance(units, unitsOf, r, w) {
  const strata = new Map();
  for (const [h, sw, swy] of units.values()) {
    const z = (swy - r * sw) / w;
    if (!strata.has(h)) strata.set(h, [0, 0]);
    const t = strata.get(h);
    t[0] += z; t[1] += z * z;
  }
  let variance = 0;
  for (const [h, [sumZ, sumZ2]] of strata) {
    const m = unitsOf.get(h).size;
    variance += Math.max(m > 1 ? (m / (m - 1)) * (sumZ2 - (sumZ * sumZ) / m) : 0, 0);
  }
  return { variance, df: units.size - strata.size };
}

// Rates of the segments that key(table, i) gives to the selected cells; strata are those of
// the whole selection (segments are domains of the filtered sample, as error_rate does).
function segmentRates(rows, key) {
  const stratumN = new Map();
  const parts = new Map();
  const clusters = CLUSTERS === null ? null : clusterSums(key);
  for (const i of rows) {
    const h = CELLS.stratum[i];
    stratumN.set(h, (stratumN.get(h) || 0) + CELLS.n[i]);
    const s = key(CELLS, i);
    if (!parts.has(s)) parts.set(s, new Map());
    const strata = parts.get(s);
    if (!strata.has(h)) strata.set(h, [0, 0, 0, 0, 0, 0]);
    const t = strata.get(h);
    t[0] += CELLS.n[i]; t[1] += CELLS.errors[i]; t[2] += CELLS.sum_w[i];
    t[3] += CELLS.sum_w2[i]; t[4] += CELLS.sum_wy[i]; t[5] += CELLS.sum_w2y[i];
  }
  const out = new Map();
  for (const [s, strata] of parts) {
    let n = 0, errors = 0, w = 0, wy = 0;
    for (const t of strata.values()) { n += t[0]; errors += t[1]; w += t[2]; wy += t[4]; }
    const result = { n, errors, weighted_n: w, weighted_errors: wy };
    if (!DESIGN) {
      result.rate = errors / n;
      [result.ci_low, result.ci_high] = wilson(errors, n, DATA.z);
    } else {
      const r = wy / w;
      let variance = 0;
      let factor = 1;
      if (clusters !== null) {
        const units = clusters.parts.get(s) || new Map();
        const found = clusteredVariance(units, clusters.unitsOf, r, w);
        variance = found.variance;
        // Korn & Graubard's degrees-of-freedom factor (t_{n−1} / t_df)²
        factor = found.df >= 1 ? (tQuantile(Math.max(n - 1, 1)) / tQuantile(found.df)) ** 2 : NaN;
      } else {
        for (const [h, t] of strata) {
          const nh = stratumN.get(h);
          const sumZ = (t[4] - r * t[2]) / w;
          const sumZ2 = (t[5] * (1 - r) ** 2 + (t[3] - t[5]) * r ** 2) / (w * w);
          const spread = nh > 1 ? (nh / (nh - 1)) * (sumZ2 - (sumZ * sumZ) / nh) : 0;
          variance += Math.max(spread, 0);
        }
      }
      const nEff = (variance > 0 ? (r * (1 - r)) / variance : n) * factor;
      result.rate = r;
      result.se = Math.sqrt(variance);
      result.n_eff = nEff;
      result.deff = variance / ((r * (1 - r)) / n);
      [result.ci_low, result.ci_high] = wilson(r * nEff, nEff, DATA.z);
    }
    out.set(s, result);
  }
  return out;
}

// Laney p' chart of counts in time order (qainsights.spc.p_chart(laney=True)): Laney's limits
// where the median point expects at least LANEY_MIN_EXPECTED errors and as many correct
// decisions, beta-binomial count limits otherwise (qainsights.spc.betabinomial).
const LANEY_MIN_EXPECTED = 5;
const TAIL = 0.0013498980316301035; // Phi(-3): the 3-sigma tail
function laneyChart(points) {
  let d = 0, n = 0;
  for (const p of points) { d += p.errors; n += p.n; }
  const centre = d / n;
  const sizes = points.map((p) => p.n).sort((a, b) => a - b);
  const half = Math.floor(sizes.length / 2);
  const median = sizes.length % 2 ? sizes[half] : (sizes[half - 1] + sizes[half]) / 2;
  if (!(median * Math.min(centre, 1 - centre) >= LANEY_MIN_EXPECTED)) {
    return betaBinomialChart(points, centre);
  }
  const z = [];
  for (const p of points) {
    const sigma = Math.sqrt((centre * (1 - centre)) / p.n);
    p.value = p.errors / p.n;
    p.sigma = sigma;
    if (sigma > 0) z.push((p.value - centre) / sigma);
  }
  let ranges = 0;
  for (let i = 1; i < z.length; i++) ranges += Math.abs(z[i] - z[i - 1]);
  const sigmaZ = z.length > 1 ? ranges / (z.length - 1) / D2 : NaN;
  for (const p of points) {
    p.limits = "laney";
    p.center = centre;
    p.lcl = Math.max(centre - 3 * p.sigma * sigmaZ, 0);
    p.ucl = Math.min(centre + 3 * p.sigma * sigmaZ, 1);
    p.signal = p.value > p.ucl || p.value < p.lcl;
  }
  return points;
}

// Williams' (1982) moment estimate of the intra-class correlation of the points' counts
// (qainsights.spc.intraclass_correlation), truncated to [0, 1).
function williamsRho(points, rate) {
  const perUnit = rate * (1 - rate);
  let total = 0, pairs = 0, chi2 = 0, b = 0;
  for (const p of points) { total += p.n; pairs += p.n * (p.n - 1); }
  for (const p of points) {
    chi2 += (p.errors - p.n * rate) ** 2 / (p.n * perUnit);
    const share = p.n / total;
    b += (1 - share) ** 2 * (p.n - 1) + (share / total) * (pairs - p.n * (p.n - 1));
  }
  const rho = (chi2 - (points.length - 1)) / b;
  if (!(b > 0 && perUnit > 0) || !Number.isFinite(rho)) return 0;
  return Math.min(Math.max(rho, 0), 1 - 1e-9);
}

// The TAIL and 1 - TAIL quantiles of the count out of size: beta-binomial with mean rate and
// intra-class correlation rho, binomial where rho is 0 (qainsights.spc.beta_binomial_limits).
function countLimits(size, rate, rho) {
  if (!(rate > 0 && rate < 1)) return [rate * size, rate * size];
  const a = (rate * (1 - rho)) / rho, b = ((1 - rate) * (1 - rho)) / rho;
  const logPmf = [0];
  if (rho > 0) {
    for (let i = 0; i < size; i++) logPmf[0] += Math.log((b + i) / (a + b + i));
  } else {
    logPmf[0] = size * Math.log(1 - rate);
  }
  for (let k = 0; k < size; k++) {
    const step = rho > 0 ? (k + a) / (size - k - 1 + b) : rate / (1 - rate);
    logPmf.push(logPmf[k] + Math.log((size - k) / (k + 1)) + Math.log(step));
  }
  const top = Math.max(...logPmf);
  const weights = logPmf.map((l) => Math.exp(l - top));
  const sum = weights.reduce((x, y) => x + y, 0);
  let cdf = 0, low = 0, high = 0;
  for (const w of weights) {
    cdf += w / sum;
    if (cdf < TAIL) low += 1;
    if (cdf < 1 - TAIL) high += 1;
  }
  return [low, high];
}

// A p chart whose points are too small for Laney's z-scores: each point's limits are the
// count quantiles of the beta-binomial with the chart's rate and the points' over-dispersion.
function betaBinomialChart(points, centre) {
  const rho = williamsRho(points, centre);
  for (const p of points) {
    const [low, high] = countLimits(Math.round(p.n), centre, rho);
    p.limits = "beta-binomial";
    p.value = p.errors / p.n;
    p.sigma = Math.sqrt((centre * (1 - centre) * (1 + (p.n - 1) * rho)) / p.n);
    p.center = centre;
    p.lcl = Math.max(low / p.n, 0);
    p.ucl = Math.min(high / p.n, 1);
    p.signal = p.value > p.ucl || p.value < p.lcl;
  }
  return points;
}

// --- selection ------------------------------------------------------------------------------

function selected(table) {
  const rows = [];
  const siteType = DATA.site_type_of_site;
  for (let i = 0; i < table.month.length; i++) {
    if (table.month[i] < state.from || table.month[i] > state.to) continue;
    if (state.site_type >= 0 && siteType[table.site[i]] !== state.site_type) continue;
    let keep = true;
    for (const name of FILTERS.slice(1)) {
      if (state[name] >= 0 && table[name][i] !== state[name]) { keep = false; break; }
    }
    if (keep) rows.push(i);
  }
  return rows;
}

function label(name, index) {
  return name === "site_type" ? DATA.dims.site_type[index] : DATA.dims[name][index];
}

// A code name as the report writes it: "user_reports" as "user reports".
const words = (value) => String(value).replaceAll("_", " ");

// --- formatting and drawing -----------------------------------------------------------------

const percent = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : "–");
const whole = (x) => Math.round(x).toLocaleString("en-US");
const SVG = "http://www.w3.org/2000/svg";

function svgElement(tag, attributes, parent) {
  const element = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) element.setAttribute(k, v);
  if (parent) parent.appendChild(element);
  return element;
}

function frame(container, width, height) {
  container.replaceChildren();
  return svgElement("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", role: "img" },
                    container);
}

function text(parent, x, y, content, attributes = {}) {
  const element = svgElement("text", { x, y, ...attributes }, parent);
  element.textContent = content;
  return element;
}

function polyline(parent, points, cls) {
  const path = points.filter((p) => Number.isFinite(p[1])).map((p) => p.join(",")).join(" ");
  return svgElement("polyline", { points: path, class: cls }, parent);
}

// A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` intervals up to
// `high`, and the axis top rounded up to a whole number of steps.
function niceAxis(high, ticks = 4) {
  const raw = high / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return { step, top: step * Math.ceil(high / step - 1e-9) };
}

function yAxis(svg, scale, axis, left, right) {
  const percentStep = String(+(100 * axis.step).toPrecision(6));  // 2.5 -> one decimal
  const decimals = (percentStep.split(".")[1] || "").length;
  for (let value = 0; value <= axis.top + axis.step / 2; value += axis.step) {
    const y = scale(value);
    svgElement("line", { x1: left, x2: right, y1: y, y2: y, class: "grid" }, svg);
    text(svg, left - 6, y + 4, `${(100 * value).toFixed(decimals)}%`, { class: "tick", "text-anchor": "end" });
  }
}

// --- views ----------------------------------------------------------------------------------

function renderKpis(rows) {
  const all = segmentRates(rows, () => "all").get("all");
  const tiles = document.getElementById("kpis");
  tiles.replaceChildren();
  const tile = (id, title, value, detail, raw) => {
    const box = document.createElement("div");
    box.className = "tile";
    box.id = id;
    box.innerHTML = `<div class="title">${title}</div><div class="value"></div><div class="detail"></div>`;
    box.querySelector(".value").textContent = value;
    box.querySelector(".detail").textContent = detail;
    for (const [k, v] of Object.entries(raw)) box.dataset[k] = String(v);
    tiles.appendChild(box);
  };
  if (!all) {
    tile("kpi-audits", "Audits", "0", "no audits match the filters", { value: 0 });
    return;
  }
  const design = (DATA.weighted ? "design-based, " : "") +
    (CLUSTERS !== null ? "moderators as clusters, " : "");
  const counted = DATA.weighted ? " (a count of audits; the rates weigh them to decisions)" : "";
  tile("kpi-audits", "Audits", whole(all.n), `${whole(all.errors)} audited errors${counted}`,
       { value: all.n, errors: all.errors });
  tile("kpi-rate", "Error rate", percent(all.rate),
       `${Math.round(100 * DATA.ci)}% CI ${percent(all.ci_low)} – ${percent(all.ci_high)} (${design}modified Wilson)`,
       { value: all.rate, low: all.ci_low, high: all.ci_high });
  tile("kpi-accuracy", "Accuracy", percent(1 - all.rate),
       `${Math.round(100 * DATA.ci)}% CI ${percent(1 - all.ci_high)} – ${percent(1 - all.ci_low)}`,
       { value: 1 - all.rate, low: 1 - all.ci_high, high: 1 - all.ci_low });
  const effective = DESIGN ? whole(all.n_eff) : whole(all.n);
  tile("kpi-effective", "Effective audits", effective,
       DESIGN ? `design effect ${all.deff.toFixed(2)}` : "simple random sample, audits independent",
       { value: DESIGN ? all.n_eff : all.n, deff: DESIGN ? all.deff : 1 });
}

// Each period's counts in the KPI tiles' estimand: with sampling weights the weighted rate
// on its Kish effective sample size, (Σw)² / Σw², as the report's charts
// (qainsights.report.estimand.effective_counts); without them the audits' counts.
function periodCounts(rows) {
  const counts = new Map();
  for (const i of rows) {
    const p = CELLS[state.grain][i];
    if (!counts.has(p)) counts.set(p, { period: p, audits: 0, errors: 0, w: 0, w2: 0, wy: 0 });
    const c = counts.get(p);
    c.audits += CELLS.n[i];
    c.errors += CELLS.errors[i];
    c.w += CELLS.sum_w[i];
    c.w2 += CELLS.sum_w2[i];
    c.wy += CELLS.sum_wy[i];
  }
  const points = [...counts.values()].sort((a, b) => a.period - b.period);
  for (const c of points) {
    c.n = c.audits;
    if (DATA.weighted) {
      c.n = (c.w * c.w) / c.w2;
      c.errors = Math.min(Math.max(c.wy / c.w, 0), 1) * c.n;
    }
  }
  return points;
}

function renderTrend(rows) {
  const periods = DATA.dims[state.grain];
  const points = laneyChart(periodCounts(rows));
  window.qiTrend = points.map((p) => ({ period: periods[p.period], audits: p.audits, n: p.n,
    errors: p.errors, value: p.value, center: p.center, lcl: p.lcl, ucl: p.ucl,
    signal: p.signal, limits: p.limits }));
  const container = document.getElementById("trend");
  const [width, height, left, right, top, bottom] = [1100, 300, 56, 1060, 14, 266];
  const svg = frame(container, width, height);
  if (!points.length) return;
  const high = Math.max(...points.map((p) => Math.max(p.value, Number.isFinite(p.ucl) ? p.ucl : 0)));
  const axis = niceAxis(Math.min(1, high * 1.05 || 0.01));
  const y = (v) => bottom - ((bottom - top) * v) / axis.top;
  const step = points.length > 1 ? (right - left) / (points.length - 1) : 0;
  const x = (k) => left + (points.length > 1 ? k * step : (right - left) / 2);
  yAxis(svg, y, axis, left, right);
  polyline(svg, points.map((p, k) => [x(k), y(p.ucl)]), "limit");
  polyline(svg, points.map((p, k) => [x(k), y(p.lcl)]), "limit");
  polyline(svg, points.map((p, k) => [x(k), y(p.center)]), "centre");
  polyline(svg, points.map((p, k) => [x(k), y(p.value)]), "series");
  const every = Math.ceil(points.length / 10);
  points.forEach((p, k) => {
    const dot = svgElement("circle", { cx: x(k), cy: y(p.value), r: p.signal ? 5 : 3,
                                       class: p.signal ? "signal" : "point" }, svg);
    svgElement("title", {}, dot).textContent =
      `${periods[p.period]}: ${percent(p.value)} (${whole(p.audits)} audits)` +
      (p.signal ? " — beyond the control limits" : "");
    if (k % every === 0) text(svg, x(k), height - 18, periods[p.period], { class: "tick", "text-anchor": "middle" });
  });
  const signals = points.filter((p) => p.signal).length;
  document.getElementById("trend-note").textContent =
    (points[0].limits === "laney" ? "Laney p′ chart" : "p chart with beta-binomial limits (too few audits a point for Laney's)") +
    ` of the error rate per ${state.grain} ` +
    (DATA.weighted ? "(decisions in error: weighted rates on Kish effective sample sizes, as the KPI tiles)"
                   : "(audits in error)") + `: centre ` +
    `${percent(points[0].center)}, ${signals} point(s) beyond the limits (3-sigma tails).`;
}

function renderPareto() {
  const rows = selected(CAUSES);
  const totals = new Map();
  for (const i of rows) {
    const c = CAUSES.root_cause[i];
    totals.set(c, (totals.get(c) || 0) + CAUSES.errors[i]);
  }
  const bars = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  window.qiPareto = bars.map(([c, e]) => ({ root_cause: DATA.dims.root_cause[c], errors: e }));
  const container = document.getElementById("pareto");
  const [width, height, left, right, top, bottom] = [760, 260, 56, 704, 14, 200];
  const svg = frame(container, width, height);
  if (!bars.length) return;
  const total = bars.reduce((s, b) => s + b[1], 0);
  const band = (right - left) / bars.length;
  const y = (v) => bottom - ((bottom - top) * v) / bars[0][1];
  const yShare = (v) => bottom - (bottom - top) * v;
  let cumulative = 0;
  const line = [];
  bars.forEach(([cause, errors], k) => {
    const bar = svgElement("rect", { x: left + k * band + band * 0.15, y: y(errors), width: band * 0.7,
                                     height: bottom - y(errors), class: "bar" }, svg);
    svgElement("title", {}, bar).textContent = `${DATA.dims.root_cause[cause]}: ${whole(errors)} errors`;
    cumulative += errors;
    line.push([left + (k + 0.5) * band, yShare(cumulative / total)]);
    text(svg, left + (k + 0.5) * band, bottom + 16, words(DATA.dims.root_cause[cause]),
         { class: "tick", "text-anchor": "middle" });
  });
  polyline(svg, line, "cumulative");
  for (const share of [0, 0.5, 0.8, 1]) {
    text(svg, right + 6, yShare(share) + 4, `${share * 100}%`, { class: "tick" });
  }
  text(svg, left - 6, y(bars[0][1]) + 4, whole(bars[0][1]), { class: "tick", "text-anchor": "end" });
}

function renderTable(rows) {
  const name = state.table;
  const key = name === "site_type" ? (table, i) => DATA.site_type_of_site[table.site[i]]
                                   : (table, i) => table[name][i];
  const rates = segmentRates(rows, key);
  const entries = [...rates.entries()].map(([s, r]) => ({ index: s, segment: label(name, s), ...r }));
  const field = state.sort;
  entries.sort((a, b) => {
    const order = typeof a[field] === "string" ? a[field].localeCompare(b[field]) : a[field] - b[field];
    return state.descending ? -order : order;
  });
  const body = document.querySelector("#segments tbody");
  body.replaceChildren();
  for (const e of entries) {
    const row = document.createElement("tr");
    row.dataset.segment = e.segment;
    row.dataset.rate = String(e.rate);
    row.dataset.low = String(e.ci_low);
    row.dataset.high = String(e.ci_high);
    const cells = [words(e.segment), whole(e.n), whole(e.errors), percent(e.rate), percent(e.ci_low), percent(e.ci_high)];
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      row.appendChild(td);
    }
    row.title = name === "market" ? "" : `Filter to ${words(e.segment)} and show its ${words(DRILL[name])}s`;
    row.addEventListener("click", () => drill(name, e.index));
    body.appendChild(row);
  }
  document.querySelectorAll("#segments th").forEach((th) => {
    th.classList.toggle("sorted", th.dataset.field === field);
    th.classList.toggle("descending", th.dataset.field === field && state.descending);
  });
  document.querySelector("#segments th[data-field=segment]").textContent = words(name);
}

function drill(name, index) {
  state[name] = index;
  state.table = DRILL[name];
  syncControls();
  render();
}

function render() {
  const rows = selected(CELLS);
  renderKpis(rows);
  renderTrend(rows);
  renderPareto();
  renderTable(rows);
  const chosen = FILTERS.filter((f) => state[f] >= 0).map((f) => `${words(f)} ${words(label(f, state[f]))}`);
  document.getElementById("selection").textContent =
    `${MONTHS[state.from]} to ${MONTHS[state.to]}` +
    (chosen.length ? ` · ${chosen.join(" · ")}` : " · all segments");
}

// --- controls -------------------------------------------------------------------------------

function options(select, values, all) {
  select.replaceChildren();
  if (all) select.appendChild(new Option("All", "-1"));
  values.forEach((v, k) => select.appendChild(new Option(v, String(k))));
}

function syncControls() {
  document.getElementById("from").value = String(state.from);
  document.getElementById("to").value = String(state.to);
  for (const name of FILTERS) document.getElementById(`filter-${name}`).value = String(state[name]);
  document.getElementById("table-by").value = state.table;
}

function setUp() {
  document.getElementById("title").textContent = DATA.title;
  document.getElementById("subtitle").textContent = DATA.subtitle;
  options(document.getElementById("from"), MONTHS, false);
  options(document.getElementById("to"), MONTHS, false);
  for (const name of FILTERS) options(document.getElementById(`filter-${name}`), DATA.dims[name].map(words), true);
  syncControls();
  document.getElementById("from").addEventListener("change", (event) => {
    state.from = Number(event.target.value);
    state.to = Math.max(state.to, state.from);
    syncControls();
    render();
  });
  document.getElementById("to").addEventListener("change", (event) => {
    state.to = Number(event.target.value);
    state.from = Math.min(state.from, state.to);
    syncControls();
    render();
  });
  for (const name of FILTERS) {
    document.getElementById(`filter-${name}`).addEventListener("change", (event) => {
      state[name] = Number(event.target.value);
      render();
    });
  }
  document.getElementById("grain").addEventListener("change", (event) => {
    state.grain = event.target.value;
    render();
  });
  document.getElementById("table-by").addEventListener("change", (event) => {
    state.table = event.target.value;
    render();
  });
  document.getElementById("reset").addEventListener("click", () => {
    for (const name of FILTERS) state[name] = -1;
    [state.from, state.to] = DATA.range;
    state.table = "site";
    syncControls();
    render();
  });
  document.querySelectorAll("#segments th").forEach((th) => {
    th.addEventListener("click", () => {
      state.descending = state.sort === th.dataset.field ? !state.descending : th.dataset.field !== "segment";
      state.sort = th.dataset.field;
      render();
    });
  });
  render();
  document.body.dataset.ready = "true";
}

setUp();
