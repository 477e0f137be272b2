// Charts drawn on the server as SVG: no client build, no CDN, readable on a cheap phone. Each is an image with a text
// alternative, and every figure in it is also in a table beside it, so nothing is only in a picture or a colour.

// The palette of web/app.css: dark enough on white for WCAG AA text and graphics contrast.
export const colours = { blue: '#1d70b8', green: '#00703c', amber: '#b58a00', red: '#d4351c', grey: '#505a5f' };

/** A quota's places: used, free, and those waiting beyond it, as one bar. */
export function QuotaBar(props: { used: number; limit: number; waitlisted: number; label: string }) {
  const total = Math.max(props.limit + props.waitlisted, 1);
  const w = (n: number) => (n / total) * 300;
  return (
    <svg viewBox="0 0 300 24" width="100%" height="24" role="img" aria-label={props.label} class="chart">
      <title safe>{props.label}</title>
      <rect x="0" y="2" width="300" height="20" fill="#f3f2f1" />
      <rect x="0" y="2" width={String(w(props.used))} height="20" fill={colours.blue} />
      <rect x={String(w(props.limit))} y="2" width={String(w(props.waitlisted))} height="20" fill={colours.amber} />
      <line x1={String(w(props.limit))} x2={String(w(props.limit))} y1="0" y2="24" stroke="#0b0c0c" stroke-width="2" />
    </svg>
  );
}

/** Places taken over the months (the line) against an even pace through the year (dashed). */
export function MonthsLine(props: {
  points: { cumulative: number; evenPace: number }[];
  limit: number;
  label: string;
}) {
  const max = Math.max(props.limit, ...props.points.map((p) => p.cumulative), 1);
  const x = (i: number) => 10 + (i * 280) / 11;
  const y = (n: number) => 44 - (n / max) * 40;
  const path = (values: number[]) =>
    values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return (
    <svg viewBox="0 0 300 48" width="100%" height="48" role="img" aria-label={props.label} class="chart">
      <title safe>{props.label}</title>
      <line x1="10" x2="290" y1="44" y2="44" stroke="#b1b4b6" />
      <path d={path(props.points.map((p) => p.evenPace))} fill="none" stroke={colours.grey} stroke-dasharray="4 3" />
      <path d={path(props.points.map((p) => p.cumulative))} fill="none" stroke={colours.blue} stroke-width="3" />
    </svg>
  );
}

/**
 * Horizontal bars, one per row, scaled to the largest, each with its name and its count beside it in text (a funnel
 * when the rows are a programme's steps in order). Drawn in HTML rather than SVG so the names wrap on a phone; the
 * count is the link to the list behind it, and a screen reader reads name, note and count as one list item.
 */
export function LabelledBars(props: {
  rows: { key: string; label: string; note?: string; value: number; text: string; href: string }[];
  label: string;
  colour?: string;
  figure?: string;
}) {
  const max = Math.max(...props.rows.map((r) => r.value), 1);
  return (
    <ol class="bars" aria-label={props.label}>
      {props.rows.map((r) => (
        <li class="bars-row" data-step={r.key}>
          <span class="bars-name">
            <span safe>{r.label}</span>
            {r.note ? (
              <span class="bars-note" safe>
                {r.note}
              </span>
            ) : (
              ''
            )}
          </span>
          <span class="bars-track" aria-hidden="true">
            <span
              class="bars-bar"
              style={`width:${r.value > 0 ? Math.max(1, (r.value / max) * 100).toFixed(1) : 0}%;background:${props.colour ?? colours.blue}`}
            />
          </span>
          <a class="bars-n" href={r.href} data-figure={props.figure} safe>
            {r.text}
          </a>
        </li>
      ))}
    </ol>
  );
}

/** A share from 0 to 1 as a bar, green from the goal up, red below it. */
export function ShareBar(props: { share: number | null; label: string; goal?: number }) {
  const share = props.share ?? 0;
  const fill = share >= (props.goal ?? 0.9) ? colours.green : colours.red;
  return (
    <svg viewBox="0 0 100 12" width="100" height="12" role="img" aria-label={props.label} class="chart">
      <title safe>{props.label}</title>
      <rect x="0" y="0" width="100" height="12" fill="#f3f2f1" />
      <rect x="0" y="0" width={String(share * 100)} height="12" fill={fill} />
    </svg>
  );
}
