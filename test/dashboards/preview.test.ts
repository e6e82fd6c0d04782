import { dashboardSvg } from '../../dashboards/preview/render-svg';
import { synthesizedDashboards } from '../../dashboards/preview/synthesized-dashboards';
import { renderPng } from '../../stacks/dashboards-preview';
import { exampleEstate } from '../support/example-estate';

describe('dashboards:preview draws the synthesized dashboards', () => {
  const dashboards = synthesizedDashboards(exampleEstate().observability[0].artifact.template);

  test('each widget is drawn at its grid place with its type and title, and its metrics or alarms listed', () => {
    expect(dashboards).toHaveLength(3);
    for (const d of dashboards) {
      const svg = dashboardSvg(d.name, d.widgets);
      for (const w of d.widgets) {
        const x = 16 + w.x * 48 + 4;
        expect(svg).toContain(`<rect x="${x}" y="${16 + 40 + w.y * 48 + 4}" width="${w.width * 48 - 8}" height="${w.height * 48 - 8}"`);
        if (w.type !== 'text') expect(svg).toContain(`[${w.type}] ${w.properties.title.replace(/&/g, '&amp;').slice(0, 20)}`);
      }
    }
    const health = dashboardSvg(dashboards[2].name, dashboards[2].widgets);
    expect(health).toContain('alarm genai-governance-org-Invocations-eu.anthropic.claude-sonnet-4-5-20250929-v1:0');
  });

  test('the picture is a PNG as wide as the 24-unit grid', () => {
    const png = renderPng(dashboards[1].name, dashboards[1].widgets);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(24 * 48 + 2 * 16);
  });
});

describe('dashboards:preview draws the support-chat tenant\'s dashboard too', () => {
  const chat = exampleEstate().supportChat[0];
  const dashboards = synthesizedDashboards(chat.artifact.template);

  test('one dashboard, support-chat-<region>: every widget at its grid place with its title, the tenant\'s alarms by name', () => {
    expect(dashboards.map((d) => d.name)).toEqual([`support-chat-${chat.region}`]);
    const [tenant] = dashboards;
    const svg = dashboardSvg(tenant.name, tenant.widgets);
    for (const w of tenant.widgets) {
      expect(svg).toContain(`<rect x="${16 + w.x * 48 + 4}" y="${16 + 40 + w.y * 48 + 4}" width="${w.width * 48 - 8}" height="${w.height * 48 - 8}"`);
      if (w.type !== 'text') expect(svg).toContain(`[${w.type}] ${w.properties.title.replace(/&/g, '&amp;').slice(0, 20)}`);
    }
    expect(tenant.widgets.flatMap((w) => (w.type === 'text' ? [] : [w.properties.title]))).toEqual([
      'Time to first token (ms)', 'Turn latency (ms)', 'Our overhead and the model\'s time per turn (ms)', 'Turns by result', 'Errors and error rate',
      'Throttles, retries, fallbacks, open breakers', 'Answer tokens', 'Answer tokens by inference profile',
      'Estimated cost of the answers (USD per 5 minutes)', 'Connections and messages',
      'Lambda errors and throttles by function', 'Support-chat alarms',
      'CSAT (average score, 1-5) and ratings', 'Turns the assistant answered itself (%)', 'Escalations to a person', 'Cost of the answers (USD)',
    ]);
    for (const alarm of ['support-chat-turn-latency-p95', 'support-chat-error-rate', 'support-chat-relay-errors']) expect(svg).toContain(`alarm ${alarm}`);
    const ttft = tenant.widgets.find((w) => w.type === 'metric' && w.properties.title === 'Time to first token (ms)');
    expect(ttft?.type === 'metric' && ttft.properties.metrics.map((line) => line.slice(0, 4).join(' '))).toEqual([
      ...['p50', 'p95', 'p99'].map(() => 'SupportChat TimeToFirstToken service support-chat-turn'), 'SupportChat TimeToFirstChunk service support-chat-relay',
    ]);
    // Nothing in the body is left unresolved: functions are named, the Region is the stack's.
    expect(svg).not.toMatch(/&lt;[A-Za-z0-9]+&gt;/);
    for (const w of tenant.widgets) if (w.type === 'metric') expect(w.properties.region).toBe(chat.region);
  });

  test('its picture is a PNG as wide as the grid', () => {
    const png = renderPng(dashboards[0].name, dashboards[0].widgets);
    expect(png.readUInt32BE(16)).toBe(24 * 48 + 2 * 16);
  });
});
