/**
 * `npx projen dashboards:preview`: synthesizes the example config, takes every dashboard of the home Region's
 * observability stack and of the support-chat tenant's stacks from the templates, and writes a PNG of each to
 * `docs/dashboards/` (offline: SVG drawn here, rasterized by resvg with the system fonts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { App } from 'aws-cdk-lib';
import { APP_CONTEXT } from './app-context';
import { buildEstate } from './estate';
import { loadConfigFile } from '../config/load';
import { dashboardSvg } from '../dashboards/preview/render-svg';
import { synthesizedDashboards } from '../dashboards/preview/synthesized-dashboards';

const OUT_DIR = path.join(__dirname, '..', 'docs', 'dashboards');

/** Renders one dashboard to PNG bytes. */
export function renderPng(name: string, widgets: Parameters<typeof dashboardSvg>[1]): Buffer {
  const svg = dashboardSvg(name, widgets);
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: '#f2f3f3' }).render().asPng();
}

function main(): void {
  const config = loadConfigFile(path.join(__dirname, '..', 'config', 'governance.yaml'));
  const app = new App({ context: { ...APP_CONTEXT } });
  const estate = buildEstate(app, config);
  const assembly = app.synth();
  mkdirSync(OUT_DIR, { recursive: true });
  // The home Region's organization dashboards, and the support-chat tenant's of each of its Regions.
  const stacks = [estate.observability[0], ...estate.supportChat];
  for (const dashboard of stacks.flatMap((stack) => synthesizedDashboards(assembly.getStackArtifact(stack.artifactId).template))) {
    const file = path.join(OUT_DIR, `${dashboard.name}.png`);
    const png = renderPng(dashboard.name, dashboard.widgets);
    writeFileSync(file, png);
    console.log(`${path.relative(process.cwd(), file)}: ${dashboard.widgets.length} widgets, ${png.length} bytes`);
  }
}

if (require.main === module) main();
