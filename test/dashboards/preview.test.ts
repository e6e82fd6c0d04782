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
