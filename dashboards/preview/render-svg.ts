import type { PlacedWidget } from '../widgets/layout';

/** Pixels per CloudWatch grid unit (24 units across). */
const UNIT = 48;
const MARGIN = 16;
const HEADER = 40;
const LINE = 15;
const CHAR = 6.4;

const COLORS: Record<PlacedWidget['type'], string> = { text: '#5f6b7a', metric: '#0972d3', alarm: '#d91515' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Cuts `text` to what fits in `width` pixels at the preview's font size. */
function fit(text: string, width: number): string {
  const max = Math.max(4, Math.floor(width / CHAR));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Greedy word wrap into lines of at most `width` pixels. */
function wrap(text: string, width: number): string[] {
  const max = Math.max(8, Math.floor(width / CHAR));
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && (line.length + word.length + 1) > max) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** What a widget shows, one entry per line: its metric lines (label and what they read), alarms, or text. */
function contentLines(widget: PlacedWidget, width: number): string[] {
  if (widget.type === 'text') return wrap(widget.properties.markdown.split('\n').slice(1).join('\n').replace(/[#*`]/g, ''), width);
  if (widget.type === 'alarm') return widget.properties.alarms.map((a) => `alarm ${a}`);
  return widget.properties.metrics.map((line) => {
    const options = line[line.length - 1] as Record<string, unknown>;
    if (typeof options === 'object' && typeof options.expression === 'string') {
      return `${options.label ? `${String(options.label)}: ` : ''}${options.expression}`;
    }
    const names = line.filter((v): v is string => typeof v === 'string');
    const stat = (typeof options === 'object' && options.stat) || widget.properties.stat || '';
    return `${names.join(' · ')} ${stat}`.trim();
  });
}

/**
 * An SVG picture of a dashboard body as CloudWatch lays it out: each widget at its grid position and size, with its
 * type, title, Region and period, and what it reads (metrics, expressions, alarms) or says (text).
 */
export function dashboardSvg(name: string, widgets: readonly PlacedWidget[]): string {
  const width = 24 * UNIT + 2 * MARGIN;
  const height = Math.max(...widgets.map((w) => w.y + w.height)) * UNIT + 2 * MARGIN + HEADER;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#f2f3f3"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 18}" font-size="18" font-weight="bold" fill="#16191f">${escape(name)}</text>`,
  ];
  for (const w of widgets) {
    const x = MARGIN + w.x * UNIT + 4;
    const y = MARGIN + HEADER + w.y * UNIT + 4;
    const boxWidth = w.width * UNIT - 8;
    const boxHeight = w.height * UNIT - 8;
    const title = w.type === 'text' ? w.properties.markdown.split('\n')[0].replace(/^#+\s*/, '') : w.properties.title;
    const meta = w.type === 'metric' ? `${w.properties.region} · ${w.properties.period}s` : '';
    parts.push(
      `<rect x="${x}" y="${y}" width="${boxWidth}" height="${boxHeight}" rx="4" fill="#ffffff" stroke="#d1d5db"/>`,
      `<rect x="${x}" y="${y}" width="6" height="${boxHeight}" rx="2" fill="${COLORS[w.type]}"/>`,
      `<text x="${x + 14}" y="${y + 20}" font-size="13" font-weight="bold" fill="#16191f">${escape(fit(`[${w.type}] ${title}`, boxWidth - 120))}</text>`,
      `<text x="${x + boxWidth - 8}" y="${y + 20}" font-size="10" fill="#5f6b7a" text-anchor="end">${escape(meta)}</text>`,
    );
    const room = Math.floor((boxHeight - 34) / LINE);
    const lines = contentLines(w, boxWidth - 24);
    const shown = lines.length > room ? [...lines.slice(0, room - 1), `… ${lines.length - room + 1} more`] : lines;
    shown.forEach((text, i) => {
      parts.push(`<text x="${x + 14}" y="${y + 38 + i * LINE}" font-size="10.5" fill="#414d5c">${escape(fit(text, boxWidth - 24))}</text>`);
    });
  }
  parts.push('</svg>');
  return parts.join('\n');
}
